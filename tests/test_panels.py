"""Side-panel widgets: both binding directions (widget → model, model → widget), no echoes,
and refused input reported instead of crashing or silently clamping."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QCheckBox, QStyle  # noqa: E402

from optviz.app.window.model import LR_MAX, LR_MIN, RaceModel  # noqa: E402
from optviz.core.limits import STEPS_PER_FRAME_MAX  # noqa: E402
from optviz.app.panels.optimizer_panel import OptimizerPanel  # noqa: E402
from optviz.app.panels.run_editor import RunEditor  # noqa: E402
from optviz.app.panels.playback import PlaybackBar  # noqa: E402
from optviz.app.panels.preset_picker import GROUPS, PresetPicker  # noqa: E402
from optviz.app.panels.widgets import ColorSwatch, LinearSlider, LogSlider, format_value  # noqa: E402
from optviz.core.optimizers import OPTIMIZERS  # noqa: E402
from optviz.core import get_surface  # noqa: E402

# ---------------------------------------------------------------------------------- helpers


def type_into(qtbot, spin, text: str) -> None:
    """Replace a spin box's text and confirm it with Enter, as a user would."""
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


class Recorder:
    """Counts a model's events: ``rec.count("hyper")``, ``rec.values("hyper")``."""

    def __init__(self, events, *names: str) -> None:
        self.seen: list[tuple[str, object]] = []
        for name in names:
            events.connect(name, lambda value, name=name: self.seen.append((name, value)))

    def count(self, name: str) -> int:
        return sum(1 for n, _ in self.seen if n == name)


def symbol_name(editor: RunEditor, symbol: str) -> str:
    """The hyperparameter whose row label starts with ``symbol`` (e.g. "β")."""
    for name, label in editor.row_labels.items():
        if name in editor.hyper_widgets and label.text().startswith(symbol):
            return name
    raise AssertionError(f"no row for {symbol} in {[lab.text() for lab in editor.row_labels.values()]}")


@pytest.fixture
def model():
    return RaceModel("narrow_valley", optimizers=("gd", "momentum", "rmsprop", "adam"))


@pytest.fixture
def panel(qtbot, model):
    widget = OptimizerPanel(model)
    widget.set_sample_count(64)
    qtbot.addWidget(widget)
    widget.resize(360, 900)
    widget.show()
    return widget


# ---------------------------------------------------------------------------------- widgets


def test_compact_number_formatting():
    assert [format_value(v) for v in (1e-5, 0.003, 0.1, 2.5, 10.0, 1e-12)] == \
        ["1e-05", "0.003", "0.1", "2.5", "10", "1e-12"]


def test_log_slider_spin_box_shows_compact_text_and_accepts_both_notations(qtbot):
    s = LogSlider(1e-5, 10.0, 0.003, name="learning rate")
    qtbot.addWidget(s)
    assert s.spin.text() == "0.003"
    seen = []
    s.valueChanged.connect(seen.append)
    type_into(qtbot, s.spin, "1e-4")
    assert s.value() == pytest.approx(1e-4) and s.spin.text() == "0.0001"
    type_into(qtbot, s.spin, "2.5")
    assert s.value() == 2.5 and s.spin.text() == "2.5"
    assert seen == [pytest.approx(1e-4), 2.5]
    # log-uniform mapping over six decades: the middle is 1e-2, a quarter of the way 10**-3.5
    s.slider.setValue(500)
    assert s.value() == pytest.approx(0.01)
    s.slider.setValue(250)
    assert s.value() == pytest.approx(0.000316)  # rounded to 3 significant digits
    assert s.spin.text() == "0.000316"
    assert seen[-2:] == [pytest.approx(0.01), pytest.approx(0.000316)]


def test_log_slider_set_value_does_not_emit_and_rejects_out_of_range(qtbot):
    s = LogSlider(1e-5, 10.0, 0.1, name="learning rate")
    qtbot.addWidget(s)
    changed, rejected = [], []
    s.valueChanged.connect(changed.append)
    s.rejected.connect(rejected.append)
    s.setValue(0.5)
    assert changed == [] and s.spin.text() == "0.5"
    type_into(qtbot, s.spin, "50")
    assert rejected == ["learning rate must be in [1e-05, 10], got 50"]
    assert changed == [] and s.value() == 0.5 and s.spin.text() == "0.5"
    assert "must be in" in s.spin.toolTip()
    type_into(qtbot, s.spin, "abc")  # not a number: the validator refuses the characters
    assert s.value() == 0.5 and changed == []


def test_spin_arrow_keys_step_through_nice_values_and_stay_in_range(qtbot):
    s = LogSlider(1e-5, 10.0, 0.1, name="learning rate")
    qtbot.addWidget(s)
    s.spin.stepBy(1)
    assert s.value() == 0.2
    s.spin.stepBy(-2)
    assert s.value() == pytest.approx(0.05)
    s.setValue(10.0)
    s.spin.stepBy(1)
    assert s.value() == 10.0


def test_linear_slider_four_decimals(qtbot):
    s = LinearSlider(0.0, 0.9999, 0.9, name="β")
    qtbot.addWidget(s)
    assert s.spin.text() == "0.9000"
    seen = []
    s.valueChanged.connect(seen.append)
    s.slider.setValue(s.slider.maximum())
    assert seen == [0.9999] and s.spin.text() == "0.9999"
    rejected = []
    s.rejected.connect(rejected.append)
    type_into(qtbot, s.spin, "1.5")
    assert rejected and "β must be in [0, 0.9999], got 1.5" == rejected[0]
    assert s.value() == 0.9999


def test_color_swatch(qtbot):
    w = ColorSwatch("#E69F00")
    qtbot.addWidget(w)
    assert w.color() == "#e69f00"
    w.setColor("#0072B2")
    assert w.color() == "#0072b2"
    assert not w.grab().isNull()


# ---------------------------------------------------------------------------------- learning rate α


def test_alpha_slider_moves_spin_and_model(panel, model):
    editor = panel.editors[0]
    alpha = editor.hyper_widgets["learning_rate"]
    assert editor.row_labels["learning_rate"].text() == "α (learning rate)"
    alpha.slider.setValue(alpha.slider.maximum())
    assert model.runs[0].learning_rate == LR_MAX
    assert alpha.spin.text() == "10"
    alpha.slider.setValue(0)
    assert model.runs[0].learning_rate == LR_MIN and alpha.spin.text() == "1e-05"


def test_alpha_typed_moves_slider_and_model(qtbot, panel, model):
    alpha = panel.editors[1].hyper_widgets["learning_rate"]
    type_into(qtbot, alpha.spin, "1e-3")
    assert model.runs[1].learning_rate == pytest.approx(1e-3)
    assert alpha.slider.value() == alpha._to_position(1e-3) == 333  # log-uniform: 1e-3 is 1/3 of 1e-5..10
    type_into(qtbot, alpha.spin, "0.25")
    assert model.runs[1].learning_rate == 0.25


def test_model_alpha_updates_both_widgets_without_echo(panel, model):
    run = model.runs[2]
    alpha = panel.editors[2].hyper_widgets["learning_rate"]
    rec = Recorder(run.events, "hyper")
    emitted = []
    alpha.valueChanged.connect(emitted.append)
    run.learning_rate = 0.1
    assert alpha.spin.text() == "0.1"
    assert alpha.slider.value() == alpha._to_position(0.1)
    assert alpha.value() == 0.1
    assert rec.count("hyper") == 1  # only the model's own change, nothing echoed back
    assert emitted == []


def test_out_of_range_alpha_is_rejected_with_a_message(qtbot, panel, model):
    before = model.runs[0].learning_rate
    alpha = panel.editors[0].hyper_widgets["learning_rate"]
    rec = Recorder(model.runs[0].events, "hyper")
    with qtbot.waitSignal(panel.message, timeout=1000) as blocker:
        type_into(qtbot, alpha.spin, "50")
    assert blocker.args == ["learning rate must be in [1e-05, 10], got 50"]
    assert model.runs[0].learning_rate == before
    assert alpha.spin.text() == format_value(before)
    assert rec.count("hyper") == 0


# ---------------------------------------------------------------------------------- β, ρ, ε


def test_rows_follow_the_lecture_notation(panel):
    labels = [[lab.text() for lab in e.row_labels.values()] for e in panel.editors]
    gd, momentum, rmsprop, adam = labels
    assert gd[0] == "α (learning rate)" and not any(t.startswith(("β", "ρ", "ε")) for t in gd)
    assert any(t.startswith("β") for t in momentum)
    assert any(t.startswith("ρ ") or t == "ρ" for t in rmsprop) and "ε" in rmsprop
    assert any(t.startswith("ρ₁") for t in adam) and any(t.startswith("ρ₂") for t in adam) and "ε" in adam
    for rows in labels:
        assert "B (batch size)" in rows and "α schedule" in rows


def test_beta_slider_both_ways(panel, model):
    editor = panel.editors[1]
    name = symbol_name(editor, "β")
    beta = editor.hyper_widgets[name]
    assert isinstance(beta, LinearSlider)
    beta.slider.setValue(beta._to_position(0.5))
    assert model.runs[1].hyper[name] == 0.5
    assert beta.spin.text() == "0.5000"
    rec = Recorder(model.runs[1].events, "hyper")
    model.runs[1].set_hyper(name, 0.99)
    assert beta.spin.text() == "0.9900" and beta.slider.value() == beta._to_position(0.99)
    assert rec.count("hyper") == 1


def test_adam_rho2_and_eps_both_ways(qtbot, panel, model):
    editor = panel.editors[3]
    rho2, eps = symbol_name(editor, "ρ₂"), symbol_name(editor, "ε")
    type_into(qtbot, editor.hyper_widgets[rho2].spin, "0.99")
    assert model.runs[3].hyper[rho2] == 0.99
    type_into(qtbot, editor.hyper_widgets[eps].spin, "1e-6")
    assert model.runs[3].hyper[eps] == pytest.approx(1e-6)
    model.runs[3].set_hyper(eps, 1e-10)
    assert editor.hyper_widgets[eps].spin.text() == "1e-10"


# ---------------------------------------------------------------------------------- batch size B


def test_batch_size_both_ways(qtbot, model):
    model.add_run("minibatch")
    widget = OptimizerPanel(model)
    qtbot.addWidget(widget)
    widget.set_sample_count(64)
    editor = widget.editors[4]
    assert editor.batch_spin is not None
    default = OPTIMIZERS["minibatch"].default_batch_size
    assert editor.batch_spin.value() == min(default or 64, 64)
    type_into(qtbot, editor.batch_spin, "8")
    assert model.runs[4].batch_size == 8
    model.runs[4].batch_size = 32
    assert editor.batch_spin.value() == 32
    messages = []
    widget.message.connect(messages.append)
    type_into(qtbot, editor.batch_spin, "500")
    assert messages == ["batch size must be in [1, 64], got 500"]
    assert model.runs[4].batch_size == 32 and editor.batch_spin.value() == 32
    widget.set_sample_count(20)  # a smaller dataset: B is capped at n
    assert editor.batch_spin.value() == 20 and editor.batch_spin.bounds == (1, 20)


def test_batch_text_for_gd_and_sgd_and_full_batch_default_for_momentum(qtbot, model):
    model.add_run("sgd")
    widget = OptimizerPanel(model)
    qtbot.addWidget(widget)
    widget.set_sample_count(40)
    gd, momentum, sgd = widget.editors[0], widget.editors[1], widget.editors[4]
    assert gd.batch_spin is None and gd.batch_label.text() == "B = n = 40 (full batch)"
    assert sgd.batch_spin is None and sgd.batch_label.text().startswith("B = 1")
    assert momentum.batch_spin.value() == 40  # the heavy ball defaults to the full batch


# ---------------------------------------------------------------------------------- schedule


def test_schedule_combo_both_ways(qtbot, panel, model):
    editor = panel.editors[0]
    combo = editor.schedule_combo
    titles = [combo.itemText(i) for i in range(combo.count())]
    assert titles[:5] == ["constant", "step decay", "exponential", "1/t", "cosine"]
    assert editor.schedule_params_box.isHidden()
    combo.setCurrentIndex(combo.findData("step"))
    assert model.runs[0].schedule == "step"
    assert not editor.schedule_params_box.isHidden() and editor.schedule_widgets
    # a parameter of the schedule: edit it through its spin box
    name, spin = next(iter(editor.schedule_widgets.items()))
    new = 0.25 if name == "gamma" else 7
    type_into(qtbot, spin, str(new))
    assert model.runs[0].schedule_params[name] == pytest.approx(new)
    # model → widget
    model.runs[0].schedule = "exponential"
    assert combo.currentData() == "exponential" and combo.currentText() == "exponential"
    model.runs[0].schedule, model.runs[0].schedule_params = "constant", {}
    assert combo.currentText() == "constant" and editor.schedule_params_box.isHidden()


def test_each_schedule_shows_only_its_parameters(panel, model):
    editor = panel.editors[1]
    shown = {}
    for i in range(editor.schedule_combo.count()):
        editor.schedule_combo.setCurrentIndex(i)
        kind = editor.schedule_combo.currentData()
        assert model.runs[1].schedule == kind
        shown[kind] = set(editor.schedule_widgets)
    assert shown["constant"] == set()
    assert all(shown[k] for k in ("step", "exponential", "inverse_time", "cosine"))
    assert shown["step"] != shown["cosine"]


def test_refused_schedule_values_keep_the_model_consistent(qtbot, panel, model):
    editor = panel.editors[0]
    messages = []
    panel.message.connect(messages.append)
    run = model.runs[0]
    run.learning_rate = 0.01
    editor.schedule_combo.setCurrentIndex(editor.schedule_combo.findData("cosine"))
    names = set(editor.schedule_widgets)
    floor = next(n for n in names if "min" in n)
    type_into(qtbot, editor.schedule_widgets[floor], "0.5")  # α_min above α: the core refuses it
    assert messages and floor in messages[-1]
    assert run.schedule_params.get(floor, 0.0) == 0.0
    assert editor.schedule_widgets[floor].value() == 0.0
    type_into(qtbot, editor.schedule_widgets[floor], "0.005")
    assert run.schedule_params[floor] == 0.005
    # lowering α under α_min would break the schedule: refused, α stays
    alpha = editor.hyper_widgets["learning_rate"]
    type_into(qtbot, alpha.spin, "0.001")
    assert run.learning_rate == 0.01 and alpha.spin.text() == "0.01"
    assert floor in messages[-1]


# ---------------------------------------------------------------------------------- the run list


def test_add_the_same_optimizer_twice(panel, model):
    actions = {a.data(): a for a in panel.add_menu.actions()}
    assert set(actions) == set(OPTIMIZERS)
    actions["sgd"].trigger()
    actions["sgd"].trigger()
    assert [r.optimizer for r in model.runs][-2:] == ["sgd", "sgd"]
    assert len(panel.editors) == len(model.runs) == 6
    assert panel.editors[5].run is model.runs[5]
    assert model.runs[4].color != model.runs[5].color
    # Each card's swatch shows its run's look: the second SGD a shade and dash of the first's.
    for editor, run in zip(panel.editors, model.runs):
        assert (editor.swatch.color(), editor.swatch.dash(), editor.swatch.marker()) == (
            run.color.lower(), run.dash, OPTIMIZERS[run.optimizer].marker)
    assert panel.editors[4].swatch.dash() != panel.editors[5].swatch.dash()
    assert model.selected == 5 and panel.editors[5].is_selected()
    # the lecture's learning-rate demo: the two SGD runs differ only in α
    panel.editors[4].hyper_widgets["learning_rate"].setValue(0.01)
    model.runs[5].learning_rate = 0.1
    assert panel.editors[5].hyper_widgets["learning_rate"].spin.text() == "0.1"
    assert model.runs[4].learning_rate != 0.1


def test_remove_a_run(qtbot, panel, model):
    second = model.runs[1]
    qtbot.mouseClick(panel.editors[0].remove_button, Qt.MouseButton.LeftButton)
    assert len(model.runs) == 3 and model.runs[0] is second
    assert [e.run for e in panel.editors] == model.runs
    while len(model.runs) > 1:
        panel.editors[-1].remove_button.click()
    assert len(panel.editors) == 1 and not panel.editors[0].remove_button.isEnabled()


def test_run_events_update_editors_in_place(panel, model):
    editor = panel.editors[1]
    model.runs[1].visible = False
    assert not editor.visible_check.isChecked()
    model.runs[1].color = "#123456"
    assert editor.swatch.color() == "#123456"
    model.runs[1].label = "heavy ball"
    assert editor.title_edit.text() == "heavy ball"
    assert panel.editors[1] is editor  # updated in place, not rebuilt


def test_visible_checkbox_and_title_write_the_model(qtbot, panel, model):
    editor = panel.editors[2]
    editor.visible_check.click()
    assert model.runs[2].visible is False
    editor.title_edit.setText("RMSProp ρ=0.5")
    editor.title_edit.editingFinished.emit()
    assert model.runs[2].label == "RMSProp ρ=0.5"
    editor.title_edit.setText("")
    editor.title_edit.editingFinished.emit()
    assert model.runs[2].label == "" and editor.title_edit.text() == OPTIMIZERS["rmsprop"].title


def test_same_lr_toggle_propagates_one_change_to_all_runs(qtbot, panel, model):
    panel.same_lr_check.click()
    assert model.same_lr is True
    alpha = panel.editors[2].hyper_widgets["learning_rate"]
    type_into(qtbot, alpha.spin, "0.02")
    assert [r.learning_rate for r in model.runs] == [0.02] * 4
    assert [e.hyper_widgets["learning_rate"].spin.text() for e in panel.editors] == ["0.02"] * 4
    model.same_lr = False
    assert not panel.same_lr_check.isChecked()


def test_reset_to_defaults(qtbot, panel, model):
    model.runs[0].learning_rate = 0.5
    model.runs[3].schedule = "cosine"
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    # The preset's own race, the runs its caption describes, with the α each states.
    race = get_surface(model.preset).race
    assert len(model.runs) == len(panel.editors) == len(race)
    for run, editor, entry in zip(model.runs, panel.editors, race):
        assert run.optimizer == entry.optimizer and run.label == entry.label
        assert run.hyper == {**OPTIMIZERS[run.optimizer].defaults, **entry.hyper}
        assert run.schedule == "constant"
        assert editor.hyper_widgets["learning_rate"].value() == run.learning_rate
        assert editor.schedule_combo.currentData() == "constant"


def test_clicking_an_editor_selects_its_run(qtbot, panel, model):
    assert panel.editors[0].is_selected() and not panel.editors[2].is_selected()
    qtbot.mouseClick(panel.editors[2], Qt.MouseButton.LeftButton, pos=QPoint(4, 4))
    assert model.selected == 2
    assert panel.editors[2].is_selected() and not panel.editors[0].is_selected()
    # visibly highlighted: the selected editor is painted with the highlight background
    selected = panel.editors[2].grab().toImage().pixelColor(30, panel.editors[2].height() - 4)
    other = panel.editors[0].grab().toImage().pixelColor(30, panel.editors[0].height() - 4)
    assert selected == RunEditor.SELECTED_BACKGROUND and other != selected
    # a click on a child control selects too
    qtbot.mouseClick(panel.editors[3].title_edit, Qt.MouseButton.LeftButton)
    assert model.selected == 3
    model.selected = 1
    assert [e.is_selected() for e in panel.editors] == [False, True, False, False]


def test_noise_slider_both_ways(qtbot, panel, model):
    model.add_run("sgd")  # σ only shows while some run samples batches (B < n)
    assert model.noise_scale is None
    assert not panel.noise_default_button.isEnabled()
    type_into(qtbot, panel.noise.spin, "0.5")
    assert model.noise_scale == 0.5 and panel.noise_default_button.isEnabled()
    model.noise_scale = 0.2
    assert panel.noise.spin.text() == "0.2"
    panel.noise_default_button.click()
    assert model.noise_scale is None
    panel.set_noise_visible(False)
    assert panel.noise_row.isHidden()
    panel.set_noise_visible(True)
    assert not panel.noise_row.isHidden()


def test_panel_survives_replace_runs(panel, model):
    from optviz.app.window.model import RunModel

    model.replace_runs([RunModel("adam")])
    assert len(panel.editors) == 1 and panel.editors[0].run is model.runs[0]
    assert not panel.editors[0].remove_button.isEnabled()


# ---------------------------------------------------------------------------------- preset picker


@pytest.fixture
def picker(qtbot, model):
    widget = PresetPicker(model)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_preset_picker_groups_and_headers_are_not_selectable(picker):
    combo = picker.combo
    headers = [combo.itemText(i) for i in range(combo.count()) if picker.is_header(i)]
    assert headers[:-1] == [h for h, _ in GROUPS if h in headers] and headers[-1] == "Your own"
    assert headers[:2] == ["Local minima", "Saddle points"]
    assert {"Narrow valleys", "Classic test functions", "Dataset losses"} <= set(headers)
    model_items = combo.model()
    for i in range(combo.count()):
        flags = model_items.flags(model_items.index(i, 0))
        selectable = bool(flags & Qt.ItemFlag.ItemIsSelectable) and bool(flags & Qt.ItemFlag.ItemIsEnabled)
        assert selectable == (not picker.is_header(i))
    # choosing a header (programmatically) leaves the model alone
    before = picker.model.preset
    combo.setCurrentIndex(0)
    assert picker.model.preset == before and picker.current_key() == before


def test_preset_picker_both_ways_and_caption(picker, model):
    from optviz.core.surfaces import get_surface

    picker.combo.setCurrentIndex(picker.index_of("rosenbrock"))
    assert model.preset == "rosenbrock"
    assert picker.caption.text() == get_surface("rosenbrock").caption
    assert picker.combo.currentText() == get_surface("rosenbrock").title
    model.preset = "saddle"
    assert picker.current_key() == "saddle" and picker.caption.text() == get_surface("saddle").caption
    assert picker.caption.wordWrap() and picker.caption.font().pointSizeF() >= 10


def test_condition_number_only_for_the_narrow_valley(qtbot, picker, model):
    assert model.preset == "narrow_valley" and not picker.condition_row.isHidden()
    type_into(qtbot, picker.condition, "100")
    assert model.preset_params == {"condition": 100.0}
    model.preset_params = {"condition": 10.0}
    assert picker.condition.value() == 10.0
    messages = []
    picker.message.connect(messages.append)
    type_into(qtbot, picker.condition, "0.5")
    assert messages and "condition number must be in" in messages[0]
    assert model.preset_params == {"condition": 10.0}
    picker.combo.setCurrentIndex(picker.index_of("bowl"))
    assert model.preset == "bowl" and model.preset_params == {}
    assert picker.condition_row.isHidden()


def test_dataset_surfaces_are_listed(picker):
    keys = picker.keys()
    assert "narrow_valley" in keys and any(k.startswith("linreg") for k in keys)


# ---------------------------------------------------------------------------------- playback


class FakeController:
    def __init__(self, model) -> None:
        self.model = model
        self.calls: list[str] = []

    def toggle_play(self) -> None:
        self.calls.append("toggle")
        self.model.playback.playing = not self.model.playback.playing

    def step_once(self) -> None:
        self.calls.append("step")

    def reset(self) -> None:
        self.calls.append("reset")


@pytest.fixture
def bar(qtbot, model):
    widget = PlaybackBar(model, FakeController(model))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_playback_actions_call_the_controller(bar, model):
    bar.play_action.trigger()
    assert bar.controller.calls == ["toggle"] and model.playback.playing is True
    bar.step_action.trigger()
    bar.reset_action.trigger()
    assert bar.controller.calls == ["toggle", "step", "reset"]


def test_play_button_reflects_playing(bar, model):
    play_icon = bar.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay).pixmap(16).toImage()
    pause_icon = bar.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause).pixmap(16).toImage()
    assert bar.play_action.text() == "Play" and bar.play_action.icon().pixmap(16).toImage() == play_icon
    model.playback.playing = True
    assert bar.play_action.text() == "Pause" and bar.play_action.icon().pixmap(16).toImage() == pause_icon
    model.playback.playing = False
    assert bar.play_action.text() == "Play"


def test_speed_and_log_loss_both_ways(qtbot, bar, model):
    type_into(qtbot, bar.speed, "10")
    assert model.playback.steps_per_frame == 10
    model.playback.steps_per_frame = 25
    assert bar.speed.value() == 25
    messages = []
    bar.message.connect(messages.append)
    type_into(qtbot, bar.speed, str(STEPS_PER_FRAME_MAX + 50))
    assert model.playback.steps_per_frame == 25 and bar.speed.value() == 25
    assert messages and "steps per frame" in messages[0]
    bar.log_check.click()
    assert model.view.log_loss is False
    model.view.log_loss = True
    assert bar.log_check.isChecked()
    assert isinstance(bar.log_check, QCheckBox)


def test_labels_are_readable(panel, picker, bar):
    widgets = [panel, picker, bar, picker.caption, panel.same_lr_check, *panel.editors[3].row_labels.values()]
    for widget in widgets:
        assert widget.font().pointSizeF() >= 10, widget


def test_readout_rows_name_runs_by_their_head_marker(qtbot):
    from optviz.render.inputs import RunStyle
    from optviz.app.views.readouts import ReadoutTable

    table = ReadoutTable()
    qtbot.addWidget(table)
    table.set_runs([RunStyle("GD", "#0F2DFF", True, (), "o"), RunStyle("Adam", "#00A28E", True, (4.0, 2.0), "t1")])
    assert [table.item(r, 0).text() for r in range(2)] == ["\u25cf GD", "\u25b2 Adam"]  # ● and ▲, as on the map
    assert table.item(1, 0).foreground().color().name() == "#00a28e"
