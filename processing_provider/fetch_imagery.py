"""Fetch imagery: the Sentinel-2 composite an on-the-fly model would see, as
a GeoTIFF (float32 reflectance x 10^4, NaN no data), styled as RGB."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException, QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition, QgsProcessingParameterExtent, QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .analysis_common import ImageryAlgorithm
from ..embedders.catalog import COMPOSITES, IMAGERY_SOURCES as SOURCES, VALUE_SCALES
from ..qgis_common.choices import imagery_source_labels, labelled, value_scale_labels
from ..qgis_common.numbers import num, num_g
from ..qgis_common.params import (
    date_param, enum_param, enum_value, spatial_from_extent, spatial_params, temporal_params, time_label, tr,
    year_param,
)
from ..qgis_common.postprocessors import attach_style, style_rgb
from ..qgis_common.worker import run_core_job

RGB_STRETCH = (0.0, 3000.0)  # reflectance x 10^4


class FetchImageryAlgorithm(ImageryAlgorithm):
    TAGS = ("imagery", "Sentinel-2", "STAC", "Earth Engine", "composite", "clouds")
    EXTENT, YEAR, START_DATE, END_DATE = "EXTENT", "YEAR", "START_DATE", "END_DATE"
    IMAGERY_SOURCE, INPUT_RASTER, BAND_MAP, BANDS = "IMAGERY_SOURCE", "INPUT_RASTER", "BAND_MAP", "BANDS"
    VALUE_SCALE = "VALUE_SCALE"
    CLOUD_MAX, COMPOSITE, MASK_CLOUDS, SCALE_M, OUTPUT = (
        "CLOUD_MAX", "COMPOSITE", "MASK_CLOUDS", "SCALE_M", "OUTPUT")

    def __init__(self):
        super().__init__()
        self.post_processor = None  # strong reference for QGIS (sip)

    def name(self):
        return "fetch_imagery"

    def displayName(self):  # noqa: N802
        return tr("Fetch imagery")

    def help_text(self):
        return tr(
            "Writes the Sentinel-2 composite that on-the-fly models see for an extent and a time "
            "window, so you can inspect it before embedding: a float32 GeoTIFF of surface reflectance "
            "x 10000 (NaN = no data or masked), one band per requested band, on the extent's local UTM "
            "zone at <i>Pixel size</i> metres, shown as true colour (B04/B03/B02, stretch 0-3000).<br><br>"
            "<b>Time</b>: <i>Start date</i> and <i>End date</i> (end exclusive), or a <i>Year</i>.<br>"
            "<b>Imagery source</b>: <i>local</i> reads the <i>Input raster</i> (any CRS; bands by "
            "Sentinel-2 names in the band descriptions, by red/green/blue colour, or the <i>Band "
            "mapping</i>, e.g. B04=3,B03=2,B02=1); <i>stac</i> reads Sentinel-2 L2A from a STAC API (Earth "
            "Search by default, no account); <i>gee</i> reads COPERNICUS/S2_SR_HARMONIZED from Earth Engine "
            "(project in the settings); <i>auto</i> picks local when a raster is given, else gee when a "
            "project is set, else stac.<br>"
            "<b>Values of the input raster</b>: reflectance x 10^4 (Sentinel-2 L2A), reflectance 0-1 or "
            "8-bit (aerial RGB); a run whose values do not fit says so in the log.<br>"
            "<b>Clouds</b>: scenes above <i>Maximum scene cloud cover</i> are skipped; with <i>Mask "
            "clouds</i> cloud, cloud shadow, cirrus and defective pixels are masked (SCL on STAC, Cloud "
            "Score+ on Earth Engine).<br>"
            "<b>Composite</b>: <i>median</i> of the valid pixels, or <i>mosaic</i> (least cloudy scene "
            "first). The +1000 offset of newer Sentinel-2 processing is removed.<br>"
            "<b>Bands</b>: RGB, RGBN, all S2, or names such as B04,B03,B02,B08.<br>"
            "Fetched composites are cached, so embedding the same area afterwards reads no imagery again."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, tr("Extent")))
        self.addParameter(date_param(self.START_DATE, tr("Start date (inclusive)")))
        self.addParameter(date_param(self.END_DATE, tr("End date (exclusive)")))
        self.addParameter(year_param(self.YEAR))
        self.addParameter(labelled(enum_param(self.IMAGERY_SOURCE, tr("Imagery source"), SOURCES, "auto"),
                                   imagery_source_labels()))
        # The local raster's inputs together, as in Embed ROI.
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.INPUT_RASTER, tr("Input raster (for the 'local' source)"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.BAND_MAP, tr("Band mapping for the input raster (e.g. B04=3,B03=2,B02=1)"), optional=True))
        self.addParameter(labelled(enum_param(self.VALUE_SCALE, tr("Values of the input raster"),
                                              list(VALUE_SCALES), "reflectance_1e4", optional=True),
                                   value_scale_labels()))
        self.addParameter(QgsProcessingParameterString(
            self.BANDS, tr("Bands (RGB, RGBN, all S2, or e.g. B04,B03,B02,B08)"), "RGB"))
        self.addParameter(QgsProcessingParameterNumber(
            self.CLOUD_MAX, tr("Maximum scene cloud cover (%)"), QgsProcessingParameterNumber.Double,
            30.0, False, 0.0, 100.0))
        self.addParameter(enum_param(self.COMPOSITE, tr("Composite of the scenes in the window"),
                                     COMPOSITES, "median"))
        advanced = [
            QgsProcessingParameterNumber(self.SCALE_M, tr("Pixel size (ground metres, local UTM)"),
                                         QgsProcessingParameterNumber.Double, 10.0, False, 1.0, 1000.0),
            QgsProcessingParameterBoolean(self.MASK_CLOUDS, tr("Mask clouds per pixel"), True),
        ]
        for p in advanced:
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Imagery")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        source = enum_value(self, parameters, self.IMAGERY_SOURCE, context, SOURCES)
        layer = self.parameterAsRasterLayer(parameters, self.INPUT_RASTER, context)
        if source == "local" and layer is None:
            raise QgsProcessingException(tr("The 'local' imagery source needs an input raster."))
        out_path = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        temporal = temporal_params(self, parameters, context)
        params = {
            "spatial": spatial_params(spatial_from_extent(self, parameters, self.EXTENT, context)),
            "temporal": temporal, "imagery_source": source,
            "input_raster": layer.source().split("|")[0] if layer is not None and source in ("auto", "local") else None,
            "band_map": self.parameterAsString(parameters, self.BAND_MAP, context) or None,
            "value_scale": enum_value(self, parameters, self.VALUE_SCALE, context, list(VALUE_SCALES)),
            "bands": self.parameterAsString(parameters, self.BANDS, context) or "RGB",
            "scale_m": self.parameterAsDouble(parameters, self.SCALE_M, context),
            "cloudy_pct": self.parameterAsDouble(parameters, self.CLOUD_MAX, context),
            "composite": enum_value(self, parameters, self.COMPOSITE, context, COMPOSITES),
            "mask_clouds": self.parameterAsBool(parameters, self.MASK_CLOUDS, context), "output": out_path}
        res = run_core_job("fetch_imagery", params, [out_path], feedback, span=(0.0, 97.0))
        scenes = res["scenes"]
        feedback.pushInfo(tr("Source: {}; {} scene(s): {}").format(res["source"], len(scenes), ", ".join(scenes[:10])))
        feedback.pushInfo(tr("Grid: {} at {} m, {} x {} pixels; {}% of pixels have data{}").format(
            res["crs"], num_g(res["res"]), res["width"], res["height"], num(100 * (res["valid_fraction"] or 0.0), 0),
            tr(" (from the cache)") if res.get("cache") == "hit" else ""))
        feedback.setProgress(100)
        rgb = res.get("rgb")
        if rgb:
            self.post_processor = attach_style(
                context, out_path, lambda lyr: style_rgb(lyr, tuple(rgb), vmin=RGB_STRETCH[0], vmax=RGB_STRETCH[1]),
                name=tr("Imagery {} {}").format(res["source"], time_label(temporal)))
        return {self.OUTPUT: out_path}
