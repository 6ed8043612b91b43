"""The 2D view: the loss as a coloured map with iso-lines, and the runs' paths racing over it.

Only renders: the colours are ``colormap`` applied to ``grid.scale(grid.z)``, the iso-lines sit
at ``grid.scale.levels()``, the paths are ``sim.history.positions``. Click the map (or drag the
start handle) to move the start point: the view emits ``startMoved(x, y)`` and the owner decides.

Also home of :func:`style_plot`, the light, projector-friendly look the 2D plots share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPixmapCache
from PySide6.QtWidgets import QGraphicsItem

from ..core.simulation import Status
from . import colormap

if TYPE_CHECKING:  # the view only reads attributes; no import cycle with the controller
    from .controller import RunStyle, SurfaceGrid

#: Dark grey of the axes, tick labels and text: high contrast on white, softer than black.
TEXT_COLOR = (45, 50, 60)
#: Smallest point size of tick labels and legend text (the plots are projected in lecture halls).
TICK_POINT_SIZE = 11
LABEL_POINT_SIZE = 12

ISO_LEVELS = 14
ISO_PEN = pg.mkPen((40, 44, 52, 95), width=1)
PATH_WIDTH = 2.5
PATH_CASING = pg.mkPen((255, 255, 255, 120), width=PATH_WIDTH + 3.0)
# Flat caps: where the tail meets the body its casing must not spill over the body's line.
PATH_CASING.setCapStyle(Qt.PenCapStyle.FlatCap)
#: The bodies' pixmap caches live in QPixmapCache, whose default 10 MB would hold only one or
#: two full-HD paths; this raises the (process-wide) limit, never lowers it.
PIXMAP_CACHE_KB = 128 * 1024
HEAD_SIZE = 11
HEAD_OUTLINE = pg.mkPen((25, 25, 30), width=1.5)
DIVERGED_SIZE = 22
DIVERGED_OUTLINE = pg.mkPen((200, 0, 0), width=2.0)
MINIMUM_SIZE = 22
SADDLE_SIZE = 15
#: The newest points of a path, redrawn every frame; the rest (the body) is rebuilt rarely.
TAIL_POINTS = 200
#: Bodies longer than this are drawn without the points that would not show: those within the
#: same THIN_PIXELS-sized cell as the point before (stroking thousands of sub-pixel segments is
#: what makes a wide antialiased path slow).
EXACT_POINTS = 600
THIN_PIXELS = 0.5
#: Paths are drawn up to where they leave the view grown by this fraction on every side.
DRAW_MARGIN = 1.5
#: How far the user may zoom in and out, as fractions of the surface's view box.
ZOOM_IN_LIMIT, ZOOM_OUT_LIMIT = 1e-3, 4.0
#: Minimum labels ("min 1" …) are only drawn when there are few enough not to clutter the map.
MAX_MINIMUM_LABELS = 6

# Stacking order inside the view box.
_Z_IMAGE, _Z_ISO, _Z_PATH, _Z_CRITICAL, _Z_HEAD, _Z_DIVERGED, _Z_START = -100, -50, 10, 20, 30, 35, 50


def style_plot(plot: pg.PlotWidget, x_label: str = "", y_label: str = "") -> None:
    """White background, dark grey axes with ≥ 11 pt ticks, no auto-range button.

    Per widget: ``pg.setConfigOptions`` is global and other views must not be affected.
    """
    plot.setBackground("w")
    item = plot.getPlotItem()
    item.hideButtons()
    tick_font = QFont()
    tick_font.setPointSizeF(TICK_POINT_SIZE)
    pen = pg.mkPen(TEXT_COLOR, width=1)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pen)
        axis.setTextPen(pen)
        axis.setTickFont(tick_font)
    set_axis_labels(plot, x_label, y_label)


def set_axis_labels(plot: pg.PlotWidget, x_label: str, y_label: str) -> None:
    style = {"color": "#%02x%02x%02x" % TEXT_COLOR, "font-size": f"{LABEL_POINT_SIZE}pt"}
    item = plot.getPlotItem()
    item.setLabel("bottom", x_label, **style)
    item.setLabel("left", y_label, **style)


class _SmoothImageItem(pg.ImageItem):
    """An ImageItem drawn with bilinear filtering: the 200×200 grid shows no blocky pixels
    when stretched over a full-HD view."""

    def paint(self, painter, *args):
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(painter, *args)


class _StaticSample(pg.ItemSample):
    """Legend sample that ignores clicks: run visibility belongs to the model, not the legend."""

    def mouseClickEvent(self, event):
        event.ignore()


@dataclass
class _RunItems:
    """The items of one run. The path is two curves: the ``body`` (settled, rebuilt rarely,
    painted from a pixmap cache) and the ``tail`` (the newest points, rebuilt every frame)."""

    body: pg.PlotCurveItem
    tail: pg.PlotCurveItem
    head: pg.ScatterPlotItem  # one spot at (0, 0), moved with setPos (cheaper than setData)
    diverged: pg.ScatterPlotItem  # likewise
    sample: pg.PlotDataItem  # the legend's swatch, never added to the plot
    visible: bool
    key: tuple | None = None  # what was drawn last: skip unchanged runs
    split: int = 0  # the body is drawn[:split + 1], the tail drawn[split:]; 0: no body
    anchor: tuple | None = None  # (drawn[0], drawn[split]) when the body was built

    def items(self):
        return (self.body, self.tail, self.head, self.diverged)


class ContourView(pg.PlotWidget):
    """The loss surface seen from above, with every run's path.

    Signals:
        startMoved(float, float): the user dragged the start handle (emitted while dragging)
            or left-clicked the map; the arguments are the point in surface coordinates.

    Methods:
        set_surface(surface, grid): show a new surface (colour map, iso-lines, critical points).
        set_runs(styles): one path, head dot and divergence marker per run, and the legend.
        update_runs(sim): move the paths to ``sim``'s history; cheap, called every frame.
        set_start(x, y): move the start handle without emitting ``startMoved``.
    """

    startMoved = Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        style_plot(self)
        self.setAntialiasing(True)
        if QPixmapCache.cacheLimit() < PIXMAP_CACHE_KB:
            QPixmapCache.setCacheLimit(PIXMAP_CACHE_KB)
        item = self.getPlotItem()
        item.layout.setContentsMargins(4, 12, 16, 4)  # room for the outermost tick labels
        self.view_box = item.getViewBox()
        self.view_box.setAspectLocked(False)
        self.view_box.setMouseEnabled(x=True, y=True)
        self.view_box.disableAutoRange()
        self.view_box.sigRangeChanged.connect(self._on_range_changed)
        self.surface = None
        self._view = None
        self._draw_box = None

        self.image = _SmoothImageItem(axisOrder="row-major")
        self.image.setLookupTable(colormap.lookup_table())
        self.image.setZValue(_Z_IMAGE)
        self.view_box.addItem(self.image)

        self.isolines = pg.PlotCurveItem(pen=ISO_PEN, connect="finite", antialias=True)
        self.isolines.setZValue(_Z_ISO)
        self.view_box.addItem(self.isolines, ignoreBounds=True)

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

        self.legend = pg.LegendItem(offset=(-10, 10), brush=pg.mkBrush(255, 255, 255, 200),
                                    pen=pg.mkPen((120, 120, 120), width=1), labelTextColor=TEXT_COLOR,
                                    labelTextSize=f"{TICK_POINT_SIZE}pt", sampleType=_StaticSample)
        self.legend.setParentItem(self.view_box)
        self.legend.setZValue(100)

        self._placing = False
        self._last_sim = None
        self._thin_pixel = None
        self._runs: list[_RunItems] = []
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    # ------------------------------------------------------------------ surface

    def set_surface(self, surface, grid: SurfaceGrid) -> None:
        """Show ``surface`` sampled as ``grid`` (colours and iso-lines from ``grid.scale``)."""
        self.surface = surface
        self._view = surface.view
        self._draw_box = surface.view.expanded(DRAW_MARGIN)
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
        self.reset_view()
        for run in self._runs:  # the drawing box changed: redraw every path from scratch
            run.key, run.split, run.anchor = None, 0, None
        self._last_sim = self._thin_pixel = None  # wait for the new surface's simulation

    def reset_view(self) -> None:
        """Show the surface's view box exactly."""
        if self._view is None:
            return
        v = self._view
        self.view_box.setRange(xRange=(v.xmin, v.xmax), yRange=(v.ymin, v.ymax), padding=0.0)

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
            font.setPointSizeF(TICK_POINT_SIZE - 1)
            for i, (x, y) in enumerate(minima):
                text = pg.TextItem(f"min {i + 1}" if len(minima) > 1 else "min", color=TEXT_COLOR,
                                   anchor=(-0.15, 1.05), fill=pg.mkBrush(255, 255, 255, 150))
                text.setFont(font)
                text.setPos(x, y)
                text.setZValue(_Z_CRITICAL)
                self.view_box.addItem(text, ignoreBounds=True)
                self._minimum_labels.append(text)

    # ------------------------------------------------------------------ runs

    def set_runs(self, styles: Sequence[RunStyle]) -> None:
        """(Re)create the items of every run; invisible runs are hidden and left out of the legend."""
        for run in self._runs:
            for item in run.items():
                self.view_box.removeItem(item)
        self.legend.clear()
        self._runs = []
        self._last_sim = self._thin_pixel = None
        for k, style in enumerate(styles):
            color = pg.mkColor(style.color)
            pen = pg.mkPen(color, width=PATH_WIDTH)
            # A light casing (shadow pen) keeps every colour readable on dark and light map areas.
            body, tail = (pg.PlotCurveItem(pen=pen, shadowPen=PATH_CASING, antialias=True) for _ in range(2))
            # Stroking a long antialiased path is what costs in a frame; the body changes only
            # every TAIL_POINTS steps, so it is painted from a cached pixmap in between.
            body.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            head = pg.ScatterPlotItem(pos=[(0.0, 0.0)], symbol="o", size=HEAD_SIZE, pen=HEAD_OUTLINE,
                                      brush=pg.mkBrush(color), antialias=True)
            diverged = pg.ScatterPlotItem(pos=[(0.0, 0.0)], symbol="x", size=DIVERGED_SIZE,
                                          pen=DIVERGED_OUTLINE, brush=pg.mkBrush(color), antialias=True)
            sample = pg.PlotDataItem(pen=pen, symbol="o", symbolSize=HEAD_SIZE - 2, symbolPen=HEAD_OUTLINE,
                                     symbolBrush=pg.mkBrush(color))
            sample.setData([0.0], [0.0])  # the legend draws the symbol from the item's scatter
            run = _RunItems(body, tail, head, diverged, sample, bool(style.visible))
            # The tail lies over the body, so its casing does not whiten the body's line end.
            for item, z in zip(run.items(), (_Z_PATH, _Z_PATH + 0.005, _Z_HEAD, _Z_DIVERGED)):
                item.setZValue(z + 0.01 * k)
                self.view_box.addItem(item, ignoreBounds=True)
                item.setVisible(False)  # shown once update_runs has points
            if style.visible:
                self.legend.addItem(sample, style.title)
            self._runs.append(run)
        self.legend.setVisible(any(run.visible for run in self._runs))

    def update_runs(self, sim) -> None:
        """Draw every visible run's path up to its last finite point; cheap per frame."""
        self._last_sim = sim
        positions = sim.history.positions
        for k, run in enumerate(self._runs[: sim.K]):
            if not run.visible:
                continue
            pts = positions[: sim.length(k), k, 0]
            n = len(pts)
            if n and not np.isfinite(pts[-1]).all():
                finite = np.flatnonzero(np.isfinite(pts).all(axis=1))
                n = int(finite[-1]) + 1 if finite.size else 0
            status = int(sim.status[k, 0])
            key = (n, status, *pts[0], *pts[n - 1]) if n else (0, status)
            if key == run.key:
                continue  # unchanged since the last frame (finished, or paused)
            run.key = key
            self._draw_run(run, pts[:n], status == Status.DIVERGED)

    def path_data(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The polyline drawn for run k (body and tail joined), as ``(x, y)``."""
        run = self._runs[k]
        tx, ty = run.tail.getData()
        tx = np.zeros(0) if tx is None else tx
        ty = np.zeros(0) if ty is None else ty
        if run.split == 0:
            return tx, ty
        bx, by = run.body.getData()
        return np.concatenate([bx, tx[1:]]), np.concatenate([by, ty[1:]])

    def _draw_run(self, run: _RunItems, finite: np.ndarray, diverged: bool) -> None:
        """``finite``: the path up to its last finite point."""
        drawn = self._drawable(finite)
        if len(drawn) == 0:
            run.split, run.anchor = 0, None
            for item in run.items():
                item.setVisible(False)
            return
        self._set_path(run, drawn)
        # The head sits on the last finite point, unless that is astronomically far off the map.
        head_shown = self._draw_box is None or bool(self._draw_box.contains(finite[-1]))
        if head_shown:
            run.head.setPos(float(finite[-1, 0]), float(finite[-1, 1]))
        run.head.setVisible(head_shown)
        if diverged:
            x, y = self._divergence_spot(finite)
            run.diverged.setPos(x, y)
        run.diverged.setVisible(diverged)

    def _set_path(self, run: _RunItems, drawn: np.ndarray) -> None:
        """Draw ``drawn`` as body + tail. Only the tail (≤ ``TAIL_POINTS`` · 2 points) is new in
        a typical frame; the body is rebuilt when the tail has grown long, or when the path is
        no longer the one the body was built from (restart, new start point, zoom)."""
        m = len(drawn)
        s = run.split
        if s and not (s < m and run.anchor == (*drawn[0], *drawn[s])):
            s = 0  # the body no longer belongs to this path
        rebuild = m - s > 2 * TAIL_POINTS
        if rebuild:
            s = m - TAIL_POINTS
        if s == 0:
            run.body.setVisible(False)
            run.anchor = None
        elif rebuild:
            body = self._thinned(drawn[: s + 1])
            run.body.setData(body[:, 0], body[:, 1], skipFiniteCheck=True)
            run.body.setVisible(True)
            run.anchor = (*drawn[0], *drawn[s])
        run.split = s
        tail = drawn[s:]
        run.tail.setData(tail[:, 0], tail[:, 1], skipFiniteCheck=True)
        run.tail.setVisible(True)

    def _thinned(self, pts: np.ndarray) -> np.ndarray:
        if len(pts) <= EXACT_POINTS:
            return pts
        px, py = self.view_box.viewPixelSize()
        self._thin_pixel = (px, py)
        if not (px > 0 and py > 0 and np.isfinite(px) and np.isfinite(py)):
            return pts
        # Drop the points that stay in the same quarter-pixel cell as the one before.
        cells = np.floor(pts / (THIN_PIXELS * np.array([px, py])))
        keep = np.empty(len(pts), dtype=bool)
        keep[0] = keep[-1] = True
        np.any(cells[1:-1] != cells[:-2], axis=1, out=keep[1:-1])
        return pts[keep]

    def _drawable(self, pts: np.ndarray) -> np.ndarray:
        """The path as drawn: ``pts`` up to where it leaves the drawing box (the view grown by
        ``DRAW_MARGIN`` on every side), ending exactly on the box edge.

        Raster engines drop a whole path when one coordinate is astronomically far (a diverging
        run's last point), so nothing beyond the box is handed to Qt.
        """
        if self._draw_box is None or len(pts) == 0:
            return pts
        outside = np.flatnonzero(~self._draw_box.contains(pts))
        if outside.size == 0:
            return pts
        j = int(outside[0])
        if j == 0:
            return pts[:0]
        a, b = pts[j - 1], pts[j]
        box = self._draw_box
        t = 1.0
        for axis, (lo, hi) in enumerate(((box.xmin, box.xmax), (box.ymin, box.ymax))):
            d = b[axis] - a[axis]
            if b[axis] > hi:
                t = min(t, (hi - a[axis]) / d)
            elif b[axis] < lo:
                t = min(t, (lo - a[axis]) / d)
        exit_point = a + max(t, 0.0) * (b - a)
        return np.vstack([pts[:j], exit_point[None, :]])

    def _divergence_spot(self, finite: np.ndarray) -> tuple[float, float]:
        """Where to mark a diverged run: its last finite point, or, when that lies off the map,
        the last point of its path still on the map (where it flew off)."""
        last = finite[-1]
        if self._view is None or self._view.contains(last):
            return float(last[0]), float(last[1])
        inside = np.flatnonzero(self._view.contains(finite))
        if inside.size == 0:
            return float(last[0]), float(last[1])
        x, y = finite[inside[-1]]
        return float(x), float(y)

    def _on_range_changed(self, *_) -> None:
        """Zoomed in (or far out): bodies thinned for the old pixel size are rebuilt at once,
        so a paused race looks right when inspected up close."""
        if self._thin_pixel is None or self._last_sim is None:
            return
        (px, py), (ox, oy) = self.view_box.viewPixelSize(), self._thin_pixel
        if not (px > 0 and py > 0):
            return
        ratio = max(ox / px, oy / py)  # > 1: zoomed in
        if ratio < 1.25 and 1.0 / min(ox / px, oy / py) < 2.0:
            return
        self._thin_pixel = None
        for run in self._runs:
            run.key, run.split, run.anchor = None, 0, None
        self.update_runs(self._last_sim)

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
        if self.legend.isVisible() and self.legend.sceneBoundingRect().contains(pos):
            return
        point = self.view_box.mapSceneToView(pos)
        x, y = float(point.x()), float(point.y())
        self.set_start(x, y)
        self.startMoved.emit(x, y)
