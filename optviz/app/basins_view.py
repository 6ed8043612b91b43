"""Drawing basin maps: colours, the label → RGBA image, and the figure of side-by-side maps
with its legend, the same in the dock and in an exported PNG.

Colours: each minimum has a pale colour from Paul Tol's colour-blind-safe "light" scheme
(lighter than the saturated Okabe–Ito run colours, so the runs' titles and paths never look
like a basin); outcomes that are no minimum are neutral: near-black for diverged, near-white
for left the view, grey hatching for not converged within T steps, and taupe for a stop at a
stationary point that is no listed minimum. The legend names each minimum "min k (x, y)", as
the contour view labels its ★ markers, and every map marks the minima with stars in their
basin's colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from ..core.basins import OUTCOME_NAMES, BasinResult, Outcome

#: Minimum colours (Tol "light", reordered so the first four differ most).
MINIMUM_COLORS = ("#77AADD", "#EE8866", "#BBCC33", "#FFAABB", "#44BB99", "#EEDD88", "#99DDFF", "#AAAA00")
DIVERGED_COLOR = "#3A3A3A"
LEFT_VIEW_COLOR = "#F4F4F4"
NOT_CONVERGED_COLORS = ("#D9D9D9", "#9E9E9E")  # background and hatching
UNLISTED_COLOR = "#A08C78"
OUTCOME_COLORS = {Outcome.DIVERGED: DIVERGED_COLOR, Outcome.LEFT_VIEW: LEFT_VIEW_COLOR,
                  Outcome.NOT_CONVERGED: NOT_CONVERGED_COLORS[0], Outcome.UNLISTED: UNLISTED_COLOR}
#: Drawn maps have at least this many pixels per side (cells are repeated), so the hatching
#: of "not converged" is fine whatever the resolution.
DISPLAY_PIXELS = 512
HATCH_PERIOD = 6  # display pixels between hatch lines
TEXT_COLOR = "#2D323C"


def minimum_color(k: int) -> str:
    return MINIMUM_COLORS[k % len(MINIMUM_COLORS)]


def _rgba(color: str, alpha: int = 255) -> tuple[int, int, int, int]:
    c = QColor(color)
    return c.red(), c.green(), c.blue(), alpha


def label_image(labels: np.ndarray, alpha: int = 255) -> np.ndarray:
    """The RGBA image (row-major, row 0 = lowest y) of a label map, cells repeated up to
    :data:`DISPLAY_PIXELS` with "not converged" hatched."""
    labels = np.asarray(labels)
    rep = max(1, DISPLAY_PIXELS // max(labels.shape))
    big = np.repeat(np.repeat(labels, rep, axis=0), rep, axis=1)
    lut_size = max(int(big.max()) + 1 if big.size else 0, 1)
    table = np.array([_rgba(minimum_color(k), alpha) for k in range(lut_size)], dtype=np.uint8)
    image = np.zeros(big.shape + (4,), dtype=np.uint8)
    minima = big >= 0
    image[minima] = table[big[minima]]
    for outcome, color in OUTCOME_COLORS.items():
        image[big == outcome] = _rgba(color, alpha)
    rows, cols = np.indices(big.shape)
    hatch = (big == Outcome.NOT_CONVERGED) & (((rows + cols) % HATCH_PERIOD) < 2)
    image[hatch] = _rgba(NOT_CONVERGED_COLORS[1], alpha)
    return image


def format_point(x: float, y: float) -> str:
    def num(v: float) -> str:
        text = f"{v:.3g}"
        return text.replace("-", "−")

    return f"({num(x)}, {num(y)})"


def minimum_name(k: int, count: int) -> str:
    """As the contour view labels the minima: "min k" (1-based), or "min" if there is one."""
    return f"min {k + 1}" if count > 1 else "min"


@dataclass(frozen=True)
class MapPanel:
    """One map to draw: the result and the run's title and colour."""

    result: BasinResult
    title: str
    color: str


def legend_entries(minima: Sequence[tuple[float, float]], labels_present=None) -> list[tuple[str, str, bool]]:
    """(colour, text, hatched) for every minimum and outcome. Outcomes are listed when
    ``labels_present`` is None or contains them."""
    entries = [(minimum_color(k), f"{minimum_name(k, len(minima))} {format_point(*m)}", False)
               for k, m in enumerate(minima)]
    for outcome in (Outcome.DIVERGED, Outcome.LEFT_VIEW, Outcome.NOT_CONVERGED, Outcome.UNLISTED):
        if labels_present is None or int(outcome) in labels_present:
            entries.append((OUTCOME_COLORS[outcome], OUTCOME_NAMES[outcome], outcome == Outcome.NOT_CONVERGED))
    return entries


def legend_html(entries, point_size: float) -> str:
    parts = []
    for color, text, hatched in entries:
        swatch = "▨" if hatched else "■"
        shown = NOT_CONVERGED_COLORS[1] if hatched else color
        if color == LEFT_VIEW_COLOR:
            swatch = "□"  # near-white: an outlined square reads on white paper
            shown = "#9E9E9E"
        parts.append(f'<span style="color:{shown}; font-size:{point_size * 1.5:.0f}pt">{swatch}</span>'
                     f'<span style="color:{TEXT_COLOR}; font-size:{point_size:.0f}pt">&nbsp;{text}</span>')
    return "&nbsp;&nbsp;&nbsp;&nbsp;".join(parts)


class BasinFigure:
    """Side-by-side maps in a ``pg.GraphicsLayout`` (the dock's, or a fresh one for export):
    a plot per run titled in the run's colour, the minima as stars, and one legend row."""

    def __init__(self, layout: pg.GraphicsLayout, point_size: float = 10.0) -> None:
        self.layout = layout
        self.point_size = point_size
        self.plots: list[pg.PlotItem] = []
        self.images: list[pg.ImageItem] = []
        self.legend: pg.LabelItem | None = None

    def set_panels(self, panels: Sequence[MapPanel], message: str = "", columns: int | None = None) -> None:
        """Draw ``panels`` in a grid of ``columns`` (default: one row) with the legend below."""
        self.layout.clear()
        self.plots, self.images = [], []
        if not panels:
            self.legend = self.layout.addLabel(message or "No visible run", color=TEXT_COLOR,
                                               size=f"{self.point_size:.0f}pt")
            return
        font_pt = self.point_size
        columns = max(1, min(columns or len(panels), len(panels)))
        rows = -(-len(panels) // columns)
        for n, panel in enumerate(panels):
            r = panel.result
            plot = self.layout.addPlot(row=n // columns, col=n % columns)
            plot.setTitle(f'<span style="color:{panel.color}; font-weight:bold">{_escape(panel.title)}</span>'
                          f'<span style="color:{TEXT_COLOR}"> · {r.resolution}×{r.resolution}</span>',
                          size=f"{font_pt * 1.15:.0f}pt")
            plot.setMenuEnabled(False)
            plot.hideButtons()
            vb = plot.getViewBox()
            vb.setAspectLocked(True)  # true geometry: a round basin stays round
            vb.setMouseEnabled(x=False, y=False)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setTextPen(pg.mkPen(TEXT_COLOR))
                axis.setPen(pg.mkPen(TEXT_COLOR))
                font = axis.font() if hasattr(axis, "font") else None
                if font is not None:
                    font.setPointSizeF(font_pt * 0.85)
                    axis.setTickFont(font)
            image = pg.ImageItem(axisOrder="row-major")
            image.setImage(label_image(r.labels), autoLevels=False)
            xmin, xmax, ymin, ymax = r.settings.rect
            image.setRect(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))
            plot.addItem(image)
            if r.minima:
                pts = np.array(r.minima, dtype=float)
                inside = (pts[:, 0] >= xmin) & (pts[:, 0] <= xmax) & (pts[:, 1] >= ymin) & (pts[:, 1] <= ymax)
                # White stars with a black rim, as the contour view draws the minima.
                stars = pg.ScatterPlotItem(pos=pts[inside], symbol="star", size=font_pt * 2.0,
                                           pen=pg.mkPen("k", width=1.3), brush=pg.mkBrush("w"))
                plot.addItem(stars)
                if len(pts) <= 6:
                    for k in np.flatnonzero(inside):
                        # Labels point into the map, so none is cut at the edge.
                        right = pts[k, 0] > 0.5 * (xmin + xmax)
                        text = pg.TextItem(minimum_name(int(k), len(pts)), color=TEXT_COLOR,
                                           anchor=(1.15 if right else -0.15, 1.05),
                                           fill=pg.mkBrush(255, 255, 255, 190))
                        f = text.textItem.font()
                        f.setPointSizeF(font_pt * 0.85)
                        text.setFont(f)
                        text.setPos(*pts[k])
                        plot.addItem(text)
            plot.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.0)
            plot.basin_rect = (xmin, xmax, ymin, ymax)
            self.plots.append(plot)
            self.images.append(image)
        present = set()
        for panel in panels:
            present |= set(panel.result.counts())
        entries = legend_entries(panels[0].result.minima, present)
        html = legend_html(entries, font_pt)
        self.legend = pg.LabelItem(html, justify="center")
        self.layout.addItem(self.legend, row=rows, col=0, colspan=columns)
        for row in range(rows):
            self.layout.layout.setRowStretchFactor(row, 100)
        self.layout.layout.setRowStretchFactor(rows, 0)
        if message:
            note = pg.LabelItem(f'<span style="color:{TEXT_COLOR}; font-size:{font_pt * 0.9:.0f}pt">'
                                f"{_escape(message)}</span>", justify="center")
            self.layout.addItem(note, row=rows + 1, col=0, colspan=columns)


    def fit(self, width: float, height: float, columns: int) -> None:
        """Cap each plot's size so that its map, at true aspect, fills it in a ``width`` ×
        ``height`` figure (no empty margins beyond the start rectangle)."""
        if not self.plots:
            return
        rows = -(-len(self.plots) // columns)
        pt = self.point_size * 96 / 72  # points to pixels
        left, bottom, title = 4.2 * pt, 2.6 * pt, 2.6 * pt
        cell_w = width / columns - 6
        cell_h = (height - 4.5 * pt) / rows - 6
        used = 0.0
        for plot in self.plots:
            xmin, xmax, ymin, ymax = plot.basin_rect
            aspect = (xmax - xmin) / (ymax - ymin)
            vw, vh = cell_w - left, cell_h - bottom - title
            if vw / vh > aspect:
                plot.setMaximumWidth(vh * aspect + left)
                used = max(used, cell_h)
            else:
                plot.setMaximumHeight(vw / aspect + bottom + title)
                used = max(used, vw / aspect + bottom + title)
        # Centre the figure vertically: the spare height goes above and below.
        spare = max(0.0, (height - 4.5 * pt) - rows * (used + 6))
        side = width / 100
        self.layout.setContentsMargins(side, spare / 2 + height / 80, side, spare / 2 + height / 120)


def best_columns(count: int, width: float, height: float, reserved: float = 0.12) -> int:
    """Columns of the grid whose cells come closest to square in a ``width`` × ``height``
    area (``reserved`` of the height goes to the legend)."""
    if count <= 1:
        return 1
    usable = height * (1.0 - reserved)

    def side(columns: int) -> float:
        rows = -(-count // columns)
        return min(width / columns, usable / rows)

    return max(range(1, count + 1), key=lambda c: (side(c), c))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_figure(panels: Sequence[MapPanel], width: int, height: int, message: str = "") -> QImage:
    """The maps as a ``width`` × ``height`` image (white background), laid out at that size
    in an offscreen view: fonts and markers grow with the image, they are not scaled pixels."""
    from PySide6.QtWidgets import QApplication

    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    widget.resize(width, height)
    widget.ci.setContentsMargins(width / 100, height / 80, width / 100, height / 120)
    point_size = max(8.0, min(width / 130.0, height / 60.0))
    figure = BasinFigure(widget.ci, point_size)
    try:
        widget.show()
        columns = best_columns(len(panels), width, height)
        figure.set_panels(panels, message, columns)
        figure.fit(width, height, columns)
        QApplication.processEvents()
        for plot, panel in zip(figure.plots, panels):  # ranges after the final geometry
            xmin, xmax, ymin, ymax = panel.result.settings.rect
            plot.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.0)
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        try:
            widget.render(painter)
        finally:
            painter.end()
    finally:
        widget.close()
        widget.deleteLater()
    return image
