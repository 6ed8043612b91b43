"""The race an export draws: every run's whole trajectory, computed before the first frame.

Frames never come from the live timer: :meth:`Race.from_model` builds its own
:class:`~optviz.core.Simulation` exactly as the app's controller does (same specs, start,
seed and noise), runs it to the end and keeps start point 0 of every run. A frame at step s
then only reads the first s + 1 positions, so the same scenario gives the same frames on any
machine. :meth:`Race.from_simulation` snapshots a live simulation instead (the PNG of what is
on screen now); it copies, so the app's simulation is never touched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..core import Simulation, Status, describe_status
from ..look import RunLook, run_looks
from ..core.scale import ValueScale, value_scale
from ..core.optimizers import rule_of
from ..core.run import RunSpec
from ..core.surface import Surface
from ..core.timeline import RaceFrame, Recording

#: Samples per side of the grid that fixes the colour scale: the app's (controller.GRID_SIZE),
#: so a colour means the same loss in the app and in every export.
SCALE_GRID = 200

def settings_text(spec: RunSpec, n_samples: int) -> str:
    """A run's short settings line for a legend, e.g. "α = 0.001, β = 0.9" or "α = 0.01, B = 1"
    (the lecture's symbols are the rule's, :class:`~optviz.core.optimizers.Hyper`)."""
    rule = rule_of(spec.optimizer)
    parts = [f"{rule.hyperparameter(k).symbol} = {v:.3g}" for k, v in spec.hyperparameters().items() if k != "eps"]
    batch = spec.effective_batch_size(n_samples)
    if batch < n_samples:
        parts.append(f"B = {batch}")
    if spec.schedule != "constant":
        parts.append(spec.schedule.replace("_", " "))
    return ", ".join(parts)


def hyperparameter_text(spec: RunSpec, n_samples: int) -> str:
    """Every setting of a run as ``name=value`` pairs (exact reprs), for data files."""
    items = {**spec.hyperparameters(), "batch_size": spec.effective_batch_size(n_samples)}
    if spec.schedule != "constant" or spec.schedule_params:
        items["schedule"] = spec.schedule
        items.update({f"schedule_{k}": v for k, v in spec.schedule_params.items()})
    return ";".join(f"{k}={v!r}" if isinstance(v, float) else f"{k}={v}" for k, v in items.items())


@dataclass
class Race:
    """Trajectories of K runs (start point 0 of each), recorded to the end.

    ``runs[k]`` is run k (:class:`~optviz.core.run.RunSpec`: its settings, title and whether it
    is drawn) and ``looks[k]`` how it is drawn (:class:`~optviz.look.RunLook`; by default its
    optimizer's colour, marker and dash for its place in the race, :func:`optviz.look.run_looks`).
    positions[t, k]: W_t of run k, shape (T+1, K, 2); loss and grad_norm (T+1, K). Rows at
    and after ``lengths[k]`` are NaN (the run had stopped). ``status[k]`` and ``minimum[k]``
    are the run's final classification.
    """

    surface: Surface
    runs: list[RunSpec]
    start: tuple[float, float]
    positions: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    lengths: np.ndarray
    status: np.ndarray
    minimum: np.ndarray
    scale: ValueScale
    max_steps: int
    seed: int = 0
    noise_scale: float | None = None
    n_samples: int = 1
    preset: str = ""
    log_loss: bool = True
    #: The heading and caption the frames show; empty / None: the surface's title and caption
    #: (a scenario's race shows the scenario's title and the first sentence of its note).
    title: str = ""
    caption: str | None = None
    looks: list[RunLook] = field(default_factory=list)
    _recording: Recording | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def shown_title(self) -> str:
        return self.title or self.surface.title

    @property
    def shown_caption(self) -> str:
        return self.caption if self.caption is not None else getattr(self.surface, "caption", "")

    def __post_init__(self) -> None:
        if not self.looks:
            self.looks = run_looks([r.optimizer for r in self.runs])
        if len(self.looks) != len(self.runs):
            raise ValueError(f"{len(self.looks)} looks for {len(self.runs)} runs")

    # ------------------------------------------------------------------ building

    @classmethod
    def from_model(cls, model, steps: int | None = None) -> "Race":
        """Run the race of a :class:`~optviz.app.window.model.RaceModel` to ``steps`` (default: its max
        steps) in a Simulation of its own, built like ``RaceController._build``."""
        steps = int(model.max_steps if steps is None else steps)
        surface = model.surface()
        specs = [run.spec for run in model.runs]
        sim = Simulation(surface, specs, model.start, max_steps=steps, seed=model.seed, noise_scale=model.noise_scale)
        sim.run()
        looks = [RunLook(run.color, run.marker, tuple(run.dash)) for run in model.runs]
        return cls.from_simulation(sim, specs, looks, preset=model.preset, log_loss=model.view.log_loss,
                                   noise_scale=model.noise_scale)

    @classmethod
    def from_scenario(cls, scenario, steps: int | None = None) -> "Race":
        """Run a :class:`~optviz.core.scenario.Scenario`'s race to ``steps`` (default: its
        ``max_steps``) in a Simulation of its own: the saved form alone makes the race, as the
        app would show it (each run's look from its optimizer and place in the race)."""
        steps = int(scenario.max_steps if steps is None else steps)
        surface = scenario.surface.build()
        specs = list(scenario.runs)
        sim = Simulation(surface, specs, scenario.start, max_steps=steps, seed=scenario.seed,
                         noise_scale=scenario.noise_scale)
        sim.run()
        preset = "custom" if scenario.surface.is_custom else scenario.surface.preset
        race = cls.from_simulation(sim, specs, preset=preset, log_loss=scenario.view.log_loss,
                                   noise_scale=scenario.noise_scale)
        race.title = scenario.title
        race.caption = first_sentence(scenario.note)
        return race

    @classmethod
    def from_simulation(cls, sim: Simulation, runs: Sequence[RunSpec], looks: Sequence[RunLook] = (), *,
                        preset: str = "", log_loss: bool = True, noise_scale: float | None = None,
                        scale: ValueScale | None = None) -> "Race":
        """Snapshot of ``sim`` as it stands (copies; ``sim`` is not changed); ``runs`` as the
        race shows them (titles, visibility), ``looks`` their looks (default: by optimizer)."""
        if sim.history is None:
            raise ValueError("the simulation must record its history")
        if len(runs) != sim.K:
            raise ValueError(f"{len(runs)} run descriptions for {sim.K} runs")
        lengths = np.array([sim.length(k) for k in range(sim.K)], dtype=np.int64)
        T = int(lengths.max())
        h = sim.history
        if scale is None:
            _, _, z = sim.surface.grid(SCALE_GRID, SCALE_GRID)
            scale = value_scale(sim.surface, z)
        return cls(
            surface=sim.surface, runs=list(runs), start=(float(sim.starts[0, 0]), float(sim.starts[0, 1])),
            positions=h.positions[:T, :, 0].copy(), loss=h.loss[:T, :, 0].copy(),
            grad_norm=h.grad_norm[:T, :, 0].copy(), lengths=lengths, status=sim.status[:, 0].copy(),
            minimum=sim.minimum[:, 0].copy(), scale=scale, max_steps=sim.max_steps, seed=sim.seed,
            noise_scale=noise_scale, n_samples=sim.risk.n, preset=preset or getattr(sim.surface, "key", ""),
            log_loss=log_loss, looks=list(looks),
        )

    # ------------------------------------------------------------------ queries

    @property
    def K(self) -> int:
        return len(self.runs)

    @property
    def last_step(self) -> int:
        """The last step at which any run still moved: the animation ends there."""
        return int(self.lengths.max()) - 1

    def frame_steps(self, steps_per_frame: int = 1) -> np.ndarray:
        """The step shown by every frame: 0, s, 2s, … and :attr:`last_step` as the final frame."""
        if steps_per_frame < 1:
            raise ValueError(f"steps per frame must be >= 1, got {steps_per_frame}")
        last = self.last_step
        shown = np.arange(0, last + 1, steps_per_frame, dtype=np.int64)
        if shown[-1] != last:
            shown = np.append(shown, last)
        return shown

    def count(self, k: int, step: int) -> int:
        """Positions of run k recorded up to ``step``: min(step + 1, its length)."""
        return int(min(step + 1, self.lengths[k]))

    def finite_count(self, k: int, step: int) -> int:
        """Like :meth:`count`, but up to the last finite position (a diverged run ends there)."""
        n = self.count(k, step)
        pts = self.positions[:n, k]
        if n and not np.isfinite(pts[n - 1]).all():
            finite = np.flatnonzero(np.isfinite(pts).all(axis=1))
            n = int(finite[-1]) + 1 if finite.size else 0
        return n

    def finite_counts(self, k: int) -> np.ndarray:
        """:meth:`finite_count` of run k at every step 0 … :attr:`last_step`, vectorized."""
        n = int(self.lengths[k])
        ok = np.isfinite(self.positions[:n, k]).all(axis=1)
        last_ok = np.maximum.accumulate(np.where(ok, np.arange(n), -1)) + 1
        steps = np.minimum(np.arange(self.last_step + 1), n - 1)
        return last_ok[steps]

    def status_at(self, k: int, step: int) -> int:
        """Run k's status as of ``step``: its final status once it has stopped, else running."""
        return int(self.status[k]) if step >= self.lengths[k] - 1 else int(Status.RUNNING)

    def describe_at(self, k: int, step: int) -> str:
        status = self.status_at(k, step)
        if status == Status.RUNNING and step >= self.lengths[k] - 1 and self.lengths[k] - 1 >= self.max_steps:
            return "step limit"
        return describe_status(status, int(self.minimum[k]))

    def at(self, step: int) -> RaceFrame:
        """The race at ``step`` as the views read it (the same frame type the app scrubs
        through: :class:`~optviz.core.timeline.RaceFrame`)."""
        return RaceFrame(self.recording(), min(int(step), self.last_step))

    def recording(self) -> Recording:
        """The recorded race as a :class:`~optviz.core.timeline.Recording` (made once)."""
        if self._recording is None:
            self._recording = Recording(self.positions, self.loss, self.grad_norm, self.lengths, self.status,
                                        self.minimum, other=self)
        return self._recording

    def metadata(self) -> dict:
        """Plain description of the scenario (for data files)."""
        return {
            "preset": self.preset, "surface": self.surface.title, "start": list(self.start), "seed": self.seed,
            "noise_scale": self.noise_scale, "max_steps": self.max_steps,
            "runs": [{"title": r.title, "optimizer": r.optimizer, "color": look.color, "marker": look.marker,
                      "dash": list(look.dash),
                      "hyperparameters": r.hyperparameters(),
                      "batch_size": r.effective_batch_size(self.n_samples),
                      "schedule": r.schedule, "schedule_params": dict(r.schedule_params),
                      "seed": r.seed} for r, look in zip(self.runs, self.looks)],
        }

    def metadata_json(self) -> str:
        return json.dumps(self.metadata(), ensure_ascii=False)


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (its first paragraph if no sentence ends in it), on one line."""
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    end = re.search(r"[.!?](\s|$)", paragraph)
    return paragraph[:end.start() + 1] if end else paragraph
