"""The app's state as plain Python objects with change events (no Qt).

Widgets bind both ways: they set attributes (``run.learning_rate = 0.1``) and listen to
``events`` to update themselves. The controller listens too and restarts the simulation.
"""

from __future__ import annotations

import inspect
import weakref
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ...core import get_surface, surface_keys
from ...core.optimizers import OPTIMIZERS
from ...core.recommended import recommended_learning_rate
from ...core.expression import expression_surface
from ...core.swarm import check_swarm
from ...core.scenario import CUSTOM_PRESET, LEARNING_RATE_RANGE, MAX_STEPS_LIMIT, STEPS_PER_FRAME_MAX
from ...core.simulation import RunSpec
from ...look import RunLook, optimizer_look, projector_color, run_looks

#: The limits are the core's, so scenario files and the app accept the same values.
LR_MIN, LR_MAX = LEARNING_RATE_RANGE

#: The two looks of the app: the everyday one and the high-contrast one for projectors.
THEMES = ("normal", "projector")
#: Presentation mode scales fonts, lines and markers by ``ui_scale`` (adjustable in this range).
UI_SCALE_MIN, UI_SCALE_MAX, UI_SCALE_DEFAULT = 1.0, 3.0, 1.75


def display_color(color: str, theme: str) -> str:
    """The colour a run is drawn in under ``theme``: its model colour, darkened in the
    projector theme only where it lacks contrast on white (:func:`optviz.look.projector_color`;
    no optimizer colour does)."""
    if theme == "projector":
        return projector_color(color)
    return color


class Connection:
    """One callback connected to one event; :meth:`disconnect` removes it (idempotent)."""

    __slots__ = ("_events", "name", "_ref", "_strong", "__weakref__")

    def __init__(self, events: Events, name: str, callback: Callable[[Any], None]) -> None:
        self._events, self.name = events, name
        # A bound method is held weakly (its object's lifetime is its owner's business);
        # a function or lambda strongly (nothing else would keep it).
        if inspect.ismethod(callback):
            self._ref, self._strong = weakref.WeakMethod(callback), None
        else:
            self._ref, self._strong = None, callback

    def callback(self) -> Callable[[Any], None] | None:
        return self._strong if self._ref is None else self._ref()

    def disconnect(self) -> None:
        self._events._drop(self)


class Events:
    """Named events of an :class:`Observable`: ``events.connect("learning_rate", fn)`` calls
    ``fn(value)`` on each change (``"*"``: every event, as ``fn((name, value))``).

    Like napari's EventedModel, and unlike a plain list of callbacks:

    * only the model's own event names may be connected (a typo raises ValueError at once);
    * bound methods are held by weak reference: a listener that is gone is dropped, not
      called;
    * ``owner`` ties a connection to a QObject (a widget): when Qt destroys it, every callback
      it connected is disconnected, so no closure keeps calling into a deleted widget;
    * :meth:`connect` returns a :class:`Connection` whose ``disconnect()`` removes it.
    """

    def __init__(self, names: tuple[str, ...] | None = None) -> None:
        self._names = None if names is None else frozenset(names) | {"*"}
        self._callbacks: dict[str, list[Connection]] = defaultdict(list)

    def connect(self, name: str, callback: Callable[[Any], None], *, owner=None) -> Connection:
        if self._names is not None and name not in self._names:
            raise ValueError(f"no event {name!r}; the events are: {', '.join(sorted(self._names))}")
        connection = Connection(self, name, callback)
        self._callbacks[name].append(connection)
        if owner is not None:
            # Qt's destroyed signal: the owner's C++ object is going; the weak reference to the
            # connection lets the owner live or die without the model keeping it.
            ref = weakref.ref(connection)
            owner.destroyed.connect(lambda *_: ref() is not None and ref().disconnect())
        return connection

    def disconnect(self, name: str, callback: Callable[[Any], None]) -> None:
        for connection in list(self._callbacks.get(name, ())):
            if connection.callback() == callback:
                self._drop(connection)

    def _drop(self, connection: Connection) -> None:
        listeners = self._callbacks.get(connection.name)
        if listeners and connection in listeners:
            listeners.remove(connection)

    def listeners(self, name: str) -> int:
        """How many live callbacks ``name`` has (tests)."""
        return sum(c.callback() is not None for c in self._callbacks.get(name, ()))

    def emit(self, name: str, value: Any = None) -> None:
        for connection in list(self._callbacks.get(name, ())):
            self._call(connection, value)
        for connection in list(self._callbacks.get("*", ())):
            self._call(connection, (name, value))

    def _call(self, connection: Connection, value: Any) -> None:
        callback = connection.callback()
        if callback is None:  # its object is gone
            self._drop(connection)
        else:
            callback(value)


class Observable:
    """Attributes listed in ``_fields`` emit an event named after them when they change.

    ``_validate_<name>(value)`` may check and normalise a value; it raises ValueError with a
    clear message for bad input, which leaves the old value in place.
    """

    _fields: tuple[str, ...] = ()
    #: Events besides one per field.
    _extra_events: tuple[str, ...] = ()

    def __init__(self) -> None:
        object.__setattr__(self, "events", Events(self._fields + self._extra_events))

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
    """Everything the race depends on: the preset, the start point, the runs, playback.

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
    ``run`` with ``(index, field)`` when a field of one run changed.
    """

    _extra_events = ("runs", "run")
    _fields = ("custom", "preset", "preset_params", "start", "same_lr", "steps_per_frame", "max_steps", "playing",
               "seed", "noise_scale", "log_loss", "selected", "timeline", "swarm",
               # How the race is shown (the classroom features); see VIEW_FIELDS.
               "presentation", "theme", "ui_scale", "panels_collapsed", "show_3d", "show_contour",
               "show_equations", "overlay_gradient", "overlay_momentum", "overlay_step_size", "overlay_field")

    def __init__(self, preset: str = "narrow_valley", optimizers=None, start=None, custom=None) -> None:
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
        if optimizers is None:
            self.load_preset_race(emit=False)
        else:
            for key in optimizers:
                self.add_run(key, emit=False)
            self.apply_recommended_rates()
        # Registered before any view or controller: the new preset's race is in place first.
        self.events.connect("preset", lambda _: self._on_preset())

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
        """The scale in effect: in presentation mode ``ui_scale`` times the screen's
        ``display_factor`` (``ui_scale`` is meant for a 1080-line screen), 1 otherwise."""
        if not self.presentation:
            return 1.0
        return self.ui_scale * self.__dict__.get("display_factor", 1.0)

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
