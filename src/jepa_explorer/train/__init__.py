"""Training recipes, offline data and evaluation for the bundled models (no Qt)."""
