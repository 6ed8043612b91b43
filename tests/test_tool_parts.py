"""The tool windows are built from the parts they name, not from the main window: each is made
here on a bare QMainWindow (no ``model``, ``controller``, ``show_message``… attribute to reach
for), with a race model and controller of its own and a list for the status-bar messages."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from optviz.app.analysis.basins import BasinActions, BasinDock, BasinParts
from optviz.app.analysis.leaderboard import LeaderboardDock
from optviz.app.analysis.tuning import SweepWindow, TuneSummary, TuningActions
from optviz.app.dialogs import export_dialog
from optviz.app.dialogs.export_dialog import AnimationDialog, ExportParts, ImageDialog
from optviz.app.dialogs.scenarios import ScenarioActions, ScenarioParts
from optviz.app.panels.preset_picker import PresetPicker
from optviz.app.window.controller import RaceController
from optviz.app.window.model import RaceModel
from optviz.core.scenario import builtin_scenarios


@pytest.fixture
def race(qtbot):
    """A bare host window, a race (model and controller), and ``say`` (the status bar's
    ``show_message``) that keeps the messages in ``messages``."""
    host = QMainWindow()
    qtbot.addWidget(host)
    model = RaceModel("narrow_valley", optimizers=["gd", "momentum"])
    model.max_steps = 60
    controller = RaceController(model, host)
    assert not hasattr(host, "model") and not hasattr(host, "show_message")
    messages = []
    return SimpleNamespace(host=host, model=model, controller=controller, messages=messages,
                           say=lambda text, timeout_ms=6000: messages.append(text))


def test_the_leaderboard_dock_from_its_host_model_controller_and_messages(race):
    dock = LeaderboardDock(race.host, race.model, race.controller, race.say)
    assert dock.parent() is race.host
    assert race.host.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    race.controller.sim.step(20)
    assert dock.rows() == []
    dock.refresh()
    assert sorted(row[1] for row in dock.rows()) == sorted(run.title for run in race.model.runs)
    dock.tol_edit.setText("lots")
    dock._tolerance_edited()
    assert race.messages == ["tolerance must be a number >= 0, got 'lots'"]


def test_the_basins_tool_from_its_parts(race):
    parts = BasinParts(host=race.host, model=race.model, controller=race.controller, map_box=pg.ViewBox(),
                       show_message=race.say)
    actions = BasinActions(parts)
    menu = QMenu()
    action = actions.install(menu)["basins"]
    assert action in race.host.actions() and action in menu.actions()
    assert action.shortcut() == QKeySequence("Ctrl+B")
    dock = BasinDock(parts)  # hidden: nothing is computed
    assert dock.parent() is race.host and dock.isFloating()
    assert [index for index, *_ in dock.job().runs] == [0, 1]
    assert dock.export_png("unused.png", 640, 360) is None
    assert race.messages == ["Basins of attraction: nothing to export yet"]


def test_the_tuning_actions_from_their_host_model_and_messages(race):
    tuning = TuningActions(race.host, race.model, race.say)
    actions = tuning.install(QMenu())
    assert set(actions) == {"sweep", "tune_all", "restore"}
    assert all(a in race.host.actions() for a in actions.values()) and not actions["restore"].isEnabled()
    assert SweepWindow(tuning).parent() is race.host
    runs = list(race.model.runs)
    old = [run.learning_rate for run in runs]
    tuned = [SimpleNamespace(learning_rate=0.5 * lr, sweep=SimpleNamespace(best_tail=1.0)) for lr in old]
    tuning.apply(runs, tuned)
    assert [run.learning_rate for run in runs] == pytest.approx([0.5 * lr for lr in old])
    assert isinstance(tuning.summary, TuneSummary) and tuning.summary.parent() is race.host
    assert race.messages[-1].startswith("Tuned α: ")
    assert tuning.restore() and [run.learning_rate for run in runs] == old
    assert race.messages[-1] == "Restored the learning rates from before Tune all"


def test_the_scenario_actions_from_their_parts(race):
    file_menu = race.host.menuBar().addMenu("&File")
    quit_action = file_menu.addAction("&Quit")
    race.host.menuBar().addMenu("&Run")
    titles = []
    picker = PresetPicker(race.model)
    parts = ScenarioParts(parent=race.host, menu_bar=race.host.menuBar(), set_title=titles.append,
                          model=race.model, controller=race.controller, preset_picker=picker,
                          show_message=race.say)
    scenarios = ScenarioActions(parts)
    actions = scenarios.install(file_menu, quit_action)
    assert [a.text() for a in race.host.menuBar().actions()] == ["&File", "&Scenarios", "&Run"]
    assert all(a in race.host.actions() for a in actions.values())
    title = builtin_scenarios()[0][0]
    assert scenarios.open_builtin(0)
    assert race.messages == [f"Opened “{title}”"]
    assert titles[-1].startswith(f"{title} — ") and titles[-1].endswith(" — optviz")


def test_the_export_dialogs_and_an_export_from_their_parts(race, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(export_dialog, "show_error", lambda parent, title, text: race.say(text))
    settings = QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)
    settings.setValue(export_dialog.SETTINGS_FOLDER, str(tmp_path))
    parts = ExportParts(window=race.host, model=race.model, controller=race.controller, settings=settings,
                        surface3d=None, show_message=race.say, tolerance=lambda: 0.25,
                        hold_docks=contextlib.nullcontext)
    image = ImageDialog(parts)
    assert image.parent() is race.host and image.out() == tmp_path / "narrow_valley.png"
    assert not image.view.model().item(1).isEnabled()  # no 3D view among the parts
    animation = AnimationDialog(parts)
    animation.leaderboard_box.setChecked(True)
    assert animation.steps.value() == 60 and animation.settings().frame.tolerance == 0.25
    export = export_dialog.start_trajectory_export(parts, tmp_path / "runs.csv")
    assert export.parent() is race.host and export.progress.parent() is race.host
    qtbot.waitUntil(lambda: not export.running, timeout=60_000)
    assert export.outcome == "done", export.message
    assert race.messages == [f"Exported {tmp_path / 'runs.csv'}"]
    assert settings.value(export_dialog.SETTINGS_FOLDER) == str(tmp_path)
