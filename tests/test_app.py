"""The main window end to end (offscreen, no GL): defaults, playback keys, presets, start
point, divergence, settings, and a 1920×1080 render that must show the race."""

import json
import os

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage

from optviz.app.window.main_window import SETTINGS_KEY, MainWindow
from optviz.core import Status
from optviz.core.optimizers import OPTIMIZERS


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    w = MainWindow(restore=False, enable_3d=False, settings=settings)
    qtbot.addWidget(w)
    w.resize(1600, 950)
    w.show()
    qtbot.waitExposed(w)
    return w


def image_to_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    ptr = image.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return arr[:, : image.width(), 2::-1].copy()  # BGRA → RGB, copied: the buffer dies with the image


def color_pixels(arr: np.ndarray, hex_color: str, tol: int = 40) -> int:
    rgb = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(arr.astype(int) - rgb).max(axis=-1) < tol).sum())


def test_opens_useful_without_configuration(window):
    m = window.model
    assert m.preset == "narrow_valley"
    # The narrow valley's own race, the one its caption describes (tests/test_captions.py).
    assert [(r.optimizer, r.label) for r in m.runs] == [("gd", "GD, α = 0.072"), ("momentum", "Momentum, β = 0.5"),
                                                        ("rmsprop", "RMSProp, α = 0.1")]
    assert [r.color for r in m.runs] == [OPTIMIZERS[r.optimizer].color for r in m.runs]  # one colour per optimizer
    assert len({r.color for r in m.runs}) == 3
    assert "Narrow valley" in window.windowTitle() or "narrow" in window.windowTitle().lower()
    sim = window.controller.sim
    assert np.allclose(sim.positions[:, 0], m.start)


def test_space_right_and_r_drive_the_race(window, qtbot):
    c = window.controller
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert (c.sim.steps == 1).all()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.model.playback.playing
    qtbot.waitUntil(lambda: c.sim.steps.min() > 5, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.model.playback.playing
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert (c.sim.steps == 0).all()


def test_runs_stop_by_themselves(window, qtbot):
    window.model.max_steps = 30
    window.model.playback.steps_per_frame = 10
    window.model.playback.playing = True
    qtbot.waitUntil(lambda: not window.model.playback.playing, timeout=5000)
    assert (window.controller.sim.steps <= 30).all()
    assert window.controller.sim.finished


def test_switching_preset_updates_title_views_and_start(window):
    window.model.preset = "himmelblau"
    c = window.controller
    assert c.surface.key == "himmelblau"
    assert "Himmelblau" in window.windowTitle()
    assert window.model.start == c.surface.start
    assert np.allclose(c.sim.positions[:, 0], c.surface.start)


def test_moving_the_start_restarts_every_run(window):
    window.controller.sim.step(20)
    window.contour.startMoved.emit(0.5, -0.25)
    assert window.model.start == (0.5, -0.25)
    assert (window.controller.sim.steps == 0).all()
    assert np.allclose(window.controller.sim.positions[:, 0], (0.5, -0.25))


def test_changing_a_hyperparameter_restarts_only_that_run(window):
    sim = window.controller.sim
    sim.step(15)
    window.model.runs[2].learning_rate = 0.2
    assert sim.steps[2] == 0 and (sim.steps[:2] == 15).all()
    assert window.controller.sim.specs[2].hyper["learning_rate"] == 0.2


def test_a_diverging_run_is_reported_and_the_others_go_on(window, qtbot):
    window.model.preset = "rosenbrock"
    window.model.runs[0].learning_rate = 10.0
    window.model.runs[1].learning_rate = 1e-4
    sim = window.controller.sim
    sim.step(50)
    window.controller.advanced.emit()
    assert sim.status[0, 0] == Status.DIVERGED
    assert window.readouts.item(0, 4).text() == "diverged"
    assert sim.steps[1] == 50
    assert np.isfinite(sim.positions[1, 0]).all()


def test_settings_survive_a_restart(qtbot, settings):
    first = MainWindow(restore=True, enable_3d=False, settings=settings)
    qtbot.addWidget(first)
    first.model.preset = "beale"
    first.model.add_run("sgd", hyper={"learning_rate": 0.01})
    first.model.runs[0].learning_rate = 3e-3
    first.close()
    second = MainWindow(restore=True, enable_3d=False, settings=settings)
    qtbot.addWidget(second)
    assert second.model.preset == "beale"
    assert [r.optimizer for r in second.model.runs][-1] == "sgd"
    assert second.model.runs[0].learning_rate == 3e-3


def test_corrupt_settings_fall_back_to_defaults(qtbot, settings):
    settings.setValue(SETTINGS_KEY, json.dumps({"preset": "no-such-surface", "runs": []}))
    w = MainWindow(restore=True, enable_3d=False, settings=settings)
    qtbot.addWidget(w)
    assert w.model.preset == "narrow_valley"
    assert "could not be restored" in w.statusBar().currentMessage()


def test_full_hd_render_shows_the_race(qtbot, settings, tmp_path):
    w = MainWindow(restore=False, enable_3d=False, settings=settings)
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(100)  # the first layout (docks, splitters, equal-units map) settles in the event loop
    blank = image_to_array(w.contour.grab().toImage())
    w.controller.sim.step(150)
    w.controller.advanced.emit()
    qtbot.wait(50)
    full = image_to_array(w.grab().toImage())
    assert full.shape[:2] == (1080, 1920)
    contour = image_to_array(w.contour.grab().toImage())
    loss = image_to_array(w.loss_plot.grab().toImage())
    for run in w.model.runs:
        assert color_pixels(contour, run.color) > 30, run.optimizer
        assert color_pixels(loss, run.color) > 10, run.optimizer
    assert np.abs(contour.astype(int) - blank.astype(int)).sum() > 0
    assert len(np.unique(contour.reshape(-1, 3), axis=0)) > 50  # a colour map, not a blank frame
    if os.environ.get("OPTVIZ_SAVE_SCREENSHOTS"):
        QImage(w.grab().toImage()).save(str(tmp_path / "window.png"))


def test_step_limit_is_bounded_and_bad_values_keep_the_old_one(window):
    with pytest.raises(ValueError, match="max steps must be in"):
        window.model.max_steps = 10_000_000
    assert window.model.max_steps == 2000
    assert window.controller.sim.history.positions.shape[0] == 2001
