"""Scenario files: a saved race setup in a documented, versioned JSON format.

A scenario holds the surface (a preset with its parameters, or a custom expression with its
view box), the start point, the runs with their hyperparameters, batch sizes and schedules,
the seed, the step limit, playback speed and view settings, plus a title and a one-paragraph
note. The format is described in ``docs/scenario-format.md``; :data:`SCENARIO_VERSION` is the
version this module writes and the newest it reads.

Loading is strict and safe. A file is untrusted input: it is size-limited, must be UTF-8
JSON, and every field is checked for its type and range; unknown keys, duplicate keys,
NaN/Infinity, booleans where numbers belong, and too-new versions are refused with a
:class:`ScenarioError` naming the field (``runs[2].hyper.learning_rate: learning rate must be
> 0, got -1``; the readers of single values are :mod:`optviz.core.json_fields`). Hyperparameters and schedules are checked by building them with the
optimizers' and schedules' own validation. Loading never changes any state: it returns a new
:class:`Scenario` or raises.

The app's race (its model) goes in and out of this form in one place
(:mod:`optviz.app.window.saved_form`); :func:`scenario_from_race_dict` only reads the plain
race dict that earlier app versions kept as their session.

Example::

    scenario = load_scenario(builtin_scenarios()[0][1])
    sim = scenario.simulation()
    sim.run()
"""

from __future__ import annotations

import inspect
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from . import json_fields as jf
from .datasets import DATASET_SURFACES
from .expression import MAX_LENGTH as MAX_EXPRESSION_LENGTH
from .expression_surface import ExpressionSurface
from .files import FileError, read_file, write_file
from .geometry import ViewBox
from .json_fields import ScenarioError
from .limits import (
    COORDINATE_BOUND,
    LEARNING_RATE_RANGE,
    MAX_BATCH_SIZE,
    MAX_LABEL,
    MAX_NOTE,
    MAX_RUNS,
    MAX_SEED,
    MAX_STEPS_LIMIT,
    MAX_TITLE,
    NOISE_SCALE_MAX,
    STEPS_PER_FRAME_MAX,
    start_problem,
    view_box_problem,
)
from .optimizers import OPTIMIZERS, make_optimizer
from .schedules import SCHEDULES, make_schedule
from .simulation import RunSpec, Simulation
from .surface import Surface
from .surfaces import SURFACES, surface_parameters

__all__ = [
    "SCENARIO_VERSION", "CUSTOM_PRESET", "MAX_FILE_BYTES", "MAX_RUNS", "MAX_STEPS_LIMIT", "STEPS_PER_FRAME_MAX",
    "LEARNING_RATE_RANGE", "ScenarioError", "SurfaceRef", "Overlays", "ViewSettings",
    "Scenario", "parse_scenario", "loads_scenario", "load_scenario", "scenario_to_data", "dump_scenario",
    "save_scenario", "builtin_scenarios", "scenario_from_race_dict",
]

SCENARIO_VERSION = 1
#: The ``preset`` name a race dict uses for a custom expression.
CUSTOM_PRESET = "custom"

# The limits are those of every entry point (optviz.core.limits); this module re-exports the
# ones it always has, for the app and older callers.
MAX_FILE_BYTES = 1_000_000
MAX_DATASET_SAMPLES = 256  # the MAE fit tries every pair of samples: O(n²)
MAX_DATASET_SEED = 2**32 - 1
DEFAULT_MAX_STEPS = 2000
DEFAULT_STEPS_PER_FRAME = 2

#: Older files give each run a "color"; a run's look now follows from its optimizer
#: (optviz.look), so the key is accepted, checked for its old format and ignored.
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, kw_only=True)
class SurfaceRef:
    """The loss: a preset (a key of ``optviz.core.get_surface`` with its parameters) or a
    custom expression over a view box. Exactly one of ``preset`` and ``expression`` is set."""

    preset: str | None = None
    params: Mapping[str, float] = field(default_factory=dict)
    expression: str | None = None
    view: ViewBox | None = None

    @classmethod
    def from_preset(cls, key: str, **params: float) -> "SurfaceRef":
        return cls(preset=key, params=dict(params))

    @classmethod
    def custom(cls, expression: str, view: ViewBox | tuple[float, float, float, float]) -> "SurfaceRef":
        box = view if isinstance(view, ViewBox) else ViewBox(*(float(v) for v in view))
        return cls(expression=expression, view=box)

    @property
    def is_custom(self) -> bool:
        return self.expression is not None

    def build(self) -> Surface:
        """The :class:`Surface` (raises ValueError if the reference is invalid)."""
        if self.is_custom:
            return ExpressionSurface(self.expression, self.view)
        from . import get_surface  # the package-level registry covers analytic and dataset keys

        return get_surface(self.preset, **self.params)


@dataclass(frozen=True, kw_only=True)
class Overlays:
    """Arrows and fields drawn over the contour map."""

    gradient: bool = False
    momentum: bool = False
    step_size: bool = False
    vector_field: bool = False


@dataclass(frozen=True, kw_only=True)
class ViewSettings:
    """How the app shows the race: which views, the equation of the selected run, log loss
    plots, overlays, the selected run."""

    show_3d: bool = True
    show_contour: bool = True
    show_equations: bool = True
    log_loss: bool = True
    overlays: Overlays = Overlays()
    selected: int = 0

    def to_app(self) -> dict:
        """The settings under the app model's attribute names (``RaceModel.show_3d``,
        ``overlay_gradient``, ..., ``overlay_field``, ``log_loss``, ``selected``)."""
        return {name: getattr(self, attr) if "." not in attr else getattr(self.overlays, attr[9:])
                for name, attr in _APP_VIEW_NAMES.items()}

    @classmethod
    def from_app(cls, data: Mapping) -> "ViewSettings":
        """The settings from the app model's attribute names (see :meth:`to_app`); missing
        names take the defaults."""
        default = cls()
        values = {name: data.get(name, getattr(default, attr) if "." not in attr
                                 else getattr(default.overlays, attr[9:]))
                  for name, attr in _APP_VIEW_NAMES.items()}
        overlays = Overlays(**{attr[9:]: bool(values[name]) for name, attr in _APP_VIEW_NAMES.items()
                               if attr.startswith("overlays.")})
        return cls(show_3d=bool(values["show_3d"]), show_contour=bool(values["show_contour"]),
                   show_equations=bool(values["show_equations"]), log_loss=bool(values["log_loss"]),
                   overlays=overlays, selected=int(values["selected"]))


# App attribute name → ViewSettings attribute ("overlays.x" for an overlay).
_APP_VIEW_NAMES = {
    "show_3d": "show_3d",
    "show_contour": "show_contour",
    "show_equations": "show_equations",
    "log_loss": "log_loss",
    "overlay_gradient": "overlays.gradient",
    "overlay_momentum": "overlays.momentum",
    "overlay_step_size": "overlays.step_size",
    "overlay_field": "overlays.vector_field",
    "selected": "selected",
}


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A saved race setup. See ``docs/scenario-format.md`` for the file format.

    Attributes:
        title, note: shown in the app (the note is one paragraph).
        surface: the loss.
        start: the start point (x, y), inside the surface's view box.
        runs: the race entries (1 to :data:`MAX_RUNS`).
        seed: seeds the sample noise and batch order.
        max_steps: the step limit T of every run.
        steps_per_frame: playback speed.
        noise_scale: σ of analytic surfaces' per-sample gradients; None: the surface's default.
        same_lr: the app's "same learning rate for all" switch.
        view: view settings.
        version: the format version the scenario was read with.
    """

    title: str
    surface: SurfaceRef
    start: tuple[float, float]
    runs: tuple[RunSpec, ...]
    note: str = ""
    seed: int = 0
    max_steps: int = DEFAULT_MAX_STEPS
    steps_per_frame: int = DEFAULT_STEPS_PER_FRAME
    noise_scale: float | None = None
    same_lr: bool = False
    view: ViewSettings = ViewSettings()
    version: int = SCENARIO_VERSION

    def run_specs(self) -> list[RunSpec]:
        return list(self.runs)

    def simulation(self, **kwargs) -> Simulation:
        """A :class:`Simulation` of the scenario, as the app builds it (``kwargs`` go to it)."""
        return Simulation(self.surface.build(), self.run_specs(), self.start, max_steps=self.max_steps,
                          seed=self.seed, noise_scale=self.noise_scale, **kwargs)


# --------------------------------------------------------------------------- parsing


def parse_scenario(data: object) -> Scenario:
    """A :class:`Scenario` from decoded JSON data, checked strictly.

    Raises:
        ScenarioError: naming the offending field.
    """
    if not isinstance(data, dict):
        jf.fail("scenario", f"must be a JSON object {{...}}, got {jf.describe(data)}")
    # The version first: a newer file is refused as such, not for keys this version lacks.
    if "version" not in data:
        jf.fail("version", "required field is missing")
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        jf.fail("version", f"must be a whole number, got {jf.describe(version)}")
    if version > SCENARIO_VERSION:
        jf.fail("version", f"scenario version {version} is newer than this optviz supports "
                         f"({SCENARIO_VERSION}); update optviz")
    if version < 1:
        jf.fail("version", f"must be >= 1, got {version}")
    top = jf.Fields(data, "", ("version", "title", "surface", "start", "runs"),
                  ("note", "seed", "max_steps", "steps_per_frame", "noise_scale", "same_lr", "view"))
    title = jf.string(top.get("title"), "title", MAX_TITLE, empty=False)
    note = jf.string(top.get("note", ""), "note", MAX_NOTE, multiline=True)
    surface_ref, surface = _parse_surface(top.get("surface"), "surface")
    start = _parse_start(top.get("start"), "start", surface.view)
    runs = _parse_runs(top.get("runs"), "runs")
    seed = jf.integer(top.get("seed", 0), "seed", 0, MAX_SEED)
    max_steps = jf.integer(top.get("max_steps", DEFAULT_MAX_STEPS), "max_steps", 1, MAX_STEPS_LIMIT)
    steps_per_frame = jf.integer(top.get("steps_per_frame", DEFAULT_STEPS_PER_FRAME), "steps_per_frame", 1,
                               STEPS_PER_FRAME_MAX)
    noise = top.get("noise_scale")
    noise_scale = None if noise is None else jf.number(noise, "noise_scale", 0.0, NOISE_SCALE_MAX)
    same_lr = jf.boolean(top.get("same_lr", False), "same_lr")
    view = _parse_view(top.get("view", {}), "view", len(runs))
    return Scenario(title=title, note=note, surface=surface_ref, start=start, runs=runs, seed=seed,
                    max_steps=max_steps, steps_per_frame=steps_per_frame, noise_scale=noise_scale, same_lr=same_lr,
                    view=view, version=version)


def _parse_surface(value: Any, path: str) -> tuple[SurfaceRef, Surface]:
    if isinstance(value, dict) and "expression" in value:
        obj = jf.Fields(value, path, ("expression", "view"), ())
        text = jf.string(obj.get("expression"), obj.at("expression"), MAX_EXPRESSION_LENGTH, empty=False, shown=False)
        box = _parse_box(obj.get("view"), obj.at("view"))
        try:
            surface = ExpressionSurface(text, box)
        except ValueError as exc:  # ExpressionError, with its column
            jf.fail(obj.at("expression"), str(exc))
        return SurfaceRef(expression=text, view=box), surface
    if isinstance(value, dict) and "preset" not in value:
        jf.fail(path, "needs either 'preset' (with optional 'params') or 'expression' and 'view'")
    obj = jf.Fields(value, path, ("preset",), ("params",))
    key = jf.choice(obj.get("preset"), obj.at("preset"), [*SURFACES, *DATASET_SURFACES], "surface")
    raw = obj.get("params", {})
    params_path = obj.at("params")
    if key in DATASET_SURFACES:
        params_obj = jf.Fields(raw, params_path, (), ("n", "seed"), f"parameter of surface {key!r}")
        params = {}
        if "n" in raw:
            params["n"] = jf.integer(raw["n"], params_obj.at("n"), 2, MAX_DATASET_SAMPLES)
        if "seed" in raw:
            params["seed"] = jf.integer(raw["seed"], params_obj.at("seed"), 0, MAX_DATASET_SEED)
    else:
        accepted = tuple(surface_parameters(key))
        params_obj = jf.Fields(raw, params_path, (), accepted, f"parameter of surface {key!r}")
        params = {name: jf.number(raw[name], params_obj.at(name)) for name in accepted if name in raw}
        for name, v in params.items():  # attribute a range error to its parameter
            try:
                SURFACES[key](**{name: v})
            except ValueError as exc:
                jf.fail(params_obj.at(name), str(exc))
    from . import get_surface

    try:
        surface = get_surface(key, **params)
    except (ValueError, ArithmeticError) as exc:  # also a dataset fit that fails (LinAlgError)
        jf.fail(params_path, f"cannot build surface {key!r} with these parameters: {exc}")
    return SurfaceRef(preset=key, params=params), surface


def _parse_box(value: Any, path: str) -> ViewBox:
    obj = jf.Fields(value, path, ("xmin", "xmax", "ymin", "ymax"), ())
    bound = COORDINATE_BOUND
    xmin, xmax, ymin, ymax = (jf.number(obj.get(k), obj.at(k), -bound, bound) for k in ("xmin", "xmax", "ymin", "ymax"))
    problem = view_box_problem(xmin, xmax, ymin, ymax)  # e.g. too narrow to draw
    if problem:
        jf.fail(obj.at(problem[0]), problem[1])
    return ViewBox(xmin, xmax, ymin, ymax)


def _parse_start(value: Any, path: str, box: ViewBox) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        jf.fail(path, f"must be a list [x, y] of two numbers, got {jf.describe(value)}"
              + (f" of length {len(value)}" if isinstance(value, list) else ""))
    x = jf.number(value[0], jf.join_path(path, 0))
    y = jf.number(value[1], jf.join_path(path, 1))
    problem = start_problem(x, y, box)
    if problem:
        jf.fail(path, problem)
    return (x, y)


def _parse_runs(value: Any, path: str) -> tuple[RunSpec, ...]:
    if not isinstance(value, list):
        jf.fail(path, f"must be a list of runs, got {jf.describe(value)}")
    if not value:
        jf.fail(path, "needs at least one run")
    if len(value) > MAX_RUNS:
        jf.fail(path, f"has {len(value)} runs, at most {MAX_RUNS}")
    return tuple(_parse_run(item, jf.join_path(path, i), i) for i, item in enumerate(value))


_RUN_KEYS = ("label", "color", "visible", "hyper", "batch_size", "schedule", "schedule_params", "seed")


def _parse_run(value: Any, path: str, index: int) -> RunSpec:
    obj = jf.Fields(value, path, ("optimizer",), _RUN_KEYS)
    key = jf.choice(obj.get("optimizer"), obj.at("optimizer"), OPTIMIZERS, "optimizer")
    spec = OPTIMIZERS[key]
    label = jf.string(obj.get("label", ""), obj.at("label"), MAX_LABEL)
    color = obj.get("color", "#000000")  # of older files; ignored, see _COLOR
    if not isinstance(color, str) or not _COLOR.fullmatch(color):
        jf.fail(obj.at("color"), f"must be a colour \"#RRGGBB\" (it is ignored: each optimizer has its own), "
                               f"got {jf.describe(color)}")
    visible = jf.boolean(obj.get("visible", True), obj.at("visible"))

    hyper_path = obj.at("hyper")
    raw = obj.get("hyper", {})
    hyper_obj = jf.Fields(raw, hyper_path, (), spec.hyperparameters, f"hyperparameter of {key!r}")
    hyper = {}
    for name in spec.hyperparameters:  # in the optimizer's display order
        if name not in raw:
            continue
        v = jf.number(raw[name], hyper_obj.at(name))
        try:
            make_optimizer(key, **{name: v})  # the optimizer's own checks and wording
        except ValueError as exc:
            jf.fail(hyper_obj.at(name), str(exc))
        if name == "learning_rate":
            low, high = LEARNING_RATE_RANGE
            if not low <= v <= high:
                jf.fail(hyper_obj.at(name), f"learning rate must be in [{low:g}, {high:g}], got {jf.describe(v)}")
        hyper[name] = v

    batch = obj.get("batch_size")
    batch_size = None if batch is None else jf.integer(batch, obj.at("batch_size"), 1, MAX_BATCH_SIZE)
    schedule = jf.choice(obj.get("schedule", "constant"), obj.at("schedule"), SCHEDULES, "schedule")
    names = tuple(f.name for f in fields(SCHEDULES[schedule]) if f.name != "lr")
    sp_path = obj.at("schedule_params")
    raw = obj.get("schedule_params", {})
    sp_obj = jf.Fields(raw, sp_path, (), names, f"parameter of the {schedule!r} schedule")
    lr = hyper.get("learning_rate", spec.defaults["learning_rate"])
    schedule_params = {}
    for name in names:
        if name not in raw:
            continue
        v = jf.number(raw[name], sp_obj.at(name))
        try:
            make_schedule(schedule, lr, **{name: v})
        except ValueError as exc:
            jf.fail(sp_obj.at(name), str(exc))
        schedule_params[name] = v
    seed = jf.integer(obj.get("seed", 0), obj.at("seed"), 0, MAX_SEED)
    entry = RunSpec(optimizer=key, label=label, visible=visible, hyper=hyper, batch_size=batch_size,
                    schedule=schedule, schedule_params=schedule_params, seed=seed)
    try:
        entry.build()  # the combination, e.g. a schedule's lr_min against the run's α
    except ValueError as exc:
        jf.fail(path, str(exc))
    return entry


def _parse_view(value: Any, path: str, runs: int) -> ViewSettings:
    obj = jf.Fields(value, path, (), ("show_3d", "show_contour", "show_equations", "log_loss", "overlays", "selected"))
    flags = {name: jf.boolean(obj.get(name, True), obj.at(name))
             for name in ("show_3d", "show_contour", "show_equations", "log_loss")}
    if not (flags["show_3d"] or flags["show_contour"]):
        jf.fail(obj.at("show_contour"), "at least one of show_3d and show_contour must be true")
    names = tuple(f.name for f in fields(Overlays))
    over = jf.Fields(obj.get("overlays", {}), obj.at("overlays"), (), names)
    overlays = Overlays(**{name: jf.boolean(over.get(name, False), over.at(name)) for name in names})
    selected = jf.integer(obj.get("selected", 0), obj.at("selected"), 0, runs - 1)
    return ViewSettings(**flags, overlays=overlays, selected=selected)


# --------------------------------------------------------------------------- text and files


def loads_scenario(text: str | bytes, *, source: str = "<string>") -> Scenario:
    """A :class:`Scenario` from JSON text (``str``, or UTF-8 ``bytes``).

    Raises:
        ScenarioError: too large, not UTF-8, not JSON (with line and column), or invalid.
    """
    try:
        if isinstance(text, (bytes, bytearray)):
            if len(text) > MAX_FILE_BYTES:
                raise ScenarioError(f"the file is too large ({len(text):,} bytes, at most {MAX_FILE_BYTES:,})")
            try:
                text = bytes(text).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ScenarioError(f"the file is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} "
                                    f"at position {exc.start})") from None
        elif not isinstance(text, str):
            raise TypeError(f"scenario text must be str or bytes, got {type(text).__name__}")
        elif len(text) > MAX_FILE_BYTES:
            raise ScenarioError(f"the text is too large ({len(text):,} characters, at most {MAX_FILE_BYTES:,})")
        try:
            data = json.loads(text, object_pairs_hook=jf.object_hook, parse_constant=jf.NonFinite)
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                                line=exc.lineno, column=exc.colno) from None
        except RecursionError:
            raise ScenarioError("invalid JSON: nested too deeply") from None
        except ValueError as exc:  # e.g. an integer literal with thousands of digits
            raise ScenarioError(f"invalid JSON: {exc}") from None
        return parse_scenario(data)
    except ScenarioError as exc:
        exc.source = source
        raise


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario file (see :func:`loads_scenario`); unreadable files raise ScenarioError too."""
    source = os.fspath(path)
    try:
        data = read_file(path, MAX_FILE_BYTES, "scenario")
    except FileError as exc:  # missing, unreadable, not a regular file (a pipe would block), too large
        raise ScenarioError(str(exc), source=source) from None
    return loads_scenario(data, source=source)


def scenario_to_data(scenario: Scenario) -> dict:
    """The scenario as JSON-ready data, every field written out, in the documented order."""
    surface = scenario.surface
    if surface.is_custom:
        box = surface.view
        surface_data = {"expression": surface.expression,
                        "view": {"xmin": box.xmin, "xmax": box.xmax, "ymin": box.ymin, "ymax": box.ymax}}
    else:
        surface_data = {"preset": surface.preset, "params": _ordered(surface.params, _surface_param_order(surface))}
    view = scenario.view
    return {
        "version": SCENARIO_VERSION,
        "title": scenario.title,
        "note": scenario.note,
        "surface": surface_data,
        "start": [scenario.start[0], scenario.start[1]],
        "runs": [_run_data(run) for run in scenario.runs],
        "seed": scenario.seed,
        "max_steps": scenario.max_steps,
        "steps_per_frame": scenario.steps_per_frame,
        "noise_scale": scenario.noise_scale,
        "same_lr": scenario.same_lr,
        "view": {
            "show_3d": view.show_3d,
            "show_contour": view.show_contour,
            "show_equations": view.show_equations,
            "log_loss": view.log_loss,
            "overlays": {f.name: getattr(view.overlays, f.name) for f in fields(Overlays)},
            "selected": view.selected,
        },
    }


def _surface_param_order(surface: SurfaceRef) -> tuple[str, ...]:
    if surface.preset in SURFACES:
        return tuple(inspect.signature(SURFACES[surface.preset]).parameters)
    return ("n", "seed")


def _ordered(mapping: Mapping[str, Any], order: tuple[str, ...]) -> dict:
    """``mapping`` with the keys of ``order`` first, in that order (stable output)."""
    first = {k: mapping[k] for k in order if k in mapping}
    return {**first, **{k: v for k, v in sorted(mapping.items()) if k not in first}}


def _run_data(run: RunSpec) -> dict:
    spec = OPTIMIZERS.get(run.optimizer)
    hyper_order = spec.hyperparameters if spec else ()
    schedule = SCHEDULES.get(run.schedule)
    schedule_order = tuple(f.name for f in fields(schedule) if f.name != "lr") if schedule else ()
    return {
        "optimizer": run.optimizer,
        "label": run.label,
        "visible": run.visible,
        "hyper": _ordered(run.hyper, hyper_order),
        "batch_size": run.batch_size,
        "schedule": run.schedule,
        "schedule_params": _ordered(run.schedule_params, schedule_order),
        "seed": run.seed,
    }


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as pretty, stable JSON text (2-space indent, fixed key order, UTF-8).

    The data is checked with :func:`parse_scenario` first, so what is written always loads.

    Raises:
        ScenarioError: the scenario is not valid.
    """
    data = scenario_to_data(scenario)
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:  # NaN, or a value JSON cannot hold
        raise ScenarioError(f"cannot be written as JSON: {exc}") from None
    parse_scenario(json.loads(text, object_pairs_hook=jf.object_hook, parse_constant=jf.NonFinite))
    # [x, y] on one line; a JSON string cannot hold a raw newline, so no text is touched.
    text = _PAIR.sub(r"[\1, \2]", text)
    return text + "\n"


_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_PAIR = re.compile(rf"\[\n\s*({_NUMBER}),\n\s*({_NUMBER})\n\s*\]")


def save_scenario(scenario: Scenario, path: str | os.PathLike) -> None:
    """Write ``scenario`` to ``path`` atomically with :func:`optviz.core.files.write_file`: a
    temporary file in the same folder is written, synced and renamed over ``path``, so a
    failure leaves any old file intact; a symbolic link is written through (it stays a link).

    Raises:
        ScenarioError: the scenario is invalid (nothing is written).
        OSError: the file cannot be written (a :class:`~optviz.core.files.FileError`, one line).
    """
    write_file(path, dump_scenario(scenario).encode("utf-8"))


def builtin_scenarios() -> list[tuple[str, Path]]:
    """The shipped lecture scenarios as (title, path), in lecture order (by file name).

    Titles are read without a full check; :func:`load_scenario` does that when one is opened.
    """
    from ..paths import resource

    folder = resource("scenarios")
    result = []
    for path in sorted(folder.glob("*.json")):
        try:
            title = json.loads(read_file(path, MAX_FILE_BYTES, "scenario").decode("utf-8-sig")).get("title")
        except (OSError, ValueError, AttributeError, RecursionError):
            title = None
        result.append((title if isinstance(title, str) and title else path.stem, path))
    return result


# --------------------------------------------------------------------------- the app's race dict

_RACE_KEYS = ("preset", "preset_params", "start", "same_lr", "steps_per_frame", "max_steps", "seed", "noise_scale",
              "log_loss", "runs")


def scenario_from_race_dict(data: Mapping, *, title: str, note: str = "", view: ViewSettings | None = None) -> Scenario:
    """A :class:`Scenario` from the race dict older app versions kept as their session, with the
    given title, note and view settings (``log_loss`` comes from the race dict when present).

    Raises:
        ScenarioError: the race dict is not valid; fields are named as in the scenario file.
    """
    if not isinstance(data, Mapping):
        jf.fail("race", f"must be a dict, got {type(data).__name__}")
    allowed = (*_RACE_KEYS, "custom")
    for key in data:
        if key not in allowed:
            jf.fail(str(key), "unknown key in the race dict")
    view = view or ViewSettings()
    if "log_loss" in data:
        view = ViewSettings(show_3d=view.show_3d, show_contour=view.show_contour, show_equations=view.show_equations,
                            log_loss=jf.boolean(data["log_loss"], "log_loss"), overlays=view.overlays,
                            selected=view.selected)
    if data.get("preset") == CUSTOM_PRESET:
        custom = data.get("custom")
        if not isinstance(custom, Mapping) or set(custom) != {"expression", "view"}:
            jf.fail("custom", "a custom surface needs {\"expression\": ..., \"view\": [xmin, xmax, ymin, ymax]}")
        box = custom["view"]
        if not isinstance(box, (list, tuple)) or len(box) != 4:
            jf.fail("custom.view", f"must be [xmin, xmax, ymin, ymax], got {jf.describe(box)}")
        surface = {"expression": custom["expression"], "view": dict(zip(("xmin", "xmax", "ymin", "ymax"), box, strict=True))}
    else:
        surface = {"preset": data.get("preset"), "params": dict(data.get("preset_params") or {})}
    start = data.get("start")
    selected = min(view.selected, max(len(data.get("runs") or ()) - 1, 0))
    scenario_data = {
        "version": SCENARIO_VERSION,
        "title": title,
        "note": note,
        "surface": surface,
        "start": list(start) if isinstance(start, (list, tuple)) else start,
        "runs": [dict(run) if isinstance(run, Mapping) else run for run in (data.get("runs") or [])],
        "view": {"show_3d": view.show_3d, "show_contour": view.show_contour, "show_equations": view.show_equations,
                 "log_loss": view.log_loss,
                 "overlays": {f.name: getattr(view.overlays, f.name) for f in fields(Overlays)},
                 "selected": selected},
    }
    for key in ("seed", "max_steps", "steps_per_frame", "noise_scale", "same_lr"):
        if key in data:
            scenario_data[key] = data[key]
    return parse_scenario(scenario_data)
