"""Result panels: distances, PCA of embeddings, pixels, model card."""
