"""PNG export at a true resolution: a view rendered at the requested size (not a screenshot
scaled up), or the whole window re-laid out and painted with a device pixel ratio, so lines
and letters are as sharp at 3840×2160 as on screen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRectF, QSize
from PySide6.QtGui import QImage, QPainter

from .atomic import atomic_file
from .errors import ExportError
from .frames import FrameRenderer, FrameSpec
from .race import Race

#: The whole-window export lays the window out at its size divided by this ratio, so a 4K
#: image shows the window as it looks at 1920 × 1080, drawn twice as fine.
WINDOW_DESIGN_HEIGHT = 1080


def render_view(race: Race, spec: FrameSpec, step: int | None = None, camera: dict | None = None) -> QImage:
    """One frame of ``spec`` showing ``race`` at ``step`` (default: its last step)."""
    renderer = FrameRenderer(race, spec, camera=camera)
    try:
        return renderer.render(race.last_step if step is None else step)
    finally:
        renderer.close()


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError("PNG encoder failed")
    buffer.close()
    return bytes(data.data())


def save_png(image: QImage, out) -> Path:
    """Write ``image`` as a PNG file, atomically (see :mod:`.atomic`)."""
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise ExportError(f"image export writes PNG files; {out.name} does not end in .png")
    data = png_bytes(image)
    with atomic_file(out) as stream:
        stream.write(data)
    return out.absolute()


def export_image(race: Race, out, spec: FrameSpec, step: int | None = None, camera: dict | None = None) -> Path:
    """Render ``race`` as ``spec`` and save it as the PNG ``out``."""
    return save_png(render_view(race, spec, step, camera), out)


def render_window(window, width: int, height: int, race: Race | None = None) -> QImage:
    """The whole window as a ``width`` × ``height`` image with fonts and lines scaled.

    The window is laid out at (width, height) / ratio, ratio = max(1, height / 1080), painted
    through a painter scaled by that ratio (text is drawn at the full resolution, not
    enlarged; a QImage device pixel ratio would do the same but breaks the contour view's
    cached path layers, which take the ratio for part of their transform), and then put back
    as it was (geometry and every splitter). Qt's cosmetic pens keep their pixel widths, so
    the widgets' plot lines are thinner in proportion at ratios above 1. QWidget.render
    cannot capture OpenGL content, so the window's 3D view (``window.surface3d``, if any) is
    rendered anew at full resolution from ``race`` with the window's camera, its lines and
    labels scaled by the ratio, and painted in its place.
    """
    from PySide6.QtWidgets import QApplication, QSplitter

    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise ExportError(f"image size must be within 16…8192 pixels a side, got {width}×{height}")
    ratio = max(1.0, height / WINDOW_DESIGN_HEIGHT)
    logical = QSize(round(width / ratio), round(height / ratio))
    old_size, old_state = window.size(), window.windowState()
    splitters = [(s, s.saveState()) for s in window.findChildren(QSplitter)]
    try:
        window.resize(logical)
        for _ in range(3):  # let layouts and plots follow the new size
            QApplication.processEvents()
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(window.palette().window().color())
        painter = QPainter(image)
        try:
            painter.scale(width / logical.width(), height / logical.height())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            window.render(painter, QPoint())
            view = getattr(window, "surface3d", None)
            if view is not None and race is not None and view.isVisible():
                from .gl3d import SurfacePanel, camera_of

                top_left = view.mapTo(window, view.rect().topLeft())
                target = QRectF(top_left.x(), top_left.y(), view.width(), view.height())
                panel = SurfacePanel(race, QSize(round(view.width() * ratio), round(view.height() * ratio)),
                                     camera_of(view), scale=ratio)
                try:
                    painter.drawImage(target, panel.image(race.last_step))
                finally:
                    panel.close()
        finally:
            painter.end()  # never leave the image with an active painter (Qt aborts)
    finally:
        window.resize(old_size)
        if window.windowState() != old_state:  # resizing a maximized window may unmaximize it
            window.setWindowState(old_state)
        for splitter, state in splitters:
            splitter.restoreState(state)
    return image.convertToFormat(QImage.Format.Format_RGB32)
