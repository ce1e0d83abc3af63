"""On-the-fly models fed with Sentinel-2 imagery. Each module registers one model."""
