"""Monkey saddle J = x³ − 3xy²."""

from __future__ import annotations

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..scalar import scalar
from ..surface import Category
from .base import AnalyticSurface, SurfaceDefinition


@scalar
def value(x, y):
    return x * (x * x - 3.0 * y * y)


def gradient(x, y, gx, gy):
    np.multiply(x, x, out=gx)
    gx -= y * y
    gx *= 3.0
    np.multiply(x, y, out=gy)
    gy *= -6.0


def scalar_value(sp, x, y):
    return value(x, y)  # plain arithmetic: the same function serves arrays and floats


def scalar_gradient(sp, x, y):
    gx = x * x
    gx = gx - y * y
    gx = gx * 3.0
    gy = x * y
    gy = gy * -6.0
    return gx, gy


def monkey_saddle() -> AnalyticSurface:
    """Monkey saddle J = x³ − 3xy², a degenerate critical point at the origin (zero Hessian)
    with three descending valleys."""
    return AnalyticSurface(
        value,
        gradient,
        key="monkey_saddle",
        title="Monkey saddle",
        category=Category.SADDLE,
        view=ViewBox(-2.0, 2.0, -2.0, 2.0),
        saddles=(CriticalPoint(0.0, 0.0, 0.0),),
        start=(1.5, 0.01),
        caption="At a monkey saddle even the curvature vanishes, so the gradient shrinks "
        "quadratically and GD stalls on the ridge for a long time while momentum and Adam push on "
        "into a valley.",
        race=(
            RunSpec("gd", {"learning_rate": 0.01}),
            RunSpec("momentum", {"learning_rate": 0.01, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.02}),
        ),
    )


DEFINITION = SurfaceDefinition("monkey_saddle", monkey_saddle, scalar_value, scalar_gradient)
