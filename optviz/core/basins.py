r"""Basins of attraction: where does a run end, for every start point of a grid?

For one surface J and one race entry (a :class:`~optviz.core.simulation.RunSpec`), start the
optimizer from every cell centre of a res × res grid over a rectangle of the plane,

.. math::

    W_0^{(ij)} = \bigl(x_{\min} + (j + ½)\,Δx,\; y_{\min} + (i + ½)\,Δy\bigr),
    \qquad Δx = \frac{x_{\max} - x_{\min}}{res}, \quad Δy = \frac{y_{\max} - y_{\min}}{res},

run it for at most T steps, and label each start by the outcome. Row i is y and column j is x,
as in :meth:`Surface.grid`: ``labels[i, j]`` belongs to the start at ``(xs[j], ys[i])``.

Labels (:class:`Outcome`): ``k >= 0`` means *converged to minimum k* (the index into
``surface.minima``, shown as "min k+1" in the app); the negative codes are

* ``DIVERGED`` (−1): non-finite, far away, an exploding step, or out of view uphill;
* ``LEFT_VIEW`` (−2): out of the view box (grown by ``Tolerances.leave``), going downhill;
* ``NOT_CONVERGED`` (−3): still running (or creeping at a saddle) after T steps;
* ``UNLISTED`` (−4): stopped at a stationary point that is no listed minimum (Rastrigin's
  egg-crate of local minima, for example).

They mean exactly what the race's statuses mean: the NumPy reference path *is* the race's
:class:`Simulation` (``record=False``, status checked every :data:`CHECK_EVERY` steps and at
step T) with all grid points as its N start points, so a basin map and the readout of a single
race from the same start never disagree.

Two backends compute the same thing (``BasinResult.backend`` says which ran):

* ``"numpy"``: the reference, any surface, any run (mini-batch noise, dataset losses and
  typed expressions included).
* ``"compiled"``: :mod:`optviz.core.basins_compiled`, a numba kernel with the gradient of the
  surface, the update and the classification fused, all T steps inside the kernel. It has
  gradient twins for the analytic catalogue surfaces and takes full-batch runs (GD, momentum,
  Nesterov, AdaGrad, RMSProp, Adam, any schedule). The floating-point operations are the
  NumPy path's in the same order, so end points and labels are bit-identical (for the
  surfaces built on exp, whose NumPy SIMD ``exp`` may differ from the C library's in the last
  bit, see :data:`optviz.core.basins_compiled.EXACT`).

Cancellation: ``compute_basins(..., cancelled=fn)`` calls ``fn()`` between slices of the work
(every few steps on the NumPy path, every block of points on the compiled one); as soon as it
returns True, :class:`BasinsCancelled` is raised. Nothing is cached then, and no partial map
is ever returned. ``progress(fraction)`` is called with fractions rising from 0 to 1.

Example::

    from optviz.core import RunSpec, get_surface
    from optviz.core.basins import compute_basins
    r = compute_basins(get_surface("himmelblau"), RunSpec("adam", {"learning_rate": 0.05}),
                       resolution=128, steps=500)
    r.labels            # (128, 128) ints, r.counts() says how many starts reach each minimum
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from .geometry import ViewBox
from .optimizers import OPTIMIZERS
from .simulation import RunSpec, Simulation, Status, Tolerances
from .surface import Surface

#: Grid sizes allowed per side.
MIN_RESOLUTION, MAX_RESOLUTION = 2, 256
#: The step limit T allowed (the race's own limit).
MAX_STEPS = 100_000
#: The status is checked every this many steps and at step T, as in the race without recording.
CHECK_EVERY = 10
#: Steps per slice on the NumPy path (a multiple of CHECK_EVERY): progress and cancel points.
NUMPY_SLICE = 20


class Outcome(IntEnum):
    """The negative labels of a basin map; labels ``>= 0`` index ``surface.minima``."""

    DIVERGED = -1
    LEFT_VIEW = -2
    NOT_CONVERGED = -3
    UNLISTED = -4


#: Human wording of the negative labels.
OUTCOME_NAMES = {
    Outcome.DIVERGED: "diverged",
    Outcome.LEFT_VIEW: "left the view",
    Outcome.NOT_CONVERGED: "not converged",
    Outcome.UNLISTED: "other stationary point",
}


class BasinsCancelled(Exception):
    """Raised by :func:`compute_basins` when its ``cancelled()`` check returned True."""


def describe_label(label: int) -> str:
    """``"min 2"`` for label 1, ``"diverged"`` for −1, and so on."""
    label = int(label)
    return f"min {label + 1}" if label >= 0 else OUTCOME_NAMES[Outcome(label)]


def labels_from_status(status: np.ndarray, minimum: np.ndarray) -> np.ndarray:
    """Basin labels from the race's ``Simulation.status`` and ``Simulation.minimum`` arrays."""
    status = np.asarray(status)
    labels = np.full(status.shape, int(Outcome.NOT_CONVERGED), dtype=np.int16)  # RUNNING, STALLED
    conv = status == Status.CONVERGED
    labels[conv] = np.where(np.asarray(minimum)[conv] >= 0, np.asarray(minimum)[conv], int(Outcome.UNLISTED))
    labels[status == Status.DIVERGED] = int(Outcome.DIVERGED)
    labels[status == Status.LEFT_VIEW] = int(Outcome.LEFT_VIEW)
    return labels


# --------------------------------------------------------------------------- settings


def surface_identity(surface: Surface) -> tuple:
    """What makes two surfaces the same loss, as a hashable tuple: the class, the registry key,
    the construction parameters, a typed expression's text and the view box (which decides
    "left the view")."""
    params = tuple(sorted((str(k), _hashable(v)) for k, v in surface.params.items()))
    return (type(surface).__name__, surface.key, params, getattr(surface, "expression", None),
            surface.view.as_tuple())


def run_identity(spec: RunSpec) -> tuple:
    """What makes two race entries run the same: optimizer, all hyperparameters (defaults
    filled in), batch size, schedule and seed. The display label is not part of it."""
    return (spec.optimizer, tuple(sorted((k, float(v)) for k, v in spec.hyperparameters().items())),
            spec.batch_size, spec.schedule, tuple(sorted((k, _hashable(v)) for k, v in spec.schedule_params.items())),
            int(spec.seed))


def _hashable(value):
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (float, np.floating)):
        return float(value)
    return value


@dataclass(frozen=True)
class BasinSettings:
    """Everything a basin map depends on; equal settings give equal maps (a cache key).

    Attributes:
        surface: :func:`surface_identity` of the loss.
        run: :func:`run_identity` of the race entry.
        rect: the start-point rectangle ``(xmin, xmax, ymin, ymax)``.
        resolution: res, the grid has res × res start points.
        steps: T, the step limit of every run.
        seed: the race's seed (mini-batch order and analytic noise offsets).
        noise_scale: σ of the per-sample gradients of analytic surfaces (None: the default).
        samples: n, the number of samples of analytic surfaces.
        tolerances: the classification rules.
        spec: the :class:`RunSpec` itself (not compared: its label is display only).
    """

    surface: tuple
    run: tuple
    rect: tuple[float, float, float, float]
    resolution: int
    steps: int
    seed: int
    noise_scale: float | None
    samples: int
    tolerances: Tolerances
    spec: RunSpec = field(compare=False, repr=False)

    @classmethod
    def of(cls, surface: Surface, spec: RunSpec, rect=None, *, resolution: int = 128, steps: int = 500,
           seed: int = 0, noise_scale: float | None = None, samples: int | None = None,
           tolerances: Tolerances = Tolerances()) -> "BasinSettings":
        """Validated settings; ``rect`` defaults to the surface's view box.

        Raises:
            ValueError: naming the argument and its allowed range, e.g.
                ``"resolution must be between 2 and 256, got 1000"``.
        """
        from .risk import DEFAULT_SAMPLES

        if not isinstance(surface, Surface):
            raise ValueError(f"surface must be a Surface, got {type(surface).__name__}")
        if not isinstance(spec, RunSpec):
            raise ValueError(f"run must be a RunSpec, got {type(spec).__name__}")
        if spec.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {spec.optimizer!r}; choose from: {', '.join(OPTIMIZERS)}")
        spec.build()  # hyperparameter errors surface here, with the optimizer's own message
        if not _is_int(resolution) or not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
            raise ValueError(f"resolution must be between {MIN_RESOLUTION} and {MAX_RESOLUTION}, got {resolution!r}")
        if not _is_int(steps) or not 1 <= steps <= MAX_STEPS:
            raise ValueError(f"steps must be between 1 and {MAX_STEPS}, got {steps!r}")
        if not _is_int(seed):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        samples = DEFAULT_SAMPLES if samples is None else samples
        if not _is_int(samples) or samples < 1:
            raise ValueError(f"samples must be an integer >= 1, got {samples!r}")
        if noise_scale is not None and not (isinstance(noise_scale, (int, float)) and math.isfinite(noise_scale)
                                            and noise_scale >= 0):
            raise ValueError(f"noise scale must be a finite number >= 0 or None, got {noise_scale!r}")
        if not isinstance(tolerances, Tolerances):
            raise ValueError(f"tolerances must be a Tolerances, got {type(tolerances).__name__}")
        box = _as_box(surface.view if rect is None else rect)
        return cls(surface_identity(surface), run_identity(spec), box.as_tuple(), int(resolution), int(steps),
                   int(seed), None if noise_scale is None else float(noise_scale), int(samples), tolerances, spec)

    @property
    def box(self) -> ViewBox:
        return ViewBox(*self.rect)

    def with_resolution(self, resolution: int) -> "BasinSettings":
        """The same settings at another grid size (the coarse preview of a fine map)."""
        if not _is_int(resolution) or not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
            raise ValueError(f"resolution must be between {MIN_RESOLUTION} and {MAX_RESOLUTION}, got {resolution!r}")
        return BasinSettings(self.surface, self.run, self.rect, int(resolution), self.steps, self.seed,
                             self.noise_scale, self.samples, self.tolerances, self.spec)

    def axes(self) -> tuple[np.ndarray, np.ndarray]:
        """The cell centres ``xs`` (columns) and ``ys`` (rows) of the start grid."""
        xmin, xmax, ymin, ymax = self.rect
        n = self.resolution
        xs = xmin + (np.arange(n) + 0.5) * ((xmax - xmin) / n)
        ys = ymin + (np.arange(n) + 0.5) * ((ymax - ymin) / n)
        return xs, ys

    def starts(self) -> np.ndarray:
        """All start points, row by row: shape (res·res, 2), point ``i·res + j`` at ``(xs[j], ys[i])``."""
        xs, ys = self.axes()
        gx, gy = np.meshgrid(xs, ys, indexing="xy")
        return np.ascontiguousarray(np.stack([gx.ravel(), gy.ravel()], axis=-1))


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _as_box(rect) -> ViewBox:
    if isinstance(rect, ViewBox):
        return rect
    try:
        values = [float(v) for v in rect]
    except (TypeError, ValueError):
        raise ValueError(f"rectangle must be (xmin, xmax, ymin, ymax), got {rect!r}") from None
    if len(values) != 4:
        raise ValueError(f"rectangle must be (xmin, xmax, ymin, ymax), got {rect!r}")
    try:
        return ViewBox(*values)
    except ValueError as err:
        raise ValueError(f"rectangle: {err}") from None


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class BasinResult:
    """One basin map.

    Attributes:
        settings: what was computed.
        labels: (res, res) int16, ``labels[i, j]`` for the start ``(xs[j], ys[i])``: the index
            of the minimum reached (``>= 0``) or an :class:`Outcome` code (< 0).
        end_points: (res, res, 2) where each run stood when it stopped (or after T steps).
        minima: the surface's minima ``(x, y)``, indexed by the labels.
        seconds: wall time of the computation.
        backend: ``"compiled"`` or ``"numpy"``.
        note: why NumPy ran when it did (``"numba unavailable: …"``), else ``""``.

    The arrays are read-only: a result may be shared through a cache.
    """

    settings: BasinSettings
    labels: np.ndarray
    end_points: np.ndarray
    minima: tuple[tuple[float, float], ...]
    seconds: float
    backend: str
    note: str = ""

    @property
    def resolution(self) -> int:
        return self.settings.resolution

    def counts(self) -> dict[int, int]:
        """How many starts got each label."""
        values, counts = np.unique(self.labels, return_counts=True)
        return {int(v): int(c) for v, c in zip(values, counts)}

    def fractions(self) -> dict[int, float]:
        total = self.labels.size
        return {k: c / total for k, c in self.counts().items()}


class BasinCache:
    """A thread-safe LRU cache of :class:`BasinResult` by :class:`BasinSettings`."""

    def __init__(self, maxsize: int = 64) -> None:
        if not _is_int(maxsize) or maxsize < 1:
            raise ValueError(f"cache size must be an integer >= 1, got {maxsize!r}")
        self.maxsize = int(maxsize)
        self._items: OrderedDict[BasinSettings, BasinResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, settings: BasinSettings) -> BasinResult | None:
        with self._lock:
            result = self._items.get(settings)
            if result is not None:
                self._items.move_to_end(settings)
            return result

    def put(self, result: BasinResult) -> None:
        with self._lock:
            self._items[result.settings] = result
            self._items.move_to_end(result.settings)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def __contains__(self, settings) -> bool:
        with self._lock:
            return settings in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# --------------------------------------------------------------------------- computing


def compute_basins(surface: Surface, spec: RunSpec, rect=None, *, resolution: int = 128, steps: int = 500,
                   seed: int = 0, noise_scale: float | None = None, samples: int | None = None,
                   tolerances: Tolerances = Tolerances(), backend: str = "auto",
                   progress: Callable[[float], None] | None = None,
                   cancelled: Callable[[], bool] | None = None,
                   cache: BasinCache | None = None) -> BasinResult:
    """The basin map of ``spec`` on ``surface`` over ``rect`` (default: the surface's view box).

    Args:
        surface: the loss J (any :class:`Surface`).
        spec: the race entry: optimizer, hyperparameters, batch size, schedule.
        rect: the start rectangle, a :class:`ViewBox` or ``(xmin, xmax, ymin, ymax)``.
        resolution: res in [2, 256], the grid has res × res start points (cell centres).
        steps: T in [1, 100000], the step limit of every run.
        seed, noise_scale, samples, tolerances: as for :class:`Simulation`.
        backend: ``"auto"`` (the compiled kernel where it applies and numba works,
            compiling or loading it on first use; else NumPy), ``"numpy"`` or ``"compiled"``
            (ValueError where the kernel does not apply, RuntimeError without numba).
        progress: called with the fraction done, from 0 to 1, on the calling thread.
        cancelled: polled between slices of work; True raises :class:`BasinsCancelled`.
        cache: a :class:`BasinCache`; a hit is returned as is (the same object), a fresh
            result is stored.

    Returns:
        a :class:`BasinResult`.
    """
    if backend not in ("auto", "numpy", "compiled"):
        raise ValueError(f"backend must be 'auto', 'numpy' or 'compiled', got {backend!r}")
    settings = BasinSettings.of(surface, spec, rect, resolution=resolution, steps=steps, seed=seed,
                                noise_scale=noise_scale, samples=samples, tolerances=tolerances)
    if cache is not None:
        hit = cache.get(settings)
        if hit is not None:
            if progress is not None:
                progress(1.0)
            return hit
    result = _compute(surface, settings, backend, progress, cancelled)
    if cache is not None:
        cache.put(result)
    return result


def compiled_unavailable_reason(surface: Surface, spec: RunSpec, samples: int | None = None) -> str | None:
    """Why the compiled kernel cannot compute this map (``None``: it can, if numba works)."""
    from . import basins_compiled
    from .risk import DEFAULT_SAMPLES

    if basins_compiled.twin_of(surface) is None:
        return f"no compiled gradient for the surface {surface.key!r}"
    n = DEFAULT_SAMPLES if samples is None else samples
    if spec.effective_batch_size(n) < n:
        return f"{spec.title} draws mini-batches (stochastic gradients)"
    return None


def _compute(surface: Surface, settings: BasinSettings, backend: str, progress, cancelled) -> BasinResult:
    from . import basins_compiled

    note = ""
    use_compiled = False
    if backend != "numpy":
        reason = compiled_unavailable_reason(surface, settings.spec, settings.samples)
        if reason is None and basins_compiled.kernel() is None:
            reason = f"numba unavailable: {basins_compiled.error()}"
            if backend == "compiled":
                raise RuntimeError(f"the compiled basin kernel is unavailable ({basins_compiled.error()}); "
                                   "use backend='numpy'")
        elif reason is not None and backend == "compiled":
            raise ValueError(f"the compiled basin kernel cannot compute this map: {reason}")
        use_compiled = reason is None
        note = reason or ""
    begin = time.perf_counter()
    starts = settings.starts()
    if use_compiled:
        positions, status, minimum = basins_compiled.run(surface, settings, starts, progress, cancelled)
    else:
        positions, status, minimum = _run_numpy(surface, settings, starts, progress, cancelled)
    res = settings.resolution
    labels = labels_from_status(status, minimum).reshape(res, res)
    end_points = positions.reshape(res, res, 2)
    labels.setflags(write=False)
    end_points.setflags(write=False)
    seconds = time.perf_counter() - begin
    if progress is not None:
        progress(1.0)
    return BasinResult(settings, labels, end_points, tuple((float(m.x), float(m.y)) for m in surface.minima),
                       seconds, "compiled" if use_compiled else "numpy", note)


def _run_numpy(surface: Surface, settings: BasinSettings, starts: np.ndarray, progress, cancelled):
    """The reference: the race's own Simulation with every grid point as a start point."""
    from .risk import DEFAULT_SAMPLES

    _check(cancelled)
    sim = Simulation(surface, [settings.spec], starts, max_steps=settings.steps, seed=settings.seed,
                     noise_scale=settings.noise_scale, samples=settings.samples or DEFAULT_SAMPLES, record=False,
                     tolerances=settings.tolerances, check_every=CHECK_EVERY, chunk_rows=4096, backend="numpy")
    done = 0
    while done < settings.steps and not sim.finished:
        moved = sim.step(min(NUMPY_SLICE, settings.steps - done))
        done += moved
        if moved == 0:
            break
        _check(cancelled)
        if progress is not None:
            progress(done / settings.steps)
    return sim.positions[0].copy(), sim.status[0].copy(), sim.minimum[0].copy()


def _check(cancelled) -> None:
    if cancelled is not None and cancelled():
        raise BasinsCancelled("basin computation cancelled")


__all__ = [
    "BasinCache",
    "BasinResult",
    "BasinSettings",
    "BasinsCancelled",
    "CHECK_EVERY",
    "MAX_RESOLUTION",
    "MIN_RESOLUTION",
    "OUTCOME_NAMES",
    "Outcome",
    "compiled_unavailable_reason",
    "compute_basins",
    "describe_label",
    "labels_from_status",
    "run_identity",
    "surface_identity",
]
