"""Scenario files in the app: open one into the running race, save the race as one.

Loading is all-or-nothing: the file is parsed and checked completely (``optviz.core.scenario``)
before the model is touched, and should applying it still fail, the previous race comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QMenu,
    QMenuBar,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...core.expression import ExpressionError
from ...core.scenario import (
    CUSTOM_PRESET,
    MAX_NOTE,
    MAX_TITLE,
    Scenario,
    ScenarioError,
    builtin_scenarios,
    load_scenario,
    save_scenario,
)
from .expression_dialog import ExpressionDialog
from ..window.saved_form import apply_scenario, model_to_scenario

class SaveScenarioDialog(QDialog):
    """Title and note for a scenario about to be saved."""

    def __init__(self, title: str = "", note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save scenario")
        self.title_edit = QLineEdit(title)
        self.title_edit.setMaxLength(MAX_TITLE)
        self.title_edit.setObjectName("title")
        self.note_edit = QPlainTextEdit(note)
        self.note_edit.setObjectName("note")
        self.note_edit.setPlaceholderText("One paragraph shown with the scenario (optional)")
        form = QFormLayout()
        form.addRow("Title", self.title_edit)
        form.addRow("Note", self.note_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.title_edit.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(560, 280)
        self._check()

    def _check(self) -> None:
        self._ok.setEnabled(bool(self.title_edit.text().strip()))

    def values(self) -> tuple[str, str]:
        return self.title_edit.text().strip(), self.note_edit.toPlainText().strip()[:MAX_NOTE]


@dataclass(frozen=True)
class ScenarioParts:
    """What the scenario commands work on, each named: the window hands these over.

    Attributes:
        parent: the owner of the actions (their shortcuts work in its window) and the parent
            of the file, custom-function and warning dialogs.
        menu_bar: where the Scenarios menu goes (after the first menu, File).
        set_title: sets the window's title (the open scenario's title and the surface's).
        model, controller: the race model (what a scenario sets and is saved from) and the
            controller (the surface and ``surfaceChanged``).
        preset_picker: the surface picker: its "Custom…" entry (``customRequested``) and its
            note (``show_note``: the open scenario's title and note).
        show_message: ``show_message(text)`` in the status bar.
    """

    parent: QWidget
    menu_bar: QMenuBar
    set_title: Callable[[str], None]
    model: object
    controller: object
    preset_picker: object
    show_message: Callable[[str], None]


class ScenarioActions(QObject):
    """The window's scenario and custom-function commands: File → Open/Save scenario, the
    Scenarios menu (Page Down / Page Up step through the lecture), File → Custom function.

    Attributes:
        title, note: the open scenario's ("" when the race was changed by hand since).
        index: position of the open built-in scenario in the lecture (-1: none).
    """

    FILTER = "optviz scenarios (*.json);;All files (*)"

    def __init__(self, parts: ScenarioParts) -> None:
        super().__init__(parts.parent)
        self.parts = parts
        self.model = parts.model
        self.title = ""
        self.note = ""
        self.index = -1
        self._applying = False
        for name in ("preset", "preset_params", "custom"):
            self.model.events.connect(name, self._changed_by_hand)
        parts.controller.surfaceChanged.connect(self._show_title)
        parts.preset_picker.customRequested.connect(self.custom_dialog)

    def install(self, file_menu, before: QAction) -> dict[str, QAction]:
        """Add the commands to ``file_menu`` (above ``before``) and a Scenarios menu after it."""
        w = self.parts.parent
        actions = {}
        for name, text, key, slot in (
            ("open_scenario", "&Open scenario…", "Ctrl+O", self.open_dialog),
            ("save_scenario", "&Save scenario…", "Ctrl+S", self.save_dialog),
            ("custom", "Custom &function…", "Ctrl+K", self.custom_dialog),
        ):
            action = QAction(text, w, shortcut=QKeySequence(key))
            action.triggered.connect(slot)
            file_menu.insertAction(before, action)
            w.addAction(action)
            actions[name] = action
        file_menu.insertSeparator(before)
        bar = self.parts.menu_bar
        menu = bar.insertMenu(bar.actions()[1], QMenu("&Scenarios", w)).menu()
        for i, (title, _) in enumerate(builtin_scenarios()):
            action = QAction(title, w)
            action.triggered.connect(lambda _=False, i=i: self.open_builtin(i))
            menu.addAction(action)
        menu.addSeparator()
        for name, text, key, slot in (("next_scenario", "&Next scenario", "PgDown", self.next),
                                      ("previous_scenario", "&Previous scenario", "PgUp", self.previous)):
            action = QAction(text, w, shortcut=QKeySequence(key))
            action.triggered.connect(slot)
            menu.addAction(action)
            w.addAction(action)
            actions[name] = action
        return actions

    # ------------------------------------------------------------------ commands

    def open_builtin(self, index: int) -> bool:
        items = builtin_scenarios()
        index %= len(items)
        if self.open_file(items[index][1]):
            self.index = index
            return True
        return False

    def next(self) -> bool:
        return self.open_builtin(self.index + 1)

    def previous(self) -> bool:
        return self.open_builtin(self.index - 1 if self.index >= 0 else -1)

    def open_file(self, path) -> bool:
        """Open a scenario file; a bad one gets a message naming the field, and the race stays."""
        try:
            scenario = load_scenario(path)
            self._apply(scenario)
        except (ScenarioError, ExpressionError, OSError, ValueError, KeyError, TypeError) as err:
            self.show_error("Cannot open the scenario", _about(path, err))
            return False
        self.index = -1
        self.parts.show_message(f"Opened “{scenario.title}”")
        return True

    def _apply(self, scenario: Scenario) -> None:
        self._applying = True
        try:
            apply_scenario(self.model, scenario)
        finally:
            self._applying = False
        self.title, self.note = scenario.title, scenario.note
        self.parts.preset_picker.show_note(f"{scenario.title}\n\n{scenario.note}" if scenario.note else scenario.title)
        self._show_title()

    def show_restored(self, scenario: Scenario) -> None:
        """The last session was this scenario: its title and note come back (the race already did)."""
        self.title, self.note = scenario.title, scenario.note
        self.parts.preset_picker.show_note(f"{scenario.title}\n\n{scenario.note}" if scenario.note else scenario.title)
        self._show_title()

    def save_to(self, path, title: str, note: str = "") -> bool:
        try:
            save_scenario(model_to_scenario(self.model, title, note), path)
        except (ScenarioError, OSError, ValueError) as err:
            self.show_error("Cannot save the scenario", _about(path, err))
            return False
        self.title, self.note = title, note
        self._show_title()
        self.parts.show_message(f"Saved “{title}” to {path}")
        return True

    def set_custom_function(self, expression: str, view) -> None:
        """Race on J(x, y) = ``expression`` over ``view``; raises ExpressionError/ValueError."""
        self.model.playback.playing = False
        self.model.custom = {"expression": expression, "view": list(view)}
        if self.model.preset != CUSTOM_PRESET:
            if self.model.preset_params:
                self.model.preset_params = {}
            self.model.preset = CUSTOM_PRESET

    # ------------------------------------------------------------------ dialogs

    def open_dialog(self) -> None:
        folder = str(builtin_scenarios()[0][1].parent) if builtin_scenarios() else ""
        path, _ = QFileDialog.getOpenFileName(self.parts.parent, "Open scenario", folder, self.FILTER)
        if path:
            self.open_file(path)

    def save_dialog(self) -> None:
        dialog = SaveScenarioDialog(self.title or self.parts.controller.surface.title, self.note, self.parts.parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        title, note = dialog.values()
        path, _ = QFileDialog.getSaveFileName(self.parts.parent, "Save scenario", f"{_file_name(title)}.json",
                                              self.FILTER)
        if path:
            self.save_to(path, title, note)

    def custom_dialog(self) -> None:
        custom = self.model.custom or {}
        dialog = ExpressionDialog(custom.get("expression", "sin(x)*cos(y) + 0.1*(x^2 + y^2)"),
                                  custom.get("view", (-4.0, 4.0, -4.0, 4.0)), self.parts.parent,
                                  scale=self.parts.model.view.scale)  # readable on the projector too
        if dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                self.set_custom_function(dialog.edit.text(), dialog.view())
            except ValueError as err:  # checked in the dialog already; never crash regardless
                self.show_error("Cannot use this function", str(err))

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parts.parent, title, text)

    # ------------------------------------------------------------------ state

    def _changed_by_hand(self, _value) -> None:
        if not self._applying and self.title:
            self.title = self.note = ""
            self.index = -1
            self.parts.preset_picker.show_note("")

    def _show_title(self) -> None:
        surface = self.parts.controller.surface
        name = surface.title if len(surface.title) <= 60 else surface.title[:57] + "…"
        self.parts.set_title(f"{self.title} — {name} — optviz" if self.title else f"{name} — optviz")


def _about(path, err: Exception) -> str:
    """``err`` as a message that names the file once (file errors name it themselves)."""
    name, text = Path(path).name, str(err)
    return text if name and name in text else f"{name}: {text}"


def _file_name(title: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_ " else " " for c in title).strip()
    return "-".join(keep.lower().split())[:60] or "scenario"


__all__ = ["SaveScenarioDialog", "ScenarioActions", "ScenarioParts"]
