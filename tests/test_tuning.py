"""The learning-rate sweep and the auto-tuner against closed forms and hand loops.

GD on J(W) = (λ/2)|W|² with λ = 3 (the Hessian is 3·I, written into the expression): one step
is W₁ = (1 − αλ)W₀, so α = 1/λ lands on the minimum in one step, |1 − αλ| < 1 ⟺ α < 2/λ, and
after T steps J(W_T) = (1 − αλ)^{2T} J(W₀). The divergence edge is 2/λ and the margin rule
(α ≤ edge/2) allows exactly 1/λ, so the tuner still lands on it.

The scoring (worst loss over the last 20 % of the budget, runs that do not settle ranked last,
α at most half the divergence edge) is checked against hand loops over recorded Simulations;
on RMSProp/Rosenbrock, where the old rule (the last loss) picked a rate whose run ends in a
2-cycle, the new rule's α gives a run that settles.
"""

from __future__ import annotations

import numpy as np
import pytest

from optviz.core import RunSpec, Simulation, Status, expression_surface, get_surface
from optviz.core.tuning import (
    BAND_LIMIT,
    MARGIN,
    RISE_LIMIT,
    RISE_RTOL,
    Sweep,
    TuningCancelled,
    log_grid,
    sweep_learning_rate,
    tune_all,
    tune_learning_rate,
)

LAM = 3.0
START = (-2.0, 1.5)


@pytest.fixture(scope="module")
def quadratic():
    return expression_surface("1.5*(x^2 + y^2)", view=(-3, 3, -3, 3), start=START)


def j0():
    return 0.5 * LAM * (START[0] ** 2 + START[1] ** 2)


def test_the_quadratic_has_the_curvature_the_tests_assume(quadratic):
    hess = quadratic.hessian(np.array([[0.3, -0.7]]))[0]
    np.testing.assert_allclose(hess, LAM * np.eye(2), atol=1e-6)
    assert quadratic.f(np.array(START)) == pytest.approx(j0())


def test_auto_tuner_finds_one_over_lambda_and_gd_reaches_the_minimum_in_one_step(quadratic):
    sweep = tune_learning_rate(quadratic, RunSpec("gd"), START, steps=300)
    assert sweep.best == pytest.approx(1 / LAM, rel=1e-4)
    # One GD step with the tuned α: W₁ = (1 − αλ)W₀, so |W₁| ≤ |1 − αλ|·|W₀| ≤ 1e-4·|W₀|.
    sim = Simulation(quadratic, [RunSpec("gd", {"learning_rate": sweep.best}),
                                 RunSpec("gd", {"learning_rate": 1 / LAM})], START, max_steps=5).run()
    w1 = sim.path(0)[1]
    np.testing.assert_allclose(w1, (1 - sweep.best * LAM) * np.array(START), atol=1e-12)
    assert np.linalg.norm(w1) <= 1e-4 * np.linalg.norm(START)
    # Exactly 1/λ: the minimum W* = 0 after one step, up to rounding; it then stops there.
    np.testing.assert_allclose(sim.path(1)[1], [0.0, 0.0], atol=1e-14)
    assert sim.status[1, 0] == Status.CONVERGED and sim.minimum[1, 0] == 0


def test_ties_at_the_minimum_go_to_the_faster_alpha(quadratic):
    """With 300 steps every α from about 0.02 to 2/λ stops at the minimum (J within 1e-12·J₀
    of 0): a tie. The best must be the grid point with the smallest contraction |1 − αλ|,
    whose loss falls fastest."""
    grid = log_grid()
    sweep = sweep_learning_rate(quadratic, RunSpec("gd"), START, grid=grid, steps=300)
    tied = grid[sweep.final_loss <= 1e-12 * j0()]
    assert len(tied) >= 5  # the situation the rule is for
    assert sweep.best == grid[np.argmin(np.abs(1 - grid * LAM))]
    assert sweep.best <= sweep.edge / MARGIN  # and it respects the margin


def test_stability_edge_at_two_over_lambda(quadratic):
    edge = 2 / LAM
    below, above = 0.98 * edge, 1.02 * edge
    sweep = sweep_learning_rate(quadratic, RunSpec("gd"), START, grid=[below, above], steps=300)
    assert list(sweep.failed) == [False, True]
    # Just below: the loss contracts by (1 − αλ)² per step (closed form).
    assert sweep.final_loss[0] == pytest.approx(j0() * (1 - below * LAM) ** 600, rel=1e-9)
    assert np.isinf(sweep.final_loss[1])
    # The sweep over the default grid: every α below 2/λ is fine, every α above fails, and
    # the diverged region starts at 2/λ, within one grid spacing without refinement...
    grid = log_grid()
    coarse = sweep_learning_rate(quadratic, RunSpec("gd"), START, grid=grid, steps=300)
    assert not coarse.failed[grid < edge].any() and coarse.failed[grid > edge].all()
    region = coarse.diverged_region()
    assert len(region) == 1 and region[0][1] == grid[-1]
    ratio = grid[1] / grid[0]
    assert edge / ratio < region[0][0] < edge * ratio
    # ... and at 2/λ itself once the edge is refined.
    fine = tune_learning_rate(quadratic, RunSpec("gd"), START, steps=300)
    assert fine.edge == pytest.approx(edge, rel=1e-3)
    assert fine.diverged_region()[0][0] == pytest.approx(edge, rel=1e-3)


def test_stochastic_runs_average_over_seeds_like_a_hand_loop():
    surface = get_surface("narrow_valley")
    start, steps, grid = surface.start, 60, [1e-3, 0.02, 0.3]
    spec = RunSpec("sgd")
    sweep = sweep_learning_rate(surface, spec, start, grid=grid, steps=steps, seeds=3, seed=4)
    assert sweep.seeds == 3 and sweep.seed_loss.shape == (3, 3)
    j_start = surface.f(np.array(start))
    for a_i, a in enumerate(grid):
        losses, failed = [], False
        for s in range(3):
            sim = Simulation(surface, [RunSpec("sgd", {"learning_rate": a}, seed=s)], start, max_steps=steps,
                             seed=4).run()
            loss = float(sim.loss[0, 0])
            losses.append(loss)
            failed |= sim.status[0, 0] in (Status.DIVERGED, Status.LEFT_VIEW) or not np.isfinite(loss) \
                or loss > j_start
        assert sweep.failed[a_i] == failed
        if not failed:
            np.testing.assert_allclose(sweep.seed_loss[a_i], losses, rtol=1e-12)
            assert sweep.final_loss[a_i] == pytest.approx(np.mean(losses), rel=1e-12)
            assert len(set(losses)) == 3  # the seeds really differ
        else:
            assert np.isinf(sweep.final_loss[a_i])
    assert sweep.failed[2]  # α = 0.3 on a κ = 25 valley: beyond 2/25


def test_deterministic_runs_use_one_seed(quadratic):
    sweep = sweep_learning_rate(quadratic, RunSpec("momentum"), START, grid=[0.01, 0.1], steps=20, seeds=5)
    assert sweep.seeds == 1 and sweep.seed_loss.shape == (2, 1)


def test_tune_all_gives_every_run_the_same_budget_and_tunes_gd(quadratic):
    specs = [RunSpec("gd", {"learning_rate": 0.01}), RunSpec("momentum"), RunSpec("sgd", {"learning_rate": 0.5})]
    reports = []
    tuned = tune_all(quadratic, specs, START, steps=120, seeds=2, progress=lambda d, t: reports.append((d, t)))
    assert [t.spec for t in tuned] == specs
    assert {t.sweep.steps for t in tuned} == {120}
    assert [t.sweep.seeds for t in tuned] == [1, 1, 2]
    assert all(np.array_equal(t.sweep.learning_rates, log_grid()) for t in tuned)
    assert tuned[0].learning_rate == pytest.approx(1 / LAM, rel=1e-4)
    assert tuned[0].old_learning_rate == 0.01
    done = [d for d, _ in reports]
    assert done == sorted(done) and reports[-1][0] == reports[-1][1]


def test_every_alpha_failing_gives_no_best(quadratic):
    sweep = sweep_learning_rate(quadratic, RunSpec("gd"), START, grid=[1.0, 2.0, 5.0], steps=100)
    assert sweep.failed.all() and np.isnan(sweep.best)
    tuned = tune_all(quadratic, [RunSpec("gd")], START, grid=[1.0, 2.0], steps=50)
    assert tuned[0].learning_rate is None


def test_cancel_stops_the_sweep(quadratic):
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(TuningCancelled):
        tune_all(quadratic, [RunSpec("gd"), RunSpec("adam")], START, steps=300, cancelled=cancelled)
    assert len(calls) == 3  # stopped at the first check that said so


def test_bad_settings_are_refused(quadratic):
    with pytest.raises(ValueError, match="step budget"):
        sweep_learning_rate(quadratic, RunSpec("gd"), START, steps=0)
    with pytest.raises(ValueError, match="seeds"):
        sweep_learning_rate(quadratic, RunSpec("sgd"), START, seeds=0)
    with pytest.raises(ValueError, match="grid"):
        sweep_learning_rate(quadratic, RunSpec("gd"), START, grid=[-1.0, 0.1])


def hand_tail(losses, steps):
    """Worst loss, fraction of rising steps and band over the last ⌈0.2·T⌉ steps, by a plain loop
    over J(W_0) … J(W_T) (a run that stopped early holds its last loss)."""
    values = list(losses) + [losses[-1]] * (steps + 1 - len(losses))
    m = max(1, int(np.ceil(0.2 * steps)))
    tail = values[steps - m:]
    rise_tol = RISE_RTOL * max(1.0, abs(values[0]))
    rises = sum(1 for a, b in zip(tail, tail[1:]) if b - a > rise_tol) / m
    band = (max(tail) - min(tail)) / (values[0] - min(tail))
    return max(tail), rises, band


def test_tail_scores_match_a_hand_loop():
    """RMSProp on Rosenbrock: a slow α, one that rattles in a 2-cycle across the valley, one far
    into the 2-cycle; the sweep's numbers equal a hand loop over the recorded losses."""
    surface = get_surface("rosenbrock")
    grid, steps = [0.001, 0.0056, 0.056], 2000
    sweep = sweep_learning_rate(surface, RunSpec("rmsprop"), surface.start, grid=grid, steps=steps)
    for i, a in enumerate(grid):
        sim = Simulation(surface, [RunSpec("rmsprop", {"learning_rate": a})], surface.start, max_steps=steps).run()
        worst, rises, band = hand_tail(sim.history.loss[: sim.length(0), 0, 0], steps)
        assert sweep.tail_loss[i] == pytest.approx(worst, rel=1e-12)
        assert sweep.rises[i] == pytest.approx(rises, abs=1e-12)
        assert sweep.band[i] == pytest.approx(band, rel=1e-9)
        assert sweep.unsettled[i] == (rises > RISE_LIMIT or band > BAND_LIMIT)
    assert sweep.rises[2] > 0.4 and sweep.unsettled[2]  # the 2-cycle rises on every other step


def test_a_run_that_does_not_settle_loses_to_one_that_does():
    """Hand-made sweep: the unsettled α has the lower score, the settled one is chosen."""
    sweep = Sweep(np.array([0.01, 0.1]), np.array([0.2, 0.01]), np.array([False, False]), start_loss=10.0,
                  tail_loss=np.array([0.3, 0.05]), unsettled=np.array([False, True]),
                  mean_loss=np.array([1.0, 0.5]))
    assert sweep.best == 0.01 and sweep.best_settled
    everything_loose = Sweep(np.array([0.01, 0.1]), np.array([0.2, 0.01]), np.array([False, False]),
                             start_loss=10.0, tail_loss=np.array([0.3, 0.05]), unsettled=np.array([True, True]))
    assert everything_loose.best == 0.1 and not everything_loose.best_settled  # then the lower score
    # The margin: an edge at 0.15 caps α at 0.075, so 0.1 may not be chosen even if it settled.
    capped = Sweep(np.array([0.01, 0.1]), np.array([0.2, 0.01]), np.array([False, False]), start_loss=10.0,
                   tail_loss=np.array([0.3, 0.05]), unsettled=np.array([False, False]), edge=0.15)
    assert capped.cap == pytest.approx(0.075) and capped.best == 0.01 and capped.margin_band() == (0.075, 0.15)
    assert list(capped.ranked()) == [0.01]


def test_the_margin_binds_on_an_ill_conditioned_quadratic():
    """GD on ½(x² + 25y²): the fastest α is 2/(1 + 25) ≈ 0.077 and the edge 2/25 = 0.08. Every α
    up to the edge reaches the minimum (a tie), so without the margin the tuner would choose
    ≈ 0.077, a whisker from the cliff; with it, α = edge/2 = 1/25 (the across-valley direction
    lands in one step)."""
    valley = expression_surface("0.5*(x^2 + 25*y^2)", view=(-5, 5, -5, 5), start=(-4.5, 1.5))
    sweep = tune_learning_rate(valley, RunSpec("gd"), (-4.5, 1.5), steps=2000)
    assert sweep.edge == pytest.approx(2 / 25, rel=1e-3)
    assert sweep.best == pytest.approx(1 / 25, rel=2e-3) and sweep.best <= sweep.edge / 2
    assert sweep.best_settled


def test_rmsprop_on_rosenbrock_settles_where_the_last_loss_rule_rattled():
    """The issue's case, over the app's race length: the α that the last loss picks rises on
    every other step at the end; the tuned α does not (hand loop over a recorded run)."""
    surface = get_surface("rosenbrock")
    steps = 2000
    sweep = tune_learning_rate(surface, RunSpec("rmsprop"), surface.start, steps=steps, refine=3)
    a, f = sweep._all()["rates"], sweep._all()["loss"]
    old_rule = float(a[np.nanargmin(np.where(np.isfinite(f), f, np.inf))])  # the lowest last loss
    runs = [RunSpec("rmsprop", {"learning_rate": x}) for x in (old_rule, sweep.best)]
    sim = Simulation(surface, runs, surface.start, max_steps=steps).run()
    old_worst, old_rises, _ = hand_tail(sim.history.loss[: sim.length(0), 0, 0], steps)
    new_worst, new_rises, new_band = hand_tail(sim.history.loss[: sim.length(1), 1, 0], steps)
    assert old_rises > 0.3  # a 2-cycle (or close): the loss rises on about every other step
    assert new_rises <= RISE_LIMIT and new_band <= BAND_LIMIT
    assert sweep.best <= sweep.edge / MARGIN
