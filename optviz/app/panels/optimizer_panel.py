"""The side panel's race editor: one :class:`RunEditor` per run, in the lecture's notation.

Binding (napari layer-controls style): a widget writes the model with a plain attribute or
method call (``run.learning_rate = v``, ``run.set_hyper("beta", v)``); the panel listens to the
model's ``runs``/``run``/``selected``/``same_lr``/``noise_scale`` events and updates the widgets
with their signals blocked, so nothing echoes back. A value the model refuses (ValueError) is
reported through ``message`` and the widget shows the model's value again.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.optimizers import OPTIMIZERS
from .run_editor import DEFAULT_SAMPLE_COUNT, RunEditor, section_font
from .widgets import (
    LogSlider,
    flash_tooltip,
    format_value,
    readable_font,
    round_significant,
)


#: The panel is never narrower than this (px), whatever its cards need.
MIN_PANEL_WIDTH = 300


class OptimizerPanel(QWidget):
    """The race editor bound to a :class:`~optviz.app.window.model.RaceModel`.

    Args:
        model: the RaceModel.

    Signals:
        message(str): a value was refused (from any run editor or the panel itself).

    Attributes:
        editors: the RunEditors, in run order.
        add_button, add_menu: "Add run" and its menu (one action per optimizer, data = key).
        same_lr_check, reset_button, noise (a LogSlider), noise_row.
    """

    message = Signal(str)

    def __init__(self, model, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._n = DEFAULT_SAMPLE_COUNT
        self.editors: list[RunEditor] = []
        self.setFont(readable_font(self.font()))

        title = QLabel("Optimizers")
        title.setFont(section_font(self.font()))

        self.add_button = QToolButton()
        self.add_button.setObjectName("add-run")
        self.add_button.setText("+ Add run ▾")
        # The menu arrow is in the text: Qt's own indicator sits on top of the last letters.
        self.add_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.add_button.setToolTip("Add an optimizer to the race (the same one twice compares settings)")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_menu = QMenu(self.add_button)
        for key, spec in OPTIMIZERS.items():
            action = QAction(spec.title, self.add_menu)
            action.setData(key)
            action.triggered.connect(lambda _=False, k=key: self.add_run(k))
            self.add_menu.addAction(action)
        self.add_button.setMenu(self.add_menu)

        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setObjectName("reset-defaults")
        self.reset_button.setToolTip("Back to the preset's own race: the runs its caption describes")
        self.reset_button.clicked.connect(self._on_reset)

        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.add_button)
        top.addWidget(self.reset_button)

        self.same_lr_check = QCheckBox("Same learning rate α for all runs")
        self.same_lr_check.setObjectName("same-lr")
        self.same_lr_check.setToolTip("Lock every run's α together (starting from the selected run's α)")
        self.same_lr_check.toggled.connect(self._on_same_lr)

        self.noise = LogSlider(1e-3, 1e2, 1.0, name="gradient noise σ")
        self.noise.setObjectName("noise")
        self.noise.setToolTip("σ: spread of the per-sample gradients; SGD's noise is σ/√B")
        self.noise.valueChanged.connect(self._on_noise)
        self.noise.rejected.connect(self.message)
        self.noise_default_button = QToolButton()
        self.noise_default_button.setText("auto")
        self.noise_default_button.setToolTip("Use the surface's own noise level")
        self.noise_default_button.clicked.connect(self._on_noise_default)
        self.noise_row = QWidget()
        noise_layout = QHBoxLayout(self.noise_row)
        noise_layout.setContentsMargins(0, 0, 0, 0)
        noise_layout.setSpacing(6)
        noise_label = QLabel("σ (gradient noise)")
        noise_label.setToolTip(self.noise.toolTip())
        noise_layout.addWidget(noise_label)
        noise_layout.addWidget(self.noise, 1)
        noise_layout.addWidget(self.noise_default_button)

        self._list = QWidget()
        self._list.setObjectName("run-list")
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(0, 0, 0, 0)
        self._list_layout.setSpacing(8)
        self._list_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self._list)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.same_lr_check)
        layout.addWidget(self.noise_row)
        layout.addWidget(self.scroll, 1)

        self._rebuild()
        self._show_same_lr(model.same_lr)
        self._show_noise()
        model.events.connect("runs", self._on_runs)
        model.events.connect("run", self._on_run)
        model.events.connect("selected", self._show_selected)
        model.events.connect("same_lr", self._show_same_lr)
        model.events.connect("noise_scale", lambda _: self._show_noise())
        model.events.connect("preset", lambda _: self._show_noise())
        model.events.connect("preset_params", lambda _: self._show_noise())

    # ------------------------------------------------------------------ public

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()  # the minimum width follows the cards' fonts, both ways

    def minimumSizeHint(self):
        """Wide enough for every card and the buttons at the current font: the list scrolls only
        vertically, so a narrower panel would cut the cards' text off (presentation mode scales
        every font by 1.75)."""
        hint = super().minimumSizeHint()
        cards = self._list.minimumSizeHint().width() + self.scroll.verticalScrollBar().sizeHint().width() + 4
        hint.setWidth(max(hint.width(), cards, MIN_PANEL_WIDTH))
        return hint

    def set_sample_count(self, n: int) -> None:
        """n of the current loss (B ranges over 1..n)."""
        self._n = max(1, int(n))
        self._update_noise_row()
        for editor in self.editors:
            editor.set_sample_count(self._n)

    def set_noise_visible(self, visible: bool) -> None:
        """Allow the σ slider (analytic surfaces) or not (dataset losses have real noise). It
        shows only while some run samples a batch smaller than n: σ/√B means nothing to a race
        of full-batch runs."""
        self._noise_allowed = bool(visible)
        self._update_noise_row()

    def _update_noise_row(self) -> None:
        sampled = any(run.spec.effective_batch_size(self._n) < self._n for run in self.model.runs)
        visible = getattr(self, "_noise_allowed", True) and sampled
        self.noise_row.setVisible(visible)
        if visible:
            self._show_noise()

    def add_run(self, key: str) -> None:
        """Add a run of optimizer ``key`` (the same one may race several times) and select it."""
        try:
            self.model.add_run(key)
            self.model.selected = len(self.model.runs) - 1
        except ValueError as err:
            self.message.emit(str(err))

    # ------------------------------------------------------------------ model → widget

    def _rebuild(self) -> None:
        for editor in self.editors:
            self._list_layout.removeWidget(editor)
            editor.hide()
            editor.deleteLater()
        self.editors = []
        removable = len(self.model.runs) > 1
        for i, run in enumerate(self.model.runs):
            editor = RunEditor(run, self.model, self._n, parent=self._list)
            editor.message.connect(self.message)
            editor.set_removable(removable)
            editor.set_selected(i == self.model.selected)
            self._list_layout.insertWidget(i, editor)
            self.editors.append(editor)

    def _on_runs(self, _runs) -> None:
        self._rebuild()
        self._show_selected(self.model.selected)
        self._update_noise_row()

    def _on_run(self, item) -> None:
        index, field = item
        if field in ("batch_size", "optimizer"):
            self._update_noise_row()
        if not 0 <= index < len(self.editors):
            return
        editor = self.editors[index]
        if editor.run is not self.model.runs[index] or field == "optimizer":
            self._rebuild()  # the list changed under us, or the optimizer kind did
            return
        editor.refresh(field)

    def _show_selected(self, selected) -> None:
        for i, editor in enumerate(self.editors):
            editor.set_selected(i == selected)
        if 0 <= selected < len(self.editors):
            editor = self.editors[selected]
            QTimer.singleShot(0, lambda e=editor: self._ensure_visible(e))

    def _ensure_visible(self, editor: RunEditor) -> None:
        try:
            if editor in self.editors:
                self.scroll.ensureWidgetVisible(editor, 0, 0)
        except RuntimeError:  # deleted meanwhile
            pass

    def _show_same_lr(self, on) -> None:
        with QSignalBlocker(self.same_lr_check):
            self.same_lr_check.setChecked(bool(on))

    def default_noise(self) -> float | None:
        """The current surface's own σ (what ``noise_scale = None`` means)."""
        try:
            from ...core.risk import default_noise_scale

            return default_noise_scale(self.model.surface())
        except Exception:
            return None

    def _show_noise(self) -> None:
        value = self.model.noise_scale
        default = self.default_noise()
        if default is None or not default > 0:
            default = 1.0
        shown = round_significant(default, 3) if value is None else max(float(value), 1e-9)
        lo = 10.0 ** math.floor(math.log10(min(default, shown) / 100))
        hi = 10.0 ** math.ceil(math.log10(max(default, shown) * 100))
        with QSignalBlocker(self.noise):
            self.noise.setRange(lo, hi)
            self.noise.setValue(shown)
        self.noise_default_button.setEnabled(value is not None)
        self.noise.spin.setToolTip(f"the surface's own σ = {format_value(default, 3)}" if value is None
                                   else f"σ set by hand (the surface's own: {format_value(default, 3)})")

    # ------------------------------------------------------------------ widget → model

    def _on_same_lr(self, on: bool) -> None:
        self.model.same_lr = bool(on)

    def _on_reset(self) -> None:
        try:
            self.model.reset_defaults()
        except ValueError as err:
            self.message.emit(str(err))

    def _on_noise(self, value: float) -> None:
        try:
            self.model.noise_scale = value
        except ValueError as err:
            self._show_noise()
            flash_tooltip(self.noise, str(err))
            self.message.emit(str(err))

    def _on_noise_default(self) -> None:
        self.model.noise_scale = None
