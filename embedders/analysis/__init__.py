"""Analysis of embedding rasters: cosine similarity, k-means clusters, change,
and the model comparison (CKA, k-NN agreement). numpy + rasterio, with
scikit-learn's MiniBatchKMeans for k-means; large rasters are streamed in
tile-aligned blocks, so memory is bounded by the block size, not by the raster
(guards.py: output-is-input refusal, damaged-file and out-of-memory errors)."""
