"""A race at one step: :class:`RaceFrame`, the one thing the views read.

The views read a race through a handful of attributes (``positions``, ``loss``, ``status``,
``length(k)``, ``path(k)``, ``history`` …) of a :class:`RaceFrame`: the live race as it stands
(:meth:`RaceFrame.now`, the simulation's own arrays at its newest step, nothing copied), or
any recorded step t, read from a recording: the simulation's own history (scrubbing back
through the race in the app) or an export's recorded race (:meth:`optviz.export.Race.at`,
through :class:`Recording`). So the same views draw the live race, a step of its past and an
exported frame from one type, without asking which they got and without recomputing a
single step. Runs that have taken fewer than t steps (one was
restarted by a slider, one stopped early) show their own latest step.

Example::

    sim = Simulation(get_surface("himmelblau"), [RunSpec("adam")], (0, 0), max_steps=100).run()
    frame = RaceFrame(sim, 10)
    frame.positions[0, 0]            # W_10 of run 0, as sim.history.positions[10, 0, 0]
"""

from __future__ import annotations

import numpy as np

from .simulation import Simulation, Status, describe_status


def latest_step(sim: Simulation) -> int:
    """The newest recorded step of any run: the end of the timeline."""
    return int(sim.steps.max())


class RaceFrame:
    """A read-only view of a recorded race as it stood after ``t`` steps (0 ≤ t ≤
    :func:`latest_step`). ``sim`` is a :class:`Simulation` that records its history, or a
    :class:`Recording` of a race recorded elsewhere.

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

    @classmethod
    def now(cls, sim: Simulation) -> "RaceFrame":
        """The race as it stands: the live simulation at its newest step, read through (its
        arrays, not copies, so a frame is to be drawn at once; ``active`` and ``finished`` are
        the simulation's)."""
        frame = cls.__new__(cls)
        frame.sim = sim
        frame.t = latest_step(sim)
        frame.live = True
        for name in ("steps", "positions", "loss", "full_grad", "status", "minimum", "cloud"):
            setattr(frame, name, getattr(sim, name))
        return frame

    live = False  #: the race as it stands (:meth:`now`), not a step of its recording

    def __getattr__(self, name: str):
        # Everything a frame does not override (K, N, specs, surface, history, …) is the simulation's.
        return getattr(self.sim, name)

    def length(self, k: int) -> int:
        """Recorded positions of run k up to this frame (its steps + 1)."""
        return int(self.steps[k]) + 1

    def active(self) -> np.ndarray:
        if self.live:
            return self.sim.active()
        return np.zeros(self.sim.K, dtype=bool)  # the past does not move

    @property
    def finished(self) -> bool:
        return bool(self.sim.finished) if self.live else True

    def path(self, k: int, i: int = 0) -> np.ndarray:
        if self.live:
            return self.sim.path(k, i)
        return self.sim.path(k, i)[: self.length(k)]

    def describe(self, k: int, i: int = 0) -> str:
        return describe_status(self.status[k, i], self.minimum[k, i])


class Recording:
    """A race recorded as plain arrays (start point 0 of every run), in the shape a
    :class:`RaceFrame` reads: what an export's race hands the views.

    Args:
        positions: W_t of run k, (T+1, K, 2); loss and grad_norm (T+1, K); NaN after a run stopped.
        lengths: recorded positions of each run (its steps + 1), (K,).
        status, minimum: each run's final classification (K,); a run is running before its
            last recorded step, as in the simulation it was recorded from.
        other: attributes read through (the surface, the specs …), or None.
    """

    def __init__(self, positions, loss, grad_norm, lengths, status, minimum, other=None) -> None:
        T1, K = loss.shape
        self.K, self.M = K, 1
        self.steps = np.asarray(lengths, dtype=np.int64) - 1
        self.history = _RecordedHistory(positions, loss, grad_norm, self.steps, status, minimum)
        self._other = other

    def __getattr__(self, name: str):
        if name.startswith("_") or self._other is None:
            raise AttributeError(name)
        return getattr(self._other, name)

    def path(self, k: int, i: int = 0) -> np.ndarray:
        return self.history.positions[: int(self.steps[k]) + 1, k, i]


class _RecordedHistory:
    """``history`` of a :class:`Recording`: arrays (T+1, K, 1[, 2]) as the views index them."""

    def __init__(self, positions, loss, grad_norm, last, status, minimum) -> None:
        T1, K = loss.shape
        self.positions = positions[:, :, None, :]
        self.loss = loss[:, :, None]
        self.grad_norm = grad_norm[:, :, None]
        self.full_grad = np.full((T1, K, 1, 2), np.nan)  # not recorded
        self.status = np.full((T1, K, 1), Status.RUNNING, dtype=np.int8)  # until the last step
        self.minimum = np.full((T1, K, 1), -1, dtype=np.int16)
        runs = np.arange(K)
        self.status[last, runs, 0] = status
        self.minimum[last, runs, 0] = minimum
        self.cloud = None


def recent_cloud(sim, k: int, count: int) -> np.ndarray:
    """Every start point of run k over its last ``count`` + 1 recorded steps, oldest first,
    shape (≤ count + 1, N, 2): a swarm's dots and their fading tails. ``sim`` may be a
    :class:`Simulation` or a :class:`RaceFrame`."""
    h = sim.history
    end = sim.length(k)
    begin = max(0, end - 1 - int(count))
    source = h.cloud if h.cloud is not None else h.positions
    return source[begin:end, k]
