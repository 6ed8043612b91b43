"""Learning-rate sweeps: "try a bunch of values on a log scale and use the one that gave the
best final result" (the lecture's advice), scored so that the chosen α gives a run that
*settles*, the same way for every α and every run.

"Best" used to mean the lowest loss at the last step. That picked rates right at the
divergence cliff, and rates whose run ends in a 2-cycle across a valley (the loss alternately
up and down, never arriving) whenever the last step happened to be the low one. The rules now:

* **Same budget.** Every α gets the same number of steps T from the same start point on the
  same loss (and, for stochastic entries, the same seeds: seed s draws the same mini-batch
  order whatever α is). A run that stops early (it converged) keeps its final loss.
* **Scored on the tail, not the last step.** The *tail* is the last ``TAIL_FRACTION`` (20 %)
  of the budget: the losses J(W_t) for t = T − m … T, m = ⌈0.2·T⌉ (at least 1). The score is
  the **worst** (highest) full-batch loss in the tail, the **mean over seeds** for stochastic
  entries (B < n). A run in a 2-cycle scores its high value; a run that has arrived scores
  its final loss. It is a loss, not the distance to a minimum somebody chose: a run that ends
  in another minimum of equal depth scores the same, one in a shallower minimum worse.
* **A run that has not settled loses.** A run is *unsettled* when, in the tail,

  - its loss still *rises often* (deterministic runs): a step rises when J(W_t) − J(W_{t−1})
    exceeds ``RISE_RTOL · max(1, |J(W₀)|)`` (rounding is not a rise), and the loss rises on
    more than ``RISE_LIMIT`` (2 %) of the tail steps. A 2-cycle across a valley rises on half
    the steps. Stochastic entries are exempt from this count: their full-batch loss goes up
    on about half the steps at *any* constant α (the mini-batch noise), so it says nothing;
  - or its loss *spans a wide band*: the highest minus the lowest tail loss is more than
    ``BAND_LIMIT`` (5 %) of the way the run came down (J(W₀) − the lowest tail loss). That
    is a run still far from arriving, or a stochastic run whose noise cloud (it grows with
    α) bounces it around, or hops it between basins.

  For stochastic entries the numbers of the worst seed count. Every settled α ranks before
  every unsettled one, whatever their scores: a run in a 2-cycle always loses to one that
  settles. If no α settles, the unsettled ones are ranked by their scores.
* **Failure.** An α *fails* if any seed diverges (non-finite, flies off, explodes), leaves
  the view box, or ends with a loss above its start (it is blowing up, only slowly). A failed
  α is never chosen. The *diverged region* is the set of failed α.
* **A margin below the divergence edge.** The *divergence edge* is where the stable range of
  small α ends: the first failing α above the smallest α that does not fail (narrowed by
  ``edge_rounds`` finer grids; the geometric midpoint of the last good and the first failed α
  tested). The chosen α is at most **edge / MARGIN, with MARGIN = 2**: α ≤ half the edge. For
  GD on a quadratic of curvature λ the edge is 2/λ and half of it is 1/λ, the step the descent
  lemma guarantees for an L-smooth loss (α ≤ 1/L); on a real loss the curvature along the
  path differs from the one at the start, and a rate at the cliff that happens to survive one
  race is one slider nudge from a blow-up. α in (edge/2, edge) is the *margin band*: swept
  and shown, never chosen. Without a failing α in the grid there is no edge and no cap.
* **Ties.** Scores within ``TIE_RTOL · max(1, |J(W₀)|)`` of each other count as equal (for
  example every α that reached the minimum); among those the α whose loss fell faster wins:
  the lower mean loss over the T steps (the area under the loss curve).
* **Refinement.** After the grid and the edge, the bracket around the best α (its two grid
  neighbours, the upper one at most the cap) is searched on finer log grids, ``refine``
  rounds of :data:`REFINE_POINTS` points, each round zooming into the neighbours of the
  round's best. On GD with a quadratic of curvature λ this lands on α = 1/λ (one step to the
  minimum; exactly half the edge at 2/λ).

In short, the best α is the one whose run settles lowest over the last fifth of the budget,
no closer than half-way to the divergence edge.

What these rules cannot fix: a loss that has no settled state at a constant α. On a kinked loss
(MAE: |r| has no curvature at its minimum) GD and SGD rattle around the minimum at *every*
constant α, with a band proportional to α; the rules then pick the α whose band is smallest
within the budget, and the honest remedy is a decaying schedule (αₜ → 0), not a tuned constant.

Everything is NumPy; a sweep is a few vectorized :class:`~optviz.core.Simulation` runs (all
α × seeds of one grid at once). ``progress(done, total)`` reports work in run-steps and
``cancelled()`` is polled between steps: when it returns True, :class:`TuningCancelled` is
raised and nothing is returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .risk import DEFAULT_SAMPLES, as_risk
from .simulation import RunSpec, Simulation, Status
from .surface import Surface

#: Tail scores this close (relative to max(1, |J(W₀)|)) are a tie, broken by the mean loss.
TIE_RTOL = 1e-12
#: The tail: this fraction of the budget's last steps is scored.
TAIL_FRACTION = 0.2
#: A rise smaller than this (relative to max(1, |J(W₀)|)) is rounding, not a rise.
RISE_RTOL = 1e-9
#: A deterministic run whose loss rises on more than this fraction of its tail steps is unsettled.
RISE_LIMIT = 0.02
#: A run whose tail losses span more than this fraction of its descent J(W₀) − min(tail) is unsettled.
BAND_LIMIT = 0.05
#: The chosen α is at most the divergence edge divided by this.
MARGIN = 2.0
#: Points per refinement round (odd: the previous best is the middle one).
REFINE_POINTS = 9
#: Default sweep: the lecture's log scale, 40 values from 1e-5 to 10.
GRID_LO, GRID_HI, GRID_COUNT = 1e-5, 10.0, 40
#: Default refinement rounds of :func:`tune_learning_rate` / :func:`tune_all` (the bracket
#: shrinks 4× per round: 8 rounds take the grid's factor-2 bracket to a relative 3e-5).
REFINE_ROUNDS = 8
EDGE_ROUNDS = 4

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class TuningCancelled(Exception):
    """The sweep was cancelled through its ``cancelled`` callback."""


def tail_length(steps: int) -> int:
    """m, the number of scored steps at the end of a budget of ``steps``: ⌈TAIL_FRACTION·T⌉, at least 1."""
    return max(1, math.ceil(TAIL_FRACTION * int(steps) - 1e-9))


@dataclass(frozen=True)
class Sweep:
    """The scores of one run spec over a grid of learning rates (and its refinement).

    Per grid α (shape (A,)): the mean final loss, failure, the tail score (the worst loss in
    the tail), the fraction of rising tail steps and whether the run is unsettled. The
    ``extra_*`` arrays hold the same for every further α of the edge search and the
    refinement. Fields after the first three have defaults so that code building a Sweep by
    hand keeps working.
    """

    learning_rates: np.ndarray  #: the α grid, shape (A,)
    final_loss: np.ndarray  #: mean final loss over seeds, +∞ where any seed failed, shape (A,)
    failed: np.ndarray  #: diverged, left the view or ended above its start for some seed, shape (A,)
    seed_loss: np.ndarray | None = None  #: final loss of every seed, shape (A, S) (inf/NaN where it failed)
    mean_loss: np.ndarray | None = None  #: mean over seeds of the mean loss over the steps (tie-break), (A,)
    start_loss: float = float("nan")  #: J(W₀)
    reference: float | None = None  #: J*, the surface's lowest known minimum (None: unknown)
    steps: int = 0  #: the step budget T
    seeds: int = 1  #: seeds averaged (1 for deterministic entries)
    #: The score: mean over seeds of the worst loss in the tail, +∞ where failed, shape (A,).
    #: None (a hand-made Sweep): the final loss stands in for it.
    tail_loss: np.ndarray | None = None
    seed_tail: np.ndarray | None = None  #: the worst tail loss of every seed, (A, S)
    rises: np.ndarray | None = None  #: fraction of tail steps whose loss rose (max over seeds), (A,)
    band: np.ndarray | None = None  #: (max − min of the tail) / (J(W₀) − min of the tail), max over seeds, (A,)
    unsettled: np.ndarray | None = None  #: rises > RISE_LIMIT (deterministic) or band > BAND_LIMIT, (A,)
    #: Edge search and refinement: every further α evaluated and its numbers, as above.
    extra_rates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    extra_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    extra_failed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    extra_mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    extra_tail: np.ndarray | None = None
    extra_rises: np.ndarray | None = None
    extra_band: np.ndarray | None = None
    extra_unsettled: np.ndarray | None = None
    #: The divergence edge: where the stable range of small α ends (the geometric midpoint of
    #: the last good and the first failed α tested); None if no α above the stable range failed.
    edge: float | None = None

    # ------------------------------------------------------------------ the choice

    @property
    def cap(self) -> float:
        """The largest α that may be chosen: edge / MARGIN (+∞ without an edge)."""
        return math.inf if self.edge is None else float(self.edge) / MARGIN

    def margin_band(self) -> tuple[float, float] | None:
        """(edge / MARGIN, edge): the α swept and shown but never chosen; None without an edge."""
        return None if self.edge is None else (self.cap, float(self.edge))

    @property
    def best(self) -> float:
        """The chosen α (see the module docstring), over the grid and the refinement; NaN if
        no α qualifies (every α failed)."""
        i = self._best()
        return float("nan") if i is None else float(self._all()["rates"][i])

    def ranked(self) -> np.ndarray:
        """Every α that may be chosen (not failed, at most the cap; grid and refinement), best
        first by the rules: :attr:`best`, then the runner-up, and so on."""
        a = self._all()
        ok = ~a["failed"] & (a["rates"] <= self.cap * (1 + 1e-12))
        order = []
        while True:
            i = _best_index(a["tail"], a["mean"], self._tie(), a["unsettled"], ok)
            if i is None:
                return a["rates"][np.array(order, dtype=int)]
            order.append(i)
            ok[i] = False

    @property
    def best_tail(self) -> float:
        """The score at :attr:`best`: the worst loss in the tail (mean over seeds; +∞ if none)."""
        i = self._best()
        return float("inf") if i is None else float(self._all()["tail"][i])

    @property
    def best_loss(self) -> float:
        """The mean final loss at :attr:`best` (+∞ if no α qualifies)."""
        i = self._best()
        return float("inf") if i is None else float(self._all()["loss"][i])

    @property
    def best_settled(self) -> bool:
        """Does the run at :attr:`best` settle (it is not unsettled)? False if there is no best."""
        i = self._best()
        return i is not None and not bool(self._all()["unsettled"][i])

    @property
    def grid_best(self) -> float:
        """The best α of the grid alone, under the same cap (NaN if no grid α qualifies)."""
        n = len(self.learning_rates)
        i = self._best(n)
        return float("nan") if i is None else float(self.learning_rates[i])

    @property
    def stochastic(self) -> bool:
        return self.seeds > 1

    def score(self) -> np.ndarray:
        """The grid's scores (the worst tail loss), or the final loss of a hand-made Sweep."""
        return np.asarray(self.tail_loss if self.tail_loss is not None else self.final_loss, float)

    def diverged_region(self) -> list[tuple[float, float]]:
        """The failed α as intervals ``(lo, hi)``: each run of neighbouring failed grid points
        from the geometric midpoint to its good neighbour (or the grid's end), the boundary
        at the refined :attr:`edge` when it falls in that gap. Empty if nothing failed."""
        return _runs_of(self.learning_rates, self.failed, self.edge)

    def unsettled_rates(self) -> np.ndarray:
        """Every α evaluated (grid and refinement) whose run did not settle, sorted."""
        a = self._all()
        return np.sort(a["rates"][a["unsettled"]])

    def gap(self, values=None, floor: float = 1e-16) -> np.ndarray:
        """Loss above the reference for a log axis: J − J* (J* the surface's minimum when
        known, else the lowest loss of the sweep), at least ``floor`` × max(1, J₀ − J*).
        ``values`` defaults to the grid's scores."""
        ref = self.plot_reference
        values = self.score() if values is None else np.asarray(values, float)
        scale = max(1.0, abs(self.start_loss - ref)) if np.isfinite(self.start_loss) else 1.0
        with np.errstate(invalid="ignore"):
            return np.maximum(values - ref, floor * scale)

    @property
    def plot_reference(self) -> float:
        """J* if known, else the lowest finite loss the sweep saw (0 if none)."""
        if self.reference is not None:
            return float(self.reference)
        seen = [np.asarray(v, float).ravel() for v in (self.final_loss, self.extra_loss, self.seed_loss)
                if v is not None]
        seen = np.concatenate(seen) if seen else np.zeros(0)
        seen = seen[np.isfinite(seen)]
        return float(seen.min()) if seen.size else 0.0

    # ------------------------------------------------------------------ internals

    def _tie(self) -> float:
        j0 = self.start_loss
        return TIE_RTOL * max(1.0, abs(j0)) if np.isfinite(j0) else 0.0

    def _all(self) -> dict[str, np.ndarray]:
        """Grid then extra points: rates, final loss, failed, mean, tail, unsettled."""
        n, e = len(self.learning_rates), len(self.extra_rates)

        def join(grid, extra, fill, dtype=float):
            g = np.full(n, fill, dtype) if grid is None else np.asarray(grid, dtype)
            x = np.full(e, fill, dtype) if extra is None else np.asarray(extra, dtype)
            return np.concatenate([g, x])

        loss = join(self.final_loss, self.extra_loss, np.inf)
        tail = join(self.tail_loss, self.extra_tail, np.inf)
        if self.tail_loss is None:
            tail[:n] = loss[:n]
        if self.extra_tail is None:
            tail[n:] = loss[n:]
        return {"rates": join(self.learning_rates, self.extra_rates, np.nan), "loss": loss,
                "failed": join(self.failed, self.extra_failed, False, bool),
                "mean": join(self.mean_loss, self.extra_mean, 0.0), "tail": tail,
                "unsettled": join(self.unsettled, self.extra_unsettled, False, bool)}

    def _best(self, count: int | None = None) -> int | None:
        a = self._all()
        sl = slice(None) if count is None else slice(0, count)
        ok = ~a["failed"][sl] & (a["rates"][sl] <= self.cap * (1 + 1e-12))
        return _best_index(a["tail"][sl], a["mean"][sl], self._tie(), a["unsettled"][sl], ok)


def _runs_of(rates, mask, edge: float | None) -> list[tuple[float, float]]:
    """Runs of neighbouring masked grid points as intervals between geometric midpoints."""
    a, bad = np.asarray(rates, float), np.asarray(mask, bool)
    out = []
    i = 0
    while i < len(a):
        if not bad[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(a) and bad[j + 1]:
            j += 1
        lo = a[0] if i == 0 else float(np.sqrt(a[i - 1] * a[i]))
        hi = a[-1] if j == len(a) - 1 else float(np.sqrt(a[j] * a[j + 1]))
        if edge is not None and i > 0 and a[i - 1] < edge <= a[i]:
            lo = edge
        out.append((float(lo), float(hi)))
        i = j + 1
    return out


def _best_index(score: np.ndarray, mean: np.ndarray, tie: float, unsettled=None, eligible=None) -> int | None:
    """The chosen index among ``eligible`` finite scores: settled before unsettled, then the
    lowest score, then (scores within ``tie`` of the lowest) the lowest mean loss; the first
    index among exact ties. None if nothing is eligible."""
    score = np.asarray(score, float)
    ok = np.isfinite(score)
    if eligible is not None:
        ok &= np.asarray(eligible, bool)
    if unsettled is not None:
        settled = ok & ~np.asarray(unsettled, bool)
        if settled.any():
            ok = settled
    if not ok.any():
        return None
    lowest = score[ok].min()
    close = np.flatnonzero(ok & (score <= lowest + tie))
    mean = np.where(np.isfinite(mean), mean, np.inf)
    return int(close[np.argmin(mean[close])])


def log_grid(lo: float = GRID_LO, hi: float = GRID_HI, count: int = GRID_COUNT) -> np.ndarray:
    """``count`` learning rates evenly spaced on a log scale from ``lo`` to ``hi``."""
    if not (0 < lo < hi) or count < 2:
        raise ValueError(f"a log grid needs 0 < lo < hi and count >= 2, got lo={lo}, hi={hi}, count={count}")
    return np.logspace(np.log10(lo), np.log10(hi), count)


def is_stochastic(spec: RunSpec, n: int) -> bool:
    """Does the entry draw mini-batches (B < n) on a problem of n samples?"""
    return spec.effective_batch_size(n) < n


def reference_loss(surface: Surface) -> float | None:
    """J*: the lowest value among the surface's known minima (None if none are known)."""
    values = [m.value for m in surface.minima if np.isfinite(m.value)]
    return float(min(values)) if values else None


class _Work:
    """Progress in run-steps and the cancel check, shared by the sweeps of one call."""

    def __init__(self, total: int, progress: Progress | None, cancelled: Cancelled | None) -> None:
        self.total, self.done = int(total), 0
        self.progress, self.cancelled = progress, cancelled

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise TuningCancelled("the learning-rate sweep was cancelled")

    def add(self, amount: int) -> None:
        self.done = min(self.done + int(amount), self.total)
        if self.progress is not None:
            self.progress(self.done, self.total)


@dataclass(frozen=True)
class _Problem:
    surface: Surface
    start: tuple[float, float]
    steps: int
    seed: int
    noise_scale: float | None
    samples: int


@dataclass(frozen=True)
class _Scores:
    """Per (α, seed) numbers of one batch of runs, shape (A, S) each."""

    final: np.ndarray
    failed: np.ndarray
    mean: np.ndarray
    tail: np.ndarray
    rises: np.ndarray
    band: np.ndarray
    start_loss: float


def _evaluate(problem: _Problem, spec: RunSpec, rates: np.ndarray, reps: int, work: _Work) -> _Scores:
    """Run ``spec`` with every α in ``rates`` × ``reps`` seeds for the budget and score them."""
    runs = [replace(spec, hyper={**spec.hyper, "learning_rate": float(a)}, seed=s) for a in rates for s in range(reps)]
    sim = Simulation(problem.surface, runs, problem.start, max_steps=problem.steps, seed=problem.seed,
                     noise_scale=problem.noise_scale, samples=problem.samples, record=False, check_every=1)
    K, T = len(runs), problem.steps
    start_loss = sim.loss[:, 0].copy()
    rise_tol = RISE_RTOL * max(1.0, abs(float(start_loss[0]))) if np.isfinite(start_loss[0]) else 0.0
    tail_from = T - tail_length(T)  # the tail holds J(W_t) for t = tail_from … T
    area = np.zeros(K)
    worst = start_loss.copy() if tail_from == 0 else np.full(K, -np.inf)
    lowest = start_loss.copy() if tail_from == 0 else np.full(K, np.inf)
    rises = np.zeros(K)
    previous = start_loss.copy()
    report = max(1, 2000 // max(K, 1))  # report and check about every 2000 run-steps
    t = 0
    with np.errstate(all="ignore"):
        while t < T:
            work.check()
            chunk = min(report, T - t)
            for _ in range(chunk):
                if sim.step(1) == 0:  # every run stopped: they keep their final loss to the end
                    area += sim.loss[:, 0] * (T - t)
                    worst = np.maximum(worst, sim.loss[:, 0])
                    lowest = np.minimum(lowest, sim.loss[:, 0])
                    t = T
                    break
                t += 1
                now = sim.loss[:, 0]
                area += now
                if t >= tail_from:
                    worst = np.maximum(worst, now)
                    lowest = np.minimum(lowest, now)
                    if t > tail_from:
                        rises += now - previous > rise_tol
                previous = now.copy()
            work.add(K * chunk)
        loss = sim.loss[:, 0].copy()
        status = sim.status[:, 0]
        failed = (np.isin(status, (Status.DIVERGED, Status.LEFT_VIEW)) | ~np.isfinite(loss)
                  | (loss > start_loss))
        descent = start_loss - lowest
        band = np.where(descent > 0, (worst - lowest) / descent, np.inf)
    shape = (len(rates), reps)
    return _Scores(loss.reshape(shape), failed.reshape(shape), (area / T).reshape(shape), worst.reshape(shape),
                   (rises / tail_length(T)).reshape(shape), band.reshape(shape), float(start_loss[0]))


@dataclass(frozen=True)
class _Summary:
    """Per α over seeds: +∞ scores where any seed failed."""

    final: np.ndarray
    failed: np.ndarray
    mean: np.ndarray
    tail: np.ndarray
    rises: np.ndarray
    band: np.ndarray
    unsettled: np.ndarray


def _summarize(s: _Scores, reps: int) -> _Summary:
    bad = s.failed.any(axis=1)
    with np.errstate(invalid="ignore"):
        rises, band = s.rises.max(axis=1), s.band.max(axis=1)
        unsettled = ~bad & (((rises > RISE_LIMIT) & (reps == 1)) | ~(band <= BAND_LIMIT))
        return _Summary(np.where(bad, np.inf, s.final.mean(axis=1)), bad, np.where(bad, np.inf, s.mean.mean(axis=1)),
                        np.where(bad, np.inf, s.tail.mean(axis=1)), rises, band, unsettled)


def _work_of(grid_len: int, reps: int, steps: int, refine: int, edge_rounds: int) -> int:
    return (grid_len + (refine + edge_rounds) * REFINE_POINTS) * reps * steps


def _sweep(problem: _Problem, spec: RunSpec, grid: np.ndarray, reps: int, refine: int, edge_rounds: int,
           work: _Work) -> Sweep:
    done, share = work.done, _work_of(len(grid), reps, problem.steps, refine, edge_rounds)
    sweep = _search(problem, spec, grid, reps, refine, edge_rounds, work)
    work.add(done + share - work.done)  # rounds skipped or shorter: the run's share is done
    return sweep


class _Extra:
    """The α evaluated beyond the grid, collected round by round."""

    def __init__(self) -> None:
        self.rates, self.parts = [], []

    def add(self, rates: np.ndarray, s: _Summary) -> None:
        self.rates.append(np.asarray(rates, float))
        self.parts.append(s)

    def fields(self) -> dict:
        if not self.rates:
            return {}
        cat = lambda name: np.concatenate([getattr(p, name) for p in self.parts])  # noqa: E731
        return {"extra_rates": np.concatenate(self.rates), "extra_loss": cat("final"), "extra_failed": cat("failed"),
                "extra_mean": cat("mean"), "extra_tail": cat("tail"), "extra_rises": cat("rises"),
                "extra_band": cat("band"), "extra_unsettled": cat("unsettled")}


def _search(problem: _Problem, spec: RunSpec, grid: np.ndarray, reps: int, refine: int, edge_rounds: int,
            work: _Work) -> Sweep:
    scores = _evaluate(problem, spec, grid, reps, work)
    g = _summarize(scores, reps)
    sweep = Sweep(grid, g.final, g.failed, scores.final, g.mean, scores.start_loss, reference_loss(problem.surface),
                  problem.steps, reps, tail_loss=g.tail, seed_tail=scores.tail, rises=g.rises, band=g.band,
                  unsettled=g.unsettled)
    extra = _Extra()
    # The divergence edge: the first failure above the smallest α that does not fail.
    good = np.flatnonzero(~g.failed)
    if good.size == 0:
        return sweep
    above = np.flatnonzero(g.failed & (np.arange(len(grid)) > good[0]))
    edge = None
    if above.size:
        j = int(above[0])
        ok, fail = grid[j - 1], grid[j]
        for _ in range(edge_rounds):
            rates = np.geomspace(ok, fail, REFINE_POINTS)[1:-1]
            s = _summarize(_evaluate(problem, spec, rates, reps, work), reps)
            extra.add(rates, s)
            first = np.flatnonzero(s.failed)
            if first.size:
                fail = rates[first[0]]
                ok = rates[first[0] - 1] if first[0] > 0 else ok
            else:
                ok = rates[-1]
        edge = float(np.sqrt(ok * fail))
    sweep = replace(sweep, edge=edge, **extra.fields())
    # Zoom into the best α under the cap: finer log grids between its neighbours.
    i = sweep._best()
    if i is None or refine <= 0:
        return sweep
    every = sweep._all()
    best_a = every["rates"][i]
    k = int(np.argmin(np.abs(np.log(grid / best_a))))
    lo, hi = grid[max(k - 1, 0)], min(grid[min(k + 1, len(grid) - 1)], sweep.cap)
    for _ in range(refine):
        if hi / lo <= 1 + 1e-12:
            break
        rates = np.geomspace(lo, hi, REFINE_POINTS)
        extra.add(rates, _summarize(_evaluate(problem, spec, rates, reps, work), reps))
        sweep = replace(sweep, **extra.fields())
        best_a = sweep.best
        k = int(np.argmin(np.abs(np.log(rates / best_a))))
        lo, hi = rates[max(k - 1, 0)], rates[min(k + 1, len(rates) - 1)]
    return sweep


def _problem(surface, start, steps, seed, noise_scale, samples) -> _Problem:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"the step budget must be a whole number >= 1, got {steps!r}")
    start = np.asarray(start, float).reshape(2)
    return _Problem(surface, (float(start[0]), float(start[1])), int(steps), int(seed), noise_scale, int(samples))


def _reps(problem: _Problem, spec: RunSpec, seeds: int) -> int:
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or seeds < 1:
        raise ValueError(f"the number of seeds must be a whole number >= 1, got {seeds!r}")
    n = as_risk(problem.surface, noise_scale=problem.noise_scale, n=problem.samples, seed=problem.seed).n
    return int(seeds) if is_stochastic(spec, n) else 1


def _checked_grid(grid) -> np.ndarray:
    grid = log_grid() if grid is None else np.asarray(grid, dtype=float)
    if grid.ndim != 1 or grid.size < 1 or not (np.isfinite(grid) & (grid > 0)).all():
        raise ValueError("the learning-rate grid must be positive finite numbers")
    return np.sort(grid)


def sweep_learning_rate(surface: Surface, spec: RunSpec, start, *, grid=None, steps: int = 300, seeds: int = 3,
                        seed: int = 0, noise_scale: float | None = None, samples: int = DEFAULT_SAMPLES,
                        refine: int = 0, edge_rounds: int | None = None, progress: Progress | None = None,
                        cancelled: Cancelled | None = None) -> Sweep:
    """Run ``spec`` with every α in ``grid`` (default: :func:`log_grid`, 40 values from 1e-5
    to 10) for ``steps`` steps from ``start``; stochastic entries (B < n) are averaged over
    ``seeds`` batch orders (seeds 0 … seeds − 1). ``edge_rounds`` (default: ``EDGE_ROUNDS``
    when refining, else 0) narrow the divergence edge and ``refine`` rounds zoom into the
    best α. ``seed``, ``noise_scale`` and ``samples`` are the race's (see :class:`Simulation`).
    See the module docstring for the scoring rules."""
    grid = _checked_grid(grid)
    edge_rounds = (EDGE_ROUNDS if refine else 0) if edge_rounds is None else int(edge_rounds)
    problem = _problem(surface, start, steps, seed, noise_scale, samples)
    reps = _reps(problem, spec, seeds)
    work = _Work(_work_of(len(grid), reps, problem.steps, refine, edge_rounds), progress, cancelled)
    return _sweep(problem, spec, grid, reps, int(refine), edge_rounds, work)


def tune_learning_rate(surface: Surface, spec: RunSpec, start, **kwargs) -> Sweep:
    """:func:`sweep_learning_rate` with refinement (``refine=REFINE_ROUNDS`` unless given): the
    auto-tuner of one run. ``Sweep.best`` is its α."""
    kwargs.setdefault("refine", REFINE_ROUNDS)
    return sweep_learning_rate(surface, spec, start, **kwargs)


@dataclass(frozen=True)
class Tuned:
    """One run of :func:`tune_all`: its spec as given, the sweep, and the α to use (None if
    every α failed: keep the old one)."""

    spec: RunSpec
    sweep: Sweep

    @property
    def learning_rate(self) -> float | None:
        best = self.sweep.best
        return None if best != best else best

    @property
    def old_learning_rate(self) -> float:
        return float(self.spec.hyperparameters()["learning_rate"])


def tune_all(surface: Surface, specs: Sequence[RunSpec], start, *, grid=None, steps: int = 300, seeds: int = 3,
             seed: int = 0, noise_scale: float | None = None, samples: int = DEFAULT_SAMPLES,
             refine: int = REFINE_ROUNDS, edge_rounds: int | None = None, progress: Progress | None = None,
             cancelled: Cancelled | None = None) -> list[Tuned]:
    """Tune every run of a race with the same rules: the same grid, step budget T, start,
    seeds, scoring and refinement for all. The race then compares tuned optimizers rather
    than ones sharing one α. Progress covers all runs."""
    grid = _checked_grid(grid)
    edge_rounds = (EDGE_ROUNDS if refine else 0) if edge_rounds is None else int(edge_rounds)
    problem = _problem(surface, start, steps, seed, noise_scale, samples)
    reps = [_reps(problem, spec, seeds) for spec in specs]
    work = _Work(sum(_work_of(len(grid), r, problem.steps, refine, edge_rounds) for r in reps), progress, cancelled)
    return [Tuned(spec, _sweep(problem, spec, grid, r, int(refine), edge_rounds, work)) for spec, r in zip(specs, reps)]


__all__ = ["BAND_LIMIT", "EDGE_ROUNDS", "MARGIN", "REFINE_POINTS", "REFINE_ROUNDS", "RISE_LIMIT", "RISE_RTOL", "Sweep",
           "TAIL_FRACTION", "TIE_RTOL", "Tuned", "TuningCancelled", "is_stochastic", "log_grid", "reference_loss",
           "sweep_learning_rate", "tail_length", "tune_all", "tune_learning_rate"]
