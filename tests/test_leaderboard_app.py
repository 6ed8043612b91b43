"""The Leaderboard dock: it appears when a race ends, its rows are the core's ranking, the
tolerance is editable, and the Analysis menu shows or hides it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from optviz.app.window.main_window import MainWindow  # noqa: E402
from optviz.core.leaderboard import leaderboard  # noqa: E402


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)
    w = MainWindow(preset="narrow_valley", optimizers=["gd", "sgd", "momentum", "adam"], restore=False,
                   enable_3d=False, settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.model.max_steps = 300
    return w


def finish(window):
    """Play the race to its end the way the timer does (tick until it stops itself)."""
    c = window.controller
    window.model.playback.playing = True
    c.timer.stop()  # driven by hand below, not by time
    for _ in range(10_000):
        if not window.model.playback.playing:
            break
        c.tick()
    assert c.sim.finished and not window.model.playback.playing


def expected_rows(window, tol):
    sim = window.controller.sim
    board = leaderboard(sim, tol, titles=[r.title for r in window.model.runs])
    return board, [(str(e.rank), e.title) for e in board.entries]


def test_leaderboard_appears_when_the_race_ends_with_the_cores_ranking(window):
    dock = window.leaderboard
    assert dock.windowTitle() == "Leaderboard" and not dock.isVisible()
    window.controller.step_once()
    assert not dock.isVisible()  # a step is not the end
    finish(window)
    assert dock.isVisible()
    board, names = expected_rows(window, dock.tolerance)
    rows = dock.rows()
    assert [r[:2] for r in rows] == names
    for row, e in zip(rows, board.entries):
        assert row[2] == ("—" if e.steps_to_tolerance is None else f"{e.steps_to_tolerance:,}")
        assert row[4] == e.outcome.replace("converged to minimum", "converged, min")
    # Hand check of one number: the step from which the winner stays within the tolerance (J* = 0
    # on the valley), from its recorded losses: one after the last loss outside it.
    sim, top = window.controller.sim, board.entries[0]
    losses = sim.history.loss[: sim.length(top.index), top.index, 0]
    outside = [t for t, j in enumerate(losses) if j - 0.0 > dock.tolerance]
    assert top.steps_to_tolerance == outside[-1] + 1
    assert "J − J* ≤" in dock.criterion.text() and not dock.mode.isVisible()
    assert dock.table.horizontalHeaderItem(2).text() == "Settled at step"


def test_editing_the_tolerance_reranks(window, qtbot):
    finish(window)
    dock = window.leaderboard
    dock.tol_edit.setText("1e-9")
    dock.tol_edit.editingFinished.emit()
    assert dock.tolerance == 1e-9
    assert [r[:2] for r in dock.rows()] == expected_rows(window, 1e-9)[1]
    dock.tol_edit.setText("abc")
    dock.tol_edit.editingFinished.emit()
    assert dock.tolerance == 1e-9 and dock.tol_edit.text() == "1e-09"


def test_menu_toggle_and_the_automatic_showing(window):
    dock = window.leaderboard
    toggle = dock.toggle_action
    assert toggle in window.analysis_menu.actions()
    toggle.trigger()
    assert dock.isVisible() and dock.rows()  # shows the standings so far
    toggle.trigger()
    assert not dock.isVisible()
    dock.auto_action.setChecked(False)
    finish(window)
    assert not dock.isVisible()
    dock.auto_action.setChecked(True)
    window.controller.reset()
    finish(window)
    assert dock.isVisible()


def test_a_new_race_refreshes_the_open_table(window):
    finish(window)
    dock = window.leaderboard
    window.model.runs[0].label = "plain GD"
    assert any(r[1] == "plain GD" for r in dock.rows())


def test_on_the_saddle_the_dock_says_it_ranks_by_final_loss(window):
    window.model.preset = "saddle"
    finish(window)
    dock = window.leaderboard
    assert dock.isVisible() and dock.board.by_final_loss
    assert dock.mode.isVisible() and "unbounded below" in dock.mode.text() and "final loss" in dock.mode.text()
    assert dock.table.horizontalHeaderItem(2).text() == "Steps taken" and not dock.tol_edit.isEnabled()
    sim = window.controller.sim
    finals = [float(sim.history.loss[sim.length(k) - 1, k, 0]) for k in range(sim.K)]
    rows = dock.rows()
    assert [r[1] for r in rows] == [window.model.runs[k].title for k in sorted(range(sim.K), key=finals.__getitem__)]
    assert [r[2] for r in rows] == [f"{sim.steps[k]:,}" for k in sorted(range(sim.K), key=finals.__getitem__)]


def text_fits(dock) -> list:
    """Every header and cell of the table: its text width (QFontMetrics of the font it is drawn
    in, plus the item margins and the colour swatch) against its column's width."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyle

    t = dock.table
    style = t.style()
    margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, t) + 1)
    swatch = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, t) + margin
    bad = []
    for c in range(t.columnCount()):
        head = t.horizontalHeaderItem(c).text()
        if QFontMetrics(t.horizontalHeader().font()).horizontalAdvance(head) + margin > t.columnWidth(c):
            bad.append(("header", head))
        for r in range(t.rowCount()):
            item = t.item(r, c)
            need = QFontMetrics(item.font()).horizontalAdvance(item.text()) + margin + (swatch if c == 1 else 0)
            if need > t.columnWidth(c):
                bad.append((r, item.text(), need, t.columnWidth(c)))
    # The table itself is not cut by the dock: its columns fit in its viewport.
    if sum(t.columnWidth(c) for c in range(t.columnCount())) > t.viewport().width():
        bad.append(("table wider than its viewport", t.viewport().width()))
    return bad


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_no_cell_text_is_elided(qtbot, tmp_path, size):
    """Scenario 7's long run names and a race of every outcome, at both projector sizes, in normal
    and presentation scale."""
    settings = QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)
    w = MainWindow(restore=False, enable_3d=False, settings=settings)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    assert w.scenarios.open_builtin(6)  # 7. A decaying learning rate (long run names)
    finish(w)
    dock = w.leaderboard
    dock.show()
    qtbot.wait(50)
    assert dock.rows() and text_fits(dock) == [] and dock.elided_cells() == []
    assert all(len(r[4]) > 3 for r in dock.rows())
    # Presentation scale: bigger fonts, still whole.
    w.model.view.ui_scale = 1.6
    w.model.view.presentation = True
    qtbot.wait(100)
    dock.refresh()
    qtbot.wait(50)
    assert text_fits(dock) == [] and dock.elided_cells() == []
    w.model.view.presentation = False
