"""Rastrigin's egg-crate of local minima."""

from __future__ import annotations

import math

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..surface import Category, Family
from .base import TWO_PI, AnalyticSurface, SurfaceDefinition

_K = 10.0 * TWO_PI


def value(x, y):
    return 20.0 + x * x + y * y - 10.0 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y))


def gradient(x, y, gx, gy):
    # ∂x = 2x + 20π·sin(2πx), and likewise for y.
    for coordinate, g in ((x, gx), (y, gy)):
        np.multiply(coordinate, TWO_PI, out=g)
        np.sin(g, out=g)
        g *= 10.0 * TWO_PI
        g += 2.0 * coordinate


def scalar_value(sp, x, y):
    return 20.0 + x * x + y * y - 10.0 * (math.cos(TWO_PI * x) + math.cos(TWO_PI * y))


def scalar_gradient(sp, x, y):
    gx = x * TWO_PI
    gx = math.sin(gx)
    gx = gx * _K
    gx = gx + 2.0 * x
    gy = y * TWO_PI
    gy = math.sin(gy)
    gy = gy * _K
    gy = gy + 2.0 * y
    return gx, gy


def rastrigin() -> AnalyticSurface:
    """Rastrigin J = 20 + Σ[xᵢ² − 10cos(2πxᵢ)] (A = 10); global minimum (0, 0) → 0."""
    return AnalyticSurface(
        value,
        gradient,
        key="rastrigin",
        title="Rastrigin",
        category=Category.LOCAL_MINIMA,
        family=Family.CLASSIC,
        view=ViewBox(-5.12, 5.12, -5.12, 5.12),
        minima=(CriticalPoint(0.0, 0.0, 0.0),),
        start=(-3.3, 2.7),
        caption="Rastrigin's regular egg-crate of local minima traps every gradient method in "
        "the nearest dip, far from the global minimum at the centre.",
        race=(
            RunSpec("gd", {"learning_rate": 0.002}),
            RunSpec("momentum", {"learning_rate": 0.002, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.1}),
        ),
    )


DEFINITION = SurfaceDefinition("rastrigin", rastrigin, scalar_value, scalar_gradient)
