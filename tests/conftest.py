"""Test set-up: 2D Qt tests run offscreen; GL tests start their own xcb subprocess (see
test_surface_view.py), using the Xvfb that pytest-xvfb provides."""

import json
import os
import tempfile
from pathlib import Path

# Must happen before any Qt import creates the QApplication. The offscreen platform's own screen
# is 800×800, where the window lays itself out for a small screen (the update rule hidden, the
# leaderboard floating); the tests run on a full-HD screen as a lecturer's would be, and
# tests/test_layout.py checks the 1280×720 one explicitly.
_SCREEN = Path(tempfile.gettempdir()) / "optviz-test-screen-1920x1080.json"
_SCREEN.write_text(json.dumps({"screens": [{"name": "full-hd", "x": 0, "y": 0, "width": 1920, "height": 1080,
                                            "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402

# Without this every GL view after the first renders black; it must precede QApplication.
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
