"""The finish leaderboard against closed forms (GD on a quadratic) and hand-made histories."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optviz.core import RunSpec, Simulation, Status, expression_surface, get_surface
from optviz.core.leaderboard import leaderboard, rank_runs, steps_to_tolerance

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


def test_without_a_known_minimum_the_test_is_the_loss_itself():
    assert steps_to_tolerance([3.0, 2.0, 0.5, 0.1], 0.5) == 2
    assert steps_to_tolerance([3.0, 2.0, 0.5, 0.1], 0.5, reference=-1.0) is None  # 0.1 − (−1) > 0.5
    assert steps_to_tolerance([3.0, 2.0, -0.5, -0.9], 0.5, reference=-1.0) == 2
    board = rank_runs([[3.0, 0.4], [3.0, 2.0]], [Status.RUNNING, Status.RUNNING], [-1, -1], tol=0.5)
    assert board.reference is None and "unknown" in board.criterion()
    assert board.entries[0].steps_to_tolerance == 1 and board.entries[0].gap is None


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
