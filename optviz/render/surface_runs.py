"""What the 3D view draws for each run: its path cut to the surface's box, its ball (or the
cross where it left the box), and the dot markers (balls, minima) these use.

Display coordinates as in :mod:`optviz.render.surface_view`: the box is [-1, 1]² × [0, height].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph.opengl as gl

from .decimation import PathDecimator, PathThinner
from .surface_gl import CASING_GL, ORDER_GHOST, ORDER_PATH, OVERLAY_GL, PATH_GL, CrossItem, rgba

if TYPE_CHECKING:
    from .inputs import RunStyle

#: The rim of balls, minima and crosses.
OUTLINE_COLOR = (0.10, 0.10, 0.12, 1.0)


def clip_to_box(pts: np.ndarray, bound: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """The polyline ``pts`` (n, 3) cut to the square |x|, |y| ≤ bound, as independent segments.

    Returns (segments, cut): (2m, 3) end points for GLLinePlotItem(mode='lines'), and a (2m,)
    mask of the end points made by a cut (they lie on the border). Parts outside are dropped
    (a run that leaves and comes back shows both inside parts); z is interpolated along the
    segment, so callers put cut points back on the surface."""
    pts = np.asarray(pts, dtype=float)
    if len(pts) < 2:
        return np.zeros((0, 3)), np.zeros(0, dtype=bool)
    p0, d = pts[:-1], np.diff(pts, axis=0)
    t0, t1 = np.zeros(len(d)), np.ones(len(d))
    keep = np.ones(len(d), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for axis in (0, 1):
            for sign in (-1.0, 1.0):  # Liang-Barsky: sign·(p0 + t·d) ≤ bound
                den = sign * d[:, axis]
                num = bound - sign * p0[:, axis]
                t = num / den
                t1 = np.where(den > 0, np.minimum(t1, t), t1)
                t0 = np.where(den < 0, np.maximum(t0, t), t0)
                keep &= ~((den == 0) & (num < 0))
    keep &= t0 <= t1
    a = p0[keep] + t0[keep, None] * d[keep]
    b = p0[keep] + t1[keep, None] * d[keep]
    segments = np.stack([a, b], axis=1).reshape(-1, 3)
    cut = np.stack([t0[keep] > 0, t1[keep] < 1], axis=1).reshape(-1)
    return segments, cut


class Markers:
    """Flat dots with a dark rim (run heads, minima), drawn on top of everything so they are
    never lost and keep their exact colour whatever lies behind them."""

    def __init__(self, view: gl.GLViewWidget, size: float, rim: float, order: float) -> None:
        self.size, self.rim_width = size, rim
        self.rim = gl.GLScatterPlotItem(size=size + 2 * rim, pxMode=True, glOptions=OVERLAY_GL)
        self.dot = gl.GLScatterPlotItem(size=size, pxMode=True, glOptions=OVERLAY_GL)
        self.rim.setDepthValue(order)
        self.dot.setDepthValue(order + 0.5)
        for item in (self.rim, self.dot):
            item.setVisible(False)
            view.addItem(item)
        self.pos = np.zeros((0, 3))
        self.colors = np.zeros((0, 4))
        self.shown = np.zeros(0, dtype=bool)

    def set(self, pos: np.ndarray, colors: np.ndarray) -> None:
        self.pos = np.asarray(pos, dtype=float).reshape(-1, 3)
        self.colors = np.asarray(colors, dtype=float).reshape(-1, 4)
        self.shown = np.ones(len(self.pos), dtype=bool)
        self._apply()

    def set_size(self, size: float, rim: float) -> None:
        self.size, self.rim_width = size, rim
        self.rim.setData(size=size + 2 * rim)
        self.dot.setData(size=size)

    def show_only(self, shown: np.ndarray) -> None:
        """Draw only the markers where ``shown``; touches the items only when that changed
        (this runs inside paintGL)."""
        shown = np.asarray(shown, dtype=bool)
        if shown.shape == self.shown.shape and (shown != self.shown).any():
            self.shown = shown
            self._apply()

    def _apply(self) -> None:
        keep = self.shown
        n = int(keep.sum())
        for item in (self.rim, self.dot):
            item.setVisible(n > 0)
        if n == 0:
            return
        self.rim.setData(pos=self.pos[keep], color=np.tile(OUTLINE_COLOR, (n, 1)))
        self.dot.setData(pos=self.pos[keep], color=self.colors[keep])


class Crosses:
    """× marks in run colours outlined in red, on top of everything: where runs left the box."""

    def __init__(self, view: gl.GLViewWidget, size: float, order: float) -> None:
        self.item = CrossItem(size=size, pxMode=True, glOptions=OVERLAY_GL)
        self.item.setDepthValue(order)
        self.item.setVisible(False)
        view.addItem(self.item)
        self.size = size
        self.pos = np.zeros((0, 3))

    def set(self, pos: np.ndarray, colors: np.ndarray) -> None:
        self.pos = np.asarray(pos, dtype=float).reshape(-1, 3)
        if len(self.pos):
            self.item.setData(pos=self.pos, color=np.asarray(colors, dtype=float).reshape(-1, 4))
        self.item.setVisible(len(self.pos) > 0)

    def set_size(self, size: float) -> None:
        self.size = size
        self.item.setData(size=size)


class PathTrace:
    """What the 3D view has computed of one run's path, so a frame only works on new points.

    Paths up to ``EXACT`` points are drawn through every point. Longer ones through a bounded
    set: first the steps that leave the grid cell of the step before are kept
    (:class:`~.decimation.PathThinner`, cells of 1/2048 of the box: far below a pixel), then,
    when there are still many, the newest of those exactly and older ones as buckets' first
    and extreme points (:class:`~.decimation.PathDecimator`). The display points and clipped
    segments of the buckets are kept and only appended to; the tail's are recomputed each
    frame (a few hundred points). ``valid`` is how many leading points have a position and a
    defined loss, as far as ``checked`` points were looked at.
    """

    EXACT = 800  # ≤ the decimator's exact tail + max_buckets: every bucket is one point

    def __init__(self) -> None:
        self.thinner = PathThinner()
        self.decimator = PathDecimator(exact=300, max_buckets=512)
        self.reset()

    def reset(self) -> None:
        self.thinner.reset()
        self.decimator.reset()
        self.first: bytes | None = None  # the path's first point and its last checked one,
        self.last: bytes | None = None  # to notice a restart
        self.checked = 0
        self.valid = 0
        self.version = -1  # the decimator's version the bucket cache was made for
        self.buckets = 0  # buckets whose display points are in bucket_pts
        self.bucket_pts = np.zeros((0, 3))
        self.bucket_segs = np.zeros((0, 3))


class RunPath:
    """The GL items of one run's path: a faded copy always on top (traceable behind hills),
    and the depth-tested path in the run colour on a light casing."""

    def __init__(self, view: gl.GLViewWidget, multisampled: bool, widths=(2.0, 6.0, 3.0)) -> None:
        ghost, casing, line = widths
        self.ghost = gl.GLLinePlotItem(width=ghost, antialias=True, mode="lines", glOptions=OVERLAY_GL)
        self.casing = gl.GLLinePlotItem(width=casing, antialias=True, mode="lines", glOptions=CASING_GL)
        # GL_LINE_SMOOTH fades every segment's ends, so a smoothed strip of short segments
        # shows its casing through each joint (white dashes on llvmpipe). Multisampling
        # smooths the path without that; without it the path is drawn solid.
        self.line = gl.GLLinePlotItem(width=line, antialias=multisampled, mode="lines", glOptions=PATH_GL)
        self.ghost.setDepthValue(ORDER_GHOST)
        self.casing.setDepthValue(ORDER_PATH)
        self.line.setDepthValue(ORDER_PATH + 0.5)
        self.items = (self.ghost, self.casing, self.line)
        for item in self.items:
            item.setVisible(False)
            view.addItem(item)
        self.visible = False
        self.color = (0.0, 0.0, 0.0, 1.0)
        self.trace = PathTrace()

    def set_widths(self, widths) -> None:
        for item, width in zip(self.items, widths):
            item.setData(width=float(width))

    def style(self, style: RunStyle) -> None:
        self.color = rgba(style.color)
        self.ghost.setData(color=rgba(style.color, 0.35))
        self.casing.setData(color=(1.0, 1.0, 1.0, 0.85))
        self.line.setData(color=self.color)
        self.visible = bool(style.visible)

    def show_path(self, segments: np.ndarray | None) -> None:
        """``segments``: (2m, 3) end points, as :func:`clip_to_box` returns them."""
        has_line = self.visible and segments is not None and len(segments) >= 2
        for item in self.items:
            if has_line:
                item.setData(pos=segments)
            item.setVisible(has_line)

    def remove(self, view: gl.GLViewWidget) -> None:
        for item in self.items:
            view.removeItem(item)
