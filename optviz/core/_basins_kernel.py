"""The numba code of :mod:`optviz.core.basins_compiled`: not imported as such, but compiled as
the second half of the module :mod:`optviz.core.compiled` generates (after the optimizer
dispatch it calls, ``update_coordinate``), so imports here are absolute.

Everything is ``@njit`` without a signature, so importing compiles nothing; the first call
compiles (a few seconds) or loads numba's on-disk cache (``cache=True``).

Floating-point rules (what makes the results bit-identical with the NumPy path): every
expression below repeats the NumPy code it twins, operation by operation and in the same
order (``a += b`` in NumPy is ``a = a + b`` here; ``np.multiply(x, c)`` is ``x * c``), and
no fast-math flag is set, so LLVM neither reassociates nor fuses multiply-adds.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from optviz.core import surfaces as S

# Surface ids, and the dispatch from an id to its twin (grad, value, _grad_block), are generated
# from the registry's TWIN_KEYS by optviz.core.compiled and follow this file in the module it
# builds: no id is matched to a key by hand, and an unknown id raises.

# Status codes (optviz.core.simulation.Status).
RUNNING, CONVERGED, DIVERGED, LEFT_VIEW, STALLED = 0, 1, 2, 3, 4

_SQRT_HALF = S._SQRT_HALF
_RAVINE_U0 = S._RAVINE_U0
_RAVINE_SLOPE_HALF = S.RAVINE_SLOPE * S._SQRT_HALF
_RAVINE_WALLS_HALF = S.RAVINE_WALLS * 0.5
_RAVINE_WALLS_HALF_V = 0.5 * S.RAVINE_WALLS
_TW_Q2 = 2.0 * S.TWO_WELLS_BOWL
_TW_A, (_TW_AX, _TW_AY), _TW_AS = S.TWO_WELLS_SHALLOW
_TW_B, (_TW_BX, _TW_BY), _TW_BS = S.TWO_WELLS_DEEP
_TW_AK = 2.0 * _TW_A / _TW_AS
_TW_BK = 2.0 * _TW_B / _TW_BS
_TW_AINV = -1.0 / _TW_AS
_TW_BINV = -1.0 / _TW_BS
_PL_CX, _PL_CY = S.PLATEAU_CENTRE
_PL_NEG = -0.5 / S.PLATEAU_WIDTH**2
_PL_INV = 1.0 / S.PLATEAU_WIDTH**2
_PL_TILT2 = 2.0 * S.PLATEAU_TILT
_PL_TILT = S.PLATEAU_TILT
_RB_A, _RB_B = S.ROSENBROCK_A, S.ROSENBROCK_B
_RB_M4B = -4.0 * S.ROSENBROCK_B
_RB_2A = 2.0 * S.ROSENBROCK_A
_RB_2B = 2.0 * S.ROSENBROCK_B
_TWO_PI = S._TWO_PI
_RA_K = 10.0 * S._TWO_PI
_E = math.e
_PI = math.pi
_INF = math.inf
_BIG = np.finfo(np.float64).max


# --------------------------------------------------------------------------- surfaces


@njit(cache=True, nogil=True, error_model="numpy")
def _gauss(x, y, depth, cx, cy, neg_inv_width):
    dx = x - cx
    dy = y - cy
    dx = dx * dx
    dy = dy * dy
    dx = dx + dy
    dx = dx * neg_inv_width
    dx = math.exp(dx)
    return dx * depth


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_himmelblau(sp, x, y):
    a = x * x
    a = a + y
    a = a - 11.0
    b = y * y
    b = b + x
    b = b - 7.0
    gx = x * a
    gx = gx * 2.0
    gx = gx + b
    gx = gx * 2.0
    gy = y * b
    gy = gy * 2.0
    gy = gy + a
    gy = gy * 2.0
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_bowl(sp, x, y):
    return x, y


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_narrow_valley(sp, x, y):
    hxx, hxy, hyy = sp[0], sp[1], sp[2]
    gx = x * hxx
    gy = y * hyy
    if hxy != 0.0:
        gx = gx + hxy * y
        gy = gy + hxy * x
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_ravine(sp, x, y):
    u = (x + y) * _SQRT_HALF - _RAVINE_U0
    u = u / math.hypot(1.0, u)
    u = u * _RAVINE_SLOPE_HALF
    gy = y - x
    gy = gy * _RAVINE_WALLS_HALF
    gx = u - gy
    gy = gy + u
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_saddle(sp, x, y):
    return x * 2.0, y * -2.0


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_monkey_saddle(sp, x, y):
    gx = x * x
    gx = gx - y * y
    gx = gx * 3.0
    gy = x * y
    gy = gy * -6.0
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_two_wells(sp, x, y):
    gx = x * _TW_Q2
    gy = y * _TW_Q2
    k = _gauss(x, y, _TW_AK, _TW_AX, _TW_AY, _TW_AINV)
    gx = gx + k * (x - _TW_AX)
    gy = gy + k * (y - _TW_AY)
    k = _gauss(x, y, _TW_BK, _TW_BX, _TW_BY, _TW_BINV)
    gx = gx + k * (x - _TW_BX)
    gy = gy + k * (y - _TW_BY)
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_plateau(sp, x, y):
    gx = x - _PL_CX
    gy = y - _PL_CY
    k = gx * gx
    k = k + gy * gy
    k = k * _PL_NEG
    k = math.exp(k)
    k = k * _PL_INV
    k = k + _PL_TILT2
    return gx * k, gy * k


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_rosenbrock(sp, x, y):
    gy = x * x
    gy = y - gy
    gx = gy * _RB_M4B
    gx = gx + 2.0
    gx = gx * x
    gx = gx - _RB_2A
    gy = gy * _RB_2B
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _beale_terms(x, y):
    """y², y³ and the three residuals t₁, t₂, t₃ of Beale's function (surfaces._beale_terms)."""
    y2 = y * y
    y3 = y2 * y
    return y2, y3, 1.5 - x * (1.0 - y), 2.25 - x * (1.0 - y2), 2.625 - x * (1.0 - y3)


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_beale(sp, x, y):
    y2, y3, t1, t2, t3 = _beale_terms(x, y)
    gx = t1 * (y - 1.0)
    gx = gx + t2 * (y2 - 1.0)
    gx = gx + t3 * (y3 - 1.0)
    gx = gx * 2.0
    t2 = t2 * y
    t2 = t2 * 2.0
    t3 = t3 * y2
    t3 = t3 * 3.0
    gy = t1 + t2
    gy = gy + t3
    gy = gy * x
    gy = gy * 2.0
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_booth(sp, x, y):
    gx = x * 10.0
    gx = gx + 8.0 * y
    gx = gx - 34.0
    gy = y * 10.0
    gy = gy + 8.0 * x
    gy = gy - 38.0
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_rastrigin(sp, x, y):
    gx = x * _TWO_PI
    gx = math.sin(gx)
    gx = gx * _RA_K
    gx = gx + 2.0 * x
    gy = y * _TWO_PI
    gy = math.sin(gy)
    gy = gy * _RA_K
    gy = gy + 2.0 * y
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_ackley(sp, x, y):
    s = math.hypot(x, y)
    s = s * _SQRT_HALF
    radial = math.exp(-0.2 * s)
    ripple = math.cos(_TWO_PI * x)
    ripple = ripple + math.cos(_TWO_PI * y)
    ripple = ripple * 0.5
    ripple = math.exp(ripple)
    if s == 0.0:
        s = _INF
    radial = radial / s
    radial = radial * 2.0
    ripple = ripple * _PI
    gx = x * _TWO_PI
    gx = math.sin(gx)
    gx = gx * ripple
    gx = gx + radial * x
    gy = y * _TWO_PI
    gy = math.sin(gy)
    gy = gy * ripple
    gy = gy + radial * y
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_goldstein_price(sp, x, y):
    a, da, b, db = _gp_factors(x, y)
    da = da * b
    db = db * a
    gx = db * 2.0
    gx = gx + da
    gy = db * -3.0
    gy = gy + da
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_six_hump_camel(sp, x, y):
    gx = x * x
    gx = gx * 2.0
    gx = gx - 8.4
    gx = gx * (x * x)
    gx = gx + 8.0
    gx = gx * x
    gx = gx + y
    gy = y * y
    gy = gy * 16.0
    gy = gy - 8.0
    gy = gy * y
    gy = gy + x
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _grad_three_hump_camel(sp, x, y):
    gx = x * x
    gx = gx - 4.2
    gx = gx * (x * x)
    gx = gx + 4.0
    gx = gx * x
    gx = gx + y
    gy = y * 2.0
    gy = gy + x
    return gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def _gp_factors(x, y):
    p = x + y
    q = p + 1.0
    quad_p = (3.0 * p - 14.0) * p + 19.0
    a = 1.0 + q * q * quad_p
    da = 2.0 * q * quad_p + q * q * (6.0 * p - 14.0)
    d = 2.0 * x - 3.0 * y
    quad_d = (3.0 * d - 16.0) * d + 18.0
    b = 30.0 + d * d * quad_d
    db = 2.0 * d * quad_d + d * d * (6.0 * d - 16.0)
    return a, da, b, db


@njit(cache=True, nogil=True, error_model="numpy")
def _value_himmelblau(sp, x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return a * a + b * b


@njit(cache=True, nogil=True, error_model="numpy")
def _value_bowl(sp, x, y):
    return 0.5 * (x * x + y * y)


@njit(cache=True, nogil=True, error_model="numpy")
def _value_narrow_valley(sp, x, y):
    return 0.5 * (sp[0] * x * x + sp[2] * y * y) + sp[1] * x * y


@njit(cache=True, nogil=True, error_model="numpy")
def _value_ravine(sp, x, y):
    u = (x + y) * _SQRT_HALF - _RAVINE_U0
    v = (y - x) * _SQRT_HALF
    return S.RAVINE_SLOPE * (math.hypot(1.0, u) - 1.0) + _RAVINE_WALLS_HALF_V * v * v


@njit(cache=True, nogil=True, error_model="numpy")
def _value_saddle(sp, x, y):
    return x * x - y * y


@njit(cache=True, nogil=True, error_model="numpy")
def _value_monkey_saddle(sp, x, y):
    return x * (x * x - 3.0 * y * y)


@njit(cache=True, nogil=True, error_model="numpy")
def _value_two_wells(sp, x, y):
    j = S.TWO_WELLS_BOWL * (x * x + y * y)
    j = j - _gauss(x, y, _TW_A, _TW_AX, _TW_AY, _TW_AINV)
    j = j - _gauss(x, y, _TW_B, _TW_BX, _TW_BY, _TW_BINV)
    return j


@njit(cache=True, nogil=True, error_model="numpy")
def _value_plateau(sp, x, y):
    dx = x - _PL_CX
    dy = y - _PL_CY
    d2 = dx * dx + dy * dy
    return 1.0 - math.exp(d2 * _PL_NEG) + _PL_TILT * d2


@njit(cache=True, nogil=True, error_model="numpy")
def _value_rosenbrock(sp, x, y):
    t = y - x * x
    a = _RB_A - x
    return a * a + _RB_B * t * t


@njit(cache=True, nogil=True, error_model="numpy")
def _value_beale(sp, x, y):
    _, _, t1, t2, t3 = _beale_terms(x, y)
    return t1 * t1 + t2 * t2 + t3 * t3


@njit(cache=True, nogil=True, error_model="numpy")
def _value_booth(sp, x, y):
    a = x + 2.0 * y - 7.0
    b = 2.0 * x + y - 5.0
    return a * a + b * b


@njit(cache=True, nogil=True, error_model="numpy")
def _value_rastrigin(sp, x, y):
    return 20.0 + x * x + y * y - 10.0 * (math.cos(_TWO_PI * x) + math.cos(_TWO_PI * y))


@njit(cache=True, nogil=True, error_model="numpy")
def _value_ackley(sp, x, y):
    s = math.hypot(x, y)
    s = s * _SQRT_HALF
    ripple = math.cos(_TWO_PI * x)
    ripple = ripple + math.cos(_TWO_PI * y)
    ripple = ripple * 0.5
    ripple = math.exp(ripple)
    return -20.0 * math.expm1(-0.2 * s) + (_E - ripple)


@njit(cache=True, nogil=True, error_model="numpy")
def _value_goldstein_price(sp, x, y):
    a, da, b, db = _gp_factors(x, y)
    return a * b


@njit(cache=True, nogil=True, error_model="numpy")
def _value_six_hump_camel(sp, x, y):
    x2 = x * x
    y2 = y * y
    return ((x2 / 3.0 - 2.1) * x2 + 4.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2


@njit(cache=True, nogil=True, error_model="numpy")
def _value_three_hump_camel(sp, x, y):
    x2 = x * x
    return ((x2 / 6.0 - 1.05) * x2 + 2.0) * x2 + x * y + y * y


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
