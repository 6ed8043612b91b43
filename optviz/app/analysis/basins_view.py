"""Drawing basin maps: colours, the label → RGBA image, and the figure of side-by-side maps
with its legend, the same in the dock and in an exported PNG.

Colours: each minimum has a pale colour from Paul Tol's colour-blind-safe "light" scheme
(lighter than the saturated run colours, so the runs' titles and paths never look
like a basin); outcomes that are no minimum are neutral: near-black for diverged, near-white
for left the view, grey hatching for not converged within T steps, and taupe for a stop at a
stationary point that is no listed minimum. The legend names each minimum "min k (x, y)", as
the contour view labels its ★ markers, and every map marks the minima with stars in their
basin's colour.

Every map of one figure shows exactly the same rectangle (the surface's view box, the start
rectangle of the computation), on the same axis ranges and ticks: the ranges are fixed, not
padded to an aspect ratio, and :meth:`BasinFigure.fit` sizes the plots so the maps keep their
true aspect (a round basin stays round).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter

from ...core.basins import OUTCOME_NAMES, BasinResult, Outcome
from ..views.contour_view import space_tick_labels

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


def legend_html(entries, point_size: float, text_color: str = TEXT_COLOR, lines: int = 1) -> str:
    """The legend row(s): the entries in order, split evenly over ``lines`` lines."""
    parts = []
    for color, text, hatched in entries:
        swatch = "▨" if hatched else "■"
        shown = NOT_CONVERGED_COLORS[1] if hatched else color
        if color == LEFT_VIEW_COLOR:
            swatch = "□"  # near-white: an outlined square reads on white paper
            shown = "#9E9E9E"
        parts.append(f'<span style="color:{shown}; font-size:{point_size * 1.5:.0f}pt">{swatch}</span>'
                     f'<span style="color:{text_color}; font-size:{point_size:.0f}pt">&nbsp;{text}</span>')
    per_line = -(-len(parts) // max(1, lines))
    return "<br>".join("&nbsp;&nbsp;&nbsp;&nbsp;".join(parts[i:i + per_line]) for i in range(0, len(parts), per_line))


class BasinFigure:
    """Side-by-side maps in a ``pg.GraphicsLayout`` (the dock's, or a fresh one for export):
    a plot per run titled in the run's colour, the minima as stars, and one legend row.

    ``text_color`` and ``axis_width`` are the theme's (see :meth:`set_look`)."""

    def __init__(self, layout: pg.GraphicsLayout, point_size: float = 10.0) -> None:
        self.layout = layout
        self.point_size = point_size
        self.text_color = TEXT_COLOR
        self.axis_width = 1.0
        self.plots: list[pg.PlotItem] = []
        self.images: list[pg.ImageItem] = []
        self.legend: pg.LabelItem | None = None
        self.note: pg.LabelItem | None = None
        self.shown: tuple[list[MapPanel], str, int | None] = ([], "", None)  # the last set_panels
        self._fitted: tuple[float, float, int] | None = None  # the last fit's (width, height, columns)
        self._refits = 0  # refits in a row after the maps' sizes settled off their aspect

    def set_look(self, text_color: str, axis_width: float, point_size: float) -> None:
        """Colours and sizes of the theme in effect; the maps shown are drawn again."""
        self.text_color, self.axis_width, self.point_size = text_color, float(axis_width), float(point_size)
        self.set_panels(*self.shown)

    def set_panels(self, panels: Sequence[MapPanel], message: str = "", columns: int | None = None) -> None:
        """Draw ``panels`` in a grid of ``columns`` (default: one row) with the legend below."""
        self.shown = (list(panels), message, columns)
        self.layout.clear()
        self.plots, self.images = [], []
        self.legend = self.note = None
        text_color = self.text_color
        if not panels:
            self.legend = self.layout.addLabel(message or "No visible run", color=text_color,
                                               size=f"{self.point_size:.0f}pt")
            return
        font_pt = self.point_size
        columns = max(1, min(columns or len(panels), len(panels)))
        rows = -(-len(panels) // columns)
        for n, panel in enumerate(panels):
            r = panel.result
            plot = self.layout.addPlot(row=n // columns, col=n % columns)
            plot.basin_title = (panel.title, panel.color, f" · {r.resolution}×{r.resolution}")
            self._set_title(plot, full=True)
            # The titles differ in length: they must not make one column wider than another
            # (fit() shortens one that is wider than its map).
            _let_width_go(plot.titleLabel)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            vb = plot.getViewBox()
            vb.sigResized.connect(self._on_map_resized)
            # The ranges stay exactly the rectangle (no aspect lock, which pads each map's range
            # to its own pixel shape: −5…5 beside −6…6); fit() keeps the true aspect instead.
            vb.setAspectLocked(False)
            vb.setMouseEnabled(x=False, y=False)
            vb.disableAutoRange()
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setTextPen(pg.mkPen(text_color))
                axis.setPen(pg.mkPen(text_color, width=self.axis_width))
                font = axis.font() if hasattr(axis, "font") else None
                if font is not None:
                    font.setPointSizeF(font_pt * 0.85)
                    axis.setTickFont(font)
                axis.setStyle(tickLength=int(round(5 * font_pt / 10)), tickTextOffset=int(round(2 * font_pt / 10)))
            space_tick_labels(plot.getAxis("bottom"))
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
                plot.minimum_labels = []
                if len(pts) <= 6:
                    for k in np.flatnonzero(inside):
                        # Labels point into the map, so none is cut at the edge.
                        right = pts[k, 0] > 0.5 * (xmin + xmax)
                        top = pts[k, 1] > ymax - 0.15 * (ymax - ymin)
                        text = pg.TextItem(minimum_name(int(k), len(pts)), color=text_color,
                                           anchor=(1.15 if right else -0.15, -0.05 if top else 1.05),
                                           fill=pg.mkBrush(255, 255, 255, 190))
                        f = text.textItem.font()
                        f.setPointSizeF(font_pt * 0.85)
                        text.setFont(f)
                        text.setPos(*pts[k])
                        plot.addItem(text)
                        plot.minimum_labels.append(text)
            plot.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.0)
            plot.basin_rect = (xmin, xmax, ymin, ymax)
            self.plots.append(plot)
            self.images.append(image)
        present = set()
        for panel in panels:
            present |= set(panel.result.counts())
        self._entries = legend_entries(panels[0].result.minima, present)
        html = legend_html(self._entries, font_pt, text_color)
        self.legend = pg.LabelItem(html, justify="center")
        _let_width_go(self.legend)  # it may run wider than the maps: it must not widen a column
        self.layout.addItem(self.legend, row=rows, col=0, colspan=columns)
        for row in range(rows):
            self.layout.layout.setRowStretchFactor(row, 100)
        self.layout.layout.setRowStretchFactor(rows, 0)
        self.note = None
        if message:
            self.note = pg.LabelItem(f'<span style="color:{text_color}; font-size:{font_pt * 0.9:.0f}pt">'
                                     f"{_escape(message)}</span>", justify="center")
            _let_width_go(self.note)
            self.layout.addItem(self.note, row=rows + 1, col=0, colspan=columns)


    def fit(self, width: float, height: float, columns: int, *, again: bool = False) -> None:
        """Lay the figure out in ``width`` × ``height`` so that every map has its true aspect
        and fills as much of its cell as it can (no empty margins beyond the start rectangle).
        Every plot gets the same fixed size, so the maps match pixel for pixel; the spare
        width or height goes into the figure's margins, centring the grid.

        A cell is the figure less its margins, spacing and the legend rows, shared out among
        the grid; the room a plot's axes and title take is measured once the plots are laid
        out (estimated from the font before), and the fit is redone if it was off."""
        self._fitted = (width, height, columns)
        if not again:
            self._refits = 0
        if not self.plots:
            return
        base = (width / 100, height / 80, width / 100, height / 120)
        self._wrap_legend(width - base[0] - base[2])
        for plot in self.plots:
            self._set_title(plot, full=True)
        rows = -(-len(self.plots) // columns)
        pt = self.point_size * 96 / 72  # points to pixels
        grid = self.layout.layout
        gap_w, gap_h = grid.horizontalSpacing(), grid.verticalSpacing()
        below = sum(max(item.minimumHeight(), 1.6 * pt) for item in (self.legend, self.note) if item is not None)
        cell_w = (width - base[0] - base[2] - gap_w * (columns - 1)) / columns
        cell_h = (height - base[1] - base[3] - below - gap_h * rows) / rows
        xmin, xmax, ymin, ymax = self.plots[0].basin_rect
        aspect = (xmax - xmin) / (ymax - ymin)
        first = self.plots[0]
        vb = first.getViewBox()
        room = (4.2 * pt, 5.2 * pt)  # estimate: the y axis; the title and the x axis
        for _ in range(3):
            if vb.width() > 1 and vb.height() > 1:
                room = (first.width() - vb.width(), first.height() - vb.height())
            map_w, map_h = max(cell_w - room[0], 10.0), max(cell_h - room[1], 10.0)
            map_w, map_h = min(map_w, map_h * aspect), min(map_h, map_w / aspect)
            plot_w, plot_h = map_w + room[0], map_h + room[1]
            for plot in self.plots:
                plot.setMinimumSize(plot_w, plot_h)
                plot.setMaximumSize(plot_w, plot_h)
            spare_w = max(0.0, width - base[0] - base[2] - columns * plot_w - gap_w * (columns - 1))
            spare_h = max(0.0, height - base[1] - base[3] - below - rows * plot_h - gap_h * rows)
            self.layout.setContentsMargins(base[0] + spare_w / 2, base[1] + spare_h / 2,
                                           base[2] + spare_w / 2, base[3] + spare_h / 2)
            self._lay_out()
            if vb.width() <= 1 or (abs(vb.width() - map_w) < 0.5 and abs(vb.height() - map_h) < 0.5):
                break
        self._fit_texts(plot_w, map_w)

    def _set_title(self, plot, full: bool, text: str | None = None) -> None:
        """The plot's title: the run's name in its colour and, if ``full``, the resolution;
        ``text`` replaces the name (a shortened one)."""
        title, color, resolution = plot.basin_title
        html = f'<span style="color:{color}; font-weight:bold">{_escape(text or title)}</span>'
        if full:
            html += f'<span style="color:{self.text_color}">{resolution}</span>'
        plot.setTitle(html, size=f"{self.point_size * 1.15:.0f}pt")

    def _fit_texts(self, plot_w: float, map_w: float) -> None:
        """Titles no wider than their plot (without the resolution, then cut with "…"); the
        "min k" labels only on maps big enough that they do not cover each other."""
        pt = self.point_size * 96 / 72
        for plot in self.plots:
            title = plot.basin_title[0]
            if plot.titleLabel.item.boundingRect().width() > plot_w:
                self._set_title(plot, full=False)
            cut = len(title)
            while plot.titleLabel.item.boundingRect().width() > plot_w and cut > 1:
                cut -= 1
                self._set_title(plot, full=False, text=title[:cut].rstrip(" ,(") + "…")
            for label in getattr(plot, "minimum_labels", ()):
                label.setVisible(map_w >= 16 * pt)

    def _wrap_legend(self, available: float) -> None:
        """The legend on as few lines as fit ``available`` pixels (its entries split evenly)."""
        if self.legend is None or not getattr(self, "_entries", None):
            return
        for lines in range(1, len(self._entries) + 1):
            self.legend.setText(legend_html(self._entries, self.point_size, self.text_color, lines))
            if self.legend.item.boundingRect().width() <= available:
                return

    def _on_map_resized(self, *_) -> None:
        """Qt settles nested layouts in its event loop, so a map may end up a little off the
        size :meth:`fit` measured: fit again (a few times at most) until it is not."""
        if self._fitted is None or not self.plots or self._refits >= 3:
            return
        vb = self.plots[0].getViewBox()
        xmin, xmax, ymin, ymax = self.plots[0].basin_rect
        aspect = (xmax - xmin) / (ymax - ymin)
        if min(vb.width(), vb.height()) > 1 and abs(vb.width() - vb.height() * aspect) > 0.75 \
                and min(vb.width() - 10.0, vb.height() * aspect - 10.0) > 0:
            self._refits += 1
            QTimer.singleShot(0, self._refit)
        else:
            self._refits = 0

    def _refit(self) -> None:
        if self._fitted is not None and self.plots:
            self.fit(*self._fitted, again=True)

    def _lay_out(self) -> None:
        """Lay the figure out now (Qt would wait for the event loop)."""
        for layout in (self.layout.layout, *(plot.layout for plot in self.plots)):
            layout.invalidate()  # activate() alone does nothing to a layout Qt thinks is current
            layout.activate()


def _let_width_go(label: pg.LabelItem) -> None:
    """Make a label ask for no width in the layout (its text is drawn centred all the same):
    pyqtgraph sets a label's minimum and preferred width to its text's on every resize, so the
    grid's columns would follow the lengths of the titles and of the legend."""
    original = label.updateMin

    def update_min():
        original()
        label.setMinimumWidth(0)
        hints = label._sizeHint
        for which in (Qt.SizeHint.MinimumSize, Qt.SizeHint.PreferredSize):
            hints[which] = (0, hints[which][1])
        label.updateGeometry()

    label.updateMin = update_min
    update_min()


def best_columns(count: int, width: float, height: float, reserved: float = 0.12, aspect: float = 1.0) -> int:
    """Columns of the grid in which ``count`` maps of ``aspect`` (width / height) come out
    widest in a ``width`` × ``height`` area (``reserved`` of the height goes to the legend)."""
    if count <= 1:
        return 1
    usable = height * (1.0 - reserved)

    def side(columns: int) -> float:
        rows = -(-count // columns)
        return min(width / columns, usable / rows * aspect)

    return max(range(1, count + 1), key=lambda c: (side(c), c))


def map_aspect(panels: Sequence[MapPanel]) -> float:
    """Width / height of the maps' rectangle (1 without maps)."""
    if not panels:
        return 1.0
    xmin, xmax, ymin, ymax = panels[0].result.settings.rect
    return (xmax - xmin) / (ymax - ymin)


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
        columns = best_columns(len(panels), width, height, aspect=map_aspect(panels))
        figure.set_panels(panels, message, columns)
        figure.fit(width, height, columns)
        QApplication.processEvents()
        figure.fit(width, height, columns)  # again, with the axes' room measured
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
