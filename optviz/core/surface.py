"""The :class:`Surface` abstraction: a 2-D loss J(W) with its exact gradient and teaching metadata."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from enum import Enum

import numpy as np

from .geometry import CriticalPoint, ViewBox
from .run import RunSpec
from .status_rule import HESSIAN_STEP, hessian_steps, symmetric_hessian


class Category(str, Enum):
    """What a surface teaches; the preset picker groups by it."""

    LOCAL_MINIMA = "local minima"
    SADDLE = "saddle"
    NARROW_VALLEY = "narrow valley"
    CONVEX = "convex"
    PLATEAU = "plateau"


class Family(str, Enum):
    """Where a surface comes from: made for teaching, a classic benchmark, or a dataset loss."""

    TEACHING = "teaching"
    CLASSIC = "classic test functions"
    DATASET = "dataset losses"


#: The race of a surface that names none (a typed custom function): one run per family.
GENERIC_RACE = (RunSpec("gd"), RunSpec("momentum"), RunSpec("adam"))


class Surface(ABC):
    """A loss J over the plane W = (w1, w2), vectorized over points of shape ``(..., 2)``.

    Subclasses implement :meth:`f` and :meth:`grad`. ``grad`` is exact (analytic), never a
    finite difference.

    Attributes:
        key: registry name, e.g. ``"rosenbrock"``.
        title: display name, e.g. ``"Rosenbrock"``.
        category: the teaching :class:`Category`.
        family: :class:`Family` for grouping in the preset picker.
        view: default :class:`ViewBox` to show.
        minima: known minima (location and value), global ones first.
        saddles: known saddle points.
        start: default start point chosen to make the race instructive.
        caption: one sentence stating the teaching point.
        race: the default race (:class:`RunSpec` entries, 2–4 of them) that shows what the
            caption claims; the app loads it when the preset is chosen.
        log_color: the value range is wide, so colour maps should be log-scaled.
        axis_labels: names of the two parameters, ``("x", "y")`` or ``("w", "b")``.
        params: the construction parameters (e.g. ``{"condition": 50.0}``).
    """

    def __init__(
        self,
        *,
        key: str,
        title: str,
        category: Category,
        view: ViewBox,
        start: tuple[float, float],
        caption: str,
        minima: tuple[CriticalPoint, ...] = (),
        saddles: tuple[CriticalPoint, ...] = (),
        family: Family = Family.TEACHING,
        log_color: bool = False,
        axis_labels: tuple[str, str] = ("x", "y"),
        params: Mapping[str, float] | None = None,
        race: tuple[RunSpec, ...] = GENERIC_RACE,
    ) -> None:
        self.key = key
        self.title = title
        self.category = Category(category)
        self.family = Family(family)
        self.view = view
        self.start = (float(start[0]), float(start[1]))
        self.caption = caption
        self.minima = tuple(minima)
        self.saddles = tuple(saddles)
        self.log_color = bool(log_color)
        self.axis_labels = tuple(axis_labels)
        self.params = dict(params or {})
        self.race = tuple(race)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"<Surface {self.key}{extra}>"

    @abstractmethod
    def f(self, points: np.ndarray) -> np.ndarray:
        """J at ``points`` of shape ``(..., 2)``; returns shape ``(...)``."""

    @abstractmethod
    def grad(self, points: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Exact ∇J at ``points`` of shape ``(..., 2)``, written into ``out`` when given."""

    def hessian(self, points: np.ndarray, h: float = HESSIAN_STEP) -> np.ndarray:
        """Hessian by central differences of the exact gradient, symmetrized, shape ``(..., 2, 2)``
        (:mod:`optviz.core.status_rule`'s formulas, which the compiled basin kernel runs too).

        Only used to tell a minimum from a saddle where a run stops at an unlisted point.
        """
        p = np.asarray(points, dtype=float)
        x, y = p[..., 0], p[..., 1]
        sx, sy = hessian_steps(x, y, h)
        zero = np.zeros_like(x)
        right = self.grad(np.stack([x + sx, y + zero], axis=-1))
        left = self.grad(np.stack([x - sx, y - zero], axis=-1))
        up = self.grad(np.stack([x + zero, y + sy], axis=-1))
        down = self.grad(np.stack([x - zero, y - sy], axis=-1))
        h00, h01, h11 = symmetric_hessian(right[..., 0], right[..., 1], left[..., 0], left[..., 1],
                                          up[..., 0], up[..., 1], down[..., 0], down[..., 1], sx, sy)
        return np.stack([np.stack([h00, h01], axis=-1), np.stack([h01, h11], axis=-1)], axis=-2)

    def grid(self, nx: int = 200, ny: int = 200, view: ViewBox | None = None):
        """Sample J on a regular grid: returns ``(xs, ys, Z)`` with ``Z[iy, ix] = J(xs[ix], ys[iy])``."""
        box = view or self.view
        xs = np.linspace(box.xmin, box.xmax, nx)
        ys = np.linspace(box.ymin, box.ymax, ny)
        pts = np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)
        with np.errstate(all="ignore"):
            z = self.f(pts)
        return xs, ys, z
