"""A swarm on the contour map: every run's cloud of points as dots with short fading tails.

The positions come from the core (``recent_cloud`` of the simulation or of the timeline's
frame); this item only paints them. One ``drawLines`` call per tail age and one
``drawPoints`` call per run keep 1,000 points × 8 runs well inside a 60 Hz frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QPointF, QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPen

from ..core import recent_cloud

#: Steps of history behind each dot.
TAIL_STEPS = 8
DOT_SIZE = 4.5  # px at scale 1
TAIL_WIDTH = 1.5
TAIL_ALPHA = 170  # of the newest tail segment; older ones fade linearly to nothing


class SwarmLayer(pg.GraphicsObject):
    """Dots and tails of every visible run's swarm, in data coordinates of the contour view.

    ``set_runs(styles)`` takes the run colours and visibility, ``set_bounds(box)`` the area
    where drawing makes sense (points beyond it, e.g. diverged ones, are skipped),
    ``update_runs(sim)`` the positions, ``set_scale(s)`` the presentation scale, and
    ``clear()`` removes everything (no swarm).
    """

    def __init__(self) -> None:
        super().__init__()
        self._bounds = QRectF()
        self._styles: list = []
        self._scale = 1.0
        self._dots: list[tuple[QColor, object]] = []  # per run: colour, PrimitiveArray of QPointF
        self._tails: list[tuple[QPen, object]] = []  # per run and age: pen, PrimitiveArray of QLineF
        self.setZValue(15)  # above the map and iso-lines, below the paths and heads

    # ------------------------------------------------------------------ inputs

    def set_bounds(self, xmin: float, xmax: float, ymin: float, ymax: float) -> None:
        self.prepareGeometryChange()
        self._bounds = QRectF(xmin, ymin, xmax - xmin, ymax - ymin)
        self.update()

    def set_runs(self, styles) -> None:
        self._styles = list(styles)

    def set_scale(self, scale: float) -> None:
        self._scale = float(scale)

    def clear(self) -> None:
        self._dots, self._tails = [], []
        self.update()

    def update_runs(self, sim) -> None:
        """Take every visible run's cloud and its last TAIL_STEPS steps from ``sim``."""
        dots, tails = [], []
        b = self._bounds
        lo = np.array([b.left(), b.top()])
        hi = np.array([b.right(), b.bottom()])
        for k, style in enumerate(self._styles[: sim.K]):
            if not style.visible:
                continue
            color = QColor(style.color)
            cloud = recent_cloud(sim, k, TAIL_STEPS)  # (L+1, N, 2), oldest first
            inside = ((cloud >= lo) & (cloud <= hi)).all(axis=-1)  # False for NaN too
            ages = len(cloud) - 1
            for age in range(ages, 0, -1):  # oldest first, so newer segments lie on top
                a, b_ = cloud[-age - 1], cloud[-age]
                keep = inside[-age - 1] & inside[-age]
                if not keep.any():
                    continue
                lines = PrimitiveArray(QLineF, 4)
                lines.resize(int(keep.sum()))
                arr = lines.ndarray()
                arr[:, :2] = a[keep]
                arr[:, 2:] = b_[keep]
                pen = QPen(QColor(color.red(), color.green(), color.blue(),
                                  int(TAIL_ALPHA * (1 - (age - 1) / ages))))
                pen.setWidthF(TAIL_WIDTH * self._scale)
                pen.setCosmetic(True)
                tails.append((pen, lines))
            now = cloud[-1][inside[-1]]
            points = PrimitiveArray(QPointF, 2)
            points.resize(len(now))
            points.ndarray()[:] = now
            dots.append((color, points))
        self._dots, self._tails = dots, tails
        self.update()

    # ------------------------------------------------------------------ painting

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter, *args) -> None:
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        for pen, lines in self._tails:
            painter.setPen(pen)
            painter.drawLines(*lines.drawargs())
        size = DOT_SIZE * self._scale
        for color, points in self._dots:
            # A dark rim, then the colour: dots stay visible on light and dark map areas alike.
            rim = QPen(QColor(20, 20, 25, 200), size + 1.5 * self._scale)
            rim.setCapStyle(Qt.PenCapStyle.RoundCap)
            rim.setCosmetic(True)
            painter.setPen(rim)
            painter.drawPoints(*points.drawargs())
            fill = QPen(color, size)
            fill.setCapStyle(Qt.PenCapStyle.RoundCap)
            fill.setCosmetic(True)
            painter.setPen(fill)
            painter.drawPoints(*points.drawargs())
