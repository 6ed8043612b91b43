"""One row per run: step, loss, |gradient| and status, read from the simulation."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from ...core import Status, describe_status
from ...look import marker_glyph

COLUMNS = ("run", "step", "loss J(W)", "|∇J(W)|", "status")
#: The status column is at least as wide as this text (a common long status).
STATUS_SAMPLE = "converged to minimum 1"
STATUS_COLORS = {
    Status.RUNNING: "#1a1a1a",
    Status.CONVERGED: "#007a4d",
    Status.DIVERGED: "#c0392b",
    Status.LEFT_VIEW: "#a05a00",
    Status.STALLED: "#6a3d9a",
}


def format_number(value: float) -> str:
    """Compact and stable width: 4 significant digits, scientific when very large or small."""
    if not np.isfinite(value):
        return "—" if np.isnan(value) else ("∞" if value > 0 else "−∞")
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.3e}"
    return f"{value:.4g}"


class ReadoutTable(QTableWidget):
    """Live numbers for every run; clicking a row selects that run."""

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.horizontalHeader()
        # Columns are fitted once per update (_fit_columns): ResizeToContents would re-measure
        # the whole column on every setText, ~0.15 ms per cell, 3 ms per update of 8 runs.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self._mono = mono
        self._texts: list[list[str]] = []
        # Design sizes, for set_look (presentation mode scales them).
        self._base_point_size = self.font().pointSizeF()
        self._base_mono_size = mono.pointSizeF()
        self._base_row_height = self.verticalHeader().defaultSectionSize()
        self._scale = 1.0

    def set_look(self, theme: str = "normal", scale: float = 1.0) -> None:
        """Fonts and row heights × ``scale`` (1 restores the design sizes)."""
        self._scale = float(scale)
        font = QFont(self.font())
        font.setPointSizeF(self._base_point_size * self._scale)
        self.setFont(font)
        self.horizontalHeader().setFont(font)
        self._mono.setPointSizeF(self._base_mono_size * self._scale)
        self.verticalHeader().setDefaultSectionSize(int(round(self._base_row_height * self._scale)))
        for row in range(self.rowCount()):
            title = self.item(row, 0)
            if title is not None:
                bold = QFont(font)
                bold.setBold(True)
                title.setFont(bold)
            for col in range(1, len(COLUMNS)):
                item = self.item(row, col)
                if item is not None:
                    item.setFont(self._mono if col in (1, 2, 3) else font)
        self._fit_columns()

    def set_runs(self, styles) -> None:
        self.setRowCount(len(styles))
        self._texts = [[""] * len(COLUMNS) for _ in styles]
        for row, style in enumerate(styles):
            # The run's head marker in its colour (RunStyle.marker), as on the map.
            title = QTableWidgetItem(f"{marker_glyph(getattr(style, 'marker', 'o'))} {style.title}")
            title.setForeground(QBrush(QColor(style.color)))
            font = QFont(self.font())  # the table's font: set_look may have scaled it
            font.setBold(True)
            title.setFont(font)
            self.setItem(row, 0, title)
            for col in range(1, len(COLUMNS)):
                item = QTableWidgetItem("")
                if col in (1, 2, 3):
                    item.setFont(self._mono)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, col, item)
            self.setRowHidden(row, not style.visible)
        self._fit_columns()

    def update_runs(self, sim) -> None:
        steps = sim.steps
        widened = False
        for row in range(min(self.rowCount(), sim.K)):
            status = int(sim.status[row, 0])
            text = describe_status(status, int(sim.minimum[row, 0]))
            if status in (Status.RUNNING, Status.STALLED) and steps[row] >= sim.max_steps:
                text = f"{text} · step limit"
            values = (
                f"{int(steps[row])}",
                format_number(float(sim.loss[row, 0])),
                format_number(float(np.hypot(*sim.full_grad[row, 0]))),
                text,
            )
            for col, value in enumerate(values, start=1):
                if self._texts[row][col] != value:  # setText repaints; skip unchanged cells
                    widened |= len(value) != len(self._texts[row][col])
                    self._texts[row][col] = value
                    item = self.item(row, col)
                    item.setText(value)
                    if col == 4:
                        item.setForeground(QBrush(QColor(STATUS_COLORS[Status(status)])))
        if widened:
            self._fit_columns()

    def _fit_columns(self) -> None:
        for col in range(len(COLUMNS) - 1):
            self.resizeColumnToContents(col)
        # A long run name wraps onto a second line rather than widening the table beyond the
        # screen (the legend and the run's card show it whole).
        widest_name = QFontMetrics(self._bold()).horizontalAdvance("■ " + "M" * 9)
        if self.columnWidth(0) > widest_name:
            self.setColumnWidth(0, widest_name)
            self.resizeRowsToContents()
        self.updateGeometry()  # the minimum width follows the texts

    def _bold(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def minimumSizeHint(self) -> QSize:
        """As wide as every column's text (the status column as its longest text, or at least
        STATUS_SAMPLE): the splitter beside the loss plots then never cuts a status short."""
        hint = super().minimumSizeHint()
        header = self.horizontalHeader()
        width = 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        for col in range(len(COLUMNS)):
            need = max(self.sizeHintForColumn(col), header.sectionSizeFromContents(col).width())
            if col == 0:
                need = self.columnWidth(0)  # names wrap (see _fit_columns)
            if col == len(COLUMNS) - 1:
                need = max(need, QFontMetrics(self.font()).horizontalAdvance(STATUS_SAMPLE) + 12)
            width += need
        hint.setWidth(max(hint.width(), width))
        return hint
