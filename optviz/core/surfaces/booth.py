"""Booth's function, a convex quadratic tilted at 45 degrees."""

from __future__ import annotations

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..surface import Category, Family
from .base import AnalyticSurface, SurfaceDefinition


def value(x, y):
    return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2


def gradient(x, y, gx, gy):
    # With a = x + 2y − 7 and b = 2x + y − 5: ∂x = 2a + 4b = 10x + 8y − 34, ∂y = 4a + 2b = 8x + 10y − 38.
    np.multiply(x, 10.0, out=gx)
    gx += 8.0 * y
    gx -= 34.0
    np.multiply(y, 10.0, out=gy)
    gy += 8.0 * x
    gy -= 38.0


def scalar_value(sp, x, y):
    a = x + 2.0 * y - 7.0
    b = 2.0 * x + y - 5.0
    return a * a + b * b


def scalar_gradient(sp, x, y):
    gx = x * 10.0
    gx = gx + 8.0 * y
    gx = gx - 34.0
    gy = y * 10.0
    gy = gy + 8.0 * x
    gy = gy - 38.0
    return gx, gy


def booth() -> AnalyticSurface:
    """Booth J = (x + 2y − 7)² + (2x + y − 5)²; minimum (1, 3) → 0."""
    return AnalyticSurface(
        value,
        gradient,
        key="booth",
        title="Booth",
        category=Category.CONVEX,
        family=Family.CLASSIC,
        view=ViewBox(-10.0, 10.0, -10.0, 10.0),
        minima=(CriticalPoint(1.0, 3.0, 0.0),),
        start=(-8.0, 4.0),
        caption="Booth's function is a convex quadratic tilted at 45 degrees, so every method "
        "converges, but GD first runs down the steep side and then slowly along the long axis.",
        race=(
            RunSpec("gd", {"learning_rate": 0.05}),
            RunSpec("momentum", {"learning_rate": 0.01, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.3}),
        ),
    )


DEFINITION = SurfaceDefinition("booth", booth, scalar_value, scalar_gradient)
