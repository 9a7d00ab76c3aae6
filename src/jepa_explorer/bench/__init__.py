"""Benchmarks (`jepa-explorer bench`)."""
