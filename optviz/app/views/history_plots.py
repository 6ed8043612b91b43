"""Per-step curves of the race: the loss J(W_t) or the gradient norm |∇J(W_t)| of every run.

Only renders ``sim.history.loss`` / ``sim.history.grad_norm``; a log y axis masks the values
that have no logarithm (zero, negative, NaN, inf) as gaps instead of failing. A curve draws at
most a few thousand points however long the race (:class:`~optviz.render.decimation.SeriesDecimator`: the
newest 2,000 steps exactly, older ones as the extremes of sub-pixel buckets), updated from
the new steps only, so a frame costs the same at step 100,000 as at step 1,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetrics

from .contour_view import set_axis_labels, set_plot_look, style_plot
from ...render.decimation import SeriesDecimator
from ...render.theme import NORMAL, get_theme

if TYPE_CHECKING:
    from ...render.inputs import RunStyle

FIELDS = {
    "loss": "loss J(W)",
    "grad_norm": "|∇J(W)|",
}
CURVE_WIDTH = 2.0
#: A plot is never narrower than this (px): the readouts beside it may take the rest.
MIN_WIDTH = 120
#: The step axis shows at least this many steps (a fresh race has one point per run).
MIN_STEPS_SHOWN = 10
#: Samples per pixel column before peak downsampling (pyqtgraph's default is 5).
DOWNSAMPLE_FACTOR = 1.0


class TickGrid(pg.GraphicsObject):
    """Grid lines at the axes' major and minor ticks, drawn in view coordinates.

    Replaces pyqtgraph's axis grid, which Qt's raster engine repaints at ~13 ms per plot (it
    replays each axis' recorded picture across the whole view): that alone would cap a
    playing race near 30 fps. Unantialiased axis-aligned lines cost well under 1 ms.
    """

    ALPHAS = (45, 22)  # major, minor (an instance may override them: the projector theme)

    def __init__(self, plot_item: pg.PlotItem) -> None:
        super().__init__()
        self._plot = plot_item
        self._view = plot_item.getViewBox()
        self._view.sigRangeChanged.connect(self._range_changed)
        self.setZValue(-100)

    def _range_changed(self, *args) -> None:
        self.prepareGeometryChange()
        self.update()

    def boundingRect(self):
        return self._view.viewRect()

    def paint(self, painter, *args) -> None:
        rect = self._view.viewRect()
        size = self._view.size()
        painter.setRenderHint(painter.RenderHint.Antialiasing, False)
        for name, lo, hi, pixels in (("bottom", rect.left(), rect.right(), size.width()),
                                     ("left", rect.top(), rect.bottom(), size.height())):
            if pixels <= 0 or not hi > lo:
                continue
            levels = self._plot.getAxis(name).tickValues(lo, hi, pixels)[: len(self.ALPHAS)]
            for (_, values), alpha in zip(levels, self.ALPHAS):
                pen = pg.mkPen((0, 0, 0, alpha), width=1)
                painter.setPen(pen)
                for v in values:
                    if name == "bottom":
                        painter.drawLine(QPointF(v, rect.top()), QPointF(v, rect.bottom()))
                    else:
                        painter.drawLine(QPointF(rect.left(), v), QPointF(rect.right(), v))


class HistoryPlot(pg.PlotWidget):
    """One history field of every run against the step.

    Args:
        field: ``"loss"`` (``sim.history.loss``) or ``"grad_norm"`` (``sim.history.grad_norm``).

    Methods:
        set_runs(styles): one curve per run in its colour; invisible runs hidden.
        update_runs(sim): the curves follow the history of ``sim``; cheap, called every frame.
        set_log(on): logarithmic y axis.
    """

    def __init__(self, field: str = "loss", parent=None) -> None:
        if field not in FIELDS:
            raise ValueError(f"history field must be one of {', '.join(FIELDS)}, got {field!r}")
        super().__init__(parent, background="w")
        self.field = field
        style_plot(self, "step", FIELDS[field])
        item = self.getPlotItem()
        self.grid = TickGrid(item)
        item.getViewBox().addItem(self.grid, ignoreBounds=True)
        item.setMenuEnabled(True)
        # The PlotItem hands these to every curve it adds (item settings would be overridden):
        # at most two points per pixel column (min and max), only the visible steps.
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.view_box = item.getViewBox()
        # y follows the data (pyqtgraph's auto range); x is set to the steps here: with clipping
        # to the view and downsampling, pyqtgraph's x auto range can flip between two ranges
        # forever (the range changes the clipped data, whose bounds change the range).
        self.view_box.enableAutoRange(x=False, y=True)
        self._follow_x = True  # until the user zooms or pans
        self.view_box.sigRangeChangedManually.connect(self._stop_following)
        self._curves: list[pg.PlotDataItem] = []
        self._visible: list[bool] = []
        self._keys: list[tuple | None] = []
        self._decimators: list[SeriesDecimator] = []
        self._colors: list = []
        self._dashes: list = []
        self._theme, self._scale = NORMAL, 1.0
        self.log = False
        self.reference: float | None = 0.0 if field == "grad_norm" else None
        self.getAxis("left").enableAutoSIPrefix(False)  # "(x0.001)" on a log axis misleads
        # Only decade labels on a log axis: minor labels (2, 3, … 9) crowd each other.
        _label_decades_only(self.getAxis("left"))
        self._fix_label_space()
        self.setMinimumWidth(MIN_WIDTH)  # beside the readouts, which keep the width their text needs

    def set_runs(self, styles: Sequence[RunStyle]) -> None:
        self._follow_x = True
        for curve in self._curves:
            self.removeItem(curve)
        self._curves, self._visible, self._keys = [], [], []
        self._decimators = [SeriesDecimator() for _ in styles]
        self._colors = [style.color for style in styles]
        self._dashes = [tuple(getattr(style, "dash", ()) or ()) for style in styles]
        width = self._theme.curve_width * self._scale
        for k, style in enumerate(styles):
            curve = pg.PlotDataItem(pen=_curve_pen(style.color, width, self._dashes[k]), connect="finite",
                                    antialias=True, skipFiniteCheck=True)
            curve.opts["autoDownsampleFactor"] = DOWNSAMPLE_FACTOR
            # Separate segments: Qt fills a wide polyline as one polygon, which is very slow
            # for a curve that oscillates (peak downsampling draws a saw wave). A dashed curve
            # needs one polyline (the pattern restarts on every segment); downsampling keeps it
            # to about two points per pixel column.
            curve.curve.setSegmentedLineMode("off" if self._dashes[k] else "on")
            curve.setZValue(k)
            curve.setVisible(style.visible)
            self.addItem(curve)
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self._curves.append(curve)
            self._visible.append(bool(style.visible))
            self._keys.append(None)
        self.getPlotItem().setLogMode(y=self._log_active)

    def update_runs(self, sim) -> None:
        values = getattr(sim.history, self.field)
        longest = int(max((sim.length(k) for k in range(min(len(self._curves), sim.K))), default=0))
        for k, curve in enumerate(self._curves[: sim.K]):
            if not self._visible[k]:
                continue
            n = sim.length(k)
            series = values[:n, k, 0]  # a view: nothing is copied
            key = (n, series[0].tobytes(), series[-1].tobytes(), self._log_active) if n else (0, self._log_active)
            if key == self._keys[k]:
                continue  # nothing new since the last frame
            self._keys[k] = key
            x, y = self._decimators[k].update(series)
            if self._log_active and self.reference:
                y = y - self.reference  # after decimation: a shift keeps each bucket's extremes
            curve.setData(x, y, connect="finite", skipFiniteCheck=True)
        if self._follow_x and longest > 0:
            # Steps are whole numbers: never fewer than MIN_STEPS_SHOWN on the axis, or a fresh
            # race shows ticks at 0.2, 0.4 …
            self.view_box.setXRange(0, max(longest - 1, MIN_STEPS_SHOWN), padding=0.02)
        # Fit the range now rather than in pyqtgraph's prepareForPaint: changing the range
        # during the paint schedules a second full repaint of every curve.
        self.view_box.prepareForPaint()
        self._keep_a_decade()

    def _keep_a_decade(self) -> None:
        """On a log axis, show at least one whole decade: a fresh race (one value per run) or a
        run that stays within a factor of ten would otherwise be labelled 2, 3 … 9 with no power
        of ten to read them by."""
        if not (self._log_active and self._follow_x):
            return
        lo, hi = self.view_box.childrenBounds()[1] or (None, None)
        if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
            return
        if hi - lo >= 1.0:
            if not self.view_box.autoRangeEnabled()[1]:
                self.view_box.enableAutoRange(y=True)
            return
        low = np.floor(lo)
        high = max(np.ceil(hi), low + 1.0)
        self.view_box.setYRange(low, high, padding=0.04)  # disables y auto-range until it widens

    def _stop_following(self, *_) -> None:
        self._follow_x = False

    def set_look(self, theme, scale: float = 1.0) -> None:
        """Axes, fonts, grid and curve widths for ``theme`` ("normal"/"projector") at ``scale``;
        ``set_look("normal", 1)`` restores the look the plot was built with."""
        theme = get_theme(theme) if isinstance(theme, str) else theme
        self._theme, self._scale = theme, float(scale)
        set_plot_look(self, theme, self._scale)
        self._fix_label_space()
        self._apply_axis()  # the axis title may wrap at this size
        self.grid.ALPHAS = theme.grid_alphas
        self.grid.update()
        for curve, color, dash in zip(self._curves, self._colors, self._dashes):
            curve.setPen(_curve_pen(color, theme.curve_width * self._scale, dash))

    def _fix_label_space(self) -> None:
        """Room for the widest y label, fixed: pyqtgraph otherwise fits the axis to its labels,
        and at some ranges the new width changes the ticks, whose labels change the width
        back, repainting without end."""
        axis = self.getAxis("left")
        font = axis.style["tickFont"] or self.font()
        width = QFontMetrics(font).horizontalAdvance("−100000") + 2
        axis.setStyle(autoExpandTextSpace=False, autoReduceTextSpace=False, tickTextWidth=width)

    @property
    def _log_active(self) -> bool:
        return self.log and self.reference is not None

    def set_log(self, on: bool) -> None:
        """Log y axis; zero, negative and non-finite values become gaps."""
        self.log = bool(on)
        self._apply_axis()

    def set_reference(self, value: float | None) -> None:
        """The lowest possible value J* (the global minimum), or None if unknown/unbounded.

        A log axis then shows J(W) − J*, the gap to the optimum, which is positive even where
        J itself is negative; without a J* the axis stays linear, since log J is meaningless.
        """
        self.reference = None if value is None or not np.isfinite(value) else float(value)
        self._apply_axis()

    def _apply_axis(self) -> None:
        label = FIELDS[self.field]
        if self.field == "loss" and self.log:
            if self._log_active:
                label = "J(W) − J*" if self.reference else "loss J(W)"
            else:
                label = "loss J(W) (linear: no lower bound)"
        if self._scale > 1.2:  # large type (presentation): a short note on a second line, or it is cut off
            label = label.replace(" (linear: no lower bound)", "<br>(linear)")
        set_axis_labels(self, "step", label)
        self.getPlotItem().setLogMode(y=self._log_active)
        self._keys = [None] * len(self._keys)  # redraw with the new transform
        self.view_box.enableAutoRange(y=True)
        self._follow_x = True


def _curve_pen(color, width: float, dash=()):
    """A curve's pen: ``width`` px in ``color``, dashed as its optimizer's paths are."""
    pen = pg.mkPen(color, width=width)
    if dash:
        pen.setDashPattern([float(d) for d in dash])
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


def _label_decades_only(axis: pg.AxisItem) -> None:
    """On a log axis, write labels only at powers of ten (1, 10, 0.1 …): pyqtgraph labels
    2, 3 … 9 too when the range is short, and they overprint each other. Without a decade in
    view every label stays."""
    original = axis.tickStrings

    def tick_strings(values, scale, spacing):
        strings = original(values, scale, spacing)
        if not axis.logMode:
            return strings
        decade = [abs(v - round(v)) < 1e-9 for v in values]
        if not any(decade):
            return strings
        return [text if is_decade else "" for text, is_decade in zip(strings, decade)]

    axis.tickStrings = tick_strings
