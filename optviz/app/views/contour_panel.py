"""The contour map as a figure: the map at equal units on both axes, with its colour bar.

The map's two axes always have the same scale (one unit of x is as many pixels as one unit
of y): only then is the gradient perpendicular to the level sets, the picture the lecture
draws. So the map is not stretched to the space it gets: the panel sizes it to the largest
rectangle of the surface's aspect that fits beside the colour bar, and centres the two.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, QTimer
from PySide6.QtWidgets import QSizePolicy, QWidget

from .color_bar import ColorBar
from .contour_view import ContourView

#: The gap between the map and the colour bar, in pixels at scale 1.
GAP = 10


class ContourPanel(QWidget):
    """The :class:`ContourView` with its :class:`ColorBar`, laid out at equal units.

    Forwards ``set_surface``, ``set_runs``, ``update_runs`` and ``set_look`` to its parts; the
    map itself is ``panel.view``.
    """

    def __init__(self, view: ContourView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contour-panel")
        self.view = view if view is not None else ContourView()
        self.view.setParent(self)
        self.colorbar = ColorBar(self)
        self._scale = 1.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 160)
        # Fonts settle in the event loop (the plot's axes measure their labels): lay out again.
        self._relayout_timer = QTimer(self)
        self._relayout_timer.setSingleShot(True)
        self._relayout_timer.setInterval(0)
        self._relayout_timer.timeout.connect(self.relayout)

    # ------------------------------------------------------------------ forwarding

    def set_surface(self, surface, grid) -> None:
        self.view.set_surface(surface, grid)
        self.colorbar.set_scale(grid.scale)
        self.relayout()

    def set_runs(self, styles) -> None:
        self.view.set_runs(styles)

    def update_runs(self, sim) -> None:
        self.view.update_runs(sim)

    def set_look(self, theme, scale: float = 1.0) -> None:
        self._scale = float(scale)
        self.view.set_look(theme, scale)
        self.colorbar.set_look(theme, scale)
        self.relayout()
        self._relayout_timer.start()

    # ------------------------------------------------------------------ layout

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.relayout()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._relayout_timer.start()

    @staticmethod
    def fit(width: float, height: float, ratio: float) -> tuple[int, int]:
        """The largest rectangle of aspect ``ratio`` (width/height) inside width × height."""
        w, h = max(width, 1.0), max(height, 1.0)
        if w / h > ratio:
            w = h * ratio
        else:
            h = w / ratio
        return max(int(math.floor(w)), 1), max(int(math.floor(h)), 1)

    def relayout(self, _again: bool = False) -> None:
        """Size the map to the surface's aspect and put the colour bar beside it."""
        W, H = self.width(), self.height()
        if W <= 1 or H <= 1:
            return
        view = self.view
        chrome_w, chrome_h, (left, top) = view.chrome()
        gap = int(round(GAP * self._scale))
        bar = self.colorbar.sizeHint().width() if self.colorbar.scale is not None else 0
        bar_w = bar + gap if bar else 0
        # The colour bar's title sits above the map's top edge and its lowest label half a line
        # below the bottom one: both must stay inside the panel.
        above = max(self.colorbar.top_margin() - top, 0) if bar else 0
        below = max(self.colorbar.bottom_margin() - (chrome_h - top), 0) if bar else 0
        mw, mh = self.fit(W - chrome_w - bar_w, H - chrome_h - above - below, view.box_ratio())
        plot_w, plot_h = mw + chrome_w, mh + chrome_h
        x0 = max((W - plot_w - bar_w) // 2, 0)
        y0 = max((H - plot_h - above - below) // 2, 0) + above
        view.setGeometry(QRect(x0, y0, plot_w, plot_h))
        if bar:
            cb = self.colorbar
            cb.setGeometry(QRect(x0 + plot_w + gap, y0 + top - cb.top_margin(), bar,
                                 mh + cb.top_margin() + cb.bottom_margin()))
            cb.show()
        else:
            self.colorbar.hide()
        view.fit_box()
        # The axes may measure their labels anew at the new size: settle once more.
        if view.chrome()[:2] != (chrome_w, chrome_h) and not _again:
            self.relayout(_again=True)

    def map_rect(self) -> QRect:
        """The map (the view box) in this panel's coordinates."""
        vb = self.view.view_box.geometry()
        g = self.view.geometry()
        return QRect(g.x() + int(vb.x()), g.y() + int(vb.y()), int(vb.width()), int(vb.height()))
