"""The :class:`Surface` abstraction: a 2-D loss J(W) with its exact gradient and teaching metadata."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from enum import Enum

import numpy as np

from .geometry import CriticalPoint, ViewBox
from .run import RunSpec


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

    def hessian(self, points: np.ndarray, h: float = 1e-5) -> np.ndarray:
        """Hessian by central differences of the exact gradient, shape ``(..., 2, 2)``.

        Only used to tell a minimum from a saddle when a run stops at an unlisted point.
        """
        p = np.asarray(points, dtype=float)
        scale = h * np.maximum(1.0, np.abs(p))
        hess = np.empty(p.shape + (2,), dtype=float)
        for j in range(2):
            step = np.zeros_like(p)
            step[..., j] = scale[..., j]
            diff = self.grad(p + step) - self.grad(p - step)
            hess[..., :, j] = diff / (2.0 * scale[..., j : j + 1])
        return 0.5 * (hess + np.swapaxes(hess, -1, -2))

    def grid(self, nx: int = 200, ny: int = 200, view: ViewBox | None = None):
        """Sample J on a regular grid: returns ``(xs, ys, Z)`` with ``Z[iy, ix] = J(xs[ix], ys[iy])``."""
        box = view or self.view
        xs = np.linspace(box.xmin, box.xmax, nx)
        ys = np.linspace(box.ymin, box.ymax, ny)
        pts = np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)
        with np.errstate(all="ignore"):
            z = self.f(pts)
        return xs, ys, z
