"""The app's state as plain Python objects with change events (no Qt).

Widgets bind both ways: they set attributes (``run.learning_rate = 0.1``) and listen to
``events`` to update themselves. The controller listens too and restarts the simulation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ..core import get_surface, surface_keys
from ..core.optimizers import OPTIMIZERS
from ..core.recommended import recommended_learning_rate
from ..core.expression import expression_surface
from ..core.swarm import check_swarm
from ..core.scenario import CUSTOM_PRESET, LEARNING_RATE_RANGE, MAX_STEPS_LIMIT, RUN_COLORS, STEPS_PER_FRAME_MAX
from ..core.simulation import RunSpec

#: Okabe–Ito: distinguishable with every common colour-vision deficiency. The limits are the
#: core's, so scenario files and the app accept the same values.
PALETTE = RUN_COLORS
LR_MIN, LR_MAX = LEARNING_RATE_RANGE

#: The two looks of the app: the everyday one and the high-contrast one for projectors.
THEMES = ("normal", "projector")
#: Presentation mode scales fonts, lines and markers by ``ui_scale`` (adjustable in this range).
UI_SCALE_MIN, UI_SCALE_MAX, UI_SCALE_DEFAULT = 1.0, 3.0, 1.75
#: What a run colour becomes in the projector theme: Okabe–Ito's yellow nearly vanishes on
#: white (contrast 1.3:1); a dark mustard keeps the hue at 2.8:1, above the orange (2.3:1).
PROJECTOR_COLORS = {"#F0E442": "#B09A00"}


def display_color(color: str, theme: str) -> str:
    """The colour a run is drawn in under ``theme`` (its model colour, except where the
    projector theme needs a darker shade for contrast on white)."""
    if theme == "projector":
        return PROJECTOR_COLORS.get(str(color).upper(), color)
    return color


class Events:
    """Named callbacks: ``events.connect("learning_rate", fn)``; ``fn(value)`` on each change."""

    def __init__(self) -> None:
        self._callbacks: dict[str, list[Callable[[Any], None]]] = defaultdict(list)

    def connect(self, name: str, callback: Callable[[Any], None]) -> None:
        self._callbacks[name].append(callback)

    def disconnect(self, name: str, callback: Callable[[Any], None]) -> None:
        if callback in self._callbacks.get(name, []):
            self._callbacks[name].remove(callback)

    def emit(self, name: str, value: Any = None) -> None:
        for callback in list(self._callbacks.get(name, ())):
            callback(value)
        for callback in list(self._callbacks.get("*", ())):
            callback((name, value))


class Observable:
    """Attributes listed in ``_fields`` emit an event named after them when they change.

    ``_validate_<name>(value)`` may check and normalise a value; it raises ValueError with a
    clear message for bad input, which leaves the old value in place.
    """

    _fields: tuple[str, ...] = ()

    def __init__(self) -> None:
        object.__setattr__(self, "events", Events())

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._fields:
            check = getattr(self, f"_validate_{name}", None)
            if check is not None:
                value = check(value)
            old = self.__dict__.get(name, _MISSING)
            object.__setattr__(self, name, value)
            if old is _MISSING or not _same(old, value):
                self.events.emit(name, value)
        else:
            object.__setattr__(self, name, value)


_MISSING = object()


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # e.g. arrays
        return a is b


def _in_range(name: str, value: float, low: float, high: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not low <= v <= high:
        raise ValueError(f"{name} must be in [{low:g}, {high:g}], got {v:g}")
    return v


class RunModel(Observable):
    """One race entry as the optimizer panel edits it.

    Hyperparameters live in ``hyper`` (a dict; replace it or use :meth:`set_hyper`, don't
    mutate it); ``learning_rate`` is a shortcut for ``hyper["learning_rate"]``.
    """

    _fields = ("optimizer", "label", "color", "visible", "hyper", "batch_size", "schedule", "schedule_params", "seed")

    def __init__(self, optimizer: str, color: str, *, hyper: dict | None = None, label: str = "",
                 batch_size: int | None = None, schedule: str = "constant", schedule_params: dict | None = None,
                 visible: bool = True, seed: int = 0) -> None:
        super().__init__()
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose from: {', '.join(OPTIMIZERS)}")
        self.optimizer = optimizer
        self.label = label
        self.color = color
        self.visible = visible
        self.hyper = {**OPTIMIZERS[optimizer].defaults, **(hyper or {})}
        self.batch_size = batch_size
        self.schedule = schedule
        self.schedule_params = dict(schedule_params or {})
        self.seed = seed

    @property
    def spec(self) -> RunSpec:
        return RunSpec(self.optimizer, dict(self.hyper), self.batch_size, self.schedule, dict(self.schedule_params),
                       self.label, self.seed)

    @property
    def title(self) -> str:
        return self.label or OPTIMIZERS[self.optimizer].title

    def _validate_hyper(self, value: dict) -> dict:
        value = dict(value)
        if "learning_rate" in value:
            value["learning_rate"] = _in_range("learning rate", value["learning_rate"], LR_MIN, LR_MAX)
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
        return {"optimizer": self.optimizer, "label": self.label, "color": self.color, "visible": self.visible,
                "hyper": dict(self.hyper), "batch_size": self.batch_size, "schedule": self.schedule,
                "schedule_params": dict(self.schedule_params), "seed": self.seed}

    @classmethod
    def from_dict(cls, data: dict) -> "RunModel":
        return cls(data["optimizer"], data.get("color", PALETTE[0]), hyper=data.get("hyper"),
                   label=data.get("label", ""), batch_size=data.get("batch_size"),
                   schedule=data.get("schedule", "constant"), schedule_params=data.get("schedule_params"),
                   visible=data.get("visible", True), seed=data.get("seed", 0))


DEFAULT_RACE = ("gd", "momentum", "rmsprop", "adam")


class RaceModel(Observable):
    """Everything the race depends on: the preset, the start point, the runs, playback.

    Events: one per field, plus ``runs`` (the list changed: added, removed, replaced) and
    ``run`` with ``(index, field)`` when a field of one run changed.
    """

    _fields = ("custom", "preset", "preset_params", "start", "same_lr", "steps_per_frame", "max_steps", "playing",
               "seed", "noise_scale", "log_loss", "selected", "timeline", "swarm",
               # How the race is shown (the classroom features); see VIEW_FIELDS.
               "presentation", "theme", "ui_scale", "panels_collapsed", "show_3d", "show_contour",
               "show_equations", "overlay_gradient", "overlay_momentum", "overlay_step_size", "overlay_field")

    def __init__(self, preset: str = "narrow_valley", optimizers=DEFAULT_RACE, start=None, custom=None) -> None:
        super().__init__()
        # A typed loss {"expression": text, "view": [xmin, xmax, ymin, ymax]}, the surface of
        # preset "custom"; it is kept when another preset is chosen, to come back to.
        self.custom = custom
        self.preset = preset
        self.preset_params: dict = {}
        surface = self.surface()
        self.start = tuple(start) if start is not None else surface.start
        self.runs: list[RunModel] = []
        self.same_lr = False
        self.steps_per_frame = 2
        self.max_steps = 2000
        self.playing = False
        self.seed = 0
        self.noise_scale = None  # σ of analytic surfaces' per-sample gradients; None: the surface's default
        self.log_loss = True
        self.selected = 0
        # The step the views show while scrubbing back through the race; None follows it live.
        self.timeline = None
        # Every run starts from a cloud of points as well (see _validate_swarm); None: one point.
        self.swarm = None
        # Presentation mode: full screen, the projector theme, everything scaled by ui_scale.
        self.presentation = False
        self.theme = "normal"
        self.ui_scale = UI_SCALE_DEFAULT
        self.panels_collapsed = False  # side panel and readouts hidden, the compact strip shown
        self.show_3d = True  # at least one of the two views stays visible
        self.show_contour = True
        self.show_equations = True  # the live update rule of the selected run
        # Visual aids drawn at the head of the selected run (and the field over the map).
        self.overlay_gradient = False  # −∇J
        self.overlay_momentum = False  # −αp (momentum, Nesterov; Adam's first moment)
        self.overlay_step_size = False  # α/(ε + √r) per axis (AdaGrad, RMSProp, Adam)
        self.overlay_field = False  # the field of −∇J directions over the map
        for key in optimizers:
            self.add_run(key, emit=False)
        # Registered before any view or controller: runs take the new preset's rates first.
        self.events.connect("preset", lambda _: self.apply_recommended_rates())
        self.apply_recommended_rates()

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
    def _validate_steps_per_frame(self, v):
        return int(_in_range("steps per frame", v, 1, STEPS_PER_FRAME_MAX))

    def _validate_max_steps(self, v):
        # History is preallocated to the limit: 1e5 steps × 8 runs stay around 50 MB.
        return int(_in_range("max steps", v, 1, MAX_STEPS_LIMIT))

    def _validate_start(self, v):
        x, y = (float(c) for c in v)
        if x != x or y != y or abs(x) == float("inf") or abs(y) == float("inf"):
            raise ValueError(f"start point must be finite, got {v!r}")
        return (x, y)

    def _validate_noise_scale(self, v):
        return None if v is None else _in_range("noise scale", v, 0.0, 1e6)

    def _validate_selected(self, v):
        if isinstance(v, bool) or int(v) != v:
            raise ValueError(f"selected run must be a whole number, got {v!r}")
        v = int(v)
        runs = self.__dict__.get("runs") or []
        if v < 0 or (runs and v >= len(runs)):
            raise ValueError(f"there is no run {v + 1}: the race has {len(runs)} run{'s' if len(runs) != 1 else ''}")
        return v

    def _validate_timeline(self, v):
        if v is None:
            return None
        if isinstance(v, bool) or int(v) != v or v < 0:
            raise ValueError(f"timeline step must be a whole number >= 0, got {v!r}")
        return int(v)

    def _validate_swarm(self, v):
        return check_swarm(v)

    def _validate_theme(self, v):
        if v not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {v!r}")
        return v

    def _validate_ui_scale(self, v):
        return _in_range("presentation scale", v, UI_SCALE_MIN, UI_SCALE_MAX)

    def _validate_show_3d(self, v):
        v = _flag_validator("show_3d")(self, v)
        if not v and not self.__dict__.get("show_contour", True):
            raise ValueError("at least one view must stay visible: show the contour map before hiding the 3D view")
        return v

    def _validate_show_contour(self, v):
        v = _flag_validator("show_contour")(self, v)
        if not v and not self.__dict__.get("show_3d", True):
            raise ValueError("at least one view must stay visible: show the 3D view before hiding the contour map")
        return v

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

    @property
    def scale(self) -> float:
        """The scale in effect: ``ui_scale`` in presentation mode, 1 otherwise."""
        return self.ui_scale if self.presentation else 1.0

    def next_color(self) -> str:
        used = {r.color for r in self.runs}
        return next((c for c in PALETTE if c not in used), PALETTE[len(self.runs) % len(PALETTE)])

    def add_run(self, optimizer: str, *, emit: bool = True, **kwargs) -> RunModel:
        run = RunModel(optimizer, kwargs.pop("color", None) or self.next_color(), **kwargs)
        lr = recommended_learning_rate(self.preset, optimizer)
        if lr is not None and "learning_rate" not in (kwargs.get("hyper") or {}):
            run.learning_rate = lr
        if self.same_lr and self.runs:
            run.learning_rate = self.runs[0].learning_rate
        self._attach(run)
        self.runs.append(run)
        if emit:
            self.events.emit("runs", self.runs)
        return run

    def remove_run(self, index: int) -> None:
        if len(self.runs) <= 1:
            raise ValueError("the race needs at least one run")
        del self.runs[index]
        self.selected = min(self.selected, len(self.runs) - 1)
        self.events.emit("runs", self.runs)

    def replace_runs(self, runs: list[RunModel]) -> None:
        if not runs:
            raise ValueError("the race needs at least one run")
        for run in runs:
            self._attach(run)
        self.runs = list(runs)
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
        """Every run back to its optimizer's defaults (with the preset's recommended α),
        full-batch default batch size and a constant schedule."""
        for run in self.runs:
            hyper = dict(OPTIMIZERS[run.optimizer].defaults)
            lr = recommended_learning_rate(self.preset, run.optimizer)
            if lr is not None:
                hyper["learning_rate"] = lr
            run.schedule_params, run.schedule = {}, "constant"
            run.hyper = hyper
            run.batch_size = None


SETTINGS_FIELDS = ("preset", "preset_params", "start", "same_lr", "steps_per_frame", "max_steps", "seed",
                   "noise_scale", "log_loss")


def _flag_validator(name: str):
    def validate(self, v):
        if isinstance(v, bool) or (isinstance(v, int) and v in (0, 1)):
            return bool(v)
        raise ValueError(f"{name.replace('_', ' ')} must be true or false, got {v!r}")

    return validate


for _name in ("presentation", "panels_collapsed", "show_equations", "overlay_gradient", "overlay_momentum",
              "overlay_step_size", "overlay_field"):
    setattr(RaceModel, f"_validate_{_name}", _flag_validator(_name))
del _name

#: The user's view preferences, kept between sessions (QSettings) apart from the race, which
#: is also the scenario format. Presentation mode itself is not kept: the app opens normal.
VIEW_FIELDS = ("theme", "ui_scale", "show_3d", "show_contour", "show_equations", "overlay_gradient",
               "overlay_momentum", "overlay_step_size", "overlay_field")


def view_to_dict(model: RaceModel) -> dict:
    """The view preferences (:data:`VIEW_FIELDS`) as plain JSON-able data."""
    return {name: getattr(model, name) for name in VIEW_FIELDS}


def view_from_dict(model: RaceModel, data) -> list[str]:
    """Apply view preferences to ``model``. Tolerant: missing keys keep the model's values and
    bad ones are skipped; returns a message per skipped key. (Old settings files have none.)"""
    problems = []
    if not isinstance(data, dict):
        return [f"view settings must be a dict, got {type(data).__name__}"]
    # The views first shown, then the one hidden: "at least one view" holds at every step.
    names = sorted((n for n in VIEW_FIELDS if n in data), key=lambda n: n in ("show_3d", "show_contour")
                   and not data[n])
    for name in names:
        try:
            setattr(model, name, data[name])
        except (TypeError, ValueError) as err:
            problems.append(f"{name}: {err}")
    return problems


def race_to_dict(model: RaceModel) -> dict:
    """The race as plain JSON-able data (for QSettings and scenario files)."""
    data = {name: getattr(model, name) for name in SETTINGS_FIELDS}
    data["start"] = list(model.start)
    data["runs"] = [run.to_dict() for run in model.runs]
    if model.preset == CUSTOM_PRESET:
        data["custom"] = {"expression": model.custom["expression"], "view": list(model.custom["view"])}
    return data


def race_from_dict(data: dict) -> RaceModel:
    """A new RaceModel from :func:`race_to_dict` data. Raises ValueError/KeyError/TypeError on
    bad data; the caller keeps its current model in that case."""
    model = RaceModel(data["preset"], optimizers=(), start=data.get("start"), custom=data.get("custom"))
    model.preset_params = dict(data.get("preset_params") or {})
    model.surface()  # validates the preset parameters
    for name in ("steps_per_frame", "max_steps", "seed", "noise_scale", "log_loss"):
        if name in data:
            setattr(model, name, data[name])
    runs = [RunModel.from_dict(run) for run in data["runs"]]
    model.replace_runs(runs)
    model.same_lr = bool(data.get("same_lr", False))
    return model
