"""A swarm on the contour map: every run's cloud of points as dots with short fading tails.

The positions come from the core (``recent_cloud`` of the simulation or of the timeline's
frame); this item only paints them, with one ``drawLines`` call per tail age and one
``drawPixmapFragments`` call per run.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QPointF, QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap

from ..core import recent_cloud

#: Steps of history behind each dot.
TAIL_STEPS = 8
DOT_SIZE = 4.5  # px at scale 1
TAIL_WIDTH = 1.0  # px; wider antialiased lines cost Qt ~2.5× as much
TAIL_ALPHA = 170  # of the newest tail segment; older ones fade linearly to nothing


class SwarmLayer(pg.GraphicsObject):
    """Dots and tails of every visible run's swarm, in data coordinates of the contour view.

    ``set_runs(styles)`` takes the run colours and visibility, ``set_bounds(box)`` the area
    where drawing makes sense (points beyond it, e.g. diverged ones, are skipped),
    ``update_runs(sim)`` the positions, ``set_scale(s)`` the presentation scale, and
    ``clear()`` removes everything (no swarm).

    Painting maps the points to device pixels with NumPy and draws with an identity
    transform: Qt strokes lines under a scaling transform, and wide round points, through its
    general path stroker, ~50× slower. Dots are stamped from one pre-rendered disc per run.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bounds = QRectF()
        self._styles: list = []
        self._scale = 1.0
        self._dots: list[tuple[QColor, np.ndarray]] = []  # per run: colour, (n, 2) data points (float32)
        self._tails: list[tuple[QColor, float, np.ndarray]] = []  # colour, opacity, (n, 4) segments
        self._sprites: dict = {}  # (colour, size, dpr) -> disc pixmap
        self._lines = PrimitiveArray(QLineF, 4)
        self._fragments = PrimitiveArray(QPainter.PixmapFragment, 10)
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
        self._sprites.clear()

    def clear(self) -> None:
        if self._dots or self._tails:
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
            if ages:
                segments = np.concatenate([cloud[:-1], cloud[1:]], axis=-1)  # (L, N, 4): step i to i+1
                keep = inside[:-1] & inside[1:]
                everywhere = keep.all(axis=1)
                for age in range(ages, 0, -1):  # oldest first, so newer segments lie on top
                    i = ages - age
                    seg = segments[i] if everywhere[i] else segments[i][keep[i]]
                    if len(seg):
                        tails.append((color, TAIL_ALPHA / 255 * (1 - (age - 1) / ages), seg))
            now = cloud[-1] if inside[-1].all() else cloud[-1][inside[-1]]
            dots.append((color, now))
        self._dots, self._tails = dots, tails
        self.update()

    # ------------------------------------------------------------------ painting

    def boundingRect(self) -> QRectF:
        return self._bounds

    def _sprite(self, color: QColor, dpr: float) -> QPixmap:
        """A disc of ``color`` with a dark rim, at the device pixel ratio."""
        size = DOT_SIZE * self._scale
        key = (color.rgba(), size, dpr)
        sprite = self._sprites.get(key)
        if sprite is None:
            side = int(np.ceil((size + 2 * self._scale + 2) * dpr))
            sprite = QPixmap(side, side)
            sprite.fill(Qt.GlobalColor.transparent)
            p = QPainter(sprite)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setPen(QPen(QColor(20, 20, 25, 210), 1.2 * self._scale * dpr))
            p.setBrush(color)
            r = size * dpr / 2
            p.drawEllipse(QPointF(side / 2, side / 2), r, r)
            p.end()
            self._sprites[key] = sprite
        return sprite

    def paint(self, painter, *args) -> None:
        if not (self._dots or self._tails):
            return
        t = painter.transform()
        m = np.array([[t.m11(), t.m12()], [t.m21(), t.m22()]])
        shift = np.array([t.dx(), t.dy()])
        painter.save()
        painter.resetTransform()  # from here on: device pixels
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        width = TAIL_WIDTH * self._scale
        for color, opacity, segments in self._tails:
            pen = QPen(QColor(color.red(), color.green(), color.blue(), int(255 * opacity)), width)
            painter.setPen(pen)
            self._lines.resize(len(segments))
            out = self._lines.ndarray()
            out[:, :2] = segments[:, :2] @ m + shift
            out[:, 2:] = segments[:, 2:] @ m + shift
            painter.drawLines(*self._lines.drawargs())
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        for color, points in self._dots:
            sprite = self._sprite(color, dpr)
            side = sprite.width()
            self._fragments.resize(len(points))
            frags = self._fragments.ndarray()
            frags[:, 0:2] = points @ m + shift
            frags[:, 2:6] = (0, 0, side, side)
            frags[:, 6:10] = (1 / dpr, 1 / dpr, 0.0, 1.0)
            painter.drawPixmapFragments(*self._fragments.drawargs(), sprite)
        painter.restore()
