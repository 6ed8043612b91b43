"""The finish leaderboard: who reached the bottom first, and how each run ended.

For every run of a finished (or stopped) race:

* **Steps to tolerance**: the first step t with J(W_t) − J* ≤ ``tol``, where J* is the
  surface's global minimum value when known (the lowest of its listed minima); on a surface
  without known minima the test is J(W_t) ≤ ``tol``. W_0 counts (t = 0 if the start already
  qualifies). None if the run never got there. For stochastic runs the loss is the full-batch
  J, and the first crossing counts even if the noise lifts it again later.
* **Final loss**: J at the run's last step; **outcome**: its status in words
  (:func:`~optviz.core.simulation.describe_status`: "converged to minimum 2", "diverged"…),
  or "step limit" when it was still moving when the budget ran out.

Ranking (rank 1 is best; ranks are unique):

1. Runs that reached the tolerance, fewest steps first;
2. then the runs that did not (but did not fail), lowest final loss first;
3. then the runs that failed (diverged or left the view), last, in race order.

Ties: equal steps are ordered by the lower final loss; exactly equal keys keep the race order
(the earlier run ranks higher). A NaN final loss sorts after every number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .simulation import Simulation, Status, describe_status
from .surface import Surface
from .tuning import reference_loss

#: The default tolerance on J − J*.
DEFAULT_TOLERANCE = 1e-4
FAILED = (Status.DIVERGED, Status.LEFT_VIEW)


@dataclass(frozen=True)
class Entry:
    """One row of the leaderboard."""

    rank: int  #: 1 = best
    index: int  #: the run's position in the race
    title: str
    steps_to_tolerance: int | None  #: first t with the gap ≤ tol (None: never)
    final_loss: float  #: J at the last step
    gap: float | None  #: final J − J* (None when J* is unknown)
    steps: int  #: steps the run took
    status: int  #: its :class:`Status`
    minimum: int  #: index of the minimum it converged to (-1: none or unlisted)
    outcome: str  #: the status in words

    @property
    def reached(self) -> bool:
        return self.steps_to_tolerance is not None

    @property
    def converged(self) -> bool:
        return self.status == Status.CONVERGED

    @property
    def failed(self) -> bool:
        return self.status in FAILED


@dataclass(frozen=True)
class Leaderboard:
    """The ranked runs (``entries``, rank order) and how they were measured."""

    entries: tuple[Entry, ...]
    tolerance: float
    reference: float | None  #: J* (None: unknown, so the test is J ≤ tol)

    @property
    def order(self) -> list[int]:
        """Run indices in rank order."""
        return [e.index for e in self.entries]

    def criterion(self) -> str:
        """The tolerance test in words, e.g. "J − J* ≤ 0.0001"."""
        tol = f"{self.tolerance:.3g}"
        return f"J − J* ≤ {tol}" if self.reference is not None else f"J ≤ {tol} (J* unknown)"


def steps_to_tolerance(losses, tol: float, reference: float | None = None) -> int | None:
    """The first index t with ``losses[t] − reference ≤ tol`` (``losses[t] ≤ tol`` without a
    reference), or None."""
    values = np.asarray(losses, dtype=float)
    if reference is not None:
        values = values - reference
    with np.errstate(invalid="ignore"):
        hit = np.flatnonzero(values <= tol)
    return int(hit[0]) if hit.size else None


def rank_runs(losses: Sequence, status: Sequence[int], minimum: Sequence[int], *, tol: float = DEFAULT_TOLERANCE,
              reference: float | None = None, titles: Sequence[str] | None = None,
              max_steps: int | None = None) -> Leaderboard:
    """Rank runs from their loss histories: ``losses[k]`` is J(W_0) … J(W_t) of run k (its
    steps taken: len − 1), ``status[k]``/``minimum[k]`` its classification. ``max_steps``
    lets a run still moving at the limit read "step limit". See the module docstring."""
    if not (isinstance(tol, (int, float, np.floating)) and math.isfinite(tol) and tol >= 0):
        raise ValueError(f"the tolerance must be a finite number >= 0, got {tol!r}")
    K = len(losses)
    titles = list(titles) if titles is not None else [f"run {k + 1}" for k in range(K)]
    rows = []
    for k in range(K):
        values = np.asarray(losses[k], dtype=float)
        steps = max(len(values) - 1, 0)
        final = float(values[-1]) if len(values) else float("nan")
        st = Status(int(status[k]))
        t = steps_to_tolerance(values, tol, reference)
        outcome = describe_status(st, int(minimum[k]))
        if st in (Status.RUNNING, Status.STALLED) and max_steps is not None and steps >= max_steps:
            outcome = "step limit" if st is Status.RUNNING else "stalled at a saddle (step limit)"
        gap = None if reference is None else final - reference
        rows.append((k, titles[k], t, final, gap, steps, st, int(minimum[k]), outcome))

    def key(row):
        k, _, t, final, *_rest = row
        st = row[6]
        loss_key = (1, 0.0) if math.isnan(final) else (0, final)
        if st in FAILED:
            return (2, 0, (0, 0.0), k)
        if t is not None:
            return (0, t, loss_key, k)
        return (1, 0, loss_key, k)

    ranked = sorted(rows, key=key)
    entries = tuple(Entry(rank, k, title, t, final, gap, steps, int(st), m, outcome)
                    for rank, (k, title, t, final, gap, steps, st, m, outcome) in enumerate(ranked, start=1))
    return Leaderboard(entries, float(tol), reference)


def leaderboard(sim: Simulation, tol: float = DEFAULT_TOLERANCE, *, titles: Sequence[str] | None = None,
                point: int = 0, surface: Surface | None = None) -> Leaderboard:
    """The leaderboard of a recorded Simulation (start point ``point``) as it stands."""
    if sim.history is None:
        raise ValueError("the leaderboard needs the recorded history (record=True)")
    losses = [sim.history.loss[: sim.length(k), k, point] for k in range(sim.K)]
    titles = titles if titles is not None else [spec.title for spec in sim.specs]
    return rank_runs(losses, sim.status[:, point], sim.minimum[:, point], tol=tol,
                     reference=reference_loss(surface or sim.surface), titles=titles, max_steps=sim.max_steps)


__all__ = ["DEFAULT_TOLERANCE", "Entry", "Leaderboard", "leaderboard", "rank_runs", "steps_to_tolerance"]
