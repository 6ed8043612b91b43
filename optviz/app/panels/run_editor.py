"""One run's controls in the side panel (:class:`RunEditor`): its optimizer, hyperparameters
in the lecture's notation (sliders read from the rule's definition), batch size and learning-rate
schedule (from the schedule's definition).

Binding (napari layer-controls style): a widget writes the model with a plain attribute or
method call (``run.learning_rate = v``, ``run.set_hyper("beta", v)``); the editor listens to
its run's events and updates the widgets with their signals blocked, so nothing echoes back. A
value the model refuses (ValueError) is reported through ``message`` and the widget shows the
model's value again.
"""

from __future__ import annotations

import inspect
import math

from PySide6.QtCore import QEvent, QObject, QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.optimizers import OPTIMIZERS, RULES, rule_of
from ...core.schedules import SCHEDULES
from ...core.simulation import RunSpec
from ..views.run_swatch import RunSwatch
from .widgets import (
    IntSpinBox,
    LinearSlider,
    LogSlider,
    NumberSpinBox,
    flash_tooltip,
    format_value,
    readable_font,
)



#: n when a surface has no samples of its own (B ranges over 1..n).
DEFAULT_SAMPLE_COUNT = 64


def hyper_names(key: str) -> list[str]:
    """The hyperparameter names the optimizer ``key`` exposes, the learning rate first (its
    rule's definition)."""
    return list(rule_of(key).names)


def hyper_info(key: str, name: str) -> tuple[str, str, str, float, float]:
    """Label, tooltip, slider kind ("log" or "linear") and range of the hyperparameter
    ``name`` of the optimizer ``key``, from its rule's definition (:class:`Hyper`)."""
    h = rule_of(key).hyperparameter(name)
    return h.label, h.tooltip, h.scale, h.low, h.high


def schedule_choices() -> list[tuple[str, str]]:
    """``[(key, title), …]`` of the learning-rate schedules (:data:`SCHEDULES`)."""
    ordered = list(SCHEDULES)  # the core's display order
    return [(key, SCHEDULES[key].title) for key in ordered]


def schedule_defaults(kind: str) -> dict[str, float]:
    """The extra parameters of the schedule ``kind`` with their defaults (``{}`` for constant):
    its class's keyword arguments after the base rate ``lr``."""
    entry = SCHEDULES.get(kind)
    if entry is None:
        return {}
    return {p.name: p.default for p in inspect.signature(entry).parameters.values()
            if p.name != "lr" and p.default is not inspect.Parameter.empty}


def section_font(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


class _ClickFilter(QObject):
    """Calls ``callback`` when any watched widget is pressed or takes the focus."""

    def __init__(self, callback, parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn):
            self._callback()
        return False


class RunEditor(QFrame):
    """The controls of one run (a :class:`~optviz.app.window.model.RunModel` inside ``race``).

    Args:
        run: the RunModel edited.
        race: the RaceModel it belongs to (selection, removal).
        sample_count: n, the number of samples (B ranges over 1..n).

    Signals:
        message(str): a value was refused; the widgets show the model's value again.

    Attributes:
        hyper_widgets: ``{name: LogSlider | LinearSlider}``.
        batch_spin: the B spin box (None for GD and SGD, which show ``batch_label``).
        schedule_combo, schedule_widgets: the schedule kind and its parameter inputs.
    """

    message = Signal(str)

    def __init__(self, run, race, sample_count: int = DEFAULT_SAMPLE_COUNT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run = run
        self.race = race
        self._n = max(1, int(sample_count))
        self._selected = False
        self.setObjectName("run-editor")
        self.setFont(readable_font(self.font()))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 6, 8, 8)
        outer.setSpacing(4)

        # --- header: colour, visible, title, remove
        header = QHBoxLayout()
        header.setSpacing(6)
        self.swatch = RunSwatch(run.color, run.dash, run.marker, 18)
        self.swatch.setToolTip("This run's colour, line and marker in every view (its optimizer's)")
        self.visible_check = QCheckBox()
        self.visible_check.setToolTip("Show or hide this run")
        self.title_edit = _FittingLineEdit()
        self.title_edit.setObjectName("run-title")
        self.title_edit.setFrame(False)
        self.title_edit.setToolTip("Run name (click to rename; empty restores the optimizer's name)")
        self.title_edit.setFont(section_font(self.font()))
        self.remove_button = QToolButton()
        self.remove_button.setObjectName("remove-run")
        self.remove_button.setText("×")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip("Remove this run")
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.remove_button.setFont(big)
        header.addWidget(self.swatch)
        header.addWidget(self.visible_check)
        header.addWidget(self.title_edit, 1)
        header.addWidget(self.remove_button)
        outer.addLayout(header)

        # --- rows
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        # One label width for every editor, so the sliders line up from run to run.
        metrics = self.fontMetrics()
        labels = [h.label for rule in RULES.values() for h in rule.hyper] + ["B (batch size)", "α schedule"]
        self._label_width = max(metrics.horizontalAdvance(t) for t in labels) + 2
        self.grid.setColumnMinimumWidth(0, self._label_width)
        outer.addLayout(self.grid)
        self.hyper_widgets: dict[str, QWidget] = {}
        self.row_labels: dict[str, QLabel] = {}
        self._build_hyper_rows()
        self._build_batch_row()
        self._build_schedule_rows()

        self.visible_check.toggled.connect(self._on_visible)
        self.title_edit.editingFinished.connect(self._on_title)
        self.remove_button.clicked.connect(self._on_remove)
        self.refresh()
        self._click_filter = _ClickFilter(self.select, self)
        self._watch(self)

    # ------------------------------------------------------------------ construction

    @property
    def index(self) -> int:
        """This run's position in ``race.runs`` (-1 once removed)."""
        for i, r in enumerate(self.race.runs):
            if r is self.run:
                return i
        return -1

    def _add_row(self, key: str, label: str, tooltip: str, widget: QWidget) -> None:
        row = self.grid.rowCount()
        lab = QLabel(label)
        lab.setToolTip(tooltip)
        lab.setBuddy(widget)
        widget.setToolTip(tooltip) if not widget.toolTip() else None
        self.grid.addWidget(lab, row, 0)
        self.grid.addWidget(widget, row, 1)
        self.row_labels[key] = lab

    def _build_hyper_rows(self) -> None:
        defaults = OPTIMIZERS[self.run.optimizer].defaults
        for name in hyper_names(self.run.optimizer):
            label, tip, kind, lo, hi = hyper_info(self.run.optimizer, name)
            value = self.run.hyper.get(name, defaults.get(name))
            plain = label.split(" (")[0] if name != "learning_rate" else "learning rate"
            if kind == "log":
                widget = LogSlider(lo, hi, value, name=plain)
                widget.valueChanged.connect(lambda v, n=name: self._on_hyper(n, v))
                widget.rejected.connect(self.message)
            else:
                widget = LinearSlider(lo, hi, value, name=plain)
                widget.valueChanged.connect(lambda v, n=name: self._on_hyper(n, v))
                widget.rejected.connect(self.message)
            widget.setObjectName(f"hyper-{name}")
            self.hyper_widgets[name] = widget
            self._add_row(name, label, tip, widget)

    def _build_batch_row(self) -> None:
        key = self.run.optimizer
        tip = "B: samples per gradient estimate; B = n is the exact full-batch gradient"
        self.batch_spin: IntSpinBox | None = None
        self.batch_label: QLabel | None = None
        # GD is the full batch and SGD one sample by definition; the others take any B.
        if key == "gd" or OPTIMIZERS[key].batch == "single":
            self.batch_label = QLabel()
            self.batch_label.setObjectName("batch-text")
            self.batch_label.setToolTip(tip)
            widget = self.batch_label
        else:
            self.batch_spin = IntSpinBox((1, self._n))
            self.batch_spin.setObjectName("batch-size")
            self.batch_spin.valueChanged.connect(self._on_batch)
            container = QWidget()
            lay = QHBoxLayout(container)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(self.batch_spin)
            self.batch_of = QLabel()
            lay.addWidget(self.batch_of)
            lay.addStretch(1)
            widget = container
        self._add_row("batch_size", "B (batch size)", tip, widget)

    def _build_schedule_rows(self) -> None:
        self.schedule_combo = QComboBox()
        self.schedule_combo.setObjectName("schedule")
        for key, title in schedule_choices():
            self.schedule_combo.addItem(title, key)
        self.schedule_combo.currentIndexChanged.connect(self._on_schedule_kind)
        self._add_row("schedule", "α schedule", "How the learning rate α changes with the step t",
                      self.schedule_combo)
        self._schedule_params_row = self.grid.rowCount()
        self.schedule_params_box = self._new_schedule_params_box()
        self.schedule_widgets: dict[str, QWidget] = {}
        self._schedule_kind_shown: str | None = None

    def _watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self._click_filter)
        for child in widget.findChildren(QWidget):
            child.installEventFilter(self._click_filter)

    def _new_schedule_params_box(self) -> QWidget:
        box = QWidget(self)
        box.setObjectName("schedule-params")
        layout = QGridLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(self.grid.horizontalSpacing())
        layout.setVerticalSpacing(self.grid.verticalSpacing())
        layout.setColumnMinimumWidth(0, self._label_width)
        layout.setColumnStretch(2, 1)
        self.schedule_params_layout = layout
        self.grid.addWidget(box, self._schedule_params_row, 0, 1, 2)
        return box

    def _build_schedule_params(self, kind: str) -> None:
        old = self.schedule_params_box
        self.grid.removeWidget(old)
        old.hide()
        old.deleteLater()
        self.schedule_params_box = self._new_schedule_params_box()
        layout = self.schedule_params_layout
        self.schedule_widgets = {}
        defaults = schedule_defaults(kind)
        for name, default in defaults.items():
            param = SCHEDULES[kind].params[name]
            label, tip, integer, lo, hi = param.label, param.tooltip, param.integer, param.low, param.high
            lab = QLabel(label)
            lab.setToolTip(tip)
            if integer:
                spin = IntSpinBox((int(lo), int(hi)))
            else:
                spin = NumberSpinBox((lo, hi), log=False)
                spin.setSingleStep(_nice_single_step(default))
            spin.setObjectName(f"schedule-{name}")
            spin.setToolTip(tip)
            spin.valueChanged.connect(lambda v, n=name: self._on_schedule_param(n, v))
            row = layout.rowCount()
            layout.addWidget(lab, row, 0)
            layout.addWidget(spin, row, 1)
            self.schedule_widgets[name] = spin
        self.schedule_params_box.setVisible(bool(defaults))
        self._schedule_kind_shown = kind
        if hasattr(self, "_click_filter"):
            self._watch(self.schedule_params_box)

    # ------------------------------------------------------------------ public

    def set_sample_count(self, n: int) -> None:
        """n, the number of samples behind the loss: B ranges over 1..n."""
        self._n = max(1, int(n))
        if self.batch_spin is not None:
            self.batch_spin.bounds = (1, self._n)
        self._show_batch()

    def set_removable(self, removable: bool) -> None:
        self.remove_button.setEnabled(removable)
        self.remove_button.setToolTip("Remove this run" if removable else "The race needs at least one run")

    def set_selected(self, selected: bool) -> None:
        self._selected = bool(selected)
        self._update_style()

    def is_selected(self) -> bool:
        return self._selected

    def select(self) -> None:
        """Make this run the race's selected run."""
        i = self.index
        if i >= 0 and self.race.selected != i:
            self.race.selected = i

    def refresh(self, field: str | None = None) -> None:
        """Show the model's value of ``field`` (every field when None)."""
        run = self.run
        if field in (None, "color", "dash", "marker"):
            self.swatch.set_look(run.color, run.dash, run.marker)
            self._update_style()
        if field in (None, "visible"):
            with QSignalBlocker(self.visible_check):
                self.visible_check.setChecked(bool(run.visible))
            # A hidden run's name is greyed out.
            color = "palette(window-text)" if run.visible else "palette(mid)"
            self.title_edit.setStyleSheet(f"QLineEdit {{ background: transparent; color: {color}; }}"
                                          "QLineEdit:focus { background: palette(base); }")
        if field in (None, "label", "optimizer"):
            if not self.title_edit.hasFocus():
                with QSignalBlocker(self.title_edit):
                    self.title_edit.setText(run.title)
                    self.title_edit.setCursorPosition(0)
        if field in (None, "hyper"):
            self._show_hyper()
        if field in (None, "batch_size"):
            self._show_batch()
        if field in (None, "schedule", "schedule_params"):
            self._show_schedule()

    # ------------------------------------------------------------------ model → widget

    def _show_hyper(self) -> None:
        for name, widget in self.hyper_widgets.items():
            value = self.run.hyper.get(name)
            if value is None:
                continue
            with QSignalBlocker(widget):
                widget.setValue(float(value))

    def effective_batch_size(self) -> int:
        spec = OPTIMIZERS[self.run.optimizer]
        b = self.run.batch_size if self.run.batch_size is not None else spec.default_batch_size
        return self._n if b is None else min(int(b), self._n)

    def _show_batch(self) -> None:
        b = self.effective_batch_size()
        if self.batch_label is not None:
            if b >= self._n:
                self.batch_label.setText(f"B = n = {self._n} (full batch)")
            elif b == 1:
                self.batch_label.setText("B = 1 (one sample)")
            else:
                self.batch_label.setText(f"B = {b}")
        if self.batch_spin is not None:
            with QSignalBlocker(self.batch_spin):
                self.batch_spin.setValue(b)
            self.batch_of.setText(f"of n = {self._n}")
            full = ": the full batch" if b >= self._n else ""
            self.batch_spin.setToolTip(f"B = {b} of n = {self._n} samples{full}")

    def _show_schedule(self) -> None:
        kind = self.run.schedule
        i = self.schedule_combo.findData(kind)
        with QSignalBlocker(self.schedule_combo):
            self.schedule_combo.setCurrentIndex(i)
        if kind != self._schedule_kind_shown:
            self._build_schedule_params(kind)
        values = {**schedule_defaults(kind), **self.run.schedule_params}
        for name, widget in self.schedule_widgets.items():
            if name in values:
                with QSignalBlocker(widget):
                    widget.setValue(values[name])

    #: Background and border of the selected editor (and the others').
    SELECTED_BACKGROUND, SELECTED_BORDER = QColor("#e3edfb"), QColor("#1f5fbf")
    NORMAL_BORDER = QColor("#c4c4c4")

    def _update_style(self) -> None:
        self.update()

    def background_color(self) -> QColor:
        return self.SELECTED_BACKGROUND if self._selected else self.palette().color(QPalette.ColorRole.Window)

    def paintEvent(self, event) -> None:
        # Painted by hand rather than with a style sheet, which would stop the children
        # inheriting the panel's (larger) font.
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = 2.0 if self._selected else 1.0
        rect = QRectF(self.rect()).adjusted(width / 2, width / 2, -width / 2, -width / 2)
        painter.setPen(QPen(self.SELECTED_BORDER if self._selected else self.NORMAL_BORDER, width))
        painter.setBrush(self.background_color())
        painter.drawRoundedRect(rect, 6, 6)
        # The run's colour as a strip down the left edge, tying the editor to its curve.
        strip = QRectF(rect.left(), rect.top(), 6, rect.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self.run.color))
        path = QPainterPath()
        path.addRoundedRect(rect, 6, 6)
        clip = QPainterPath()
        clip.addRect(strip)
        painter.drawPath(path.intersected(clip))
        painter.end()

    # ------------------------------------------------------------------ widget → model

    def _refuse(self, widget: QWidget, err: Exception) -> None:
        text = str(err)
        flash_tooltip(widget, text)
        self.message.emit(text)

    def _check(self, **changes) -> None:
        """Raise ValueError unless the run with ``changes`` (hyper, schedule, schedule_params)
        builds, so the model never holds a combination the simulation refuses (e.g. a cosine
        α_min above a newly lowered α)."""
        run = self.run
        spec = RunSpec(run.optimizer, changes.get("hyper", run.hyper), run.batch_size,
                       changes.get("schedule", run.schedule), changes.get("schedule_params", run.schedule_params))
        try:
            spec.build()
        except (TypeError, KeyError) as err:
            raise ValueError(str(err)) from None

    def _on_hyper(self, name: str, value) -> None:
        try:
            if name == "learning_rate" and (self.run.schedule != "constant" or self.run.schedule_params):
                self._check(hyper={**self.run.hyper, name: value})
            self.run.set_hyper(name, value)
        except ValueError as err:
            self._show_hyper()
            self._refuse(self.hyper_widgets[name], err)

    def _on_batch(self, value: int) -> None:
        if not 1 <= value <= self._n:
            self._show_batch()
            self._refuse(self.batch_spin, ValueError(f"batch size must be in [1, {self._n}], got {value}"))
            return
        try:
            self.run.batch_size = int(value)
        except ValueError as err:
            self._show_batch()
            self._refuse(self.batch_spin, err)

    def _on_schedule_kind(self, index: int) -> None:
        kind = self.schedule_combo.itemData(index)
        if kind is None or kind == self.run.schedule:
            return
        try:
            self._check(schedule=kind, schedule_params={})
            # Through states that are always valid: no parameters, then the new kind.
            if self.run.schedule_params:
                self.run.schedule_params = {}
            self.run.schedule = kind
        except ValueError as err:
            self._refuse(self.schedule_combo, err)
        self._show_schedule()

    def _on_schedule_param(self, name: str, value) -> None:
        widget = self.schedule_widgets.get(name)
        bounds = getattr(widget, "bounds", None)
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            label = SCHEDULES[self.run.schedule].params[name].label.split(" (")[0]
            self._show_schedule()
            self._refuse(widget, ValueError(
                f"{label} must be in [{format_value(bounds[0])}, {format_value(bounds[1])}], "
                f"got {format_value(value)}"))
            return
        params = {**self.run.schedule_params, name: value}
        try:
            self._check(schedule_params=params)
            self.run.schedule_params = params
        except ValueError as err:
            self._show_schedule()
            self._refuse(widget, err)

    def _on_visible(self, on: bool) -> None:
        self.run.visible = bool(on)

    def _on_title(self) -> None:
        text = self.title_edit.text().strip()
        default = OPTIMIZERS[self.run.optimizer].title
        self.run.label = "" if text in ("", default) else text
        with QSignalBlocker(self.title_edit):
            self.title_edit.setText(self.run.title)
            self.title_edit.setCursorPosition(0)

    def _on_remove(self) -> None:
        i = self.index
        if i < 0:
            return
        try:
            self.race.remove_run(i)
        except ValueError as err:
            self._refuse(self.remove_button, err)

    def mousePressEvent(self, event) -> None:
        self.select()
        super().mousePressEvent(event)


def _nice_single_step(default) -> float:
    try:
        v = abs(float(default))
    except (TypeError, ValueError):
        return 0.01
    if v == 0:
        return 0.01
    return 10.0 ** (math.floor(math.log10(v)) - 1) if v < 1 else 10.0 ** math.floor(math.log10(v))


class _FittingLineEdit(QLineEdit):
    """A line edit at least as wide as its text: a run's name is never cut off in its card (the
    panel widens for a long name instead)."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.textChanged.connect(lambda _: self.updateGeometry())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        margins = self.textMargins()
        need = self.fontMetrics().horizontalAdvance(self.text()) + margins.left() + margins.right() + 10
        hint.setWidth(max(hint.width(), need))
        return hint
