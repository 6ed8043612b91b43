"""The session between launches (optviz.app.window.session): the race is kept as a scenario and read
back by the scenario rules; whatever a settings file holds, the app starts, drops what it
cannot use and says so once, in a message of sensible length."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QByteArray, QSettings

from optviz.app.window import session
from optviz.app.window.main_window import MainWindow
from optviz.core.scenario import MAX_RUNS


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)


def launch(qtbot, settings) -> MainWindow:
    w = MainWindow(restore=True, enable_3d=False, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _legacy_run(optimizer="gd"):
    return {"optimizer": optimizer, "label": "", "color": "#000000", "visible": True, "hyper": {"learning_rate": 0.01},
            "batch_size": None, "schedule": "constant", "schedule_params": {}, "seed": 0}


def _legacy_race(runs):
    return {"preset": "bowl", "preset_params": {}, "start": [1.0, 1.0], "same_lr": False, "steps_per_frame": 2,
            "max_steps": 500, "seed": 0, "noise_scale": None, "log_loss": True, "runs": runs}


def test_the_session_is_a_scenario_and_comes_back_whole(qtbot, settings):
    first = launch(qtbot, settings)
    assert first.scenarios.open_builtin(2)  # scenario 3: its note should come back too
    first.model.runs[1].learning_rate = 0.05
    first.model.start = (-4.0, 1.0)
    first.close()
    text = settings.value(session.SESSION_KEY)
    assert json.loads(text)["title"].startswith("3.")  # a scenario file's text
    second = launch(qtbot, settings)
    m = second.model
    assert m.preset == "narrow_valley" and m.start == (-4.0, 1.0)
    assert [r.optimizer for r in m.runs] == ["gd", "momentum"] and m.runs[1].learning_rate == 0.05
    assert second.scenarios.title.startswith("3.") and second.scenarios.note
    assert second.statusBar().currentMessage() == ""


@pytest.mark.parametrize("key,value,words", [
    (session.GEOMETRY_KEY, "not a geometry", "size and place"),
    (session.STATE_KEY, "not a state", "layout"),
    (session.GEOMETRY_KEY, QByteArray(b"\x00\x01garbage"), "size and place"),
    (session.VIEW_KEY, "[" * 100_000 + "]" * 100_000, "view preferences"),
    (session.VIEW_KEY, json.dumps({"theme": "dark"}), "theme"),
    (session.VIEW_KEY, json.dumps([1, 2, 3]), "view preference"),
    (session.SESSION_KEY, "{" * 100_000, "the race"),
    (session.SESSION_KEY, 12345, "the race"),
    (session.LEGACY_RACE_KEY, json.dumps(_legacy_race([_legacy_run()] * 10_000)), "the race"),
    (session.LEGACY_RACE_KEY, json.dumps(_legacy_race([_legacy_run()] * (MAX_RUNS + 184))), "the race"),
    (session.LEGACY_RACE_KEY, json.dumps({"preset": "no-such-surface", "runs": []}), "the race"),
    (session.LEGACY_RACE_KEY, "x" * 50_000_000, "the race"),
])
def test_every_corrupt_value_is_dropped_the_app_starts_and_says_so_once(qtbot, settings, key, value, words):
    if key == session.STATE_KEY:  # a layout needs a geometry to be read at all
        launch(qtbot, settings).close()
    settings.setValue(key, value)
    settings.sync()
    w = launch(qtbot, settings)
    message = w.statusBar().currentMessage()
    assert message.startswith("The last session could not be restored") and "starting fresh" in message
    assert words in message
    assert len(message) <= session.MESSAGE_LIMIT
    assert len(w.model.runs) <= MAX_RUNS and w.model.runs  # a usable race either way


def test_a_legacy_race_is_read_by_the_scenario_rules(qtbot, settings):
    settings.setValue(session.LEGACY_RACE_KEY, json.dumps(_legacy_race([_legacy_run("gd"), _legacy_run("adam")])))
    w = launch(qtbot, settings)
    assert w.model.preset == "bowl" and [r.optimizer for r in w.model.runs] == ["gd", "adam"]
    assert w.statusBar().currentMessage() == ""
    w.close()
    assert settings.value(session.LEGACY_RACE_KEY) is None  # saved in the new form now
    assert settings.value(session.SESSION_KEY)


def test_a_long_message_is_cut_at_a_word():
    text = session.short("word " * 1000)
    assert len(text) <= session.MESSAGE_LIMIT and text.endswith("word…")
    assert session.short("a\nb   c") == "a b c"
