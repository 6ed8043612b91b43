r"""The race's status rule, written once: when a point has converged, stalled at a saddle,
diverged or left the view.

Two callers run these very functions: :class:`~optviz.core.simulation.Simulation` on NumPy
arrays of any number of points, and the compiled basin kernel
(:mod:`optviz.core._basins_kernel`), where numba compiles them as they stand (they are marked
:func:`~optviz.core.scalar.scalar`) and applies them to the points of a block that its fast
pre-check could not clear. So a basin map's labels mean exactly what the race's statuses mean.
Everything is array code that NumPy and numba evaluate alike, operation by operation (no
reassociation, no fused multiply-adds), on flat float64 arrays.

The rule, for a point W with loss J, gradient g and last step s (lengths in view diagonals d,
the gradient relative to ``max(1, |∇J(start)|)``; :class:`~optviz.core.simulation.Tolerances`):

* **diverged**: W or J not finite, or |W − centre| > divergence·d, or |s| > jump·d, or outside
  the view box grown by ``leave`` with J above its start (it blew up);
* **left the view**: outside that box, going downhill;
* **converged**: |g| ≤ grad and |s| ≤ step·d (stationary) away from every listed saddle; at
  minimum k when within capture·d of the listed minimum k, else at an unlisted point whose
  curvature decides: a Hessian eigenvalue clearly below 0 means a saddle (**stalled**);
* **stalled**: within capture·d of a listed saddle with |g| ≤ stall_grad (not final: the run
  goes on and may escape);
* otherwise **running**.
"""

from __future__ import annotations

import numpy as np

from .scalar import scalar

#: Status codes (:class:`optviz.core.simulation.Status` names them).
RUNNING, CONVERGED, DIVERGED, LEFT_VIEW, STALLED = 0, 1, 2, 3, 4
#: Relative step of the central differences that give the Hessian (:meth:`Surface.hessian`).
HESSIAN_STEP = 1e-5

# The columns of ``geo`` (thresholds) and ``limits``.
LO_X, LO_Y, HI_X, HI_Y, CENTRE_X, CENTRE_Y, JUMP, DIVERGENCE, STEP, CAPTURE2 = range(10)
GRAD, STALL_GRAD = range(2)


def thresholds(view, tol) -> tuple[tuple[float, ...], tuple[float, float]]:
    """The rule's constants for a surface's view box and the tolerances: ``geo`` (the grown box
    lo x, lo y, hi x, hi y; the view's centre x, y; jump·d; divergence·d; step·d; (capture·d)²)
    and ``limits`` (grad, stall_grad). Tuples of floats: numba takes them as they are, and
    NumPy reads a number from them faster than from an array (the race's fast path runs every
    step)."""
    diag = view.diagonal
    outer = view.expanded(tol.leave)
    cx, cy = view.center
    radius = tol.capture * diag
    geo = (outer.xmin, outer.ymin, outer.xmax, outer.ymax, cx, cy, tol.jump * diag, tol.divergence * diag,
           tol.step * diag, radius * radius)
    return tuple(float(v) for v in geo), (float(tol.grad), float(tol.stall_grad))


# The functions below are written for numba as much as for NumPy: each statement is one
# expression (numba fuses it into one loop and one array) or an in-place update, so that the
# basin kernel's close look at a few points of a block allocates little.


@scalar
def certainly_running(x, y, loss, gs, sn, geo, limits, has_saddles):
    """The points the rule keeps running without a closer look: a gradient above the lowest
    threshold that could stop them, a finite loss, no jump, inside the grown box. Every
    comparison is False for NaN, which therefore needs the closer look."""
    low = limits[STALL_GRAD] if has_saddles else limits[GRAD]
    jump, lo_x, hi_x, lo_y, hi_y = geo[JUMP], geo[LO_X], geo[HI_X], geo[LO_Y], geo[HI_Y]
    return (gs > low) & np.isfinite(loss) & (sn <= jump) & (x >= lo_x) & (x <= hi_x) & (y >= lo_y) & (y <= hi_y)


@scalar
def nearest(x, y, points, r2):
    """For every point (x, y): is a listed point (rows of ``points``) within √r2, and which
    is the nearest (the first of equals; a NaN distance never counts as near)."""
    best = np.full(x.shape[0], np.inf)
    which = np.zeros(x.shape[0], dtype=np.int16)
    for m in range(points.shape[0]):
        px, py = points[m, 0], points[m, 1]
        d2 = (x - px) * (x - px) + (y - py) * (y - py)
        which[d2 < best] = m  # False for NaN
        np.fmin(best, d2, best)  # fmin: a NaN distance leaves best as it was
    return best <= r2, which


@scalar
def near_any(x, y, points, r2):
    """For every point (x, y): is a listed point within √r2 (a NaN distance never is)."""
    near = np.zeros(x.shape[0], dtype=np.bool_)
    for m in range(points.shape[0]):
        px, py = points[m, 0], points[m, 1]
        near |= (x - px) * (x - px) + (y - py) * (y - py) <= r2
    return near


@scalar
def classify(x, y, loss, gs, sn, start_loss, geo, limits, minima, saddles):
    """The new status and minimum index of every point, and which points are stationary away
    from every listed point, where the curvature must decide (:func:`saddle`; they are
    CONVERGED to an unlisted minimum unless it finds a saddle).

    Args:
        x, y: the positions; loss: J there; gs: |∇J| / max(1, |∇J(start)|); sn: |last step|;
            start_loss: J at each point's start (flat float64 arrays of one length).
        geo, limits: :func:`thresholds`. minima, saddles: the listed points, (m, 2).

    Returns:
        status (int8), minimum (int16, −1 for none), unknown (bool).
    """
    lo_x, lo_y, hi_x, hi_y, cx, cy = geo[LO_X], geo[LO_Y], geo[HI_X], geo[HI_Y], geo[CENTRE_X], geo[CENTRE_Y]
    jump, divergence, step, capture2 = geo[JUMP], geo[DIVERGENCE], geo[STEP], geo[CAPTURE2]
    grad, stall_grad = limits[GRAD], limits[STALL_GRAD]
    inside = (x >= lo_x) & (x <= hi_x) & (y >= lo_y) & (y <= hi_y)
    # Out of view uphill is an explosion (a too large α on a bowl zig-zags out with the loss
    # growing every step); downhill it is a surface that goes on falling beyond the view. A
    # step of inf right after a restart is no jump.
    diverged = (~(np.isfinite(x) & np.isfinite(y) & np.isfinite(loss)) | (np.hypot(x - cx, y - cy) > divergence)
                | ((sn > jump) & np.isfinite(sn)) | (~inside & (loss > start_loss)))
    near_min, which = nearest(x, y, minima, capture2)
    near_saddle = near_any(x, y, saddles, capture2)
    status = np.full(x.shape[0], RUNNING, dtype=np.int8)
    status[near_saddle & (gs <= stall_grad)] = STALLED
    status[(gs <= grad) & (sn <= step) & ~near_saddle] = CONVERGED  # stationary
    status[~diverged & ~inside] = LEFT_VIEW
    status[diverged] = DIVERGED
    # What the quick look keeps running stays running, whatever the tolerances.
    status[certainly_running(x, y, loss, gs, sn, geo, limits, saddles.shape[0] > 0)] = RUNNING
    unknown = (status == CONVERGED) & ~near_min
    which[(status != CONVERGED) | unknown] = -1
    return status, which, unknown


@scalar
def hessian_steps(x, y, h):
    """The central differences' steps along x and y at (x, y): h·max(1, |·|)."""
    return h * np.maximum(1.0, np.abs(x)), h * np.maximum(1.0, np.abs(y))


@scalar
def symmetric_hessian(gx_right, gy_right, gx_left, gy_left, gx_up, gy_up, gx_down, gy_down, sx, sy):
    """(H₀₀, H₀₁, H₁₁) of the symmetrized Hessian from the gradient at (x ± sx, y) (right,
    left) and at (x, y ± sy) (up, down)."""
    h00 = (gx_right - gx_left) / (2.0 * sx)
    h10 = (gy_right - gy_left) / (2.0 * sx)
    h01 = (gx_up - gx_down) / (2.0 * sy)
    h11 = (gy_up - gy_down) / (2.0 * sy)
    return 0.5 * (h00 + h00), 0.5 * (h01 + h10), 0.5 * (h11 + h11)


@scalar
def saddle(h00, h01, h11):
    """Whether the symmetric 2×2 Hessian [[h00, h01], [h01, h11]] has an eigenvalue clearly
    below 0 (below −1e-6 of the largest curvature, or of 1): a saddle, not a minimum."""
    mean = 0.5 * (h00 + h11)
    half = 0.5 * (h00 - h11)
    radius = np.sqrt(half * half + h01 * h01)
    low = mean - radius
    high = mean + radius
    curvature = np.maximum(np.abs(low), np.abs(high))
    return low < -1e-6 * np.maximum(curvature, 1.0)
