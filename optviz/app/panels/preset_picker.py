"""Pick the loss surface: a combo box grouped by what each surface teaches, its caption, and
the narrow valley's condition number κ."""

from __future__ import annotations

import html

from functools import lru_cache

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import get_surface, surface_keys
from ...core.scenario import CUSTOM_PRESET
from ...core.surface import Category, Family
from ..classroom.note_banner import first_sentence, typeset_hats
from .widgets import NumberSpinBox, flash_tooltip, format_value, readable_font

#: The picker's groups in order: (header, does this surface belong here?).
GROUPS: tuple[tuple[str, object], ...] = (
    ("Local minima", lambda s: s.family is Family.TEACHING and s.category is Category.LOCAL_MINIMA),
    ("Saddle points", lambda s: s.family is Family.TEACHING and s.category is Category.SADDLE),
    ("Narrow valleys", lambda s: s.family is Family.TEACHING and s.category is Category.NARROW_VALLEY),
    ("Convex & plateaus",
     lambda s: s.family is Family.TEACHING and s.category in (Category.CONVEX, Category.PLATEAU)),
    ("Classic test functions", lambda s: s.family is Family.CLASSIC),
    ("Dataset losses", lambda s: s.family is Family.DATASET),
)

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
HEADER_ROLE = Qt.ItemDataRole.UserRole + 2

#: Presets with a condition-number control, and its range.
CONDITION_PRESETS = ("narrow_valley",)
CONDITION_RANGE = (1.0, 1e4)


@lru_cache(maxsize=None)
def _metadata(key: str) -> tuple[str, Category, Family, str]:
    s = get_surface(key)
    return s.title, s.category, s.family, s.caption


def grouped_surfaces() -> list[tuple[str, list[str]]]:
    """``[(group header, [surface keys…]), …]`` in display order; empty groups are left out."""
    keys = surface_keys()
    surfaces = {key: _Meta(*_metadata(key)[1:3]) for key in keys}
    placed: set[str] = set()
    groups = []
    for header, belongs in GROUPS:
        members = [k for k in keys if k not in placed and belongs(surfaces[k])]
        placed.update(members)
        if members:
            groups.append((header, members))
    rest = [k for k in keys if k not in placed]
    if rest:
        groups.append(("Other", rest))
    return groups


class _Meta:
    """What :data:`GROUPS` tests: a surface's category and family."""

    __slots__ = ("category", "family")

    def __init__(self, category, family) -> None:
        self.category, self.family = category, family


class _IndentDelegate(QStyledItemDelegate):
    """Indents surface items under their (bold, unselectable) group headers; the highlight of
    the current item still spans the whole row."""

    INDENT = 16

    def paint(self, painter, option, index) -> None:
        if index.data(HEADER_ROLE):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        if opt.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, opt.palette.highlight())
        opt.rect.adjust(self.INDENT, 0, 0, 0)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        size.setHeight(max(size.height(), option.fontMetrics.height() + 8))
        if not index.data(HEADER_ROLE):
            size.setWidth(size.width() + self.INDENT)
        return size


class PresetPicker(QWidget):
    """The preset combo bound to ``model.preset`` (and ``model.preset_params`` for κ).

    Args:
        model: a :class:`~optviz.app.window.model.RaceModel`.

    Signals:
        message(str): something could not be applied (shown in the status bar).
        textShown(str, str): the title and text now shown under the combo: the scenario's
            title and note, or the preset's name and caption (the note banner repeats them).
    """

    message = Signal(str)
    customRequested = Signal()  #: the user chose "Custom function…": the window asks for one
    textShown = Signal(str, str)

    def __init__(self, model, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setFont(readable_font(self.font()))

        self.combo = QComboBox()
        self.combo.setObjectName("preset-combo")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(16)
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.setMaxVisibleItems(30)
        self.combo.setItemDelegate(_IndentDelegate(self.combo))
        self.combo.setToolTip("The loss surface J(W) the optimizers race on")
        self._items = QStandardItemModel(self.combo)
        self._fill()
        self.combo.setModel(self._items)

        title = QLabel("Loss surface")
        bold = QFont(self.font())
        bold.setBold(True)
        title.setFont(bold)

        self.caption = QLabel()
        self.caption.setObjectName("preset-caption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)  # escaped text; p̂ and r̂ set with their hats
        self.caption.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.caption.setFont(readable_font(self.font()))
        self.caption.setContentsMargins(2, 0, 2, 2)
        # A scenario's note is long: it opens folded to its first sentence, so the run cards
        # keep their room on a small screen; "more" unfolds it.
        self.more = QToolButton()
        self.more.setObjectName("caption-more")
        self.more.setAutoRaise(True)
        self.more.setToolTip("Show the whole note, or fold it to its first sentence")
        self.more.clicked.connect(lambda: self._fold(not self._folded))
        self.more.hide()
        self._folded = True

        self.condition_label = QLabel("condition number κ")
        self.condition_label.setToolTip("κ: ratio of the valley's steepest to its flattest curvature")
        self.condition = NumberSpinBox(CONDITION_RANGE, log=True)
        self.condition.setToolTip("κ: ratio of the valley's steepest to its flattest curvature")
        self.condition_row = QWidget()
        row = QHBoxLayout(self.condition_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.condition_label)
        row.addStretch(1)
        row.addWidget(self.condition)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(title)
        layout.addWidget(self.combo)
        layout.addWidget(self.caption)
        layout.addWidget(self.more, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.condition_row)

        self._note = ""
        self._show_preset(model.preset)
        self._show_params(model.preset_params)
        self.combo.currentIndexChanged.connect(self._on_combo)
        self.condition.valueChanged.connect(self._on_condition)
        model.events.connect("preset", self._show_preset)
        model.events.connect("preset_params", self._show_params)

    # ------------------------------------------------------------------ contents

    def _fill(self) -> None:
        header_font = readable_font(self.font())
        header_font.setBold(True)
        for header, keys in grouped_surfaces():
            item = QStandardItem(header)
            item.setFlags(Qt.ItemFlag.NoItemFlags)  # neither selectable nor enabled
            item.setData(True, HEADER_ROLE)
            item.setFont(header_font)
            item.setForeground(QBrush(QColor("#444444")))
            item.setBackground(QBrush(QColor("#e8e8e8")))
            self._items.appendRow(item)
            for key in keys:
                title, _, _, caption = _metadata(key)
                child = QStandardItem(title)
                child.setData(key, KEY_ROLE)
                child.setToolTip(caption)
                self._items.appendRow(child)
        header = QStandardItem("Your own")
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        header.setData(True, HEADER_ROLE)
        header.setFont(header_font)
        header.setForeground(QBrush(QColor("#444444")))
        header.setBackground(QBrush(QColor("#e8e8e8")))
        self._items.appendRow(header)
        custom = QStandardItem("Custom function f(x, y)…")
        custom.setData(CUSTOM_PRESET, KEY_ROLE)
        custom.setToolTip("Type your own loss J(x, y) with a view box (Ctrl+K)")
        self._items.appendRow(custom)

    def keys(self) -> list[str]:
        """The selectable surface keys in display order."""
        return [self.combo.itemData(i, KEY_ROLE) for i in range(self.combo.count())
                if self.combo.itemData(i, KEY_ROLE) not in (None, CUSTOM_PRESET)]

    def index_of(self, key: str) -> int:
        """The combo row of the surface ``key`` (-1 if absent)."""
        for i in range(self.combo.count()):
            if self.combo.itemData(i, KEY_ROLE) == key:
                return i
        return -1

    def is_header(self, row: int) -> bool:
        return bool(self.combo.itemData(row, HEADER_ROLE))

    def current_key(self) -> str | None:
        return self.combo.currentData(KEY_ROLE)

    # ------------------------------------------------------------------ widget → model

    def _on_combo(self, row: int) -> None:
        key = self.combo.itemData(row, KEY_ROLE)
        if not key:  # a header (cannot normally be chosen)
            self._show_preset(self.model.preset)
            return
        if key == CUSTOM_PRESET:  # typed, not picked: the window opens the dialog
            self._show_preset(self.model.preset)
            self.customRequested.emit()
            return
        if key == self.model.preset:
            return
        try:
            # Parameters belong to the old preset: drop them first so the new one builds cleanly.
            if self.model.preset_params:
                self.model.preset_params = {}
            self.model.preset = key
        except Exception as err:  # never crash on a choice the core refuses
            self._show_preset(self.model.preset)
            self._report(self.combo, str(err))

    def _on_condition(self, value: float) -> None:
        lo, hi = CONDITION_RANGE
        if not lo <= value <= hi:
            self._report(self.condition,
                         f"condition number must be in [{format_value(lo)}, {format_value(hi)}], "
                         f"got {format_value(value)}")
            self._show_params(self.model.preset_params)
            return
        params = {**self.model.preset_params, "condition": float(value)}
        try:
            get_surface(self.model.preset, **params)  # validate before the model (and its listeners) see it
            self.model.preset_params = params
        except Exception as err:
            self._show_params(self.model.preset_params)
            self._report(self.condition, str(err))

    def _report(self, widget: QWidget, text: str) -> None:
        flash_tooltip(widget, text)
        self.message.emit(text)

    # ------------------------------------------------------------------ model → widget

    def _show_preset(self, key) -> None:
        row = self.index_of(key)
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(row)
        if key == CUSTOM_PRESET:
            caption = f"Your function J(x, y) = {self.model.custom['expression']}. Ctrl+K changes it."
        else:
            caption = _metadata(key)[3] if row >= 0 else ""
        text = html.escape(self._note or caption)
        folded = False
        if self._note and self._folded:
            head, _, note = text.partition("\n\n")
            first, more = first_sentence(note)
            if more:
                text, folded = f"{head}\n\n{first} …", True
        self.more.setVisible(bool(self._note) and (folded or not self._folded))
        self.more.setText("more ▾" if folded else "less ▴")
        self.caption.setText(typeset_hats(text.replace("\n", "<br>"), self.caption.font()))
        if self._note:
            title, _, body = self._note.partition("\n\n")
        else:
            title = self.combo.currentText() if row >= 0 else ""
            body = caption
        self.textShown.emit(title, body)
        self.condition_row.setVisible(key in CONDITION_PRESETS)
        self._show_params(self.model.preset_params)

    def show_note(self, text: str) -> None:
        """Show a scenario's note in place of the preset's caption ("" brings the caption back),
        folded to its first sentence."""
        self._note = text
        self._folded = True
        self._show_preset(self.model.preset)

    def _fold(self, folded: bool) -> None:
        self._folded = bool(folded)
        self._show_preset(self.model.preset)

    def _show_params(self, params) -> None:
        if self.model.preset not in CONDITION_PRESETS:
            return
        value = (params or {}).get("condition")
        if value is None:
            value = get_surface(self.model.preset).params.get("condition", 25.0)
        with QSignalBlocker(self.condition):
            self.condition.setValue(float(value))
