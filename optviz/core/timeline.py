"""Looking back at a race: the state of a recorded :class:`Simulation` at an earlier step.

The views read a simulation through a handful of attributes (``positions``, ``loss``,
``status``, ``length(k)``, ``history`` …). :class:`SimulationFrame` answers the same reads
from the recorded history at step t, so the same views scrub back and forth through a
race without recomputing a single step. Runs that have taken fewer than t steps (one was
restarted by a slider) show their own latest step.

Example::

    sim = Simulation(get_surface("himmelblau"), [RunSpec("adam")], (0, 0), max_steps=100).run()
    frame = SimulationFrame(sim, 10)
    frame.positions[0, 0]            # W_10 of run 0, as sim.history.positions[10, 0, 0]
"""

from __future__ import annotations

import numpy as np

from .simulation import Simulation, describe_status


def latest_step(sim: Simulation) -> int:
    """The newest recorded step of any run: the end of the timeline."""
    return int(sim.steps.max())


class SimulationFrame:
    """A read-only view of ``sim`` as it stood after ``t`` steps (0 ≤ t ≤ :func:`latest_step`).

    Attributes mirror :class:`Simulation`: ``steps`` (per run, ``min(t, sim.steps[k])``),
    ``positions`` (K, M, 2), ``loss`` and ``status`` and ``minimum`` (K, M), ``full_grad``
    (K, M, 2), and ``history``, ``length(k)``, ``describe(k)``; everything else (``K``,
    ``specs``, ``surface``, ``risk`` …) is the simulation's own. M is the number of points
    with a full history (all of them, except in a swarm: see ``Simulation(record_points=)``);
    ``cloud`` holds every point's position at t (K, N, 2; float32 in a swarm).
    """

    def __init__(self, sim: Simulation, t: int) -> None:
        if sim.history is None:
            raise ValueError("a simulation without a recorded history (record=False) cannot be scrubbed")
        if isinstance(t, bool) or int(t) != t or not 0 <= int(t) <= latest_step(sim):
            raise ValueError(f"step must be a whole number from 0 to {latest_step(sim)}, got {t!r}")
        self.sim = sim
        self.t = int(t)
        h = sim.history
        self.steps = np.minimum(sim.steps, self.t)
        runs = np.arange(sim.K)
        self.positions = h.positions[self.steps, runs]
        self.loss = h.loss[self.steps, runs]
        self.full_grad = h.full_grad[self.steps, runs]
        self.status = h.status[self.steps, runs]
        self.minimum = h.minimum[self.steps, runs]
        self.cloud = h.cloud[self.steps, runs] if h.cloud is not None else self.positions

    def __getattr__(self, name: str):
        # Everything a frame does not override (K, N, specs, surface, history, …) is the simulation's.
        return getattr(self.sim, name)

    def length(self, k: int) -> int:
        """Recorded positions of run k up to this frame (its steps + 1)."""
        return int(self.steps[k]) + 1

    def active(self) -> np.ndarray:
        return np.zeros(self.sim.K, dtype=bool)  # the past does not move

    @property
    def finished(self) -> bool:
        return True

    def path(self, k: int, i: int = 0) -> np.ndarray:
        return self.sim.path(k, i)[: self.length(k)]

    def describe(self, k: int, i: int = 0) -> str:
        return describe_status(self.status[k, i], self.minimum[k, i])


def recent_cloud(sim, k: int, count: int) -> np.ndarray:
    """Every start point of run k over its last ``count`` + 1 recorded steps, oldest first,
    shape (≤ count + 1, N, 2): a swarm's dots and their fading tails. ``sim`` may be a
    :class:`Simulation` or a :class:`SimulationFrame`."""
    h = sim.history
    end = sim.length(k)
    begin = max(0, end - 1 - int(count))
    source = h.cloud if h.cloud is not None else h.positions
    return source[begin:end, k]
