"""Plain value types shared by the core: view boxes and critical points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ViewBox:
    """Axis-aligned rectangle ``[xmin, xmax] x [ymin, ymax]`` in parameter space."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float

    def __post_init__(self) -> None:
        if not all(np.isfinite([self.xmin, self.xmax, self.ymin, self.ymax])):
            raise ValueError(f"view box bounds must be finite, got {self}")
        if not (self.xmin < self.xmax and self.ymin < self.ymax):
            raise ValueError(
                f"view box needs xmin < xmax and ymin < ymax, got "
                f"x=[{self.xmin}, {self.xmax}], y=[{self.ymin}, {self.ymax}]"
            )

    @property
    def width(self) -> float:
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        return self.ymax - self.ymin

    @property
    def diagonal(self) -> float:
        return float(np.hypot(self.width, self.height))

    @property
    def center(self) -> tuple[float, float]:
        return (0.5 * (self.xmin + self.xmax), 0.5 * (self.ymin + self.ymax))

    def expanded(self, fraction: float) -> "ViewBox":
        """The box grown by ``fraction`` of its width/height on every side."""
        dx, dy = fraction * self.width, fraction * self.height
        return ViewBox(self.xmin - dx, self.xmax + dx, self.ymin - dy, self.ymax + dy)

    def contains(self, points: np.ndarray) -> np.ndarray:
        """Boolean mask over ``points[..., 2]``; NaN points are outside."""
        p = np.asarray(points, dtype=float)
        x, y = p[..., 0], p[..., 1]
        return (x >= self.xmin) & (x <= self.xmax) & (y >= self.ymin) & (y <= self.ymax)

    def label_side(self, x: float, y: float, reach_x: float, reach_y: float) -> tuple[int, int]:
        """Where a mark's label goes: right of and above the mark, (+1, +1), unless the label,
        ``reach_x`` wide and ``reach_y`` tall in data units from the mark (as drawn now), would
        run off the box's edge on that side; then left of (−1) or below it (−1) if it fits
        there, else on the side with more room. The live map and every export place minimum
        labels by this one rule."""
        def side(v, reach, lo, hi):
            if v + reach <= hi:
                return 1
            if v - reach >= lo:
                return -1
            return 1 if hi - v >= v - lo else -1  # fits on neither side: the roomier one

        return side(x, reach_x, self.xmin, self.xmax), side(y, reach_y, self.ymin, self.ymax)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.xmin, self.xmax, self.ymin, self.ymax)

    def exit_point(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Where the segment from ``a`` (inside) to ``b`` (outside) crosses the edge; ``a``
        itself when ``b`` is not finite (a diverged step has no direction to follow)."""
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if not np.isfinite(b).all():
            return a.copy()
        t = 1.0
        for axis, (lo, hi) in enumerate(((self.xmin, self.xmax), (self.ymin, self.ymax))):
            d = b[axis] - a[axis]
            if b[axis] > hi:
                t = min(t, (hi - a[axis]) / d)
            elif b[axis] < lo:
                t = min(t, (lo - a[axis]) / d)
        return a + max(t, 0.0) * (b - a)

    def clip_path(self, pts: np.ndarray, first_outside: int | None = None) -> np.ndarray:
        """``pts`` up to where they first leave the box, ending exactly on its edge (nothing
        astronomically far off reaches a rasterizer); empty if the first point is outside.
        ``first_outside`` (-1: none) saves the search when the caller knows it."""
        if len(pts) == 0:
            return pts
        if first_outside is None:
            outside = np.flatnonzero(~self.contains(pts))
            first_outside = int(outside[0]) if outside.size else -1
        j = first_outside
        if j < 0:
            return pts
        if j == 0:
            return pts[:0]
        return np.vstack([pts[:j], self.exit_point(pts[j - 1], pts[j])[None, :]])

    def divergence_spot(self, finite: np.ndarray, inset: float) -> np.ndarray:
        """Where a map marks a diverged run: its last finite point, or, when that lies outside
        the box shrunk by ``inset`` (a fraction of its size), where the path leaves it, so the
        mark shows inside the map."""
        last = finite[-1]
        inner = self.expanded(-inset)
        inside = np.flatnonzero(inner.contains(finite))
        if inner.contains(last) or inside.size == 0:
            return np.asarray(last, dtype=float)
        i = int(inside[-1])
        return inner.exit_point(finite[i], finite[i + 1])


@dataclass(frozen=True)
class CriticalPoint:
    """A known stationary point ``(x, y)`` with its value ``f(x, y)``."""

    x: float
    y: float
    value: float

    @property
    def location(self) -> np.ndarray:
        return np.array([self.x, self.y], dtype=float)
