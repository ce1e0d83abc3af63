"""Parameter helpers shared by the algorithms: extent -> BBox in EPSG:4326,
dates (with a shim for QGIS < 3.36), model enums with static strings, the
feedback -> Progress adapter and core-error translation."""
from __future__ import annotations

import contextlib
import math

from qgis.core import (
    QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsCsException, QgsProcessingException,
    QgsProcessingParameterDateTime, QgsProcessingParameterEnum, QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QCoreApplication, QDate, QDateTime

from ..embedders import catalog
from .numbers import num
from ..embedders import errors as core_errors

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def tr(text, context="@default"):
    """Translate ``text``. pylupdate5 files bare ``tr("...")`` calls under the
    context "@default", so that is the context looked up at run time."""
    return QCoreApplication.translate(context, text)


def date_param(name, description, optional=True):
    """A date-only parameter on every QGIS version."""
    try:  # QGIS >= 3.36
        from qgis.core import Qgis

        date_type = Qgis.ProcessingDateTimeParameterDataType.Date
    except AttributeError:
        date_type = QgsProcessingParameterDateTime.Date
    return QgsProcessingParameterDateTime(name, description, type=date_type, optional=optional)


def enum_param(name, description, options, default=None, multiple=False, optional=False):
    """Enum taking static strings, so qgis_process and the modeler pass 'tessera', not 0."""
    kwargs = dict(options=list(options), allowMultiple=multiple, optional=optional,
                  defaultValue=default)
    try:
        return QgsProcessingParameterEnum(name, description, usesStaticStrings=True, **kwargs)
    except TypeError:  # very old QGIS: indices only
        return QgsProcessingParameterEnum(name, description, **kwargs)


def enum_value(alg, parameters, name, context, options):
    """Read an enum as its string, whether given as a string or an index;
    an optional enum left empty gives its default."""
    definition = alg.parameterDefinition(name)
    if enum_uses_strings(definition):
        value = alg.parameterAsEnumString(parameters, name, context)
        return value if value not in (None, "") else definition.defaultValue()
    idx = alg.parameterAsEnum(parameters, name, context)
    return list(definition.options() or options)[idx]  # the parameter's own list (it may leave some out)


def enum_values(alg, parameters, name, context, options):
    definition = alg.parameterDefinition(name)
    if enum_uses_strings(definition):
        return list(alg.parameterAsEnumStrings(parameters, name, context))
    return [list(definition.options() or options)[i] for i in alg.parameterAsEnums(parameters, name, context)]


def enum_uses_strings(definition):
    return bool(getattr(definition, "usesStaticStrings", lambda: False)())


def year_param(name="YEAR", default=None, optional=True):
    """The year of annual products; its default is the catalog's (the drawn-extent dialog's too)."""
    default = catalog.DEFAULT_YEAR if default is None else default
    p = QgsProcessingParameterNumber(name, tr("Year (for annual products)"),
                                     QgsProcessingParameterNumber.Integer, default, optional, 1970, 2100)
    return p


def _raw_extent_inverted(value):
    """True when an extent string 'xmin,xmax,ymin,ymax [crs]' is inverted or empty
    (QgsRectangle would silently normalise it)."""
    if not isinstance(value, str):
        return False
    head = value.split("[")[0]
    try:
        xmin, xmax, ymin, ymax = (float(v) for v in head.split(","))
    except ValueError:
        return False
    return xmin >= xmax or ymin >= ymax


def spatial_from_extent(alg, parameters, name, context):
    """The EXTENT parameter (any CRS) as a core BBox in EPSG:4326."""
    raw = parameters.get(name)
    if _raw_extent_inverted(raw):
        raise QgsProcessingException(
            tr("The extent {} is empty or inverted: give xmin < xmax and ymin < ymax.").format(raw))
    rect = alg.parameterAsExtent(parameters, name, context)
    crs = alg.parameterAsExtentCrs(parameters, name, context)
    if not crs.isValid():
        crs = context.project().crs() if context.project() else WGS84
    with core_errors_as_processing():
        return bbox_from_rect(rect, crs, context.transformContext())


def bbox_from_rect(rect, crs, transform_context):
    """A rectangle in ``crs`` (a Processing extent, a drawn extent) as the core's
    BBox in EPSG:4326, carrying the rectangle itself as its footprint so that
    grids cover the extent, not its lon/lat box. SpecError when it is empty,
    not on Earth, across the antimeridian or around a pole."""
    from ..embedders.errors import SpecError
    from ..embedders.specs import BBox

    if rect is None or rect.isNull() or rect.isEmpty() or rect.width() <= 0 or rect.height() <= 0:
        raise SpecError(tr("The extent is empty: draw or type an area with a width and a height."))
    footprint = None
    try:
        if crs.isValid() and crs.authid() != "EPSG:4326":
            xform = QgsCoordinateTransform(crs, WGS84, transform_context)
            _check_round_trip(xform, rect, crs)
            _check_pole(xform, rect, crs)
            vals = _outline_bounds(xform, rect, crs)
            footprint = (crs.authid() or crs.toWkt(), rect.xMinimum(), rect.yMinimum(), rect.xMaximum(),
                         rect.yMaximum())
        else:
            vals = (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())
    except QgsCsException as exc:
        raise SpecError(
            tr("The extent cannot be transformed to longitude/latitude ({}): it is not on Earth in {}.").format(
                exc, crs.authid())) from exc
    if not all(math.isfinite(v) for v in vals):
        raise SpecError(
            tr("The extent is not on Earth after transformation from {} to EPSG:4326.").format(crs.authid()))
    xmin, ymin, xmax, ymax = vals
    if xmin < -180.0001 or xmax > 180.0001 or ymin < -90.0001 or ymax > 90.0001:
        raise SpecError(
            tr("The extent is not on Earth: in EPSG:4326 it spans lon {} .. {}, lat {} .. {}; "
               "check the extent's CRS ({}).").format(*(num(v, 4, group=False) for v in (xmin, xmax, ymin, ymax)),
                                                      crs.authid()))
    return BBox(max(xmin, -180.0), max(ymin, -90.0), min(xmax, 180.0), min(ymax, 90.0), footprint=footprint)


def spatial_params(bbox) -> dict:
    """A BBox as a job's ``spatial`` (with its footprint when it has one)."""
    d = {"bbox": list(bbox.bounds_4326())}
    if bbox.footprint:
        d["footprint"] = list(bbox.footprint)
    return d


def _outline(rect, n=32):
    from qgis.core import QgsPointXY

    x0, y0, x1, y1 = rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()
    pts = []
    for i in range(n):
        f = i / n
        pts += [QgsPointXY(x0 + f * (x1 - x0), y0), QgsPointXY(x1, y0 + f * (y1 - y0)),
                QgsPointXY(x1 - f * (x1 - x0), y1), QgsPointXY(x0, y1 - f * (y1 - y0))]
    return pts


def _outline_bounds(xform, rect, crs):
    """Lon/lat bounds of the extent's densified outline; refuses an outline
    that crosses the antimeridian (its longitudes jump by about 360°)."""
    from ..embedders.errors import SpecError

    ll = [xform.transform(p) for p in _outline(rect)]
    lons = [p.x() for p in ll]
    lats = [p.y() for p in ll]
    jumps = any(abs(a - b) > 180.0 for a, b in zip(lons, lons[1:] + lons[:1]))
    if jumps:
        raise SpecError(
            tr("The extent crosses the antimeridian (180° longitude): RS Embed cannot yet embed an area "
               "across it. Split the extent into two, one on each side of 180°, and run each."))
    return (min(lons), min(lats), max(lons), max(lats))


def _check_pole(xform, rect, crs):
    """An extent that contains a pole has every longitude: say so."""
    from qgis.core import QgsPointXY

    from ..embedders.errors import SpecError

    for lat, name in ((90.0, tr("North")), (-90.0, tr("South"))):
        try:
            p = xform.transform(QgsPointXY(0.0, lat), QgsCoordinateTransform.ReverseTransform)
        except QgsCsException:
            continue
        if math.isfinite(p.x()) and math.isfinite(p.y()) and rect.contains(p):
            raise SpecError(
                tr("The extent contains the {} Pole: every longitude meets there, so it has no lon/lat box. "
                   "RS Embed cannot embed an area around a pole; draw an extent beside it.").format(name))


def _check_round_trip(xform, rect, crs):
    """Points off the CRS's domain come back clamped (e.g. lat 90): a
    round trip through lon/lat that does not return means 'not on Earth'."""
    from qgis.core import QgsPointXY

    from ..embedders.errors import SpecError

    tol = 1e-6 * max(rect.width(), rect.height(), 1.0) + 1e-3
    for x, y in ((rect.xMinimum(), rect.yMinimum()), (rect.xMaximum(), rect.yMaximum()),
                 (rect.xMinimum(), rect.yMaximum()), (rect.xMaximum(), rect.yMinimum())):
        ll = xform.transform(QgsPointXY(x, y))
        back = xform.transform(ll, QgsCoordinateTransform.ReverseTransform)
        if not (math.isfinite(back.x()) and math.isfinite(back.y())) or \
                abs(back.x() - x) > tol or abs(back.y() - y) > tol:
            raise SpecError(
                tr("The extent is not on Earth: the point ({}, {}) in {} has no longitude/latitude. "
                   "Check the extent's coordinates and CRS.").format(x, y, crs.authid()))


def qdate_to_date(value):
    if value is None:
        return None
    if isinstance(value, QDateTime):
        value = value.date()
    if isinstance(value, QDate):
        if not value.isValid():
            return None
        return value.toPyDate()
    return value


def temporal_from_params(alg, parameters, context, year_name="YEAR", start_name="START_DATE",
                         end_name="END_DATE"):
    """START/END dates when both are given (half-open [start, end)), else YEAR."""
    from ..embedders.specs import TemporalSpec

    start = end = None
    if parameters.get(start_name) not in (None, ""):
        start = qdate_to_date(alg.parameterAsDateTime(parameters, start_name, context))
    if parameters.get(end_name) not in (None, ""):
        end = qdate_to_date(alg.parameterAsDateTime(parameters, end_name, context))
    with core_errors_as_processing():
        if start and end:
            return TemporalSpec.range(start, end)
        if start or end:
            raise QgsProcessingException(
                tr("Give both a start and an end date (the end is exclusive), or neither and a year."))
        if parameters.get(year_name) in (None, ""):
            raise QgsProcessingException(tr("Give a year, or a start and an end date."))
        return TemporalSpec.year(alg.parameterAsInt(parameters, year_name, context))


def temporal_params(alg, parameters, context, year_name="YEAR", start_name="START_DATE",
                    end_name="END_DATE") -> dict:
    """The time parameters as a job's ``temporal`` ({"year": y} or {"start", "end"}),
    checked here so that a bad window fails before the worker starts."""
    t = temporal_from_params(alg, parameters, context, year_name, start_name, end_name)
    if t.year_value is not None:
        return {"year": t.year_value}
    return {"start": t.start.isoformat(), "end": t.end.isoformat()}


def time_label(temporal: dict) -> str:
    if temporal.get("year") is not None:
        return str(temporal["year"])
    return f"{temporal['start']}_{temporal['end']}"


def metadata_text(meta: dict) -> str:
    """Run metadata as readable lines for the Log: numbers in the user's
    locale, nested values as compact JSON."""
    from .numbers import value_text

    lines = [tr("Run metadata:")]
    for k in sorted(meta):
        text = value_text(meta[k])
        lines.append(f"  {k}: {text if len(text) <= 200 else text[:197] + '…'}")
    return "\n".join(lines)


@contextlib.contextmanager
def core_errors_as_processing():
    """Turn the core's errors into QgsProcessingException with the core's message."""
    try:
        yield
    except core_errors.CancelledError as exc:
        raise QgsProcessingException(tr("Cancelled: {}").format(exc)) from exc
    except core_errors.RSEmbedError as exc:
        raise QgsProcessingException(str(exc)) from exc


def remove_files(paths):
    """Remove outputs of a failed run (all or nothing)."""
    from pathlib import Path

    for p in paths:
        if p:
            with contextlib.suppress(OSError):
                Path(p).unlink()

