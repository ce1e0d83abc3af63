"""Learning from labelled examples on embedding rasters (scikit-learn):
labelled pixels under points and polygons (samples), estimators
(estimators), cross-validation (validation), bootstrap metrics (metrics),
block-wise prediction (predict), safe model files (modelfile), reports
(report) and the labelled ranking of embeddings (rank)."""
