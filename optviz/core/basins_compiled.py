r"""The compiled fast path of :func:`optviz.core.basins.compute_basins`.

One numba kernel (:mod:`optviz.core._basins_kernel`) fuses, for a block of 256 start points
at a time, the surface's gradient ∇J(W_t), the optimizer's update (the formulas of
:mod:`optviz.core.compiled`: each rule's scalar step, torch's operation order) and every ``CHECK_EVERY`` steps the
race's classification (converged to minimum k / stalled / diverged / left the view: the
rule of :mod:`optviz.core.status_rule`, compiled as the simulation runs it), with all
T steps inside the kernel and every point's state in a few small arrays that stay in L1
cache. Blocks run on a pool of threads (one per core; the kernel releases the GIL), and
between blocks the caller's ``progress`` and ``cancelled`` are served.

Gradient twins: every analytic catalogue surface (:data:`TWIN_KEYS`) has a scalar twin of
its NumPy ``value`` and ``gradient``, operation for operation, beside them in its own module
(``scalar_value`` and ``scalar_gradient`` in :mod:`optviz.core.surfaces`); the dispatch from
a surface id to its twins is generated from the registry and raises on an unknown id. Runs on other
surfaces (dataset losses, typed expressions) and runs that draw mini-batches take the NumPy
path; :func:`twin_of` says which apply.

Bit-identity: without fast-math every operation rounds as NumPy's does, so end points and
labels equal the NumPy reference's bit for bit on the surfaces in :data:`EXACT` (+ − × ÷,
√, sin, cos, hypot). Surfaces built on ``exp`` (two wells, plateau, Ackley) call the C
library's ``exp``, while NumPy may use its own SIMD ``exp`` (AVX-512 machines), which differs
in the last bit for a few percent of arguments; there the maps agree except, rarely, a start
point right on a basin boundary.

numba is optional: nothing compiles at import. :func:`kernel` compiles on first use (or loads
numba's cache, ``cache=True``, in a fraction of a second), :func:`warm_up` does that on a
background thread, and :func:`available`, :func:`ready` and :func:`error` report the state,
like :mod:`optviz.core.compiled`.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import compiled, status_rule
from .lazy_kernel import LazyKernel
from .surfaces import DEFINITIONS, AnalyticSurface

#: Surfaces with a compiled twin, by key: every analytic surface of the registry, in its order;
#: the index is the kernel's surface id (the generated dispatch, :func:`compiled.surface_dispatch_source`).
TWIN_KEYS = tuple(DEFINITIONS)
#: Twins whose results are bit-identical with NumPy on any machine (no ``exp``).
EXACT = frozenset(key for key, definition in DEFINITIONS.items() if definition.exact)
#: Length of the twins' parameter vector (the narrow valley's Hessian has 3 numbers).
TWIN_PARAMS = 3
#: Start points per kernel block (its working set stays in L1 cache).
BLOCK = 256
#: Start points per task handed to a thread: the progress and cancel granularity.
TASK = 1024

_lock = threading.Lock()  # guards the thread pool
_pool: ThreadPoolExecutor | None = None


def _build():
    module = compiled.kernels_module()  # the generated optimizer dispatch + _basins_kernel.py
    _exercise(module)  # compile now (for every surface and kind), not mid-computation
    return module


#: The kernel module, compiled (or loaded from numba's cache) on first use.
_KERNEL = LazyKernel(_build, "optviz-basins-compile")
available, ready, error, kernel, warm_up = (_KERNEL.available, _KERNEL.ready, _KERNEL.error, _KERNEL.get,
                                            _KERNEL.warm_up)


def _exercise(module) -> None:
    """One tiny call: numba compiles the single specialization every later call uses."""
    starts = np.zeros((1, 2))
    out = np.empty((1, 2))
    module.run_points(np.int64(0), np.zeros(3), starts, np.int64(0), np.int64(1), np.int64(BLOCK), np.int64(0),
                      np.zeros(compiled.CONSTANTS), np.zeros(compiled.MAX_BUFFERS), np.full(1, 0.1), np.int64(1), (0.0,) * 10, np.zeros((0, 2)),
                      np.zeros((0, 2)), (0.0, 0.0), out, np.empty(1, np.int8), np.empty(1, np.int16))


def twin_of(surface) -> int | None:
    """The kernel's surface id for ``surface``, or None when it has no compiled twin."""
    if type(surface) is not AnalyticSurface or surface.key not in TWIN_KEYS:
        return None
    return TWIN_KEYS.index(surface.key)


def surface_parameters(surface) -> np.ndarray:
    """The twin's parameter vector ``sp``: the numbers the surface's factory computed once for
    its NumPy and scalar forms (:attr:`AnalyticSurface.twin_params`, e.g. the narrow valley's
    Hessian), zero padded to :data:`TWIN_PARAMS` so that every surface uses one compiled
    specialization."""
    sp = np.zeros(TWIN_PARAMS)
    sp[: len(surface.twin_params)] = surface.twin_params
    return sp


def _threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_threads(), thread_name_prefix="optviz-basins")
        return _pool


def run(surface, settings, starts: np.ndarray, progress=None, cancelled=None):
    """Run ``settings`` from ``starts`` (N, 2) with the kernel; returns the end points (N, 2),
    the statuses (N,) int8 and the minimum indices (N,) int16 that the race's Simulation would
    hold after T steps. Raises :class:`~optviz.core.basins.BasinsCancelled` when
    ``cancelled()`` turns True (remaining blocks are skipped)."""
    from .basins import CHECK_EVERY, BasinsCancelled

    module = kernel()
    if module is None:
        raise RuntimeError(f"the compiled basin kernel is unavailable ({error()})")
    sid = twin_of(surface)
    if sid is None:
        raise ValueError(f"no compiled gradient for the surface {surface.key!r}")
    spec = settings.spec
    configured = spec.configure()
    kind = compiled.kind(configured.rule.key)
    constants = compiled.constants_row(configured)
    starts_b = compiled.buffer_starts(configured.rule.key)
    T = settings.steps
    if configured.schedule is None:
        lrs = np.full(T, float(configured.lr_const))
    else:
        lrs = np.array([configured.learning_rate(t) for t in range(T)], dtype=float)
    geo, tol = status_rule.thresholds(surface.view, settings.tolerances)
    minima = np.array([m.location for m in surface.minima], dtype=float).reshape(-1, 2)
    saddles = np.array([s.location for s in surface.saddles], dtype=float).reshape(-1, 2)
    sp = surface_parameters(surface)
    starts = np.ascontiguousarray(starts, dtype=float)
    N = starts.shape[0]
    positions = np.empty((N, 2))
    status = np.empty(N, dtype=np.int8)
    minimum = np.empty(N, dtype=np.int16)
    stop = threading.Event()

    def task(lo: int, hi: int) -> None:
        if stop.is_set():
            return
        module.run_points(np.int64(sid), sp, starts, np.int64(lo), np.int64(hi), np.int64(BLOCK),
                          np.int64(kind), constants, starts_b, lrs, np.int64(CHECK_EVERY), geo, minima, saddles, tol,
                          positions, status, minimum)

    pieces = [(lo, min(lo + TASK, N)) for lo in range(0, N, TASK)]
    if cancelled is not None and cancelled():
        raise BasinsCancelled("basin computation cancelled")
    futures = [_executor().submit(task, lo, hi) for lo, hi in pieces]
    try:
        for done, future in enumerate(futures, 1):
            future.result()
            if cancelled is not None and cancelled():
                raise BasinsCancelled("basin computation cancelled")
            if progress is not None:
                progress(done / len(futures))
    except BaseException:
        stop.set()
        for future in futures:
            future.cancel()
        for future in futures:  # a running task finishes its slice; none writes after we return
            if not future.cancelled():
                try:
                    future.result()
                except Exception:
                    pass
        raise
    return positions, status, minimum
