"""Analysis of embedding rasters: cosine similarity, k-means clusters, change,
and the model comparison (CKA, k-NN agreement). Plain numpy + rasterio; large
rasters are streamed in tile-aligned blocks, so memory is bounded by the block
size, not by the raster."""
