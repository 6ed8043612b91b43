"""The contour map's content, painted one way for the live map and for exported frames.

One renderer, two outputs (the napari-animation idea): the app's map
(optviz.app.views.contour_view) paints through it inside its pyqtgraph items — pyqtgraph keeps
the axes, zoom and interaction — and an exported frame (optviz.export.contour) on its QImages.
So both draw the same colours, pens, sizes and marks, and mark the same statuses at a step.

Conventions: everything is painted in *pixels* of the device, by a QPainter without a world
transform; the caller gives the map's data → pixel mapping as a :class:`MapTransform` (y up
in the data, down in pixels). Every pen and size comes from a :class:`MapLook`: the
constants of :mod:`optviz.render.map_style` and a theme at one scale.

What is here:

* the colour image (:func:`color_image`, :func:`paint_color_image`) and the iso-lines
  (:func:`isolines`, :func:`paint_isolines`);
* minima ★, saddles × and their labels (:func:`paint_minimum`, :func:`paint_saddle`,
  :func:`label_rect`, :func:`paint_label`) and the start point (:func:`paint_start`);
* each run's path on two layers, casings below lines, stroked piece by piece with the dash
  pattern running on across pieces (:class:`PathLayers`, :class:`PathInk`);
* what a run's marks are at a step — head, diverged ×, exit arrow — from its path and status
  (:func:`run_marks`) and how they look (:func:`paint_marks`);
* where a legend box over the map hides least (:func:`corner_cost`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.PlotCurveItem import arrayToLineSegments
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QTransform

from ..core.geometry import ViewBox
from ..core.simulation import Status
from ..look import dash_segments
from . import colormap
from . import map_style as ms
from .theme import NORMAL, Theme

#: Head markers' sizes relative to the circle's, so that each covers about as much area.
MARKER_SCALE = {"o": 1.0, "s": 0.9, "d": 1.2, "t": 1.2, "t1": 1.2, "t2": 1.2, "t3": 1.2, "p": 1.1, "h": 1.05,
                "star": 1.6}
#: When a long piece of path is stroked, points in the same THIN_PIXELS cell as the point
#: before are skipped (a slow run crawls in sub-pixel steps); pieces up to EXACT_POINTS are
#: stroked as they are.
EXACT_POINTS = 600
THIN_PIXELS = 0.5


# ---------------------------------------------------------------------------------- look


@dataclass(frozen=True)
class MapLook:
    """Every pen and size of the map's content for one theme at one scale (pixels)."""

    scale: float
    text: QColor
    iso_color: QColor
    iso_width: float
    path_width: float
    casing_width: float
    casing_opacity: float
    thin_width: float
    head_size: float
    head_rim: float
    diverged_size: float
    diverged_rim: float
    exit_size: float
    minimum_size: float
    minimum_rim: float
    saddle_size: float
    saddle_rim: float
    label_pixels: int
    label_pad: float
    label_gap: float
    label_rise: float
    start_size: float
    start_width: float

    def label_font(self) -> QFont:
        font = QFont()
        font.setPixelSize(self.label_pixels)
        return font

    def iso_pen(self) -> QPen:
        # Bevel joins: round joins of a translucent pen darken some vertices (Qt's antialiased
        # stroker covers them twice), which showed as a column of dots across the lines.
        pen = _pen(self.iso_color, self.iso_width)
        pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        return pen

    def line_pen(self, color) -> QPen:
        return _pen(QColor(color), self.path_width)

    def thin_pen(self, color) -> QPen:
        return _pen(QColor(color), self.thin_width)

    def casing_pen(self) -> QPen:
        return _pen(QColor(255, 255, 255), self.casing_width)


def map_look(theme: Theme = NORMAL, scale: float = 1.0) -> MapLook:
    """The map's look in ``theme`` at ``scale`` (the app: its UI scale; an export:
    :data:`~optviz.render.map_style.EXPORT_SCALE` × the frame's unit)."""
    s = float(scale)
    return MapLook(
        scale=s, text=QColor(*theme.text), iso_color=QColor(*theme.iso_color), iso_width=theme.iso_width * s,
        path_width=theme.path_width * s, casing_width=(theme.path_width + theme.casing_extra) * s,
        casing_opacity=theme.casing_opacity, thin_width=ms.THIN_WIDTH * s, head_size=theme.head_size * s,
        head_rim=ms.HEAD_RIM * s, diverged_size=ms.DIVERGED_SIZE * s, diverged_rim=ms.DIVERGED_RIM * s,
        exit_size=ms.EXIT_SIZE * s, minimum_size=ms.MINIMUM_SIZE * s, minimum_rim=ms.MINIMUM_RIM * s,
        saddle_size=ms.SADDLE_SIZE * s, saddle_rim=ms.SADDLE_RIM * s,
        label_pixels=max(int(round(ms.LABEL_PIXELS * s)), 6), label_pad=ms.LABEL_PAD * s, label_gap=ms.LABEL_GAP * s,
        label_rise=ms.LABEL_RISE * s,
        start_size=ms.START_SIZE * s, start_width=ms.START_WIDTH * s)


def _pen(color: QColor, width: float) -> QPen:
    return QPen(_cached_pen(QColor(color).rgba(), float(width)))  # a copy: callers may change it


@lru_cache(maxsize=256)  # a frame's marks ask for the same few pens every frame
def _cached_pen(rgba: int, width: float) -> QPen:
    pen = QPen(QColor.fromRgba(rgba))
    pen.setWidthF(max(width, 0.5))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)  # segment ends meet as round joins
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


@contextmanager
def painting(device) -> Iterator[QPainter]:
    """A QPainter on ``device``, ended however the block exits (Qt crashes when an image is
    destroyed while a painter is still active on it)."""
    painter = QPainter(device)
    try:
        yield painter
    finally:
        painter.end()


# ---------------------------------------------------------------------------------- mapping


@dataclass(frozen=True)
class MapTransform:
    """Data → pixels: ``px = sx·x + ox``, ``py = sy·y + oy`` (``sy`` < 0: y up in the data)."""

    sx: float
    ox: float
    sy: float
    oy: float

    @classmethod
    def between(cls, box: ViewBox, rect: QRectF) -> "MapTransform":
        """The mapping that puts ``box`` exactly on the pixel rectangle ``rect``."""
        sx = rect.width() / box.width
        sy = -rect.height() / box.height
        return cls(sx, rect.left() - sx * box.xmin, sy, rect.top() - sy * box.ymax)

    @classmethod
    def of(cls, transform: QTransform) -> "MapTransform":
        """From a Qt transform without rotation or shear (a pyqtgraph view box's)."""
        return cls(transform.m11(), transform.dx(), transform.m22(), transform.dy())

    def points(self, pts) -> np.ndarray:
        """(n, 2) data points → (n, 2) pixels."""
        p = np.asarray(pts, dtype=float).reshape(-1, 2)
        return np.column_stack([self.sx * p[:, 0] + self.ox, self.sy * p[:, 1] + self.oy])

    def point(self, x: float, y: float) -> QPointF:
        return QPointF(self.sx * float(x) + self.ox, self.sy * float(y) + self.oy)

    def rect(self, x0: float, y0: float, x1: float, y1: float) -> QRectF:
        """The data rectangle [x0, x1] × [y0, y1] in pixels."""
        a, b = self.point(x0, y0), self.point(x1, y1)
        return QRectF(a, b).normalized()

    @property
    def pixels_per_unit(self) -> tuple[float, float]:
        return abs(self.sx), abs(self.sy)


# ---------------------------------------------------------------------------------- colours and iso-lines


def color_image(u: np.ndarray) -> QImage:
    """The colour map of scaled values ``u[iy, ix]`` (y increasing), as an image whose top row
    is the largest y; NaN (an undefined loss) is transparent."""
    rgba = np.ascontiguousarray((colormap.rgba(np.asarray(u, dtype=float))[::-1] * 255).round().astype(np.uint8))
    ny, nx = rgba.shape[:2]
    return QImage(rgba.data, nx, ny, 4 * nx, QImage.Format.Format_RGBA8888).copy()


def cells_rect(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1): the data rectangle of the image's cells, centred on the samples (half a
    cell beyond the first and last sample)."""
    dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
    dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
    return xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] + dx / 2, ys[-1] + dy / 2


def paint_color_image(painter: QPainter, image: QImage, target: QRectF) -> None:
    """The colour image stretched over ``target`` (pixels) with bilinear filtering: the samples
    show no blocky cells when stretched over a large map."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    painter.drawImage(target, image)
    painter.restore()


def isolines(u: np.ndarray, levels_u, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Iso-lines of ``u[iy, ix]`` at the values ``levels_u``, as (n, 2) data points with a NaN
    row between lines (empty when there are none)."""
    pieces = []
    sep = np.array([[np.nan, np.nan]])
    data = np.ascontiguousarray(np.asarray(u, dtype=float).T)  # pg.isocurve's first axis is x
    for level in np.atleast_1d(levels_u):
        for line in pg.isocurve(data, float(level), connected=True):
            pieces.append(np.asarray(line, dtype=float))
            pieces.append(sep)
    if not pieces:
        return np.zeros((0, 2))
    pts = np.concatenate(pieces)
    dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
    dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
    # pg.isocurve puts sample (i, j) at (i + 0.5, j + 0.5), the pixel centre of the image.
    return np.column_stack([xs[0] + (pts[:, 0] - 0.5) * dx, ys[0] + (pts[:, 1] - 0.5) * dy])


def paint_isolines(painter: QPainter, px: np.ndarray, look: MapLook) -> None:
    """The iso-lines ``px`` ((n, 2) pixels, lines separated by NaN rows)."""
    if len(px) < 2:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(look.iso_pen())
    painter.setBrush(Qt.BrushStyle.NoBrush)
    # One path per line: Qt strokes many small paths several times faster than one path of
    # them all (0.03 s against 0.22 s for a 1080p map's lines).
    start = 0
    for end in [*np.flatnonzero(~np.isfinite(px).all(axis=1)), len(px)]:
        if end - start >= 2:
            line = px[start:end]
            painter.drawPath(pg.arrayToQPath(line[:, 0], line[:, 1], connect="all"))
        start = end + 1
    painter.restore()


# ---------------------------------------------------------------------------------- marks


def marker_path(symbol: str, size: float) -> QPainterPath:
    """pyqtgraph's symbol shapes (the app's markers), scaled to ``size`` pixels, centred on 0."""
    return QPainterPath(_marker_path(symbol, float(size)))


@lru_cache(maxsize=256)
def _marker_path(symbol: str, size: float) -> QPainterPath:
    from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols

    return QTransform.fromScale(size, size).map(QPainterPath(Symbols[symbol]))


def _rimmed(painter: QPainter, path: QPainterPath, fill: QColor, rim: QColor, rim_width: float) -> None:
    """``path`` filled with ``fill`` and a rim of ``rim_width`` *outside* it: even a star's narrow
    middle shows its colour."""
    pen = _pen(rim, 2 * rim_width)
    painter.strokePath(path, pen)
    painter.fillPath(path, fill)


def head_path(marker: str, size: float) -> QPainterPath:
    """A head marker ``size`` pixels across (× :data:`MARKER_SCALE`, equal areas), centred on 0."""
    size = size * MARKER_SCALE.get(marker, 1.0)
    if marker == "o":
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), size / 2, size / 2)
        return path
    return marker_path(marker, size)


def mark_extent(look: MapLook) -> float:
    """Half the size of the largest run mark, rim included: what a mark may cover around its point."""
    return max(look.head_size * max(MARKER_SCALE.values()) / 2 + look.head_rim,
               look.diverged_size / 2 + look.diverged_rim, look.exit_size + look.head_rim) + 1.0


def paint_head(painter: QPainter, at: QPointF, color, marker: str, look: MapLook, size: float | None = None) -> None:
    """A run's head: its marker in its colour with a dark rim (``size``: across, default the look's)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    path = head_path(marker or "o", look.head_size if size is None else size).translated(at)
    _rimmed(painter, path, QColor(color), QColor(*ms.HEAD_RIM_COLOR), look.head_rim)
    painter.restore()


def paint_diverged(painter: QPainter, at: QPointF, color, look: MapLook) -> None:
    """Where a run diverged: a × in its colour, rimmed in red."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(_pen(QColor(*ms.DIVERGED_COLOR), look.diverged_rim))
    painter.setBrush(QColor(color))
    painter.drawPath(marker_path("x", look.diverged_size).translated(at))
    painter.restore()


def paint_exit(painter: QPainter, at: QPointF, direction: tuple[float, float], color, look: MapLook) -> None:
    """Where a run left the view: an arrowhead in its colour at ``at`` pointing along
    ``direction`` (pixels, y down), its tip on the point."""
    dx, dy = direction
    norm = math.hypot(dx, dy)
    if not norm > 0:
        dx, dy, norm = 1.0, 0.0, 1.0
    ux, uy = dx / norm, dy / norm
    s = look.exit_size
    tip = at
    base = QPointF(at.x() - ux * s, at.y() - uy * s)
    half = 0.5 * s
    path = QPainterPath(tip)
    path.lineTo(base.x() - uy * half, base.y() + ux * half)
    path.lineTo(base.x() + ux * 0.3 * s, base.y() + uy * 0.3 * s)
    path.lineTo(base.x() + uy * half, base.y() - ux * half)
    path.closeSubpath()
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    _rimmed(painter, path, QColor(color), QColor(*ms.HEAD_RIM_COLOR), look.head_rim)
    painter.restore()


def paint_minimum(painter: QPainter, at: QPointF, look: MapLook) -> None:
    """A minimum: a white ★ with a black rim."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(_pen(QColor(0, 0, 0), look.minimum_rim))
    painter.setBrush(QColor(255, 255, 255))
    painter.drawPath(marker_path("star", look.minimum_size).translated(at))
    painter.restore()


def paint_saddle(painter: QPainter, at: QPointF, look: MapLook) -> None:
    """A saddle point: a × in the text colour with a white rim."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(_pen(QColor(255, 255, 255), look.saddle_rim))
    painter.setBrush(look.text)
    painter.drawPath(marker_path("x", look.saddle_size).translated(at))
    painter.restore()


def paint_start(painter: QPainter, at: QPointF, look: MapLook) -> None:
    """The start point: the app's crosshair target (its handle, here without the mouse)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(_pen(QColor(*ms.START_COLOR), look.start_width))
    painter.setBrush(QColor(*ms.START_FILL))
    painter.drawPath(marker_path("crosshair", look.start_size).translated(at))
    painter.restore()


def minimum_label(i: int, count: int) -> str:
    return f"min {i + 1}" if count > 1 else "min"


def label_size(font: QFont, text: str, look: MapLook) -> tuple[float, float]:
    """(width, height) of a label's box: the text and its padding."""
    fm = QFontMetricsF(font)
    return fm.horizontalAdvance(text) + 2 * look.label_pad, fm.height() + 2 * look.label_pad


def label_side(box: ViewBox, x: float, y: float, size: tuple[float, float], to_px: MapTransform,
               look: MapLook) -> tuple[int, int]:
    """Which side of its mark at (x, y) a label of ``size`` pixels goes: up and right unless it
    would leave ``box`` as drawn by ``to_px`` (:meth:`ViewBox.label_side`, one rule for the live
    map and every export)."""
    ux, uy = to_px.pixels_per_unit
    return box.label_side(x, y, (look.label_gap + size[0]) / ux, (look.label_rise + size[1]) / uy)


def label_rect(at: QPointF, size: tuple[float, float], side: tuple[int, int], look: MapLook) -> QRectF:
    """The label's box beside its mark at ``at`` (pixels) on ``side`` (+1: right / up)."""
    w, h = size
    gap, rise = look.label_gap, look.label_rise
    left = at.x() + gap if side[0] > 0 else at.x() - gap - w
    top = at.y() - rise - h if side[1] > 0 else at.y() + rise
    return QRectF(left, top, w, h)


def start_label_rect(at: QPointF, size: tuple[float, float], look: MapLook) -> QRectF:
    """The start's label box: right of the start point ``at`` (pixels), centred on its height."""
    w, h = size
    return QRectF(at.x() + ms.START_LABEL_OFFSET * look.scale, at.y() - h / 2, w, h)


def paint_label(painter: QPainter, rect: QRectF, text: str, font: QFont, look: MapLook,
                fill=ms.LABEL_FILL) -> None:
    """A label on the map: its text centred on a translucent white box."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(*fill))
    painter.drawRoundedRect(rect, look.label_pad, look.label_pad)
    painter.setFont(font)
    painter.setPen(look.text)
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.restore()


# ---------------------------------------------------------------------------------- run marks


@dataclass(frozen=True)
class RunMarks:
    """What marks a run at a step, in data coordinates (None: not drawn).

    ``head``: its last finite point, unless that is far off the map (beyond the drawing box);
    ``diverged``: where it diverged (its last finite point, or where its path flies off the
    map); ``exit``: where it left the view, and ``direction`` (data units) the way it went."""

    head: tuple[float, float] | None = None
    diverged: tuple[float, float] | None = None
    exit: tuple[float, float] | None = None
    direction: tuple[float, float] | None = None


def run_marks(finite: np.ndarray, status: int, view: ViewBox | None, draw_box: ViewBox | None) -> RunMarks:
    """The marks of a run whose path up to its last finite point is ``finite`` ((n, 2), n ≥ 1)
    and whose status at this step is ``status`` (:class:`~optviz.core.simulation.Status`): the
    one decision both views follow."""
    if len(finite) == 0:
        return RunMarks()
    last = finite[-1]
    head = (float(last[0]), float(last[1])) if draw_box is None or bool(draw_box.contains(last)) else None
    if view is None or status not in (Status.DIVERGED, Status.LEFT_VIEW):
        return RunMarks(head)
    x, y = view.divergence_spot(finite, ms.MARKER_INSET)
    spot = (float(x), float(y))
    if status == Status.DIVERGED:
        return RunMarks(head, diverged=spot)
    direction = (float(last[0] - x), float(last[1] - y))
    if not (np.isfinite(direction).all() and math.hypot(*direction) > 0):  # left from the edge itself
        before = finite[-2] if len(finite) > 1 else last
        direction = (float(last[0] - before[0]), float(last[1] - before[1]))
    return RunMarks(head, exit=spot, direction=direction)


def paint_marks(painter: QPainter, marks: RunMarks, to_px: MapTransform, color, marker: str, look: MapLook) -> None:
    """A run's marks at a step (see :func:`run_marks`): exit arrow, head, diverged ×."""
    if marks.exit is not None:
        dx, dy = marks.direction
        paint_exit(painter, to_px.point(*marks.exit), (to_px.sx * dx, to_px.sy * dy), color, look)
    if marks.head is not None:
        paint_head(painter, to_px.point(*marks.head), color, marker, look)
    if marks.diverged is not None:
        paint_diverged(painter, to_px.point(*marks.diverged), color, look)


# ---------------------------------------------------------------------------------- paths


class PathInk:
    """One run's path on the :class:`PathLayers`: its pens, dash pattern and how much of it is
    painted (``painted`` points; ``phase``: where the dash pattern stands at the last one)."""

    def __init__(self, color, dash: Sequence[float], look: MapLook) -> None:
        self.color = QColor(color)
        self.dash = tuple(dash or ())  # on/off lengths in path widths; () solid
        self.set_look(look)
        self.painted = 0
        self.phase = 0.0
        self.ink = 0.0  # pixels of line painted
        self.heavy = False  # drawn thin: it scribbles all over the map (map_style.HEAVY_WIDTHS)

    def set_look(self, look: MapLook) -> None:
        self.look = look
        self.line_pen = look.line_pen(self.color)
        self.thin_pen = look.thin_pen(self.color)
        self.casing_pen = look.casing_pen()

    def restart(self) -> None:
        self.painted, self.phase, self.ink = 0, 0.0, 0.0


def segment_pixels(px: np.ndarray) -> np.ndarray:
    """Length of every segment of the polyline ``px`` (pixels)."""
    if len(px) < 2:
        return np.zeros(0)
    d = np.diff(px, axis=0)
    return np.hypot(d[:, 0], d[:, 1])


def is_heavy(ink: float, map_width: float) -> bool:
    """Whether a run with ``ink`` pixels of line on a map ``map_width`` pixels wide is drawn thin."""
    return ink > ms.HEAVY_WIDTHS * max(map_width, 1.0)


def thinned(px: np.ndarray) -> np.ndarray:
    """``px`` without the points that stay in the same THIN_PIXELS cell as the one before (less
    than a pixel away: the drawing looks the same)."""
    if len(px) <= EXACT_POINTS:
        return px
    cells = np.floor(px / THIN_PIXELS)
    keep = np.empty(len(px), dtype=bool)
    keep[0] = keep[-1] = True
    np.any(cells[1:-1] != cells[:-2], axis=1, out=keep[1:-1])
    return px[keep]


def _draw_lines(painter: QPainter, px: np.ndarray, connect: str) -> None:
    """``px`` as line segments (``connect``: "all" joins every point to the next, "pairs" joins
    points 2i and 2i + 1)."""
    lines = arrayToLineSegments(px[:, 0], px[:, 1], connect, False)  # alive until drawn: it owns the memory
    painter.drawLines(*lines.drawargs())


class PathLayers:
    """Every run's path as two images: light casings (shown at the look's casing opacity, so
    overlaps do not add up) and the coloured lines above them. :meth:`stroke` adds pieces;
    :meth:`compose` paints the layers. Pieces are in layer pixels (logical pixels when the
    layers have a device pixel ratio)."""

    def __init__(self) -> None:
        self.casing: QImage | None = None
        self.lines: QImage | None = None

    def resize(self, size: QSize, dpr: float = 1.0) -> None:
        """Layers of ``size`` device pixels (at ``dpr``), cleared."""
        if self.casing is None or self.casing.size() != size or self.casing.devicePixelRatioF() != dpr:
            self.casing = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            self.lines = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            self.casing.setDevicePixelRatio(dpr)
            self.lines.setDevicePixelRatio(dpr)
        self.clear()

    def clear(self) -> None:
        if self.casing is not None:
            self.casing.fill(0)
            self.lines.fill(0)

    def stroke(self, pieces: Sequence[tuple[PathInk, np.ndarray]]) -> None:
        """Draw each (run, points) polyline: its casing (solid, none for a thin run) into one
        layer, its line into the other. A dashed line is cut into dashes
        (:func:`optviz.look.dash_segments`), as long on a thin line as on a full one, its
        pattern running on from piece to piece."""
        if self.casing is None or not pieces:
            return
        pieces = [(ink, thinned(np.asarray(px, dtype=float))) for ink, px in pieces if len(px)]
        for image, casing in ((self.casing, True), (self.lines, False)):
            with painting(image) as painter:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                for ink, px in pieces:
                    if casing and ink.heavy:
                        continue
                    pen = ink.casing_pen if casing else ink.thin_pen if ink.heavy else ink.line_pen
                    painter.setPen(pen)
                    if len(px) == 1:
                        painter.drawPoint(QPointF(float(px[0, 0]), float(px[0, 1])))
                        continue
                    if not casing and ink.dash:
                        width = pen.widthF()
                        unit = ink.look.path_width / width  # dashes in full path widths
                        segs, ink.phase = dash_segments(px, [d * unit for d in ink.dash], width, ink.phase,
                                                        round_caps=True)
                        if len(segs):
                            flat = segs.reshape(-1, 2)
                            _draw_lines(painter, flat, "pairs")
                        continue
                    # Separate segments, not one polyline: Qt fills a wide self-crossing polyline
                    # as one huge polygon, hundreds of times slower for a zig-zag.
                    _draw_lines(painter, px, "all")

    def compose(self, painter: QPainter, at: QPointF, casing_opacity: float, source: QRectF | None = None) -> None:
        """Paint the layers (their ``source`` part, in layer pixels) with their top left at ``at``."""
        if self.casing is None:
            return
        painter.save()
        painter.setOpacity(casing_opacity)
        if source is None:
            painter.drawImage(at, self.casing)
            painter.setOpacity(1.0)
            painter.drawImage(at, self.lines)
        else:
            painter.drawImage(at, self.casing, source)
            painter.setOpacity(1.0)
            painter.drawImage(at, self.lines, source)
        painter.restore()


# ---------------------------------------------------------------------------------- legend placement


def corner_cost(rect: QRectF, paths: Sequence[np.ndarray], marks: np.ndarray) -> int:
    """What a legend box at ``rect`` (pixels) hides: one per path point under it, and
    :data:`~optviz.render.map_style.MARKER_WEIGHT` per marked point (minimum, saddle, start).

    A marked point weighs as much as a long stretch of path: a path under the box still shows
    where it goes on either side, a hidden ★ or start does not; with a weight of 50 (the
    exports' until issue 12) a corner over the minimum won against one over 51 steps of a
    slow run's path, and the box sat on the race's goal."""
    x0, x1, y0, y1 = rect.left(), rect.right(), rect.top(), rect.bottom()

    def inside(p: np.ndarray) -> int:
        p = np.asarray(p, dtype=float).reshape(-1, 2)
        return int(((p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)).sum())

    return sum(inside(p) for p in paths) + ms.MARKER_WEIGHT * inside(marks)
