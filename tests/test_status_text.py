"""The words for how a run ended: plain, the same in the readouts, the leaderboard and exports."""

import numpy as np

from optviz.core import RunSpec, Simulation, Status, describe_status, get_surface
from optviz.core.leaderboard import leaderboard


def rastrigin_hessian(p, h=1e-4):
    """∇²J of Rastrigin by central differences of J itself (independent of the code's gradient)."""
    def f(q):
        return 20 + q[0] ** 2 + q[1] ** 2 - 10 * (np.cos(2 * np.pi * q[0]) + np.cos(2 * np.pi * q[1]))

    e = np.eye(2) * h
    return np.array([[(f(p + e[i] + e[j]) - f(p + e[i] - e[j]) - f(p - e[i] + e[j]) + f(p - e[i] - e[j]))
                      / (4 * h * h) for j in range(2)] for i in range(2)])


def test_a_stop_in_an_unlisted_local_minimum_is_said_plainly():
    surface = get_surface("rastrigin")
    sim = Simulation(surface, [RunSpec("gd", {"learning_rate": 0.002})], surface.start, max_steps=5000).run()
    assert sim.status[0, 0] == Status.CONVERGED and sim.minimum[0, 0] == -1
    head = sim.positions[0, 0]
    # Independently: a local minimum (positive-definite Hessian), not the listed global one at (0, 0).
    assert np.linalg.eigvalsh(rastrigin_hessian(head))[0] > 0 and np.hypot(*head) > 1
    assert sim.describe(0) == "converged to a local minimum"
    board = leaderboard(sim, titles=["GD"])
    assert board.entries[0].outcome == "converged to a local minimum"
    for k in range(len(Status)):
        for m in (-1, 0, 2):
            text = describe_status(k, m)
            assert "unlisted" not in text and "(" not in text


def test_the_other_words_are_unchanged():
    assert describe_status(Status.CONVERGED, 1) == "converged to minimum 2"
    assert describe_status(Status.DIVERGED) == "diverged"
    assert describe_status(Status.LEFT_VIEW) == "left the view"
    assert describe_status(Status.STALLED) == "stalled at a saddle"
    assert describe_status(Status.RUNNING) == "running"
