"""Presentation mode, the projector theme, the compact strip, the classroom keys and the
shortcut overlay (optviz.app.classroom.presentation, optviz.app.classroom.shortcuts), on the real main window
(offscreen, no GL). Keys are sent as key events to the window or to the focused widget."""

import json

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from optviz.app.window.main_window import VIEW_SETTINGS_KEY, MainWindow
from optviz.app.window.model import LR_MAX, LR_MIN, RaceModel
from optviz.app.window.saved_form import model_from_scenario, model_to_scenario
from optviz.app.window.view_prefs import VIEW_FIELDS, display_color, view_from_dict, view_to_dict
from optviz.core.scenario import dump_scenario
from optviz.app.classroom.keys import LR_FACTOR
from optviz.app.window.ui_scale import scale_widget_fonts
from optviz.app.classroom.shortcuts import key_text
from optviz.app.panels.widgets import round_significant
from optviz.core.optimizers import OPTIMIZERS

NO = Qt.KeyboardModifier.NoModifier


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
    w.activateWindow()
    return w


def press(qtbot, window, key, modifier=NO):
    """A key as the user types it: to the focused widget (the window if none)."""
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifier)


# ------------------------------------------------------------------------------ the model


def test_model_view_fields_are_validated():
    m = RaceModel()
    assert (m.view.presentation, m.view.theme, m.view.ui_scale, m.view.panels_collapsed) == (False, "normal", 1.75, False)
    assert m.view.show_3d and m.view.show_contour and m.view.show_equations
    assert not (m.view.overlay_gradient or m.view.overlay_momentum or m.view.overlay_step_size or m.view.overlay_field)
    with pytest.raises(ValueError, match="theme must be one of normal, projector"):
        m.view.theme = "dark"
    with pytest.raises(ValueError, match=r"presentation scale must be in \[1, 3\], got 3.5"):
        m.view.ui_scale = 3.5
    with pytest.raises(ValueError, match="true or false"):
        m.view.overlay_field = "yes"
    with pytest.raises(ValueError, match="there is no run 5"):
        m.selected = 4
    m.view.show_3d = False
    with pytest.raises(ValueError, match="at least one view must stay visible"):
        m.view.show_contour = False
    assert m.view.show_contour and not m.view.show_3d and m.view.theme == "normal" and m.view.ui_scale == 1.75
    other = RaceModel()
    other.view.show_contour = False
    with pytest.raises(ValueError, match="show the contour map before hiding the 3D view"):
        other.view.show_3d = False
    assert other.view.show_3d
    m.view.ui_scale = 2.5
    assert m.view.scale == 1.0  # only presentation mode scales
    m.view.presentation = True
    assert m.view.scale == 2.5


def test_view_preferences_round_trip_and_tolerate_old_or_bad_settings():
    m = RaceModel()
    m.view.theme, m.view.ui_scale, m.view.show_contour, m.view.overlay_momentum = "projector", 2.25, False, True
    data = json.loads(json.dumps(view_to_dict(m.view)))
    assert set(data) == set(VIEW_FIELDS) and "presentation" not in data
    fresh = RaceModel()
    assert view_from_dict(fresh.view, data) == []
    assert view_to_dict(fresh.view) == view_to_dict(m.view)
    old = RaceModel()
    assert view_from_dict(old.view, {}) == []  # an old settings file: the defaults stay
    assert view_to_dict(old.view) == view_to_dict(RaceModel().view)
    problems = view_from_dict(old.view, {"theme": "neon", "ui_scale": 9, "show_3d": False, "show_contour": False,
                                         "overlay_field": True})
    assert len(problems) == 3 and old.view.theme == "normal" and old.view.overlay_field and old.view.show_3d != old.view.show_contour
    # The scenario (the race's saved form) does not carry the user's theme or scale.
    text = dump_scenario(model_to_scenario(m, "t"))
    assert '"theme"' not in text and '"ui_scale"' not in text and "projector" not in text
    assert model_from_scenario(model_to_scenario(m, "t")).view.theme == "normal"


def test_projector_theme_darkens_only_colours_too_light_for_white():
    assert display_color("#F0E442", "projector") != "#F0E442"  # a yellow at 1.3:1 on white
    assert display_color("#f0e442", "projector") != "#f0e442"
    assert display_color("#F0E442", "normal") == "#F0E442"
    assert display_color("#0072B2", "projector") == "#0072B2"
    # The runs' own colours are chosen for a white screen: the projector shows them as they are.
    m = RaceModel(optimizers=tuple(OPTIMIZERS) * 2)
    assert all(display_color(r.color, "projector") == r.color for r in m.runs)


def test_view_preferences_survive_a_restart(qtbot, settings):
    first = MainWindow(restore=True, enable_3d=False, settings=settings)
    qtbot.addWidget(first)
    first.model.view.theme = "projector"
    first.model.view.ui_scale = 2.0
    first.model.view.overlay_gradient = True
    first.model.view.show_equations = False
    first.model.view.presentation = True
    first.close()  # leaves presentation mode before saving
    assert not first.model.view.presentation
    saved = json.loads(settings.value(VIEW_SETTINGS_KEY))
    assert saved["theme"] == "projector" and saved["ui_scale"] == 2.0
    second = MainWindow(restore=True, enable_3d=False, settings=settings)
    qtbot.addWidget(second)
    m = second.model
    assert (m.view.theme, m.view.ui_scale, m.view.overlay_gradient, m.view.show_equations, m.view.presentation) == (
        "projector", 2.0, True, False, False)
    assert second.classroom.actions["theme"].isChecked()
    assert not second.classroom.equations_dock.isVisibleTo(second)


# ------------------------------------------------------------------------------ presentation mode


def _look(w):
    """Sizes and colours that presentation mode changes, to compare before and after."""
    contour = w.contour
    axis = contour.getPlotItem().getAxis("left")
    run = contour._runs[0]
    editor = w.panel.editors[0]
    return {
        "tick_font": axis.style["tickFont"].pointSizeF(),
        "axis_pen": (axis.pen().widthF(), axis.pen().color().name()),
        "axis_label": axis.labelStyle.get("font-size"),
        "iso_pen": (contour.isolines.opts["pen"].widthF(), contour.isolines.opts["pen"].color().name(),
                    contour.isolines.opts["pen"].color().alpha()),
        "path_pen": (run.line_pen.widthF(), run.casing_pen.widthF(), contour.paths.casing_opacity),
        "head_size": run.head.opts["size"],
        "legend_text": w.legend.font().pointSizeF(),
        "curve_pen": w.loss_plot._curves[0].opts["pen"].widthF(),
        "loss_tick": w.loss_plot.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF(),
        "data_tick": w.data_plot.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF(),
        "readouts": (w.readouts.font().pointSizeF(), w.readouts._mono.pointSizeF(),
                     w.readouts.verticalHeader().defaultSectionSize()),
        "panel": (editor.font().pointSizeF(), editor.title_edit.font().pointSizeF(),
                  w.preset_picker.caption.font().pointSizeF()),
        "toolbar": (w.playback.font().pointSizeF(), w.playback.iconSize().height()),
        "status": w.statusBar().font().pointSizeF(),
        "equations": w.classroom.equations.font().pointSizeF(),
        "styles": [s.color for s in w.controller.styles()],
    }


def test_presentation_scales_everything_and_leaving_restores_the_normal_look(window, qtbot):
    m = window.model
    m.add_run("sgd")
    m.runs[-1].color = "#F0E442"  # Okabe–Ito's yellow: the projector theme darkens it
    docks = (window.side_dock.minimumSize(), window.side_dock.width())
    before = _look(window)
    press(qtbot, window, Qt.Key.Key_F5)
    assert m.view.presentation and m.view.theme == "projector" and m.view.panels_collapsed
    assert window.isFullScreen()
    during = _look(window)
    s = m.view.scale  # ui_scale × the screen's display factor (1 on a 1080-line screen)
    assert s == pytest.approx(m.view.ui_scale * window.display_factor())
    assert during["tick_font"] == pytest.approx(before["tick_font"] * s)
    assert during["axis_pen"][1] == "#000000" and during["axis_pen"][0] > before["axis_pen"][0] * s * 0.99
    assert during["iso_pen"][2] > before["iso_pen"][2]  # darker iso-lines
    assert during["path_pen"][0] >= before["path_pen"][0] * s and during["path_pen"][2] > before["path_pen"][2]
    assert during["head_size"] >= before["head_size"] * s
    assert during["curve_pen"] >= before["curve_pen"] * s
    assert during["loss_tick"] == pytest.approx(before["loss_tick"] * s)
    assert during["data_tick"] == pytest.approx(before["data_tick"] * s)
    assert during["readouts"][0] == pytest.approx(before["readouts"][0] * s)
    assert during["readouts"][2] == round(before["readouts"][2] * s)  # taller rows
    assert during["panel"][0] == pytest.approx(before["panel"][0] * s)
    assert during["toolbar"][0] == pytest.approx(before["toolbar"][0] * s)
    assert during["equations"] == pytest.approx(before["equations"] * s)
    assert during["styles"][-1] == display_color("#F0E442", "projector") != "#F0E442"
    assert not window.side_dock.isVisible() and window.classroom.strip.isVisible()
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not m.view.presentation and m.view.theme == "normal" and not m.view.panels_collapsed
    assert not window.isFullScreen()
    assert _look(window) == before  # exactly: every size and colour back
    assert window.side_dock.isVisible() and not window.classroom.strip.isVisible()
    # Docks as they were (Qt raises a dock's minimum when its font grows; it must come down),
    # once the window has its old size back (the layout settles in the event loop).
    qtbot.wait(50)
    assert (window.side_dock.minimumSize(), window.side_dock.width()) == docks


def test_presentation_restores_the_theme_and_panels_chosen_before(window, qtbot):
    m = window.model
    m.view.theme = "projector"  # the user prefers it even in normal mode
    m.view.panels_collapsed = True
    m.view.presentation = True
    m.view.theme = "normal"  # switched during the lecture
    m.view.presentation = False
    assert m.view.theme == "projector" and m.view.panels_collapsed


def test_widgets_built_during_presentation_return_to_normal_size(window, qtbot):
    m = window.model
    normal = window.panel.editors[0].font().pointSizeF()
    m.view.presentation = True
    m.view.panels_collapsed = False  # the lecturer opens the panel and adds a run
    m.add_run("adagrad")
    new = window.panel.editors[-1]
    assert new.font().pointSizeF() == pytest.approx(normal * m.view.scale)
    m.view.presentation = False
    assert window.panel.editors[-1].font().pointSizeF() == pytest.approx(normal)
    assert window.panel.editors[-1].title_edit.font().pointSizeF() == pytest.approx(
        window.panel.editors[0].title_edit.font().pointSizeF())


def test_font_scaling_helper_remembers_design_sizes(qtbot):
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    a = QLabel("a")
    font = a.font()
    font.setPointSizeF(13.0)
    a.setFont(font)
    layout.addWidget(a)
    scale_widget_fonts(root, 2.0)
    assert a.font().pointSizeF() == 26.0
    b = QLabel("b", root)  # made while scaled: inherits the scaled font
    layout.addWidget(b)
    scale_widget_fonts(root, 1.5)
    assert a.font().pointSizeF() == pytest.approx(19.5)
    assert b.font().pointSizeF() == pytest.approx(root.property("optviz_base_point_size") * 1.5)
    scale_widget_fonts(root, 1.0)
    assert a.font().pointSizeF() == 13.0


def test_ui_scale_keys_change_the_presentation_size(window, qtbot):
    m = window.model
    m.view.presentation = True
    tick = window.contour.getPlotItem().getAxis("left").style["tickFont"].pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert m.view.ui_scale == 2.0
    assert window.contour.getPlotItem().getAxis("left").style["tickFont"].pointSizeF() == pytest.approx(
        tick / 1.75 * 2.0)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert m.view.ui_scale == 1.5
    for _ in range(5):
        qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert m.view.ui_scale == 1.0 and "smallest" in window.statusBar().currentMessage()


def test_theme_toggle_key_and_action_bind_both_ways(window, qtbot):
    m, action = window.model, window.classroom.actions["theme"]
    press(qtbot, window, Qt.Key.Key_T)
    assert m.view.theme == "projector" and action.isChecked()
    assert window.contour.getPlotItem().getAxis("left").pen().color().name() == "#000000"
    assert window.contour.look()[1] == 1.0  # the theme alone does not scale
    m.view.theme = "normal"
    assert not action.isChecked()
    action.trigger()
    assert m.view.theme == "projector"


def test_collapsing_panels_leaves_views_legend_and_strip(window, qtbot):
    m = window.model
    press(qtbot, window, Qt.Key.Key_H)
    assert m.view.panels_collapsed
    assert not window.side_dock.isVisible() and not window.readouts.isVisible()
    assert window.contour.isVisible() and window.legend.isVisible()
    strip = window.classroom.strip
    assert strip.isVisible()
    text = strip.text()
    run = m.runs[m.selected]
    assert run.title in text and "α = <b>0.072</b>" in text  # the launch race's GD
    m.preset = "logreg_bce"  # a dataset: its plot keeps the column under the readouts
    assert window.data_plot.isVisibleTo(window)
    m.view.panels_collapsed = False
    assert window.side_dock.isVisible() and window.readouts.isVisible() and not strip.isVisible()


# ------------------------------------------------------------------------------ keys


def test_up_and_down_change_the_selected_runs_learning_rate_and_clamp(window, qtbot):
    m = window.model
    m.selected = 2
    run = m.runs[2]
    lr = run.learning_rate
    press(qtbot, window, Qt.Key.Key_Up)
    assert run.learning_rate == round_significant(lr * LR_FACTOR, 3)
    assert "α = " in window.statusBar().currentMessage()
    assert [r.learning_rate for r in m.runs[:2]] == [0.072, 0.072]  # the other runs keep theirs
    press(qtbot, window, Qt.Key.Key_Down)
    assert run.learning_rate == pytest.approx(lr, rel=2e-3)
    press(qtbot, window, Qt.Key.Key_Plus)
    press(qtbot, window, Qt.Key.Key_Minus)
    assert run.learning_rate == pytest.approx(lr, rel=5e-3)
    run.learning_rate = 8.0
    press(qtbot, window, Qt.Key.Key_Up)
    assert run.learning_rate == LR_MAX
    press(qtbot, window, Qt.Key.Key_Up)
    assert run.learning_rate == LR_MAX and "largest" in window.statusBar().currentMessage()
    run.learning_rate = 1.2e-5
    press(qtbot, window, Qt.Key.Key_Down)
    press(qtbot, window, Qt.Key.Key_Down)
    assert run.learning_rate == LR_MIN and "smallest" in window.statusBar().currentMessage()


def test_a_focused_slider_keeps_its_arrow_keys_outside_presentation(window, qtbot):
    m = window.model
    slider = window.panel.editors[1].hyper_widgets["beta"].slider
    slider.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is slider)
    lr = m.runs[m.selected].learning_rate
    qtbot.keyClick(slider, Qt.Key.Key_Down)
    assert m.runs[1].hyper["beta"] < 0.9  # the slider stepped
    assert m.runs[m.selected].learning_rate == lr  # α did not
    qtbot.keyClick(slider, Qt.Key.Key_G)  # other keys still reach the window
    assert m.view.overlay_gradient


def test_preset_keys_cycle_in_picker_order(window, qtbot):
    m = window.model
    keys = window.preset_picker.keys()
    i = keys.index(m.preset)
    press(qtbot, window, Qt.Key.Key_P)
    assert m.preset == keys[i + 1]
    assert window.controller.surface.title in window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, window, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
    assert m.preset == keys[i - 1]
    m.preset = keys[-1]
    press(qtbot, window, Qt.Key.Key_P)
    assert m.preset == keys[0]  # wraps around


def test_number_keys_and_tab_select_runs(window, qtbot):
    m = window.model
    press(qtbot, window, Qt.Key.Key_3)
    assert m.selected == 2 and "RMSProp" in window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_7)
    assert m.selected == 2 and "no run 7" in window.statusBar().currentMessage()
    assert not window.classroom.actions["next_run"].isEnabled()  # Tab moves the focus normally
    m.view.presentation = True
    m.add_run("adam")
    press(qtbot, window, Qt.Key.Key_Tab)
    assert m.selected == 3
    press(qtbot, window, Qt.Key.Key_Tab)
    assert m.selected == 0
    press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert m.selected == 3


def test_view_toggles_keep_at_least_one_view(window, qtbot):
    m = window.model
    ctrl = Qt.KeyboardModifier.ControlModifier
    note = window._3d_placeholder  # no GL offscreen: the note stands in for the 3D view
    qtbot.keyClick(window, Qt.Key.Key_3, ctrl)
    assert not m.view.show_3d and not note.isVisible() and not window.classroom.actions["show_3d"].isChecked()
    qtbot.keyClick(window, Qt.Key.Key_2, ctrl)
    assert m.view.show_contour and window.contour.isVisible()  # refused
    assert window.classroom.actions["show_contour"].isChecked()
    assert "at least one view must stay visible" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_3, ctrl)
    qtbot.keyClick(window, Qt.Key.Key_2, ctrl)
    assert m.view.show_3d and not m.view.show_contour and not window.contour.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_3, ctrl)  # the last view stays
    assert m.view.show_3d and note.isVisible() and window.classroom.actions["show_3d"].isChecked()
    m.view.show_contour = True
    assert window.contour.isVisible() and window.classroom.actions["show_contour"].isChecked()


def test_overlay_and_equation_keys_toggle_model_fields(window, qtbot):
    m = window.model
    for key, field in ((Qt.Key.Key_G, "overlay_gradient"), (Qt.Key.Key_M, "overlay_momentum"),
                       (Qt.Key.Key_A, "overlay_step_size"), (Qt.Key.Key_V, "overlay_field")):
        press(qtbot, window, key)
        assert getattr(m.view, field) and window.classroom.actions[field].isChecked()
        setattr(m.view, field, False)
        assert not window.classroom.actions[field].isChecked()
    press(qtbot, window, Qt.Key.Key_E)
    assert not m.view.show_equations and not window.classroom.equations_dock.isVisible()
    press(qtbot, window, Qt.Key.Key_E)
    assert m.view.show_equations and window.classroom.equations_dock.isVisible()


def test_existing_keys_still_drive_the_race(window, qtbot):
    sim = window.controller.sim
    assert QApplication.focusWidget() is window.contour  # keys work from the start
    press(qtbot, window, Qt.Key.Key_Right)
    assert (sim.steps == 1).all()
    press(qtbot, window, Qt.Key.Key_L)
    assert not window.model.view.log_loss
    window.model.view.presentation = True
    press(qtbot, window, Qt.Key.Key_Right)
    assert (window.controller.sim.steps == 2).all()
    press(qtbot, window, Qt.Key.Key_R)
    assert (window.controller.sim.steps == 0).all()
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.model.playback.playing
    press(qtbot, window, Qt.Key.Key_Space)
    assert not window.model.playback.playing


# ------------------------------------------------------------------------------ the shortcut overlay


def test_f1_and_question_mark_show_every_key_and_any_key_closes(window, qtbot):
    overlay = window.classroom.overlay
    press(qtbot, window, Qt.Key.Key_F1)
    assert overlay.isVisible()
    text = overlay.text()
    for keys in ("Space", "→", "F5", "Esc", "P / Shift+P", "↑ / + / =", "↓ / -", "Ctrl+2", "Ctrl+3",
                 "<b>G</b>", "<b>M</b>", "<b>A</b>", "<b>V</b>", "<b>T</b>", "<b>H</b>", "<b>E</b>",
                 "F1 / ?", "1 … 8"):
        assert keys in text, keys
    # Every shortcut of every window action is listed.
    for action in window.findChildren(type(window.classroom.actions["theme"])):
        if action.objectName().startswith("select_run_"):
            continue  # listed together as "1 … 8"
        for seq in action.shortcuts():
            name = seq.toString()
            if name and name not in ("Backtab", "Ctrl++", "Shift+Tab"):  # listed as Shift+Tab, Ctrl+=
                assert key_text(seq) in text, (action.text(), name)
    press(qtbot, window, Qt.Key.Key_Space)  # closes, and does not start the race
    assert not overlay.isVisible() and not window.model.playback.playing
    press(qtbot, window, Qt.Key.Key_Question)
    assert overlay.isVisible()
    qtbot.mouseClick(overlay, Qt.MouseButton.LeftButton)
    assert not overlay.isVisible()
    window.actions_by_name["keys"].trigger()  # Help → Keyboard shortcuts
    assert overlay.isVisible()
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not overlay.isVisible()


def test_overlay_text_is_large_in_presentation_and_fits_the_window(window, qtbot):
    window.show_shortcuts()
    normal = window.classroom.overlay.point_size
    window.classroom.overlay.close_overlay()
    window.model.view.presentation = True
    # A projector's screen: the offscreen platform's own screen is 800×800.
    window.setGeometry(0, 0, 1920, 1080)
    window.show_shortcuts()
    overlay = window.classroom.overlay
    assert overlay.point_size > normal
    panel = overlay.panel.geometry()
    assert overlay.rect().contains(panel)
    press(qtbot, window, Qt.Key.Key_Escape)  # closes the overlay only
    assert not overlay.isVisible() and window.model.view.presentation
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.model.view.presentation


def test_entering_presentation_gives_the_keys_to_the_race(window, qtbot):
    spin = window.panel.editors[0].hyper_widgets["learning_rate"].spin
    spin.setFocus()
    window.model.view.presentation = True
    assert QApplication.focusWidget() is window.contour
    run = window.model.runs[window.model.selected]
    lr = run.learning_rate
    press(qtbot, window, Qt.Key.Key_Up)
    assert run.learning_rate == round_significant(lr * LR_FACTOR, 3)


def test_strip_follows_the_selected_run_and_its_step(window, qtbot):
    m = window.model
    m.add_run("adam")
    m.view.panels_collapsed = True
    strip = window.classroom.strip
    m.selected = 3
    assert "Adam" in strip.text() and "ρ<sub>1</sub>" in strip.text()
    window.controller.sim.step(12)
    window.controller.advanced.emit()
    assert "t = <b>12</b>" in strip.text()
    lr = m.runs[3].learning_rate
    strip.raise_.click()
    assert m.runs[3].learning_rate > lr
    assert f"α = <b>{m.runs[3].learning_rate:g}</b>" in strip.text()
    strip.lower.click()
    assert m.runs[3].learning_rate == pytest.approx(lr, rel=2e-3)
    np.testing.assert_equal(m.selected, 3)
