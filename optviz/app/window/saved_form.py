"""The race in and out of its one saved form, the scenario (:mod:`optviz.core.scenario`).

A scenario file, the session kept between launches and the copy an export works on are all
the same thing: :func:`model_to_scenario` writes the race (with the playback speed and the view
settings a scenario states) as a :class:`~optviz.core.scenario.Scenario`, checked by the
scenario rules; :func:`apply_scenario` makes a model that race, all or nothing;
:func:`model_from_scenario` builds a fresh model of one.
"""

from __future__ import annotations

from dataclasses import fields

from ...core.scenario import CUSTOM_PRESET, SCENARIO_VERSION, Overlays, Scenario, ScenarioError, ViewSettings, parse_scenario
from .model import RaceModel, RunModel

#: The view settings a scenario states, by their names in the app (``selected`` is the race's).
SCENARIO_VIEW_FIELDS = tuple(name for name in ViewSettings().to_app() if name != "selected")


def model_to_scenario(model: RaceModel, title: str, note: str = "") -> Scenario:
    """The running race as a scenario.

    Raises:
        ScenarioError: the race cannot be one (its message names the field).
    """
    if model.preset == CUSTOM_PRESET:
        xmin, xmax, ymin, ymax = model.custom["view"]
        surface = {"expression": model.custom["expression"],
                   "view": {"xmin": xmin, "xmax": xmax, "ymin": ymin, "ymax": ymax}}
    else:
        surface = {"preset": model.preset, "params": dict(model.preset_params)}
    view = ViewSettings.from_app({**{name: getattr(model.view, name) for name in SCENARIO_VIEW_FIELDS},
                                  "selected": model.selected})
    return parse_scenario({
        "version": SCENARIO_VERSION,
        "title": title,
        "note": note,
        "surface": surface,
        "start": list(model.start),
        "runs": [run.to_dict() for run in model.runs],
        "seed": model.seed,
        "max_steps": model.max_steps,
        "steps_per_frame": model.playback.steps_per_frame,
        "noise_scale": model.noise_scale,
        "same_lr": model.same_lr,
        "view": {"show_3d": view.show_3d, "show_contour": view.show_contour, "show_equations": view.show_equations,
                 "log_loss": view.log_loss,
                 "overlays": {f.name: getattr(view.overlays, f.name) for f in fields(Overlays)},
                 "selected": view.selected},
    })


def apply_scenario(model: RaceModel, scenario: Scenario) -> None:
    """Make ``model`` the race of ``scenario``; on any failure the model is put back as it was."""
    try:
        before = model_to_scenario(model, "before")
    except ScenarioError:  # a race that cannot be saved cannot be put back either: change nothing
        before = None
    try:
        _apply(model, scenario)
    except Exception:
        if before is not None:
            _apply(model, before)
        raise


def model_from_scenario(scenario: Scenario) -> RaceModel:
    """A new model of ``scenario``'s race (its view settings included)."""
    surface = scenario.surface
    if surface.is_custom:
        model = RaceModel(CUSTOM_PRESET, optimizers=(), start=scenario.start,
                          custom={"expression": surface.expression, "view": list(surface.view.as_tuple())})
    else:
        model = RaceModel(surface.preset, optimizers=(), start=scenario.start)
    _apply(model, scenario)
    return model


def _run(entry) -> RunModel:
    return RunModel(entry.optimizer, hyper=dict(entry.hyper), label=entry.label, batch_size=entry.batch_size,
                    schedule=entry.schedule, schedule_params=dict(entry.schedule_params), visible=entry.visible,
                    seed=entry.seed)


def _apply(model: RaceModel, scenario: Scenario) -> None:
    model.playback.playing = False
    runs = [_run(entry) for entry in scenario.runs]  # fails here, before any change, if bad
    surface = scenario.surface
    if model.preset_params:
        model.preset_params = {}
    if surface.is_custom:
        model.custom = {"expression": surface.expression, "view": list(surface.view.as_tuple())}
        model.preset = CUSTOM_PRESET
    else:
        model.preset = surface.preset
        model.preset_params = dict(surface.params)
    model.seed = scenario.seed
    model.noise_scale = scenario.noise_scale
    model.max_steps = scenario.max_steps
    model.playback.steps_per_frame = scenario.steps_per_frame
    model.same_lr = scenario.same_lr
    model.replace_runs(runs)
    model.start = tuple(scenario.start)
    view = scenario.view.to_app()
    model.selected = min(int(view.pop("selected")), len(model.runs) - 1)
    # The two views: switch one on before the other may go off (one stays visible).
    for name, value in view.items():
        if not (name in ("show_3d", "show_contour") and not value):
            setattr(model.view, name, value)
    for name in ("show_3d", "show_contour"):
        if not view[name]:
            setattr(model.view, name, False)
