"""QGIS Processing glue: the provider, one algorithm per module, parameter
helpers and layer post-processors. Heavy libraries are imported only inside
``processAlgorithm``."""
