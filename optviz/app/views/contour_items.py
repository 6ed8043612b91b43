"""The contour map's pyqtgraph items, each painting its part of the map through the renderer the
exported frames use (:mod:`optviz.render.contour_painter`): the colour image, the iso-lines,
the minima and saddles, their labels, each run's marks, and every run's path on a canvas of
two cached images. pyqtgraph keeps what it is good at — positions, bounds, visibility, the
view's transform — and the pixels are the shared renderer's.

Items paint in device pixels: each maps its data through the painter's transform
(:func:`to_pixels`) and draws with the painter's transform reset.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem

from ...render import contour_painter as cp
from ...render.theme import NORMAL


def logical_transform(transform: QTransform, painter: QPainter, item) -> QTransform:
    """``transform`` (the painter's, item → device pixels) in the pixels a painter without a
    transform draws in. On a device with a pixel ratio d (HiDPI, QT_SCALE_FACTOR) the view's
    transform maps to device pixels while a reset painter draws in logical ones; a painter
    merely scaled, as for an export of the widget, keeps d = 1 and its own units."""
    dpr = painter.device().devicePixelRatioF()
    vb = item.getViewBox()
    if dpr != 1.0 and vb is not None and vb.width() > 0:
        k = transform.mapRect(vb.viewRect()).width() / vb.width()
        if abs(k - dpr) < 1e-3 * dpr:
            return transform * QTransform.fromScale(1.0 / dpr, 1.0 / dpr)
    return transform


def to_pixels(painter: QPainter, item) -> cp.MapTransform:
    """Data → the pixels ``painter`` draws in once its transform is reset."""
    return cp.MapTransform.of(logical_transform(painter.combinedTransform(), painter, item))


class ColorMap(pg.GraphicsObject):
    """The colour image of the loss (``image``: the scaled values u[iy, ix]), painted by the
    shared renderer with bilinear filtering: no blocky pixels when stretched over a full-HD view."""

    def __init__(self) -> None:
        super().__init__()
        self.image: np.ndarray | None = None
        self._picture = None  # the QImage of the colours
        self._cells = (0.0, 0.0, 0.0, 0.0)

    def set_grid(self, u: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> None:
        """Show ``u`` sampled at ``xs`` × ``ys``; the image covers the cells centred on the samples."""
        self.prepareGeometryChange()
        self.image = np.asarray(u)
        self._picture = cp.color_image(u)
        self._cells = cp.cells_rect(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
        self.update()

    def boundingRect(self) -> QRectF:
        x0, y0, x1, y1 = self._cells
        return QRectF(x0, y0, x1 - x0, y1 - y0)

    def paint(self, painter, *args) -> None:
        if self._picture is None:
            return
        to_px = to_pixels(painter, self)
        painter.save()
        painter.resetTransform()
        cp.paint_color_image(painter, self._picture, to_px.rect(*self._cells))
        painter.restore()


class IsoLines(pg.PlotCurveItem):
    """Every iso-line in one curve (lines separated by NaN), painted by the shared renderer."""

    def __init__(self) -> None:
        super().__init__(connect="finite", antialias=True)
        self.set_look(cp.map_look())

    def set_look(self, look: cp.MapLook) -> None:
        self.look = look
        self.setPen(look.iso_pen())

    def paint(self, painter, *args) -> None:
        x, y = self.xData, self.yData
        if x is None or len(x) < 2:
            return
        px = to_pixels(painter, self).points(np.column_stack([x, y]))
        painter.save()
        painter.resetTransform()
        cp.paint_isolines(painter, px, self.look)
        painter.restore()


class CriticalPoints(pg.ScatterPlotItem):
    """The minima (★) or the saddles (×), painted by the shared renderer. pyqtgraph keeps their
    positions (``getData``) and bounds; ``opts["size"]`` is the marker's size in pixels."""

    def __init__(self, kind: str) -> None:
        super().__init__(symbol="star" if kind == "minimum" else "x", antialias=True)
        self.kind = kind
        self.set_look(cp.map_look())

    def set_look(self, look: cp.MapLook) -> None:
        self.look = look
        if self.kind == "minimum":
            self.setSize(look.minimum_size)
            self.setPen(pg.mkPen((0, 0, 0), width=look.minimum_rim))
        else:
            self.setSize(look.saddle_size)
            self.setPen(pg.mkPen((255, 255, 255), width=look.saddle_rim))
            self.setBrush(pg.mkBrush(look.text))

    def paint(self, painter, *args) -> None:
        x, y = self.getData()
        if x is None or not len(x):
            return
        to_px = to_pixels(painter, self)
        draw = cp.paint_minimum if self.kind == "minimum" else cp.paint_saddle
        painter.save()
        painter.resetTransform()
        for xi, yi in zip(x, y):
            draw(painter, to_px.point(xi, yi), self.look)
        painter.restore()


class MapLabel(pg.TextItem):
    """A label on the map ("min 1"), painted by the shared renderer: its box is the text with
    the look's padding (the text item, kept for its size and text, is not drawn itself)."""

    def __init__(self, text: str, look: cp.MapLook) -> None:
        super().__init__(text, color=look.text, anchor=(0.0, 1.0))
        self.look = look
        self.setFont(look.label_font())
        self.textItem.document().setDocumentMargin(look.label_pad)
        self.textItem.setVisible(False)

    def size(self) -> tuple[float, float]:
        r = self.textItem.boundingRect()
        return r.width(), r.height()

    def paint(self, painter, *args) -> None:
        rect = self.textItem.mapRectToParent(self.textItem.boundingRect())
        cp.paint_label(painter, rect, self.textItem.toPlainText(), self.look.label_font(), self.look)


class RunMark(pg.GraphicsObject):
    """One mark of a run — its head, the × where it diverged, the arrow where it left the
    view — painted by the shared renderer at the item's position, in pixels whatever the zoom.
    ``opts["size"]``: the mark's size in pixels."""

    KINDS = ("head", "diverged", "exit")

    def __init__(self, kind: str, color: QColor, marker: str, look: cp.MapLook) -> None:
        super().__init__()
        assert kind in self.KINDS
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.kind, self.color, self.marker = kind, QColor(color), marker or "o"
        self.direction = (1.0, 0.0)  # of an exit, in data units (y up)
        self.opts: dict = {}
        self.set_look(look)

    def set_look(self, look: cp.MapLook) -> None:
        self.prepareGeometryChange()
        self.look = look
        self.opts = {"size": {"head": look.head_size, "diverged": look.diverged_size, "exit": look.exit_size}[self.kind]}
        self._half = cp.mark_extent(look)

    def set_direction(self, direction) -> None:
        if tuple(direction) != self.direction:
            self.direction = (float(direction[0]), float(direction[1]))
            self.update()

    def boundingRect(self) -> QRectF:
        h = self._half
        return QRectF(-h, -h, 2 * h, 2 * h)

    def paint(self, painter, *args) -> None:
        at = QPointF(0.0, 0.0)
        if self.kind == "head":
            cp.paint_head(painter, at, self.color, self.marker, self.look)
        elif self.kind == "diverged":
            cp.paint_diverged(painter, at, self.color, self.look)
        else:  # the map's units are equal on both axes: only y flips
            cp.paint_exit(painter, at, (self.direction[0], -self.direction[1]), self.color, self.look)


class RunItems(cp.PathInk):
    """One run: its marks (items), and the state of its path on the canvas (a
    :class:`~optviz.render.contour_painter.PathInk`: pens, dash, ``painted``, ``heavy`` …)."""

    def __init__(self, color: QColor, dash, marker: str, look: cp.MapLook, visible: bool) -> None:
        super().__init__(color, dash, look)
        self.head = RunMark("head", color, marker, look)
        self.diverged = RunMark("diverged", color, marker, look)
        self.exit = RunMark("exit", color, marker, look)
        self.visible = visible
        self.drawn = np.zeros((0, 2))  # the polyline to show: the path up to its last finite point, cut at the box
        self.key: tuple | None = None  # what update_runs saw last: skip unchanged runs
        self.anchor: tuple | None = None  # (drawn[0], drawn[painted - 1]) when painted: detects restarts
        # How much of the path is known to lie in the drawing box (so each frame checks only the
        # new points): (first point, points checked, last checked point, index where it left or -1).
        self.checked: tuple | None = None

    def items(self):
        return (self.head, self.diverged, self.exit)


class PathCanvas(pg.GraphicsObject):
    """Every run's path, kept as two images in device pixels: casings, then lines on top
    (:class:`~optviz.render.contour_painter.PathLayers`, the exports' layers too).

    ``extend`` strokes the segments added since the last call; ``paint`` blits the images and
    repaints them in full when the device transform (pan, zoom, resize, export) has changed or
    ``invalidate`` was called.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bounds = QRectF()
        self.runs: list[RunItems] = []
        self.layers = cp.PathLayers()
        self._key: tuple | None = None  # what the images were painted for
        self._to_canvas: cp.MapTransform | None = None  # data → canvas pixels
        self._origin = QPointF()
        self._width_px = 1.0  # width of the map as drawn, for cp.is_heavy
        self.casing_opacity = NORMAL.casing_opacity
        self.casing_width = NORMAL.path_width + NORMAL.casing_extra

    def set_bounds(self, rect: QRectF) -> None:
        """The drawing box in data coordinates; nothing is drawn outside it."""
        self.prepareGeometryChange()
        self._bounds = QRectF(rect)
        self.invalidate()

    def invalidate(self) -> None:
        self._key = None
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    # ---------------------------------------------------------------- painting

    def paint(self, painter, *args) -> None:
        vb = self.getViewBox()
        if vb is None or self._bounds.isEmpty():
            return
        visible = self._bounds.intersected(vb.viewRect())
        if visible.isEmpty():
            return
        dpr = painter.device().devicePixelRatioF()
        transform = logical_transform(painter.combinedTransform(), painter, self)
        area = transform.mapRect(visible).toAlignedRect().adjusted(-8, -8, 8, 8)
        key = (transform.m11(), transform.m12(), transform.m21(), transform.m22(), transform.dx(),
               transform.dy(), area.x(), area.y(), area.width(), area.height(), dpr)
        if key != self._key:
            self._repaint_all(transform, area, dpr, transform.mapRect(vb.viewRect()).width())
            self._key = key
        painter.save()
        painter.resetTransform()
        self.layers.compose(painter, self._origin, self.casing_opacity)
        painter.restore()

    def _repaint_all(self, transform: QTransform, area, dpr: float, map_width: float) -> None:
        self.layers.resize(QSize(math.ceil(area.width() * dpr), math.ceil(area.height() * dpr)), dpr)
        self._origin = QPointF(area.topLeft())
        self._to_canvas = cp.MapTransform.of(transform * QTransform.fromTranslate(-area.x(), -area.y()))
        self._width_px = max(float(map_width), 1.0)
        pieces = []
        for run in self.runs:
            run.restart()
            run.anchor = None
            if run.visible and len(run.drawn) >= 1:
                px = self._to_canvas.points(run.drawn)
                run.ink = float(cp.segment_pixels(px).sum())
                run.heavy = cp.is_heavy(run.ink, self._width_px)
                pieces.append((run, px))
        self.layers.stroke(pieces)
        for run, _ in pieces:
            run.painted = len(run.drawn)
            run.anchor = (*run.drawn[0], *run.drawn[-1])

    def extend(self) -> None:
        """Stroke what every run added since the last call; repaint all after a restart."""
        if self._key is None:
            self.update()  # a full repaint is pending anyway
            return
        pieces = []
        for run in self.runs:
            n, p = len(run.drawn), run.painted
            if not run.visible or n == p == 0:
                continue
            if p and not (n >= p and run.anchor == (*run.drawn[0], *run.drawn[p - 1])):
                self.invalidate()  # restarted, or cut shorter: the old path must go
                return
            if n == p:
                continue
            piece = run.drawn[max(p - 1, 0):]
            px = self._to_canvas.points(piece)
            run.ink += float(cp.segment_pixels(px).sum())
            if not run.heavy and cp.is_heavy(run.ink, self._width_px):
                self.invalidate()  # from now on this run is drawn thin, all of it
                return
            pieces.append((run, piece, px))
            run.painted = n
            run.anchor = (*run.drawn[0], *run.drawn[-1])
        if not pieces:
            return
        self.layers.stroke([(run, px) for run, _, px in pieces])
        # Only the area of the new segments needs repainting on screen.
        both = np.concatenate([piece for _, piece, _ in pieces])
        ux, uy = self._to_canvas.pixels_per_unit
        pad = 2 * self.casing_width / np.array([ux, uy])
        lo, hi = both.min(axis=0) - pad, both.max(axis=0) + pad
        self.update(QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]))
