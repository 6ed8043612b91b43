"""Himmelblau's function: four equally deep minima."""

from __future__ import annotations

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..surface import Category, Family
from .base import AnalyticSurface, SurfaceDefinition


def value(x, y):
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


def gradient(x, y, gx, gy):
    # With a = x² + y − 11 and b = x + y² − 7: ∂x = 4xa + 2b, ∂y = 2a + 4yb.
    a = x * x
    a += y
    a -= 11.0
    b = y * y
    b += x
    b -= 7.0
    np.multiply(x, a, out=gx)
    gx *= 2.0
    gx += b
    gx *= 2.0
    np.multiply(y, b, out=gy)
    gy *= 2.0
    gy += a
    gy *= 2.0


def scalar_value(sp, x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return a * a + b * b


def scalar_gradient(sp, x, y):
    a = x * x
    a = a + y
    a = a - 11.0
    b = y * y
    b = b + x
    b = b - 7.0
    gx = x * a
    gx = gx * 2.0
    gx = gx + b
    gx = gx * 2.0
    gy = y * b
    gy = gy * 2.0
    gy = gy + a
    gy = gy * 2.0
    return gx, gy


def himmelblau() -> AnalyticSurface:
    """Himmelblau J = (x² + y − 11)² + (x + y² − 7)²: four minima of value 0, four saddles and a
    local maximum at (−0.270845, −0.923039) ≈ 181.617 (not listed: it is neither)."""
    return AnalyticSurface(
        value,
        gradient,
        key="himmelblau",
        title="Himmelblau",
        category=Category.LOCAL_MINIMA,
        family=Family.CLASSIC,
        view=ViewBox(-5.0, 5.0, -5.0, 5.0),
        minima=(
            CriticalPoint(3.0, 2.0, 0.0),
            CriticalPoint(-2.805118086952745, 3.131312518250573, 0.0),
            CriticalPoint(-3.779310253377747, -3.283185991286170, 0.0),
            CriticalPoint(3.584428340330492, -1.848126526964404, 0.0),
        ),
        # Found by Newton's method on the exact gradient from a grid of seeds (|∇J| < 1e-13).
        saddles=(
            CriticalPoint(3.385154183607021, 0.07385187983774928, 13.311926270405587),
            CriticalPoint(0.08667750455539634, 2.884254701174776, 67.71915008752613),
            CriticalPoint(-3.0730257507643897, -0.08135304428796751, 104.01516291755811),
            CriticalPoint(-0.12796134673068005, -1.9537149802445766, 178.33723920192745),
        ),
        start=(0.3, 3.7),
        caption="Himmelblau's function has four equally deep minima, and from one start GD, "
        "momentum and Adam each end up in a different one.",
        log_color=True,
        race=(
            RunSpec("gd", {"learning_rate": 0.01}),
            RunSpec("momentum", {"learning_rate": 0.006, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.05}),
        ),
    )


DEFINITION = SurfaceDefinition("himmelblau", himmelblau, scalar_value, scalar_gradient)
