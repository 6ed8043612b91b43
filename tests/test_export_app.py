"""Export from the main window (offscreen, no GL): menu and toolbar entries, the dialogs, the
window repainting during an export, Cancel, error messages, and the app's state untouched."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import av  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QDialog, QFileDialog, QPushButton  # noqa: E402

from optviz.app.dialogs import export_dialog  # noqa: E402
from optviz.app.window.main_window import MainWindow  # noqa: E402
from optviz.app.window.saved_form import model_to_scenario  # noqa: E402
from optviz.core.scenario import dump_scenario  # noqa: E402
from optviz.export import AnimationSettings, FrameSpec  # noqa: E402


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)
    w = MainWindow(preset="rosenbrock", optimizers=["gd", "momentum", "adam"], restore=False, enable_3d=False,
                   settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def errors(monkeypatch):
    """The modal error box replaced by a list (tests must not block)."""
    shown = []
    monkeypatch.setattr(export_dialog, "show_error", lambda parent, title, text: shown.append(text))
    return shown


def state(window):
    """Everything an export must leave alone: the model and the live simulation."""
    sim = window.controller.sim
    return (dump_scenario(model_to_scenario(window.model, "t")), sim.steps.copy(), sim.positions.copy(),
            np.nan_to_num(sim.history.positions, nan=1e300).copy())


def assert_same_state(before, after):
    assert before[0] == after[0]
    for a, b in zip(before[1:], after[1:]):
        np.testing.assert_array_equal(a, b)


def wait_done(qtbot, export, timeout=60_000):
    qtbot.waitUntil(lambda: not export.running, timeout=timeout)


def test_file_menu_and_toolbar_offer_the_three_exports(window):
    actions = window.export_actions
    assert actions["image"].shortcut().toString() == "Ctrl+E"
    assert actions["animation"].shortcut().toString() == "Ctrl+Shift+E"
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    for text in ("Export &image…", "Export &animation…", "Export &trajectories…"):
        assert text in texts
    bar = next(b for b in window.findChildren(type(window.playback).__mro__[1]) if b.objectName() == "export-bar")
    assert set(actions.values()) <= set(bar.actions())


def test_animation_export_keeps_the_window_alive_and_leaves_the_race_alone(window, qtbot, tmp_path, errors):
    window.controller.sim.step(40)
    window.controller.advanced.emit()
    # Earlier tests' windows wait as deferred deletes for an event loop: destroying thousands of
    # their widgets here would hold the GUI thread for seconds (seen in the full suite: 8,500
    # Destroy events during the export, 8 ticks), which says nothing about the export.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    before = state(window)
    ticks = []
    timer = QTimer(window)
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    out = tmp_path / "race.mp4"
    settings = AnimationSettings(FrameSpec("contour", 640, 360), fps=30, steps_per_frame=1)
    export = export_dialog.start_animation_export(window.export_parts(), out, settings, steps=300)
    progress = []
    export.task.progressed.connect(lambda done, total: progress.append(done))
    wait_done(qtbot, export)
    timer.stop()
    assert export.outcome == "done", export.message
    assert errors == []
    assert len(ticks) >= 10  # the event loop kept running during the export
    assert progress and progress[-1] == export.job.total
    with av.open(str(out)) as c:
        assert sum(1 for _ in c.decode(video=0)) == export.job.total
    assert_same_state(before, state(window))
    assert str(out) in window.statusBar().currentMessage()


def test_cancel_in_the_progress_dialog_stops_within_a_couple_of_frames(window, qtbot, tmp_path, errors):
    before = state(window)
    out = tmp_path / "long.mp4"
    settings = AnimationSettings(FrameSpec("contour", 640, 360), fps=30, steps_per_frame=1)
    export = export_dialog.start_animation_export(window.export_parts(), out, settings, steps=2000)
    qtbot.waitUntil(lambda: export.progress.value() >= 5, timeout=30_000)
    cancel = export.progress.findChild(QPushButton)
    assert cancel.text() == "Cancel"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    rendered_at_cancel = export.job.rendered
    wait_done(qtbot, export)
    assert export.outcome == "cancelled"
    assert export.job.rendered <= rendered_at_cancel + 2
    assert errors == [] and not out.exists() and list(tmp_path.glob(".long.mp4*")) == []
    assert "cancelled" in window.statusBar().currentMessage()
    assert_same_state(before, state(window))


def test_a_failed_export_shows_a_message_and_the_app_goes_on(window, qtbot, tmp_path, errors, monkeypatch):
    from optviz.export import video

    monkeypatch.setattr(video, "PRESET", "no-such-preset")
    before = state(window)
    out = tmp_path / "race.mp4"
    export = export_dialog.start_animation_export(window.export_parts(), out,
                                                  AnimationSettings(FrameSpec("contour", 320, 180)), 50)
    wait_done(qtbot, export)
    assert export.outcome == "failed"
    assert len(errors) == 1 and errors[0].startswith("Video encoder failed")
    assert list(tmp_path.iterdir()) == [tmp_path / "optviz.ini"] or not out.exists()
    assert not out.exists() and not list(tmp_path.glob(".race.mp4*"))
    assert_same_state(before, state(window))
    window.controller.step_once()  # still works
    assert (window.controller.sim.steps == 1).all()


def test_png_of_the_contour_view_and_of_the_whole_window(window, qtbot, tmp_path, errors):
    window.controller.sim.step(100)
    window.controller.advanced.emit()
    size = window.size()
    contour = tmp_path / "contour.png"
    export = export_dialog.start_image_export(window.export_parts(), contour, "contour", 1280, 720)
    wait_done(qtbot, export)
    assert export.outcome == "done", export.message
    with Image.open(contour) as im:
        assert im.size == (1280, 720)
    whole = tmp_path / "window.png"
    export = export_dialog.start_image_export(window.export_parts(), whole, "window", 3840, 2160)
    wait_done(qtbot, export)
    assert export.outcome == "done", export.message
    with Image.open(whole) as im:
        assert im.size == (3840, 2160)
        pixels = np.asarray(im.convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3)[::97], axis=0)) > 50  # the window, not a blank image
    assert window.size() == size  # laid out at 1920 × 1080 for the export, then put back
    assert errors == []


def test_trajectories_from_the_menu(window, qtbot, tmp_path, errors, monkeypatch):
    out = tmp_path / "runs"
    answer = (str(out), "NumPy arrays (*.npz)")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: answer))
    window.model.max_steps = 150
    export = window.export_trajectories()
    wait_done(qtbot, export)
    assert export.outcome == "done", export.message
    data = np.load(tmp_path / "runs.npz")
    assert data["positions"].shape[1] == 3 and data["lengths"].max() <= 151


def test_animation_dialog_defaults_checks_and_the_menu_slot(window, qtbot, tmp_path, errors, monkeypatch):
    window.model.playback.steps_per_frame = 5
    dialog = export_dialog.AnimationDialog(window.export_parts())
    assert dialog.size_chooser.size() == (1920, 1080)
    assert not dialog.size_chooser.width_box.isEnabled()
    assert dialog.steps.value() == window.model.max_steps and dialog.steps_per_frame.value() == 5
    assert dialog.view.model().item(1).isEnabled() is False  # no GL in this window: no 3D views
    dialog.size_chooser.combo.setCurrentIndex(dialog.size_chooser.combo.count() - 1)  # custom
    assert dialog.size_chooser.width_box.isEnabled()
    dialog.size_chooser.width_box.setValue(641)
    dialog.path.setText(str(tmp_path / "odd.mp4"))
    assert "even width and height" in dialog.check()
    dialog.path.setText(str(tmp_path / "odd.gif"))
    assert dialog.check() is None  # GIF takes any size

    def fill_and_accept(self):
        self.size_chooser.set_size(320, 180)
        self.steps.setValue(30)
        self.path.setText(str(tmp_path / "menu.gif"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(export_dialog.AnimationDialog, "exec", fill_and_accept)
    export = window.export_animation()
    wait_done(qtbot, export)
    assert export.outcome == "done", export.message
    with Image.open(tmp_path / "menu.gif") as im:
        assert im.size == (320, 180) and im.n_frames == export.job.total
    assert window.settings.value(export_dialog.SETTINGS_FOLDER) == str(tmp_path)


def test_image_dialog_offers_the_views_and_sizes_and_checks_the_name(window, qtbot, tmp_path, monkeypatch):
    dialog = export_dialog.ImageDialog(window.export_parts())
    assert [dialog.view.itemData(i) for i in range(dialog.view.count())] == ["contour", "3d", "window"]
    sizes = [dialog.size_chooser.combo.itemData(i) for i in range(dialog.size_chooser.combo.count())]
    assert sizes == [(1280, 720), (1920, 1080), (3840, 2160), None]
    dialog.path.setText(str(tmp_path / "shot.jpg"))
    assert dialog.check() == "The file name must end in .png."
    dialog.path.setText(str(tmp_path / "shot.png"))
    assert dialog.check() is None
    opened = []
    monkeypatch.setattr(export_dialog.ImageDialog, "exec", lambda self: opened.append(1) or QDialog.DialogCode.Rejected)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert opened == [1]  # Ctrl+E opens the dialog; cancelling it exports nothing
    assert not list(tmp_path.glob("*.png"))
