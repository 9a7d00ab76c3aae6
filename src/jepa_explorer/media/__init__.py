"""Reading images (Pillow) and video (PyAV) into uint8 RGB arrays, with clear errors."""
