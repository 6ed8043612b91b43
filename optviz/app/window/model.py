"""The race the app shows: its surface, start point and runs, as evented models (no Qt).

:class:`RaceModel` is the race (what a scenario saves); it holds the two other models of the
window, :attr:`RaceModel.playback` (:class:`~optviz.app.window.playback_state.Playback`) and
:attr:`RaceModel.view` (:class:`~optviz.app.window.view_prefs.ViewPrefs`), each with its own
per-field events. Widgets bind both ways: they set attributes (``run.learning_rate = 0.1``) and
listen to ``events`` to update themselves. The controller listens too and restarts the
simulation.
"""

from __future__ import annotations

from ...core import get_surface, surface_keys
from ...core.optimizers import OPTIMIZERS
from ...core.recommended import recommended_learning_rate
from ...core.expression_surface import expression_surface
from ...core.swarm import check_swarm
from ...core.scenario import CUSTOM_PRESET, LEARNING_RATE_RANGE, MAX_STEPS_LIMIT
from ...core.simulation import RunSpec
from ...look import RunLook, optimizer_look, run_looks
from .events import Observable, in_range
from .playback_state import Playback
from .view_prefs import ViewPrefs

#: The limits are the core's, so scenario files and the app accept the same values.
LR_MIN, LR_MAX = LEARNING_RATE_RANGE

class RunModel(Observable):
    """One race entry as the optimizer panel edits it.

    Hyperparameters live in ``hyper`` (a dict; replace it or use :meth:`set_hyper`, don't
    mutate it); ``learning_rate`` is a shortcut for ``hyper["learning_rate"]``.

    ``color``, ``marker`` and ``dash`` (see :mod:`optviz.look`) are not user data: they follow
    from the optimizer and, in a race, from the run's place among the runs of the same
    optimizer (:meth:`RaceModel.restyle` sets them); a run on its own looks like its optimizer.
    """

    _fields = ("optimizer", "label", "color", "marker", "dash", "visible", "hyper", "batch_size", "schedule",
               "schedule_params", "seed")

    def __init__(self, optimizer: str, *, hyper: dict | None = None, label: str = "",
                 batch_size: int | None = None, schedule: str = "constant", schedule_params: dict | None = None,
                 visible: bool = True, seed: int = 0) -> None:
        super().__init__()
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose from: {', '.join(OPTIMIZERS)}")
        self.optimizer = optimizer
        self.label = label
        self.set_look(optimizer_look(optimizer))
        self.visible = visible
        self.hyper = {**OPTIMIZERS[optimizer].defaults, **(hyper or {})}
        self.batch_size = batch_size
        self.schedule = schedule
        self.schedule_params = dict(schedule_params or {})
        self.seed = seed

    def set_look(self, look: RunLook, *, emit: bool = True) -> None:
        """Colour, marker and dash at once (each emits its event if it changed, unless ``emit``
        is False: when a change of the run list that follows tells the views anyway)."""
        values = {"color": look.color, "marker": look.marker, "dash": tuple(look.dash)}
        for name, value in values.items():
            if emit:
                setattr(self, name, value)
            else:
                object.__setattr__(self, name, value)

    @property
    def spec(self) -> RunSpec:
        return RunSpec(self.optimizer, dict(self.hyper), self.batch_size, self.schedule, dict(self.schedule_params),
                       self.label, self.seed, self.visible)

    @property
    def title(self) -> str:
        return self.label or OPTIMIZERS[self.optimizer].title

    def _validate_hyper(self, value: dict) -> dict:
        value = dict(value)
        if "learning_rate" in value:
            value["learning_rate"] = in_range("learning rate", value["learning_rate"], LR_MIN, LR_MAX)
        # The remaining checks (β < 1, ε ≥ 0…) are the optimizer's own.
        RunSpec(self.optimizer, value).build()
        return value

    def _validate_batch_size(self, value):
        if value is None:
            return None
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"batch size must be a whole number >= 1, got {value!r}")
        return int(value)

    def set_hyper(self, name: str, value: float) -> None:
        """Change one hyperparameter (emits ``hyper``)."""
        self.hyper = {**self.hyper, name: value}

    @property
    def learning_rate(self) -> float:
        return self.hyper["learning_rate"]

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.set_hyper("learning_rate", value)

    def to_dict(self) -> dict:
        return {"optimizer": self.optimizer, "label": self.label, "visible": self.visible,
                "hyper": dict(self.hyper), "batch_size": self.batch_size, "schedule": self.schedule,
                "schedule_params": dict(self.schedule_params), "seed": self.seed}

    @classmethod
    def from_dict(cls, data: dict) -> "RunModel":
        """A run from :meth:`to_dict` data; a "color" (older settings) is ignored."""
        return cls(data["optimizer"], hyper=data.get("hyper"),
                   label=data.get("label", ""), batch_size=data.get("batch_size"),
                   schedule=data.get("schedule", "constant"), schedule_params=data.get("schedule_params"),
                   visible=data.get("visible", True), seed=data.get("seed", 0))


class RaceModel(Observable):
    """The race: the preset, the start point, the runs and their settings; with the window's
    :attr:`playback` and :attr:`view` preferences beside it (their own models and events).

    Args:
        preset: a surface key, or ``"custom"`` with ``custom`` given.
        optimizers: the race as optimizer keys, each with the α recommended for the preset.
            None (the default) loads the preset's own race, the one its caption describes
            (:attr:`optviz.core.surface.Surface.race`).
        start: the start point; None: the preset's.
        custom: a typed loss (see ``custom`` below).

    Choosing another preset (``model.preset = key``) loads that preset's race as well; a
    custom function keeps the runs there are.

    Events: one per field, plus ``runs`` (the list changed: added, removed, replaced) and
    ``run`` with ``(index, field)`` when a field of one run changed. ``selected`` (the run the
    update rule, the overlays and the strip explain) is the race's, since it indexes its runs.
    """

    _extra_events = ("runs", "run")
    _fields = ("custom", "preset", "preset_params", "start", "same_lr", "max_steps", "seed", "noise_scale",
               "selected", "swarm")

    def __init__(self, preset: str = "narrow_valley", optimizers=None, start=None, custom=None) -> None:
        super().__init__()
        self.playback = Playback()
        self.view = ViewPrefs()
        # A typed loss {"expression": text, "view": [xmin, xmax, ymin, ymax]}, the surface of
        # preset "custom"; it is kept when another preset is chosen, to come back to.
        self.custom = custom
        self.preset = preset
        self.preset_params: dict = {}
        surface = self.surface()
        self.start = tuple(start) if start is not None else surface.start
        self.runs: list[RunModel] = []
        self.same_lr = False
        self.max_steps = 2000
        self.seed = 0
        self.noise_scale = None  # σ of analytic surfaces' per-sample gradients; None: the surface's default
        self.selected = 0
        # Every run starts from a cloud of points as well (see _validate_swarm); None: one point.
        self.swarm = None
        if optimizers is None:
            self.load_preset_race(emit=False)
        else:
            for key in optimizers:
                self.add_run(key, emit=False)
            self.apply_recommended_rates()
        # Registered before any view or controller: the new preset's race is in place first.
        self.events.connect("preset", lambda _: self._on_preset())

    def __setattr__(self, name: str, value) -> None:
        if name in _MOVED:  # never a silent plain attribute beside the model that owns the field
            raise AttributeError(_moved_message(name))
        super().__setattr__(name, value)

    def __getattr__(self, name: str):
        # Called only when the normal lookup failed.
        raise AttributeError(_moved_message(name) if name in _MOVED else
                             f"{type(self).__name__!r} object has no attribute {name!r}")

    def _on_preset(self) -> None:
        if self.preset == CUSTOM_PRESET:  # race the runs there are on the typed function
            self.apply_recommended_rates()
        else:
            self.load_preset_race()

    def load_preset_race(self, *, emit: bool = True) -> None:
        """Make the runs the preset's own race (:attr:`~optviz.core.surface.Surface.race`), with
        the α each entry states or else the one recommended for the preset; "same α for all
        runs" is switched off, since the race's runs differ in α on purpose."""
        race = self.surface().race
        if not race:
            raise ValueError(f"the preset {self.preset!r} has no default race")
        runs = []
        for entry in race:  # built apart: a bad entry raises here, before anything changed
            run = RunModel(entry.optimizer, hyper=dict(entry.hyper), label=entry.label,
                           batch_size=entry.batch_size, schedule=entry.schedule,
                           schedule_params=dict(entry.schedule_params))
            lr = recommended_learning_rate(self.preset, entry.optimizer)
            if lr is not None and "learning_rate" not in entry.hyper:
                run.learning_rate = lr
            runs.append(run)
        self.same_lr = False
        if emit:
            self.replace_runs(runs)
            return
        for run in runs:
            self._attach(run)
        self.runs = runs
        self.restyle()
        self.selected = 0

    def apply_recommended_rates(self) -> None:
        """Give every run the learning rate recommended for it on the current preset."""
        for run in self.runs:
            lr = recommended_learning_rate(self.preset, run.optimizer)
            if lr is not None and not self.same_lr:
                run.learning_rate = lr
        if self.same_lr and self.runs:
            lr = recommended_learning_rate(self.preset, self.runs[0].optimizer)
            if lr is not None:
                self._share_lr(lr)

    # Validation keeps the model sane whatever a widget or a file sends.
    def _validate_max_steps(self, v):
        # History is preallocated to the limit: 1e5 steps × 8 runs stay around 50 MB.
        return int(in_range("max steps", v, 1, MAX_STEPS_LIMIT))

    def _validate_start(self, v):
        x, y = (float(c) for c in v)
        if x != x or y != y or abs(x) == float("inf") or abs(y) == float("inf"):
            raise ValueError(f"start point must be finite, got {v!r}")
        return (x, y)

    def _validate_noise_scale(self, v):
        return None if v is None else in_range("noise scale", v, 0.0, 1e6)

    def _validate_selected(self, v):
        if isinstance(v, bool) or int(v) != v:
            raise ValueError(f"selected run must be a whole number, got {v!r}")
        v = int(v)
        runs = self.__dict__.get("runs") or []
        if v < 0 or (runs and v >= len(runs)):
            raise ValueError(f"there is no run {v + 1}: the race has {len(runs)} run{'s' if len(runs) != 1 else ''}")
        return v

    def _validate_swarm(self, v):
        return check_swarm(v)

    def _validate_preset(self, v):
        if v == CUSTOM_PRESET:
            if self.__dict__.get("custom") is None:
                raise ValueError("type a custom function first (Surface → Custom function…)")
            return v
        if v not in surface_keys():
            raise ValueError(f"unknown preset {v!r}; choose from: {', '.join(surface_keys())}")
        return v

    def _validate_custom(self, v):
        """Parse the expression now (a clear ExpressionError, a ValueError, if it is bad), so a
        model never holds a custom function that cannot be drawn."""
        if v is None:
            return None
        if not isinstance(v, dict) or set(v) != {"expression", "view"}:
            raise ValueError('a custom function is {"expression": text, "view": [xmin, xmax, ymin, ymax]}')
        view = v["view"]
        if not isinstance(view, (list, tuple)) or len(view) != 4:
            raise ValueError(f"the view of a custom function is [xmin, xmax, ymin, ymax], got {view!r}")
        surface = expression_surface(v["expression"], view=tuple(view))
        self._custom_surface = surface
        return {"expression": str(v["expression"]), "view": [float(c) for c in view]}

    def surface(self):
        if self.preset == CUSTOM_PRESET:
            return self._custom_surface
        return get_surface(self.preset, **self.preset_params)

    def restyle(self, *, emit: bool = True) -> None:
        """Give every run its look from the race order (:func:`optviz.look.run_looks`): called
        whenever runs are added, removed, replaced or change optimizer. ``emit`` False changes
        the looks without events, for a change of the run list whose "runs" event follows (no
        view may hear of a run the simulation does not have yet, or no longer has)."""
        for run, look in zip(self.runs, run_looks([r.optimizer for r in self.runs])):
            run.set_look(look, emit=emit)

    def add_run(self, optimizer: str, *, emit: bool = True, **kwargs) -> RunModel:
        run = RunModel(optimizer, **kwargs)
        lr = recommended_learning_rate(self.preset, optimizer)
        if lr is not None and "learning_rate" not in (kwargs.get("hyper") or {}):
            run.learning_rate = lr
        if self.same_lr and self.runs:
            run.learning_rate = self.runs[0].learning_rate
        # A run's look depends only on the runs before it: the others keep theirs.
        run.set_look(run_looks([r.optimizer for r in self.runs] + [optimizer])[-1], emit=False)
        self._attach(run)
        self.runs.append(run)
        if emit:
            self.events.emit("runs", self.runs)
        return run

    def remove_run(self, index: int) -> None:
        if len(self.runs) <= 1:
            raise ValueError("the race needs at least one run")
        del self.runs[index]
        self.restyle(emit=False)
        self.selected = min(self.selected, len(self.runs) - 1)
        self.events.emit("runs", self.runs)

    def replace_runs(self, runs: list[RunModel]) -> None:
        if not runs:
            raise ValueError("the race needs at least one run")
        # Their looks before they join the race: restyling them there then changes nothing, so no
        # view hears of the new runs (a look event) while the simulation still has the old ones.
        for run, look in zip(runs, run_looks([run.optimizer for run in runs])):
            run.set_look(look)
        for run in runs:
            self._attach(run)
        self.runs = list(runs)
        self.restyle()
        self.selected = 0
        self.events.emit("runs", self.runs)

    def _attach(self, run: RunModel) -> None:
        def changed(item, run=run):
            name, _ = item
            if run not in self.runs:
                return
            if name == "hyper" and self.same_lr:
                self._share_lr(run.learning_rate)
            self.events.emit("run", (self.runs.index(run), name))
            if name == "optimizer":  # its look, and that of the runs of both optimizers after it
                self.restyle()

        run.events.connect("*", changed)

    def _share_lr(self, lr: float) -> None:
        for other in self.runs:
            if other.learning_rate != lr:
                other.learning_rate = lr

    def _validate_same_lr(self, v):
        v = bool(v)
        if v and self.__dict__.get("runs"):
            lr = self.runs[min(self.__dict__.get("selected", 0), len(self.runs) - 1)].learning_rate
            object.__setattr__(self, "same_lr", v)
            self._share_lr(lr)
        return v

    def reset_defaults(self) -> None:
        """Back to the preset's own race, the runs its caption describes (a custom function's
        is one run each of GD, momentum and Adam at their default settings)."""
        self.load_preset_race()


#: The fields of the two models beside the race, by name: where each one lives.
_MOVED = {**{name: "view" for name in ViewPrefs._fields}, **{name: "playback" for name in Playback._fields},
          "scale": "view", "display_factor": "view"}


def _moved_message(name: str) -> str:
    part = _MOVED[name]
    return f"{name} is not a field of the race but of its {part} model: use model.{part}.{name}"
