"""Basin maps: known basins (analytic expectations), the compiled kernel against the NumPy
reference, outcomes, cancellation, validation, the cache and the fallback without numba."""

import subprocess
import sys

import numpy as np
import pytest

from optviz.core import OPTIMIZERS, RunSpec, Simulation, Status, expression_surface, get_surface
from optviz.core import basins_compiled
from optviz.core.basins import (
    BasinCache,
    BasinSettings,
    BasinsCancelled,
    Outcome,
    compute_basins,
    describe_label,
    labels_from_status,
)
from optviz.core.surfaces import SURFACES
from optviz.core.surfaces.two_wells import TWO_WELLS_BARRIER, TWO_WELLS_GD_LR

needs_numba = pytest.mark.skipif(not basins_compiled.available(), reason="numba is not installed")


@pytest.fixture(scope="module")
def kernel():
    module = basins_compiled.kernel()
    assert module is not None, basins_compiled.error()
    return module


# --------------------------------------------------------------------------- known basins


def test_symmetric_double_well_halves_go_to_their_own_minimum():
    """J = (x² − 1)² + y² is symmetric in x; GD with α = 0.02 keeps the sign of x
    (x ← x(1 − 4α(x² − 1)) and 4α(x² − 1) < 1 in the view), so the left half of the grid ends
    at (−1, 0) and the right half at (1, 0): exactly half and half."""
    s = expression_surface("(x**2 - 1)**2 + y**2", view=(-2, 2, -2, 2))
    left = [i for i, m in enumerate(s.minima) if m.x < 0][0]
    r = compute_basins(s, RunSpec("gd", {"learning_rate": 0.02}), resolution=16, steps=3000)
    assert r.backend == "numpy" and "no compiled gradient" in r.note  # a typed expression
    xs, _ = r.settings.axes()
    expected = np.where(xs < 0, left, 1 - left)[None, :].repeat(16, axis=0)
    np.testing.assert_array_equal(r.labels, expected)


def test_two_wells_sublevel_halves_go_to_the_two_minima():
    """Below the barrier's value, J's sublevel set falls into two halves separated by the line
    through the barrier across the line of the wells (checked first: J ≥ J(barrier) all along
    it). GD with α = 0.1 < 2/L only goes downhill, so it cannot leave its half: every start
    with J < J(barrier) ends at the minimum of its own half."""
    s = get_surface("two_wells")
    deep, shallow = (np.array([m.x, m.y]) for m in s.minima)
    barrier = np.array([TWO_WELLS_BARRIER.x, TWO_WELLS_BARRIER.y])
    axis = (deep - shallow) / np.linalg.norm(deep - shallow)
    across = np.array([-axis[1], axis[0]])
    line = barrier + np.linspace(-6, 6, 4001)[:, None] * across
    assert (s.f(line) >= TWO_WELLS_BARRIER.value - 1e-12).all()  # the premise

    r = compute_basins(s, RunSpec("gd", {"learning_rate": TWO_WELLS_GD_LR}), resolution=64, steps=3000)
    starts = r.settings.starts().reshape(64, 64, 2)
    low = s.f(starts) < TWO_WELLS_BARRIER.value - 1e-9
    side = (starts - barrier) @ axis > 0
    assert low.sum() > 400 and (low & side).any() and (low & ~side).any()
    expected = np.where(side, 0, 1)  # minimum 0 is the deep well, on the positive side
    np.testing.assert_array_equal(r.labels[low], expected[low])


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_himmelblau_starts_next_to_each_minimum_end_there(optimizer):
    """Four starts within 0.05 of each minimum. RMSProp's step never shrinks below ~α next to
    a minimum (g/√r stays near ±1), so it may still be circling there after T steps."""
    s = get_surface("himmelblau")
    allowed = {"rmsprop": (Outcome.NOT_CONVERGED,)}.get(optimizer, ())
    for k, m in enumerate(s.minima):
        rect = (m.x - 0.05, m.x + 0.05, m.y - 0.05, m.y + 0.05)
        r = compute_basins(s, RunSpec(optimizer), rect, resolution=2, steps=3000)
        assert np.isin(r.labels, (k, *allowed)).all(), (k, r.labels)
        assert (r.labels == k).any()
        np.testing.assert_allclose(r.end_points.reshape(-1, 2), np.tile([m.x, m.y], (4, 1)), atol=0.02 * 14.2)


def test_himmelblau_basin_map_holds_all_four_minima_at_their_cells():
    s = get_surface("himmelblau")
    r = compute_basins(s, RunSpec("gd", {"learning_rate": 0.005}), resolution=64, steps=2000)
    xs, ys = r.settings.axes()
    for k, m in enumerate(s.minima):
        i, j = np.searchsorted(ys, m.y), np.searchsorted(xs, m.x)
        assert r.labels[i, j] == k and r.labels[i - 1, j - 1] == k
    assert set(r.counts()) == {0, 1, 2, 3}  # small α: every start converges to one of the four
    assert sum(r.fractions().values()) == pytest.approx(1.0)


# --------------------------------------------------------------------------- outcomes


def test_too_large_learning_rate_diverges_everywhere():
    """GD on J = ½|w|² with α = 2.5: w ← −1.5 w grows with the loss, so every start is out of
    view uphill within a few steps: diverged (no start lies at the centre for an even grid)."""
    r = compute_basins(get_surface("bowl"), RunSpec("gd", {"learning_rate": 2.5}), resolution=8, steps=200)
    assert (r.labels == Outcome.DIVERGED).all()


def test_too_few_steps_is_not_converged_and_enough_steps_converge():
    """GD α = 0.01 on the bowl: w_t = 0.99^t w_0, so after 5 steps no start is stationary, and
    after 3000 (0.99^3000·2.9 < 1e-12) every start has converged to the minimum."""
    s = get_surface("bowl")
    few = compute_basins(s, RunSpec("gd", {"learning_rate": 0.01}), resolution=8, steps=5)
    assert (few.labels == Outcome.NOT_CONVERGED).all()
    xs, ys = few.settings.axes()
    np.testing.assert_allclose(few.end_points[..., 0], xs[None, :] * 0.99**5 * np.ones((8, 1)), rtol=1e-12)
    many = compute_basins(s, RunSpec("gd", {"learning_rate": 0.01}), resolution=8, steps=3000)
    assert (many.labels == 0).all()


def test_labels_mean_the_race_statuses():
    status = np.array([Status.RUNNING, Status.CONVERGED, Status.CONVERGED, Status.DIVERGED, Status.LEFT_VIEW,
                       Status.STALLED])
    minimum = np.array([-1, 2, -1, -1, -1, -1])
    assert labels_from_status(status, minimum).tolist() == [
        Outcome.NOT_CONVERGED, 2, Outcome.UNLISTED, Outcome.DIVERGED, Outcome.LEFT_VIEW, Outcome.NOT_CONVERGED]
    assert describe_label(0) == "min 1" and describe_label(-2) == "left the view"


def test_a_race_from_a_grid_start_reports_what_the_map_says():
    """One start of the map raced alone (the app's recording Simulation) ends the same way."""
    s = get_surface("himmelblau")
    spec = RunSpec("momentum", {"learning_rate": 0.01})
    r = compute_basins(s, spec, resolution=8, steps=1000, backend="numpy")
    starts = r.settings.starts()
    for n in (0, 9, 27, 36, 50, 63):
        sim = Simulation(s, [spec], starts[n], max_steps=1000).run()
        assert labels_from_status(sim.status[0], sim.minimum[0])[0] == r.labels.ravel()[n]


# --------------------------------------------------------------------------- compiled = NumPy


def _agreement_spec(key: str, samples: int = 64) -> RunSpec:
    """The entry with its app defaults; SGD and mini-batch get the full batch (B = n), which
    makes them deterministic, so the kernel applies."""
    batch = samples if OPTIMIZERS[key].default_batch_size is not None else None
    return RunSpec(key, batch_size=batch)


@needs_numba
@pytest.mark.parametrize("surface_key", basins_compiled.TWIN_KEYS)
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_compiled_kernel_agrees_with_the_numpy_reference(kernel, surface_key, optimizer):
    s = get_surface(surface_key)
    spec = _agreement_spec(optimizer)
    a = compute_basins(s, spec, resolution=20, steps=150, backend="numpy")
    b = compute_basins(s, spec, resolution=20, steps=150, backend="compiled")
    assert (a.backend, b.backend) == ("numpy", "compiled")
    if surface_key in basins_compiled.EXACT:
        np.testing.assert_array_equal(b.labels, a.labels)
        np.testing.assert_array_equal(b.end_points, a.end_points)
    else:  # exp: the C library's against NumPy's SIMD exp, last-bit differences
        assert (a.labels == b.labels).mean() >= 0.99
        same = (a.labels == b.labels) & (a.labels >= 0)
        np.testing.assert_allclose(b.end_points[same], a.end_points[same], rtol=0, atol=1e-4 * s.view.diagonal)


@needs_numba
@pytest.mark.parametrize("surface_key", ["himmelblau", "rosenbrock", "six_hump_camel"])
def test_compiled_kernel_agrees_with_schedules_and_parameters(kernel, surface_key):
    s = get_surface(surface_key)
    for spec in (RunSpec("adam", {"learning_rate": 0.08}, schedule="cosine", schedule_params={"total_steps": 120}),
                 RunSpec("momentum", {"learning_rate": 0.004, "beta": 0.5}, schedule="step",
                         schedule_params={"step_size": 30})):
        a = compute_basins(s, spec, (-1.5, 1.0, -0.5, 2.0), resolution=17, steps=200, backend="numpy")
        b = compute_basins(s, spec, (-1.5, 1.0, -0.5, 2.0), resolution=17, steps=200, backend="compiled")
        np.testing.assert_array_equal(b.labels, a.labels)
        np.testing.assert_array_equal(b.end_points, a.end_points)


@needs_numba
def test_compiled_narrow_valley_with_parameters_agrees(kernel):
    s = get_surface("narrow_valley", condition=80, angle=35)
    a = compute_basins(s, RunSpec("rmsprop"), resolution=16, steps=300, backend="numpy")
    b = compute_basins(s, RunSpec("rmsprop"), resolution=16, steps=300, backend="compiled")
    np.testing.assert_array_equal(b.end_points, a.end_points)
    np.testing.assert_array_equal(b.labels, a.labels)


@needs_numba
def test_auto_picks_the_kernel_where_it_applies_and_says_why_not(kernel):
    s = get_surface("himmelblau")
    assert compute_basins(s, RunSpec("adam"), resolution=4, steps=10).backend == "compiled"
    r = compute_basins(s, RunSpec("sgd"), resolution=4, steps=10)  # B = 1: stochastic
    assert r.backend == "numpy" and "mini-batches" in r.note
    with pytest.raises(ValueError, match="cannot compute this map.*mini-batches"):
        compute_basins(s, RunSpec("sgd"), resolution=4, steps=10, backend="compiled")
    data = get_surface("linreg_mse")
    r = compute_basins(data, RunSpec("gd"), resolution=4, steps=10)
    assert r.backend == "numpy" and "no compiled gradient" in r.note


def test_stochastic_maps_are_reproducible_by_seed():
    s = get_surface("himmelblau")
    a, b, c = (compute_basins(s, RunSpec("sgd"), resolution=6, steps=100, seed=seed) for seed in (1, 1, 2))
    np.testing.assert_array_equal(a.end_points, b.end_points)
    assert not np.array_equal(a.end_points, c.end_points)


# --------------------------------------------------------------------------- cancel, validation, cache


@pytest.mark.parametrize("backend", ["numpy", pytest.param("compiled", marks=needs_numba)])
def test_cancel_raises_and_caches_nothing(backend):
    s = get_surface("himmelblau")
    cache = BasinCache()
    seen = []
    calls = {"n": 0}

    def cancelled():
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(BasinsCancelled):
        compute_basins(s, RunSpec("adam"), resolution=128 if backend == "compiled" else 32, steps=400,
                       backend=backend, progress=seen.append, cancelled=cancelled, cache=cache)
    assert len(cache) == 0 and (not seen or max(seen) < 1.0)
    # Everything still works afterwards, with the same answer as before.
    r = compute_basins(s, RunSpec("adam"), resolution=8, steps=50, backend=backend, cache=cache)
    ref = compute_basins(s, RunSpec("adam"), resolution=8, steps=50, backend="numpy")
    np.testing.assert_array_equal(r.labels, ref.labels)
    assert len(cache) == 1


def test_progress_rises_to_one():
    seen = []
    compute_basins(get_surface("bowl"), RunSpec("adam"), resolution=8, steps=100, progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)


@pytest.mark.parametrize("kwargs, message", [
    ({"resolution": 1000}, "resolution must be between 2 and 256, got 1000"),
    ({"resolution": 1}, "resolution must be between 2 and 256, got 1"),
    ({"resolution": 64.0}, "resolution must be between 2 and 256, got 64.0"),
    ({"steps": 0}, "steps must be between 1 and 100000, got 0"),
    ({"rect": (1, 0, 0, 1)}, "rectangle: view box needs xmin < xmax"),
    ({"rect": (0, 1, 0)}, r"rectangle must be \(xmin, xmax, ymin, ymax\)"),
    ({"backend": "gpu"}, "backend must be 'auto', 'numpy' or 'compiled', got 'gpu'"),
    ({"noise_scale": -1.0}, "noise scale must be a finite number >= 0"),
])
def test_invalid_arguments_are_refused_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compute_basins(get_surface("bowl"), RunSpec("gd"), **kwargs)


def test_invalid_runs_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        compute_basins(get_surface("bowl"), RunSpec("lbfgs"))
    with pytest.raises(ValueError, match="beta must be in"):
        compute_basins(get_surface("bowl"), RunSpec("momentum", {"beta": 1.5}))


def test_settings_are_a_cache_key_of_everything_that_matters():
    s = get_surface("himmelblau")
    base = BasinSettings.of(s, RunSpec("adam", {"learning_rate": 0.05}))
    assert base == BasinSettings.of(s, RunSpec("adam", {"learning_rate": 0.05}, label="mine"))  # label: display only
    assert hash(base) == hash(BasinSettings.of(s, RunSpec("adam")))  # defaults filled in
    others = [
        BasinSettings.of(s, RunSpec("adam", {"learning_rate": 0.06})),
        BasinSettings.of(s, RunSpec("adam", {"learning_rate": 0.05, "rho1": 0.8})),
        BasinSettings.of(s, RunSpec("adam"), (-4, 4, -4, 4)),
        BasinSettings.of(s, RunSpec("adam"), resolution=64),
        BasinSettings.of(s, RunSpec("adam"), steps=499),
        BasinSettings.of(s, RunSpec("adam"), seed=3),
        BasinSettings.of(get_surface("narrow_valley", condition=30), RunSpec("adam")),
        BasinSettings.of(expression_surface("x**2 + y**2", view=(-5, 5, -5, 5)), RunSpec("adam")),
    ]
    assert len({base, *others}) == len(others) + 1
    assert base.with_resolution(64) == BasinSettings.of(s, RunSpec("adam"), resolution=64)


def test_cache_hit_returns_the_same_object_without_recomputing(monkeypatch):
    from optviz.core import basins

    s = get_surface("himmelblau")
    cache = BasinCache(maxsize=2)
    first = compute_basins(s, RunSpec("adam"), resolution=8, steps=50, cache=cache)

    def boom(*args, **kwargs):
        raise AssertionError("recomputed")

    monkeypatch.setattr(basins, "_compute", boom)
    again = compute_basins(s, RunSpec("adam", label="renamed"), resolution=8, steps=50, cache=cache)
    assert again is first
    with pytest.raises(AssertionError, match="recomputed"):
        compute_basins(s, RunSpec("adam"), resolution=8, steps=51, cache=cache)
    monkeypatch.undo()
    compute_basins(s, RunSpec("adam"), resolution=8, steps=51, cache=cache)
    compute_basins(s, RunSpec("adam"), resolution=8, steps=52, cache=cache)
    assert len(cache) == 2 and first.settings not in cache  # least recently used went first
    assert not first.labels.flags.writeable and not first.end_points.flags.writeable


def test_every_registered_analytic_surface_has_a_twin():
    assert set(basins_compiled.TWIN_KEYS) == set(SURFACES)


def test_the_surface_dispatch_is_generated_from_the_registry_and_refuses_an_unknown_id():
    """Ids are the registry's order, never matched to keys by hand; each id reaches its own
    twins (the value at a point equals that surface's NumPy value there); id 99 raises."""
    import re
    from pathlib import Path

    from optviz.core import compiled

    source = (Path(compiled.__file__).parent / "_basins_kernel.py").read_text(encoding="utf-8")
    assert not re.search(r"^[A-Z_]+(, [A-Z_\\ \n]+)* = range\(", source, re.M)  # no hand-written ids
    generated = compiled.surface_dispatch_source()
    for i, key in enumerate(SURFACES):
        assert f"{key.upper()} = {i}" in generated
    if not basins_compiled.available():
        pytest.skip("numba is not installed")
    module = basins_compiled.kernel()
    point = np.array([[0.7, -0.4]])
    for key in SURFACES:
        surface = get_surface(key)
        sid = basins_compiled.twin_of(surface)
        sp = basins_compiled.surface_parameters(surface)
        assert sid == list(SURFACES).index(key)
        assert module.value(sid, sp, 0.7, -0.4) == pytest.approx(float(surface.f(point)[0]), rel=1e-12), key
        np.testing.assert_allclose(module.grad(sid, sp, 0.7, -0.4), surface.grad(point)[0], rtol=1e-12)
    with pytest.raises(ValueError, match="unknown surface id"):
        module.grad(99, np.zeros(3), 0.0, 0.0)


def test_without_numba_maps_fall_back_to_numpy_and_say_so():
    code = (
        "import sys; sys.modules['numba'] = None\n"
        "from optviz.core import RunSpec, get_surface\n"
        "from optviz.core import basins_compiled\n"
        "from optviz.core.basins import compute_basins\n"
        "assert not basins_compiled.available()\n"
        "assert basins_compiled.kernel() is None and 'numba' in basins_compiled.error()\n"
        "r = compute_basins(get_surface('two_wells'), RunSpec('gd', {'learning_rate': 0.1}), resolution=8, steps=300)\n"
        "print(r.backend, '|', r.note, '|', int((r.labels >= 0).sum()))\n"
        "try:\n"
        "    compute_basins(get_surface('two_wells'), RunSpec('gd'), resolution=8, steps=3, backend='compiled')\n"
        "except RuntimeError as err:\n"
        "    print('refused:', err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.strip().splitlines()
    backend, note, converged = (part.strip() for part in first.split("|"))
    assert backend == "numpy" and note.startswith("numba unavailable:") and int(converged) > 0
    assert second.startswith("refused: the compiled basin kernel is unavailable")
