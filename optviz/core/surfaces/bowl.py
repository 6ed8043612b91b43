"""Isotropic convex bowl J = ½(x² + y²)."""

from __future__ import annotations

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..scalar import scalar
from ..surface import Category
from .base import AnalyticSurface, SurfaceDefinition


@scalar
def value(x, y):
    return 0.5 * (x * x + y * y)


def gradient(x, y, gx, gy):
    np.copyto(gx, x)
    np.copyto(gy, y)


def scalar_value(sp, x, y):
    return value(x, y)  # plain arithmetic: the same function serves arrays and floats


def scalar_gradient(sp, x, y):
    return x, y


def bowl() -> AnalyticSurface:
    """Isotropic convex bowl J = ½(x² + y²)."""
    return AnalyticSurface(
        value,
        gradient,
        key="bowl",
        title="Convex bowl",
        category=Category.CONVEX,
        view=ViewBox(-2.0, 2.0, -2.0, 2.0),
        minima=(CriticalPoint(0.0, 0.0, 0.0),),
        start=(-1.6, 1.2),
        caption="On a round bowl −∇J points straight at the minimum, so GD walks straight in, "
        "momentum overshoots and swings back before it settles, and Adam, which scales each axis "
        "on its own, bends off the straight line.",
        race=(
            RunSpec("gd", {"learning_rate": 0.3}),
            RunSpec("momentum", {"learning_rate": 0.1, "beta": 0.9}, label="Momentum, β = 0.9"),
            RunSpec("adam", {"learning_rate": 0.05}),
        ),
    )


DEFINITION = SurfaceDefinition("bowl", bowl, scalar_value, scalar_gradient)
