"""The keys a lecturer needs, as window-wide actions (shown in the menus and the F1 sheet):
presentation mode and the projector theme, views and visual aids on and off (checkable
actions bound both ways to the view preferences), and the race commands: next / previous
preset, raise / lower the selected run's α, select a run. Each command reports what it did in
the status bar.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QApplication

from ...core.simulation import RunSpec
from ..panels.widgets import format_value, round_significant
from ..views.overlays import FIELD_TIP, GRADIENT_TIP, MOMENTUM_TIP, STEP_SIZE_TIP
from ..window.model import LR_MAX, LR_MIN
from ..window.view_prefs import UI_SCALE_MAX, UI_SCALE_MIN
from .shortcuts import ShortcutOverlay, action_keys, action_title

#: One press of ↑ / ↓ multiplies / divides the selected run's α by this: four presses a decade.
LR_FACTOR = 10 ** 0.25
#: Ctrl+= / Ctrl+− change the presentation scale by this much.
SCALE_STEP = 0.25


def _set_checked(action: QAction, on: bool) -> None:
    action.blockSignals(True)
    action.setChecked(bool(on))
    action.blockSignals(False)


class _ArrowKeyGuard(QObject):
    """Outside presentation mode, ↑ and ↓ belong to a focused slider or spin box (they step it)
    rather than to the window's "raise / lower α" keys. In presentation mode the keys always
    drive the race, wherever the focus is."""

    def __init__(self, model, parent) -> None:
        super().__init__(parent)
        self.model = model

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and not self.model.view.presentation
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
                and isinstance(obj, (QAbstractSpinBox, QAbstractSlider))):
            event.accept()
            return True
        return False


class ClassroomKeys(QObject):
    """The classroom's actions (``actions``: name → QAction) and the commands they run.

    Args:
        parts: the window's parts (:class:`~optviz.app.classroom.presentation.WindowParts`).
        overlay: the shortcut sheet the F1 key opens.
        parent: the owner.
    """

    def __init__(self, parts, overlay: ShortcutOverlay, parent: QObject) -> None:
        super().__init__(parent)
        self.parts, self.window, self.model, self.overlay = parts, parts.window, parts.model, overlay
        self.actions: dict[str, QAction] = {}
        self._build_actions()
        self._guard = _ArrowKeyGuard(self.model, self)
        QApplication.instance().installEventFilter(self._guard)

    def _action(self, name: str, text: str, keys=(), slot=None, *, field: str | None = None,
                tip: str | None = None) -> QAction:
        """A window-wide action; ``field`` makes it a checkable switch bound both ways to that
        view preference (a refused value shows the message and puts the switch back)."""
        w, m = self.window, self.model
        action = QAction(text, w)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        if field is not None:
            action.setCheckable(True)
            action.setChecked(bool(getattr(m.view, field)))

            def toggled(on, field=field, action=action):
                try:
                    setattr(m.view, field, bool(on))
                except ValueError as err:
                    _set_checked(action, getattr(m.view, field))
                    self.parts.show_message(str(err))

            action.toggled.connect(toggled)
            m.view.events.connect(field, lambda on, action=action: _set_checked(action, on))
        elif slot is not None:
            action.triggered.connect(lambda _=False: slot())
        w.addAction(action)
        self.actions[name] = action
        return action

    def _build_actions(self) -> None:
        w, m = self.window, self.model
        a = self._action
        present = a("presentation", "&Presentation mode", ("F5",), field="presentation",
                    tip="Full screen, projector theme, large fonts and lines; the side panels collapse")
        leave = a("leave", "Leave presentation mode", ("Esc",), lambda: setattr(m.view, "presentation", False))
        leave.setEnabled(m.view.presentation)
        theme = a("theme", "Projector &theme", ("T",),
                  tip="White and near-black, thick lines: legible on a washed-out projector")
        theme.setCheckable(True)
        theme.setChecked(m.view.theme == "projector")
        theme.toggled.connect(lambda on: self._set_theme("projector" if on else "normal"))
        m.view.events.connect("theme", lambda value: _set_checked(theme, value == "projector"))
        larger = a("larger", "&Larger (presentation scale)", ("Ctrl+=", "Ctrl++"), lambda: self.change_scale(+1))
        smaller = a("smaller", "&Smaller (presentation scale)", ("Ctrl+-",), lambda: self.change_scale(-1))
        collapse = a("collapse", "&Collapse side panels", ("H",), field="panels_collapsed",
                     tip="Hide the optimizer panel, the preset picker and the readouts; show a compact strip")
        show_contour = a("show_contour", "Contour &map", ("Ctrl+2",), field="show_contour")
        show_3d = a("show_3d", "&3D view", ("Ctrl+3",), field="show_3d")
        equations = a("show_equations", "Update rule (&equations)", ("E",), field="show_equations")
        gradient = a("overlay_gradient", "&Gradient arrow −∇J", ("G",), field="overlay_gradient",
                     tip=GRADIENT_TIP)
        momentum = a("overlay_momentum", "&Momentum arrow −αp", ("M",), field="overlay_momentum", tip=MOMENTUM_TIP)
        step = a("overlay_step_size", "&Adaptive step size α/(ε+√r) per axis", ("A",), field="overlay_step_size",
                 tip=STEP_SIZE_TIP)
        field = a("overlay_field", "&Vector field of −∇J", ("V",), field="overlay_field", tip=FIELD_TIP)
        a("note", "Show or hide the &note (panels collapsed)", ("N",), lambda: self.parts.note_banner.toggle())
        next_preset = a("next_preset", "&Next preset", ("P",), lambda: self.cycle_preset(+1))
        previous_preset = a("previous_preset", "Pre&vious preset", ("Shift+P",), lambda: self.cycle_preset(-1))
        raise_lr = a("raise_lr", "&Raise α of the selected run", ("Up", "+", "="),
                     lambda: self.change_learning_rate(+1))
        lower_lr = a("lower_lr", "&Lower α of the selected run", ("Down", "-"),
                     lambda: self.change_learning_rate(-1))
        next_run = a("next_run", "Select the next run", ("Tab",), lambda: self.cycle_run(+1))
        previous_run = a("previous_run", "Select the previous run", ("Shift+Tab", "Backtab"),
                         lambda: self.cycle_run(-1))
        # Tab keeps moving the focus outside presentation mode.
        next_run.setEnabled(m.view.presentation)
        previous_run.setEnabled(m.view.presentation)
        self._run_keys = []
        for k in range(8):
            self._run_keys.append(a(f"select_run_{k + 1}", f"Select run {k + 1}", (str(k + 1),),
                                    lambda k=k: self.select_run(k)))

        bar = w.menuBar()
        view_menu = _menu(bar, "View")
        if view_menu is not None:
            view_menu.addSeparator()
            view_menu.addActions([present, theme, larger, smaller, collapse])
            view_menu.addSeparator()
            view_menu.addActions([show_contour, show_3d, equations])
            overlays = view_menu.addMenu("&Overlays")
            overlays.setToolTipsVisible(True)
            overlays.addActions([gradient, momentum, step, field])
        run_menu = _menu(bar, "Run")
        if run_menu is not None:
            run_menu.addSeparator()
            run_menu.addActions([next_preset, previous_preset, raise_lr, lower_lr])

    # ------------------------------------------------------------------ the shortcut overlay

    def shortcut_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """What the overlay and Help → Keyboard shortcuts list, from the actions themselves."""
        w, acts = self.window, self.actions
        named = self.parts.actions_by_name
        playback = self.parts.playback

        def row(action, text=None):
            return (action_keys(action), text or action_title(action))

        race = [row(playback.play_action, "play / pause"), row(playback.step_action, "one step")]
        if "step_back" in named and "live" in named:
            race += [row(named["step_back"], "one step back (timeline)"), row(named["live"], "back to the newest step")]
        race.append(row(playback.reset_action, "reset every run to the start"))
        if "faster" in named and "slower" in named:
            race.append((f"{action_keys(named['faster'])} / {action_keys(named['slower'])}", "faster / slower"))
        race += [(f"{action_keys(acts['next_preset'])} / {action_keys(acts['previous_preset'])}",
                  "next / previous preset"),
                 row(acts["raise_lr"], "raise α of the selected run (×10<sup>¼</sup>)"),
                 row(acts["lower_lr"], "lower α of the selected run (÷10<sup>¼</sup>)"),
                 ("1 … 8", "select run 1 … 8"),
                 (f"{action_keys(acts['next_run'])} / Shift+Tab", "next / previous run (presentation)")]
        views = [row(acts["presentation"], "presentation mode on / off"),
                 row(acts["leave"], "leave presentation mode"),
                 row(acts["theme"], "projector / normal theme"),
                 (f"{action_keys(acts['larger']).split(' / ')[0]} / {action_keys(acts['smaller'])}",
                  "larger / smaller (presentation)"),
                 row(acts["collapse"], "collapse / show the side panels"),
                 row(acts["show_contour"], "contour map on / off"),
                 row(acts["show_3d"], "3D view on / off"),
                 row(acts["show_equations"], "update rule (equations) on / off")]
        for name, text in (("log", "log-scale loss plots"), ("camera", "reset the 3D camera")):
            if name in named:
                views.append(row(named[name], text))
        aids = [row(acts["overlay_gradient"], "gradient arrow −∇J"),
                row(acts["overlay_momentum"], "momentum arrow −αp"),
                row(acts["overlay_step_size"], "step size per axis α/(ε+√r)"),
                row(acts["overlay_field"], "vector field of −∇J")]
        listed = {id(x) for x in (playback.play_action, playback.step_action, playback.reset_action,
                                  *acts.values(), *(named.get(n) for n in ("faster", "slower", "log", "camera",
                                                                           "step_back", "live")))}
        more = []
        for action in w.findChildren(QAction):
            if id(action) in listed or not action_keys(action) or action is named.get("keys"):
                continue
            listed.add(id(action))
            more.append(row(action))
        keys = named.get("keys")
        help_rows = [row(keys, "this list") if keys is not None else ("F1 / ?", "this list"), *more]
        return [("Race", race), ("Views", views), ("Visual aids", aids), ("Help and more", help_rows)]

    def show_shortcuts(self) -> None:
        self.overlay.set_scale(self.model.view.scale)
        self.overlay.set_groups(self.shortcut_groups())
        self.overlay.open()

    # ------------------------------------------------------------------ commands

    def _set_theme(self, name: str) -> None:
        self.model.view.theme = name
        self.parts.show_message(f"{name.capitalize()} theme")

    def change_scale(self, direction: int) -> None:
        m = self.model
        new = min(max(round((m.view.ui_scale + direction * SCALE_STEP) / SCALE_STEP) * SCALE_STEP, UI_SCALE_MIN),
                  UI_SCALE_MAX)
        if new == m.view.ui_scale:
            edge = "largest" if direction > 0 else "smallest"
            self.parts.show_message(f"Presentation scale is already at its {edge} ({m.view.ui_scale:g}×)")
            return
        m.view.ui_scale = new
        note = "" if m.view.presentation else " (used in presentation mode, F5)"
        self.parts.show_message(f"Presentation scale {new:g}×{note}")

    def change_learning_rate(self, direction: int) -> None:
        """Multiply the selected run's α by LR_FACTOR (direction +1) or divide it (−1), rounded
        to 3 significant digits and kept within [LR_MIN, LR_MAX]."""
        m, p = self.model, self.parts
        run = m.runs[min(m.selected, len(m.runs) - 1)]
        lr = run.learning_rate
        new = round_significant(lr * LR_FACTOR ** direction, 3)
        new = min(max(new, LR_MIN), LR_MAX)
        if new == lr:
            edge = "largest" if direction > 0 else "smallest"
            p.show_message(f"{run.title}: α = {format_value(lr)} is already the {edge} allowed "
                           f"({format_value(LR_MAX if direction > 0 else LR_MIN)})")
            return
        try:
            hyper = {**run.hyper, "learning_rate": new}
            RunSpec(run.optimizer, hyper, run.batch_size, run.schedule, run.schedule_params).build()
            run.learning_rate = new
        except (ValueError, TypeError) as err:
            p.show_message(f"{run.title}: {err}")
            return
        p.show_message(f"{run.title}: α = {format_value(new)}  ({'×' if direction > 0 else '÷'}10^¼)")

    def cycle_preset(self, direction: int) -> None:
        m, p = self.model, self.parts
        keys = p.preset_picker.keys()
        if not keys:
            return
        i = keys.index(m.preset) if m.preset in keys else -direction
        key = keys[(i + direction) % len(keys)]
        try:
            if m.preset_params:
                m.preset_params = {}
            m.preset = key
        except ValueError as err:
            p.show_message(str(err))
            return
        p.show_message(f"Preset {keys.index(key) + 1}/{len(keys)}: {p.controller.surface.title}")

    def select_run(self, k: int) -> None:
        m, p = self.model, self.parts
        if not 0 <= k < len(m.runs):
            p.show_message(f"There is no run {k + 1}: the race has {len(m.runs)} run{'s' if len(m.runs) != 1 else ''}")
            return
        m.selected = k
        p.show_message(f"Selected run {k + 1}: {m.runs[k].title}")

    def cycle_run(self, direction: int) -> None:
        m = self.model
        self.select_run((m.selected + direction) % len(m.runs))


def _menu(bar, title: str):
    for action in bar.actions():
        menu = action.menu()
        if menu is not None and action.text().replace("&", "") == title:
            return menu
    return None
