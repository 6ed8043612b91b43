"""The scenario is the saved form of a race: it alone makes the race (optviz.export.Race.from_scenario,
no app model involved), and that race is the one the app shows after opening the scenario."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from optviz.core.scenario import builtin_scenarios, load_scenario
from optviz.export import Race

SCENARIOS = builtin_scenarios()


@pytest.mark.parametrize("index", range(len(SCENARIOS)), ids=[t.split(" ")[0] for t, _ in SCENARIOS])
def test_a_scenario_makes_the_race_the_app_shows(qapp, index):
    from optviz.app.window.model import RaceModel
    from optviz.app.window.saved_form import apply_scenario

    scenario = load_scenario(SCENARIOS[index][1])
    from_file = Race.from_scenario(scenario, 300)
    model = RaceModel()
    apply_scenario(model, scenario)
    in_app = Race.from_model(model, 300)
    assert [r.title for r in from_file.runs] == [r.title for r in in_app.runs]
    assert [look.color.lower() for look in from_file.looks] == [look.color.lower() for look in in_app.looks]
    assert [(tuple(look.dash), look.marker) for look in from_file.looks] == \
        [(tuple(look.dash), look.marker) for look in in_app.looks]
    assert [r.visible for r in from_file.runs] == [r.visible for r in in_app.runs]
    np.testing.assert_array_equal(from_file.lengths, in_app.lengths)
    np.testing.assert_array_equal(from_file.positions, in_app.positions)
    np.testing.assert_array_equal(from_file.status, in_app.status)
    assert from_file.preset == in_app.preset and from_file.log_loss == in_app.log_loss


def test_building_a_race_from_a_scenario_needs_no_app():
    import subprocess
    import sys

    code = ("import sys; from optviz.core.scenario import builtin_scenarios, load_scenario; "
            "from optviz.export import Race; "
            "Race.from_scenario(load_scenario(builtin_scenarios()[0][1]), 20); "
            "print(sorted(m for m in sys.modules if m.startswith('optviz.app')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__('os').environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_optviz_export_scenario_writes_the_scenario_s_race_and_refuses_clashing_options(tmp_path):
    import subprocess
    import sys

    from PIL import Image

    path = SCENARIOS[2][1]
    out = tmp_path / "s.png"
    ok = subprocess.run([sys.executable, "-m", "optviz", "export", "--scenario", str(path), "-o", str(out),
                         "--size", "640x360", "-q"], capture_output=True, text=True, timeout=180)
    assert ok.returncode == 0, ok.stderr
    with Image.open(out) as im:
        assert im.size == (640, 360)
    clash = subprocess.run([sys.executable, "-m", "optviz", "export", "--scenario", str(path), "--optimizers", "gd",
                            "-o", str(tmp_path / "t.png")], capture_output=True, text=True, timeout=180)
    assert clash.returncode == 2 and "leave out --optimizers" in clash.stderr and "Traceback" not in clash.stderr
    assert not (tmp_path / "t.png").exists()


def test_a_scenario_s_race_is_titled_by_the_scenario():
    from optviz.export.race import first_sentence

    race = Race.from_scenario(load_scenario(SCENARIOS[2][1]), 10)
    assert race.shown_title == load_scenario(SCENARIOS[2][1]).title
    assert race.shown_caption.endswith(".") and "\n" not in race.shown_caption
    assert first_sentence("One. Two.") == "One." and first_sentence("α < 2/κ = 0.08. Next") == "α < 2/κ = 0.08."
    assert first_sentence("No end") == "No end" and first_sentence("") == ""


# --------------------------------------------------------------------------- the app's model in and out


def test_the_model_goes_out_and_back_through_the_scenario(qapp):
    from optviz.app.window.model import RaceModel, RunModel
    from optviz.app.window.saved_form import model_from_scenario, model_to_scenario

    model = RaceModel("two_wells", optimizers=("gd", "momentum", "adam"))
    model.runs[1].set_hyper("beta", 0.8)
    model.runs[2].batch_size = 8
    model.runs[2].schedule, model.runs[2].schedule_params = "cosine", {"total_steps": 300}
    model.runs[0].visible = False
    model.max_steps, model.seed, model.noise_scale = 1234, 7, 0.3
    model.playback.steps_per_frame, model.view.log_loss, model.view.show_3d = 5, False, False
    model.selected = 2
    scenario = model_to_scenario(model, "From the app", "n")
    # Field by field, against the values set above (not against the code under test).
    assert (scenario.title, scenario.note, scenario.surface.preset) == ("From the app", "n", "two_wells")
    assert (scenario.max_steps, scenario.seed, scenario.noise_scale, scenario.steps_per_frame) == (1234, 7, 0.3, 5)
    assert scenario.view.log_loss is False and scenario.view.show_3d is False and scenario.view.selected == 2
    assert scenario.runs[1].hyper["beta"] == 0.8 and scenario.runs[2].batch_size == 8
    assert scenario.runs[2].schedule == "cosine" and dict(scenario.runs[2].schedule_params) == {"total_steps": 300}
    assert scenario.runs[0].visible is False and scenario.start == tuple(model.start)
    # …and the app builds the same race from it.
    rebuilt = model_from_scenario(scenario)
    assert model_to_scenario(rebuilt, "From the app", "n") == scenario
    assert [r.to_dict() for r in rebuilt.runs] == [r.to_dict() for r in model.runs]
    assert set(RunModel("gd").to_dict()) == {"optimizer", "label", "visible", "hyper", "batch_size", "schedule",
                                            "schedule_params", "seed"}


def test_every_shipped_scenario_opens_in_the_model_with_its_runs(qapp):
    from optviz.app.window.saved_form import model_from_scenario, model_to_scenario
    from optviz.core.optimizers import OPTIMIZERS

    for _, path in SCENARIOS:
        s = load_scenario(path)
        model = model_from_scenario(s)
        assert model.preset == s.surface.preset and tuple(model.start) == s.start
        assert (model.max_steps, model.seed, model.playback.steps_per_frame) == (s.max_steps, s.seed,
                                                                                 s.steps_per_frame)
        for app_run, run in zip(model.runs, s.runs, strict=True):
            assert (app_run.optimizer, app_run.batch_size, app_run.schedule, app_run.label, app_run.seed,
                    app_run.visible) == (run.optimizer, run.batch_size, run.schedule, run.label, run.seed, run.visible)
            assert all(app_run.hyper[k] == v for k, v in run.hyper.items())
        firsts = {}
        for app_run in model.runs:  # the first run of each optimizer wears the optimizer's colour
            firsts.setdefault(app_run.optimizer, app_run)
        assert all(r.color == OPTIMIZERS[k].color for k, r in firsts.items())
        assert model_to_scenario(model, s.title, s.note).runs == s.runs or all(
            a.optimizer == b.optimizer for a, b in zip(model_to_scenario(model, s.title).runs, s.runs, strict=True))


def test_a_custom_expression_goes_out_and_back(qapp):
    from optviz.app.window.model import RaceModel
    from optviz.app.window.saved_form import model_from_scenario, model_to_scenario
    from optviz.core.scenario import CUSTOM_PRESET

    model = RaceModel(CUSTOM_PRESET, optimizers=("gd",), start=(1.0, 1.0),
                      custom={"expression": "x^2 - y^2", "view": [-2, 2, -2, 2]})
    scenario = model_to_scenario(model, "saddle by hand")
    assert scenario.surface.is_custom and scenario.surface.expression == "x^2 - y^2"
    assert scenario.surface.view.as_tuple() == (-2.0, 2.0, -2.0, 2.0)
    back = model_from_scenario(scenario)
    assert back.preset == CUSTOM_PRESET and back.custom == {"expression": "x^2 - y^2", "view": [-2.0, 2.0, -2.0, 2.0]}


def test_a_failed_apply_puts_the_race_back(qapp):
    from optviz.app.window.model import RaceModel
    from optviz.app.window.saved_form import apply_scenario, model_to_scenario
    from optviz.core.scenario import dump_scenario

    model = RaceModel("rosenbrock", optimizers=("gd", "adam"))
    model.seed = 3
    before = dump_scenario(model_to_scenario(model, "t"))
    good = load_scenario(SCENARIOS[0][1])
    broken = type(good)(**{**good.__dict__, "start": (float("nan"), 0.0)})  # slips past the file rules
    with pytest.raises(ValueError):
        apply_scenario(model, broken)
    assert dump_scenario(model_to_scenario(model, "t")) == before


# --------------------------------------------------------------------------- three models, one window


def test_race_playback_and_view_are_three_models_with_their_own_events(qapp):
    from optviz.app.window.model import RaceModel

    model = RaceModel("bowl", optimizers=("gd",))
    race, playback, view = set(model._fields), set(model.playback._fields), set(model.view._fields)
    assert not race & playback and not race & view and not playback & view
    assert {"playing", "timeline", "steps_per_frame"} == playback
    assert {"theme", "presentation", "overlay_field", "log_loss"} <= view
    heard = []
    model.view.events.connect("theme", heard.append)
    model.playback.events.connect("playing", heard.append)
    model.events.connect("*", lambda item: heard.append(("race", item)))
    model.view.theme = "projector"
    model.playback.playing = True
    assert heard == ["projector", True]  # the race heard of neither
    with pytest.raises(ValueError, match="no event 'theme'"):
        model.events.connect("theme", heard.append)
    # A field of another model is never read or written as a plain attribute of the race.
    with pytest.raises(AttributeError, match=r"model\.view\.theme"):
        model.theme = "normal"
    with pytest.raises(AttributeError, match=r"model\.playback\.playing"):
        model.playing
    assert model.view.theme == "projector"


# --------------------------------------------------------------------------- one run type


def test_one_run_type_from_the_surface_to_the_file_and_the_frames(qapp):
    """A surface's default race, a scenario's runs, the app's run editor's spec and an
    export's race all hold the core's RunSpec; the old per-layer copies are gone."""
    import optviz.core.scenario as scenario_module
    import optviz.core.surface as surface_module
    import optviz.export as export_package
    from optviz.app.window.model import RaceModel
    from optviz.core import RunSpec, get_surface
    from optviz.core.scenario import dump_scenario

    assert not hasattr(scenario_module, "RunEntry") and not hasattr(surface_module, "RaceRun")
    assert not hasattr(export_package, "RunInfo")
    assert all(type(r) is RunSpec for r in get_surface("narrow_valley").race)
    scenario = load_scenario(SCENARIOS[4][1])
    assert all(type(r) is RunSpec for r in scenario.runs)
    model = RaceModel("narrow_valley")
    model.runs[1].visible = False
    specs = [r.spec for r in model.runs]
    assert all(type(s) is RunSpec for s in specs) and [s.visible for s in specs] == [True, False, True]
    race = Race.from_model(model, 20)
    assert race.runs == specs and len(race.looks) == len(specs)
    # A run is shared read-only: nobody changes a surface's race under another's feet.
    with pytest.raises(TypeError):
        get_surface("narrow_valley").race[0].hyper["learning_rate"] = 1.0
    # The shipped files are written back byte for byte.
    for _, path in SCENARIOS:
        assert dump_scenario(load_scenario(path)) == path.read_text(encoding="utf-8"), path.name


# Scenarios saved by the app before the run types became one (written at commit c100f0d^ by
# RaceModel → model_to_scenario → dump_scenario: hidden runs, a batch size, run seeds, step and
# cosine schedules, a label, changed hyperparameters, a moved start, a non-ASCII note).
OLD_SAVES = sorted((Path(__file__).parent / "data" / "saved_before_one_run_type").glob("*.json"))


@pytest.mark.parametrize("path", OLD_SAVES, ids=[p.stem for p in OLD_SAVES])
def test_files_saved_before_one_run_type_load_and_save_byte_for_byte(qapp, path):
    from optviz.app.window.saved_form import model_from_scenario, model_to_scenario
    from optviz.core import RunSpec
    from optviz.core.scenario import dump_scenario

    text = path.read_text(encoding="utf-8")
    scenario = load_scenario(path)
    assert all(type(r) is RunSpec for r in scenario.runs)
    assert dump_scenario(scenario) == text
    # Through the app's model and back: the same bytes.
    raw = json.loads(text)
    model = model_from_scenario(scenario)
    assert [r.spec.visible for r in model.runs] == [r["visible"] for r in raw["runs"]]
    assert dump_scenario(model_to_scenario(model, raw["title"], raw["note"])) == text
    assert len(OLD_SAVES) == 3
