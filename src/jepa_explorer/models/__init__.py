"""JEPA model modules with the parameter names and forward signatures of Meta's official code."""
