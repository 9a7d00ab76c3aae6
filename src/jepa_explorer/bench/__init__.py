"""Benchmarks: ``engine`` times the Session (one prediction per mask edit, image and video models);
``gui`` scripts brush strokes in the window and measures its longest stall and update rate (Qt is
imported only when it runs). ``jepa-explorer bench`` runs both; docs/performance.md tells their story. ``soak``
measures RSS drift over many model switches (`bench --soak N`)."""
