"""The data behind a dataset surface and the model at the selected run's current (w, b).

Linear regression: the samples and the line ŷ = w·x + b (``surface.predict``).
Logistic regression: the two classes at y = 0 and y = 1, the curve P(y = 1) = σ(w·x + b)
(``surface.probability``) and the decision boundary x = −b/w as a dashed vertical line.
Other surfaces have no data: the plot is empty.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF

from ...core.datasets import LinearRegression, LogisticRegression
from .contour_view import TICK_POINT_SIZE, set_axis_labels, set_plot_look, style_plot
from ...render.theme import NORMAL, get_theme, hex_color

#: Points along the model curve (the sigmoid needs a few to look smooth).
CURVE_POINTS = 200
#: |w| below this has no meaningful boundary (it would lie far outside the data).
MIN_BOUNDARY_SLOPE = 1e-9
MODEL_WIDTH = 3.0
TITLE_SCALE_MAX = 1.25
#: Pixels the title leaves free across the plot (the label's own margins and a little air).
TITLE_MARGIN = 16
#: The title takes two lines only when the plot is at least this many lines tall.
TITLE_TWO_LINES_MIN_HEIGHT = 7
CLASS0_COLOR = (95, 100, 112)  # y = 0: open circles
CLASS1_COLOR = (60, 64, 74)  # y = 1: filled triangles
SAMPLE_COLOR = (90, 96, 110)


class DataPlot(pg.PlotWidget):
    """Samples of a dataset surface with the current model drawn over them.

    Methods:
        set_surface(surface): scatter the samples of a dataset surface, or clear.
        update_model(w, b, color): draw the model with parameters (w, b) in ``color``;
            non-finite parameters hide it.
        set_title(text): a small title above the plot, fitted to its width (see
            :func:`fit_title`).
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
        self._title_fit = None  # (text, width, height, size) the shown title was fitted for

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
        self._fit_title()

    def _title_font(self) -> QFont:
        # A caption over a narrow plot: it grows less than the rest.
        font = QFont(self.font())
        font.setPointSizeF(TICK_POINT_SIZE * min(self._scale, TITLE_SCALE_MAX))
        return font

    def _fit_title(self) -> None:
        """Show the title in the lines :func:`fit_title` chooses for the current size."""
        text = self._title
        font = self._title_font()
        key = (text, self.width(), self.height(), font.pointSizeF(), self._theme.text)
        if key == self._title_fit:
            return  # called every frame while the race plays
        self._title_fit = key
        item = self.getPlotItem()
        if not text:
            item.setTitle(None)
            return
        metrics = QFontMetricsF(font)
        lines = fit_title(text, metrics.horizontalAdvance, self._title_room(),
                          two_lines=self.height() >= TITLE_TWO_LINES_MIN_HEIGHT * metrics.height())
        item.setTitle("<br>".join(html.escape(line) for line in lines), color=hex_color(self._theme.text),
                      size=f"{font.pointSizeF():g}pt")
        # pyqtgraph gives the title row a fixed 30 px: room for the lines actually shown.
        height = int(np.ceil(len(lines) * metrics.lineSpacing() + 8))
        item.titleLabel.setMaximumHeight(height)
        item.layout.setRowFixedHeight(0, height)
        item.titleLabel.setToolTip(text if lines != [text] else "")

    def _title_room(self) -> float:
        """Pixels a title line may take: pyqtgraph centres it over the plot area, so it may
        spread over the axis on the left only as far as it has room on the right."""
        item = self.getPlotItem()
        area = self.mapFromScene(item.vb.sceneBoundingRect()).boundingRect()
        if area.width() <= 1:  # not laid out yet
            return self.width() - TITLE_MARGIN
        centre = area.center().x()
        return 2 * min(centre, self.width() - centre) - TITLE_MARGIN

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.__dict__.get("_title"):  # not during PlotWidget's own set-up
            self._fit_title()

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


def fit_title(text: str, width_of, available: float, two_lines: bool = True) -> list[str]:
    """The lines of ``text`` that fit in ``available`` pixels, ``width_of(line)`` measuring a
    line, in the first of these forms that fits:

    1. the whole text on one line;
    2. (``two_lines``) broken after its first " of ", so what follows stays whole:
       "data and the model of" / "SGD, αₜ = 0.1/(1 + 0.01·t)";
    3. what follows " of " alone (the subject: the run's name);
    4. that subject cut after a whole clause, before a ", " or " (", with " …"
       ("SGD …"), never inside a formula;
    5. cut anywhere, with "…", when not even its first clause fits.
    """
    if width_of(text) <= available or " of " not in text:
        return [text if width_of(text) <= available else _elide(text, width_of, available)]
    head, subject = text.split(" of ", 1)
    head += " of"
    if two_lines and width_of(head) <= available and width_of(subject) <= available:
        return [head, subject]
    if width_of(subject) <= available:
        return [subject]
    return [_elide(subject, width_of, available)]


def _elide(text: str, width_of, available: float) -> str:
    """``text`` cut to fit ``available``: after its longest whole clause that fits (form 4 of
    :func:`fit_title`), else anywhere; ending in "…" (at least one character is kept)."""
    clauses = [i for i in range(1, len(text)) if text.startswith((", ", " ("), i)]
    for end in reversed(clauses):
        cut = text[:end] + " …"
        if width_of(cut) <= available:
            return cut
    for end in range(len(text) - 1, 0, -1):
        cut = text[:end].rstrip(" ,;:(") + "…"
        if width_of(cut) <= available:
            return cut
    return text[:1] + "…"
