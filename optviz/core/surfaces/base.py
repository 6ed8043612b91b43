"""What a catalogue surface is made of: :class:`AnalyticSurface` (closed-form value and exact
gradient, vectorized) and :class:`SurfaceDefinition` (that factory with the scalar twins the
compiled basin kernel runs).

Conventions every surface module follows:

* ``value(x, y)`` returns J at coordinate arrays; ``gradient(x, y, gx, gy)`` writes ∂J/∂x into
  ``gx`` and ∂J/∂y into ``gy`` (views of the caller's output array). Huge or non-finite inputs
  give inf/nan, never an exception; callers silence the floating-point warnings.
* ``scalar_value(sp, x, y)`` and ``scalar_gradient(sp, x, y)`` are the same formulas on plain
  floats, operation for operation and in the same order (``a += b`` in NumPy is ``a = a + b``
  there, ``np.multiply(x, c)`` is ``x * c``), so that numba compiles them into the basin kernel
  with results bit-identical to the NumPy ones (no fast-math: no reassociation, no fused
  multiply-adds). ``sp`` is the surface's :attr:`AnalyticSurface.twin_params`, the numbers its
  factory computed once for both forms (the narrow valley's Hessian; empty for the others).
  Helpers the twins call are marked with :func:`optviz.core.scalar.scalar`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..surface import Surface

ValueFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
GradientFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]


class AnalyticSurface(Surface):
    """A :class:`Surface` given by closed-form callables.

    Args:
        value: ``value(x, y)`` returns J at the coordinate arrays ``x`` and ``y``.
        gradient: ``gradient(x, y, gx, gy)`` writes ∂J/∂x into ``gx`` and ∂J/∂y into ``gy``.
        twin_params: the parameters the scalar twins read as ``sp`` (computed once by the
            factory, the same numbers ``value`` and ``gradient`` use).
        **metadata: the keyword arguments of :class:`Surface`.
    """

    def __init__(self, value: ValueFn, gradient: GradientFn, twin_params: tuple[float, ...] = (),
                 **metadata) -> None:
        super().__init__(**metadata)
        self._value = value
        self._gradient = gradient
        self.twin_params = tuple(float(p) for p in twin_params)

    def f(self, points: np.ndarray) -> np.ndarray:
        p = as_points(points)
        # Kernels work in place, which needs arrays: a single point is viewed as a batch of one.
        q = p.reshape(1, 2) if p.ndim == 1 else p
        return self._value(q[..., 0], q[..., 1]).reshape(p.shape[:-1])

    def grad(self, points: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        p, out = points_and_out(points, out)
        if np.may_share_memory(out, p):
            # The gradient kernels write gx before they are done reading x.
            out[...] = self.grad(p.copy())
            return out
        q, o = (p.reshape(1, 2), out.reshape(1, 2)) if p.ndim == 1 else (p, out)
        self._gradient(q[..., 0], q[..., 1], o[..., 0], o[..., 1])
        return out


@dataclass(frozen=True)
class SurfaceDefinition:
    """One catalogue surface, as its module defines it.

    Attributes:
        key: the registry key (the built surface's ``key``).
        build: the factory; its keyword parameters (with defaults) are the surface's parameters.
        scalar_value, scalar_gradient: the scalar twins of the NumPy value and gradient
            (see the module docstring), compiled into the basin kernel.
        exact: the twins are bit-identical with NumPy on every machine. False where they call
            ``exp``: numba calls the C library's, NumPy may use its own SIMD one (AVX-512), which
            differs in the last bit for a few percent of arguments.
    """

    key: str
    build: Callable[..., AnalyticSurface]
    scalar_value: Callable[[np.ndarray, float, float], float]
    scalar_gradient: Callable[[np.ndarray, float, float], tuple[float, float]]
    exact: bool = True


def as_points(points: np.ndarray) -> np.ndarray:
    """``points`` as a float array of shape ``(..., 2)``; ValueError for any other shape."""
    p = np.asarray(points, dtype=float)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got {p.shape}")
    return p


def points_and_out(points: np.ndarray, out: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The points (:func:`as_points`) and an output array of their shape for their gradient:
    ``out`` when it fits (ValueError when it does not), else a new one."""
    p = as_points(points)
    if out is None:
        return p, np.empty(p.shape, dtype=float)
    if out.shape != p.shape:
        raise ValueError(f"gradient output must have the shape of the points {p.shape}, got {out.shape}")
    return p, out


def finite_number(name: str, value: float, lower: float, upper: float) -> float:
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


SQRT_HALF = math.sqrt(0.5)
TWO_PI = 2.0 * math.pi
