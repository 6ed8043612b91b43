"""The race: every optimizer × every surface, hand-unrolled reference loops, classification."""

import math
import warnings

import numpy as np
import pytest

from optviz.core import (
    OPTIMIZERS,
    RunSpec,
    Simulation,
    Status,
    get_surface,
    simulate,
    surface_keys,
)
from optviz.core.risk import AnalyticRisk

SURFACES = surface_keys()
OPTS = list(OPTIMIZERS)


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("key", OPTS)
def test_descends_on_the_convex_bowl(key):
    bowl = get_surface("bowl")
    sim = simulate(bowl, [RunSpec(key, {"learning_rate": 0.05})], bowl.start, steps=40, seed=1)
    loss = sim.history.loss[: sim.length(0), 0, 0]
    assert loss[-1] < 0.5 * loss[0]
    if OPTIMIZERS[key].default_batch_size is None:  # deterministic: every step goes down
        assert np.all(np.diff(loss[:10]) < 0) or key in ("momentum", "nesterov", "adam")


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("key", OPTS)
def test_every_optimizer_on_every_surface_runs_cleanly(key, surface):
    """Default settings, 150 steps: no warning, a consistent history, steps = differences."""
    s = get_surface(surface)
    sim = simulate(s, [RunSpec(key)], s.start, steps=150, seed=3)
    t = sim.length(0)
    pos = sim.history.positions[:t, 0, 0]
    assert np.isfinite(pos).all() or sim.status[0, 0] == Status.DIVERGED
    np.testing.assert_allclose(sim.history.loss[:t, 0, 0], s.f(pos), rtol=1e-12, equal_nan=True)
    # Recorded gradient g_t is the one the step used: for GD-like deterministic runs the exact ∇J.
    if OPTIMIZERS[key].default_batch_size is None and key == "gd":
        grads = sim.history.grad[: t - 1, 0, 0]
        lr = sim.history.lr[: t - 1, 0]
        np.testing.assert_allclose(pos[1:], pos[:-1] - lr[:, None] * grads, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("surface", SURFACES)
def test_learning_rate_1e3_diverges_quietly_and_others_continue(surface):
    s = get_surface(surface)
    sane = RunSpec("gd", {"learning_rate": 1e-4})
    wild = [RunSpec(k, {"learning_rate": 1e3}) for k in OPTS]
    together = simulate(s, [sane, *wild], s.start, steps=60, seed=0)
    alone = simulate(s, [sane], s.start, steps=60, seed=0)
    np.testing.assert_array_equal(together.path(0), alone.path(0))
    for k in range(1, len(wild) + 1):
        assert together.status[k, 0] in (Status.DIVERGED, Status.LEFT_VIEW, Status.RUNNING, Status.STALLED)
    # The plain-gradient methods take a step of 1e3·|g|: far beyond any view, so "diverged".
    assert together.status[1 + OPTS.index("adam"), 0] == Status.DIVERGED


def hand_adam(grad, w, steps, lr, r1, r2, eps):
    """Adam on one point as a plain scalar loop (the lecture's formulas, torch's ε placement)."""
    x, y = w
    px = py = rx = ry = 0.0
    out = [(x, y)]
    for t in range(1, steps + 1):
        gx, gy = grad(x, y)
        px, py = r1 * px + (1 - r1) * gx, r1 * py + (1 - r1) * gy
        rx, ry = r2 * rx + (1 - r2) * gx * gx, r2 * ry + (1 - r2) * gy * gy
        b1, b2 = 1 - r1**t, 1 - r2**t
        x -= lr / b1 * px / (math.sqrt(rx) / math.sqrt(b2) + eps)
        y -= lr / b1 * py / (math.sqrt(ry) / math.sqrt(b2) + eps)
        out.append((x, y))
    return np.array(out)


def rosenbrock_grad(x, y):
    return (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))


def test_adam_on_rosenbrock_matches_a_hand_unrolled_loop():
    s = get_surface("rosenbrock")
    sim = simulate(s, [RunSpec("adam", {"learning_rate": 0.02})], (-1.5, 2.0), steps=300)
    want = hand_adam(rosenbrock_grad, (-1.5, 2.0), sim.steps[0], 0.02, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(sim.path(0), want, rtol=1e-11, atol=1e-13)


def test_minibatch_sgd_matches_a_hand_unrolled_loop_with_the_same_batches():
    """B-sample means of ∇f + aᵢ, batches from a permutation per epoch with the rng seeded
    by (simulation seed, run seed), remainder dropped: rebuilt here by hand."""
    s = get_surface("bowl")
    seed, run_seed, B, lr = 5, 2, 10, 0.1
    sim = simulate(s, [RunSpec("minibatch", {"learning_rate": lr}, batch_size=B, seed=run_seed)], (1.5, -1.0),
                   steps=25, seed=seed, noise_scale=0.5, samples=64)
    offsets = AnalyticRisk(s, noise_scale=0.5, n=64, seed=seed).offsets
    rng = np.random.default_rng([seed, run_seed])
    order, pos = [], 0
    w = np.array([1.5, -1.0])
    path = [w.copy()]
    for _ in range(25):
        if pos + B > len(order):
            order, pos = rng.permutation(64), 0
        batch = order[pos : pos + B]
        pos += B
        g = s.grad(w[None])[0] + offsets[batch].mean(axis=0)
        w = w - lr * g
        path.append(w.copy())
    np.testing.assert_allclose(sim.path(0), np.array(path), rtol=1e-13, atol=1e-15)


def test_same_seed_is_bit_identical_and_another_seed_is_not():
    s = get_surface("himmelblau")
    runs = [RunSpec("sgd", {"learning_rate": 0.005}), RunSpec("minibatch", {"learning_rate": 0.005})]
    a = simulate(s, runs, s.start, steps=100, seed=11)
    b = simulate(s, runs, s.start, steps=100, seed=11)
    c = simulate(s, runs, s.start, steps=100, seed=12)
    np.testing.assert_array_equal(a.history.positions, b.history.positions)
    assert not np.array_equal(a.path(0), c.path(0))


def test_gd_is_exact_while_sgd_noise_shrinks_with_batch_size():
    """GD (B = n) follows the exact gradient; the spread of mini-batch endpoints across seeds
    falls as B grows."""
    s = get_surface("bowl")
    gd = simulate(s, [RunSpec("gd", {"learning_rate": 0.1})], s.start, steps=30, noise_scale=1.0)
    w = np.array(s.start)
    for _ in range(30):
        w = w - 0.1 * s.grad(w[None])[0]
    np.testing.assert_allclose(gd.positions[0, 0], w, rtol=1e-12)
    spreads = []
    for B in (1, 4, 16, 64):
        runs = [RunSpec("minibatch", {"learning_rate": 0.1}, batch_size=B, seed=k) for k in range(40)]
        sim = simulate(s, runs, s.start, steps=30, noise_scale=1.0, samples=64)
        spreads.append(sim.positions[:, 0].std(axis=0).mean())
        if B == 64:  # the full batch: every seed gives the same exact-gradient path
            assert np.ptp(sim.positions[:, 0], axis=0).max() == 0.0
    assert spreads[0] > spreads[1] > spreads[2] > spreads[3]


@pytest.mark.parametrize(
    "surface, index, literature",
    [
        ("himmelblau", 0, (3.0, 2.0)),
        ("himmelblau", 1, (-2.805118086952745, 3.131312518250573)),
        ("himmelblau", 2, (-3.779310253377747, -3.283185991286170)),
        ("himmelblau", 3, (3.584428340330492, -1.848126526964404)),
        ("booth", 0, (1.0, 3.0)),
        ("rosenbrock", 0, (1.0, 1.0)),
    ],
)
@pytest.mark.parametrize("key", ["gd", "momentum", "nesterov", "adagrad"])
def test_converges_to_the_listed_minimum_it_starts_near(surface, index, literature, key):
    s = get_surface(surface)
    target = np.array(literature)
    start = target + np.array([0.15, -0.1])
    lr = {"gd": 1e-3, "momentum": 5e-4, "nesterov": 5e-4, "adagrad": 0.2}[key]
    sim = simulate(s, [RunSpec(key, {"learning_rate": lr})], start, steps=20000)
    assert sim.status[0, 0] == Status.CONVERGED, sim.describe(0)
    found = s.minima[sim.minimum[0, 0]]
    np.testing.assert_allclose([found.x, found.y], literature, atol=1e-6)
    # Stopping rule: |∇J| <= 1e-6·max(1, |∇J(start)|), so within ~1e-3 on steep Rosenbrock.
    np.testing.assert_allclose(sim.positions[0, 0], literature, atol=1e-3)


@pytest.mark.parametrize("key", ["rmsprop", "adam"])
def test_adaptive_methods_settle_near_the_minimum_with_a_decaying_rate(key):
    s = get_surface("himmelblau")
    spec = RunSpec(key, {"learning_rate": 0.05}, schedule="exponential", schedule_params={"gamma": 0.995})
    sim = simulate(s, [spec], (2.5, 2.5), steps=3000)
    np.testing.assert_allclose(sim.positions[0, 0], (3.0, 2.0), atol=1e-3)


def test_gd_on_the_saddle_axis_stalls_and_off_axis_escapes():
    s = get_surface("saddle")
    sim = simulate(s, [RunSpec("gd", {"learning_rate": 0.05})] * 2, [(-1.5, 0.0)], steps=400)
    assert sim.status[0, 0] == Status.STALLED
    off = simulate(s, [RunSpec("gd", {"learning_rate": 0.05})], [(-1.5, 1e-3)], steps=400)
    assert off.status[0, 0] in (Status.LEFT_VIEW, Status.RUNNING)
    assert abs(off.positions[0, 0, 1]) > 1.0


def test_leaving_the_view_is_final_and_freezes_the_point():
    s = get_surface("monkey_saddle")
    sim = simulate(s, [RunSpec("gd", {"learning_rate": 0.05})], (0.5, 0.3), steps=500)
    assert sim.status[0, 0] in (Status.LEFT_VIEW, Status.DIVERGED)
    last = sim.path(0)[-1]
    sim.step(5)
    np.testing.assert_array_equal(sim.path(0)[-1], last)


def test_restarting_one_run_leaves_the_others_and_reproduces_itself():
    s = get_surface("rosenbrock")
    runs = [RunSpec("adam", {"learning_rate": 0.02}), RunSpec("sgd", {"learning_rate": 1e-3})]
    sim = Simulation(s, runs, s.start, max_steps=200, seed=2)
    sim.step(80)
    first = sim.path(1).copy()
    other = sim.path(0).copy()
    sim.restart(1)
    assert sim.steps[1] == 0 and sim.steps[0] == 80
    sim.step(80)
    np.testing.assert_array_equal(sim.path(1), first)
    np.testing.assert_array_equal(sim.path(0)[:81], other)
    sim.restart(1, RunSpec("sgd", {"learning_rate": 2e-3}))
    assert sim.specs[1].hyper["learning_rate"] == 2e-3


def test_chunked_unrecorded_stepping_equals_the_recorded_run():
    s = get_surface("rosenbrock")
    rng = np.random.default_rng(0)
    starts = rng.uniform(-1.5, 1.5, (1000, 2))
    spec = [RunSpec("adam", {"learning_rate": 0.01})]
    rec = simulate(s, spec, starts, steps=50)
    fast = simulate(s, spec, starts, steps=50, record=False, chunk_rows=96, check_every=7)
    np.testing.assert_array_equal(fast.positions, rec.positions)
    np.testing.assert_array_equal(fast.status, rec.status)


def test_records_optimizer_buffers():
    s = get_surface("bowl")
    sim = simulate(s, [RunSpec("momentum", {"learning_rate": 0.1, "beta": 0.9}), RunSpec("adagrad")], (1.0, 2.0),
                   steps=5)
    # Momentum's buffer starts at the first gradient: p_1 = g_0.
    np.testing.assert_allclose(sim.history.state["p"][1, 0, 0], sim.history.grad[0, 0, 0])
    # AdaGrad's accumulator is the running sum of g⊙g.
    g = sim.history.grad[:5, 1, 0]
    np.testing.assert_allclose(sim.history.state["r"][5, 1, 0], (g * g).sum(axis=0), rtol=1e-13)
    assert np.isnan(sim.history.state["r"][3, 0, 0]).all()  # momentum has no r


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"max_steps": 0}, "max steps"),
        ({"starts": (np.nan, 0.0)}, "finite"),
        ({"runs": []}, "at least one run"),
        ({"runs": [RunSpec("lbfgs")]}, "unknown optimizer"),
        ({"runs": [RunSpec("adam", {"learning_rate": -1})]}, "learning rate must be > 0, got -1"),
        ({"runs": [RunSpec("adam", {"bogus": 1})]}, "bogus"),
        ({"runs": [RunSpec("sgd", batch_size=0)]}, "batch size"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, match):
    args = {"runs": [RunSpec("gd")], "starts": (0.5, 0.5), "max_steps": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        Simulation(get_surface("bowl"), args.pop("runs"), args.pop("starts"), **args)


def test_leaving_the_view_uphill_is_divergence_and_downhill_is_leaving():
    """GD on Booth (Hessian eigenvalues 2 and 18) with α = 0.12 > 2/18 zig-zags out with its loss
    growing: diverged. On the saddle x² − y² GD slides out along −y downhill: left the view."""
    booth = get_surface("booth")
    sim = simulate(booth, [RunSpec("gd", {"learning_rate": 0.12}), RunSpec("gd", {"learning_rate": 0.1})],
                   (-7.0, -6.0), steps=200)
    loss = sim.history.loss[: sim.length(0), 0, 0]
    assert np.all(np.diff(loss[1:]) > 0)  # the loss grows every step after the first
    assert sim.status[0, 0] == Status.DIVERGED
    assert sim.status[1, 0] == Status.CONVERGED
    saddle = get_surface("saddle")
    sim = simulate(saddle, [RunSpec("gd", {"learning_rate": 0.1})], (0.5, 0.3), steps=500)
    assert sim.status[0, 0] == Status.LEFT_VIEW
    assert sim.loss[0, 0] < saddle.f(np.array([0.5, 0.3]))
