"""The finish leaderboard: who got to the bottom first *and stayed there*, and how each run ended.

Two ways of ranking, chosen by what is known about the loss:

**J* known** (the surface lists its minima; J* is the lowest of their values). For every run:

* **Settled at**: the first step t from which J(W_s) − J* ≤ ``tol`` holds for *every* later
  step s up to the run's last one: it reached the tolerance and stayed within it. W_0 counts
  (t = 0 if the whole history qualifies). None if the run's last loss is outside the
  tolerance. A run that touches the tolerance once and leaves again has not settled there:
  constant-α SGD that dips into the tolerance on one lucky sample and then bounces around ten
  times higher does not beat a run that comes down and stays. (For stochastic runs the loss
  is the full-batch J.)
* **Final loss**: J at the run's last step; **outcome**: its status in words
  (:func:`~optviz.core.simulation.describe_status`: "converged to minimum 2", "diverged"…),
  or "step limit" when it was still moving when the budget ran out.

Ranking (rank 1 is best; ranks are unique):

1. runs that settled, earliest first (equal steps: the lower final loss first);
2. then the runs that did not (but did not fail), lowest final loss first;
3. then the runs that failed (diverged or left the view), last, in race order.

**J* unknown** (no minimum is listed: a saddle, the monkey saddle, a custom function whose
minima were not found). "Steps to a tolerance of J*" means nothing there, and where J is
unbounded below (:func:`unbounded_below`) every run that goes downhill leaves the view in
the end. Runs are ranked by **final loss**, lowest first; only diverged runs (non-finite,
exploded) go last, in race order: leaving the view downhill is how a race on such a surface
ends. :meth:`Leaderboard.rule` says which ranking was used, in words for the dock and exports.

Ties: exactly equal keys keep the race order (the earlier run ranks higher). A NaN final loss
sorts after every number.
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
#: How far beyond the view box :func:`unbounded_below` looks (the box grown this many times).
UNBOUNDED_REACH = 4.0


@dataclass(frozen=True)
class Entry:
    """One row of the leaderboard."""

    rank: int  #: 1 = best
    index: int  #: the run's position in the race
    title: str
    steps_to_tolerance: int | None  #: the step from which J − J* ≤ tol to the end (None: not settled, or J* unknown)
    final_loss: float  #: J at the last step
    gap: float | None  #: final J − J* (None when J* is unknown)
    steps: int  #: steps the run took
    status: int  #: its :class:`Status`
    minimum: int  #: index of the minimum it converged to (-1: none or unlisted)
    outcome: str  #: the status in words
    failed: bool = False  #: ranked last for failing (see the module docstring)

    @property
    def reached(self) -> bool:
        """Did it settle within the tolerance (reach it and stay)?"""
        return self.steps_to_tolerance is not None

    @property
    def converged(self) -> bool:
        return self.status == Status.CONVERGED


@dataclass(frozen=True)
class Leaderboard:
    """The ranked runs (``entries``, rank order) and how they were measured."""

    entries: tuple[Entry, ...]
    tolerance: float
    reference: float | None  #: J* (None: unknown, so runs are ranked by final loss)
    unbounded: bool = False  #: J is unbounded below (only meaningful when J* is unknown)

    @property
    def order(self) -> list[int]:
        """Run indices in rank order."""
        return [e.index for e in self.entries]

    @property
    def by_final_loss(self) -> bool:
        """Ranked by final loss alone (J* unknown)?"""
        return self.reference is None

    def criterion(self) -> str:
        """The test in words, e.g. "J − J* ≤ 0.0001 to the end", or the ranking without one."""
        if self.by_final_loss:
            return "J unbounded below: by final loss" if self.unbounded else "J* unknown: by final loss"
        return f"J − J* ≤ {self.tolerance:.3g} to the end"

    def rule(self) -> str:
        """One plain sentence on how the rows are ranked (shown under the table)."""
        if self.by_final_loss:
            why = ("J is unbounded below here (no minimum to reach)" if self.unbounded
                   else "No minimum J* is known here")
            return f"{why}: ranked by final loss, lowest first; diverged runs last."
        return (f"Ranked by the step from which J − J* stays ≤ {self.tolerance:.3g} to the end (a touch does not "
                "count), then by final loss; runs that diverged or left the view last.")


def short_outcome(outcome: str) -> str:
    """An outcome in a few words for a table cell ("converged to minimum 2" → "converged, min 2");
    tables keep the full words in a tooltip or the legend."""
    return (outcome.replace("converged to minimum", "converged, min")
            .replace("converged to a local minimum", "local minimum")
            .replace("stalled at a saddle (step limit)", "stalled (step limit)"))


def steps_to_tolerance(losses, tol: float, reference: float | None = None) -> int | None:
    """The first index t from which ``losses[s] − reference ≤ tol`` holds for every s ≥ t
    (``losses[s] ≤ tol`` without a reference): reached *and stayed*. None if the last loss
    is outside (or there are no losses)."""
    values = np.asarray(losses, dtype=float)
    if reference is not None:
        values = values - reference
    with np.errstate(invalid="ignore"):
        outside = np.flatnonzero(~(values <= tol))  # NaN counts as outside
    if values.size == 0 or (outside.size and outside[-1] == values.size - 1):
        return None
    return int(outside[-1]) + 1 if outside.size else 0


def first_touch(losses, tol: float, reference: float | None = None) -> int | None:
    """The first index t with ``losses[t] − reference ≤ tol`` whether or not it stays (None: never)."""
    values = np.asarray(losses, dtype=float)
    if reference is not None:
        values = values - reference
    with np.errstate(invalid="ignore"):
        hit = np.flatnonzero(values <= tol)
    return int(hit[0]) if hit.size else None


def unbounded_below(surface: Surface, reach: float = UNBOUNDED_REACH, samples: int = 64) -> bool:
    """Does J keep falling beyond the view, with no minimum listed? True when the surface
    lists no minimum and J somewhere on the border of the view box grown ``reach`` times is
    lower than anywhere on a ``samples`` × ``samples`` grid over the view box (J = x² − y²:
    −64 on the border of the 4× box of [−2, 2]², −4 inside). A numerical hint, not a proof;
    it only picks the wording of the leaderboard."""
    if surface.minima:
        return False
    box = surface.view
    xs, ys = np.linspace(box.xmin, box.xmax, samples), np.linspace(box.ymin, box.ymax, samples)
    inside = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    cx, cy = box.center
    hx, hy = reach * (box.xmax - box.xmin) / 2, reach * (box.ymax - box.ymin) / 2
    t = np.linspace(-1.0, 1.0, 4 * samples)
    border = np.concatenate([np.stack([cx + hx * t, np.full_like(t, cy - hy)], -1),
                             np.stack([cx + hx * t, np.full_like(t, cy + hy)], -1),
                             np.stack([np.full_like(t, cx - hx), cy + hy * t], -1),
                             np.stack([np.full_like(t, cx + hx), cy + hy * t], -1)])
    with np.errstate(all="ignore"):
        j_in, j_out = np.asarray(surface.f(inside), float), np.asarray(surface.f(border), float)
    j_in, j_out = j_in[np.isfinite(j_in)], j_out[np.isfinite(j_out)]
    return bool(j_in.size and j_out.size and j_out.min() < j_in.min())


def rank_runs(losses: Sequence, status: Sequence[int], minimum: Sequence[int], *, tol: float = DEFAULT_TOLERANCE,
              reference: float | None = None, titles: Sequence[str] | None = None,
              max_steps: int | None = None, unbounded: bool = False) -> Leaderboard:
    """Rank runs from their loss histories: ``losses[k]`` is J(W_0) … J(W_t) of run k (its
    steps taken: len − 1), ``status[k]``/``minimum[k]`` its classification. ``reference`` is
    J* (None: unknown, rank by final loss; ``unbounded`` then says J is unbounded below, for
    the wording). ``max_steps`` lets a run still moving at the limit read "step limit". See
    the module docstring."""
    if not (isinstance(tol, (int, float, np.floating)) and math.isfinite(tol) and tol >= 0):
        raise ValueError(f"the tolerance must be a finite number >= 0, got {tol!r}")
    K = len(losses)
    titles = list(titles) if titles is not None else [f"run {k + 1}" for k in range(K)]
    by_final = reference is None
    rows = []
    for k in range(K):
        values = np.asarray(losses[k], dtype=float)
        steps = max(len(values) - 1, 0)
        final = float(values[-1]) if len(values) else float("nan")
        st = Status(int(status[k]))
        t = None if by_final else steps_to_tolerance(values, tol, reference)
        outcome = describe_status(st, int(minimum[k]))
        if st in (Status.RUNNING, Status.STALLED) and max_steps is not None and steps >= max_steps:
            outcome = "step limit" if st is Status.RUNNING else "stalled at a saddle (step limit)"
        gap = None if reference is None else final - reference
        failed = (st is Status.DIVERGED or not math.isfinite(final)) if by_final else st in FAILED
        rows.append((k, titles[k], t, final, gap, steps, st, int(minimum[k]), outcome, failed))

    def key(row):
        k, _, t, final, _gap, _steps, _st, _m, _outcome, failed = row
        loss_key = (1, 0.0) if math.isnan(final) else (0, final)
        if failed:
            return (2, 0, (0, 0.0), k)
        if t is not None:
            return (0, t, loss_key, k)
        return (1, 0, loss_key, k)

    ranked = sorted(rows, key=key)
    entries = tuple(Entry(rank, k, title, t, final, gap, steps, int(st), m, outcome, failed)
                    for rank, (k, title, t, final, gap, steps, st, m, outcome, failed) in enumerate(ranked, start=1))
    return Leaderboard(entries, float(tol), reference, bool(unbounded) and by_final)


def leaderboard(sim: Simulation, tol: float = DEFAULT_TOLERANCE, *, titles: Sequence[str] | None = None,
                point: int = 0, surface: Surface | None = None) -> Leaderboard:
    """The leaderboard of a recorded Simulation (start point ``point``) as it stands."""
    if sim.history is None:
        raise ValueError("the leaderboard needs the recorded history (record=True)")
    surface = surface or sim.surface
    losses = [sim.history.loss[: sim.length(k), k, point] for k in range(sim.K)]
    titles = titles if titles is not None else [spec.title for spec in sim.specs]
    reference = reference_loss(surface)
    return rank_runs(losses, sim.status[:, point], sim.minimum[:, point], tol=tol, reference=reference,
                     titles=titles, max_steps=sim.max_steps,
                     unbounded=reference is None and unbounded_below(surface))


__all__ = ["DEFAULT_TOLERANCE", "Entry", "Leaderboard", "first_touch", "leaderboard", "rank_runs", "short_outcome",
           "steps_to_tolerance", "unbounded_below"]
