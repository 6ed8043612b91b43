"""The compiled twin of the optimizer kernels: one call updates every run of a simulation.

:class:`~optviz.core.simulation.Simulation` steps K runs of different optimizers in lock
step. With NumPy that is one kernel call per run per step, about 5 µs each, which caps a
race of 8 runs near 1,000 steps per frame-second. :func:`update_runs` does all runs in one
numba-compiled loop, with the **same floating-point operations in the same order** as the
NumPy kernels in :mod:`optviz.core.optimizers` (no fast-math, so no fused multiply-adds),
so both give bit-identical trajectories; ``tests/test_compiled.py`` checks that for every
optimizer on every surface.

numba is optional. Compiling takes a few seconds the first time (then ``cache=True`` loads
it from disk in ~0.1 s), so nothing compiles at import: :func:`kernel` compiles on first
use, and :func:`warm_up` does it on a background thread so the app never waits for it.
Without numba :func:`available` is False and callers keep the NumPy kernels.
"""

from __future__ import annotations

import math

import numpy as np

from .lazy_kernel import LazyKernel

#: Kernel kinds by the factory name in ``KernelAccess.kind``.
KINDS = {"sgd": 0, "momentum": 1, "nesterov": 2, "adagrad": 3, "rmsprop": 4, "adam": 5}
#: Columns of the constants table: the most any kernel has (Adam's 7).
CONSTANTS = 7



def _update_runs(act, kinds, constants, lrs, counts, g, p, r):  # pragma: no cover - compiled
    """Overwrite ``g[k]`` (g_t of run ``k = act[j]``) with its step and update its buffers.

    Args:
        act: (A,) indices of the runs to update; the others are left alone.
        kinds: (K,) kernel kind per run (:data:`KINDS`).
        constants: (K, CONSTANTS) each run's ``KernelAccess.constants``, zero padded.
        lrs: (A,) α_t of each run this step. counts: (A,) its 0-based update number t.
        g: (K, N, 2) gradients in, steps out. p, r: (K, N, 2) the stacked buffers.
    """
    for j in range(act.size):
        k = act[j]
        kind = kinds[k]
        lr = lrs[j]
        t = counts[j]
        c = constants[k]
        if kind == 5:  # adam
            rho1, rho2, eps, weight, one_minus_weight, one_minus_rho2, small = c[0], c[1], c[2], c[3], c[4], c[5], c[6]
            step = float(t + 1)
            bias_correction1 = 1 - rho1**step
            bias_correction2 = 1 - rho2**step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2**0.5
        for i in range(g.shape[1]):
            for d in range(2):
                gi = g[k, i, d]
                if kind == 0:  # sgd
                    g[k, i, d] = gi * -lr
                elif kind == 1 or kind == 2:  # momentum, nesterov
                    beta = c[0]
                    if t == 0:
                        pv = gi
                    else:
                        pv = p[k, i, d] * beta
                        pv = pv + gi
                    p[k, i, d] = pv
                    if kind == 1:
                        g[k, i, d] = pv * -lr
                    else:
                        g[k, i, d] = (gi + pv * beta) * -lr
                elif kind == 3:  # adagrad
                    eps = c[0]
                    rv = r[k, i, d] + gi * gi
                    r[k, i, d] = rv
                    g[k, i, d] = (gi * -lr) / (math.sqrt(rv) + eps)
                elif kind == 4:  # rmsprop
                    rho, eps, one_minus_rho = c[0], c[1], c[2]
                    rv = r[k, i, d] * rho
                    rv = rv + (gi * one_minus_rho) * gi
                    r[k, i, d] = rv
                    g[k, i, d] = (gi * -lr) / (math.sqrt(rv) + eps)
                else:  # adam
                    pv = p[k, i, d]
                    if small != 0.0:
                        pv = pv + (gi - pv) * weight
                    else:
                        pv = gi - (gi - pv) * one_minus_weight
                    p[k, i, d] = pv
                    rv = r[k, i, d] * rho2
                    rv = rv + (gi * one_minus_rho2) * gi
                    r[k, i, d] = rv
                    den = math.sqrt(rv) / bias_correction2_sqrt + eps
                    g[k, i, d] = (pv * -step_size) / den


def _build():
    import numba

    f8, i8 = numba.float64, numba.int64
    signature = numba.void(i8[:], numba.int8[:], f8[:, :], f8[:], i8[:], f8[:, :, :], f8[:, :, :], f8[:, :, :])
    # An explicit signature with "A"-layout arrays: one compilation serves row views and
    # whole arrays alike. error_model="numpy": 0/0 gives NaN as in NumPy (ε = 0, r = 0),
    # never ZeroDivisionError.
    return numba.njit(signature, cache=True, nogil=True, error_model="numpy")(_update_runs)


#: The compiled :func:`_update_runs`, built on first use.
_KERNEL = LazyKernel(_build, "optviz-compile")
available, ready, error, kernel, warm_up = (_KERNEL.available, _KERNEL.ready, _KERNEL.error, _KERNEL.get,
                                            _KERNEL.warm_up)


def as_arrays(accesses) -> tuple[np.ndarray, np.ndarray]:
    """The ``kinds`` and ``constants`` tables for a list of ``KernelAccess``."""
    kinds = np.array([KINDS[a.kind] for a in accesses], dtype=np.int8)
    constants = np.zeros((len(accesses), CONSTANTS))
    for k, access in enumerate(accesses):
        constants[k, : len(access.constants)] = access.constants
    return kinds, constants
