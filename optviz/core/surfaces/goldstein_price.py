"""The Goldstein–Price function: values over six orders of magnitude around several minima."""

from __future__ import annotations

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..scalar import scalar
from ..surface import Category, Family
from .base import AnalyticSurface, SurfaceDefinition


@scalar
def factors(x, y):
    """J = A(p)·B(d) with p = x + y and d = 2x − 3y; returns A, A′(p), B, B′(d) (arrays or
    plain floats alike)."""
    p = x + y
    q = p + 1.0
    quad_p = (3.0 * p - 14.0) * p + 19.0  # 19 − 14x + 3x² − 14y + 6xy + 3y²
    a = 1.0 + q * q * quad_p
    da = 2.0 * q * quad_p + q * q * (6.0 * p - 14.0)
    d = 2.0 * x - 3.0 * y
    quad_d = (3.0 * d - 16.0) * d + 18.0  # 18 − 32x + 12x² + 48y − 36xy + 27y²
    b = 30.0 + d * d * quad_d
    db = 2.0 * d * quad_d + d * d * (6.0 * d - 16.0)
    return a, da, b, db


def value(x, y):
    a, _, b, _ = factors(x, y)
    return a * b


def gradient(x, y, gx, gy):
    a, da, b, db = factors(x, y)
    # ∂x = A′B + 2AB′, ∂y = A′B − 3AB′ (∂p/∂x = ∂p/∂y = 1, ∂d/∂x = 2, ∂d/∂y = −3).
    da *= b
    db *= a
    np.multiply(db, 2.0, out=gx)
    gx += da
    np.multiply(db, -3.0, out=gy)
    gy += da


def scalar_value(sp, x, y):
    a, da, b, db = factors(x, y)
    return a * b


def scalar_gradient(sp, x, y):
    a, da, b, db = factors(x, y)
    da = da * b
    db = db * a
    gx = db * 2.0
    gx = gx + da
    gy = db * -3.0
    gy = gy + da
    return gx, gy


def goldstein_price() -> AnalyticSurface:
    """Goldstein–Price J = [1 + (x + y + 1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]
    · [30 + (2x − 3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)]; global minimum (0, −1) → 3."""
    return AnalyticSurface(
        value,
        gradient,
        key="goldstein_price",
        title="Goldstein–Price",
        category=Category.LOCAL_MINIMA,
        family=Family.CLASSIC,
        view=ViewBox(-2.0, 2.0, -2.0, 2.0),
        # Newton's method on the exact gradient lands on these exact rational points.
        minima=(
            CriticalPoint(0.0, -1.0, 3.0),
            CriticalPoint(-0.6, -0.4, 30.0),
            CriticalPoint(1.8, 0.2, 84.0),
            CriticalPoint(1.2, 0.8, 840.0),
        ),
        saddles=(
            CriticalPoint(-0.4, -0.6, 35.0),
            CriticalPoint(1.2, -0.2, 99.0),
            CriticalPoint(1.4, 0.6, 980.0),
            CriticalPoint(0.6, 0.4, 990.0),
        ),
        start=(-1.2, -0.2),
        caption="Goldstein–Price's values span six orders of magnitude around several local "
        "minima, so GD and Adam settle in the nearest basin while momentum carries on to the "
        "global one.",
        log_color=True,
        race=(
            RunSpec("gd", {"learning_rate": 1e-4}),
            RunSpec("momentum", {"learning_rate": 2e-5, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.05}),
        ),
    )


DEFINITION = SurfaceDefinition("goldstein_price", goldstein_price, scalar_value, scalar_gradient)
