"""The six-hump camel: two global minima among six local ones."""

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
    y2 = y * y
    return ((x2 / 3.0 - 2.1) * x2 + 4.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2


def gradient(x, y, gx, gy):
    # ∂x = 8x − 8.4x³ + 2x⁵ + y, ∂y = x − 8y + 16y³
    np.multiply(x, x, out=gx)
    gx *= 2.0
    gx -= 8.4
    gx *= x * x
    gx += 8.0
    gx *= x
    gx += y
    np.multiply(y, y, out=gy)
    gy *= 16.0
    gy -= 8.0
    gy *= y
    gy += x


def scalar_value(sp, x, y):
    return value(x, y)  # plain arithmetic: the same function serves arrays and floats


def scalar_gradient(sp, x, y):
    gx = x * x
    gx = gx * 2.0
    gx = gx - 8.4
    gx = gx * (x * x)
    gx = gx + 8.0
    gx = gx * x
    gx = gx + y
    gy = y * y
    gy = gy * 16.0
    gy = gy - 8.0
    gy = gy * y
    gy = gy + x
    return gx, gy


def six_hump_camel() -> AnalyticSurface:
    """Six-hump camel J = (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²; two global minima
    ±(0.0898, −0.7127) → −1.0316 among six local ones."""
    return AnalyticSurface(
        value,
        gradient,
        key="six_hump_camel",
        title="Six-hump camel",
        category=Category.LOCAL_MINIMA,
        family=Family.CLASSIC,
        view=ViewBox(-2.0, 2.0, -1.0, 1.0),
        # Found by Newton's method (the global pair in 50-digit decimal arithmetic); the usual
        # literature location (0.08984201368301331, −0.7126564032704135) is 6e-10 off.
        minima=(
            CriticalPoint(0.08984201310031806, -0.7126564030207396, -1.0316284534898774),
            CriticalPoint(-0.08984201310031806, 0.7126564030207396, -1.0316284534898774),
            CriticalPoint(1.703606714969981, -0.7960835686726252, -0.21546382438371836),
            CriticalPoint(-1.703606714969981, 0.7960835686726252, -0.21546382438371836),
            CriticalPoint(1.6071047529201974, 0.5686514548841314, 2.1042503103112575),
            CriticalPoint(-1.6071047529201974, -0.5686514548841314, 2.1042503103112575),
        ),
        saddles=(
            CriticalPoint(0.0, 0.0, 0.0),
            CriticalPoint(1.1092053368047863, -0.7682680925095398, 0.5437186009781851),
            CriticalPoint(-1.1092053368047863, 0.7682680925095398, 0.5437186009781851),
            CriticalPoint(1.6380679841897787, 0.2286740690443941, 2.229357197530715),
            CriticalPoint(-1.6380679841897787, -0.2286740690443941, 2.229357197530715),
            CriticalPoint(1.296070267167109, 0.6050843880386585, 2.2294708180298595),
            CriticalPoint(-1.296070267167109, -0.6050843880386585, 2.2294708180298595),
        ),
        start=(-1.2, 0.0),
        caption="The six-hump camel has two global minima among six local ones, and from the "
        "side GD and momentum settle in a worse local minimum while RMSProp and Adam reach a "
        "global one.",
        race=(
            RunSpec("gd", {"learning_rate": 0.03}),
            RunSpec("momentum", {"learning_rate": 0.01, "beta": 0.9}),
            RunSpec("rmsprop", {"learning_rate": 0.01}),
            RunSpec("adam", {"learning_rate": 0.1}),
        ),
    )


DEFINITION = SurfaceDefinition("six_hump_camel", six_hump_camel, scalar_value, scalar_gradient)
