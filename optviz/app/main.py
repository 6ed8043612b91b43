"""Start the Qt application: attributes that must precede QApplication, icon, main window."""

from __future__ import annotations

import os
import sys

from .. import __version__
from ..paths import resource

APP_NAME = "optviz"
ORG_NAME = "optviz"


def create_application(argv: list[str] | None = None):
    """The QApplication, created once with the attributes GL views need."""
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # Without a shared context every GL view after the first renders black.
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("optviz")
    app.setWindowIcon(QIcon(str(resource("icons", "optviz.svg"))))
    return app


def gl_available() -> bool:
    """3D needs a windowing platform with OpenGL; the offscreen and minimal platforms have none."""
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.platformName() not in ("offscreen", "minimal", "vnc")


def run_app(preset=None, optimizers=None, start=None, max_steps=None, play=False, fresh=False) -> int:
    app = create_application()
    from .window.main_window import MainWindow

    window = MainWindow(preset=preset, optimizers=optimizers, start=start, max_steps=max_steps,
                        restore=not fresh, enable_3d=gl_available())
    if window.first_launch:
        window.showMaximized()
    else:
        window.show()
    if play:
        window.controller.model.playback.playing = True
    return app.exec()
