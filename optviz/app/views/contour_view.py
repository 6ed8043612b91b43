"""The 2D view: the loss as a coloured map with iso-lines, and the runs' paths racing over it.

Only renders: the colours are ``colormap`` applied to ``grid.scale(grid.z)``, the iso-lines sit
at ``grid.scale.levels()``, the paths are ``sim.history.positions``. Click the map (or drag the
start handle) to move the start point: the view emits ``startMoved(x, y)`` and the owner decides.

pyqtgraph gives the axes, the zoom and the mouse; the map's content is painted by the renderer
exported frames use too (:mod:`optviz.render.contour_painter`), inside the items' ``paint``: the
colour image, the iso-lines, the ★ and × with their labels, the paths, the heads and the
status marks (:func:`~optviz.render.contour_painter.run_marks` decides them for both; the
items are in :mod:`.contour_items`). So the window and an exported frame draw the same race
at the same step alike.

Paths are painted incrementally: each frame strokes only the segments added since the last
one into two cached images (casings below, lines above,
:class:`~optviz.render.contour_painter.PathLayers`), which are then blitted. Stroking
thousands of wide antialiased segments every frame would take tens of milliseconds, and
seconds for a run bouncing across the map. The images are repainted in full only when the
view moves or zooms, a run restarts, or the runs change.

Also home of :func:`style_plot`, the light, projector-friendly look the 2D plots share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsItem

from ...render import contour_painter as cp
from .contour_items import ColorMap, CriticalPoints, IsoLines, MapLabel, PathCanvas, RunItems
from ...render.map_style import (DRAW_MARGIN, ISO_LEVELS, MAX_MINIMUM_LABELS, START_COLOR, START_FILL,
                                 START_LABEL_FILL, START_LABEL_OFFSET, START_SIZE, START_WIDTH)
from ...render.theme import NORMAL, Theme, get_theme, hex_color

if TYPE_CHECKING:  # the view only reads attributes; no import cycle with the controller
    from ...render.inputs import RunStyle, SurfaceGrid

#: Dark grey of the axes, tick labels and text: high contrast on white, softer than black.
TEXT_COLOR = (45, 50, 60)
#: Smallest point size of tick labels and legend text (the plots are projected in lecture halls).
TICK_POINT_SIZE = 11
LABEL_POINT_SIZE = 12

#: How far the user may zoom in and out, as fractions of the surface's view box.
ZOOM_IN_LIMIT, ZOOM_OUT_LIMIT = 1e-3, 4.0

# Stacking order inside the view box.
_Z_IMAGE, _Z_ISO, _Z_PATH, _Z_CRITICAL, _Z_HEAD, _Z_DIVERGED, _Z_START = -100, -50, 10, 20, 30, 35, 50
_Z_EXIT = 25


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


class ContourView(pg.PlotWidget):
    """The loss surface seen from above, with every run's path.

    Signals:
        startMoved(float, float): the user dragged the start handle (emitted while dragging)
            or left-clicked the map; the arguments are the point in surface coordinates.

    Methods:
        set_surface(surface, grid): show a new surface (colour map, iso-lines, critical points).
        set_runs(styles): one path and its marks (head, diverged ×, left-the-view arrow) per run.
        update_runs(sim): move the paths and marks to ``sim``'s history and statuses (a
            Simulation or a RaceFrame); cheap, called every frame.
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
        self._look = cp.map_look(NORMAL, 1.0)
        self._styles: list = []

        self.image = ColorMap()
        self.image.setZValue(_Z_IMAGE)
        self.view_box.addItem(self.image)

        self.isolines = IsoLines()
        self.isolines.setZValue(_Z_ISO)
        self.view_box.addItem(self.isolines, ignoreBounds=True)
        # The map and its iso-lines only change with the surface or the zoom: Qt keeps them
        # as pixmaps, so a frame of a playing race repaints the paths, not ~3 ms of lines.
        for item in (self.image, self.isolines):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

        self.minima = CriticalPoints("minimum")
        self.minima.setZValue(_Z_CRITICAL)
        self.view_box.addItem(self.minima, ignoreBounds=True)
        self.saddles = CriticalPoints("saddle")
        self.saddles.setZValue(_Z_CRITICAL)
        self.view_box.addItem(self.saddles, ignoreBounds=True)
        self._minimum_labels: list[MapLabel] = []

        # The start handle stays pyqtgraph's (it is dragged); it looks like the exports' start
        # (optviz.render.contour_painter.paint_start): the same symbol, size and pens.
        self.start_handle = pg.TargetItem(
            pos=(0.0, 0.0), size=START_SIZE, symbol="crosshair", pen=pg.mkPen(START_COLOR, width=START_WIDTH),
            hoverPen=pg.mkPen((200, 0, 0), width=3), brush=START_FILL,
            hoverBrush=(255, 255, 255, 220), movable=True, label="start",
            # Its label beside it on the right (cp.start_label_rect, the exports' place).
            labelOpts={"color": TEXT_COLOR, "offset": (START_LABEL_OFFSET, 0.0), "anchor": (0, 0.5),
                       "fill": pg.mkBrush(*START_LABEL_FILL)},
        )
        self._style_start_label()
        self.start_handle.setZValue(_Z_START)
        self.view_box.addItem(self.start_handle, ignoreBounds=True)
        self.start_handle.sigPositionChanged.connect(self._on_handle_moved)

        self.paths = PathCanvas()
        self.paths.setZValue(_Z_PATH)
        self.view_box.addItem(self.paths, ignoreBounds=True)

        self._placing = False
        self._runs: list[RunItems] = []
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
        u = grid.scale(grid.z)  # z[iy, ix]: rows along y
        # Pixel centres on the samples: the image reaches half a cell beyond the first/last sample.
        self.image.set_grid(u, xs, ys)
        # Iso-lines are traced on u, so log-scaled surfaces get log-spaced lines.
        lines = cp.isolines(u, grid.scale(grid.scale.levels(ISO_LEVELS)), xs, ys)
        self.isolines.setData(lines[:, 0], lines[:, 1], connect="finite", skipFiniteCheck=True)
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

    def _set_critical_points(self, surface) -> None:
        for label in self._minimum_labels:
            self.view_box.removeItem(label)
        self._minimum_labels = []
        minima = [(m.x, m.y) for m in surface.minima]
        saddles = [(s.x, s.y) for s in surface.saddles]
        self.minima.setData(pos=np.array(minima, dtype=float).reshape(-1, 2))
        self.saddles.setData(pos=np.array(saddles, dtype=float).reshape(-1, 2))
        if 0 < len(minima) <= MAX_MINIMUM_LABELS:
            for i, (x, y) in enumerate(minima):
                label = MapLabel(cp.minimum_label(i, len(minima)), self._look)
                label.setAnchor(self._label_anchor(label, (1, 1)))  # checked on the next pass
                label.setPos(x, y)
                label.setZValue(_Z_CRITICAL)
                self.view_box.addItem(label, ignoreBounds=True)
                self._minimum_labels.append(label)
            self._label_timer.start()

    def _label_anchor(self, label: MapLabel, side: tuple[int, int]) -> tuple[float, float]:
        """The anchor that puts ``label`` where the shared renderer puts it (:func:`cp.label_rect`)."""
        w, h = label.size()
        rect = cp.label_rect(QPointF(0.0, 0.0), (w, h), side, self._look)
        return (-rect.left() / max(w, 1e-9), -rect.top() / max(h, 1e-9))

    def _place_minimum_labels(self, *_) -> None:
        """Each minimum's label beside its star, up and to the right unless that would run off
        the map as it is drawn now (:meth:`ViewBox.label_side`); again whenever the map resizes."""
        if not self._minimum_labels or self.surface is None:
            return
        px = self.view_box.viewPixelSize()
        if not all(np.isfinite(px)) or min(px) <= 0:
            return
        box = self.surface.view
        to_px = cp.MapTransform(1.0 / px[0], 0.0, -1.0 / px[1], 0.0)  # only its scale matters here
        for label, m in zip(self._minimum_labels, self.surface.minima):
            side = cp.label_side(box, m.x, m.y, label.size(), to_px, self._look)  # the exports' rule
            anchor = self._label_anchor(label, side)
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
        for k, style in enumerate(styles):
            run = RunItems(pg.mkColor(style.color), tuple(getattr(style, "dash", ()) or ()),
                            getattr(style, "marker", None) or "o", self._look, bool(style.visible))
            for item, z in zip(run.items(), (_Z_HEAD, _Z_DIVERGED, _Z_EXIT)):
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
            self._draw_run(run, pts[:n], status)
        self.paths.extend()

    def path_data(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The polyline drawn for run k, as ``(x, y)``."""
        drawn = self._runs[k].drawn
        return drawn[:, 0], drawn[:, 1]

    def _draw_run(self, run: RunItems, finite: np.ndarray, status: int) -> None:
        """``finite``: the path up to its last finite point; ``status``: the run's at this step.
        Its marks are the exports' (:func:`cp.run_marks`): the head on the last finite point
        unless that is astronomically far off the map, a × where it diverged, an arrow where
        it left the view."""
        run.drawn = self._drawable(finite, run)
        marks = cp.run_marks(finite, status, self._view, self._draw_box) if len(run.drawn) else cp.RunMarks()
        for item, at in ((run.head, marks.head), (run.diverged, marks.diverged), (run.exit, marks.exit)):
            if at is not None:
                item.setPos(*at)
            item.setVisible(at is not None)
        if marks.direction is not None:
            run.exit.set_direction(marks.direction)

    def _drawable(self, pts: np.ndarray, run: RunItems | None = None) -> np.ndarray:
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

    # ------------------------------------------------------------------ look

    def set_look(self, theme: str | Theme, scale: float = 1.0) -> None:
        """Draw with ``theme`` ("normal" or "projector") at ``scale``: tick labels and axis
        titles, iso-lines, markers, the start handle, path and casing widths.
        ``set_look("normal", 1)`` restores the look the view was built with."""
        theme = get_theme(theme) if isinstance(theme, str) else theme
        s = float(scale)
        self._theme, self._scale = theme, s
        self._look = look = cp.map_look(theme, s)
        set_plot_look(self, theme, s)
        self._fix_label_space()
        for item in (self.isolines, self.minima, self.saddles):
            item.set_look(look)
            item.update()
        self.image.update()
        handle = self.start_handle
        handle.scale = look.start_size  # TargetItem keeps its on-screen size here
        handle.setPen(pg.mkPen(START_COLOR, width=look.start_width))
        handle.setHoverPen(pg.mkPen((200, 0, 0), width=3 * s))
        handle._shape = None
        handle.prepareGeometryChange()
        handle.update()
        self._style_start_label()
        self.paths.casing_opacity = look.casing_opacity
        self.paths.casing_width = look.casing_width
        if self.surface is not None:
            self._set_critical_points(self.surface)
        self.set_runs(self._styles)  # heads, swatches and pens at the new size
        for run in self._runs:
            run.key = None  # update_runs redraws every path

    def _style_start_label(self) -> None:
        """The start's label as the exports draw it (:func:`cp.label_size`, :func:`cp.start_label_rect`)."""
        label, look = self.start_handle.label(), self._look
        if label is None:
            return
        label.setFont(look.label_font())
        label.setColor(look.text)
        label.textItem.document().setDocumentMargin(look.label_pad)
        label.offset = pg.Point(START_LABEL_OFFSET * look.scale, 0.0)
        label.viewTransformChanged()

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
