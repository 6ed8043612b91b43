"""The race's status rule (optviz.core.status_rule), which the Simulation and the compiled basin
kernel both run: checked against a point-by-point reading of the rule written here, against
LAPACK's eigenvalues, and compiled by numba against NumPy."""

import math

import numpy as np
import pytest

from optviz.core import status_rule as rule
from optviz.core.geometry import ViewBox
from optviz.core.simulation import Status, Tolerances
from optviz.core.surfaces import get_surface

VIEW = ViewBox(-2.0, 2.0, -1.0, 3.0)
TOL = Tolerances()
MINIMA = np.array([[1.0, 1.0], [-1.0, 0.5]])
SADDLES = np.array([[0.0, 1.0]])


def reference(x, y, loss, gs, sn, start, minima, saddles, tol=TOL, view=VIEW):
    """The rule for one point, as the docstring states it, in plain Python."""
    d = math.hypot(view.xmax - view.xmin, view.ymax - view.ymin)
    grow_x, grow_y = tol.leave * (view.xmax - view.xmin), tol.leave * (view.ymax - view.ymin)
    inside = (view.xmin - grow_x <= x <= view.xmax + grow_x) and (view.ymin - grow_y <= y <= view.ymax + grow_y)
    low = tol.stall_grad if len(saddles) else tol.grad
    if gs > low and math.isfinite(loss) and sn <= tol.jump * d and inside:
        return Status.RUNNING, -1, False
    cx, cy = (view.xmin + view.xmax) / 2, (view.ymin + view.ymax) / 2
    finite = all(math.isfinite(v) for v in (x, y, loss))
    far = math.hypot(x - cx, y - cy) > tol.divergence * d
    jumped = sn > tol.jump * d and math.isfinite(sn)
    if not finite or far or jumped or (not inside and loss > start):
        return Status.DIVERGED, -1, False
    if not inside:
        return Status.LEFT_VIEW, -1, False
    radius = tol.capture * d

    def near(points):
        dist2 = [(x - px) ** 2 + (y - py) ** 2 for px, py in points]
        dist2 = [math.inf if math.isnan(v) else v for v in dist2]
        if not dist2 or min(dist2) > radius * radius:
            return None
        return dist2.index(min(dist2))

    at_min, at_saddle = near(minima), near(saddles)
    if gs <= tol.grad and sn <= tol.step * d and at_saddle is None:
        return (Status.CONVERGED, at_min, False) if at_min is not None else (Status.CONVERGED, -1, True)
    if at_saddle is not None and gs <= tol.stall_grad:
        return Status.STALLED, -1, False
    return Status.RUNNING, -1, False


def cases(n=4000, seed=0):
    """Points all over and around the view, many right at the listed points, with gradients
    and steps around every threshold, and NaN and inf sprinkled in."""
    rng = np.random.default_rng(seed)
    d = VIEW.diagonal
    x = rng.uniform(-8, 8, n)
    y = rng.uniform(-8, 10, n)
    listed = np.vstack([MINIMA, SADDLES])
    at = rng.random(n) < 0.5
    pick = listed[rng.integers(0, len(listed), n)]
    x[at] = pick[at, 0] + rng.normal(0, TOL.capture * d * 0.8, at.sum())
    y[at] = pick[at, 1] + rng.normal(0, TOL.capture * d * 0.8, at.sum())
    far = rng.random(n) < 0.02
    x[far] *= 1e3
    loss = rng.normal(0, 1, n)
    start = rng.normal(0, 1, n)
    gs = 10.0 ** rng.uniform(-8, 1, n)
    sn = 10.0 ** rng.uniform(-9, 2, n)
    for arr in (x, y, loss, gs, sn):
        arr[rng.random(n) < 0.01] = np.nan
        arr[rng.random(n) < 0.005] = np.inf
    return x, y, loss, gs, sn, start


@pytest.mark.parametrize("saddles", [SADDLES, np.zeros((0, 2))], ids=["with saddles", "without"])
def test_classify_is_the_rule_point_by_point(saddles):
    x, y, loss, gs, sn, start = cases()
    geo, limits = rule.thresholds(VIEW, TOL)
    status, minimum, unknown = rule.classify(x, y, loss, gs, sn, start, geo, limits, MINIMA, saddles)
    assert status.dtype == np.int8 and minimum.dtype == np.int16
    seen = set()
    for i in range(len(x)):
        want = reference(x[i], y[i], loss[i], gs[i], sn[i], start[i], MINIMA, saddles)
        assert (status[i], minimum[i], unknown[i]) == want, i
        seen.add(want[0])
    assert seen == set(Status) - ({Status.STALLED} if len(saddles) == 0 else set())  # every branch ran


def test_saddle_is_a_clearly_negative_eigenvalue():
    rng = np.random.default_rng(1)
    a, b, d = rng.normal(0, 1, (3, 5000)) * 10.0 ** rng.uniform(-3, 3, (3, 5000))
    eig = np.linalg.eigvalsh(np.stack([np.stack([a, b], -1), np.stack([b, d], -1)], -2))
    want = eig[:, 0] < -1e-6 * np.maximum(np.abs(eig).max(axis=-1), 1.0)
    margin = np.abs(eig[:, 0] + 1e-6 * np.maximum(np.abs(eig).max(axis=-1), 1.0)) > 1e-9 * np.abs(eig).max(axis=-1)
    np.testing.assert_array_equal(rule.saddle(a, b, d)[margin], want[margin])
    assert rule.saddle(2.0, 0.0, -2.0) and not rule.saddle(2.0, 0.0, 2.0) and not rule.saddle(0.0, 0.0, 0.0)


@pytest.mark.parametrize("key", ["himmelblau", "rosenbrock", "six_hump_camel", "beale"])
def test_the_hessian_is_the_second_derivatives(key):
    """Surface.hessian (status_rule's differences) against second differences of the value with
    a much larger step, which share none of its code."""
    surface = get_surface(key)
    rng = np.random.default_rng(2)
    view = surface.view
    points = np.column_stack([rng.uniform(view.xmin, view.xmax, 20), rng.uniform(view.ymin, view.ymax, 20)])
    h = 1e-4
    for p in points:
        f = lambda dx, dy: float(surface.f(p + np.array([dx, dy])))  # noqa: E731
        fxx = (f(h, 0) - 2 * f(0, 0) + f(-h, 0)) / h**2
        fyy = (f(0, h) - 2 * f(0, 0) + f(0, -h)) / h**2
        fxy = (f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h * h)
        scale = 1.0 + abs(fxx) + abs(fyy) + abs(fxy)
        np.testing.assert_allclose(surface.hessian(p), [[fxx, fxy], [fxy, fyy]], atol=1e-4 * scale)


def test_status_codes_are_the_rule_codes():
    assert (Status.RUNNING, Status.CONVERGED, Status.DIVERGED, Status.LEFT_VIEW, Status.STALLED) == (
        rule.RUNNING, rule.CONVERGED, rule.DIVERGED, rule.LEFT_VIEW, rule.STALLED)


def test_numba_compiles_the_rule_to_the_same_results():
    """The basin kernel compiles these functions as they stand: the compiled rule gives
    NumPy's statuses bit for bit on the same inputs."""
    from optviz.core import basins_compiled

    if not basins_compiled.available() or basins_compiled.kernel() is None:
        pytest.skip("numba is not installed")
    import numba  # the kernel module registered the rule's helpers with numba

    @numba.njit
    def compiled_rule(x, y, loss, gs, sn, start, geo, limits, minima, saddles):
        return rule.classify(x, y, loss, gs, sn, start, geo, limits, minima, saddles)

    @numba.njit
    def compiled_saddle(a, b, d):
        out = np.empty(a.shape[0], dtype=np.bool_)
        for i in range(a.shape[0]):
            out[i] = rule.saddle(a[i], b[i], d[i])
        return out

    x, y, loss, gs, sn, start = cases(seed=5)
    geo, limits = rule.thresholds(VIEW, TOL)
    for saddles in (SADDLES, np.zeros((0, 2))):
        got = compiled_rule(x, y, loss, gs, sn, start, geo, limits, MINIMA, saddles)
        want = rule.classify(x, y, loss, gs, sn, start, geo, limits, MINIMA, saddles)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)
    a, b, d = np.random.default_rng(3).normal(0, 1, (3, 1000))
    np.testing.assert_array_equal(compiled_saddle(a, b, d), rule.saddle(a, b, d))
