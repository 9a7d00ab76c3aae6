"""Numbers about predictions: distances, leak-free baselines, PCA views. Numpy in, numpy out."""
