"""The catalogue of named analytic loss surfaces and the registry that builds them by key.

Every surface is an :class:`AnalyticSurface`: a closed-form value ``value(x, y)`` and an exact
gradient ``gradient(x, y, gx, gy)`` that writes ∂J/∂x into ``gx`` and ∂J/∂y into ``gy`` (views
of the caller's output array), plus the teaching metadata of :class:`Surface`. Both are
vectorized over points of shape ``(..., 2)``. Huge or non-finite inputs give inf/nan, never an
exception; callers silence the floating-point warnings with ``np.errstate``.

``SURFACES`` maps each key to a factory; :func:`get_surface` builds one by key, passing
parameters (e.g. ``get_surface("narrow_valley", condition=50)``) to the factory.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping

import numpy as np

from .geometry import CriticalPoint, ViewBox
from .run import RunSpec
from .surface import Category, Family, Surface

ValueFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
GradientFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]


class AnalyticSurface(Surface):
    """A :class:`Surface` given by closed-form callables.

    Args:
        value: ``value(x, y)`` returns J at the coordinate arrays ``x`` and ``y``.
        gradient: ``gradient(x, y, gx, gy)`` writes ∂J/∂x into ``gx`` and ∂J/∂y into ``gy``.
        **metadata: the keyword arguments of :class:`Surface`.
    """

    def __init__(self, value: ValueFn, gradient: GradientFn, **metadata) -> None:
        super().__init__(**metadata)
        self._value = value
        self._gradient = gradient

    def f(self, points: np.ndarray) -> np.ndarray:
        p = _as_points(points)
        # Kernels work in place, which needs arrays: a single point is viewed as a batch of one.
        q = p.reshape(1, 2) if p.ndim == 1 else p
        return self._value(q[..., 0], q[..., 1]).reshape(p.shape[:-1])

    def grad(self, points: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        p = _as_points(points)
        if out is None:
            out = np.empty(p.shape, dtype=float)
        elif out.shape != p.shape:
            raise ValueError(f"gradient output must have the shape of the points {p.shape}, got {out.shape}")
        elif np.may_share_memory(out, p):
            # The gradient kernels write gx before they are done reading x.
            out[...] = self.grad(p.copy())
            return out
        q, o = (p.reshape(1, 2), out.reshape(1, 2)) if p.ndim == 1 else (p, out)
        self._gradient(q[..., 0], q[..., 1], o[..., 0], o[..., 1])
        return out


def _as_points(points: np.ndarray) -> np.ndarray:
    p = np.asarray(points, dtype=float)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got {p.shape}")
    return p


def _finite_number(name: str, value: float, lower: float, upper: float) -> float:
    """``value`` as a float in ``[lower, upper]``, else a ValueError naming the parameter and range."""
    unbounded = math.isinf(lower) and math.isinf(upper)
    allowed = "a finite number" if unbounded else f"a finite number in [{lower:g}, {upper:g}]"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {allowed}, got {value!r}") from None
    if not (math.isfinite(number) and lower <= number <= upper):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return number


# --- teaching surfaces -------------------------------------------------------------------


def _bowl_value(x, y):
    return 0.5 * (x * x + y * y)


def _bowl_gradient(x, y, gx, gy):
    np.copyto(gx, x)
    np.copyto(gy, y)


def bowl() -> Surface:
    """Isotropic convex bowl J = ½(x² + y²)."""
    return AnalyticSurface(
        _bowl_value,
        _bowl_gradient,
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


MAX_CONDITION = 1e4  # beyond this the valley is thinner than a pixel in the default view


def narrow_valley(condition: float = 25.0, angle: float = 0.0) -> Surface:
    """Ill-conditioned quadratic J = ½(u² + κv²), with (u, v) the coordinates along and across
    a valley whose long axis is turned ``angle`` degrees from the x axis.

    The Hessian has eigenvalues 1 and κ = ``condition``. At ``angle`` = 0 the valley is
    axis-aligned, which favours the per-coordinate step sizes of RMSProp and Adam; turning it
    takes that advantage away.
    """
    kappa = _finite_number("condition number", condition, 1.0, MAX_CONDITION)
    degrees = _finite_number("angle (degrees)", angle, -math.inf, math.inf)
    theta = math.radians(degrees)
    c, s = math.cos(theta), math.sin(theta)
    # Hessian H = Rᵀ diag(1, κ) R, so J = ½ wᵀHw and ∇J = Hw.
    hxx, hxy, hyy = c * c + kappa * s * s, (1.0 - kappa) * c * s, s * s + kappa * c * c

    def value(x, y):
        return 0.5 * (hxx * x * x + hyy * y * y) + hxy * x * y

    def gradient(x, y, gx, gy):
        np.multiply(x, hxx, out=gx)
        np.multiply(y, hyy, out=gy)
        if hxy:
            gx += hxy * y
            gy += hxy * x

    start_along, start_across = -4.5, 1.5
    return AnalyticSurface(
        value,
        gradient,
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


# The ravine runs along the diagonal u = (x + y)/√2 with the cross-coordinate v = (y − x)/√2.
RAVINE_SLOPE = 0.2  # s: the constant gentle slope of the floor far from the minimum
RAVINE_BOTTOM = 1.0  # δ: the length over which the floor rounds off into the minimum
RAVINE_WALLS = 10.0  # k: curvature across the ravine
RAVINE_MINIMUM = (3.5, 3.5)
_SQRT_HALF = math.sqrt(0.5)
_RAVINE_U0 = (RAVINE_MINIMUM[0] + RAVINE_MINIMUM[1]) * _SQRT_HALF


def _ravine_value(x, y):
    u = (x + y) * _SQRT_HALF - _RAVINE_U0
    v = (y - x) * _SQRT_HALF
    return RAVINE_SLOPE * (np.hypot(RAVINE_BOTTOM, u) - RAVINE_BOTTOM) + 0.5 * RAVINE_WALLS * v * v


def _ravine_gradient(x, y, gx, gy):
    u = (x + y) * _SQRT_HALF - _RAVINE_U0
    # ∂J/∂u = s·u/√(δ² + u²); hypot keeps it finite for huge u.
    u /= np.hypot(RAVINE_BOTTOM, u)
    u *= RAVINE_SLOPE * _SQRT_HALF
    np.subtract(y, x, out=gy)
    gy *= RAVINE_WALLS * 0.5  # ∂J/∂v·(1/√2) = k·v/√2 = k(y − x)/2
    np.subtract(u, gy, out=gx)
    gy += u


def ravine() -> Surface:
    """Long straight ravine along the diagonal, J = s(√(δ² + (u − u₀)²) − δ) + ½k v², with
    u = (x + y)/√2 along the floor, v = (y − x)/√2 across it, s = 0.2, δ = 1, k = 10 and the
    minimum at (3.5, 3.5)."""
    return AnalyticSurface(
        _ravine_value,
        _ravine_gradient,
        key="ravine",
        title="Long ravine",
        category=Category.NARROW_VALLEY,
        view=ViewBox(-5.0, 5.0, -5.0, 5.0),
        minima=(CriticalPoint(*RAVINE_MINIMUM, 0.0),),
        start=(-4.0, -3.3),
        caption="On the gentle, constant slope of a long ravine GD creeps at a fixed small pace, "
        "a larger α overshoots the steep walls and zig-zags out, and momentum with the small α "
        "keeps gathering speed.",
        # The walls allow GD α < 2/k = 0.2; on the floor GD moves α·s per step and momentum up
        # to α·s/(1 − β).
        race=(
            RunSpec("gd", {"learning_rate": 0.1}, label="GD, α = 0.1"),
            RunSpec("gd", {"learning_rate": 0.21}, label="GD, α = 0.21"),
            RunSpec("momentum", {"learning_rate": 0.1, "beta": 0.9}, label="Momentum, α = 0.1"),
        ),
    )


def _saddle_value(x, y):
    return x * x - y * y


def _saddle_gradient(x, y, gx, gy):
    np.multiply(x, 2.0, out=gx)
    np.multiply(y, -2.0, out=gy)


def saddle() -> Surface:
    """Saddle J = x² − y², with Hessian eigenvalues ±2 at the origin."""
    return AnalyticSurface(
        _saddle_value,
        _saddle_gradient,
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


def _monkey_saddle_value(x, y):
    return x * (x * x - 3.0 * y * y)


def _monkey_saddle_gradient(x, y, gx, gy):
    np.multiply(x, x, out=gx)
    gx -= y * y
    gx *= 3.0
    np.multiply(x, y, out=gy)
    gy *= -6.0


def monkey_saddle() -> Surface:
    """Monkey saddle J = x³ − 3xy², a degenerate critical point at the origin (zero Hessian)
    with three descending valleys."""
    return AnalyticSurface(
        _monkey_saddle_value,
        _monkey_saddle_gradient,
        key="monkey_saddle",
        title="Monkey saddle",
        category=Category.SADDLE,
        view=ViewBox(-2.0, 2.0, -2.0, 2.0),
        saddles=(CriticalPoint(0.0, 0.0, 0.0),),
        start=(1.5, 0.01),
        caption="At a monkey saddle even the curvature vanishes, so the gradient shrinks "
        "quadratically and GD stalls on the ridge for a long time while momentum and Adam push on "
        "into a valley.",
        race=(
            RunSpec("gd", {"learning_rate": 0.01}),
            RunSpec("momentum", {"learning_rate": 0.01, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.02}),
        ),
    )


# Two Gaussian wells on a faint quadratic bowl:
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


def _two_wells_value(x, y):
    j = TWO_WELLS_BOWL * (x * x + y * y)
    j -= _gaussian(x, y, *TWO_WELLS_SHALLOW)
    j -= _gaussian(x, y, *TWO_WELLS_DEEP)
    return j


def _two_wells_gradient(x, y, gx, gy):
    np.multiply(x, 2.0 * TWO_WELLS_BOWL, out=gx)
    np.multiply(y, 2.0 * TWO_WELLS_BOWL, out=gy)
    for depth, (cx, cy), width in (TWO_WELLS_SHALLOW, TWO_WELLS_DEEP):
        # ∇[−d·exp(−|w − c|²/s)] = (2d/s)·exp(…)·(w − c)
        k = _gaussian(x, y, 2.0 * depth / width, (cx, cy), width)
        gx += k * (x - cx)
        gy += k * (y - cy)


def two_wells() -> Surface:
    """Two Gaussian wells on a faint bowl, J = q|w|² − a·exp(−|w − c₁|²/s₁) − b·exp(−|w − c₂|²/s₂),
    with q = 0.05, a shallow well a = 0.3, c₁ = (−1.2, 0.6), s₁ = 0.5 and a deep well b = 1.2,
    c₂ = (1.4, −0.7), s₂ = 1.5.

    With lr = ``TWO_WELLS_GD_LR`` plain GD from the default start settles in the shallow well;
    heavy-ball momentum (p ← βp + ∇J, W ← W − lr·p) with lr = ``TWO_WELLS_MOMENTUM_LR`` and
    β = ``TWO_WELLS_MOMENTUM_BETA`` rolls over the barrier into the deep one.
    """
    return AnalyticSurface(
        _two_wells_value,
        _two_wells_gradient,
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


PLATEAU_CENTRE = (1.0, 1.0)
PLATEAU_WIDTH = 0.6  # σ of the Gaussian basin
PLATEAU_TILT = 0.002  # ε: a faint bowl so that GD crawls instead of stalling


def _plateau_value(x, y):
    d2 = (x - PLATEAU_CENTRE[0]) ** 2 + (y - PLATEAU_CENTRE[1]) ** 2
    return 1.0 - np.exp(d2 * (-0.5 / PLATEAU_WIDTH**2)) + PLATEAU_TILT * d2


def _plateau_gradient(x, y, gx, gy):
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


def plateau() -> Surface:
    """A plateau with a small basin, J = 1 − exp(−d²/2σ²) + εd², d = |w − c|, with c = (1, 1),
    σ = 0.6 and ε = 0.002."""
    return AnalyticSurface(
        _plateau_value,
        _plateau_gradient,
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


# --- classic test functions --------------------------------------------------------------

ROSENBROCK_A = 1.0
ROSENBROCK_B = 100.0


def _rosenbrock_value(x, y):
    t = y - x * x
    return (ROSENBROCK_A - x) ** 2 + ROSENBROCK_B * t * t


def _rosenbrock_gradient(x, y, gx, gy):
    # With t = y − x²: ∂x = x(2 − 4bt) − 2a and ∂y = 2bt, computed in place in seven passes.
    np.multiply(x, x, out=gy)
    np.subtract(y, gy, out=gy)
    np.multiply(gy, -4.0 * ROSENBROCK_B, out=gx)
    gx += 2.0
    gx *= x
    gx -= 2.0 * ROSENBROCK_A
    gy *= 2.0 * ROSENBROCK_B


def rosenbrock() -> Surface:
    """Rosenbrock J = (a − x)² + b(y − x²)² with a = 1, b = 100; minimum (1, 1) → 0."""
    return AnalyticSurface(
        _rosenbrock_value,
        _rosenbrock_gradient,
        key="rosenbrock",
        title="Rosenbrock",
        category=Category.NARROW_VALLEY,
        family=Family.CLASSIC,
        view=ViewBox(-2.0, 2.0, -1.0, 3.0),
        minima=(CriticalPoint(1.0, 1.0, 0.0),),
        start=(-1.2, 1.0),
        caption="Every method finds the curved banana valley within a few steps, but along its "
        "almost flat floor GD crawls and stays far from the minimum, while momentum and Adam keep "
        "moving and reach it.",
        log_color=True,
        race=(
            RunSpec("gd", {"learning_rate": 0.001}),
            RunSpec("momentum", {"learning_rate": 0.001, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.1}),
        ),
    )


def _beale_terms(x, y):
    y2 = y * y
    y3 = y2 * y
    t1 = 1.5 - x * (1.0 - y)
    t2 = 2.25 - x * (1.0 - y2)
    t3 = 2.625 - x * (1.0 - y3)
    return y2, y3, t1, t2, t3


def _beale_value(x, y):
    _, _, t1, t2, t3 = _beale_terms(x, y)
    return t1 * t1 + t2 * t2 + t3 * t3


def _beale_gradient(x, y, gx, gy):
    y2, y3, t1, t2, t3 = _beale_terms(x, y)
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


def beale() -> Surface:
    """Beale J = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum (3, 0.5) → 0."""
    return AnalyticSurface(
        _beale_value,
        _beale_gradient,
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


def _booth_value(x, y):
    return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2


def _booth_gradient(x, y, gx, gy):
    # With a = x + 2y − 7 and b = 2x + y − 5: ∂x = 2a + 4b = 10x + 8y − 34, ∂y = 4a + 2b = 8x + 10y − 38.
    np.multiply(x, 10.0, out=gx)
    gx += 8.0 * y
    gx -= 34.0
    np.multiply(y, 10.0, out=gy)
    gy += 8.0 * x
    gy -= 38.0


def booth() -> Surface:
    """Booth J = (x + 2y − 7)² + (2x + y − 5)²; minimum (1, 3) → 0."""
    return AnalyticSurface(
        _booth_value,
        _booth_gradient,
        key="booth",
        title="Booth",
        category=Category.CONVEX,
        family=Family.CLASSIC,
        view=ViewBox(-10.0, 10.0, -10.0, 10.0),
        minima=(CriticalPoint(1.0, 3.0, 0.0),),
        start=(-8.0, 4.0),
        caption="Booth's function is a convex quadratic tilted at 45 degrees, so every method "
        "converges, but GD first runs down the steep side and then slowly along the long axis.",
        race=(
            RunSpec("gd", {"learning_rate": 0.05}),
            RunSpec("momentum", {"learning_rate": 0.01, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.3}),
        ),
    )


def _himmelblau_value(x, y):
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


def _himmelblau_gradient(x, y, gx, gy):
    # With a = x² + y − 11 and b = x + y² − 7: ∂x = 4xa + 2b, ∂y = 2a + 4yb.
    a = x * x
    a += y
    a -= 11.0
    b = y * y
    b += x
    b -= 7.0
    np.multiply(x, a, out=gx)
    gx *= 2.0
    gx += b
    gx *= 2.0
    np.multiply(y, b, out=gy)
    gy *= 2.0
    gy += a
    gy *= 2.0


def himmelblau() -> Surface:
    """Himmelblau J = (x² + y − 11)² + (x + y² − 7)²: four minima of value 0, four saddles and a
    local maximum at (−0.270845, −0.923039) ≈ 181.617 (not listed: it is neither)."""
    return AnalyticSurface(
        _himmelblau_value,
        _himmelblau_gradient,
        key="himmelblau",
        title="Himmelblau",
        category=Category.LOCAL_MINIMA,
        family=Family.CLASSIC,
        view=ViewBox(-5.0, 5.0, -5.0, 5.0),
        minima=(
            CriticalPoint(3.0, 2.0, 0.0),
            CriticalPoint(-2.805118086952745, 3.131312518250573, 0.0),
            CriticalPoint(-3.779310253377747, -3.283185991286170, 0.0),
            CriticalPoint(3.584428340330492, -1.848126526964404, 0.0),
        ),
        # Found by Newton's method on the exact gradient from a grid of seeds (|∇J| < 1e-13).
        saddles=(
            CriticalPoint(3.385154183607021, 0.07385187983774928, 13.311926270405587),
            CriticalPoint(0.08667750455539634, 2.884254701174776, 67.71915008752613),
            CriticalPoint(-3.0730257507643897, -0.08135304428796751, 104.01516291755811),
            CriticalPoint(-0.12796134673068005, -1.9537149802445766, 178.33723920192745),
        ),
        start=(0.3, 3.7),
        caption="Himmelblau's function has four equally deep minima, and from one start GD, "
        "momentum and Adam each end up in a different one.",
        log_color=True,
        race=(
            RunSpec("gd", {"learning_rate": 0.01}),
            RunSpec("momentum", {"learning_rate": 0.006, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.05}),
        ),
    )


_TWO_PI = 2.0 * math.pi


def _rastrigin_value(x, y):
    return 20.0 + x * x + y * y - 10.0 * (np.cos(_TWO_PI * x) + np.cos(_TWO_PI * y))


def _rastrigin_gradient(x, y, gx, gy):
    # ∂x = 2x + 20π·sin(2πx), and likewise for y.
    for coordinate, g in ((x, gx), (y, gy)):
        np.multiply(coordinate, _TWO_PI, out=g)
        np.sin(g, out=g)
        g *= 10.0 * _TWO_PI
        g += 2.0 * coordinate


def rastrigin() -> Surface:
    """Rastrigin J = 20 + Σ[xᵢ² − 10cos(2πxᵢ)] (A = 10); global minimum (0, 0) → 0."""
    return AnalyticSurface(
        _rastrigin_value,
        _rastrigin_gradient,
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


def _ackley_parts(x, y):
    """s = √(½(x² + y²)), exp(−0.2s) and exp(½(cos 2πx + cos 2πy))."""
    s = np.hypot(x, y)
    s *= _SQRT_HALF
    radial = np.exp(-0.2 * s)
    ripple = np.cos(_TWO_PI * x)
    ripple += np.cos(_TWO_PI * y)
    ripple *= 0.5
    np.exp(ripple, out=ripple)
    return s, radial, ripple


def _ackley_value(x, y):
    s, radial, ripple = _ackley_parts(x, y)
    # 20(1 − e^{−0.2s}) + (e − ripple) is exactly 0 at the origin.
    return -20.0 * np.expm1(-0.2 * s) + (math.e - ripple)


def _ackley_gradient(x, y, gx, gy):
    s, radial, ripple = _ackley_parts(x, y)
    # ∂x = 2x·e^{−0.2s}/s + π·sin(2πx)·ripple. At the origin cusp x/s is taken as 0: dividing by
    # s = inf there gives 0 without a 0/0 warning, and NaN inputs stay NaN.
    s[s == 0.0] = np.inf
    radial /= s
    radial *= 2.0
    ripple *= math.pi
    for coordinate, g in ((x, gx), (y, gy)):
        np.multiply(coordinate, _TWO_PI, out=g)
        np.sin(g, out=g)
        g *= ripple
        g += radial * coordinate


def ackley() -> Surface:
    """Ackley J = −20exp(−0.2√(½(x² + y²))) − exp(½(cos 2πx + cos 2πy)) + e + 20; global minimum
    (0, 0) → 0, a cusp where the gradient is taken as 0."""
    return AnalyticSurface(
        _ackley_value,
        _ackley_gradient,
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


def _goldstein_price_factors(x, y):
    """J = A(p)·B(d) with p = x + y and d = 2x − 3y; returns A, A′(p), B, B′(d)."""
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


def _goldstein_price_value(x, y):
    a, _, b, _ = _goldstein_price_factors(x, y)
    return a * b


def _goldstein_price_gradient(x, y, gx, gy):
    a, da, b, db = _goldstein_price_factors(x, y)
    # ∂x = A′B + 2AB′, ∂y = A′B − 3AB′ (∂p/∂x = ∂p/∂y = 1, ∂d/∂x = 2, ∂d/∂y = −3).
    da *= b
    db *= a
    np.multiply(db, 2.0, out=gx)
    gx += da
    np.multiply(db, -3.0, out=gy)
    gy += da


def goldstein_price() -> Surface:
    """Goldstein–Price J = [1 + (x + y + 1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]
    · [30 + (2x − 3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)]; global minimum (0, −1) → 3."""
    return AnalyticSurface(
        _goldstein_price_value,
        _goldstein_price_gradient,
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


def _six_hump_camel_value(x, y):
    x2 = x * x
    y2 = y * y
    return ((x2 / 3.0 - 2.1) * x2 + 4.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2


def _six_hump_camel_gradient(x, y, gx, gy):
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


def six_hump_camel() -> Surface:
    """Six-hump camel J = (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²; two global minima
    ±(0.0898, −0.7127) → −1.0316 among six local ones."""
    return AnalyticSurface(
        _six_hump_camel_value,
        _six_hump_camel_gradient,
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


def _three_hump_camel_value(x, y):
    x2 = x * x
    return ((x2 / 6.0 - 1.05) * x2 + 2.0) * x2 + x * y + y * y


def _three_hump_camel_gradient(x, y, gx, gy):
    # ∂x = 4x − 4.2x³ + x⁵ + y, ∂y = x + 2y
    np.multiply(x, x, out=gx)
    gx -= 4.2
    gx *= x * x
    gx += 4.0
    gx *= x
    gx += y
    np.multiply(y, 2.0, out=gy)
    gy += x


def three_hump_camel() -> Surface:
    """Three-hump camel J = 2x² − 1.05x⁴ + x⁶/6 + xy + y²; global minimum (0, 0) → 0."""
    return AnalyticSurface(
        _three_hump_camel_value,
        _three_hump_camel_gradient,
        key="three_hump_camel",
        title="Three-hump camel",
        category=Category.LOCAL_MINIMA,
        family=Family.CLASSIC,
        view=ViewBox(-2.0, 2.0, -2.0, 2.0),
        # The local pair and the saddles were found by Newton's method on the exact gradient.
        minima=(
            CriticalPoint(0.0, 0.0, 0.0),
            CriticalPoint(1.747552345830289, -0.8737761729151445, 0.29863844223685965),
            CriticalPoint(-1.747552345830289, 0.8737761729151445, 0.29863844223685965),
        ),
        saddles=(
            CriticalPoint(1.07054229182366, -0.53527114591183, 0.8773615577631402),
            CriticalPoint(-1.07054229182366, 0.53527114591183, 0.8773615577631402),
        ),
        start=(-1.2, 1.8),
        caption="The three-hump camel's global minimum is flanked by two shallower ones, and "
        "from the side GD and Adam fall into the nearer, worse one while momentum rolls on to the "
        "centre.",
        race=(
            RunSpec("gd", {"learning_rate": 0.05}),
            RunSpec("momentum", {"learning_rate": 0.06, "beta": 0.9}),
            RunSpec("adam", {"learning_rate": 0.1}),
        ),
    )


# --- registry ----------------------------------------------------------------------------

SURFACES: dict[str, Callable[..., Surface]] = {
    "bowl": bowl,
    "narrow_valley": narrow_valley,
    "ravine": ravine,
    "saddle": saddle,
    "monkey_saddle": monkey_saddle,
    "two_wells": two_wells,
    "plateau": plateau,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "booth": booth,
    "himmelblau": himmelblau,
    "rastrigin": rastrigin,
    "ackley": ackley,
    "goldstein_price": goldstein_price,
    "six_hump_camel": six_hump_camel,
    "three_hump_camel": three_hump_camel,
}


def surface_keys() -> list[str]:
    """The registered surface keys, teaching surfaces first."""
    return list(SURFACES)


def surface_parameters(key: str) -> Mapping[str, float]:
    """The parameters the surface ``key`` accepts, with their defaults."""
    factory = _factory(key)
    return {name: p.default for name, p in inspect.signature(factory).parameters.items()}


def get_surface(key: str, **params: float) -> Surface:
    """Build the surface registered as ``key`` with the given parameters.

    Raises:
        ValueError: for an unknown key, an unknown parameter, or a parameter out of range.
    """
    factory = _factory(key)
    accepted = surface_parameters(key)
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ValueError(
            f"surface {key!r} has no parameter {unknown[0]!r}; "
            f"its parameters: {', '.join(accepted) or 'none'}"
        )
    return factory(**params)


def _factory(key: str) -> Callable[..., Surface]:
    try:
        return SURFACES[key]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {key!r}; choose from: {', '.join(SURFACES)}") from None
