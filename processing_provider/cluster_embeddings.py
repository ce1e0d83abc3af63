"""Cluster embeddings: k-means of the pixels of an embedding raster into K
classes, as a paletted class raster."""
from __future__ import annotations

import json

from qgis.core import (
    QgsProcessingOutputNumber, QgsProcessingOutputString, QgsProcessingParameterDefinition,
    QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from .analysis_common import BLOCK_MB, AnalysisAlgorithm, block_mb_param, embedding_raster
from ..qgis_common.params import tr
from ..qgis_common.postprocessors import attach_style
from ..qgis_common.styles import style_clusters
from ..qgis_common.worker import run_core_job


class ClusterEmbeddingsAlgorithm(AnalysisAlgorithm):
    TAGS = ("cluster", "clustering", "k-means", "kmeans", "unsupervised")
    INPUT, K, SEED, SAMPLE_SIZE, OUTPUT = "INPUT", "K", "SEED", "SAMPLE_SIZE", "OUTPUT"

    def name(self):
        return "cluster_embeddings"

    def displayName(self):  # noqa: N802
        return tr("Cluster embeddings (k-means)")

    def help_text(self):
        return tr(
            "Groups the pixels of an embedding raster into K clusters with k-means (k-means++ start, "
            "Lloyd iterations, best of 3 starts) fitted on a uniform random sample of valid pixels, then "
            "assigns every pixel to its nearest centre block by block.<br>Output: a uint8 GeoTIFF with "
            "clusters 1..K (1 = the largest cluster in the sample) and 0 where there is no data, with a "
            "colour table; loaded with a paletted renderer.<br><b>Seed</b> makes runs repeatable; a "
            "larger <b>sample size</b> fits the centres more precisely at the cost of time and memory "
            "(sample size x bands x 4 bytes).")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Embedding raster")))
        self.addParameter(QgsProcessingParameterNumber(
            self.K, tr("Number of clusters (K)"), QgsProcessingParameterNumber.Integer, 8, False, 2, 250))
        advanced = [
            QgsProcessingParameterNumber(self.SEED, tr("Random seed"), QgsProcessingParameterNumber.Integer,
                                         0, False, 0),
            QgsProcessingParameterNumber(self.SAMPLE_SIZE, tr("Pixels sampled to fit the centres"),
                                         QgsProcessingParameterNumber.Integer, 100_000, False, 100, 5_000_000),
        ]
        for p in advanced:
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(p)
        self.addParameter(block_mb_param())
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Clusters")))
        self.addOutput(QgsProcessingOutputNumber("INERTIA", tr("Inertia (sum of squared distances, sample)")))
        self.addOutput(QgsProcessingOutputString("CLUSTER_SIZES", tr("Pixels per cluster (JSON list)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layer, src = embedding_raster(self, parameters, self.INPUT, context)
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        k = self.parameterAsInt(parameters, self.K, context)
        params = {"input": src, "output": out, "k": k, "seed": self.parameterAsInt(parameters, self.SEED, context),
                  "sample_size": self.parameterAsInt(parameters, self.SAMPLE_SIZE, context),
                  "block_mb": self.parameterAsDouble(parameters, BLOCK_MB, context)}
        res = run_core_job("cluster_embeddings", params, [out], feedback)
        feedback.pushInfo(tr("Pixels per cluster: {}").format(res["sizes"]))
        attach_style(context, out, style_clusters, name=f"{layer.name()} k-means {k}")
        return {self.OUTPUT: out, "INERTIA": res["inertia"], "CLUSTER_SIZES": json.dumps(res["sizes"])}
