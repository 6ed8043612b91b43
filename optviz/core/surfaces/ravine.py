"""Long straight ravine along the diagonal with a gentle constant slope and steep walls."""

from __future__ import annotations

import math

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..surface import Category
from .base import SQRT_HALF, AnalyticSurface, SurfaceDefinition

# The ravine runs along the diagonal u = (x + y)/√2 with the cross-coordinate v = (y − x)/√2.
RAVINE_SLOPE = 0.2  # s: the constant gentle slope of the floor far from the minimum
RAVINE_BOTTOM = 1.0  # δ: the length over which the floor rounds off into the minimum
RAVINE_WALLS = 10.0  # k: curvature across the ravine
RAVINE_MINIMUM = (3.5, 3.5)
_U0 = (RAVINE_MINIMUM[0] + RAVINE_MINIMUM[1]) * SQRT_HALF
_SLOPE_HALF = RAVINE_SLOPE * SQRT_HALF
_WALLS_HALF = RAVINE_WALLS * 0.5
_WALLS_HALF_V = 0.5 * RAVINE_WALLS


def value(x, y):
    u = (x + y) * SQRT_HALF - _U0
    v = (y - x) * SQRT_HALF
    return RAVINE_SLOPE * (np.hypot(RAVINE_BOTTOM, u) - RAVINE_BOTTOM) + 0.5 * RAVINE_WALLS * v * v


def gradient(x, y, gx, gy):
    u = (x + y) * SQRT_HALF - _U0
    # ∂J/∂u = s·u/√(δ² + u²); hypot keeps it finite for huge u.
    u /= np.hypot(RAVINE_BOTTOM, u)
    u *= RAVINE_SLOPE * SQRT_HALF
    np.subtract(y, x, out=gy)
    gy *= RAVINE_WALLS * 0.5  # ∂J/∂v·(1/√2) = k·v/√2 = k(y − x)/2
    np.subtract(u, gy, out=gx)
    gy += u


def scalar_value(sp, x, y):
    u = (x + y) * SQRT_HALF - _U0
    v = (y - x) * SQRT_HALF
    return RAVINE_SLOPE * (math.hypot(1.0, u) - 1.0) + _WALLS_HALF_V * v * v


def scalar_gradient(sp, x, y):
    u = (x + y) * SQRT_HALF - _U0
    u = u / math.hypot(1.0, u)
    u = u * _SLOPE_HALF
    gy = y - x
    gy = gy * _WALLS_HALF
    gx = u - gy
    gy = gy + u
    return gx, gy


def ravine() -> AnalyticSurface:
    """Long straight ravine along the diagonal, J = s(√(δ² + (u − u₀)²) − δ) + ½k v², with
    u = (x + y)/√2 along the floor, v = (y − x)/√2 across it, s = 0.2, δ = 1, k = 10 and the
    minimum at (3.5, 3.5)."""
    return AnalyticSurface(
        value,
        gradient,
        key="ravine",
        title="Long ravine",
        category=Category.NARROW_VALLEY,
        view=ViewBox(-5.0, 5.0, -5.0, 5.0),
        minima=(CriticalPoint(*RAVINE_MINIMUM, 0.0),),
        start=(-4.0, -3.3),
        caption="On the gentle, constant slope of a long ravine GD creeps at a fixed small pace, "
        "a larger α overshoots the steep walls and zig-zags out, and momentum with the small α "
        "keeps gathering speed.",
        # The walls allow GD α < 2/k = 0.2; on the floor GD moves α·s per step and momentum up
        # to α·s/(1 − β).
        race=(
            RunSpec("gd", {"learning_rate": 0.1}, label="GD, α = 0.1"),
            RunSpec("gd", {"learning_rate": 0.21}, label="GD, α = 0.21"),
            RunSpec("momentum", {"learning_rate": 0.1, "beta": 0.9}, label="Momentum, α = 0.1"),
        ),
    )


DEFINITION = SurfaceDefinition("ravine", ravine, scalar_value, scalar_gradient)
