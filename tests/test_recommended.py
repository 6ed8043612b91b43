"""The shipped learning-rate table: complete, in range, and calm on its own preset."""

import numpy as np
import pytest

from optviz.core import OPTIMIZERS, RunSpec, Status, get_surface, simulate, surface_keys
from optviz.core.recommended import recommended_learning_rate
from optviz.core.tuning import log_grid, sweep_learning_rate

UNBOUNDED = {"saddle", "monkey_saddle"}  # no minimum: leaving the view is the expected ending


@pytest.mark.parametrize("preset", surface_keys())
def test_recommended_rates_do_not_blow_up_on_their_preset(preset):
    s = get_surface(preset)
    keys = list(OPTIMIZERS)
    rates = [recommended_learning_rate(preset, k) for k in keys]
    assert all(r is not None and 1e-5 <= r <= 10 for r in rates), rates
    sim = simulate(s, [RunSpec(k, {"learning_rate": r}) for k, r in zip(keys, rates)], s.start, steps=300)
    bad = {Status.DIVERGED} if preset in UNBOUNDED else {Status.DIVERGED, Status.LEFT_VIEW}
    for k, key in enumerate(keys):
        assert sim.status[k, 0] not in bad, (key, sim.describe(k))
        if preset not in UNBOUNDED:
            assert sim.loss[k, 0] < s.f(np.array(s.start)), key


def test_gd_sweep_finds_the_stability_edge_of_a_quadratic():
    """GD on λ/2·x²: α < 2/λ converges, α > 2/λ diverges; the best α on a grid is the one
    nearest 1/λ (one step to the minimum)."""
    s = get_surface("bowl")  # 0.5·(x² + y²): λ = 1
    grid = log_grid(0.05, 5.0, 41)
    sweep = sweep_learning_rate(s, RunSpec("gd"), s.start, grid=grid, steps=50)
    assert not sweep.failed[grid < 1.9].any()
    assert sweep.failed[grid > 2.1].all()
    assert sweep.best == pytest.approx(grid[np.argmin(np.abs(np.log(grid)))])
