"""A typed expression as a surface: :class:`ExpressionSurface`, its start point, colour scale
and critical points found numerically, and :func:`expression_surface`, which builds one from
text (parsed and checked by :mod:`optviz.core.expression`).

Example::

    surface = expression_surface("sin(x)*cos(y) + 0.1*(x^2 + y^2)", view=(-4, 4, -4, 4))
    surface.f(np.array([[0.0, 0.0]]))        # array([0.])
    surface.grad(np.array([[0.0, 0.0]]))     # array([[1., 0.]])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .expression import Expression, ExpressionError, parse_expression, stage, sympy_module
from .geometry import CriticalPoint, ViewBox
from .limits import start_problem, view_box_problem
from .surface import Category, Family, Surface
from .surfaces.base import as_points, points_and_out

__all__ = ["ExpressionSurface", "expression_surface"]


class ExpressionSurface(Surface):
    """A :class:`Surface` J(x, y) given by a typed expression, with its exact gradient.

    ``f`` and ``grad`` follow :class:`~optviz.core.surfaces.AnalyticSurface`: points of shape
    ``(..., 2)``, float64 results, ``out`` may alias the points. Where f is undefined the
    value and gradient are NaN (never an exception or a warning).

    Minima and saddles are located numerically (Newton's method on the exact gradient from a
    grid of seeds; only non-degenerate points strictly inside the view), global minimum
    first; a kink such as the minimum of ``abs(x)`` is not found.

    Attributes:
        expression: the normalised text (see :class:`Expression`).
        sympy_expr, gradient_exprs: f and (∂f/∂x, ∂f/∂y) in sympy.
    """

    def __init__(self, expression: str | Expression, view: ViewBox, start: Sequence[float] | None = None) -> None:
        parsed = expression if isinstance(expression, Expression) else parse_expression(expression)
        self._expr = parsed
        self.expression = parsed.text
        self.sympy_expr = parsed.sympy_expr
        self.gradient_exprs = parsed.gradient_exprs
        xs = np.linspace(view.xmin, view.xmax, _GRID)
        ys = np.linspace(view.ymin, view.ymax, _GRID)
        gx, gy = np.meshgrid(xs, ys, indexing="xy")
        with stage(parsed.text, "evaluate"):
            z = parsed.value(gx, gy)
            finite = np.isfinite(z)
            if not finite.any():
                raise ExpressionError("the function is undefined (or infinite) everywhere in the view box",
                                      parsed.text, 0, len(parsed.text))
            if start is None:
                start = _default_start(parsed, view, gx, gy, finite)
        super().__init__(
            key="custom",
            title=parsed.text,
            category=Category.LOCAL_MINIMA,  # refined below from the located critical points
            family=Family.TEACHING,
            view=view,
            start=(float(start[0]), float(start[1])),
            caption=f"A custom loss J(x, y) = {parsed.text}.",
            log_color=_wide_range(z[finite]),
        )
        with stage(parsed.text, "evaluate"):
            minima, saddles = _critical_points(self, gx, gy)
            self.minima, self.saddles = minima, saddles
            self.category = _category(self, gx, gy, minima, saddles)

    def __repr__(self) -> str:
        return f"<ExpressionSurface {self.expression!r} on {self.view.as_tuple()}>"

    def f(self, points: np.ndarray) -> np.ndarray:
        p = as_points(points)
        return self._expr.value(p[..., 0], p[..., 1])

    def grad(self, points: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        p, out = points_and_out(points, out)
        if np.may_share_memory(out, p):
            p = p.copy()
        self._expr.gradient(p[..., 0], p[..., 1], out[..., 0], out[..., 1])
        return out

    def latex(self) -> str:
        """J in LaTeX, for the equation display."""
        return self._expr.latex()

    def pretty(self) -> str:
        """J as one line of Unicode text, e.g. ``x² + 10·y²``."""
        return self._expr.pretty()

    def gradient_latex(self) -> tuple[str, str]:
        """(∂J/∂x, ∂J/∂y) in LaTeX."""
        sp = sympy_module()
        return sp.latex(self.gradient_exprs[0]), sp.latex(self.gradient_exprs[1])


_GRID = 48  # samples per side for the start point, the colour scale and the critical-point seeds
_MAX_SEEDS = 160
_MAX_POINTS = 32


def _default_start(expr: Expression, view: ViewBox, gx, gy, finite) -> tuple[float, float]:
    """The point 20 % in from the left and 20 % down from the top of the box, or, where f or
    its gradient is not finite there, the nearest grid point where they are."""
    target = (view.xmin + 0.2 * view.width, view.ymin + 0.8 * view.height)
    tx, ty = np.array(target[0]), np.array(target[1])
    if np.isfinite(expr.value(tx, ty)) and all(np.isfinite(g) for g in expr.gradient(tx, ty)):
        return target
    dx, dy = expr.gradient(gx, gy)
    ok = finite & np.isfinite(dx) & np.isfinite(dy)
    if not ok.any():
        ok = finite
    d2 = ((gx - target[0]) / view.width) ** 2 + ((gy - target[1]) / view.height) ** 2
    i = np.argmin(np.where(ok, d2, np.inf))
    return float(gx.flat[i]), float(gy.flat[i])


def _wide_range(z: np.ndarray) -> bool:
    """Log colours when the top of the value range dwarfs its typical spread (Rosenbrock-like)."""
    lo = z.min()
    spread_top = np.percentile(z, 99) - lo
    spread_mid = np.median(z) - lo
    return bool(spread_top > 50.0 * spread_mid) if spread_mid > 0 else False


def _critical_points(surface: ExpressionSurface, gx: np.ndarray, gy: np.ndarray):
    """Minima (lowest first) and saddles strictly inside the view, by Newton's method from the
    grid points where |∇J| is smallest among their neighbours."""
    view = surface.view
    pts = np.stack([gx, gy], axis=-1)
    g = surface.grad(pts)
    norm = np.hypot(g[..., 0], g[..., 1])
    finite = np.isfinite(norm)
    if finite.sum() < 9:
        return (), ()
    scale = max(float(np.median(norm[finite])), 1e-12)
    padded = np.pad(np.where(finite, norm, np.inf), 1, constant_values=np.inf)
    centre = padded[1:-1, 1:-1]
    local = finite.copy()
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                local &= centre <= padded[1 + di : padded.shape[0] - 1 + di, 1 + dj : padded.shape[1] - 1 + dj]
    seeds = pts[local]
    if len(seeds) > _MAX_SEEDS:
        seeds = seeds[np.argsort(norm[local])[:_MAX_SEEDS]]
    if len(seeds) == 0:
        return (), ()
    p = seeds.copy()
    max_step = 0.1 * view.diagonal
    with np.errstate(all="ignore"):
        for _ in range(40):
            grad = surface.grad(p)
            hess = surface.hessian(p)
            a, b, c = hess[:, 0, 0], hess[:, 0, 1], hess[:, 1, 1]
            det = a * c - b * b
            step = np.stack([-(c * grad[:, 0] - b * grad[:, 1]), -(a * grad[:, 1] - b * grad[:, 0])], axis=-1)
            step /= det[:, None]
            length = np.hypot(step[:, 0], step[:, 1])
            step *= np.minimum(1.0, max_step / length)[:, None]
            step[~np.isfinite(step).all(axis=1)] = np.nan  # singular Hessian: give up on that seed
            p = p + step
        grad = surface.grad(p)
        value = surface.f(p)
        hess = surface.hessian(p)
    gnorm = np.hypot(grad[:, 0], grad[:, 1])
    margin = 1e-9 * view.diagonal
    inside = ((p[:, 0] > view.xmin + margin) & (p[:, 0] < view.xmax - margin)
              & (p[:, 1] > view.ymin + margin) & (p[:, 1] < view.ymax - margin))
    good = np.isfinite(value) & np.isfinite(hess).all(axis=(1, 2)) & inside & (gnorm <= 1e-8 * max(scale, 1.0))
    minima: list[CriticalPoint] = []
    saddles: list[CriticalPoint] = []
    kept: list[np.ndarray] = []
    for i in np.flatnonzero(good):
        if any(np.hypot(*(p[i] - q)) < 1e-6 * view.diagonal for q in kept):
            continue
        eig = np.linalg.eigvalsh(hess[i])
        tol = 1e-6 * max(float(np.abs(eig).max()), 1e-300)
        point = CriticalPoint(float(p[i, 0]), float(p[i, 1]), float(value[i]))
        if eig[0] > tol:
            minima.append(point)
        elif eig[0] < -tol and eig[1] > tol:
            saddles.append(point)
        else:
            continue  # a maximum or a degenerate point: not a marker the race can use
        kept.append(p[i])
    minima.sort(key=lambda m: m.value)
    saddles.sort(key=lambda s: s.value)
    return tuple(minima[:_MAX_POINTS]), tuple(saddles[:_MAX_POINTS])


def _category(surface: ExpressionSurface, gx, gy, minima, saddles) -> Category:
    """CONVEX when the Hessian is positive semidefinite over the grid, SADDLE when saddles but
    at most one minimum were found, else LOCAL_MINIMA (the general non-convex case)."""
    pts = np.stack([gx[::3, ::3], gy[::3, ::3]], axis=-1).reshape(-1, 2)
    with np.errstate(all="ignore"):
        hess = surface.hessian(pts)
    hess = hess[np.isfinite(hess).all(axis=(1, 2))]
    if len(hess):
        eig = np.linalg.eigvalsh(hess)
        if (eig[:, 0] >= -1e-6 * max(float(np.abs(eig).max()), 1.0)).all():
            return Category.CONVEX
    if saddles and len(minima) <= 1:
        return Category.SADDLE
    return Category.LOCAL_MINIMA


def _view_box(view) -> ViewBox:
    if isinstance(view, ViewBox):
        return view
    try:
        values = [v for v in view]
    except TypeError:
        raise ValueError(f"the view box must be (xmin, xmax, ymin, ymax), got {view!r}") from None
    if len(values) != 4:
        raise ValueError(f"the view box must have 4 numbers (xmin, xmax, ymin, ymax), got {len(values)}")
    numbers = []
    for name, v in zip(("xmin", "xmax", "ymin", "ymax"), values, strict=True):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise ValueError(f"view box {name} must be a number, got {v!r}")
        if not math.isfinite(float(v)):
            raise ValueError(f"view box {name} must be finite, got {v!r}")
        numbers.append(float(v))
    xmin, xmax, ymin, ymax = numbers
    if not xmin < xmax:
        raise ValueError(f"view box needs xmin < xmax, got xmin = {xmin:g}, xmax = {xmax:g}")
    if not ymin < ymax:
        raise ValueError(f"view box needs ymin < ymax, got ymin = {ymin:g}, ymax = {ymax:g}")
    problem = view_box_problem(xmin, xmax, ymin, ymax)  # the rules every entry point shares
    if problem:
        raise ValueError(f"view box {problem[0]} {problem[1]}")
    return ViewBox(xmin, xmax, ymin, ymax)


def expression_surface(expression: str, view=(-3.0, 3.0, -3.0, 3.0),
                       start: Sequence[float] | None = None) -> ExpressionSurface:
    """The surface J(x, y) = ``expression`` over ``view`` = (xmin, xmax, ymin, ymax) or a
    :class:`ViewBox`, starting at ``start`` (default: 20 % in from the top-left corner).

    Raises:
        ExpressionError: the text is refused or f is undefined everywhere in the view.
        ValueError: the view box or the start point is invalid (the message says which bound).
    """
    box = _view_box(view)
    if start is not None:
        try:
            sx, sy = (float(c) for c in start)
        except (TypeError, ValueError):
            raise ValueError(f"start point must be two numbers (x, y), got {start!r}") from None
        problem = start_problem(sx, sy, box)
        if problem:
            raise ValueError(f"start point {problem}")
        start = (sx, sy)
    return ExpressionSurface(expression, box, start)
