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

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.xmin, self.xmax, self.ymin, self.ymax)


@dataclass(frozen=True)
class CriticalPoint:
    """A known stationary point ``(x, y)`` with its value ``f(x, y)``."""

    x: float
    y: float
    value: float

    @property
    def location(self) -> np.ndarray:
        return np.array([self.x, self.y], dtype=float)
