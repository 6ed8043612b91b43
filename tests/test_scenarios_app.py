"""Scenarios and custom functions in the app: open, save, next/previous, bad files, the
custom-function dialog. Loading never half-applies: a bad file leaves the race untouched."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSettings

from optviz.app.dialogs.expression_dialog import ExpressionDialog
from optviz.app.window.main_window import MainWindow
from optviz.app.window.saved_form import apply_scenario, model_to_scenario
from optviz.core import Status
from optviz.core.scenario import builtin_scenarios, load_scenario


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    w = MainWindow(preset="narrow_valley", restore=False, enable_3d=False,
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    monkeypatch.setattr(w.scenarios, "show_error", lambda title, text: w._errors.append((title, text)))
    w._errors = []
    return w


def test_every_builtin_scenario_opens_and_runs_its_race(window):
    for index, (title, path) in enumerate(builtin_scenarios()):
        window.scenarios.open_builtin(index)
        scenario = load_scenario(path)
        m = window.model
        assert [r.optimizer for r in m.runs] == [r.optimizer for r in scenario.runs]
        assert [r.learning_rate for r in m.runs] == [r.hyper.get("learning_rate", r.hyperparameters()[
            "learning_rate"]) for r in scenario.runs]
        assert m.start == scenario.start and m.max_steps == scenario.max_steps
        sim = window.controller.sim
        np.testing.assert_array_equal(sim.starts[0], scenario.start)
        assert scenario.title in window.windowTitle()
        assert window.scenarios.title == scenario.title


def test_next_and_previous_scenario_keys(window, qtbot):
    count = len(builtin_scenarios())
    window.scenarios.open_builtin(0)
    window.scenarios.next()
    assert window.scenarios.index == 1
    window.scenarios.previous()
    window.scenarios.previous()
    assert window.scenarios.index == count - 1  # wraps around


def test_lesson_one_plays_out_in_the_app(window):
    window.scenarios.open_builtin(0)
    sim = window.controller.sim
    sim.run()
    assert sim.status[3, 0] == Status.DIVERGED and sim.status[1, 0] == Status.CONVERGED


def test_save_then_open_gives_the_same_race(window, tmp_path):
    m = window.model
    m.runs[0].learning_rate = 0.0123
    m.start = (-3.0, 1.0)
    path = tmp_path / "mine.json"
    window.scenarios.save_to(path, "My race", "A note.")
    saved = model_to_scenario(m, "t")
    window.scenarios.open_builtin(2)
    assert model_to_scenario(m, "t") != saved
    window.scenarios.open_file(path)
    assert model_to_scenario(m, "t") == saved
    assert window.scenarios.title == "My race"


def test_a_bad_file_names_the_field_and_leaves_the_race_alone(window, tmp_path):
    good = json.loads(builtin_scenarios()[0][1].read_text(encoding="utf-8"))
    good["runs"][1]["hyper"]["learning_rate"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(good), encoding="utf-8")
    before = model_to_scenario(window.model, "t")
    window.scenarios.open_file(path)
    assert model_to_scenario(window.model, "t") == before
    (title, text), = window._errors
    assert "runs[1].hyper.learning_rate" in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.recursive(st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children,
                                                                                       max_size=5), max_leaves=20))
def test_malformed_scenario_files_never_crash_the_app(window, tmp_path, junk):
    base = json.loads(builtin_scenarios()[3][1].read_text(encoding="utf-8"))
    for variant in (junk, {**base, "runs": junk}, {**base, "surface": junk}, {**base, "start": junk}):
        before = model_to_scenario(window.model, "t")
        path = tmp_path / "junk.json"
        path.write_text(json.dumps(variant, allow_nan=True), encoding="utf-8")
        window._errors.clear()
        if window.scenarios.open_file(path):
            # Junk can happen to be valid (a start of [0.0, 0.0] lies in the two wells' box):
            # then it is the race now, and nothing was reported.
            assert not window._errors
            assert list(window.model.start) == [float(c) for c in variant["start"]]
        else:
            assert window._errors  # a message, not an exception
            assert model_to_scenario(window.model, "t") == before


def test_custom_function_dialog_points_at_mistakes(qtbot):
    dialog = ExpressionDialog("x**2 + foo(y)", (-2, 2, -1, 1))
    qtbot.addWidget(dialog)
    assert not dialog.check()
    assert "unknown function 'foo'" in dialog.message.text() and "^^^" in dialog.message.text()
    assert dialog.edit.cursorPosition() == 7
    dialog.edit.setText("__import__('os').system('echo hi')")
    assert not dialog.check()
    dialog.edit.setText("x**2 + 10*y^2")
    assert dialog.check()
    s = dialog.surface
    np.testing.assert_allclose(s.grad(np.array([1.0, 0.5])), [2.0, 10.0])
    dialog.boxes["xmin"].setValue(5.0)  # xmin > xmax
    assert not dialog.check() and "xmin" in dialog.message.text()


def test_custom_function_becomes_the_race_surface_and_survives_a_scenario_round_trip(window, tmp_path):
    window.scenarios.set_custom_function("(x - 1)**2 + 4*(y + 0.5)**2", (-3.0, 3.0, -3.0, 3.0))
    m, c = window.model, window.controller
    assert m.preset == "custom" and c.surface.expression == "(x - 1)**2 + 4*(y + 0.5)**2"
    assert "(x - 1)**2" in window.windowTitle()
    np.testing.assert_allclose(c.surface.minima[0].location, [1.0, -0.5], atol=1e-9)
    c.sim.run()
    assert c.sim.describe(0) == "converged to minimum 1"
    path = tmp_path / "custom.json"
    window.scenarios.save_to(path, "Custom bowl")
    window.scenarios.open_builtin(0)
    window.scenarios.open_file(path)
    assert window.model.preset == "custom" and window.controller.surface.expression.startswith("(x - 1)")


def test_a_run_into_an_undefined_region_is_diverged_and_the_view_has_gaps(window):
    window.scenarios.set_custom_function("log(x) + y**2", (-1.0, 3.0, -2.0, 2.0))
    m, c = window.model, window.controller
    assert np.isnan(c.grid.z).any() and np.isfinite(c.grid.z).any()
    m.start = (0.3, 1.0)
    m.runs[0].learning_rate = 5.0
    c.sim.run()
    assert c.sim.status[0, 0] == Status.DIVERGED


def test_current_scenario_keeps_the_view_settings(window):
    m = window.model
    m.view.overlay_gradient = True
    m.view.show_equations = False
    m.selected = len(m.runs) - 1
    scenario = model_to_scenario(m, "x")
    assert scenario.view.overlays.gradient and not scenario.view.show_equations
    apply_scenario(m, scenario)
    assert model_to_scenario(m, "x") == scenario
    assert m.view.overlay_gradient and not m.view.show_equations and m.selected == len(m.runs) - 1


def test_the_custom_function_dialog_takes_the_presentation_scale(window, qtbot, monkeypatch):
    """File ▸ Custom function… in presentation mode opens the dialog at the window's scale (the
    model split once left it at 1: it read a field the race model no longer has)."""
    opened = []

    def fake_exec(dialog):
        opened.append((dialog.edit.font().pointSizeF(), dialog.width()))
        return 0  # cancelled

    monkeypatch.setattr(ExpressionDialog, "exec", fake_exec)
    window.scenarios.custom_dialog()
    window.model.view.presentation = True
    scale = window.model.view.scale
    assert scale > 1.0
    window.scenarios.custom_dialog()
    (plain_font, plain_width), (font, width) = opened
    assert font == pytest.approx(scale * plain_font, rel=0.02)
    assert width == pytest.approx(scale * plain_width, abs=2)
