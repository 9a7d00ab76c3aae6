"""The step-through of the JEPA loop (F5): one stage per press, each with a title, a sentence, and the
panels it shows (the GUI draws each stage on the canvas too).

A stage shows its own state and nothing of a later one: the predictions (the PCA panel's stars and its
"context + predicted targets" grid) appear at stage 4, the distances (the distance panel, the per-patch
numbers under the mouse) at stage 5."""

PREDICT, COMPARE = 3, 4  # the stages (0-based) from which predictions, then distances, are on screen

STAGES = [
    (
        "1 · Mask",
        "Choose what the model sees (context, blue) and what it must predict (targets, one colour per block).",
        {"distance": False, "pca": False, "pixels": False},
    ),
    (
        "2 · Encode the context",
        "The context encoder sees only the blue patches (the rest is dark) and turns each into an embedding.",
        {"distance": False, "pca": False, "pixels": False},
    ),
    (
        "3 · Encode the target",
        "The target encoder (an EMA copy of the context encoder) sees the whole image: its embeddings are "
        "the answers. On the image: their first three PCA components as colours.",
        {"distance": False, "pca": False, "pixels": False},
    ),
    (
        "4 · Predict",
        "The predictor gets the context embeddings and the positions of the targets, and predicts their "
        "embeddings. On the image: the predictions in the same colours (similar colour = good guess); right: "
        "★ predicted, with arrows to the actual ones.",
        {"distance": False, "pca": True, "pixels": False},
    ),
    (
        "5 · Compare",
        "Distance between predicted and actual embeddings per target patch (the training loss), on the image "
        "and right. Does the predictor beat simply copying the context?",
        {"distance": True, "pca": True, "pixels": False},
    ),
]

# the panel a stage is about: the one it shows where the screen has room for one panel (presentation mode)
OWN_PANEL = {PREDICT: "pca", COMPARE: "distance"}

# where a stage happens on the right: the dock's title while the stage is on screen
DOCK_TITLES = {
    PREDICT: {"pca": "4 · Predict: ★ predicted embeddings"},
    COMPARE: {"pca": "4 · Predict: ★ predicted embeddings", "distance": "5 · Compare: predicted vs actual"},
}
