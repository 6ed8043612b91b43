"""The finish leaderboard against closed forms (GD on a quadratic), hand-made histories, and the
races of the issue (scenario 7, the saddle)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optviz.core import RunSpec, Simulation, Status, expression_surface, get_surface
from optviz.core.leaderboard import first_touch, leaderboard, rank_runs, steps_to_tolerance, unbounded_below
from optviz.core.scenario import load_scenario
from optviz.paths import resource

LAM = 3.0
START = (-2.0, 1.5)
J0 = 0.5 * LAM * (START[0] ** 2 + START[1] ** 2)


@pytest.fixture(scope="module")
def quadratic():
    return expression_surface("1.5*(x^2 + y^2)", view=(-3, 3, -3, 3), start=START)


def hand_steps(alpha: float, tol: float, limit: int) -> int | None:
    """First t with J₀·(1 − αλ)^{2t} ≤ tol (GD on (λ/2)|W|², J* = 0), by a plain loop."""
    q2 = (1 - alpha * LAM) ** 2
    for t in range(limit + 1):
        if J0 * q2**t <= tol:
            return t
    return None


def test_gd_steps_to_tolerance_match_the_closed_form_and_rank_in_order(quadratic):
    tol, limit = 1e-6, 200
    alphas = [0.05, 1e-4, 0.7, 0.2, 0.1, 0.3]  # 0.7 > 2/λ diverges; 1e-4 is far too slow
    sim = Simulation(quadratic, [RunSpec("gd", {"learning_rate": a}) for a in alphas], START, max_steps=limit).run()
    board = leaderboard(sim, tol)
    assert board.reference == pytest.approx(0.0, abs=1e-12)
    by_run = {e.index: e for e in board.entries}
    for k, a in enumerate(alphas):
        expected = hand_steps(a, tol, limit) if a < 2 / LAM else None
        assert by_run[k].steps_to_tolerance == expected, a
    assert by_run[0].steps_to_tolerance == math.ceil(math.log(tol / J0) / (2 * math.log(0.85)))
    # Reached: fastest first (α = 0.3, 0.2, 0.1, 0.05); then the slow one; the diverged one last.
    assert board.order == [5, 3, 4, 0, 1, 2]
    assert [e.rank for e in board.entries] == [1, 2, 3, 4, 5, 6]
    last = board.entries[-1]
    assert last.failed and last.outcome == "diverged" and last.steps_to_tolerance is None
    slow = by_run[1]
    assert not slow.reached and slow.outcome == "step limit" and slow.steps == limit
    assert slow.final_loss == pytest.approx(J0 * (1 - 1e-4 * LAM) ** (2 * limit), rel=1e-9)
    fast = by_run[5]
    assert fast.converged and fast.outcome == "converged to minimum 1" and fast.minimum == 0


def test_ranking_rules_on_hand_made_histories():
    D, C, R, L = Status.DIVERGED, Status.CONVERGED, Status.RUNNING, Status.LEFT_VIEW
    losses = [
        [5, 3, 1.0, 0.5],          # 0: never reaches 0.1; final 0.5
        [5, 0.05, 0.01],           # 1: reaches at t = 1, final 0.01
        [5, 4, 3, np.inf],         # 2: diverged
        [5, 0.08, 0.09, 0.02],     # 3: reaches at t = 1 too, final 0.02: after run 1
        [5, 1.0, 0.2],             # 4: never; final 0.2: before run 0
        [5, 0.05, 0.01],           # 5: identical to run 1: race order keeps it after
        [5, 0.0001, 0.0],          # 6: reached at t = 1 but left the view: a failure
        [5, 2, 0.09],              # 7: reaches at t = 2
    ]
    status = [R, C, D, R, R, C, L, R]
    board = rank_runs(losses, status, [-1, 0, -1, -1, -1, 0, -1, -1], tol=0.1, reference=0.0)
    assert board.order == [1, 5, 3, 7, 4, 0, 2, 6]
    assert [e.steps_to_tolerance for e in board.entries] == [1, 1, 1, 2, None, None, None, 1]


def test_reaching_the_tolerance_counts_only_if_the_run_stays():
    """Hand-made histories (J* = 0, tol = 0.1): the step from which every later loss is ≤ tol."""
    assert steps_to_tolerance([5, 0.05, 3.0, 2.0], 0.1, 0.0) is None  # touched once, then left
    assert first_touch([5, 0.05, 3.0, 2.0], 0.1, 0.0) == 1
    assert steps_to_tolerance([5, 0.05, 3.0, 0.09, 0.02], 0.1, 0.0) == 3  # came back and stayed
    assert steps_to_tolerance([0.01, 0.02], 0.1, 0.0) == 0  # inside from the start
    assert steps_to_tolerance([5, 0.05, np.nan], 0.1, 0.0) is None  # NaN is outside
    assert steps_to_tolerance([], 0.1, 0.0) is None
    assert steps_to_tolerance([3.0, 2.0, 0.5, 0.1], 0.5) == 2  # without a reference: J itself
    assert steps_to_tolerance([3.0, 2.0, 0.5, 0.1], 0.5, reference=-1.0) is None  # 0.1 − (−1) > 0.5
    assert steps_to_tolerance([3.0, 2.0, -0.5, -0.9], 0.5, reference=-1.0) == 2
    R = Status.RUNNING
    losses = [
        [5, 0.01, 2.0, 1.5, 1.2],  # 0: touches at t = 1 (first of all), ends at 1.2: not settled
        [5, 3, 0.5, 0.08, 0.05],   # 1: settles at t = 3
        [5, 1, 0.6, 0.3, 0.2],     # 2: never within 0.1; final 0.2: before run 0
        [5, 0.09, 0.2, 0.07, 0.0], # 3: touches at 1, leaves, settles at 3 with a lower final loss than run 1
    ]
    board = rank_runs(losses, [R] * 4, [-1] * 4, tol=0.1, reference=0.0)
    assert board.order == [3, 1, 2, 0]
    assert [e.steps_to_tolerance for e in board.entries] == [3, 3, None, None]
    assert not board.by_final_loss and "to the end" in board.criterion()
    assert "stays" in board.rule() and "a touch does not count" in board.rule()


def test_without_a_known_minimum_runs_are_ranked_by_final_loss():
    """J* unknown: no tolerance test at all (even a run with J ≤ tol at step 1 gets no steps);
    lowest final loss first, runs that left the view among them, diverged ones last."""
    R, L, D = Status.RUNNING, Status.LEFT_VIEW, Status.DIVERGED
    losses = [[3.0, 0.4, -2.0], [3.0, -5.0], [3.0, 2.0, -30.0], [3.0, np.inf], [3.0, 1.0, 0.5]]
    board = rank_runs(losses, [R, L, L, D, R], [-1] * 5, tol=0.5)
    assert board.reference is None and board.by_final_loss and "unknown" in board.criterion()
    assert board.order == [2, 1, 0, 4, 3]  # −30, −5, −2, 0.5, then the diverged one
    assert all(e.steps_to_tolerance is None and e.gap is None for e in board.entries)
    assert [e.failed for e in board.entries] == [False] * 4 + [True]
    assert "No minimum J* is known" in board.rule() and "final loss" in board.rule()
    unbounded = rank_runs(losses, [R, L, L, D, R], [-1] * 5, tol=0.5, unbounded=True)
    assert unbounded.order == board.order and "unbounded below" in unbounded.rule()
    # "unbounded" only matters without J*: with a reference the tolerance ranking holds.
    assert not rank_runs(losses, [R] * 5, [-1] * 5, tol=0.5, reference=-100.0, unbounded=True).unbounded


def test_unbounded_below_tells_a_saddle_from_a_bowl():
    assert unbounded_below(get_surface("saddle")) and unbounded_below(get_surface("monkey_saddle"))
    assert not unbounded_below(get_surface("bowl"))  # it lists its minimum
    assert not unbounded_below(expression_surface("x^2 + y^2 + 3", view=(-2, 2, -2, 2)))  # bounded, J* not listed
    assert unbounded_below(expression_surface("x - y^2", view=(-2, 2, -2, 2)))


def test_scenario_7_ranks_the_run_that_stays_low_first():
    """The decaying-α SGD of scenario 7 against constant-α SGD, from the scenario's own race:
    constant α touches the tolerance first but ends ~100× further from J*; it must not win."""
    scenario = load_scenario(resource("scenarios/07-lr-schedule.json"))
    sim = scenario.simulation().run()
    ref = min(m.value for m in sim.surface.minima)
    tol = 1e-4
    loss = [sim.history.loss[: sim.length(k), k, 0] for k in range(sim.K)]
    constant, decaying = 0, 1
    assert scenario.runs[constant].schedule == "constant" and scenario.runs[decaying].schedule != "constant"
    # The situation of the issue: constant α touches the tolerance (first, or at all) …
    touch = [next((t for t, j in enumerate(values) if j - ref <= tol), None) for values in loss]
    assert touch[constant] is not None and (touch[decaying] is None or touch[constant] < touch[decaying])
    # … but ends far higher, and leaves the tolerance again.
    assert loss[constant][-1] - ref > 30 * (loss[decaying][-1] - ref)
    assert loss[constant][-1] - ref > tol
    board = leaderboard(sim, tol)
    assert board.order == [decaying, constant]
    by_run = {e.index: e for e in board.entries}
    assert by_run[constant].steps_to_tolerance is None


def test_the_saddle_is_ranked_by_final_loss_and_says_so():
    surface = get_surface("saddle")
    specs = [RunSpec("gd", {"learning_rate": 0.01}), RunSpec("momentum", {"learning_rate": 0.005}),
             RunSpec("rmsprop", {"learning_rate": 0.01}), RunSpec("adam", {"learning_rate": 0.01})]
    sim = Simulation(surface, specs, surface.start, max_steps=2000).run()
    board = leaderboard(sim)
    assert board.by_final_loss and board.unbounded and "unbounded below" in board.rule()
    finals = [float(sim.history.loss[sim.length(k) - 1, k, 0]) for k in range(sim.K)]
    assert board.order == sorted(range(sim.K), key=lambda k: finals[k])
    assert [e.final_loss for e in board.entries] == sorted(finals)
    assert all(e.steps_to_tolerance is None for e in board.entries)


def test_a_stopped_race_is_ranked_as_it_stands():
    surface = get_surface("rosenbrock")
    sim = Simulation(surface, [RunSpec("gd", {"learning_rate": 1e-3}), RunSpec("adam", {"learning_rate": 0.05})],
                     surface.start, max_steps=2000)
    sim.step(30)
    board = leaderboard(sim, 1e-4)
    assert {e.steps for e in board.entries} == {30}
    assert all(e.outcome == "running" for e in board.entries)  # stopped, not at the limit
    finals = {e.index: e.final_loss for e in board.entries}
    assert finals == {k: float(sim.loss[k, 0]) for k in range(2)}
    # Neither reached 1e-4 of J* = 0 in 30 steps: ordered by final loss.
    assert board.order == sorted(range(2), key=lambda k: sim.loss[k, 0])


def test_tolerance_must_be_a_number():
    with pytest.raises(ValueError, match="tolerance"):
        rank_runs([[1.0]], [Status.RUNNING], [-1], tol=-1)
    with pytest.raises(ValueError, match="tolerance"):
        rank_runs([[1.0]], [Status.RUNNING], [-1], tol=float("nan"))
