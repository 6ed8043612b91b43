"""Ill-conditioned quadratic J = ½(u² + κv²) along a valley turned by an angle."""

from __future__ import annotations

import math

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..surface import Category
from .base import AnalyticSurface, SurfaceDefinition, finite_number

MAX_CONDITION = 1e4  # beyond this the valley is thinner than a pixel in the default view


def hessian(kappa: float, degrees: float) -> tuple[float, float, float]:
    """(hxx, hxy, hyy) of H = Rᵀ diag(1, κ) R, R the turn by ``degrees``: J = ½ wᵀHw, ∇J = Hw."""
    theta = math.radians(degrees)
    c, s = math.cos(theta), math.sin(theta)
    return c * c + kappa * s * s, (1.0 - kappa) * c * s, s * s + kappa * c * c


def scalar_value(sp, x, y):
    return 0.5 * (sp[0] * x * x + sp[2] * y * y) + sp[1] * x * y


def scalar_gradient(sp, x, y):
    hxx, hxy, hyy = sp[0], sp[1], sp[2]
    gx = x * hxx
    gy = y * hyy
    if hxy != 0.0:
        gx = gx + hxy * y
        gy = gy + hxy * x
    return gx, gy


def narrow_valley(condition: float = 25.0, angle: float = 0.0) -> AnalyticSurface:
    """Ill-conditioned quadratic J = ½(u² + κv²), with (u, v) the coordinates along and across
    a valley whose long axis is turned ``angle`` degrees from the x axis.

    The Hessian has eigenvalues 1 and κ = ``condition``. At ``angle`` = 0 the valley is
    axis-aligned, which favours the per-coordinate step sizes of RMSProp and Adam; turning it
    takes that advantage away.
    """
    kappa = finite_number("condition number", condition, 1.0, MAX_CONDITION)
    degrees = finite_number("angle (degrees)", angle, -math.inf, math.inf)
    hxx, hxy, hyy = hessian(kappa, degrees)

    def value(x, y):
        return 0.5 * (hxx * x * x + hyy * y * y) + hxy * x * y

    def gradient(x, y, gx, gy):
        np.multiply(x, hxx, out=gx)
        np.multiply(y, hyy, out=gy)
        if hxy:
            gx += hxy * y
            gy += hxy * x

    theta = math.radians(degrees)
    c, s = math.cos(theta), math.sin(theta)
    start_along, start_across = -4.5, 1.5
    return AnalyticSurface(
        value,
        gradient,
        twin_params=(hxx, hxy, hyy),
        key="narrow_valley",
        title="Narrow valley",
        category=Category.NARROW_VALLEY,
        view=ViewBox(-5.0, 5.0, -5.0, 5.0),
        minima=(CriticalPoint(0.0, 0.0, 0.0),),
        start=(c * start_along - s * start_across, s * start_along + c * start_across),
        caption="Plain GD with α near its stability limit 2/κ zig-zags across the steep walls of "
        "a narrow valley while it creeps along the floor; momentum with the same α damps the "
        "oscillation, and RMSProp rescales the axes and walks straight in.",
        params={"condition": kappa, "angle": degrees},
        race=_valley_race(kappa),
    )


def _valley_race(kappa: float) -> tuple[RunSpec, ...]:
    """GD at 90 % of its stability limit 2/κ (ακ = 1.8: it overshoots the walls at every step,
    by 80 %), momentum at the same α with β = 0.5, and RMSProp; for the default κ = 25 this is
    α = 0.072, as in lecture scenario 3."""
    alpha = float(f"{1.8 / kappa:.2g}")
    return (
        RunSpec("gd", {"learning_rate": alpha}, label=f"GD, α = {alpha:g}"),
        RunSpec("momentum", {"learning_rate": alpha, "beta": 0.5}, label="Momentum, β = 0.5"),
        RunSpec("rmsprop", {"learning_rate": 0.1}, label="RMSProp, α = 0.1"),
    )


DEFINITION = SurfaceDefinition("narrow_valley", narrow_valley, scalar_value, scalar_gradient)
