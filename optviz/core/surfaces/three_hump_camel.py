"""The three-hump camel: a global minimum flanked by two shallower ones."""

from __future__ import annotations

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..scalar import scalar
from ..surface import Category, Family
from .base import AnalyticSurface, SurfaceDefinition


@scalar
def value(x, y):
    x2 = x * x
    return ((x2 / 6.0 - 1.05) * x2 + 2.0) * x2 + x * y + y * y


def gradient(x, y, gx, gy):
    # ∂x = 4x − 4.2x³ + x⁵ + y, ∂y = x + 2y
    np.multiply(x, x, out=gx)
    gx -= 4.2
    gx *= x * x
    gx += 4.0
    gx *= x
    gx += y
    np.multiply(y, 2.0, out=gy)
    gy += x


def scalar_value(sp, x, y):
    return value(x, y)  # plain arithmetic: the same function serves arrays and floats


def scalar_gradient(sp, x, y):
    gx = x * x
    gx = gx - 4.2
    gx = gx * (x * x)
    gx = gx + 4.0
    gx = gx * x
    gx = gx + y
    gy = y * 2.0
    gy = gy + x
    return gx, gy


def three_hump_camel() -> AnalyticSurface:
    """Three-hump camel J = 2x² − 1.05x⁴ + x⁶/6 + xy + y²; global minimum (0, 0) → 0."""
    return AnalyticSurface(
        value,
        gradient,
        key="three_hump_camel",
        title="Three-hump camel",
        category=Category.LOCAL_MINIMA,
        family=Family.CLASSIC,
        view=ViewBox(-2.0, 2.0, -2.0, 2.0),
        # The local pair and the saddles were found by Newton's method on the exact gradient.
        minima=(
            CriticalPoint(0.0, 0.0, 0.0),
            CriticalPoint(1.747552345830289, -0.8737761729151445, 0.29863844223685965),
            CriticalPoint(-1.747552345830289, 0.8737761729151445, 0.29863844223685965),
        ),
        saddles=(
            CriticalPoint(1.07054229182366, -0.53527114591183, 0.8773615577631402),
            CriticalPoint(-1.07054229182366, 0.53527114591183, 0.8773615577631402),
        ),
        start=(-1.2, 1.8),
        caption="The three-hump camel's global minimum is flanked by two shallower ones, and "
        "from the side GD and Adam fall into the nearer, worse one while momentum rolls on to the "
        "centre.",
        race=(
            RunSpec("gd", {"learning_rate": 0.05}),
            RunSpec("momentum", {"learning_rate": 0.06, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.1}),
        ),
    )


DEFINITION = SurfaceDefinition("three_hump_camel", three_hump_camel, scalar_value, scalar_gradient)
