"""Rosenbrock's banana valley J = (a − x)² + b(y − x²)²."""

from __future__ import annotations

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..surface import Category, Family
from .base import AnalyticSurface, SurfaceDefinition

ROSENBROCK_A = 1.0
ROSENBROCK_B = 100.0
_M4B = -4.0 * ROSENBROCK_B
_2A = 2.0 * ROSENBROCK_A
_2B = 2.0 * ROSENBROCK_B


def value(x, y):
    t = y - x * x
    return (ROSENBROCK_A - x) ** 2 + ROSENBROCK_B * t * t


def gradient(x, y, gx, gy):
    # With t = y − x²: ∂x = x(2 − 4bt) − 2a and ∂y = 2bt, computed in place in seven passes.
    np.multiply(x, x, out=gy)
    np.subtract(y, gy, out=gy)
    np.multiply(gy, -4.0 * ROSENBROCK_B, out=gx)
    gx += 2.0
    gx *= x
    gx -= 2.0 * ROSENBROCK_A
    gy *= 2.0 * ROSENBROCK_B


def scalar_value(sp, x, y):
    t = y - x * x
    a = ROSENBROCK_A - x
    return a * a + ROSENBROCK_B * t * t


def scalar_gradient(sp, x, y):
    gy = x * x
    gy = y - gy
    gx = gy * _M4B
    gx = gx + 2.0
    gx = gx * x
    gx = gx - _2A
    gy = gy * _2B
    return gx, gy


def rosenbrock() -> AnalyticSurface:
    """Rosenbrock J = (a − x)² + b(y − x²)² with a = 1, b = 100; minimum (1, 1) → 0."""
    return AnalyticSurface(
        value,
        gradient,
        key="rosenbrock",
        title="Rosenbrock",
        category=Category.NARROW_VALLEY,
        family=Family.CLASSIC,
        view=ViewBox(-2.0, 2.0, -1.0, 3.0),
        minima=(CriticalPoint(1.0, 1.0, 0.0),),
        start=(-1.2, 1.0),
        caption="Every method finds the curved banana valley within a few steps, but along its "
        "almost flat floor GD crawls and stays far from the minimum, while momentum and Adam keep "
        "moving and reach it.",
        log_color=True,
        race=(
            RunSpec("gd", {"learning_rate": 0.001}),
            RunSpec("momentum", {"learning_rate": 0.001, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.1}),
        ),
    )


DEFINITION = SurfaceDefinition("rosenbrock", rosenbrock, scalar_value, scalar_gradient)
