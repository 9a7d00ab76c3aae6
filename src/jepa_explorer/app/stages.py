"""The step-through of the JEPA loop (F5): one stage per press, each with a title, a sentence, and the
panels it shows (the GUI draws each stage on the canvas too)."""

STAGES = [
    (
        "1 · Mask",
        "Choose what the model sees (context, blue) and what it must predict (targets, one colour per block).",
        {"distance": False, "pca": False, "pixels": True},
    ),
    (
        "2 · Encode the context",
        "The context encoder sees only the blue patches and turns each into an embedding.",
        {"distance": False, "pca": False, "pixels": True},
    ),
    (
        "3 · Encode the target",
        "The target encoder (an EMA copy of the context encoder) sees the whole image: "
        "its embeddings are the answers. Right: their first three PCA components as colours.",
        {"distance": False, "pca": True, "pixels": False},
    ),
    (
        "4 · Predict",
        "The predictor gets the context embeddings and the positions of the targets, and predicts "
        "their embeddings (★ in the PCA plot, lines to the actual ones).",
        {"distance": False, "pca": True, "pixels": False},
    ),
    (
        "5 · Compare",
        "Distance between predicted and actual embeddings per target patch — the training loss. "
        "Does the predictor beat simply copying the context?",
        {"distance": True, "pca": True, "pixels": False},
    ),
]
