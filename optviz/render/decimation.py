"""Bounded drawing of growing series: a curve's cost per frame must not grow with the race.

A race may run 100,000 steps. Handing every plot the whole history each frame makes a frame's
cost (copies, bounds, downsampling, clipping) grow with the step count, and a long session
slows to a crawl. :class:`SeriesDecimator` keeps what a curve draws to a fixed number of
points, updated incrementally from the new values only:

* the most recent ``exact`` values are drawn as they are (the moving end looks exactly right);
* everything older is cut into equal buckets of ``width`` steps, each drawn as its smallest
  and its largest value, in step order (peak decimation: a zig-zag keeps its full height,
  a spike never vanishes). When there are more than ``max_buckets`` buckets, neighbours are
  merged pairwise and the width doubles, so at most ``2·max_buckets + exact + width`` points
  are ever drawn.

Buckets are narrower than a pixel column for any plot narrower than ``max_buckets`` pixels,
so the drawing is the same as that of the exact series.

For a path in the plane (the 3D view's runs), :class:`PathThinner` keeps the steps that move
to another sub-pixel grid cell, and :class:`PathDecimator` bounds those like the curves:
the newest exactly, older ones as buckets' first and extreme points.
"""

from __future__ import annotations

import numpy as np

#: Points at the moving end drawn exactly, and the bucket count beyond which buckets merge.
EXACT_POINTS = 2000
MAX_BUCKETS = 2048


class SeriesDecimator:
    """Peak decimation of a growing series ``y[0..n)`` against its index, incrementally.

    ``update(y)`` takes the whole series each time (a view into the recording: nothing is
    copied) but only reads the values it has not bucketed yet. It notices a series that was
    restarted or cut shorter (the first value or the last bucketed value changed, or it is
    shorter than what was bucketed) and starts over.
    """

    def __init__(self, exact: int = EXACT_POINTS, max_buckets: int = MAX_BUCKETS) -> None:
        if exact < 1 or max_buckets < 2:
            raise ValueError("exact must be >= 1 and max_buckets >= 2")
        self.exact, self.max_buckets = int(exact), int(max_buckets)
        self.reset()

    def reset(self) -> None:
        self.width = 1  # steps per bucket
        self.count = 0  # complete buckets; they cover y[: count * width]
        cap = 2 * self.max_buckets + 2
        self._lo_i = np.zeros(cap, dtype=np.int64)  # index of each bucket's first extreme
        self._hi_i = np.zeros(cap, dtype=np.int64)  # … and of its second
        self._lo_v = np.zeros(cap)
        self._hi_v = np.zeros(cap)
        self._first: bytes | None = None
        self._last: bytes | None = None  # y[covered - 1], to notice a restart

    @property
    def covered(self) -> int:
        return self.count * self.width

    def update(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)`` to draw for the series ``y`` (x: the step indices, as floats)."""
        y = np.asarray(y, dtype=float)
        n = len(y)
        covered = self.covered
        if covered and (n < covered or y[0].tobytes() != self._first or y[covered - 1].tobytes() != self._last):
            self.reset()
        self._bucket(y)
        covered = self.covered
        if covered == 0:
            return np.arange(n, dtype=float), y
        self._first, self._last = y[0].tobytes(), y[covered - 1].tobytes()
        c = self.count
        xs = np.empty(2 * c + (n - covered))
        ys = np.empty_like(xs)
        xs[0 : 2 * c : 2], xs[1 : 2 * c : 2] = self._lo_i[:c], self._hi_i[:c]
        ys[0 : 2 * c : 2], ys[1 : 2 * c : 2] = self._lo_v[:c], self._hi_v[:c]
        xs[2 * c :] = np.arange(covered, n)
        ys[2 * c :] = y[covered:]
        return xs, ys

    def _bucket(self, y: np.ndarray) -> None:
        """Bucket every complete bucket that lies before the exact tail."""
        end = len(y) - self.exact  # everything before this may be bucketed
        while True:
            new = (end - self.covered) // self.width
            if new <= 0:
                return
            new = min(new, 2 * self.max_buckets + 2 - self.count)
            start = self.covered
            block = y[start : start + new * self.width].reshape(new, self.width)
            self._store(block, start)
            if self.count > self.max_buckets:
                self._merge()

    def _store(self, block: np.ndarray, start: int) -> None:
        new, width = block.shape
        nan = np.isnan(block)
        lo = np.argmin(np.where(nan, np.inf, block), axis=1)
        hi = np.argmax(np.where(nan, -np.inf, block), axis=1)
        rows = np.arange(new)
        lo_v, hi_v = block[rows, lo], block[rows, hi]
        empty = nan.all(axis=1)  # an all-NaN bucket stays a gap
        lo[empty], hi[empty] = 0, width - 1
        first, second = np.minimum(lo, hi), np.maximum(lo, hi)
        swap = lo > hi
        v1, v2 = np.where(swap, hi_v, lo_v), np.where(swap, lo_v, hi_v)
        base = start + rows * width
        s = slice(self.count, self.count + new)
        self._lo_i[s], self._hi_i[s] = base + first, base + second
        self._lo_v[s], self._hi_v[s] = v1, v2
        self.count += new

    def _merge(self) -> None:
        """Pairs of buckets become one of twice the width: its lowest and highest of the four
        points, in step order. An odd last bucket is dropped (re-bucketed from the series)."""
        pairs = self.count // 2
        idx = np.stack([self._lo_i[: 2 * pairs], self._hi_i[: 2 * pairs]], axis=1).reshape(pairs, 4)
        val = np.stack([self._lo_v[: 2 * pairs], self._hi_v[: 2 * pairs]], axis=1).reshape(pairs, 4)
        nan = np.isnan(val)
        lo = np.argmin(np.where(nan, np.inf, val), axis=1)
        hi = np.argmax(np.where(nan, -np.inf, val), axis=1)
        rows = np.arange(pairs)
        lo_i, hi_i, lo_v, hi_v = idx[rows, lo], idx[rows, hi], val[rows, lo], val[rows, hi]
        empty = nan.all(axis=1)
        lo_i[empty], hi_i[empty] = idx[empty, 0], idx[empty, 3]
        swap = lo_i > hi_i
        self._lo_i[:pairs], self._hi_i[:pairs] = np.where(swap, hi_i, lo_i), np.where(swap, lo_i, hi_i)
        self._lo_v[:pairs], self._hi_v[:pairs] = np.where(swap, hi_v, lo_v), np.where(swap, lo_v, hi_v)
        self.count, self.width = pairs, 2 * self.width


class PathDecimator:
    """Which points of a growing polyline to draw, incrementally: the newest ``exact`` points
    all, older ones in buckets of ``width`` consecutive points, each kept as its first point
    and its points of smallest and largest x and y (so a zig-zag keeps its reach). Buckets
    merge pairwise past ``max_buckets``; ``version`` counts merges and restarts, so a caller
    caching per-bucket work (the 3D view's display points) knows when to redo it.
    """

    KEEP = 5  # first, min x, max x, min y, max y

    def __init__(self, exact: int = 300, max_buckets: int = 512) -> None:
        self.exact, self.max_buckets = int(exact), int(max_buckets)
        self.version = 0
        self.reset()

    def reset(self) -> None:
        self.width, self.count = 1, 0
        cap = 2 * self.max_buckets + 2
        self._idx = np.zeros((cap, self.KEEP), dtype=np.int64)
        self._xy = np.zeros((cap, self.KEEP, 2))
        self._first: bytes | None = None
        self._last: bytes | None = None
        self.version += 1

    @property
    def covered(self) -> int:
        return self.count * self.width

    def update(self, pts: np.ndarray, order: np.ndarray | None = None) -> int:
        """Bucket what the polyline added since the last call; returns ``covered``: its points
        before it are drawn as :meth:`bucket_indices`, points from it on exactly.

        The polyline is ``pts`` (n, 2), finite, or with ``order`` the points ``pts[order]``
        (e.g. :class:`PathThinner`'s indices; only the new points are gathered), and indices
        count along it."""
        if order is None:
            n, at = len(pts), (lambda sl: pts[sl])
        else:
            n, at = len(order), (lambda sl: pts[order[sl]])
        c = self.covered
        if c and (n < c or at(0).tobytes() != self._first or at(c - 1).tobytes() != self._last):
            self.reset()
        end = n - self.exact
        while True:
            new = (end - self.covered) // self.width
            if new <= 0:
                break
            new = min(new, 2 * self.max_buckets + 2 - self.count)
            start = self.covered
            block = at(slice(start, start + new * self.width)).reshape(new, self.width, 2)
            rows = np.arange(new)[:, None]
            local = np.stack([np.zeros(new, dtype=np.int64), block[..., 0].argmin(1), block[..., 0].argmax(1),
                              block[..., 1].argmin(1), block[..., 1].argmax(1)], axis=1)
            local.sort(axis=1)
            s = slice(self.count, self.count + new)
            self._idx[s] = start + np.arange(new)[:, None] * self.width + local
            self._xy[s] = block[rows, local]
            self.count += new
            if self.count > self.max_buckets:
                self._merge()
        c = self.covered
        if c:
            self._first, self._last = at(0).tobytes(), at(c - 1).tobytes()
        return c

    def bucket_indices(self, start: int = 0) -> np.ndarray:
        """Sorted indices kept from buckets ``start`` … ``count - 1`` (no repeats)."""
        idx = self._idx[start : self.count].ravel()
        if idx.size == 0:
            return idx
        keep = np.empty(idx.size, dtype=bool)
        keep[0] = True
        np.not_equal(idx[1:], idx[:-1], out=keep[1:])
        return idx[keep]

    def _merge(self) -> None:
        pairs = self.count // 2
        idx = self._idx[: 2 * pairs].reshape(pairs, 2 * self.KEEP)
        xy = self._xy[: 2 * pairs].reshape(pairs, 2 * self.KEEP, 2)
        rows = np.arange(pairs)[:, None]
        pick = np.stack([np.zeros(pairs, dtype=np.int64), xy[..., 0].argmin(1), xy[..., 0].argmax(1),
                         xy[..., 1].argmin(1), xy[..., 1].argmax(1)], axis=1)
        new_idx = idx[rows, pick]
        order = np.argsort(new_idx, axis=1, kind="stable")
        pick = pick[rows, order]
        self._idx[:pairs], self._xy[:pairs] = idx[rows, pick], xy[rows, pick]
        self.count, self.width = pairs, 2 * self.width
        self.version += 1


class PathThinner:
    """The points of a growing polyline worth drawing, incrementally and bounded.

    A point is kept when it leaves the grid cell (``cell`` data units per axis) of the point
    before it: steps inside one cell (a slow run crawling in sub-pixel steps) are dropped,
    every move larger than a cell is kept, so with cells under a pixel the thinned path looks
    the same as the whole one. Not bounded by itself (a noisy run crosses cells at every
    step): :class:`PathDecimator` bounds what is drawn. With ``max_points``, the cell doubles
    and the kept points are thinned again whenever more are kept (not used by the views: a
    jitter across a cell border keeps crossing it at any cell size, so the cells grow until
    the drawing cuts visible corners). ``version`` counts re-thinnings and restarts, for
    callers that cache work per kept point. The first point is always kept."""

    def __init__(self, cell=(1.0, 1.0), max_points: int | None = None) -> None:
        self.base_cell = np.asarray(cell, dtype=float)
        self.max_points = max_points
        self.version = 0
        self.reset()

    def reset(self) -> None:
        self.cell = self.base_cell.copy()
        self._kept = np.zeros(1024, dtype=np.int64)
        self.count = 0
        self.checked = 0  # points looked at
        self._first: bytes | None = None
        self._last: bytes | None = None
        self.version += 1

    def set_cell(self, cell) -> None:
        """The finest cell (a new surface's box); starts over when it changed."""
        cell = np.asarray(cell, dtype=float)
        if not np.array_equal(cell, self.base_cell):
            self.base_cell = cell
            self.reset()

    @property
    def indices(self) -> np.ndarray:
        return self._kept[: self.count]

    def update(self, pts: np.ndarray) -> np.ndarray:
        """Thin the points of ``pts`` (n, 2), finite, not seen yet; returns ``indices``."""
        n = len(pts)
        c = self.checked
        if c and (n < c or pts[0].tobytes() != self._first or pts[c - 1].tobytes() != self._last):
            self.reset()
            c = 0
        if n > c:
            cells = np.floor(pts[max(c - 1, 0) : n] / self.cell)
            moved = np.flatnonzero((cells[1:] != cells[:-1]).any(axis=1)) + max(c, 1)
            new = moved if c else np.concatenate([[0], moved])
            if self.count + len(new) > len(self._kept):
                grown = np.zeros(max(2 * len(self._kept), self.count + len(new)), dtype=np.int64)
                grown[: self.count] = self._kept[: self.count]
                self._kept = grown
            self._kept[self.count : self.count + len(new)] = new
            self.count += len(new)
            self.checked = n
            self._first, self._last = pts[0].tobytes(), pts[n - 1].tobytes()
            while self.max_points is not None and self.count > self.max_points:
                self._coarsen(pts)
        return self.indices

    def _coarsen(self, pts: np.ndarray) -> None:
        self.cell = 2 * self.cell
        kept = self._kept[: self.count]
        cells = np.floor(pts[kept] / self.cell)
        keep = np.ones(len(kept), dtype=bool)
        np.any(cells[1:] != cells[:-1], axis=1, out=keep[1:])
        kept = kept[keep]
        self._kept[: len(kept)] = kept
        self.count = len(kept)
        self.version += 1
