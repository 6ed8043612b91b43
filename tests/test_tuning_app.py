"""The learning-rate sweep window and Tune all in the main window (offscreen): they show the
core's numbers, write α through the model (the panel follows), Restore undoes Tune all, and a
cancel leaves the race untouched."""

from __future__ import annotations

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QPushButton  # noqa: E402

from optviz.app.window.main_window import MainWindow  # noqa: E402
from optviz.app.window.saved_form import model_to_scenario  # noqa: E402
from optviz.core.scenario import dump_scenario  # noqa: E402
from optviz.core import get_surface  # noqa: E402
from optviz.core.tuning import log_grid, tune_all, tune_learning_rate  # noqa: E402

STEPS = 80


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)
    w = MainWindow(preset="narrow_valley", optimizers=["gd", "sgd", "momentum"], restore=False, enable_3d=False,
                   settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.tuning.steps = STEPS
    w.tuning.seeds = 2
    yield w
    for task in (w.tuning.task, getattr(w.tuning.sweep_window, "task", None)):
        if task is not None:
            task.cancel()
            task.wait()


def race_state(window) -> str:
    return dump_scenario(model_to_scenario(window.model, "t"))


def wait_task(qtbot, task, timeout=60_000):
    qtbot.waitUntil(lambda: task.outcome is not None, timeout=timeout)


def test_analysis_menu_has_the_tools_with_their_shortcuts(window):
    texts = [a.text() for a in window.analysis_menu.actions()]
    for text in ("Learning-rate &sweep…", "&Tune all", "&Restore previous α", "&Leaderboard"):
        assert text in texts
    acts = window.tuning.actions
    assert acts["sweep"].shortcut().toString() == "Ctrl+L"
    assert acts["tune_all"].shortcut().toString() == "Ctrl+Shift+T"
    assert not acts["restore"].isEnabled()
    # No other action of the window uses these keys.
    for action in window.findChildren(type(acts["sweep"])):
        if action not in acts.values():
            assert action.shortcut().toString() not in ("Ctrl+L", "Ctrl+Shift+T"), action.text()


def test_sweep_window_shows_the_cores_numbers_and_use_best_sets_the_model(window, qtbot):
    m = window.model
    m.selected = 0  # GD
    run = m.runs[0]
    win = window.tuning.open_sweep()
    wait_task(qtbot, win.task)
    assert win.task.outcome == "done"
    core = tune_learning_rate(get_surface("narrow_valley"), run.spec, m.start, steps=STEPS, seeds=2, seed=m.seed,
                              noise_scale=m.noise_scale)
    sweep = win.sweep
    assert sweep.best == core.best and sweep.diverged_region() == core.diverged_region()
    assert (sweep.final_loss == core.final_loss).all()
    plot = win.plot
    assert plot.best_line.value() == pytest.approx(math.log10(core.best))
    assert plot.current_line.value() == pytest.approx(math.log10(run.learning_rate))
    assert len(plot.regions) == len(core.diverged_region()) >= 1
    lo, hi = plot.regions[0].getRegion()
    assert lo == pytest.approx(math.log10(core.diverged_region()[0][0]))
    xs, _ = plot.mean_curve.getOriginalDataset()
    assert len(xs) == len(log_grid()) + len(core.extra_rates)
    assert f"{core.best:.4g}" in win.result.text()
    text = win.explanation.text()
    assert "same budget" in text and "worst" in text and "last 20%" in text and "half the divergence edge" in text
    # The margin: the band (edge/2, edge) of the core, the chosen α at most its lower end.
    assert core.edge is not None
    band = plot.margin.getRegion()
    assert band[0] == pytest.approx(math.log10(core.edge / 2)) and band[1] == pytest.approx(math.log10(core.edge))
    assert core.best <= core.edge / 2 * (1 + 1e-9)
    assert f"{core.edge:.3g}" in win.result.text()
    # The runs that did not settle are ringed: as many as the core's unsettled α with a finite score.
    loose = int(np.count_nonzero(core._all()["unsettled"]))
    rings = 0 if plot.unsettled_points is None else len(plot.unsettled_points.data)
    assert rings == loose
    # View → model: Use best α, and the panel and the simulation follow.
    assert win.use_button.isEnabled()
    qtbot.mouseClick(win.use_button, Qt.MouseButton.LeftButton)
    assert run.learning_rate == core.best
    assert window.controller.sim.specs[0].hyper["learning_rate"] == core.best
    spin = window.panel.editors[0].hyper_widgets["learning_rate"].spin
    assert spin.value() == pytest.approx(core.best, rel=1e-4)
    # Model → view: the current-α marker and the heading follow the model.
    run.learning_rate = 0.005
    assert plot.current_line.value() == pytest.approx(math.log10(0.005))
    assert "0.005" in win.heading.text()
    # A stochastic run: the faint seed curves are the core's per-seed losses.
    m.selected = 1
    win = window.tuning.open_sweep()
    wait_task(qtbot, win.task)
    assert win.sweep.seeds == 2 and len(win.plot.seed_curves) == 2


def test_cancelling_a_sweep_leaves_the_race_alone(window, qtbot):
    before = race_state(window)
    window.tuning.steps = 5000
    win = window.tuning.open_sweep()
    assert win.task.running
    qtbot.mouseClick(win.cancel_button, Qt.MouseButton.LeftButton)
    wait_task(qtbot, win.task)
    assert win.task.outcome == "cancelled"
    assert win.sweep is None and not win.use_button.isEnabled()
    assert not win.use_best()
    assert race_state(window) == before


def test_a_changed_race_disables_use_best(window, qtbot):
    win = window.tuning.open_sweep()
    wait_task(qtbot, win.task)
    assert win.use_button.isEnabled()
    window.model.start = (1.0, 1.0)
    assert not win.use_button.isEnabled() and "changed" in win.result.text()


def test_tune_all_sets_every_alpha_to_the_cores_result_and_restore_brings_them_back(window, qtbot):
    m = window.model
    m.same_lr = True  # one α shared: what Tune all replaces (and Restore brings back)
    old = [run.learning_rate for run in m.runs]
    specs = [run.spec for run in m.runs]
    task = window.tuning.tune_all()
    wait_task(qtbot, task)
    assert task.outcome == "done"
    core = tune_all(get_surface("narrow_valley"), specs, m.start, steps=STEPS, seeds=2, seed=m.seed,
                    noise_scale=m.noise_scale)
    new = [run.learning_rate for run in m.runs]
    assert new == [t.learning_rate for t in core]
    assert len(set(new)) == 3 and not m.same_lr
    assert [s.hyper["learning_rate"] for s in window.controller.sim.specs] == new  # the runs restarted with them
    summary = window.tuning.summary
    assert summary.isVisible() and summary.table.rowCount() == 3
    assert summary.table.item(0, 1).text() == f"{old[0]:.4g}" and summary.table.item(0, 2).text() == f"{new[0]:.4g}"
    assert window.tuning.actions["restore"].isEnabled()
    window.tuning.actions["restore"].trigger()
    assert [run.learning_rate for run in m.runs] == old and m.same_lr
    assert not window.tuning.actions["restore"].isEnabled()


def test_cancelling_tune_all_changes_nothing(window, qtbot):
    before = race_state(window)
    window.tuning.steps = 5000
    task = window.tuning.tune_all()
    button = window.tuning.progress.findChild(QPushButton)
    assert button.text() == "Cancel"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # the progress dialog's Cancel
    wait_task(qtbot, task)
    assert task.outcome == "cancelled"
    assert race_state(window) == before
    assert not window.tuning.actions["restore"].isEnabled()
    assert not window.tuning.progress.isVisible()


def clipped_text(root) -> list:
    """Every label, button and check box under ``root`` whose text does not fit: a word-wrapped
    label lower than the height its text needs at its width, or a one-line text wider than its
    widget (QFontMetrics of the widget's own font)."""
    from PySide6.QtGui import QFontMetrics, QTextDocument
    from PySide6.QtWidgets import QAbstractButton, QLabel

    bad = []
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            if label.heightForWidth(label.width()) > label.height() + 1:
                bad.append((label.objectName(), label.text()[:40], label.heightForWidth(label.width()), label.height()))
        else:
            doc = QTextDocument()
            doc.setDefaultFont(label.font())
            if label.textFormat() == Qt.TextFormat.PlainText:
                doc.setPlainText(label.text())
            else:
                doc.setHtml(label.text())
            doc.setDocumentMargin(0)
            if doc.idealWidth() > label.width() + 1:
                bad.append((label.objectName(), label.text()[:40], doc.idealWidth(), label.width()))
    for button in root.findChildren(QAbstractButton):
        if button.isVisible() and button.text():
            need = QFontMetrics(button.font()).horizontalAdvance(button.text().replace("&", ""))
            if need > button.width():
                bad.append((button.objectName(), button.text(), need, button.width()))
    return bad


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_the_sweep_window_shows_all_its_text_and_scales_with_presentation_mode(qtbot, tmp_path, size):
    settings = QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)
    w = MainWindow(preset="rosenbrock", optimizers=["rmsprop"], restore=False, enable_3d=False, settings=settings)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.tuning.steps = 300
    try:
        win = w.tuning.open_sweep()
        wait_task(qtbot, win.task)  # no further event-loop pass: the text must fit at once
        assert win.task.outcome == "done"
        assert win.height() <= size[1] and win.width() <= size[0]
        assert clipped_text(win) == []
        # Presentation mode scales the window's fonts and the plot's look (the lead's mechanism:
        # widget fonts, then set_look(theme, scale) of the plots inside).
        base_tick = win.plot.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF()
        base_label = win.plot.labels[0].textItem.font().pointSizeF()
        w.model.view.ui_scale = 1.5
        w.model.view.presentation = True
        qtbot.wait(100)
        win.plot.set_look(w.model.view.theme, 1.5)  # what presentation mode calls on a tool window's plots
        tick = win.plot.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF()
        assert tick == pytest.approx(1.5 * base_tick)
        assert win.plot.labels[0].textItem.font().pointSizeF() == pytest.approx(1.5 * base_label)
        win.adjustSize()
        qtbot.wait(50)
        assert clipped_text(win) == []
    finally:
        w.model.view.presentation = False
        if w.tuning.sweep_window is not None and w.tuning.sweep_window.task is not None:
            w.tuning.sweep_window.task.cancel()
            w.tuning.sweep_window.task.wait()
