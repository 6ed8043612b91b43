"""A swarm on the contour map: every run's cloud of points as dots with short fading tails.

The positions come from the core (``recent_cloud`` of the simulation or of the timeline's
frame); this item only paints them, with one ``drawLines`` call per tail age and one
``drawPixmapFragments`` call per run.

Every run starts from the same cloud (the swarm is race-wide), so at step 0, and wherever
runs still agree (GD and momentum take the same first step), their dots coincide; drawn one
over the other only the last colour would show. A point where several runs coincide is drawn
once, as a slightly larger disc cut into equal sectors, one in each of those runs' colours
(clockwise from 12 o'clock in run order): every run stays visible, and the pie splits into
single-colour dots as the runs move apart.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap

from ...core import recent_cloud

#: Steps of history behind each dot.
TAIL_STEPS = 8
#: Tail segments drawn per frame at most: a big swarm gets shorter tails (10,000 points × 2
#: runs: 2 steps), so painting it stays within a frame and the window answers input.
MAX_TAIL_SEGMENTS = 40_000
DOT_SIZE = 4.5  # px at scale 1
SHARED_DOT_SIZE = 8.0  # px at scale 1: a dot shared by several runs, big enough for its sectors
#: Two runs' points closer than this fraction of the box's diagonal are one dot (well under a pixel).
COINCIDE = 1e-3
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
        # What is stamped: per set of coinciding runs, their colours and the points (n, 2).
        self._stamps: list[tuple[tuple[QColor, ...], np.ndarray]] = []
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
            self._dots, self._tails, self._stamps = [], [], []
            self.update()

    def update_runs(self, sim) -> None:
        """Take every visible run's cloud and its last TAIL_STEPS steps from ``sim``."""
        dots, tails, current = [], [], []
        b = self._bounds
        shown = sum(1 for style in self._styles[: sim.K] if style.visible) * sim.N
        tail_steps = int(np.clip(MAX_TAIL_SEGMENTS // max(shown, 1), 1, TAIL_STEPS))
        lo = np.array([b.left(), b.top()])
        hi = np.array([b.right(), b.bottom()])
        for k, style in enumerate(self._styles[: sim.K]):
            if not style.visible:
                continue
            color = QColor(style.color)
            cloud = recent_cloud(sim, k, tail_steps)  # (L+1, N, 2), oldest first
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
            current.append((color, cloud[-1], inside[-1]))
        self._dots, self._tails = dots, tails
        self._stamps = coinciding_stamps(current, COINCIDE * float(np.hypot(b.width(), b.height())))
        self.update()

    # ------------------------------------------------------------------ painting

    def boundingRect(self) -> QRectF:
        return self._bounds

    def _sprite(self, colors: tuple[QColor, ...], dpr: float) -> QPixmap:
        """A disc with a dark rim at the device pixel ratio: of one colour, or cut into equal
        sectors of several (clockwise from 12 o'clock)."""
        size = (DOT_SIZE if len(colors) == 1 else SHARED_DOT_SIZE) * self._scale
        key = (tuple(c.rgba() for c in colors), size, dpr)
        sprite = self._sprites.get(key)
        if sprite is None:
            side = int(np.ceil((size + 2 * self._scale + 2) * dpr))
            sprite = QPixmap(side, side)
            sprite.fill(Qt.GlobalColor.transparent)
            p = QPainter(sprite)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            r = size * dpr / 2
            disc = QRectF(side / 2 - r, side / 2 - r, 2 * r, 2 * r)
            if len(colors) > 1:
                p.setPen(Qt.PenStyle.NoPen)
                span = 360 * 16 // len(colors)  # Qt angles: 1/16 degree, counter-clockwise from 3 o'clock
                for j, color in enumerate(colors):
                    p.setBrush(color)
                    p.drawPie(disc, 90 * 16 - j * span, -span)
                p.setBrush(Qt.BrushStyle.NoBrush)
            else:
                p.setBrush(colors[0])
            p.setPen(QPen(QColor(20, 20, 25, 210), 1.2 * self._scale * dpr))
            p.drawEllipse(disc)
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
        for colors, points in self._stamps:
            sprite = self._sprite(colors, dpr)
            side = sprite.width()
            self._fragments.resize(len(points))
            frags = self._fragments.ndarray()
            frags[:, 0:2] = points @ m + shift
            frags[:, 2:6] = (0, 0, side, side)
            frags[:, 6:10] = (1 / dpr, 1 / dpr, 0.0, 1.0)
            painter.drawPixmapFragments(*self._fragments.drawargs(), sprite)
        painter.restore()


def coinciding_stamps(runs, tolerance: float) -> list[tuple[tuple, np.ndarray]]:
    """What to stamp for the runs' current points: ``runs`` is a list of (colour, points (N, 2),
    drawable (N,)) in run order, point i of every run starting from the same cloud point.
    Point i of run a is drawn by the first run b ≤ a whose point i lies within ``tolerance`` of
    it (its leader); each leader stamps once per point, with the colours of every run it leads
    there. Returns (colours, points) pairs: one per run for its points it shares with nobody,
    then one per set of runs sharing points."""
    if not runs:
        return []
    count = len(runs)
    pts = np.stack([np.asarray(p, dtype=float) for _, p, _ in runs])  # (V, N, 2)
    ok = np.stack([np.asarray(d, dtype=bool) for _, _, d in runs])  # (V, N)
    with np.errstate(invalid="ignore"):
        near = ((pts[:, None] - pts[None, :]) ** 2).sum(axis=-1) <= tolerance**2  # (V, V, N); NaN: False
    near &= ok[:, None] & ok[None, :]
    # The leader of run a's point i: the first run within tolerance (a itself if none before it).
    leader = np.where(ok, np.argmax(near, axis=1), -1)  # (V, N)
    masks = np.zeros(leader.shape, dtype=np.int64)  # masks[a, i]: the runs a leads at point i
    for c in range(count):
        for a in range(c + 1):
            masks[a] |= (leader[c] == a).astype(np.int64) << c
    singles, shared = [], {}
    for a, (color, points, _) in enumerate(runs):
        mine = leader[a] == a
        alone = mine & (masks[a] == 1 << a)
        if alone.any():
            singles.append(((color,), np.asarray(points)[alone]))
        together = mine & ~alone
        for mask in np.unique(masks[a][together]):
            where = together & (masks[a] == mask)
            shared.setdefault(int(mask), []).append(np.asarray(points)[where])
    return singles + [(tuple(runs[c][0] for c in range(count) if mask >> c & 1), np.concatenate(parts))
                      for mask, parts in shared.items()]
