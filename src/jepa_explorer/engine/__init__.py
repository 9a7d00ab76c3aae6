"""Inference engine: device choice, preprocessing, and the Session that caches per-input work."""
