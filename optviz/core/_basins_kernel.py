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

# Status codes (optviz.core.simulation.Status).
RUNNING, CONVERGED, DIVERGED, LEFT_VIEW, STALLED = 0, 1, 2, 3, 4

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


@njit(cache=True, nogil=True, error_model="numpy")
def _nearest(x, y, points, r2):
    """(within sqrt(r2) of a listed point, the index of the nearest); NaN distances are inf."""
    best = _INF
    which = 0
    for m in range(points.shape[0]):
        dx = x - points[m, 0]
        dy = y - points[m, 1]
        d2 = dx * dx + dy * dy
        if d2 != d2:
            d2 = _INF
        if d2 < best:
            best = d2
            which = m
    if points.shape[0] == 0:
        return False, -1
    return best <= r2, which


@njit(cache=True, nogil=True, error_model="numpy")
def _is_saddle(sid, sp, x, y):
    """Surface.hessian's central differences (h = 1e-5) and the sign test of _classify."""
    h = 1e-5
    s0 = h * max(1.0, abs(x))
    s1 = h * max(1.0, abs(y))
    ax, ay = grad(sid, sp, x + s0, y + 0.0)
    bx, by = grad(sid, sp, x - s0, y - 0.0)
    h00 = (ax - bx) / (2.0 * s0)
    h10 = (ay - by) / (2.0 * s0)
    ax, ay = grad(sid, sp, x + 0.0, y + s1)
    bx, by = grad(sid, sp, x - 0.0, y - s1)
    h01 = (ax - bx) / (2.0 * s1)
    h11 = (ay - by) / (2.0 * s1)
    a = 0.5 * (h00 + h00)
    b = 0.5 * (h01 + h10)
    d = 0.5 * (h11 + h11)
    mean = 0.5 * (a + d)
    half = 0.5 * (a - d)
    rad = math.sqrt(half * half + b * b)
    e0 = mean - rad
    e1 = mean + rad
    curv = max(abs(e0), abs(e1))
    return e0 < -1e-6 * max(curv, 1.0)


@njit(cache=True, nogil=True, error_model="numpy")
def _classify(sid, sp, x, y, gx, gy, sx, sy, gscale, start_loss, geo, minima, saddles, tol):
    """The new status and minimum of one running point: Simulation._classify for one point."""
    # geo: outer box lo x, lo y, hi x, hi y, centre x, y, jump·diag, divergence·diag,
    #      step·diag, (capture·diag)²; tol: grad, stall_grad.
    sn = math.hypot(sx, sy)
    gs = math.hypot(gx, gy) / gscale
    loss = value(sid, sp, x, y)
    low = tol[1] if saddles.shape[0] > 0 else tol[0]
    inside = x >= geo[0] and x <= geo[2] and y >= geo[1] and y <= geo[3]
    if gs > low and math.isfinite(loss) and sn <= geo[6] and inside:
        return RUNNING, -1
    finite = math.isfinite(x) and math.isfinite(y) and math.isfinite(loss)
    far = math.hypot(x - geo[4], y - geo[5]) > geo[7]
    diverged = (not finite) or far or (sn > geo[6] and math.isfinite(sn))
    outside = not inside
    if outside and loss > start_loss:
        diverged = True
    if diverged:
        return DIVERGED, -1
    if outside:
        return LEFT_VIEW, -1
    stationary = gs <= tol[0] and sn <= geo[8]
    near_min, which = _nearest(x, y, minima, geo[9])
    near_saddle, _ = _nearest(x, y, saddles, geo[9])
    new = RUNNING
    if near_saddle and gs <= tol[1]:
        new = STALLED
    if stationary and not near_saddle:
        if near_min:
            return CONVERGED, which
        if _is_saddle(sid, sp, x, y):
            return STALLED, -1
        return CONVERGED, -1
    return new, -1


# --------------------------------------------------------------------------- the kernel

#: Relative margin of the vectorized pre-check: |g|² and |s|² stand in for the hypot() of
#: the exact rule only this far from its thresholds, far beyond their rounding errors (~1e-15).
_MARGIN = 1e-12


@njit(cache=True, nogil=True, error_model="numpy")
def _clearly_running(sid, sp, x, y, gx, gy, sx, sy, gscale, geo, tol, saddles, alive, easy, n):
    """Mark the points the race's rule certainly keeps RUNNING: finite loss, inside the outer
    box, step clearly below the jump, and either the gradient clearly above the fast path's
    threshold or (clearly not stationary and clearly away from every saddle). Branch-free
    loops LLVM vectorizes; every other point gets the exact rule (_classify)."""
    low = tol[1] if saddles.shape[0] > 0 else tol[0]
    low2 = low * low * (1.0 + _MARGIN)
    grad2 = tol[0] * tol[0] * (1.0 + _MARGIN)
    jump2 = geo[6] * geo[6] * (1.0 - _MARGIN)
    step2 = geo[8] * geo[8] * (1.0 + _MARGIN)
    near2 = geo[9] * (1.0 + _MARGIN)
    for i in range(n):
        easy[i] = True
    for m in range(saddles.shape[0]):
        ax, ay = saddles[m, 0], saddles[m, 1]
        for i in range(n):
            dx = x[i] - ax
            dy = y[i] - ay
            easy[i] &= dx * dx + dy * dy > near2
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
            _clearly_running(sid, sp, x, y, gx, gy, sx, sy, gscale, geo, tol, saddles, alive, easy, n)
            left = 0
            for i in range(n):
                if not alive[i]:
                    continue
                if easy[i]:
                    status[i] = RUNNING
                    left += 1
                    continue
                st, m = _classify(sid, sp, x[i], y[i], gx[i], gy[i], sx[i], sy[i], gscale[i], start_loss[i],
                                  geo, minima, saddles, tol)
                status[i] = st
                minimum[i] = m
                if st == CONVERGED or st == DIVERGED or st == LEFT_VIEW:
                    alive[i] = False
                else:
                    left += 1
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
        geo, minima, saddles, tol: the classification constants (see _classify).
        pos_out (N, 2), status_out (N,) int8, min_out (N,) int16: the results.
    """
    for a in range(lo, hi, block):
        _run_block(sid, sp, starts, a, min(a + block, hi), kind, c, b0, lrs, check_every, geo, minima, saddles, tol,
                   pos_out, status_out, min_out)
