"""The learning-rate sweep as a plot: the score (worst tail loss − J*) against α on log-log
axes, with the runs that did not settle, the diverged region, the margin band below the
divergence edge, the chosen α and the run's current α (:class:`SweepPlot`). The numbers are
:mod:`optviz.core.tuning`'s; this only draws them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QWidget,
)

from ...core import tuning
from ...core.tuning import Sweep
from ..views.contour_view import LABEL_POINT_SIZE, plot_look, set_plot_look, style_plot
from ...render.theme import get_theme
from ..panels.widgets import format_value


DIVERGED_BRUSH = (214, 39, 40, 45)
DIVERGED_TEXT = "#b00020"
MARGIN_BRUSH = (240, 160, 20, 55)
MARGIN_TEXT = "#8a5300"
UNSETTLED_COLOR = "#e07000"
BEST_COLOR = "#1b5e20"
CURRENT_COLOR = "#505868"
#: Where the marker labels sit along their lines (fractions of the plot's height, from the bottom).
LABEL_POSITIONS = {"chosen": 0.05, "current": 0.17, "margin": 0.95, "diverged": 0.95}


def _finite(y: np.ndarray) -> np.ndarray:
    y = np.array(y, dtype=float)
    y[~np.isfinite(y)] = np.nan
    return y


class SweepPlot(pg.PlotWidget):
    """The score (worst tail loss − J*) against α on log-log axes: faint per-seed curves, the
    mean with the refinement's points, orange rings on the α that did not settle, the diverged
    region (red), the margin band below the divergence edge (amber), the chosen and the
    current α. ``set_look(theme, scale)`` redraws it for presentation mode."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style_plot(self, "learning rate α (log scale)", "worst J − J* in the tail")
        self.setLogMode(x=True, y=True)
        self.setMouseEnabled(x=False, y=False)
        self.setMinimumSize(560, 220)
        item = self.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.15)
        self.mean_curve: pg.PlotDataItem | None = None
        self.unsettled_points: pg.ScatterPlotItem | None = None
        self.seed_curves: list[pg.PlotDataItem] = []
        self.regions: list[pg.LinearRegionItem] = []
        self.margin: pg.LinearRegionItem | None = None
        self.best_line: pg.InfiniteLine | None = None
        self.current_line: pg.InfiniteLine | None = None
        self.labels: list[pg.InfLineLabel] = []  # every marker label (their fonts follow the look)
        self.sweep: Sweep | None = None
        self._shown: tuple | None = None  # (sweep, colour, current) for a redraw at a new look

    # ------------------------------------------------------------------ look

    def set_look(self, theme, scale: float) -> None:
        """Axes, tick labels, axis titles, marker labels and the legend at ``scale``; a shown
        sweep is redrawn with lines and markers scaled too. ``theme``: a Theme or its name."""
        set_plot_look(self, get_theme(theme) if isinstance(theme, str) else theme, scale)
        self.setMinimumWidth(int(560 * scale))
        if self._shown is not None:
            self.show_sweep(*self._shown)

    def _scale(self) -> float:
        return plot_look(self)[1]

    def _label(self, line: pg.InfiniteLine, text: str, where: str, color: str, anchor=(0, 1)) -> pg.InfLineLabel:
        """A label on ``line``, beside it: right of it with ``anchor`` (0, ·), left with (1, ·);
        flipped to the other side when the line is near that edge of the plot (the text stays in
        view)."""
        lo, hi = (math.log10(self.sweep.learning_rates[0]), math.log10(self.sweep.learning_rates[-1])) \
            if self.sweep is not None else (line.value() - 1, line.value() + 1)
        where_x = (line.value() - lo) / max(hi - lo, 1e-12)
        if anchor[0] == 0 and where_x > 0.72:
            anchor = (1, anchor[1])
        elif anchor[0] == 1 and where_x < 0.28:
            anchor = (0, anchor[1])
        label = pg.InfLineLabel(line, text, position=LABEL_POSITIONS[where], rotateAxis=None,
                                anchors=[anchor, anchor], color=color, fill=(255, 255, 255, 215))
        font = QFont(self.font())
        font.setPointSizeF(LABEL_POINT_SIZE * 0.85 * self._scale())
        label.setFont(font)
        self.labels.append(label)
        return label

    # ------------------------------------------------------------------ content

    def clear_sweep(self) -> None:
        item = self.getPlotItem()
        self.labels = []  # before their lines go: a label's wrapper must not outlive its parent
        for it in [self.mean_curve, self.unsettled_points, *self.seed_curves, *self.regions, self.margin,
                   self.best_line, self.current_line]:
            if it is not None:
                item.removeItem(it)
        self.mean_curve, self.unsettled_points, self.seed_curves, self.regions = None, None, [], []
        self.margin = self.best_line = self.current_line = None
        self.sweep = None
        self._shown = None

    def show_sweep(self, sweep: Sweep, color: str, current: float) -> None:
        self.clear_sweep()
        self.sweep = sweep
        self._shown = (sweep, color, current)
        k = self._scale()
        item = self.getPlotItem()
        ref = "J*" if sweep.reference is not None else "lowest J"
        style_plot(self, "learning rate α (log scale)", f"worst J − {ref}, last {tuning.TAIL_FRACTION:.0%} of steps")
        c = QColor(color)
        if sweep.seed_tail is not None and sweep.seeds > 1:
            faint = QColor(c)
            faint.setAlpha(70)
            seed_tail = np.where(sweep.failed[:, None], np.nan, sweep.seed_tail)
            for s in range(seed_tail.shape[1]):
                y = _finite(sweep.gap(seed_tail[:, s]))
                curve = pg.PlotDataItem(sweep.learning_rates, y, pen=pg.mkPen(faint, width=1.2 * k), connect="finite")
                item.addItem(curve)
                self.seed_curves.append(curve)
        every = sweep._all()
        order = np.argsort(every["rates"], kind="stable")
        rates = every["rates"][order]
        y = _finite(sweep.gap(every["tail"][order]))
        self.mean_curve = pg.PlotDataItem(rates, y, pen=pg.mkPen(c, width=2.5 * k), connect="finite", symbol="o",
                                          symbolSize=5 * k, symbolBrush=c, symbolPen=pg.mkPen(c.darker(140)))
        item.addItem(self.mean_curve)
        loose = every["unsettled"][order] & np.isfinite(y)
        if loose.any():
            self.unsettled_points = pg.ScatterPlotItem(np.log10(rates[loose]), np.log10(y[loose]), symbol="o",
                                                       size=12 * k, brush=pg.mkBrush(None),
                                                       pen=pg.mkPen(UNSETTLED_COLOR, width=2.0 * k))
            item.addItem(self.unsettled_points)
        lo, hi = float(sweep.learning_rates[0]), float(sweep.learning_rates[-1])
        for a, b in sweep.diverged_region():
            region = pg.LinearRegionItem(values=(math.log10(a), math.log10(b)), movable=False,
                                         brush=pg.mkBrush(*DIVERGED_BRUSH), pen=pg.mkPen(DIVERGED_TEXT, width=1.2 * k))
            if b >= hi:
                region.lines[1].setPen(pg.mkPen(None))  # the grid's end, not a boundary
            region.setZValue(-10)
            self._label(region.lines[0], "diverged", "diverged", DIVERGED_TEXT)
            item.addItem(region)
            self.regions.append(region)
        band = sweep.margin_band()
        if band is not None:
            a, b = band
            self.margin = pg.LinearRegionItem(values=(math.log10(a), math.log10(b)), movable=False,
                                              brush=pg.mkBrush(*MARGIN_BRUSH),
                                              pen=pg.mkPen(MARGIN_TEXT, width=1.2 * k, style=Qt.PenStyle.DashLine))
            self.margin.setZValue(-9)
            self._label(self.margin.lines[1], f"edge {format_value(b, 2)}", "margin", MARGIN_TEXT, anchor=(1, 1))
            item.addItem(self.margin)
        best = sweep.best
        if math.isfinite(best):
            self.best_line = pg.InfiniteLine(math.log10(best), angle=90, pen=pg.mkPen(BEST_COLOR, width=2.5 * k))
            self._label(self.best_line, f"chosen α = {format_value(best, 3)}", "chosen", BEST_COLOR, anchor=(1, 1))
            item.addItem(self.best_line)
        self.set_current(current)
        finite = y[np.isfinite(y)]
        self.setXRange(math.log10(lo), math.log10(hi), padding=0.02)
        item.getAxis("bottom").setTicks([decade_ticks(math.log10(lo), math.log10(hi)), []])
        if finite.size:
            ylo, yhi = math.log10(finite.min()), math.log10(finite.max())
            span = max(yhi - ylo, 1.0)
            y0, y1 = ylo - 0.12 * span, yhi + 0.22 * span
            self.setYRange(y0, y1, padding=0)
            # pyqtgraph stops labelling a tall log axis part-way down (too much text): a label every
            # k-th decade instead, all the way.
            left = item.getAxis("left")
            ticks = decade_ticks(y0, y1)
            left.setTicks([ticks, []])
            # Room for the widest label from the first paint (pyqtgraph widens the axis only after
            # a paint that dropped the labels that did not fit).
            metrics = QFontMetrics(left.style["tickFont"] or self.font())
            left.textWidth = max((metrics.horizontalAdvance(t) for _, t in ticks), default=30) + 2
            left.setWidth(None)  # automatic width, from that text width

    def key_html(self) -> str:
        """The plot's key as one line of rich text (shown above the plot, never over the data)."""
        sweep = self.sweep
        if sweep is None:
            return ""
        color = self._shown[1]
        parts = [f"<span style='color:{color}'>━●━</span> score"
                 + (f" (mean of {sweep.seeds} seeds; faint: each seed)" if sweep.seeds > 1 else "")]
        if self.unsettled_points is not None:
            parts.append(f"<span style='color:{UNSETTLED_COLOR}'>◯</span> not settled")
        if self.margin is not None:
            parts.append(f"<span style='color:{MARGIN_TEXT}'>▒</span> margin (never chosen)")
        if self.regions:
            parts.append(f"<span style='color:{DIVERGED_TEXT}'>▒</span> failed")
        if self.best_line is not None:
            parts.append(f"<span style='color:{BEST_COLOR}'>┃</span> chosen α")
        parts.append(f"<span style='color:{CURRENT_COLOR}'>┆</span> current α")
        return " &nbsp;&nbsp; ".join(parts)

    def set_current(self, current: float) -> None:
        item = self.getPlotItem()
        if self.current_line is not None:
            self.labels = [lab for lab in self.labels if lab.line is not self.current_line]
            item.removeItem(self.current_line)
        self.current_line = pg.InfiniteLine(math.log10(current), angle=90,
                                            pen=pg.mkPen(CURRENT_COLOR, width=1.6 * self._scale(),
                                                         style=Qt.PenStyle.DashLine))
        self._label(self.current_line, f"current α = {format_value(current, 3)}", "current", CURRENT_COLOR)
        item.addItem(self.current_line)
        if self._shown is not None:
            self._shown = (*self._shown[:2], current)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade_ticks(lo: float, hi: float, most: int = 7) -> list[tuple[float, str]]:
    """Ticks of a log axis whose view spans log10 values ``lo`` … ``hi``: every k-th decade (k as
    small as keeps at most ``most`` labels), written 0.1, 1, 10 or 10ⁿ."""
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    if last < first:
        return []
    k = max(1, math.ceil((last - first + 1) / most))
    out = []
    for e in range(first, last + 1):
        if e % k:
            continue
        text = {-1: "0.1", 0: "1", 1: "10"}.get(e, "10" + str(e).translate(_SUPERSCRIPT))
        out.append((float(e), text))
    return out
