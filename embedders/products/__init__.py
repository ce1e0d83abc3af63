"""Precomputed embedding products. Each module registers one model."""
