"""The 2D view: the loss as a coloured map with iso-lines, and the runs' paths racing over it.

Only renders: the colours are ``colormap`` applied to ``grid.scale(grid.z)``, the iso-lines sit
at ``grid.scale.levels()``, the paths are ``sim.history.positions``. Click the map (or drag the
start handle) to move the start point: the view emits ``startMoved(x, y)`` and the owner decides.

Paths are painted incrementally: each frame strokes only the segments added since the last
one into two cached images (casings below, lines above), which are then blitted. Stroking
thousands of wide antialiased segments every frame would take tens of milliseconds, and
seconds for a run bouncing across the map. The images are repainted in full only when the
view moves or zooms, a run restarts, or the runs change.

Also home of :func:`style_plot`, the light, projector-friendly look the 2D plots share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.PlotCurveItem import arrayToLineSegments
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem

from ...core.simulation import Status
from ...look import dash_segments
from ...render import colormap
from ...render.map_style import DRAW_MARGIN, HEAVY_WIDTHS, ISO_LEVELS, MARKER_INSET, MAX_MINIMUM_LABELS
from ...render.theme import NORMAL, Theme, get_theme, hex_color

if TYPE_CHECKING:  # the view only reads attributes; no import cycle with the controller
    from ...render.inputs import RunStyle, SurfaceGrid

#: Dark grey of the axes, tick labels and text: high contrast on white, softer than black.
TEXT_COLOR = (45, 50, 60)
#: Smallest point size of tick labels and legend text (the plots are projected in lecture halls).
TICK_POINT_SIZE = 11
LABEL_POINT_SIZE = 12

ISO_PEN = pg.mkPen((40, 44, 52, 100), width=1)
PATH_WIDTH = 2.5
#: A light casing around every path keeps each colour readable on dark and light map areas.
#: Painted opaque into its own image, which is shown at CASING_OPACITY: overlaps do not add up.
CASING_WIDTH = PATH_WIDTH + 3.0
CASING_COLOR = QColor(255, 255, 255)
CASING_OPACITY = 0.55
HEAD_SIZE = 11
HEAD_OUTLINE = pg.mkPen((25, 25, 30), width=1.5)
DIVERGED_SIZE = 22
DIVERGED_OUTLINE = pg.mkPen((200, 0, 0), width=2.0)
MINIMUM_SIZE = 22
SADDLE_SIZE = 15
#: When a whole path is repainted, points in the same THIN_PIXELS cell as the point before are
#: skipped (a slow run crawls in sub-pixel steps); paths up to EXACT_POINTS are drawn as they are.
EXACT_POINTS = 600
THIN_PIXELS = 0.5
#: How far the user may zoom in and out, as fractions of the surface's view box.
ZOOM_IN_LIMIT, ZOOM_OUT_LIMIT = 1e-3, 4.0

# Stacking order inside the view box.
_Z_IMAGE, _Z_ISO, _Z_PATH, _Z_CRITICAL, _Z_HEAD, _Z_DIVERGED, _Z_START = -100, -50, 10, 20, 30, 35, 50


def plot_look(plot) -> tuple[Theme, float]:
    """The (theme, scale) a plot is drawn with (normal, 1 unless :func:`set_plot_look` said so)."""
    return getattr(plot, "_optviz_look", (NORMAL, 1.0))


def style_plot(plot: pg.PlotWidget, x_label: str = "", y_label: str = "") -> None:
    """White background, dark grey axes with ≥ 11 pt ticks (× the plot's scale), no auto-range
    button.

    Per widget: ``pg.setConfigOptions`` is global and other views must not be affected.
    """
    plot.setBackground("w")
    item = plot.getPlotItem()
    item.hideButtons()
    _style_axes(plot)
    set_axis_labels(plot, x_label, y_label)


def _style_axes(plot) -> None:
    theme, scale = plot_look(plot)
    item = plot.getPlotItem()
    tick_font = QFont()
    tick_font.setPointSizeF(TICK_POINT_SIZE * scale)
    pen = pg.mkPen(theme.text, width=theme.axis_width * scale)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pen)
        axis.setTextPen(pen)
        axis.setTickFont(tick_font)
        axis.setStyle(tickLength=int(round(5 * scale)), tickTextOffset=int(round(2 * scale)))
    space_tick_labels(item.getAxis("bottom"))


def _next_round(step: float) -> float:
    """The next round spacing after ``step`` in the sequence 1, 2, 5, 10, 20, 50 … × 10ᵏ."""
    mag = 10.0 ** math.floor(math.log10(step) + 1e-9)
    mantissa = step / mag
    return (2.0 if mantissa < 1.5 else 5.0 if mantissa < 3.5 else 10.0) * mag


def space_tick_labels(axis: pg.AxisItem) -> None:
    """Make a horizontal axis space its major ticks so that their labels never run together:
    pyqtgraph picks the spacing from the axis length alone, so large type or a narrow plot
    printed "5001000" and "200400600". The spacing grows (1, 2, 5 × 10ᵏ) until the widest
    label plus a gap fits between two ticks; minor ticks that no longer divide it are dropped."""
    if getattr(axis, "_optviz_spaced", False):
        return
    axis._optviz_spaced = True
    original = axis.tickSpacing

    def tick_spacing(min_value, max_value, size):
        levels = original(min_value, max_value, size)
        span = abs(max_value - min_value)
        if not levels or size <= 0 or not span > 0 or axis.orientation not in ("bottom", "top"):
            return levels
        fm = QFontMetrics(axis.style["tickFont"] or axis.font())
        gap = fm.height() * 0.9
        pixels_per_unit = size / span
        lo, hi = min(min_value, max_value), max(min_value, max_value)
        major = levels[0][0]
        for _ in range(12):
            first = math.ceil(lo / major) * major
            values = [first + i * major for i in range(int((hi - first) / major + 1e-9) + 1)][:60]
            strings = axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, major) if values else []
            widest = max((fm.horizontalAdvance(t) for t in strings), default=0)
            if major * pixels_per_unit >= widest + gap:
                break
            major = _next_round(major)
        if major == levels[0][0]:
            return levels
        minors = [(m, o) for m, o in levels[1:] if m < major and abs(major / m - round(major / m)) < 1e-6]
        return [(major, 0.0), *minors]

    axis.tickSpacing = tick_spacing


def set_plot_look(plot: pg.PlotWidget, theme: Theme, scale: float) -> None:
    """Redraw a plot's axes, tick labels and axis titles for ``theme`` at ``scale``."""
    plot._optviz_look = (theme, float(scale))
    _style_axes(plot)
    item = plot.getPlotItem()
    set_axis_labels(plot, item.getAxis("bottom").labelText, item.getAxis("left").labelText)


def set_axis_labels(plot: pg.PlotWidget, x_label: str, y_label: str) -> None:
    theme, scale = plot_look(plot)
    style = {"color": hex_color(theme.text), "font-size": f"{LABEL_POINT_SIZE * scale:g}pt"}
    item = plot.getPlotItem()
    item.setLabel("bottom", x_label, **style)
    item.setLabel("left", y_label, **style)


class _SmoothImageItem(pg.ImageItem):
    """An ImageItem drawn with bilinear filtering: the 200×200 grid shows no blocky pixels
    when stretched over a full-HD view."""

    def paint(self, painter, *args):
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(painter, *args)


def _round_pen(color: QColor, width: float) -> QPen:
    pen = QPen(color)
    pen.setWidthF(width)
    pen.setCosmetic(True)  # widths in pixels, whatever the zoom
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)  # segment ends meet as round joins
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


@dataclass
class _RunItems:
    """One run: its head marker and divergence marker (items), and the state of its path on the
    canvas."""

    head: pg.ScatterPlotItem  # one spot at (0, 0), moved with setPos (cheaper than setData)
    diverged: pg.ScatterPlotItem  # likewise
    visible: bool
    line_pen: QPen
    thin_pen: QPen
    casing_pen: QPen
    drawn: np.ndarray  # the polyline to show: the path up to its last finite point, cut at the box
    key: tuple | None = None  # what update_runs saw last: skip unchanged runs
    painted: int = 0  # points of ``drawn`` on the canvas
    anchor: tuple | None = None  # (drawn[0], drawn[painted - 1]) when painted: detects restarts
    ink: float = 0.0  # pixels of line on the canvas
    heavy: bool = False  # drawn thin (see HEAVY_WIDTHS)
    dash: tuple = ()  # the optimizer's dash pattern, in line widths; () solid
    phase: float = 0.0  # where the dash pattern stands at the last painted point (pixels)
    # How much of the path is known to lie in the drawing box (so each frame checks only the
    # new points): (first point, points checked, last checked point, index where it left or -1).
    checked: tuple | None = None

    def items(self):
        return (self.head, self.diverged)


class _PathCanvas(pg.GraphicsObject):
    """Every run's path, kept as two images in device pixels: casings, then lines on top.

    ``extend`` strokes the segments added since the last call; ``paint`` blits the images and
    repaints them in full when the device transform (pan, zoom, resize, export) has changed or
    ``invalidate`` was called.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bounds = QRectF()
        self.runs: list[_RunItems] = []
        self._casing: QImage | None = None
        self._lines: QImage | None = None
        self._key: tuple | None = None  # what the images were painted for
        self._to_canvas: QTransform | None = None  # data → canvas pixels
        self._origin = QPointF()
        self._width_px = 1.0  # visible width of the canvas, for HEAVY_WIDTHS
        self.casing_opacity = CASING_OPACITY
        self.casing_width = CASING_WIDTH

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
        transform = painter.combinedTransform()
        # On a device with a pixel ratio d (HiDPI, QT_SCALE_FACTOR) the view's transform maps to
        # device pixels while a reset painter draws in logical ones: work in logical pixels and
        # give the canvas the ratio, so paths stay in place and crisp. (A painter merely scaled,
        # as for an export, keeps d = 1 and its own units.)
        dpr = painter.device().devicePixelRatioF()
        k = transform.mapRect(vb.viewRect()).width() / vb.width() if vb.width() > 0 else 1.0
        if dpr != 1.0 and abs(k - dpr) < 1e-3 * dpr:
            transform = transform * QTransform.fromScale(1.0 / dpr, 1.0 / dpr)
        area = transform.mapRect(visible).toAlignedRect().adjusted(-8, -8, 8, 8)
        key = (transform.m11(), transform.m12(), transform.m21(), transform.m22(), transform.dx(),
               transform.dy(), area.x(), area.y(), area.width(), area.height(), dpr)
        if key != self._key:
            self._repaint_all(transform, area, dpr)
            self._key = key
        painter.save()
        painter.resetTransform()
        painter.setOpacity(self.casing_opacity)
        painter.drawImage(self._origin, self._casing)
        painter.setOpacity(1.0)
        painter.drawImage(self._origin, self._lines)
        painter.restore()

    def _repaint_all(self, transform: QTransform, area, dpr: float) -> None:
        size = QSize(math.ceil(area.width() * dpr), math.ceil(area.height() * dpr))
        if self._casing is None or self._casing.size() != size or self._casing.devicePixelRatioF() != dpr:
            self._casing = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            self._lines = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            self._casing.setDevicePixelRatio(dpr)
            self._lines.setDevicePixelRatio(dpr)
        self._casing.fill(0)
        self._lines.fill(0)
        self._origin = QPointF(area.topLeft())
        self._to_canvas = transform * QTransform.fromTranslate(-area.x(), -area.y())
        self._width_px = max(float(area.width()), 1.0)
        scale = self._pixels_per_unit()
        for run in self.runs:
            run.painted, run.anchor, run.ink, run.phase = 0, None, 0.0, 0.0
            if run.visible and len(run.drawn) >= 1:
                run.ink = float(_segment_pixels(run.drawn, scale).sum())
                run.heavy = run.ink > HEAVY_WIDTHS * self._width_px
        self._stroke([(run, _thinned(run.drawn, scale)) for run in self.runs
                      if run.visible and len(run.drawn) >= 1])
        for run in self.runs:
            if run.visible and len(run.drawn) >= 1:
                run.painted = len(run.drawn)
                run.anchor = (*run.drawn[0], *run.drawn[-1])

    def extend(self) -> None:
        """Stroke what every run added since the last call; repaint all after a restart."""
        if self._key is None:
            self.update()  # a full repaint is pending anyway
            return
        scale = self._pixels_per_unit()
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
            run.ink += float(_segment_pixels(piece, scale).sum())
            if not run.heavy and run.ink > HEAVY_WIDTHS * self._width_px:
                self.invalidate()  # from now on this run is drawn thin, all of it
                return
            pieces.append((run, piece))
            run.painted = n
            run.anchor = (*run.drawn[0], *run.drawn[-1])
        if not pieces:
            return
        self._stroke(pieces)
        # Only the area of the new segments needs repainting on screen.
        both = np.concatenate([piece for _, piece in pieces])
        pad = 2 * self.casing_width / scale
        lo, hi = both.min(axis=0) - pad, both.max(axis=0) + pad
        self.update(QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]))

    def _stroke(self, pieces) -> None:
        """Draw (run, points) polylines: casings into one image, lines into the other. A dashed
        run's line is cut into dashes in canvas pixels (:func:`optviz.look.dash_segments`), its
        pattern running on from piece to piece; its casing stays solid underneath."""
        for image, casing in ((self._casing, True), (self._lines, False)):
            painter = QPainter(image)
            for run, pts in pieces:
                if casing and run.heavy:
                    continue
                antialias = casing or not run.heavy  # thin aliased lines draw much faster
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialias)
                pen = run.casing_pen if casing else run.thin_pen if run.heavy else run.line_pen
                painter.setPen(pen)
                if not casing and run.dash and not run.heavy and len(pts) > 1:
                    painter.setTransform(QTransform())
                    px = self._canvas_points(pts)
                    segments, run.phase = dash_segments(px, run.dash, pen.widthF(), run.phase, round_caps=True)
                    if len(segments):
                        lines = arrayToLineSegments(segments[:, :, 0].ravel(), segments[:, :, 1].ravel(),
                                                    "pairs", False)
                        painter.drawLines(*lines.drawargs())
                    continue
                painter.setTransform(self._to_canvas)
                if len(pts) == 1:
                    painter.drawPoint(QPointF(float(pts[0, 0]), float(pts[0, 1])))
                    continue
                # Separate segments, not one polyline: Qt fills a wide self-crossing polyline
                # as one huge polygon, hundreds of times slower for a zig-zag.
                segments = arrayToLineSegments(pts[:, 0], pts[:, 1], "all", False)
                painter.drawLines(*segments.drawargs())
            painter.end()

    def _canvas_points(self, pts: np.ndarray) -> np.ndarray:
        """Data points in canvas pixels (the transform the paths are painted with)."""
        t = self._to_canvas
        x, y = pts[:, 0], pts[:, 1]
        return np.column_stack([t.m11() * x + t.m21() * y + t.dx(), t.m12() * x + t.m22() * y + t.dy()])

    def _pixels_per_unit(self) -> np.ndarray:
        t = self._to_canvas
        return np.array([abs(t.m11()) + abs(t.m21()), abs(t.m22()) + abs(t.m12())])


def _segment_pixels(pts: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """On-screen length of every segment of ``pts`` in pixels."""
    if len(pts) < 2:
        return np.zeros(0)
    d = np.diff(pts, axis=0) * scale
    return np.hypot(d[:, 0], d[:, 1])


def _thinned(pts: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``pts`` without the points that stay in the same THIN_PIXELS cell as the one before
    (less than a pixel away: the drawing looks the same)."""
    if len(pts) <= EXACT_POINTS or not np.all(scale > 0):
        return pts
    cells = np.floor(pts * (scale / THIN_PIXELS))
    keep = np.empty(len(pts), dtype=bool)
    keep[0] = keep[-1] = True
    np.any(cells[1:-1] != cells[:-2], axis=1, out=keep[1:-1])
    return pts[keep]


class ContourView(pg.PlotWidget):
    """The loss surface seen from above, with every run's path.

    Signals:
        startMoved(float, float): the user dragged the start handle (emitted while dragging)
            or left-clicked the map; the arguments are the point in surface coordinates.

    Methods:
        set_surface(surface, grid): show a new surface (colour map, iso-lines, critical points).
        set_runs(styles): one path, head marker and divergence marker per run.
        update_runs(sim): move the paths to ``sim``'s history; cheap, called every frame.
        set_start(x, y): move the start handle without emitting ``startMoved``.
    """

    startMoved = Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        style_plot(self)
        self.setAntialiasing(True)
        item = self.getPlotItem()
        item.layout.setContentsMargins(4, 12, 16, 4)  # room for the outermost tick labels
        self.view_box = item.getViewBox()
        # Equal units on both axes: only then is −∇J perpendicular to the level sets, as the
        # lecture draws it. The owner (ContourPanel) sizes the view to the box's aspect.
        self.view_box.setAspectLocked(True, 1.0)
        self.view_box.setMouseEnabled(x=True, y=True)
        self.view_box.disableAutoRange()
        self._user_view = False  # the user zoomed or panned: resizing keeps their view
        self.view_box.sigRangeChangedManually.connect(self._on_manual_range)
        # A label that fitted beside its star may not once the map is smaller or zoomed. Checked
        # on the next pass of the event loop, once: asking the view box for its pixel size inside
        # its own range change makes it lay out twice (the map's first paint took twice as long).
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(0)
        self._label_timer.timeout.connect(self._place_minimum_labels)
        self.view_box.sigRangeChanged.connect(lambda *_: self._label_timer.start())
        self.view_box.sigResized.connect(lambda *_: self._label_timer.start())
        self.surface = None
        self._view = None
        self._draw_box = None
        self._theme, self._scale = NORMAL, 1.0
        self._styles: list = []

        self.image = _SmoothImageItem(axisOrder="row-major")
        self.image.setLookupTable(colormap.lookup_table())
        self.image.setZValue(_Z_IMAGE)
        self.view_box.addItem(self.image)

        self.isolines = pg.PlotCurveItem(pen=ISO_PEN, connect="finite", antialias=True)
        self.isolines.setZValue(_Z_ISO)
        self.view_box.addItem(self.isolines, ignoreBounds=True)
        # The map and its iso-lines only change with the surface or the zoom: Qt keeps them
        # as pixmaps, so a frame of a playing race repaints the paths, not ~3 ms of lines.
        for item in (self.image, self.isolines):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

        self.minima = pg.ScatterPlotItem(symbol="star", size=MINIMUM_SIZE, pen=pg.mkPen("k", width=1.5),
                                         brush=pg.mkBrush("w"), antialias=True)
        self.minima.setZValue(_Z_CRITICAL)
        self.view_box.addItem(self.minima, ignoreBounds=True)
        self.saddles = pg.ScatterPlotItem(symbol="x", size=SADDLE_SIZE, pen=pg.mkPen("w", width=1.2),
                                          brush=pg.mkBrush(TEXT_COLOR), antialias=True)
        self.saddles.setZValue(_Z_CRITICAL)
        self.view_box.addItem(self.saddles, ignoreBounds=True)
        self._minimum_labels: list[pg.TextItem] = []

        self.start_handle = pg.TargetItem(
            pos=(0.0, 0.0), size=18, symbol="crosshair", pen=pg.mkPen((20, 20, 20), width=2.5),
            hoverPen=pg.mkPen((200, 0, 0), width=3), brush=(255, 255, 255, 140),
            hoverBrush=(255, 255, 255, 220), movable=True, label="start",
            labelOpts={"color": TEXT_COLOR, "offset": (12, -12), "anchor": (0, 1),
                       "fill": pg.mkBrush(255, 255, 255, 170)},
        )
        self.start_handle.setZValue(_Z_START)
        self.view_box.addItem(self.start_handle, ignoreBounds=True)
        self.start_handle.sigPositionChanged.connect(self._on_handle_moved)

        self.paths = _PathCanvas()
        self.paths.setZValue(_Z_PATH)
        self.view_box.addItem(self.paths, ignoreBounds=True)

        self._placing = False
        self._runs: list[_RunItems] = []
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    # ------------------------------------------------------------------ surface

    def set_surface(self, surface, grid: SurfaceGrid) -> None:
        """Show ``surface`` sampled as ``grid`` (colours and iso-lines from ``grid.scale``)."""
        self.surface = surface
        self._view = surface.view
        self._draw_box = surface.view.expanded(DRAW_MARGIN)
        for run in self._runs:
            run.checked = run.key = None  # checked against the old box
        w, h = surface.view.width, surface.view.height
        self.view_box.setLimits(minXRange=w * ZOOM_IN_LIMIT, maxXRange=w * ZOOM_OUT_LIMIT,
                                minYRange=h * ZOOM_IN_LIMIT, maxYRange=h * ZOOM_OUT_LIMIT)
        xs, ys = np.asarray(grid.xs, dtype=float), np.asarray(grid.ys, dtype=float)
        u = grid.scale(grid.z)  # z[iy, ix]: row-major image, rows along y
        self.image.setImage(u, levels=(0.0, 1.0), autoLevels=False)
        self.image.setLookupTable(colormap.lookup_table())
        # Pixel centres on the samples: the image reaches half a cell beyond the first/last sample.
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        # Iso-lines are traced on u, so log-scaled surfaces get log-spaced lines.
        self._set_isolines(u, grid.scale(grid.scale.levels(ISO_LEVELS)), xs, ys, dx, dy)
        self._set_critical_points(surface)
        x_label, y_label = surface.axis_labels
        set_axis_labels(self, x_label, y_label)
        self._fix_label_space()
        self.reset_view()
        box = self._draw_box
        self.paths.set_bounds(QRectF(box.xmin, box.ymin, box.width, box.height))
        for run in self._runs:  # the drawing box changed: every path is cut anew
            run.key = None
            run.drawn = np.zeros((0, 2))

    def reset_view(self) -> None:
        """Show the surface's view box exactly (and forget the user's zoom)."""
        self._user_view = False
        self.fit_box()

    def fit_box(self) -> None:
        """Show the whole view box at equal units (unless the user zoomed or panned)."""
        if self._view is None or self._user_view:
            return
        v = self._view
        self.view_box.setRange(xRange=(v.xmin, v.xmax), yRange=(v.ymin, v.ymax), padding=0.0)

    def _on_manual_range(self, *_) -> None:
        self._user_view = True

    def box_ratio(self) -> float:
        """Width over height of the surface's view box (1 before a surface is set)."""
        v = self._view
        if v is None or not v.height > 0 or not v.width > 0:
            return 1.0
        return float(min(max(v.width / v.height, 1e-3), 1e3))

    def chrome(self) -> tuple[int, int, tuple[int, int]]:
        """(width, height) this widget needs beyond the map (axes, labels, margins), and the
        map's top-left corner inside it, from the current layout."""
        item = self.getPlotItem()
        item.layout.activate()
        vb = self.view_box.geometry()
        size = item.geometry()
        if vb.width() <= 0 or vb.height() <= 0 or size.width() <= 0:
            # Not laid out yet: the axes' fixed sizes and the layout's margins.
            left, bottom = self.getAxis("left"), self.getAxis("bottom")
            ml, mt, mr, mb = item.layout.getContentsMargins()
            lw = int(left.width() + ml + mr)
            bh = int(bottom.height() + mt + mb)
            return lw, bh, (int(left.width() + ml), int(mt))
        return (int(round(size.width() - vb.width())), int(round(size.height() - vb.height())),
                (int(round(vb.x())), int(round(vb.y()))))

    def _fix_label_space(self) -> None:
        """The y axis as wide as its widest tick label at any size, fixed: pyqtgraph otherwise
        refits the axis to its labels, which moves the map and changes the equal-units layout."""
        if self._view is None:
            return
        axis = self.getAxis("left")
        font = axis.style["tickFont"] or self.font()
        fm = QFontMetrics(font)
        v = self._view
        texts = ["0"]
        for pixels in (120, 250, 500, 1000, 2000):
            for spacing, values in axis.tickValues(v.ymin, v.ymax, pixels)[:1]:
                texts += axis.tickStrings(values, 1.0, spacing)
        width = max(fm.horizontalAdvance(t) for t in texts) + 4
        axis.setStyle(autoExpandTextSpace=False, autoReduceTextSpace=False, tickTextWidth=width)

    def _set_isolines(self, u, u_levels, xs, ys, dx, dy) -> None:
        """All iso-lines of ``u`` at ``u_levels`` in one curve, lines separated by NaN."""
        pieces = []
        sep = np.array([[np.nan, np.nan]])
        data = np.ascontiguousarray(u.T)  # pg.isocurve's first axis is x
        for level in np.atleast_1d(u_levels):
            for line in pg.isocurve(data, float(level), connected=True):
                pieces.append(np.asarray(line, dtype=float))
                pieces.append(sep)
        if not pieces:
            self.isolines.setData([], [])
            return
        pts = np.concatenate(pieces)
        # pg.isocurve puts sample (i, j) at (i + 0.5, j + 0.5), the pixel centre of the image.
        x = xs[0] + (pts[:, 0] - 0.5) * dx
        y = ys[0] + (pts[:, 1] - 0.5) * dy
        self.isolines.setData(x, y, connect="finite", skipFiniteCheck=True)

    def _set_critical_points(self, surface) -> None:
        for label in self._minimum_labels:
            self.view_box.removeItem(label)
        self._minimum_labels = []
        minima = [(m.x, m.y) for m in surface.minima]
        saddles = [(s.x, s.y) for s in surface.saddles]
        self.minima.setData(pos=np.array(minima, dtype=float).reshape(-1, 2))
        self.saddles.setData(pos=np.array(saddles, dtype=float).reshape(-1, 2))
        if 0 < len(minima) <= MAX_MINIMUM_LABELS:
            font = QFont()
            font.setPointSizeF((TICK_POINT_SIZE - 1) * self._scale)
            for i, (x, y) in enumerate(minima):
                text = pg.TextItem(f"min {i + 1}" if len(minima) > 1 else "min", color=self._theme.text,
                                   anchor=(-0.15, 1.05), fill=pg.mkBrush(255, 255, 255, 150))
                text.setFont(font)
                text.setPos(x, y)
                text.setZValue(_Z_CRITICAL)
                self.view_box.addItem(text, ignoreBounds=True)
                self._minimum_labels.append(text)
            self._label_timer.start()

    def _place_minimum_labels(self, *_) -> None:
        """Each minimum's label beside its star, up and to the right unless that would run off
        the map as it is drawn now (:meth:`ViewBox.label_side`); again whenever the map resizes."""
        if not self._minimum_labels or self.surface is None:
            return
        px = self.view_box.viewPixelSize()
        if not all(np.isfinite(px)) or min(px) <= 0:
            return
        box = self.surface.view
        for label, m in zip(self._minimum_labels, self.surface.minima):
            rect = label.textItem.boundingRect()
            # The anchor's 0.15 / 0.05 offsets plus the text itself, in data units.
            sx, sy = box.label_side(m.x, m.y, 1.15 * rect.width() * px[0], 1.05 * rect.height() * px[1])
            anchor = (-0.15 if sx > 0 else 1.15, 1.05 if sy > 0 else -0.05)
            if tuple(label.anchor) != anchor:  # moving a label repaints the map: only when it flips
                label.setAnchor(anchor)

    # ------------------------------------------------------------------ runs

    def set_runs(self, styles: Sequence[RunStyle]) -> None:
        """(Re)create the items of every run; invisible runs are hidden. Each head is drawn with
        its optimizer's marker (``style.marker``) so the race reads without colour too."""
        for run in self._runs:
            for item in run.items():
                self.view_box.removeItem(item)
        self._runs = []
        self._styles = list(styles)
        theme, s = self._theme, self._scale
        path_width, head_size = theme.path_width * s, theme.head_size * s
        outline = pg.mkPen(HEAD_OUTLINE.color(), width=HEAD_OUTLINE.widthF() * s)
        cross = pg.mkPen(DIVERGED_OUTLINE.color(), width=DIVERGED_OUTLINE.widthF() * s)
        for k, style in enumerate(styles):
            color = pg.mkColor(style.color)
            head = pg.ScatterPlotItem(pos=[(0.0, 0.0)], symbol=getattr(style, "marker", None) or "o",
                                      size=head_size, pen=outline, brush=pg.mkBrush(color), antialias=True)
            diverged = pg.ScatterPlotItem(pos=[(0.0, 0.0)], symbol="x", size=DIVERGED_SIZE * s,
                                          pen=cross, brush=pg.mkBrush(color), antialias=True)
            run = _RunItems(head, diverged, bool(style.visible), line_pen=_round_pen(color, path_width),
                            thin_pen=_round_pen(color, 1.0 * s),
                            casing_pen=_round_pen(CASING_COLOR, path_width + theme.casing_extra * s),
                            drawn=np.zeros((0, 2)), dash=tuple(getattr(style, "dash", ()) or ()))
            for item, z in zip(run.items(), (_Z_HEAD, _Z_DIVERGED)):
                item.setZValue(z + 0.01 * k)
                self.view_box.addItem(item, ignoreBounds=True)
                item.setVisible(False)  # shown once update_runs has points
            self._runs.append(run)
        self.paths.runs = self._runs
        self.paths.invalidate()

    def update_runs(self, sim) -> None:
        """Draw every visible run's path up to its last finite point; cheap per frame."""
        positions = sim.history.positions
        for k, run in enumerate(self._runs[: sim.K]):
            if not run.visible:
                continue
            pts = positions[: sim.length(k), k, 0]
            n = len(pts)
            status = int(sim.status[k, 0])
            # Compared as bytes: a NaN end (a diverged run) equals itself.
            key = (n, status, pts[0].tobytes(), pts[-1].tobytes()) if n else (0, status)
            if key == run.key:
                continue  # unchanged since the last frame (finished, or paused)
            run.key = key
            if n and not np.isfinite(pts[-1]).all():
                finite = np.flatnonzero(np.isfinite(pts).all(axis=1))
                n = int(finite[-1]) + 1 if finite.size else 0
            self._draw_run(run, pts[:n], status == Status.DIVERGED)
        self.paths.extend()

    def path_data(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The polyline drawn for run k, as ``(x, y)``."""
        drawn = self._runs[k].drawn
        return drawn[:, 0], drawn[:, 1]

    def _draw_run(self, run: _RunItems, finite: np.ndarray, diverged: bool) -> None:
        """``finite``: the path up to its last finite point."""
        run.drawn = self._drawable(finite, run)
        if len(run.drawn) == 0:
            run.head.setVisible(False)
            run.diverged.setVisible(False)
            return
        # The head sits on the last finite point, unless that is astronomically far off the map.
        head_shown = self._draw_box is None or bool(self._draw_box.contains(finite[-1]))
        if head_shown:
            run.head.setPos(float(finite[-1, 0]), float(finite[-1, 1]))
        run.head.setVisible(head_shown)
        if diverged:
            x, y = self._divergence_spot(finite)
            run.diverged.setPos(x, y)
        run.diverged.setVisible(diverged)

    def _drawable(self, pts: np.ndarray, run: _RunItems | None = None) -> np.ndarray:
        """The path as drawn: ``pts`` up to where it leaves the drawing box (the view grown by
        ``DRAW_MARGIN`` on every side), ending exactly on the box edge.

        A diverging run's last point can be astronomically far away; nothing beyond the box is
        handed to Qt (whose rasterizer would drop or mangle such lines). With ``run``, only the
        points added since the last call are checked (a frame's cost must not grow with the
        path), unless the path restarted or got shorter.
        """
        if self._draw_box is None or len(pts) == 0:
            return pts
        start, j = 0, -1
        c = run.checked if run is not None else None
        if c is not None and c[0] == pts[0].tobytes() and c[1] <= len(pts) and c[2] == pts[c[1] - 1].tobytes():
            start, j = c[1], c[3]
            if j > 0 and len(run.drawn) == j + 1:
                return run.drawn  # cut at the same point as last time
        if j < 0:
            outside = np.flatnonzero(~self._draw_box.contains(pts[start:]))
            j = start + int(outside[0]) if outside.size else -1
        if run is not None:
            done = len(pts) if j < 0 else j + 1
            run.checked = (pts[0].tobytes(), done, pts[done - 1].tobytes(), j)
        return self._draw_box.clip_path(pts, j)

    def _divergence_spot(self, finite: np.ndarray) -> tuple[float, float]:
        """Where to mark a diverged run: its last finite point, or, when that lies off the map,
        the point where its path flies off the map (just inside the edge, so the mark shows)."""
        if self._view is None:
            return float(finite[-1][0]), float(finite[-1][1])
        x, y = self._view.divergence_spot(finite, MARKER_INSET)
        return float(x), float(y)

    # ------------------------------------------------------------------ look

    def set_look(self, theme: str | Theme, scale: float = 1.0) -> None:
        """Draw with ``theme`` ("normal" or "projector") at ``scale``: tick labels and axis
        titles, iso-lines, markers, the start handle, path and casing widths.
        ``set_look("normal", 1)`` restores the look the view was built with."""
        theme = get_theme(theme) if isinstance(theme, str) else theme
        s = float(scale)
        self._theme, self._scale = theme, s
        set_plot_look(self, theme, s)
        self._fix_label_space()
        self.isolines.setPen(pg.mkPen(theme.iso_color, width=theme.iso_width * s))
        self.minima.setSize(MINIMUM_SIZE * s)
        self.minima.setPen(pg.mkPen("k", width=1.5 * s))
        self.saddles.setSize(SADDLE_SIZE * s)
        self.saddles.setPen(pg.mkPen("w", width=1.2 * s))
        self.saddles.setBrush(pg.mkBrush(theme.text))
        handle = self.start_handle
        handle.scale = 18 * s  # TargetItem keeps its on-screen size here
        handle.setPen(pg.mkPen((20, 20, 20), width=2.5 * s))
        handle.setHoverPen(pg.mkPen((200, 0, 0), width=3 * s))
        handle._shape = None
        handle.prepareGeometryChange()
        handle.update()
        label = handle.label()
        if label is not None:
            font = QFont()
            font.setPointSizeF(TICK_POINT_SIZE * s)
            label.setFont(font)
            label.setColor(theme.text)
        self.paths.casing_opacity = theme.casing_opacity
        self.paths.casing_width = (theme.path_width + theme.casing_extra) * s
        if self.surface is not None:
            self._set_critical_points(self.surface)
        self.set_runs(self._styles)  # heads, swatches and pens at the new size
        for run in self._runs:
            run.key = None  # update_runs redraws every path

    def look(self) -> tuple[Theme, float]:
        return self._theme, self._scale

    # ------------------------------------------------------------------ start point

    def set_start(self, x: float, y: float) -> None:
        """Move the start handle without emitting ``startMoved``."""
        self._placing = True
        try:
            self.start_handle.setPos(float(x), float(y))
        finally:
            self._placing = False

    def start(self) -> tuple[float, float]:
        p = self.start_handle.pos()
        return float(p.x()), float(p.y())

    def _on_handle_moved(self, _item) -> None:
        if self._placing or not self.start_handle.moving:
            return
        x, y = self.start()
        self.startMoved.emit(x, y)

    def _on_scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        pos = event.scenePos()
        if not self.view_box.sceneBoundingRect().contains(pos):
            return  # the axes, not the map
        point = self.view_box.mapSceneToView(pos)
        x, y = float(point.x()), float(point.y())
        self.set_start(x, y)
        self.startMoved.emit(x, y)
