"""Two Gaussian wells on a faint quadratic bowl: a shallow local minimum and a deep global one."""

from __future__ import annotations

import math

import numpy as np

from ..geometry import CriticalPoint, ViewBox
from ..run import RunSpec
from ..scalar import scalar
from ..surface import Category
from .base import AnalyticSurface, SurfaceDefinition

# J = q|w|² − a·exp(−|w − c₁|²/s₁) − b·exp(−|w − c₂|²/s₂).
TWO_WELLS_BOWL = 0.05  # q
TWO_WELLS_SHALLOW = (0.3, (-1.2, 0.6), 0.5)  # a, c₁, s₁
TWO_WELLS_DEEP = (1.2, (1.4, -0.7), 1.5)  # b, c₂, s₂
# Critical points, found once offline by Newton's method on the exact gradient (|∇J| < 1e-15);
# they lie on the line y = −x/2 through both centres.
TWO_WELLS_MINIMA = (
    CriticalPoint(1.317202914238117, -0.6586014571190585, -1.0847252567471997),  # deep (global)
    CriticalPoint(-1.0866930968557071, 0.5433465484278536, -0.22365586864574682),  # shallow
)
TWO_WELLS_BARRIER = CriticalPoint(-0.4446077412443668, 0.2223038706221834, -0.13011480941998455)
# Learning rates (and β) for which the default start separates GD from heavy-ball momentum.
TWO_WELLS_GD_LR = 0.1
TWO_WELLS_MOMENTUM_LR = 0.1
TWO_WELLS_MOMENTUM_BETA = 0.9

# The twins' constants: the same products the NumPy code forms.
_Q2 = 2.0 * TWO_WELLS_BOWL
_A, (_AX, _AY), _AS = TWO_WELLS_SHALLOW
_B, (_BX, _BY), _BS = TWO_WELLS_DEEP
_AK = 2.0 * _A / _AS
_BK = 2.0 * _B / _BS
_AINV = -1.0 / _AS
_BINV = -1.0 / _BS


def _gaussian(x, y, depth, centre, width):
    """depth·exp(−|w − centre|²/width)."""
    dx = x - centre[0]
    dy = y - centre[1]
    dx *= dx
    dy *= dy
    dx += dy
    dx *= -1.0 / width
    np.exp(dx, out=dx)
    dx *= depth
    return dx


def value(x, y):
    j = TWO_WELLS_BOWL * (x * x + y * y)
    j -= _gaussian(x, y, *TWO_WELLS_SHALLOW)
    j -= _gaussian(x, y, *TWO_WELLS_DEEP)
    return j


def gradient(x, y, gx, gy):
    np.multiply(x, 2.0 * TWO_WELLS_BOWL, out=gx)
    np.multiply(y, 2.0 * TWO_WELLS_BOWL, out=gy)
    for depth, (cx, cy), width in (TWO_WELLS_SHALLOW, TWO_WELLS_DEEP):
        # ∇[−d·exp(−|w − c|²/s)] = (2d/s)·exp(…)·(w − c)
        k = _gaussian(x, y, 2.0 * depth / width, (cx, cy), width)
        gx += k * (x - cx)
        gy += k * (y - cy)


@scalar
def gaussian_scalar(x, y, depth, cx, cy, neg_inv_width):
    """_gaussian at one point, ``neg_inv_width`` = −1/width."""
    dx = x - cx
    dy = y - cy
    dx = dx * dx
    dy = dy * dy
    dx = dx + dy
    dx = dx * neg_inv_width
    dx = math.exp(dx)
    return dx * depth


def scalar_value(sp, x, y):
    j = TWO_WELLS_BOWL * (x * x + y * y)
    j = j - gaussian_scalar(x, y, _A, _AX, _AY, _AINV)
    j = j - gaussian_scalar(x, y, _B, _BX, _BY, _BINV)
    return j


def scalar_gradient(sp, x, y):
    gx = x * _Q2
    gy = y * _Q2
    k = gaussian_scalar(x, y, _AK, _AX, _AY, _AINV)
    gx = gx + k * (x - _AX)
    gy = gy + k * (y - _AY)
    k = gaussian_scalar(x, y, _BK, _BX, _BY, _BINV)
    gx = gx + k * (x - _BX)
    gy = gy + k * (y - _BY)
    return gx, gy


def two_wells() -> AnalyticSurface:
    """Two Gaussian wells on a faint bowl, J = q|w|² − a·exp(−|w − c₁|²/s₁) − b·exp(−|w − c₂|²/s₂),
    with q = 0.05, a shallow well a = 0.3, c₁ = (−1.2, 0.6), s₁ = 0.5 and a deep well b = 1.2,
    c₂ = (1.4, −0.7), s₂ = 1.5.

    With lr = ``TWO_WELLS_GD_LR`` plain GD from the default start settles in the shallow well;
    heavy-ball momentum (p ← βp + ∇J, W ← W − lr·p) with lr = ``TWO_WELLS_MOMENTUM_LR`` and
    β = ``TWO_WELLS_MOMENTUM_BETA`` rolls over the barrier into the deep one.
    """
    return AnalyticSurface(
        value,
        gradient,
        key="two_wells",
        title="Two wells",
        category=Category.LOCAL_MINIMA,
        view=ViewBox(-3.0, 3.0, -3.0, 3.0),
        minima=TWO_WELLS_MINIMA,
        saddles=(TWO_WELLS_BARRIER,),
        start=(-2.7, 1.6),
        caption="Plain GD settles in the first, shallow well it meets, while momentum carries "
        "enough speed to roll over the barrier into the deeper one.",
        race=(
            RunSpec("gd", {"learning_rate": TWO_WELLS_GD_LR}),
            RunSpec("momentum", {"learning_rate": TWO_WELLS_MOMENTUM_LR, "beta": TWO_WELLS_MOMENTUM_BETA},
                    label="Momentum, β = 0.9"),
        ),
    )


DEFINITION = SurfaceDefinition("two_wells", two_wells, scalar_value, scalar_gradient, exact=False)
