"""The first ten minutes (issue 10): what a lecturer sees on launch and in presentation mode,
on the real main window (offscreen, a 1920×1080 screen; see conftest.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QTableWidget

from optviz.app.views.color_bar import ColorBar
from optviz.app.panels.equations import format_vector
from optviz.app.views.history_plots import HistoryPlot
from optviz.app.window.main_window import MainWindow
from optviz.core import get_surface
from optviz.core.scale import value_scale


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    w = MainWindow(restore=True, enable_3d=False, settings=settings)  # a first launch
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(100)
    return w


def press(qtbot, window, key):
    qtbot.keyClick(QApplication.focusWidget() or window, key)


# ------------------------------------------------------------------ presentation mode


def _point_size(widget) -> float:
    return widget.font().pointSizeF()


def test_presentation_scales_the_tool_docks_the_timeline_and_the_note(window, qtbot):
    m = window.model
    window.controller.sim.run()
    window.controller.advanced.emit()
    board = window.leaderboard
    board.show()
    qtbot.wait(50)
    before = {"board": _point_size(board.table), "timeline": _point_size(window.timeline.label),
              "live": _point_size(window.timeline.live), "note": _point_size(window.note_banner.label),
              "rows": board.table.verticalHeader().defaultSectionSize()}
    assert not window.note_banner.isVisible()  # the side panel shows the caption
    m.view.presentation = True
    qtbot.wait(50)
    s = m.view.scale
    assert s == pytest.approx(m.view.ui_scale)  # on a 1080-line screen
    assert _point_size(board.table) == pytest.approx(before["board"] * s)
    rows = board.table.verticalHeader().defaultSectionSize()
    assert rows > before["rows"] and rows >= board.table.fontMetrics().height() + 4  # rows fit the text
    assert _point_size(window.timeline.label) == pytest.approx(before["timeline"] * s)
    assert _point_size(window.timeline.live) == pytest.approx(before["live"] * s)
    # The panel (and its caption) is hidden: the caption is a banner over the views, folded to
    # its first sentence; N unfolds it.
    banner = window.note_banner
    assert banner.isVisible() and banner.collapsed
    assert _point_size(banner.label) == pytest.approx(before["note"] * s)
    caption = get_surface(m.preset).caption
    assert caption.split(". ")[0] in banner.label.text()
    press(qtbot, window, Qt.Key.Key_N)
    assert not banner.collapsed
    m.view.presentation = False
    qtbot.wait(50)
    assert _point_size(board.table) == pytest.approx(before["board"])
    assert _point_size(window.timeline.label) == pytest.approx(before["timeline"])
    assert not banner.isVisible()


def test_a_tool_window_opened_during_presentation_takes_its_scale(window, qtbot):
    m = window.model
    m.view.presentation = True
    qtbot.wait(50)
    dock = window.basins.open()
    qtbot.wait(50)
    labels = dock.findChildren(QTableWidget) + [dock.steps_spin]
    normal = window.font().pointSizeF()
    assert all(w.font().pointSizeF() >= normal * m.view.scale * 0.95 for w in labels)
    dock.hide()
    m.view.presentation = False
    qtbot.wait(50)
    dock.show()
    qtbot.wait(50)
    assert dock.steps_spin.font().pointSizeF() < normal * 1.2


def test_the_strip_and_the_update_rule_show_the_same_step_while_playing(window, qtbot):
    m = window.model
    m.view.presentation = True
    m.playback.steps_per_frame = 3
    qtbot.wait(50)
    strip, equations = window.classroom.strip, window.classroom.equations
    m.playback.playing = True
    seen = []
    for _ in range(40):
        qtbot.wait(20)
        shown = equations.toPlainText()
        t_strip = strip.text().split("t = <b>")[1].split("<")[0] if "t = <b>" in strip.text() else None
        t_rule = int(shown.split("update t = ")[1].split()[0]) if "update t = " in shown else None
        if t_strip is not None and t_rule is not None:
            seen.append((int(t_strip), t_rule))
        if not m.playback.playing:
            break
    m.playback.playing = False
    assert len(seen) > 5
    assert all(a == b for a, b in seen), seen


def test_adam_s_update_rule_fits_without_scroll_bars_in_presentation(window, qtbot):
    m = window.model
    m.replace_runs([type(m.runs[0])("adam")])
    m.view.presentation = True
    window.controller.sim.step(150)
    window.controller.advanced.emit()
    qtbot.wait(100)
    panel = window.classroom.equations
    assert panel.isVisible()
    for bar in (panel.verticalScrollBar(), panel.horizontalScrollBar()):
        assert not (bar.isVisible() and bar.maximum() > 0)
    # … and, the first time round, without shrinking below MIN_FIT.
    assert panel.font().pointSizeF() >= 0.7 * 12.5 * m.view.scale - 0.01


# ------------------------------------------------------------------ small things on screen


def test_the_noise_control_shows_only_when_a_run_samples_batches(window, qtbot):
    m = window.model
    m.preset = "narrow_valley"
    panel = window.panel
    assert all(r.spec.effective_batch_size(64) == 64 for r in m.runs)
    assert not panel.noise_row.isVisibleTo(panel)
    m.add_run("sgd")
    assert panel.noise_row.isVisibleTo(panel)
    m.runs[-1].batch_size = 64
    assert not panel.noise_row.isVisibleTo(panel)


def test_negligible_components_read_zero():
    assert format_vector(np.array([-0.0197, 8.759e-77])) == "(−0.0197, 0)"
    assert format_vector(np.array([3.2e-20, 1.1e-21])) == "(3.2×10<sup>−20</sup>, 1.1×10<sup>−21</sup>)"
    assert format_vector(np.array([0.0, 0.0])) == "(0, 0)"


def test_a_fresh_loss_plot_shows_whole_steps_and_a_decade(qtbot):
    from optviz.render.inputs import RunStyle
    from optviz.core import RunSpec, Simulation

    plot = HistoryPlot("loss")
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    plot.show()
    surface = get_surface("narrow_valley")
    sim = Simulation(surface, [RunSpec("gd")], surface.start, max_steps=100)
    plot.set_runs([RunStyle("GD", "#0F2DFF", True)])
    plot.set_reference(0.0)
    plot.set_log(True)
    plot.update_runs(sim)  # one point per run
    qtbot.wait(20)
    (x0, x1), (y0, y1) = plot.view_box.viewRange()
    assert x1 - x0 >= 10  # whole steps, not 0.2, 0.4 …
    assert y1 - y0 >= 1 - 1e-9  # at least one decade: labels at powers of ten
    assert any(abs(v - round(v)) < 1e-9 for v in np.arange(math.ceil(y0), y1 + 1e-9))


@pytest.mark.parametrize("key", ["rosenbrock", "narrow_valley", "saddle"])
def test_the_colour_bar_labels_loss_values_where_the_map_uses_those_colours(qtbot, key):
    surface = get_surface(key)
    xs, ys, z = surface.grid(100, 100)
    scale = value_scale(surface, z)
    bar = ColorBar()
    qtbot.addWidget(bar)
    bar.set_scale(scale)
    bar.resize(bar.sizeHint().width(), 420)
    bar.show()
    ticks = bar.ticks()
    assert len(ticks) >= 3
    for u, text in ticks:  # each label's value maps to its own place on the bar
        assert float(scale(_read_label(text))) == pytest.approx(u, abs=1e-6), text
    us = [u for u, _ in ticks]
    assert us == sorted(us)
    line = bar.fontMetrics().height()
    height = bar.bar_rect().height()
    assert all((b - a) * height >= line for a, b in zip(us, us[1:]))  # labels never overlap
    if surface.log_color:  # a log scale: one tick per decade above the minimum
        values = [scale.inverse(u) - scale.lo for u, _ in ticks[1:]]
        assert all(abs(math.log10(v) - round(math.log10(v))) < 1e-6 for v in values)


_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def _read_label(text: str) -> float:
    """A tick label's value: "−0.5", "1000", "10⁻⁴", "2.5×10⁻⁴"."""
    text = text.replace("−", "-")
    mantissa, times, power = text.partition("×")
    if times:
        return float(mantissa) * 10.0 ** float(power[2:].translate(_SUPERSCRIPT))
    if text.startswith("10") and len(text) > 2 and text[2] in "⁻⁰¹²³⁴⁵⁶⁷⁸⁹":
        return 10.0 ** float(text[2:].translate(_SUPERSCRIPT))
    return float(text)


def test_the_leaderboard_floats_over_the_run_table_or_gradient_plot_and_the_update_rule_stays_in_sight(window, qtbot):
    """At a race's end the lecturer points at the paths: the leaderboard appears over the
    plots' bottom-right corner instead of hiding the update rule behind its tab (and widening
    that column by the table's width)."""
    board, rule = window.leaderboard, window.classroom.equations_dock
    views = window._views_splitter.width()
    window.controller.sim.run()
    window.controller.advanced.emit()
    qtbot.wait(50)
    assert board.isVisible() and board.isFloating()
    assert rule.isVisible() and not rule.visibleRegion().isEmpty()  # not behind a tab
    assert board not in window.tabifiedDockWidgets(rule)
    assert abs(window._views_splitter.width() - views) <= 2
    # Down among the plots, over none of the map, the 3D view, the data plot and the legend.
    frame = board.frameGeometry()
    plots = window.grad_plot.mapToGlobal(window.grad_plot.rect().bottomRight())
    assert 0 <= plots.y() - frame.bottom() <= 12
    from optviz.app.window import audit

    assert audit.leaderboard_covers(window) == []
    # A short card: the criterion beside the tolerance, the ranking rule in the tooltip.
    assert board.note.text().startswith("Race finished") and "Ranked by" not in board.note.text()
    assert "Settled runs first" in board.note.toolTip()
    assert board.criterion.text().startswith("J − J* ≤")


def test_the_window_opens_sized_to_the_screen_with_the_update_rule_as_wide_as_it_needs(window):
    screen = window.screen().availableGeometry()
    assert (window.width(), window.height()) == (screen.width(), screen.height())
    dock = window.classroom.equations_dock
    assert dock.isVisible()
    assert dock.width() <= window.classroom.equations.preferred_width() + 12
    assert all(isinstance(d, QDockWidget) for d in (dock, window.side_dock))
