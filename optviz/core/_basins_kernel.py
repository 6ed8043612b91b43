"""The numba code of :mod:`optviz.core.basins_compiled`: not imported as such, but compiled as
the second half of the module :mod:`optviz.core.compiled` generates (after the optimizer
dispatch it calls, ``update_coordinate``), so imports here are absolute.

Everything is ``@njit`` without a signature, so importing compiles nothing; the first call
compiles (a few seconds) or loads numba's on-disk cache (``cache=True``).

Floating-point rules (what makes the results bit-identical with the NumPy path): the
classification below repeats :class:`~optviz.core.simulation.Simulation`'s rule operation by
operation, the surfaces' scalar twins (:mod:`optviz.core.surfaces`) and the rules' scalar steps
(:mod:`optviz.core.optimizers`) repeat their NumPy kernels, and no fast-math flag is set, so
LLVM neither reassociates nor fuses multiply-adds.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# The surface dispatch (grad, value, _grad_block: one line per surface, calling each surface
# module's scalar twins) is generated from the surface registry by optviz.core.compiled and
# follows this file in the module it builds: no id is matched to a key by hand, and an unknown
# id raises.

from optviz.core.status_rule import (CONVERGED, DIVERGED, HESSIAN_STEP, LEFT_VIEW, RUNNING, STALLED, classify,
                                     hessian_steps, saddle, symmetric_hessian)

_INF = math.inf
_BIG = np.finfo(np.float64).max


# --------------------------------------------------------------------------- optimizers
# The update step is ``update_coordinate(kind, c, lr, t, g, w, B, s, n)``, generated from the
# optimizer registry by optviz.core.compiled and defined above this file's text in the module
# it builds (each rule's scalar step, the one the race kernel compiles too).


@njit(cache=True, nogil=True, error_model="numpy")
def _move(x, s, alive, n):
    """x ← x + s where the point is alive (the race zeroes a stopped point's step)."""
    for i in range(n):
        x[i] = x[i] + s[i] if alive[i] else x[i]


# --------------------------------------------------------------------------- classification
# The rule is optviz.core.status_rule's (the race's own), compiled as it stands.


@njit(cache=True, nogil=True, error_model="numpy")
def _saddle_at(sid, sp, x, y):
    """The curvature test of status_rule at one point: Surface.hessian's central differences
    through the surface's gradient twin, then status_rule.saddle."""
    sx, sy = hessian_steps(x, y, HESSIAN_STEP)
    ax, ay = grad(sid, sp, x + sx, y + 0.0)
    bx, by = grad(sid, sp, x - sx, y - 0.0)
    cx, cy = grad(sid, sp, x + 0.0, y + sy)
    dx, dy = grad(sid, sp, x - 0.0, y - sy)
    h00, h01, h11 = symmetric_hessian(ax, ay, bx, by, cx, cy, dx, dy, sx, sy)
    return saddle(h00, h01, h11)


@njit(cache=True, nogil=True, error_model="numpy")
def _classify_some(sid, sp, idx, m, x, y, gx, gy, sx, sy, gscale, start_loss, geo, minima, saddles, tol,
                   status, minimum, alive):
    """status_rule.classify on the points idx[:m] of the block; returns how many of them still run."""
    work = np.empty((6, m))  # their numbers, gathered
    px, py, loss, gs, sn, start = work[0], work[1], work[2], work[3], work[4], work[5]
    for j in range(m):
        i = idx[j]
        px[j] = x[i]
        py[j] = y[i]
        loss[j] = value(sid, sp, x[i], y[i])
        gs[j] = math.hypot(gx[i], gy[i]) / gscale[i]
        sn[j] = math.hypot(sx[i], sy[i])
        start[j] = start_loss[i]
    new, which, unknown = classify(px, py, loss, gs, sn, start, geo, tol, minima, saddles)
    running = 0
    for j in range(m):
        i = idx[j]
        st = new[j]
        if unknown[j] and _saddle_at(sid, sp, px[j], py[j]):
            st = STALLED
        status[i] = st
        minimum[i] = which[j]
        if st == CONVERGED or st == DIVERGED or st == LEFT_VIEW:
            alive[i] = False
        else:
            running += 1
    return running


# --------------------------------------------------------------------------- the kernel

#: Relative margin of the vectorized pre-check: |g|² and |s|² stand in for the hypot() of
#: the exact rule only this far from its thresholds, far beyond their rounding errors (~1e-15).
_MARGIN = 1e-12


@njit(cache=True, nogil=True, error_model="numpy")
def _clearly_running(sid, sp, x, y, gx, gy, sx, sy, gscale, geo, tol, saddles, alive, easy, n, last):
    """Mark the points whose status the race's rule certainly leaves as it needs to be, with
    margins far beyond rounding (branch-free loops LLVM vectorizes); every other point gets the
    rule itself (status_rule.classify).

    At the ``last`` check, whose statuses are the results: the points the rule certainly keeps
    RUNNING (finite loss, inside the outer box, step clearly below the jump, and either the
    gradient clearly above the fast path's threshold or clearly not stationary and clearly away
    from every saddle). At the checks before, only stopping for good matters (RUNNING and
    STALLED are overwritten by later checks): a point that is finite, inside and not jumping
    stops only where it is stationary, so one that is clearly moving is left alone."""
    low = tol[1] if saddles.shape[0] > 0 else tol[0]
    low2 = low * low * (1.0 + _MARGIN)
    grad2 = tol[0] * tol[0] * (1.0 + _MARGIN)
    jump2 = geo[6] * geo[6] * (1.0 - _MARGIN)
    step2 = geo[8] * geo[8] * (1.0 + _MARGIN)
    far2 = geo[9] * (1.0 + _MARGIN)  # clearly away from a saddle beyond this squared distance
    for i in range(n):
        easy[i] = True
    for m in range(saddles.shape[0] if last else 0):
        ax, ay = saddles[m, 0], saddles[m, 1]
        for i in range(n):
            dx = x[i] - ax
            dy = y[i] - ay
            easy[i] &= dx * dx + dy * dy > far2
    for i in range(n):
        g2 = gx[i] * gx[i] + gy[i] * gy[i]
        s2 = sx[i] * sx[i] + sy[i] * sy[i]
        scale2 = gscale[i] * gscale[i]
        loss = value(sid, sp, x[i], y[i])
        moving = (g2 > grad2 * scale2) | (s2 > step2)
        ok = (g2 > low2 * scale2) | (moving & easy[i])
        ok &= s2 < jump2
        ok &= math.isfinite(loss)
        ok &= (x[i] >= geo[0]) & (x[i] <= geo[2]) & (y[i] >= geo[1]) & (y[i] <= geo[3])
        easy[i] = ok & alive[i]


@njit(cache=True, nogil=True, error_model="numpy")
def _run_block(sid, sp, starts, a, b, kind, c, b0, lrs, check_every, geo, minima, saddles, tol,
               pos_out, status_out, min_out):
    n = b - a
    x = np.empty(n)
    y = np.empty(n)
    gx = np.empty(n)
    gy = np.empty(n)
    bx = np.empty((b0.shape[0], n))  # the optimizer's buffers of the x and y coordinates
    by = np.empty((b0.shape[0], n))
    for j in range(b0.shape[0]):
        for i in range(n):
            bx[j, i] = b0[j]
            by[j, i] = b0[j]
    sx = np.zeros(n)
    sy = np.zeros(n)
    gscale = np.empty(n)
    start_loss = np.empty(n)
    alive = np.ones(n, dtype=np.bool_)
    status = np.zeros(n, dtype=np.int8)
    minimum = np.full(n, -1, dtype=np.int16)
    for i in range(n):
        x[i] = starts[a + i, 0]
        y[i] = starts[a + i, 1]
    _grad_block(sid, sp, x, y, gx, gy, n)
    for i in range(n):
        start_loss[i] = value(sid, sp, x[i], y[i])
        h = math.hypot(gx[i], gy[i])
        if h != h:
            h = 0.0
        elif h == _INF:
            h = _BIG
        gscale[i] = max(1.0, h)
    T = lrs.shape[0]
    fresh = True
    easy = np.zeros(n, dtype=np.bool_)
    idx = np.empty(n, dtype=np.int64)  # the points a check looks at closely
    for t in range(T):
        if not fresh:
            _grad_block(sid, sp, x, y, gx, gy, n)
        fresh = False
        # One coordinate at a time and one loop per rule, so each loop touches few arrays and
        # LLVM vectorizes it.
        update_coordinate(kind, c, lrs[t], t, gx, x, bx, sx, n)  # noqa: F821 - defined by the generated dispatch
        update_coordinate(kind, c, lrs[t], t, gy, y, by, sy, n)  # noqa: F821
        _move(x, sx, alive, n)
        _move(y, sy, alive, n)
        if (t + 1) % check_every == 0 or t + 1 >= T:
            _grad_block(sid, sp, x, y, gx, gy, n)
            fresh = True
            _clearly_running(sid, sp, x, y, gx, gy, sx, sy, gscale, geo, tol, saddles, alive, easy, n, t + 1 >= T)
            left = 0
            m = 0
            for i in range(n):
                if not alive[i]:
                    continue
                if easy[i]:
                    status[i] = RUNNING
                    left += 1
                else:
                    idx[m] = i
                    m += 1
            if m > 0:
                left += _classify_some(sid, sp, idx, m, x, y, gx, gy, sx, sy, gscale, start_loss, geo, minima, saddles,
                                       tol, status, minimum, alive)
            if left == 0:
                break
    for i in range(n):
        pos_out[a + i, 0] = x[i]
        pos_out[a + i, 1] = y[i]
        status_out[a + i] = status[i]
        min_out[a + i] = minimum[i]


@njit(cache=True, nogil=True, error_model="numpy")
def run_points(sid, sp, starts, lo, hi, block, kind, c, b0, lrs, check_every, geo, minima, saddles, tol,
               pos_out, status_out, min_out):
    """Run the start points ``starts[lo:hi]`` in blocks of ``block``, all T = len(lrs) steps.

    Args:
        sid: the surface id; sp: its parameters (narrow valley: hxx, hxy, hyy).
        starts: (N, 2) start points. kind, c: compiled.kind() and compiled.constants_row();
            b0: the start values of the rule's buffers, compiled.buffer_starts().
        lrs: (T,) α_t of every step. check_every: the status check interval.
        geo, minima, saddles, tol: the classification constants (status_rule.thresholds,
            the listed minima and saddles).
        pos_out (N, 2), status_out (N,) int8, min_out (N,) int16: the results.
    """
    for a in range(lo, hi, block):
        _run_block(sid, sp, starts, a, min(a + block, hi), kind, c, b0, lrs, check_every, geo, minima, saddles, tol,
                   pos_out, status_out, min_out)
