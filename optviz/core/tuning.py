"""Learning-rate sweeps: "try a bunch of values on a log scale and use the one that gave the
best final result" (the lecture's advice), scored fairly.

Fairness rules (the same for every α and, in :func:`tune_all`, for every run):

* **Same budget.** Every α gets the same number of steps T from the same start point on the
  same loss (and, for stochastic entries, the same seeds: seed s draws the same mini-batch
  order whatever α is). A run that stops early (it converged) keeps its final loss.
* **Scored on the final loss.** The score is the full-batch loss J(W_T) at the end of the
  budget, the **mean over seeds** for stochastic entries (B < n), not the distance to a
  minimum somebody chose: a run that ends in another minimum of equal depth scores the same,
  one that ends in a shallower minimum scores worse. (Published optimizer pictures have been
  criticised for tuning each method with a different budget and for scoring the distance to
  a hand-picked minimum; neither happens here.)
* **Failure.** An α *fails* if any seed diverges (non-finite, flies off, explodes), leaves
  the view box, or ends with a loss above its start (it is blowing up, only slowly). A failed
  α scores +∞. The *diverged region* is the set of failed α.
* **Ties.** Final losses within ``TIE_RTOL · max(1, |J(W₀)|)`` of each other count as equal
  (for example all of them at the minimum to the last digit); among those the α whose loss
  fell faster wins: the lower mean loss over the T steps (the area under the loss curve).
* **Refinement.** After the grid, the bracket around the grid's best α (its two neighbours)
  is searched on finer log grids, ``refine`` rounds of :data:`REFINE_POINTS` points, each
  round zooming into the neighbours of the round's best; the divergence edge above the best
  is narrowed the same way between the last good and the first failed α. On GD with a
  quadratic of curvature λ this lands on α = 1/λ (one step to the minimum) and puts the edge
  at α = 2/λ.

Everything is NumPy; a sweep is a few vectorized :class:`~optviz.core.Simulation` runs (all
α × seeds of one grid at once). ``progress(done, total)`` reports work in run-steps and
``cancelled()`` is polled between steps: when it returns True, :class:`TuningCancelled` is
raised and nothing is returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .risk import DEFAULT_SAMPLES, as_risk
from .simulation import RunSpec, Simulation, Status
from .surface import Surface

#: Final losses this close (relative to max(1, |J(W₀)|)) are a tie, broken by the mean loss.
TIE_RTOL = 1e-12
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


@dataclass(frozen=True)
class Sweep:
    """Final losses of one run spec over a grid of learning rates (and its refinement).

    The first three fields are the grid's summary; the rest have defaults so that code
    building a Sweep by hand keeps working.
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
    #: Refinement: every further α evaluated, its mean final loss, failure and tie-break.
    extra_rates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    extra_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    extra_failed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    extra_mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: The α where failure begins above the best (refined when ``refine`` > 0); None if no α
    #: above the best failed.
    edge: float | None = None

    @property
    def best(self) -> float:
        """The α with the lowest final loss (ties: the lower mean loss over the steps), over
        the grid and the refinement; NaN if every α failed."""
        rates, loss, mean = self._all()
        i = _best_index(loss, mean, self._tie())
        return float("nan") if i is None else float(rates[i])

    @property
    def best_loss(self) -> float:
        """The mean final loss at :attr:`best` (+∞ if every α failed)."""
        rates, loss, mean = self._all()
        i = _best_index(loss, mean, self._tie())
        return float("inf") if i is None else float(loss[i])

    @property
    def grid_best(self) -> float:
        """The best α of the grid alone (NaN if every grid α failed)."""
        i = _best_index(self.final_loss, self._grid_mean(), self._tie())
        return float("nan") if i is None else float(self.learning_rates[i])

    @property
    def stochastic(self) -> bool:
        return self.seeds > 1

    def diverged_region(self) -> list[tuple[float, float]]:
        """The failed α as intervals ``(lo, hi)``: each run of neighbouring failed grid points
        from the geometric midpoint to its good neighbour (or the grid's end), the boundary
        above the best at the refined :attr:`edge` when known. Empty if nothing failed."""
        a, bad = np.asarray(self.learning_rates, float), np.asarray(self.failed, bool)
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
            if self.edge is not None and i > 0 and a[i - 1] < self.edge <= a[i]:
                lo = self.edge
            out.append((float(lo), float(hi)))
            i = j + 1
        return out

    def gap(self, values=None, floor: float = 1e-16) -> np.ndarray:
        """Loss above the reference for a log axis: J − J* (J* the surface's minimum when
        known, else the lowest final loss of the sweep), at least ``floor`` × max(1, J₀ − J*)."""
        ref = self.plot_reference
        values = self.final_loss if values is None else np.asarray(values, float)
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

    def _grid_mean(self) -> np.ndarray:
        return self.mean_loss if self.mean_loss is not None else np.zeros(len(self.learning_rates))

    def _all(self):
        rates = np.concatenate([np.asarray(self.learning_rates, float), np.asarray(self.extra_rates, float)])
        loss = np.concatenate([np.asarray(self.final_loss, float), np.asarray(self.extra_loss, float)])
        mean = np.concatenate([self._grid_mean(), np.asarray(self.extra_mean, float)])
        return rates, loss, mean


def _best_index(loss: np.ndarray, mean: np.ndarray, tie: float) -> int | None:
    """argmin of (final loss, then mean loss among final losses within ``tie`` of the lowest);
    the smallest α among exact ties (callers pass α in any order; ties are rare)."""
    loss = np.asarray(loss, float)
    ok = np.isfinite(loss)
    if not ok.any():
        return None
    lowest = loss[ok].min()
    close = np.flatnonzero(ok & (loss <= lowest + tie))
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


def _evaluate(problem: _Problem, spec: RunSpec, rates: np.ndarray, reps: int, work: _Work):
    """Run ``spec`` with every α in ``rates`` × ``reps`` seeds for the budget. Returns per (α, seed):
    final loss, failed, mean loss over the steps; and J(W₀)."""
    runs = [replace(spec, hyper={**spec.hyper, "learning_rate": float(a)}, seed=s) for a in rates for s in range(reps)]
    sim = Simulation(problem.surface, runs, problem.start, max_steps=problem.steps, seed=problem.seed,
                     noise_scale=problem.noise_scale, samples=problem.samples, record=False, check_every=1)
    K, T = len(runs), problem.steps
    start_loss = sim.loss[:, 0].copy()
    area = np.zeros(K)
    report = max(1, 2000 // max(K, 1))  # report and check about every 2000 run-steps
    t = 0
    with np.errstate(all="ignore"):
        while t < T:
            work.check()
            chunk = min(report, T - t)
            for _ in range(chunk):
                if sim.step(1) == 0:  # every run stopped: they keep their final loss
                    area += sim.loss[:, 0] * (T - t)
                    t = T
                    break
                area += sim.loss[:, 0]
                t += 1
            work.add(K * chunk)
        loss = sim.loss[:, 0].copy()
        status = sim.status[:, 0]
        failed = (np.isin(status, (Status.DIVERGED, Status.LEFT_VIEW)) | ~np.isfinite(loss)
                  | (loss > start_loss))
    shape = (len(rates), reps)
    return loss.reshape(shape), failed.reshape(shape), (area / T).reshape(shape), float(start_loss[0])


def _summarize(loss, failed, mean):
    bad = failed.any(axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(bad, np.inf, loss.mean(axis=1)), bad, np.where(bad, np.inf, mean.mean(axis=1))


def _work_of(grid_len: int, reps: int, steps: int, refine: int, edge_rounds: int) -> int:
    return (grid_len + (refine + edge_rounds) * REFINE_POINTS) * reps * steps


def _sweep(problem: _Problem, spec: RunSpec, grid: np.ndarray, reps: int, refine: int, edge_rounds: int,
           work: _Work) -> Sweep:
    done, share = work.done, _work_of(len(grid), reps, problem.steps, refine, edge_rounds)
    sweep = _search(problem, spec, grid, reps, refine, edge_rounds, work)
    work.add(done + share - work.done)  # rounds skipped or shorter: the run's share is done
    return sweep


def _search(problem: _Problem, spec: RunSpec, grid: np.ndarray, reps: int, refine: int, edge_rounds: int,
            work: _Work) -> Sweep:
    loss, failed, mean, j0 = _evaluate(problem, spec, grid, reps, work)
    final, bad, mloss = _summarize(loss, failed, mean)
    sweep = Sweep(grid, final, bad, loss, mloss, j0, reference_loss(problem.surface), problem.steps, reps)
    extra_r, extra_l, extra_f, extra_m = [], [], [], []
    i = _best_index(final, mloss, sweep._tie())
    if i is None:
        return sweep
    # Zoom into the best α: finer log grids between its neighbours.
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    best_a, best_l, best_m = grid[i], final[i], mloss[i]
    for _ in range(refine):
        if hi / lo <= 1 + 1e-12:
            break
        rates = np.geomspace(lo, hi, REFINE_POINTS)
        l, f, m, _ = _evaluate(problem, spec, rates, reps, work)
        fl, fb, fm = _summarize(l, f, m)
        extra_r.append(rates), extra_l.append(fl), extra_f.append(fb), extra_m.append(fm)
        cand_l = np.append(fl, best_l)
        cand_m = np.append(fm, best_m)
        j = _best_index(cand_l, cand_m, sweep._tie())
        if j is not None and j < len(rates):
            best_a, best_l, best_m = rates[j], fl[j], fm[j]
        k = int(np.argmin(np.abs(np.log(rates / best_a))))
        lo, hi = rates[max(k - 1, 0)], rates[min(k + 1, len(rates) - 1)]
    # The divergence edge above the best: between the last good and the first failed α.
    above = np.flatnonzero(bad & (grid > grid[i]))
    edge = None
    if above.size:
        j = int(above[0])
        good, fail = grid[j - 1], grid[j]
        for _ in range(edge_rounds):
            rates = np.geomspace(good, fail, REFINE_POINTS)[1:-1]
            l, f, m, _ = _evaluate(problem, spec, rates, reps, work)
            fl, fb, fm = _summarize(l, f, m)
            extra_r.append(rates), extra_l.append(fl), extra_f.append(fb), extra_m.append(fm)
            first = np.flatnonzero(fb)
            if first.size:
                fail = rates[first[0]]
                good = rates[first[0] - 1] if first[0] > 0 else good
            else:
                good = rates[-1]
        edge = float(fail)
    if extra_r:
        sweep = replace(sweep, extra_rates=np.concatenate(extra_r), extra_loss=np.concatenate(extra_l),
                        extra_failed=np.concatenate(extra_f), extra_mean=np.concatenate(extra_m))
    return replace(sweep, edge=edge)


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


def sweep_learning_rate(surface: Surface, spec: RunSpec, start, *, grid=None, steps: int = 300, seeds: int = 3,
                        seed: int = 0, noise_scale: float | None = None, samples: int = DEFAULT_SAMPLES,
                        refine: int = 0, edge_rounds: int | None = None, progress: Progress | None = None,
                        cancelled: Cancelled | None = None) -> Sweep:
    """Run ``spec`` with every α in ``grid`` (default: :func:`log_grid`, 40 values from 1e-5
    to 10) for ``steps`` steps from ``start``; stochastic entries (B < n) are averaged over
    ``seeds`` batch orders (seeds 0 … seeds − 1). ``refine`` rounds zoom into the best α and
    ``edge_rounds`` (default: ``EDGE_ROUNDS`` when refining, else 0) narrow the divergence
    edge. ``seed``, ``noise_scale`` and ``samples`` are the race's (see :class:`Simulation`).
    See the module docstring for the scoring rules."""
    grid = log_grid() if grid is None else np.asarray(grid, dtype=float)
    if grid.ndim != 1 or grid.size < 1 or not (np.isfinite(grid) & (grid > 0)).all():
        raise ValueError("the learning-rate grid must be positive finite numbers")
    grid = np.sort(grid)
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
    seeds and refinement for all, each scored on its final loss (mean over seeds). The race
    then compares tuned optimizers rather than ones sharing one α. Progress covers all runs."""
    grid = log_grid() if grid is None else np.sort(np.asarray(grid, dtype=float))
    if grid.ndim != 1 or grid.size < 1 or not (np.isfinite(grid) & (grid > 0)).all():
        raise ValueError("the learning-rate grid must be positive finite numbers")
    edge_rounds = (EDGE_ROUNDS if refine else 0) if edge_rounds is None else int(edge_rounds)
    problem = _problem(surface, start, steps, seed, noise_scale, samples)
    reps = [_reps(problem, spec, seeds) for spec in specs]
    work = _Work(sum(_work_of(len(grid), r, problem.steps, refine, edge_rounds) for r in reps), progress, cancelled)
    return [Tuned(spec, _sweep(problem, spec, grid, r, int(refine), edge_rounds, work)) for spec, r in zip(specs, reps)]


__all__ = ["EDGE_ROUNDS", "REFINE_POINTS", "REFINE_ROUNDS", "Sweep", "TIE_RTOL", "Tuned", "TuningCancelled",
           "is_stochastic", "log_grid", "reference_loss", "sweep_learning_rate", "tune_all", "tune_learning_rate"]
