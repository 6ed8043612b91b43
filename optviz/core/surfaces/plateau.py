"""A plateau with a small Gaussian basin and a faint tilt."""

from __future__ import annotations

import math

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..surface import Category
from .base import AnalyticSurface, SurfaceDefinition

PLATEAU_CENTRE = (1.0, 1.0)
PLATEAU_WIDTH = 0.6  # σ of the Gaussian basin
PLATEAU_TILT = 0.002  # ε: a faint bowl so that GD crawls instead of stalling
_CX, _CY = PLATEAU_CENTRE
_NEG = -0.5 / PLATEAU_WIDTH**2
_INV = 1.0 / PLATEAU_WIDTH**2
_TILT2 = 2.0 * PLATEAU_TILT


def value(x, y):
    d2 = (x - PLATEAU_CENTRE[0]) ** 2 + (y - PLATEAU_CENTRE[1]) ** 2
    return 1.0 - np.exp(d2 * (-0.5 / PLATEAU_WIDTH**2)) + PLATEAU_TILT * d2


def gradient(x, y, gx, gy):
    np.subtract(x, PLATEAU_CENTRE[0], out=gx)
    np.subtract(y, PLATEAU_CENTRE[1], out=gy)
    # ∇J = (exp(−d²/2σ²)/σ² + 2ε)·(w − c)
    k = np.square(gx)
    k += np.square(gy)
    k *= -0.5 / PLATEAU_WIDTH**2
    np.exp(k, out=k)
    k *= 1.0 / PLATEAU_WIDTH**2
    k += 2.0 * PLATEAU_TILT
    gx *= k
    gy *= k


def scalar_value(sp, x, y):
    dx = x - _CX
    dy = y - _CY
    d2 = dx * dx + dy * dy
    return 1.0 - math.exp(d2 * _NEG) + PLATEAU_TILT * d2


def scalar_gradient(sp, x, y):
    gx = x - _CX
    gy = y - _CY
    k = gx * gx
    k = k + gy * gy
    k = k * _NEG
    k = math.exp(k)
    k = k * _INV
    k = k + _TILT2
    return gx * k, gy * k


def plateau() -> AnalyticSurface:
    """A plateau with a small basin, J = 1 − exp(−d²/2σ²) + εd², d = |w − c|, with c = (1, 1),
    σ = 0.6 and ε = 0.002."""
    return AnalyticSurface(
        value,
        gradient,
        key="plateau",
        title="Plateau",
        category=Category.PLATEAU,
        view=ViewBox(-4.0, 4.0, -4.0, 4.0),
        minima=(CriticalPoint(*PLATEAU_CENTRE, 0.0),),
        start=(-3.0, -2.5),
        caption="On a plateau the gradient nearly vanishes, so at the same α = 0.05 GD crawls "
        "and never arrives and momentum takes hundreds of steps, while RMSProp and Adam divide by "
        "the tiny gradient scale and stride across to the basin.",
        race=tuple(RunSpec(key, {"learning_rate": 0.05}) for key in ("gd", "momentum", "rmsprop", "adam")),
    )


DEFINITION = SurfaceDefinition("plateau", plateau, scalar_value, scalar_gradient, exact=False)
