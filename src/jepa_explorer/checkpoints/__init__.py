"""Loading JEPA checkpoints: official I-JEPA / V-JEPA `.pth.tar`, our safetensors bundles, encoder-only files."""
