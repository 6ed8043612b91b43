"""Saddle J = x² − y²."""

from __future__ import annotations

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..scalar import scalar
from ..surface import Category
from .base import AnalyticSurface, SurfaceDefinition


@scalar
def value(x, y):
    return x * x - y * y


def gradient(x, y, gx, gy):
    np.multiply(x, 2.0, out=gx)
    np.multiply(y, -2.0, out=gy)


def scalar_value(sp, x, y):
    return value(x, y)  # plain arithmetic: the same function serves arrays and floats


def scalar_gradient(sp, x, y):
    return x * 2.0, y * -2.0


def saddle() -> AnalyticSurface:
    """Saddle J = x² − y², with Hessian eigenvalues ±2 at the origin."""
    return AnalyticSurface(
        value,
        gradient,
        key="saddle",
        title="Saddle",
        category=Category.SADDLE,
        view=ViewBox(-2.0, 2.0, -2.0, 2.0),
        saddles=(CriticalPoint(0.0, 0.0, 0.0),),
        start=(-1.5, 0.001),
        caption="Near a saddle the gradient almost vanishes, so GD crawls towards it for many "
        "steps before the tiny sideways component finally pushes it off down the escape direction, "
        "while momentum and Adam escape far sooner.",
        race=(
            RunSpec("gd", {"learning_rate": 0.01}),
            RunSpec("momentum", {"learning_rate": 0.01, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.01}),
        ),
    )


DEFINITION = SurfaceDefinition("saddle", saddle, scalar_value, scalar_gradient)
