"""Test set-up: 2D Qt tests run offscreen; GL tests start their own xcb subprocess (see
test_surface_view.py), using the Xvfb that pytest-xvfb provides."""

import os

# Must happen before any Qt import creates the QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402

# Without this every GL view after the first renders black; it must precede QApplication.
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
