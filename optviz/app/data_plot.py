"""The data behind a dataset surface and the model at the selected run's current (w, b).

Linear regression: the samples and the line ŷ = w·x + b (``surface.predict``).
Logistic regression: the two classes at y = 0 and y = 1, the curve P(y = 1) = σ(w·x + b)
(``surface.probability``) and the decision boundary x = −b/w as a dashed vertical line.
Other surfaces have no data: the plot is empty.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..core.datasets import LinearRegression, LogisticRegression
from .contour_view import TICK_POINT_SIZE, set_axis_labels, set_plot_look, style_plot
from .theme import NORMAL, get_theme, hex_color

#: Points along the model curve (the sigmoid needs a few to look smooth).
CURVE_POINTS = 200
#: |w| below this has no meaningful boundary (it would lie far outside the data).
MIN_BOUNDARY_SLOPE = 1e-9
MODEL_WIDTH = 3.0
TITLE_SCALE_MAX = 1.25
CLASS0_COLOR = (95, 100, 112)  # y = 0: open circles
CLASS1_COLOR = (60, 64, 74)  # y = 1: filled triangles
SAMPLE_COLOR = (90, 96, 110)


class DataPlot(pg.PlotWidget):
    """Samples of a dataset surface with the current model drawn over them.

    Methods:
        set_surface(surface): scatter the samples of a dataset surface, or clear.
        update_model(w, b, color): draw the model with parameters (w, b) in ``color``;
            non-finite parameters hide it.
        set_title(text): a small title above the plot.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        style_plot(self, "x", "y")
        item = self.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.15)
        self.view_box = item.getViewBox()
        self.surface = None
        self._x_range: tuple[float, float] | None = None
        self._theme, self._scale = NORMAL, 1.0
        self._title = ""

        self.samples = pg.ScatterPlotItem(size=9, antialias=True)
        self.samples.setZValue(10)
        self.addItem(self.samples)
        self.model_curve = pg.PlotCurveItem(pen=pg.mkPen("k", width=MODEL_WIDTH), antialias=True)
        self.model_curve.setZValue(5)
        self.addItem(self.model_curve, ignoreBounds=True)
        self.boundary = pg.InfiniteLine(angle=90, movable=False,
                                        pen=pg.mkPen("k", width=2, style=Qt.PenStyle.DashLine))
        self.boundary.setZValue(4)
        self.addItem(self.boundary, ignoreBounds=True)
        self.model_curve.setVisible(False)
        self.boundary.setVisible(False)

    # ------------------------------------------------------------------ data

    def set_surface(self, surface) -> None:
        """Scatter the samples of ``surface`` if it is a dataset surface; otherwise clear."""
        self.surface = surface
        self.model_curve.setVisible(False)
        self.boundary.setVisible(False)
        data = getattr(surface, "data", None)
        if data is None or not isinstance(surface, (LinearRegression, LogisticRegression)):
            self.samples.setData([], [])
            self._x_range = None
            set_axis_labels(self, "x", "y")
            return
        x, y = np.asarray(data.x, dtype=float), np.asarray(data.y, dtype=float)
        self._x_range = (float(x.min()), float(x.max()))
        if isinstance(surface, LogisticRegression):
            # Neutral greys in two shapes: the run colours are kept for the model.
            one = y > 0.5
            self.samples.setData(
                x, y, symbol=np.where(one, "t1", "o").tolist(), size=11 * self._scale,
                brush=[pg.mkBrush(CLASS1_COLOR) if c else pg.mkBrush(255, 255, 255, 230) for c in one],
                pen=[pg.mkPen("w", width=0.8) if c else pg.mkPen(CLASS0_COLOR, width=1.6) for c in one])
            set_axis_labels(self, "x", "P(y = 1)")
            y_range = (-0.08, 1.08)
        else:
            self.samples.setData(x, y, symbol="o", brush=pg.mkBrush(*SAMPLE_COLOR, 200),
                                 pen=pg.mkPen("w", width=0.8), size=9 * self._scale)
            set_axis_labels(self, "x", "y")
            pad = 0.1 * max(float(y.max() - y.min()), 1e-9)
            y_range = (float(y.min()) - pad, float(y.max()) + pad)
        # A fixed range: a wild model (huge w) must not zoom the data away.
        self.view_box.disableAutoRange()
        self.view_box.setRange(xRange=self._x_range, yRange=y_range, padding=0.05)

    def update_model(self, w: float, b: float, color) -> None:
        """The model at parameters (w, b): a line, or the sigmoid with its decision boundary."""
        surface = self.surface
        if self._x_range is None or surface is None or not (np.isfinite(w) and np.isfinite(b)):
            self.model_curve.setVisible(False)
            self.boundary.setVisible(False)
            return
        pen = pg.mkPen(color, width=MODEL_WIDTH * self._scale)
        params = np.array([w, b], dtype=float)
        lo, hi = self._x_range
        if isinstance(surface, LogisticRegression):
            # Widen a little beyond the data so the boundary is seen when it lies just outside.
            margin = 0.05 * (hi - lo)
            xs = np.linspace(lo - margin, hi + margin, CURVE_POINTS)
            with np.errstate(all="ignore"):
                ys = surface.probability(params, xs)
            self._show_boundary(w, b, color)
        else:
            xs = np.array([lo, hi])
            with np.errstate(all="ignore"):
                ys = surface.predict(params, xs)
            self.boundary.setVisible(False)
        ys = np.asarray(ys, dtype=float).reshape(-1)
        if not np.isfinite(ys).all():
            self.model_curve.setVisible(False)
            return
        self.model_curve.setPen(pen)
        self.model_curve.setData(xs, ys, skipFiniteCheck=True)
        self.model_curve.setVisible(True)

    def _show_boundary(self, w: float, b: float, color) -> None:
        if abs(w) < MIN_BOUNDARY_SLOPE:
            self.boundary.setVisible(False)
            return
        with np.errstate(all="ignore"):
            x0 = -b / w
        if not np.isfinite(x0):
            self.boundary.setVisible(False)
            return
        self.boundary.setPen(pg.mkPen(color, width=2 * self._scale, style=Qt.PenStyle.DashLine))
        self.boundary.setValue(float(x0))
        self.boundary.setVisible(True)

    def set_title(self, text: str) -> None:
        self._title = text
        color = hex_color(self._theme.text)
        # A caption over a narrow plot: it grows less than the rest, or a long run name is cut off.
        size = TICK_POINT_SIZE * min(self._scale, TITLE_SCALE_MAX)
        self.getPlotItem().setTitle(text, color=color, size=f"{size:g}pt")

    def set_look(self, theme, scale: float = 1.0) -> None:
        """Axes, fonts, markers and the model's line for ``theme`` at ``scale`` (the model is
        redrawn by the next :meth:`update_model`)."""
        theme = get_theme(theme) if isinstance(theme, str) else theme
        self._theme, self._scale = theme, float(scale)
        set_plot_look(self, theme, self._scale)
        if self._title:
            self.set_title(self._title)
        if self.surface is not None:
            self.set_surface(self.surface)
