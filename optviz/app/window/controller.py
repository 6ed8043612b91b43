"""Drives the race: owns the Simulation built from the RaceModel and a timer that steps it.

Views never compute: they read ``controller.frame`` (a RaceFrame: the race now, or the recorded state at
the step the timeline shows: positions, history, statuses), ``controller.surface`` and the
sampled grid ``controller.grid`` with its ``scale``.

Every timer tick has a time budget (``TICK_BUDGET``, 12 ms in a 16 ms frame, less what the
views took to follow the previous tick, but at least 3 ms of stepping):
``steps_per_frame`` is the target, and when its steps do not fit (a 10,000-point swarm costs
~9 ms a step) the tick stops when the budget is spent and the rest of the frame's steps are
taken on the next ticks. The window therefore answers input within a frame however
expensive a step is; the race just runs slower, and the status bar says so once. The steps
taken are the same as stepping the simulation directly: only their grouping into frames
changes.

Memory budget: the simulation allocates its whole recording when it is built
(:class:`optviz.core.simulation.History`, ``max_steps`` + 1 rows): at most 16 runs ×
100,000 steps, about 210 MiB, and a swarm's step limit is cut so its recording fits
``limits.RECORDING_MEMORY_BUDGET`` (400 MiB). Playing allocates nothing that grows with the
step count: the views draw a bounded number of points per run however long the race
(:mod:`optviz.render.decimation` for curves and the 3D paths, the contour canvas strokes only new
segments into fixed-size images). So the app's memory is its start-up size plus the
recording, however long it runs (``benchmarks/bench_app.py`` prints it at step 1,000 and
100,000).
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from ...core import Simulation, RaceFrame, compiled, latest_step
from ...core.scenario import CUSTOM_PRESET
from ...core.scale import value_scale
from ...core.swarm import swarm_points, swarm_step_limit
from ...look import RunLook
from ...render.inputs import RunStyle, SurfaceGrid, run_style
from .model import RaceModel
from .view_prefs import display_color

GRID_SIZE = 200
FRAME_MS = 16  # ~60 Hz
#: Seconds of stepping per tick: the rest of the frame is left for drawing and input.
TICK_BUDGET = 0.012


class RaceController(QObject):
    """Keeps ``sim`` in step with ``model`` and advances it on a timer.

    Signals:
        surfaceChanged: a new surface (preset, parameters); ``grid`` is resampled.
        runsChanged: the set of runs, their colours, titles or visibility changed, or the
            simulation was rebuilt; views redraw everything.
        advanced: the runs moved (steps taken, or restarted).
        playingChanged(bool): the timer started or stopped.
        error(str): something the user asked for could not be done; the old state stays.
    """

    surfaceChanged = Signal()
    runsChanged = Signal()
    advanced = Signal()
    playingChanged = Signal(bool)
    error = Signal(str)

    def __init__(self, model: RaceModel, parent: QObject | None = None, grid_size: int = GRID_SIZE) -> None:
        super().__init__(parent)
        # Build the compiled optimizer kernel off the GUI thread; until it is ready the
        # simulation ("auto" backend) steps with NumPy, bit for bit the same.
        if not compiled.ready() and compiled.available():
            compiled.warm_up()
        self.model = model
        self.grid_size = grid_size
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.tick)
        self.surface = None
        self.grid: SurfaceGrid | None = None
        self.sim: Simulation | None = None
        self._switching = False
        self._quiet = False  # going live as part of a change that redraws anyway
        #: The clock ticks are budgeted by (replaceable in tests) and the budget in seconds.
        self.clock = time.perf_counter
        self.tick_budget = TICK_BUDGET
        self._pending = 0  # steps of the current frame's request still to take
        self._step_cost: float | None = None  # seconds per step, as last measured
        self._warned_slow = False  # the "cannot keep up" hint was shown since play started
        self._draw_cost = 0.0  # seconds the views took to follow the last tick
        self._load_surface()
        self._rebuild()
        model.events.connect("preset", lambda _: self._on_preset())
        model.events.connect("preset_params", lambda _: self._on_preset())
        model.events.connect("custom", lambda _: self._on_preset() if model.preset == CUSTOM_PRESET else None)
        model.events.connect("start", lambda _: self._restart_all())
        model.events.connect("swarm", lambda _: self._rebuild())
        model.playback.events.connect("timeline", lambda _: None if self._quiet else self.advanced.emit())
        model.events.connect("seed", lambda _: self._rebuild())
        model.events.connect("noise_scale", lambda _: self._rebuild())
        model.events.connect("max_steps", lambda _: self._rebuild())
        model.events.connect("runs", lambda _: self._rebuild())
        model.events.connect("run", self._on_run_changed)
        model.playback.events.connect("playing", self._on_playing)

    # ------------------------------------------------------------------ model → simulation

    def _load_surface(self) -> None:
        self.surface = self.model.surface()
        self._loaded = self._surface_key()
        xs, ys, z = self.surface.grid(self.grid_size, self.grid_size)
        self.grid = SurfaceGrid(xs, ys, z, value_scale(self.surface, z))

    def _outdated(self) -> bool:
        """A preset switch is under way: ``sim`` is about to be rebuilt, so restarting it is waste.
        (The model gives runs the new preset's learning rates before we hear of the preset.)"""
        return self._loaded != self._surface_key() or self._switching

    def _surface_key(self) -> tuple:
        m = self.model
        custom = m.custom if m.preset == CUSTOM_PRESET else None
        return (m.preset, dict(m.preset_params), custom and (custom["expression"], tuple(custom["view"])))

    def _on_preset(self) -> None:
        self._load_surface()
        self._switching = True
        try:
            self.model.start = self.surface.start
        finally:
            self._switching = False
        self._build()
        self.surfaceChanged.emit()
        self.runsChanged.emit()

    def _starts(self) -> np.ndarray:
        """The start point, followed by the swarm's points when there is one."""
        m = self.model
        if m.swarm is None:
            return np.array([m.start], dtype=float)
        return np.vstack([m.start, swarm_points(m.swarm, self.surface.view)])

    def _build(self) -> None:
        m = self.model
        specs = [run.spec for run in m.runs]
        starts = self._starts()
        max_steps, lead = m.max_steps, None
        if len(starts) > 1:
            # A swarm: full histories for the start point only, and the step limit its
            # recorded positions fit in.
            lead = 1
            max_steps = swarm_step_limit(m.max_steps, len(specs), len(starts))
            if max_steps < m.max_steps:
                self.error.emit(f"{len(starts):,} points × {len(specs)} run{'s' if len(specs) != 1 else ''}: the race stops after "
                                f"{max_steps:,} steps so its recording fits in memory")
        self._go_live()
        self._pending, self._step_cost = 0, None
        self.sim = Simulation(self.surface, specs, starts, max_steps=max_steps, seed=m.seed,
                              noise_scale=m.noise_scale, record_points=lead)

    @property
    def frame(self) -> RaceFrame:
        """What the views show: the race as it stands, or its recorded state at the step the
        timeline was scrubbed to (never recomputed); one type either way."""
        t = self.model.playback.timeline
        if t is None or t >= latest_step(self.sim):
            return RaceFrame.now(self.sim)
        return RaceFrame(self.sim, t)

    def _go_live(self) -> None:
        """The timeline follows the race again (it restarted, or plays on). Callers redraw."""
        if self.model.playback.timeline is not None:
            self._quiet = True
            try:
                self.model.playback.timeline = None
            finally:
                self._quiet = False

    def _rebuild(self) -> None:
        """A new Simulation from the model; views redraw on ``runsChanged``."""
        self._build()
        self.runsChanged.emit()

    def _restart_all(self) -> None:
        if self._outdated():
            return
        self._go_live()
        self.sim.restart(None, starts=self._starts())
        self.advanced.emit()

    def _on_run_changed(self, item) -> None:
        index, name = item
        if name in ("color", "marker", "dash", "visible", "label"):
            self.runsChanged.emit()
            return
        if self._outdated():
            return
        # Hyperparameters, batch size, schedule, seed or optimizer: restart just that run.
        self._go_live()
        try:
            self.sim.restart(index, self.model.runs[index].spec)
        except ValueError:
            self._rebuild()  # e.g. a different optimizer kind
            return
        self.advanced.emit()

    # ------------------------------------------------------------------ playback

    def styles(self) -> list[RunStyle]:
        """How every run is drawn: its optimizer's look (:func:`optviz.look.run_looks`), the
        colour as the current theme shows it."""
        theme = self.model.view.theme
        return [run_style(r.spec, RunLook(r.color, r.marker, tuple(r.dash)), display_color(r.color, theme))
                for r in self.model.runs]

    def _on_playing(self, playing: bool) -> None:
        self._pending = 0  # a new play starts a new frame request
        self._warned_slow = False
        if playing:
            self._go_live()
        if playing and self.sim.finished:
            self.sim.restart()
            self.advanced.emit()
        if playing:
            self.timer.start()
        else:
            self.timer.stop()
        self.playingChanged.emit(playing)

    def toggle_play(self) -> None:
        self.model.playback.playing = not self.model.playback.playing

    def step_once(self) -> None:
        """One step forward: along the recording when scrubbed back, else a new step."""
        m = self.model
        m.playback.playing = False
        if m.playback.timeline is not None:
            m.playback.timeline = m.playback.timeline + 1 if m.playback.timeline + 1 < latest_step(self.sim) else None
            return
        if self.sim.step(1):
            self.advanced.emit()

    def step_back(self) -> None:
        """One step back along the recording (pauses); nothing is recomputed."""
        m = self.model
        m.playback.playing = False
        t = latest_step(self.sim) if m.playback.timeline is None else m.playback.timeline
        m.playback.timeline = max(0, t - 1)

    def reset(self) -> None:
        self._go_live()
        self._pending = 0
        self.sim.restart()
        self.advanced.emit()

    def tick(self) -> None:
        """One timer frame: the frame's ``steps_per_frame`` steps, or as many of them as fit in
        ``tick_budget`` seconds (at least one); the rest are taken on the next ticks before a
        new frame's steps are requested. Then the views redraw."""
        if self._pending <= 0:
            self._pending = int(self.model.playback.steps_per_frame)
        moved = self._step_within_budget()
        if moved:
            t0 = self.clock()
            self.advanced.emit()
            self._draw_cost = self.clock() - t0
        if self.sim.finished:
            self._pending = 0
            self.model.playback.playing = False

    def _step_within_budget(self) -> int:
        """Take pending steps until the budget is spent; returns the steps made. The chunk size
        comes from the measured cost of a step, so a cheap race steps its whole frame in one
        call and an expensive one stops near the budget (one step can overrun it: one is
        always taken, so the race never stalls)."""
        # The views' update after the last tick counts against this one: a frame that takes
        # long to draw (a big swarm) leaves less time for steps, never less than a quarter.
        clock = self.clock
        budget = max(self.tick_budget - self._draw_cost, self.tick_budget / 4)
        start, done = clock(), 0
        while self._pending > 0:
            elapsed = clock() - start
            if done and elapsed >= budget:
                break
            if self._step_cost is None:
                chunk = 1  # measure one step first: it may cost a whole frame
            else:
                chunk = int(max(budget - elapsed, 0.0) / max(self._step_cost, 1e-9))
                chunk = max(1, min(self._pending, chunk))
            t0 = clock()
            made = self.sim.step(chunk)
            if made:
                cost = (clock() - t0) / made
                self._step_cost = cost if self._step_cost is None else 0.5 * (self._step_cost + cost)
            self._pending -= chunk
            done += made
            if made < chunk:  # every run stopped
                self._pending = 0
                break
        if self._pending > 0 and not self._warned_slow and self.model.playback.playing:
            self._warned_slow = True
            per_frame = max(1, int(budget / max(self._step_cost or budget, 1e-9)))
            self.error.emit(f"This race cannot take {self.model.playback.steps_per_frame:,} steps per frame here: about "
                            f"{per_frame:,} fit in a frame, so it plays slower to keep the window responsive")
        return done
