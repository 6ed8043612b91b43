"""Run K optimizer configurations × N start points on one loss, all at once or step by step.

:class:`Simulation` keeps every run's points in one (K, N, 2) array so the loss, the
full-batch gradient, the classification and the recording are vectorized over all runs;
only the optimizer update (different per run) and the mini-batch sampling loop over runs.
Each run has its own step counter, so a single run can restart (a slider moved) while the
others go on.

Example::

    from optviz.core import RunSpec, Simulation, get_surface
    sim = Simulation(get_surface("rosenbrock"),
                     [RunSpec("gd", {"learning_rate": 1e-3}), RunSpec("adam", {"learning_rate": 0.05})],
                     starts=(-1.5, 2.0), max_steps=500)
    sim.run()
    sim.history.positions[: sim.length(1), 1, 0]   # Adam's path, shape (T+1, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from . import compiled
from . import status_rule as rule
from .risk import DEFAULT_SAMPLES, AnalyticRisk, BatchSampler, EmpiricalRisk, as_risk
from .run import RunSpec
from .surface import Surface


class Status(IntEnum):
    """How a run (one start point of one configuration) stands (the codes and the rule:
    :mod:`optviz.core.status_rule`)."""

    RUNNING = rule.RUNNING
    CONVERGED = rule.CONVERGED  #: stopped at a stationary point; ``minimum`` says which known minimum (-1: unlisted)
    DIVERGED = rule.DIVERGED  #: non-finite, too far away, one step longer than ``Tolerances.jump`` diagonals, or out of view with a loss above its start (it blew up)
    LEFT_VIEW = rule.LEFT_VIEW  #: outside the view box grown by ``Tolerances.leave`` on every side, going downhill
    STALLED = rule.STALLED  #: creeping near a saddle point; not final, the run goes on and may escape


#: Statuses that stop a run for good.
FINAL = (Status.CONVERGED, Status.DIVERGED, Status.LEFT_VIEW)
_IS_FINAL = np.isin(np.arange(len(Status)), FINAL)  # lookup by status code: far cheaper than np.isin


def is_final(status: np.ndarray) -> np.ndarray:
    """Mask of points whose status stops them for good."""
    return _IS_FINAL[status]


def describe_status(status: int, minimum: int = -1) -> str:
    """Human wording, e.g. ``"converged to minimum 2"``; a stop at a minimum the surface does
    not list (one of Rastrigin's many local minima) is ``"converged to a local minimum"``."""
    status = Status(int(status))
    if status is Status.CONVERGED:
        return f"converged to minimum {minimum + 1}" if minimum >= 0 else "converged to a local minimum"
    return {
        Status.RUNNING: "running",
        Status.DIVERGED: "diverged",
        Status.LEFT_VIEW: "left the view",
        Status.STALLED: "stalled at a saddle",
    }[status]


@dataclass(frozen=True)
class Tolerances:
    """When a run counts as converged, stalled, diverged or gone.

    Lengths are in units of the view box diagonal; gradients relative to
    ``max(1, |∇J(start)|)`` of each point, so the rules hold across surfaces of any scale.
    """

    grad: float = 1e-6  #: |∇J| below this counts as stationary
    step: float = 1e-7  #: |ΔW| below this counts as stopped
    capture: float = 0.02  #: within this distance of a known point counts as at it
    stall_grad: float = 0.02  #: |∇J| below this near a saddle counts as stalled
    divergence: float = 100.0  #: farther than this from the view centre counts as diverged
    jump: float = 10.0  #: one step longer than this counts as diverged (the run exploded)
    leave: float = 1.0  #: outside the view box grown by this fraction per side counts as left


class History:
    """Recorded trajectories, indexed ``[t, k, i]``: step t of run k at start point i.

    positions: W_t, shape (T+1, K, M, 2).
    loss: full-batch J(W_t), shape (T+1, K, M).
    grad_norm: full-batch |∇J(W_t)|, shape (T+1, K, M).
    full_grad: full-batch ∇J(W_t), shape (T+1, K, M, 2).
    grad: the gradient g_t the optimizer used at W_t (stochastic for SGD), shape (T+1, K, M, 2);
        NaN at a run's newest step until it is taken.
    lr: the learning rate α_t used for step t, shape (T+1, K).
    state: optimizer buffers after t updates by name (``"p"``, ``"r"``), each (T+1, K, M, 2);
        NaN for runs whose optimizer has no such buffer.
    status, minimum: the classification at W_t (:class:`Status` codes, the minimum's index or
        -1), shape (T+1, K, M); scrubbing back through a race shows what was true then.
    cloud: with fewer recorded points M than start points N (a swarm), the positions of all N
        points as float32, shape (T+1, K, N, 2), enough to draw them; else None.
    """

    def __init__(self, steps: int, runs: int, points: int, state_names: Sequence[str], cloud: int = 0):
        shape = (steps + 1, runs, points)
        self.positions = np.full(shape + (2,), np.nan)
        self.loss = np.full(shape, np.nan)
        self.grad_norm = np.full(shape, np.nan)
        self.full_grad = np.full(shape + (2,), np.nan)
        self.grad = np.full(shape + (2,), np.nan)
        self.lr = np.full(shape[:2], np.nan)
        self.state = {name: np.full(shape + (2,), np.nan) for name in state_names}
        self.status = np.zeros(shape, dtype=np.int8)
        self.minimum = np.full(shape, -1, dtype=np.int16)
        self.cloud = np.full((steps + 1, runs, cloud, 2), np.nan, dtype=np.float32) if cloud else None

    def clear(self, k: int) -> None:
        for arr in (self.positions, self.loss, self.grad_norm, self.full_grad, self.grad, self.lr,
                    *self.state.values()):
            arr[:, k] = np.nan
        self.status[:, k] = Status.RUNNING
        self.minimum[:, k] = -1
        if self.cloud is not None:
            self.cloud[:, k] = np.nan

    @staticmethod
    def nbytes_per_step(runs: int, points: int, state_names: Sequence[str], cloud: int = 0) -> int:
        """Memory one recorded step takes, to size a history before building it."""
        per_point = (2 + 1 + 1 + 2 + 2 + 2 * len(state_names)) * 8 + 1 + 2
        return runs * (points * per_point + 8 + cloud * 2 * 4)


class Simulation:
    """K runs × N start points on one loss, advanced together.

    Args:
        problem: a :class:`Surface` (analytic surfaces get per-sample noise through
            :class:`~optviz.core.risk.AnalyticRisk`) or an :class:`EmpiricalRisk` such as a
            dataset surface.
        runs: the race entries.
        starts: one start point ``(x, y)`` or N of them, shape (N, 2).
        max_steps: T, the step limit of every run.
        seed: seeds the analytic noise offsets and, with each run's seed, its batch order.
        noise_scale, samples: σ and n for analytic surfaces (see ``AnalyticRisk``).
        record: keep the full history (the GUI's case). Without it only the current state
            is kept and the status is checked every ``check_every`` steps, which is fast for
            large N.
        tolerances: the classification rules.
        chunk_rows: rows per block when updating without recording; blocks that fit in
            cache make large N several times faster.
        record_points: record the full history of only the first M start points (the rest
            keep just their positions, as float32, in ``history.cloud``): a swarm of 10,000
            points follows its lead point in every plot without 10,000 histories. None: all.
        backend: who runs the optimizer updates: ``"numpy"`` (one kernel call per run),
            ``"compiled"`` (one numba call for all runs; compiles on first use, and raises
            RuntimeError if numba is unavailable) or ``"auto"`` (the compiled kernel once
            :func:`optviz.core.compiled.ready`, else NumPy; it never waits for a compile).
            All give bit-identical results.
    """

    def __init__(
        self,
        problem: Surface | EmpiricalRisk,
        runs: Sequence[RunSpec],
        starts,
        *,
        max_steps: int = 1000,
        seed: int = 0,
        noise_scale: float | None = None,
        samples: int = DEFAULT_SAMPLES,
        record: bool = True,
        tolerances: Tolerances = Tolerances(),
        check_every: int = 10,
        chunk_rows: int = 32768,
        backend: str = "auto",
        record_points: int | None = None,
    ) -> None:
        if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
            raise ValueError(f"max steps must be an integer >= 1, got {max_steps!r}")
        if isinstance(check_every, bool) or not isinstance(check_every, (int, np.integer)) or check_every < 1:
            raise ValueError(f"check interval must be an integer >= 1, got {check_every!r}")
        if not runs:
            raise ValueError("a simulation needs at least one run")
        if backend not in ("auto", "numpy", "compiled"):
            raise ValueError(f"backend must be 'auto', 'numpy' or 'compiled', got {backend!r}")
        if backend == "compiled" and compiled.kernel() is None:
            raise RuntimeError(f"the compiled backend is unavailable ({compiled.error()}); use backend='numpy'")
        self.backend = backend
        self.risk = as_risk(problem, noise_scale=noise_scale, n=samples, seed=seed)
        self.surface = self.risk.surface
        self.specs = list(runs)
        self.seed = seed
        self.max_steps = int(max_steps)
        self.record = bool(record)
        self.tol = tolerances
        self.check_every = 1 if record else int(check_every)
        self.chunk_rows = int(chunk_rows)

        starts = np.array(starts, dtype=float).reshape(-1, 2)
        if not np.isfinite(starts).all():
            raise ValueError("start points must be finite numbers")
        self.starts = starts
        K, N = len(self.specs), starts.shape[0]
        self.K, self.N = K, N
        if record_points is not None and (isinstance(record_points, bool) or not isinstance(
                record_points, (int, np.integer)) or record_points < 1):
            raise ValueError(f"recorded points must be an integer >= 1, got {record_points!r}")
        self.M = N if record_points is None else min(N, int(record_points))  # points with a full history

        self.positions = np.empty((K, N, 2))
        self.loss = np.empty((K, N))
        self._start_loss = np.empty((K, N))  # J(W_0): leaving the view above it is divergence
        self.full_grad = np.empty((K, N, 2))
        self.status = np.zeros((K, N), dtype=np.int8)
        self.minimum = np.full((K, N), -1, dtype=np.int16)
        self.steps = np.zeros(K, dtype=np.int64)  # steps taken by each run
        self._stalled = False  # any point STALLED (the classification's fast path needs to know)
        self._run_index = np.arange(K)
        self._scratch = np.empty((K, N, 2))
        self._step_norm = np.zeros((K, N))
        self._grad_scale = np.ones((K, N))
        self._grad_fresh = np.zeros(K, dtype=bool)  # full_grad[k] is at positions[k]

        self._geo, self._limits = rule.thresholds(self.surface.view, self.tol)
        self._minima = np.array([m.location for m in self.surface.minima]).reshape(-1, 2)
        self._saddles = np.array([s.location for s in self.surface.saddles]).reshape(-1, 2)
        self._has_saddles = len(self._saddles) > 0

        self._conf = [None] * K  # the runs' update rules with their constants and learning rates
        self._bufs = [()] * K  # run k's optimizer buffers: views into self._buffers
        self._sampler = [None] * K
        self._lr_const = np.full(K, np.nan)  # α of constant-rate runs (NaN: scheduled)
        self._stochastic = np.zeros(K, dtype=bool)  # draws mini-batches
        state_names = sorted({name for spec in self.specs for name in self._state_names_of(spec)})
        self.history = (History(self.max_steps, K, self.M, state_names, cloud=N if self.M < N else 0)
                        if self.record else None)
        # Every run's optimizer buffers live as views in one (K, N, 2) array per name (NaN for
        # runs without it), the rows of one stack; in-place updates write through, so
        # recording is one copy a name.
        self._stack = np.full((len(state_names), K, N, 2), np.nan)
        self._buffers = {name: self._stack[j] for j, name in enumerate(state_names)}
        self._kinds = np.zeros(K, dtype=np.int8)  # the compiled kernel's per-run tables
        self._constants = np.zeros((K, compiled.CONSTANTS))
        self._slots = np.zeros((K, compiled.MAX_BUFFERS), dtype=np.int64)  # run k's buffer j: self._stack[slot]
        for k in range(K):
            self.restart(k)

    # ------------------------------------------------------------------ set-up

    def restart(self, k: int | None = None, spec: RunSpec | None = None, starts=None) -> None:
        """Put run ``k`` (all runs if None) back at its start, optionally with a new spec/starts.

        A new spec may only use optimizer buffers the simulation already has (all specs given
        at construction decide them); build a new Simulation to add other optimizer kinds.
        """
        if starts is not None:
            new = np.array(starts, dtype=float).reshape(-1, 2)
            if new.shape != self.starts.shape or not np.isfinite(new).all():
                raise ValueError(f"start points must be finite with shape {self.starts.shape}, got {new.shape}")
            self.starts = new
        if k is None:
            for j in range(self.K):
                self.restart(j, None, None)
            return
        if spec is not None:
            if not set(self._state_names_of(spec)) <= set(self._buffers):
                raise ValueError(f"run {k} cannot switch to {spec.optimizer!r} in this simulation")
            self.specs[k] = spec
        spec = self.specs[k]
        conf = spec.configure()
        batch = spec.effective_batch_size(self.risk.n)
        self._conf[k] = conf
        self._kinds[k] = compiled.KINDS.get(conf.rule.key, -1)  # -1: no compiled kernel, NumPy steps it
        self._constants[k] = compiled.constants_row(conf)
        self._sampler[k] = BatchSampler(self.risk.n, batch, np.random.default_rng([self.seed, spec.seed]))
        self._stochastic[k] = not self._sampler[k].full
        self._lr_const[k] = np.nan if conf.schedule is not None else conf.lr_const
        self.positions[k] = self.starts
        names = list(self._buffers)
        for name, buf in self._buffers.items():
            buf[k] = np.nan
        for j, buffer in enumerate(conf.rule.buffers):
            self._buffers[buffer.name][k] = buffer.start
            self._slots[k, j] = names.index(buffer.name)
        self._bufs[k] = tuple(self._buffers[buffer.name][k] for buffer in conf.rule.buffers)
        self.steps[k] = 0
        self.status[k] = Status.RUNNING
        self.minimum[k] = -1
        self._step_norm[k] = np.inf
        with np.errstate(all="ignore"):
            self.loss[k] = self.surface.f(self.positions[k])
            self._start_loss[k] = self.loss[k]
            self.surface.grad(self.positions[k], out=self.full_grad[k])
            self._grad_scale[k] = np.maximum(1.0, np.nan_to_num(np.hypot(*np.moveaxis(self.full_grad[k], -1, 0))))
        self._grad_fresh[k] = True
        if self.history is not None:
            self.history.clear(k)
            self._record([k])

    @staticmethod
    def _state_names_of(spec: RunSpec) -> list[str]:
        return [buffer.name for buffer in spec.configure().rule.buffers]

    # ------------------------------------------------------------------ queries

    def length(self, k: int) -> int:
        """Number of recorded positions of run k (steps taken + 1)."""
        return int(self.steps[k]) + 1

    def active(self) -> np.ndarray:
        """Runs that can still move: below the step limit with a point not finally stopped."""
        return (self.steps < self.max_steps) & ~is_final(self.status).all(axis=1)

    @property
    def finished(self) -> bool:
        return not self.active().any()

    @property
    def cloud(self) -> np.ndarray:
        """Every start point's current position, (K, N, 2) (a swarm's dots)."""
        return self.positions

    def path(self, k: int, i: int = 0) -> np.ndarray:
        """Positions W_0..W_t of start point i in run k, shape (t+1, 2)."""
        if self.history is None:
            raise RuntimeError("this simulation does not record its history (record=False)")
        if i >= self.M:
            return self.history.cloud[: self.length(k), k, i].astype(float)
        return self.history.positions[: self.length(k), k, i]

    # ------------------------------------------------------------------ stepping

    def run(self, steps: int | None = None) -> "Simulation":
        """Advance until every run has stopped or taken ``steps`` more steps (default: to the limit)."""
        self.step(self.max_steps if steps is None else steps)
        return self

    def step(self, count: int = 1) -> int:
        """Advance every active run by up to ``count`` steps; returns how many steps were made."""
        done = 0
        with np.errstate(all="ignore"):
            for _ in range(int(count)):
                final = is_final(self.status)
                moving = (self.steps < self.max_steps) & ~final.all(axis=1)  # self.active()
                act = moving.nonzero()[0]  # 1-D: as np.flatnonzero, without its ravel (every step)
                if act.size == 0:
                    break
                self._advance(act, moving, final)
                self.steps[act] += 1
                if self.record or np.any(self.steps[act] % self.check_every == 0) or np.any(
                    self.steps[act] >= self.max_steps
                ):
                    # All runs, even those that stopped: they are re-evaluated where they
                    # stand, which changes nothing, and whole-array slices beat fancy indexing.
                    self._evaluate(slice(None))
                done += 1
        return done

    def _advance(self, act: np.ndarray, moving: np.ndarray, final: np.ndarray) -> None:
        """One step W ← W + step for the runs ``act`` (``moving`` as a mask). Gradients, the
        move and the recording are vectorized over all runs; the optimizer kernels loop over
        ``act`` (one compiled call when available) and mini-batch draws over the stochastic
        runs. Large N goes in cache-sized row blocks. Finally stopped points keep their place."""
        t = self.steps[act]
        h = self.history
        lrs = self._lr_const[act]
        scheduled = np.isnan(lrs).nonzero()[0]
        for j in scheduled:
            lrs[j] = self._conf[act[j]].learning_rate(int(t[j]))
        if h is not None:
            h.lr[t, act] = lrs
        fused = self._compiled_kernel()
        if fused is None:
            lrs = lrs.tolist()  # Python floats: the kernels' scalar arithmetic stays as before
        batches = [(k, self._sampler[k].next()) for k in (self._stochastic & moving).nonzero()[0]]
        measure = self.record or np.any((t + 1) % self.check_every == 0) or np.any(t + 1 >= self.max_steps)
        everyone = act.size == self.K
        stop = final if everyone else final | ~moving[:, None]
        stop = stop if stop.any() else None
        analytic = isinstance(self.risk, AnalyticRisk)
        fresh = bool(self._grad_fresh.all())
        whole = self.N <= self.chunk_rows
        for a in range(0, self.N, self.chunk_rows):
            rows = slice(a, min(a + self.chunk_rows, self.N))
            g = self._scratch[:, rows]
            # The full-batch ∇J of every run at once: known from the last evaluation, or fresh.
            if fresh:
                np.copyto(g, self.full_grad[:, rows])
            else:
                self.surface.grad(self.positions[:, rows], out=g)
            for k, idx in batches:  # stochastic runs: sample noise, or the batch's own gradient
                if analytic:
                    g[k] += self.risk.noise(idx)
                else:
                    self.risk.batch_grad(self.positions[k, rows], idx, out=g[k])
            if h is not None and a < self.M:  # the gradients of the recorded (lead) points
                lead = g[:, : min(rows.stop, self.M) - a]
                h.grad[t, act, a: a + lead.shape[1]] = lead if everyone else lead[act]
            if fused is not None:
                fused(act, self._kinds, self._constants, lrs, t, g, self.positions[:, rows], self._stack[:, :, rows],
                      self._slots)
            else:
                for j, k in enumerate(act):
                    bufs = self._bufs[k] if whole else tuple(b[rows] for b in self._bufs[k])
                    conf, tj = self._conf[k], int(t[j])  # Configured.apply, one call less per run
                    q = conf.rule.prepare(conf.constants, lrs[j], tj)
                    step = conf.rule.kernel(g[k], self.positions[k, rows], bufs, conf.constants, q, tj)
                    if step is not g[k]:
                        np.copyto(g[k], step)
            if stop is not None:
                g[stop[:, rows]] = 0.0
            self.positions[:, rows] += g
            if measure:
                if everyone:
                    np.hypot(g[..., 0], g[..., 1], out=self._step_norm[:, rows])
                else:
                    self._step_norm[act, rows] = np.hypot(g[act, :, 0], g[act, :, 1])
        self._grad_fresh[act] = False

    def _compiled_kernel(self):
        if self.backend == "numpy" or (self.backend == "auto" and not compiled.ready()) or (self._kinds < 0).any():
            return None
        return compiled.kernel()

    def _evaluate(self, runs) -> None:
        """Loss, full gradient and status at the current positions of ``runs`` (an index
        array or a slice); then record."""
        P = self.positions[runs]
        loss = self.surface.f(P)
        grad = self.surface.grad(P)
        self.loss[runs] = loss
        self.full_grad[runs] = grad
        self._grad_fresh[runs] = True
        self._classify(runs, P, loss, grad)
        if self.history is not None:
            self._record(runs)

    def _classify(self, runs, P, loss, grad) -> None:
        """The race's status rule (:mod:`optviz.core.status_rule`, the one the basin kernel
        compiles) on the points of ``runs``; points already stopped for good keep theirs."""
        status = self.status[runs]
        final = is_final(status)
        gscaled = np.hypot(grad[..., 0], grad[..., 1])
        gscaled /= self._grad_scale[runs]
        step = self._step_norm[runs]
        x, y = P[..., 0], P[..., 1]
        # Fast path, nearly every step: every point stopped for good or certainly running.
        ok = rule.certainly_running(x, y, loss, gscaled, step, self._geo, self._limits, self._has_saddles)
        ok |= final
        if ok.all():
            if self._stalled:  # only STALLED can go back to RUNNING here
                self.status[runs] = np.where(final, status, Status.RUNNING)
                self._stalled = bool((self.status == Status.STALLED).any())
            return
        shape = status.shape
        new, new_min, unknown = rule.classify(
            x.ravel(), y.ravel(), loss.ravel(), gscaled.ravel(), step.ravel(), self._start_loss[runs].ravel(),
            self._geo, self._limits, self._minima, self._saddles)
        if unknown.any():
            # A stop away from every listed point: the Hessian tells a minimum from a saddle.
            hess = self.surface.hessian(P.reshape(-1, 2)[unknown])
            stalled = rule.saddle(hess[:, 0, 0], hess[:, 0, 1], hess[:, 1, 1])
            new[np.flatnonzero(unknown)[stalled]] = Status.STALLED
        # Final statuses never change until the run restarts.
        self.status[runs] = np.where(final, status, new.reshape(shape))
        self.minimum[runs] = np.where(final, self.minimum[runs], new_min.reshape(shape))
        self._stalled = bool((self.status == Status.STALLED).any())

    def _record(self, runs) -> None:
        h = self.history
        ks = self._run_index[runs]
        t = self.steps[ks]
        if t[0] == t[-1] and (t == t[0]).all():  # runs in step: plain slices, far cheaper
            t, ks = int(t[0]), runs
        src = runs if self.M == self.N else (runs, slice(0, self.M))  # the recorded (lead) points
        h.positions[t, ks] = self.positions[src]
        h.loss[t, ks] = self.loss[src]
        grad = self.full_grad[src]
        h.full_grad[t, ks] = grad
        h.grad_norm[t, ks] = np.hypot(grad[..., 0], grad[..., 1])
        h.status[t, ks] = self.status[src]
        h.minimum[t, ks] = self.minimum[src]
        for name, buf in self._buffers.items():
            h.state[name][t, ks] = buf[src]
        if h.cloud is not None:
            h.cloud[t, ks] = self.positions[runs]

    # ------------------------------------------------------------------ summaries

    def describe(self, k: int, i: int = 0) -> str:
        return describe_status(self.status[k, i], self.minimum[k, i])


def simulate(problem, runs: Sequence[RunSpec], starts, steps: int = 1000, **kwargs) -> Simulation:
    """Build a :class:`Simulation` and run it to the end in one call."""
    return Simulation(problem, runs, starts, max_steps=steps, **kwargs).run()
