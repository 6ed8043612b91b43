"""Ackley's rippled outskirts around a single deep funnel."""

from __future__ import annotations

import math

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..surface import Category, Family
from .base import SQRT_HALF, TWO_PI, AnalyticSurface, SurfaceDefinition

_E = math.e
_PI = math.pi
_INF = math.inf


def _parts(x, y):
    """s = √(½(x² + y²)), exp(−0.2s) and exp(½(cos 2πx + cos 2πy))."""
    s = np.hypot(x, y)
    s *= SQRT_HALF
    radial = np.exp(-0.2 * s)
    ripple = np.cos(TWO_PI * x)
    ripple += np.cos(TWO_PI * y)
    ripple *= 0.5
    np.exp(ripple, out=ripple)
    return s, radial, ripple


def value(x, y):
    s, radial, ripple = _parts(x, y)
    # 20(1 − e^{−0.2s}) + (e − ripple) is exactly 0 at the origin.
    return -20.0 * np.expm1(-0.2 * s) + (math.e - ripple)


def gradient(x, y, gx, gy):
    s, radial, ripple = _parts(x, y)
    # ∂x = 2x·e^{−0.2s}/s + π·sin(2πx)·ripple. At the origin cusp x/s is taken as 0: dividing by
    # s = inf there gives 0 without a 0/0 warning, and NaN inputs stay NaN.
    s[s == 0.0] = np.inf
    radial /= s
    radial *= 2.0
    ripple *= math.pi
    for coordinate, g in ((x, gx), (y, gy)):
        np.multiply(coordinate, TWO_PI, out=g)
        np.sin(g, out=g)
        g *= ripple
        g += radial * coordinate


def scalar_value(sp, x, y):
    s = math.hypot(x, y)
    s = s * SQRT_HALF
    ripple = math.cos(TWO_PI * x)
    ripple = ripple + math.cos(TWO_PI * y)
    ripple = ripple * 0.5
    ripple = math.exp(ripple)
    return -20.0 * math.expm1(-0.2 * s) + (_E - ripple)


def scalar_gradient(sp, x, y):
    s = math.hypot(x, y)
    s = s * SQRT_HALF
    radial = math.exp(-0.2 * s)
    ripple = math.cos(TWO_PI * x)
    ripple = ripple + math.cos(TWO_PI * y)
    ripple = ripple * 0.5
    ripple = math.exp(ripple)
    if s == 0.0:
        s = _INF
    radial = radial / s
    radial = radial * 2.0
    ripple = ripple * _PI
    gx = x * TWO_PI
    gx = math.sin(gx)
    gx = gx * ripple
    gx = gx + radial * x
    gy = y * TWO_PI
    gy = math.sin(gy)
    gy = gy * ripple
    gy = gy + radial * y
    return gx, gy


def ackley() -> AnalyticSurface:
    """Ackley J = −20exp(−0.2√(½(x² + y²))) − exp(½(cos 2πx + cos 2πy)) + e + 20; global minimum
    (0, 0) → 0, a cusp where the gradient is taken as 0."""
    return AnalyticSurface(
        value,
        gradient,
        key="ackley",
        title="Ackley",
        category=Category.LOCAL_MINIMA,
        family=Family.CLASSIC,
        view=ViewBox(-5.0, 5.0, -5.0, 5.0),
        minima=(CriticalPoint(0.0, 0.0, 0.0),),
        start=(-4.2, 3.3),
        caption="Ackley's nearly flat, rippled outskirts hide a single deep funnel, so GD and "
        "Adam get stuck in the first ripple while momentum rolls across several of them towards "
        "the centre.",
        race=(
            RunSpec("gd", {"learning_rate": 0.03}),
            RunSpec("momentum", {"learning_rate": 0.045, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.1}),
        ),
    )


DEFINITION = SurfaceDefinition("ackley", ackley, scalar_value, scalar_gradient, exact=False)
