"""The Leaderboard dock: it appears when a race ends, its rows are the core's ranking, the
tolerance is editable, and the Analysis menu shows or hides it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from optviz.app.main_window import MainWindow  # noqa: E402
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
    window.model.playing = True
    c.timer.stop()  # driven by hand below, not by time
    for _ in range(10_000):
        if not window.model.playing:
            break
        c.tick()
    assert c.sim.finished and not window.model.playing


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
    # Hand check of one number: the steps to tolerance of the winner from its recorded losses.
    sim, top = window.controller.sim, board.entries[0]
    losses = sim.history.loss[: sim.length(top.index), top.index, 0]
    assert top.steps_to_tolerance == next(t for t, j in enumerate(losses) if j - 0.0 <= dock.tolerance)
    assert "J − J* ≤" in dock.criterion.text()


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
