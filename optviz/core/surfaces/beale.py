"""Beale's function: broad flats beside steep curving walls."""

from __future__ import annotations

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..scalar import scalar
from ..surface import Category, Family
from .base import AnalyticSurface, SurfaceDefinition


@scalar
def terms(x, y):
    """y², y³ and the three residuals t₁, t₂, t₃ (arrays or plain floats alike)."""
    y2 = y * y
    y3 = y2 * y
    t1 = 1.5 - x * (1.0 - y)
    t2 = 2.25 - x * (1.0 - y2)
    t3 = 2.625 - x * (1.0 - y3)
    return y2, y3, t1, t2, t3


def value(x, y):
    _, _, t1, t2, t3 = terms(x, y)
    return t1 * t1 + t2 * t2 + t3 * t3


def gradient(x, y, gx, gy):
    y2, y3, t1, t2, t3 = terms(x, y)
    # ∂x = 2Σ tᵢ(yⁱ − 1); ∂y = 2x(t₁ + 2y·t₂ + 3y²·t₃)
    np.multiply(t1, y - 1.0, out=gx)
    gx += t2 * (y2 - 1.0)
    gx += t3 * (y3 - 1.0)
    gx *= 2.0
    t2 *= y
    t2 *= 2.0
    t3 *= y2
    t3 *= 3.0
    np.add(t1, t2, out=gy)
    gy += t3
    gy *= x
    gy *= 2.0


def scalar_value(sp, x, y):
    _, _, t1, t2, t3 = terms(x, y)
    return t1 * t1 + t2 * t2 + t3 * t3


def scalar_gradient(sp, x, y):
    y2, y3, t1, t2, t3 = terms(x, y)
    gx = t1 * (y - 1.0)
    gx = gx + t2 * (y2 - 1.0)
    gx = gx + t3 * (y3 - 1.0)
    gx = gx * 2.0
    t2 = t2 * y
    t2 = t2 * 2.0
    t3 = t3 * y2
    t3 = t3 * 3.0
    gy = t1 + t2
    gy = gy + t3
    gy = gy * x
    gy = gy * 2.0
    return gx, gy


def beale() -> AnalyticSurface:
    """Beale J = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum (3, 0.5) → 0."""
    return AnalyticSurface(
        value,
        gradient,
        key="beale",
        title="Beale",
        category=Category.PLATEAU,
        family=Family.CLASSIC,
        view=ViewBox(-4.5, 4.5, -4.5, 4.5),
        minima=(CriticalPoint(3.0, 0.5, 0.0),),
        # (0, 1) is exact; the other was found by Newton's method on the exact gradient.
        saddles=(
            CriticalPoint(0.10053793732415836, -2.644513585023125, 9.86451228475556),
            CriticalPoint(0.0, 1.0, 14.203125),
        ),
        start=(-3.0, -1.0),
        caption="Beale's broad flat regions next to steep curving walls defeat any single step "
        "size: from here GD with a larger α is thrown off by the walls and with a smaller one "
        "stalls on the flats, while Adam keeps moving and finds the minimum.",
        log_color=True,
        race=(
            RunSpec("gd", {"learning_rate": 0.02}, label="GD, α = 0.02"),
            RunSpec("gd", {"learning_rate": 0.002}, label="GD, α = 0.002"),
            RunSpec("adam", {"learning_rate": 0.1}, label="Adam, α = 0.1"),
        ),
    )


DEFINITION = SurfaceDefinition("beale", beale, scalar_value, scalar_gradient)
