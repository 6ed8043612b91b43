"""Per-step curves of the race: the loss J(W_t) or the gradient norm |∇J(W_t)| of every run.

Only renders ``sim.history.loss`` / ``sim.history.grad_norm``; a log y axis masks the values
that have no logarithm (zero, negative, NaN, inf) as gaps instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg

from .contour_view import style_plot

if TYPE_CHECKING:
    from .controller import RunStyle

FIELDS = {
    "loss": "loss J(W)",
    "grad_norm": "|∇J(W)|",
}
CURVE_WIDTH = 2.0


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
        item.showGrid(x=True, y=True, alpha=0.15)
        item.setMenuEnabled(True)
        self.view_box = item.getViewBox()
        self.view_box.enableAutoRange()
        self._curves: list[pg.PlotDataItem] = []
        self._visible: list[bool] = []
        self._keys: list[tuple | None] = []
        self._steps = np.arange(0, dtype=float)
        self.log = False

    def set_runs(self, styles: Sequence[RunStyle]) -> None:
        for curve in self._curves:
            self.removeItem(curve)
        self._curves, self._visible, self._keys = [], [], []
        for k, style in enumerate(styles):
            curve = pg.PlotDataItem(pen=pg.mkPen(style.color, width=CURVE_WIDTH), connect="finite",
                                    antialias=True, skipFiniteCheck=True)
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            curve.setZValue(k)
            curve.setVisible(style.visible)
            self.addItem(curve)
            self._curves.append(curve)
            self._visible.append(bool(style.visible))
            self._keys.append(None)
        self.getPlotItem().setLogMode(y=self.log)

    def update_runs(self, sim) -> None:
        values = getattr(sim.history, self.field)
        longest = int(max((sim.length(k) for k in range(min(len(self._curves), sim.K))), default=0))
        if self._steps.size < longest:
            self._steps = np.arange(max(longest, 2 * self._steps.size), dtype=float)
        for k, curve in enumerate(self._curves[: sim.K]):
            if not self._visible[k]:
                continue
            n = sim.length(k)
            y = values[:n, k, 0]
            key = (n, y[0], y[-1])
            if key == self._keys[k]:
                continue  # nothing new since the last frame
            self._keys[k] = key
            curve.setData(self._steps[:n], y, connect="finite", skipFiniteCheck=True)

    def set_log(self, on: bool) -> None:
        """Log y axis; zero, negative and non-finite values become gaps."""
        self.log = bool(on)
        self.getPlotItem().setLogMode(y=self.log)
        self.view_box.enableAutoRange()
