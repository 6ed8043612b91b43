"""The 3D panel of an exported frame: the app's :class:`~optviz.render.surface_view.SurfaceView`,
rendered off screen at the panel's true size.

OpenGL needs a windowing platform (an X server, Xvfb, or EGL): the offscreen platform has no
GL. All calls must come from the GUI thread, which is why a 3D export renders its frames
in chunks driven by the event loop (see :mod:`.job`). The view's line widths, dot sizes and
label fonts are set in screen pixels for a window; they are scaled here with the panel, so a
4K frame gets lines as bold as a window's, not hairlines.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage

from .errors import ExportError
from .race import SCALE_GRID, Race

#: The 3D view's line widths, dot and font sizes times this at a 1080-row frame: what a
#: projected video needs (the view's own sizes suit a window seen from an arm's length).
FRAME_SCALE = 1.7

GL_MISSING = ("3D export needs an X server or EGL (OpenGL); none is available here. "
              "Run it under a virtual X server, e.g. xvfb-run -a optviz export …, or export --view contour")


def gl_problem() -> str | None:
    """Why 3D cannot render in this process, or None if it can (needs the QApplication)."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        return "3D export needs a QApplication"
    if QGuiApplication.platformName() in ("offscreen", "minimal", "vnc"):
        return GL_MISSING
    from PySide6.QtWidgets import QApplication

    if not isinstance(app, QApplication):
        return "3D export needs a QApplication (widgets), not a QGuiApplication"
    return None


def cli_gl_problem() -> str | None:
    """Before any Qt application exists: will the platform Qt picks have OpenGL?"""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.split(":")[0] in ("offscreen", "minimal", "vnc"):
        return GL_MISSING
    if not platform and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return GL_MISSING
    return None


def camera_of(view) -> dict | None:
    """The camera of an app SurfaceView to reuse in an export, or None when it is the default
    one (the export then frames the block for its own aspect ratio)."""
    if view is None or getattr(view, "_camera_fitted", False):
        return None
    opts = view.opts
    c = opts["center"]
    return {"center": (c.x(), c.y(), c.z()), "distance": float(opts["distance"]),
            "elevation": float(opts["elevation"]), "azimuth": float(opts["azimuth"]), "fov": float(opts["fov"])}


class SurfacePanel:
    """An off-screen SurfaceView of ``size`` pixels showing ``race``; :meth:`image` renders a step.

    ``scale`` multiplies the view's line widths, dot sizes and fonts (1: as in the window)."""

    def __init__(self, race: Race, size: QSize, camera: dict | None = None, scale: float = 1.0) -> None:
        problem = gl_problem()
        if problem:
            raise ExportError(problem)
        from PySide6.QtGui import QVector3D
        from PySide6.QtWidgets import QApplication

        from ..render.inputs import SurfaceGrid, run_style
        from ..render.surface_view import SurfaceView

        self.race = race
        self.size = QSize(size)
        try:
            view = SurfaceView()
        except Exception as err:  # no GL context
            raise ExportError(f"3D export needs OpenGL, which failed here: {err}") from err
        view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        view.resize(self.size)
        view.show()  # never on screen; a shown widget gets a real GL context and its resize events
        QApplication.processEvents()
        xs, ys, z = race.surface.grid(SCALE_GRID, SCALE_GRID)
        view.set_surface(race.surface, SurfaceGrid(xs, ys, z, race.scale))
        view.set_runs([run_style(r, look) for r, look in zip(race.runs, race.looks)])
        # Line widths, dot and font sizes are in pixels for a window: scaled with the frame.
        view.set_look(view.look()[0], max(float(scale), 0.25))
        if camera:
            view.setCameraPosition(pos=QVector3D(*camera["center"]), distance=camera["distance"],
                                   elevation=camera["elevation"], azimuth=camera["azimuth"])
            view.opts["fov"] = camera["fov"]
            view._camera_fitted = False  # keep the lecturer's camera (SurfaceView refits a fitted one)
        else:
            view.reset_camera()
        self.view = view

    def image(self, step: int) -> QImage:
        """The view at ``step``, ``size`` pixels, rendered now (GUI thread only)."""
        self.view.update_runs(self.race.at(step))
        image = self.view.grabFramebuffer()
        if image.isNull() or image.size() != self.size:
            raise ExportError(f"3D rendering failed: got a {image.width()}×{image.height()} image "
                              f"instead of {self.size.width()}×{self.size.height()}")
        return image

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
