"""Every learning rate of resources/learning_rates.json gives a run that settles over the app's
default race (issue 10, item 2: with the old table RMSProp ended in a 2-cycle across the valley
on Rosenbrock, Himmelblau, two wells, Rastrigin, Beale, the ravine and logistic BCE).

For each preset × optimizer, a :class:`Simulation` with the tabled α runs the app's default
budget (``RaceModel.max_steps``, 2,000 steps) from the preset's start, and the last 20 % of its
recorded losses are read by hand here (not by the tuner):

* it does not diverge or leave the view;
* **no 2-cycle** (full-batch runs): the loss rises on at most 10 % of the tail steps (a 2-cycle
  rises on every other step). Stochastic runs (SGD, mini-batch) are exempt: their full-batch
  loss rises on about half the steps at any constant α, from the sampling noise alone;
* **not stuck far from the bottom of its basin**: the basin's minimum is found independently
  by a damped Newton polish from the run's last point (the listed minimum's value when the
  polish ends at one); the worst tail loss is within 5 % of the run's descent from J(W₀) to
  that minimum for full-batch runs, within 10 % for stochastic runs (their noise band);
* the tail spans at most 10 % of that descent (a noise cloud or a run still on its way is not
  settled).

Not checked, and why:

* the saddles (``saddle``, ``monkey_saddle``): J is unbounded below and every run is meant to
  leave the view downhill (their rows are set by hand for the escape story);
* :data:`CANNOT_SETTLE`: on the MAE loss, whose minimum is a kink, full-batch GD and RMSProp
  at a constant α rattle around the minimum at every α (the step never shrinks: the gradient
  keeps its size up to the kink, and RMSProp divides it by its own size). Only a decaying αₜ
  settles them; the preset's caption says so. The test checks that they do rattle, so the
  exclusion cannot hide a run that would settle. (Momentum and Nesterov at a small α, and the
  stochastic runs within their noise band, do settle there over the race's length.)
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from optviz.app.window.model import RaceModel
from optviz.core import OPTIMIZERS, RunSpec, Simulation, Status, get_surface
from optviz.core.risk import as_risk
from optviz.paths import resource

STEPS = RaceModel("bowl").max_steps  # the app's default race length
TAIL = 0.2
RISE_LIMIT = 0.10
GAP_LIMIT = {"deterministic": 0.05, "stochastic": 0.10}
BAND_LIMIT = 0.10
UNBOUNDED = {"saddle", "monkey_saddle"}
#: (preset, optimizer) that no constant α settles, with the reason (see the module docstring).
CANNOT_SETTLE = {
    ("linreg_mae", "gd"): "MAE's minimum is a kink: full-batch GD rattles across it at any constant α",
    ("linreg_mae", "rmsprop"): "MAE's kink: RMSProp's normalised step never shrinks there, so it rattles",
    ("linreg_mae", "nadam"): "MAE's kink: NAdam's normalised step, like RMSProp's, rattles across it (within 0.01 %)",
}

TABLE = json.loads(resource("learning_rates.json").read_text())
CASES = [(preset, opt) for preset, row in TABLE.items() if preset not in UNBOUNDED for opt in row]


def polish(surface, w, iterations: int = 400):
    """The bottom of the basin the point ``w`` is in: damped Newton steps (a gradient step where
    the Hessian is not positive definite), each with a backtracking line search on J."""
    w = np.asarray(w, dtype=float).copy()

    def f(p):
        with np.errstate(all="ignore"):
            return float(surface.f(p))

    for _ in range(iterations):
        g = surface.grad(w)
        if not np.isfinite(g).all() or np.linalg.norm(g) < 1e-13:
            break
        h = surface.hessian(w)
        direction = -g
        try:
            if np.linalg.eigvalsh(h)[0] > 0:
                direction = -np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            pass
        slope = float(g @ direction)
        t, j = 1.0, f(w)
        while t > 1e-14 and not f(w + t * direction) <= j + 1e-4 * t * slope:
            t *= 0.5
        if t <= 1e-14:
            break
        w = w + t * direction
    value = f(w)
    for m in surface.minima:  # at a listed minimum: its exact value
        if np.hypot(w[0] - m.location[0], w[1] - m.location[1]) < 1e-3 * surface.view.diagonal:
            value = min(value, float(m.value))
    return w, value


def tail_numbers(losses):
    """By hand over J(W_0) … J(W_T) (a run that stopped early holds its last loss): the tail's
    losses, the fraction of its steps on which the loss rose above rounding."""
    values = list(losses) + [losses[-1]] * (STEPS + 1 - len(losses))
    m = int(np.ceil(TAIL * STEPS))
    tail = np.array(values[STEPS - m:])
    rounding = 1e-9 * max(1.0, abs(values[0]))
    rises = float(np.mean(np.diff(tail) > rounding))
    return tail, rises


def test_the_table_covers_every_preset_and_optimizer():
    from optviz.core import surface_keys

    assert set(TABLE) == set(surface_keys())
    for preset, row in TABLE.items():
        assert set(row) == set(OPTIMIZERS), preset
    assert set(CANNOT_SETTLE) <= {(p, o) for p, row in TABLE.items() for o in row}


@pytest.mark.parametrize("preset,optimizer", CASES)
def test_the_tabled_rate_settles_over_the_default_race(preset, optimizer):
    surface = get_surface(preset)
    alpha = TABLE[preset][optimizer]
    spec = RunSpec(optimizer, {"learning_rate": alpha})
    n = as_risk(surface).n
    stochastic = spec.effective_batch_size(n) < n
    sim = Simulation(surface, [spec], surface.start, max_steps=STEPS).run()
    status = Status(int(sim.status[0, 0]))
    assert status not in (Status.DIVERGED, Status.LEFT_VIEW), f"α = {alpha}: {sim.describe(0)}"
    losses = sim.history.loss[: sim.length(0), 0, 0]
    tail, rises = tail_numbers(losses)
    _, bottom = polish(surface, sim.positions[0, 0])
    descent = float(losses[0]) - bottom
    assert descent > 0
    worst_gap = (tail.max() - bottom) / descent
    band = (tail.max() - tail.min()) / descent
    report = (f"{preset}/{optimizer} α = {alpha}: rises on {rises:.0%} of the tail steps, worst tail gap "
              f"{worst_gap:.2%} of the descent, band {band:.2%}, {sim.describe(0)}")
    if (preset, optimizer) in CANNOT_SETTLE:
        # The exclusion must be true: this run does rattle (else the entry belongs in the test).
        assert rises > RISE_LIMIT, report
        return
    if not stochastic:
        assert rises <= RISE_LIMIT, report
    assert worst_gap <= GAP_LIMIT["stochastic" if stochastic else "deterministic"], report
    assert band <= BAND_LIMIT, report


def test_the_old_table_failed_this_test():
    """The rows the issue reports (RMSProp with the rates of the last table): a 2-cycle at 2,000
    steps. Kept as numbers here so the test above is known to be able to fail."""
    old = {"rosenbrock": 0.056, "himmelblau": 0.18, "ravine": 0.056}
    for preset, alpha in old.items():
        surface = get_surface(preset)
        sim = Simulation(surface, [RunSpec("rmsprop", {"learning_rate": alpha})], surface.start,
                         max_steps=STEPS).run()
        _, rises = tail_numbers(sim.history.loss[: sim.length(0), 0, 0])
        assert rises > RISE_LIMIT, preset
