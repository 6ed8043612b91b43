"""The finish leaderboard dock: when a race ends, a small table ranks its runs.

The numbers and the order are :func:`optviz.core.leaderboard.leaderboard`'s; this dock only
shows them (rank, the run's colour and name, the step from which it stayed within the
tolerance, final loss, outcome) and lets the tolerance be edited. Where no minimum J* is known
(a saddle: J is unbounded below) the core ranks by final loss; the dock then says so in a
bold line above the table, the third column shows the steps each run took, and the tolerance
is greyed out.

Every cell shows its whole text: the columns take their contents' width and the dock is at
least as wide as the table (:meth:`LeaderboardDock.elided_cells` lists any cell that would not
fit, for tests). It appears by itself when a race ends (Analysis ▸ "Show the
leaderboard when a race ends"), and Analysis ▸ Leaderboard shows or hides it at any time; when
shown while the race is paused it ranks the standings so far.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFontMetrics
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.leaderboard import DEFAULT_TOLERANCE, Leaderboard, leaderboard, short_outcome
from ..panels.widgets import format_value

COLUMNS = ("#", "Run", "Settled at step", "Final loss", "Outcome")
#: The third column's header when ranked by final loss (no J*): the steps each run took.
STEPS_HEADER = "Steps taken"
RULES = ("A run has settled at step t when J − J* stays within the tolerance from step t to the end (touching "
         "it once and leaving again does not count). Settled runs first, earliest first; then the others by "
         "final loss; diverged runs last. Without a known J* (a saddle) the runs are ranked by final loss.")


def loss_text(value: float) -> str:
    if not math.isfinite(value):
        return "∞" if value == math.inf else "undefined"
    return format_value(value, 3).replace("-", "−")


class LeaderboardDock(QDockWidget):
    """Title "Leaderboard"; ``board`` is the core's last result, ``table`` shows it.

    Args:
        host: the main window the dock is added to (right dock area) and that gives it the
            height of every row of the table (``resizeDocks``).
        model, controller: the race model (its playback) and the controller (its simulation,
            the runs' styles, ``advanced`` and ``runsChanged``).
        show_message: ``show_message(text)`` in the status bar (a tolerance that is not a number).
    """

    refreshed = Signal()

    def __init__(self, host: QMainWindow, model, controller, show_message: Callable[[str], None]) -> None:
        super().__init__("Leaderboard", host)
        self.setObjectName("leaderboard-dock")
        self.host = host
        self.model = model
        self.controller = controller
        self.show_message = show_message
        self.tolerance = DEFAULT_TOLERANCE
        self.board: Leaderboard | None = None
        self.auto_show = True
        self._finished = bool(self.controller.sim.finished)

        body = QWidget()
        self.tol_edit = QLineEdit(format_value(self.tolerance))
        self.tol_edit.setObjectName("tolerance")
        self.tol_edit.setMaximumWidth(90)
        self.tol_edit.setToolTip("A run has settled at step t when J(W_s) − J* ≤ this for every step s from t "
                                 "to the end (J* the surface's global minimum). Unused where J* is unknown.")
        self.tol_edit.editingFinished.connect(self._tolerance_edited)
        self.criterion = QLabel()
        self.criterion.setObjectName("criterion")
        row = QHBoxLayout()
        row.addWidget(QLabel("Tolerance"))
        row.addWidget(self.tol_edit)
        row.addWidget(self.criterion, 1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("leaderboard-table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        for c in range(len(COLUMNS)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table.installEventFilter(self)  # a new font (presentation mode): columns and dock refit
        # Columns that grow after a refresh (presentation mode re-sizes them to new item fonts):
        # the table and the dock widen with them.
        self._width_pending = False
        header.sectionResized.connect(lambda *_: self._schedule_width())
        self.mode = QLabel()
        self.mode.setObjectName("ranking-mode")
        self.mode.setWordWrap(True)
        bold = self.mode.font()
        bold.setBold(True)
        self.mode.setFont(bold)
        self.mode.hide()
        self.note = QLabel()
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #4a5261")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        layout.addWidget(self.mode)
        layout.addWidget(self.table)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.setWidget(body)
        self.setMinimumWidth(420)
        host.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self)
        self.hide()

        c = self.controller
        c.advanced.connect(self._on_advanced)
        c.runsChanged.connect(self._on_runs)
        self.model.playback.events.connect("playing", self._on_playing)
        self.visibilityChanged.connect(lambda shown: shown and self.refresh())
        self.topLevelChanged.connect(lambda _: self.board is not None and self.refresh())  # the note's length
        self.toggle_action: QAction | None = None
        self.auto_action: QAction | None = None

    def install(self, menu) -> dict[str, QAction]:
        """Analysis menu entries: show/hide the dock, and whether it appears at a race's end."""
        toggle = self.toggleViewAction()
        toggle.setText("&Leaderboard")
        toggle.setObjectName("leaderboard-toggle")
        toggle.setStatusTip("Show or hide the finish leaderboard")
        auto = QAction("Show the leaderboard when a race &ends", self, checkable=True)
        auto.setObjectName("leaderboard-auto")
        auto.setChecked(self.auto_show)
        auto.toggled.connect(lambda on: setattr(self, "auto_show", bool(on)))
        menu.addAction(toggle)
        menu.addAction(auto)
        self.toggle_action, self.auto_action = toggle, auto
        return {"leaderboard": toggle, "leaderboard_auto": auto}

    # ------------------------------------------------------------------ reactions

    def _on_advanced(self) -> None:
        finished = bool(self.controller.sim.finished)
        ended = finished and not self._finished
        self._finished = finished
        if ended:
            self.refresh()
            if self.auto_show and not self.isVisible():
                self.show()
                self.raise_()

    def _on_runs(self) -> None:
        self._finished = bool(self.controller.sim.finished)
        if self.isVisible():
            self.refresh()

    def _on_playing(self, playing: bool) -> None:
        if not playing and self.isVisible():
            self.refresh()

    def _tolerance_edited(self) -> None:
        text = self.tol_edit.text().strip().replace("−", "-")
        try:
            self.set_tolerance(float(text))
        except ValueError:
            self.tol_edit.setText(format_value(self.tolerance))
            self.show_message(f"tolerance must be a number >= 0, got {text!r}")

    def set_tolerance(self, tol: float) -> None:
        if not (math.isfinite(tol) and tol >= 0):
            raise ValueError(f"tolerance must be a finite number >= 0, got {tol}")
        self.tolerance = float(tol)
        if self.tol_edit.text() != format_value(self.tolerance):
            self.tol_edit.setText(format_value(self.tolerance))
        self.refresh()

    # ------------------------------------------------------------------ content

    def refresh(self) -> Leaderboard:
        """Rank the race as it stands (the core's numbers) and fill the table."""
        sim = self.controller.sim
        runs = self.model.runs
        board = leaderboard(sim, self.tolerance, titles=[run.title for run in runs])
        self.board = board
        styles = self.controller.styles()
        by_final = board.by_final_loss
        self.table.setHorizontalHeaderLabels([*COLUMNS[:2], STEPS_HEADER if by_final else COLUMNS[2], *COLUMNS[3:]])
        self.table.setRowCount(len(board.entries))
        for i, e in enumerate(board.entries):
            rank = QTableWidgetItem(str(e.rank))
            rank.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            name = QTableWidgetItem(e.title)
            name.setData(Qt.ItemDataRole.DecorationRole, QColor(styles[e.index].color))
            if by_final:
                steps = QTableWidgetItem(f"{e.steps:,}")
            else:
                steps = QTableWidgetItem("—" if e.steps_to_tolerance is None else f"{e.steps_to_tolerance:,}")
                steps.setToolTip("never settled within the tolerance" if e.steps_to_tolerance is None else
                                 f"J − J* ≤ {board.tolerance:.3g} from step {e.steps_to_tolerance:,} to the end")
            steps.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            loss = QTableWidgetItem(loss_text(e.final_loss))
            loss.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            outcome = QTableWidgetItem(short_outcome(e.outcome))
            outcome.setToolTip(e.outcome)
            if e.failed:
                outcome.setForeground(QColor("#b00020"))
            for c, item in enumerate((rank, name, steps, loss, outcome)):
                self.table.setItem(i, c, item)
        self.tol_edit.setEnabled(not by_final)
        self.mode.setVisible(by_final)
        self.mode.setText(board.rule().split(";")[0] + "." if by_final else "")
        self.criterion.setText(board.criterion())
        steps = int(sim.steps.max()) if sim.K else 0
        state = "Race finished" if sim.finished else "Standings so far (the race has not finished)"
        if by_final:
            rule = " Diverged runs last."
        elif self.isFloating():
            # Floating over the plots (no column beside the views), the card stays short: the
            # criterion beside the tolerance says when a run has settled, the tooltip the rest.
            rule = ""
        else:
            rule = " " + board.rule()
        self.note.setText(f"{state}, step {steps:,} of {sim.max_steps:,}.{rule}")
        self.note.setToolTip(RULES)
        self.table.setToolTip(RULES)
        self._fit()
        self.refreshed.emit()
        return board

    def _schedule_width(self) -> None:
        if not self._width_pending:
            self._width_pending = True
            QTimer.singleShot(0, self._fit_width)

    def _fit_width(self) -> int:
        """The table as wide as its columns, the dock as wide as the table. Returns the width."""
        self._width_pending = False
        t = self.table
        header = t.horizontalHeader()
        # Every section is sized to its contents (none stretches), so their sum is what the text needs.
        width = sum(header.sectionSize(c) for c in range(t.columnCount())) + 2 * t.frameWidth() + 2
        t.setMinimumWidth(width)
        margins = self.widget().layout().contentsMargins()
        self.setMinimumWidth(max(420, width + margins.left() + margins.right() + 4))  # the dock area obeys
        return width

    def _fit(self) -> None:
        """Columns as wide as their text, the table as wide and tall as its columns and rows (no
        scrolling, nothing elided), the dock as wide as the table."""
        t = self.table
        t.resizeColumnsToContents()
        t.resizeRowsToContents()
        header = t.horizontalHeader()
        self._fit_width()
        rows = sum(t.rowHeight(r) for r in range(t.rowCount()))
        height = header.sizeHint().height() + rows + 2 * t.frameWidth() + 2
        t.setMinimumHeight(height)
        t.setMaximumHeight(height)
        t.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = self.widget()
        body.updateGeometry()
        if self.isVisible() and not self.isFloating():  # room for every row in the dock column
            self.host.resizeDocks([self], [body.minimumSizeHint().height() + 40], Qt.Orientation.Vertical)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.table and event.type() == QEvent.Type.FontChange and self.board is not None:
            QTimer.singleShot(0, self._fit)  # after every item has its new font
        return super().eventFilter(obj, event)

    def elided_cells(self) -> list[tuple[int, int, str]]:
        """(row, column, text) of every cell or header whose text is wider than its column (it
        would be elided or cut), measured with the font it is drawn in. Empty when all fit."""
        t = self.table
        out = []
        pad = 2 * (t.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, t) + 1)
        for c in range(t.columnCount()):
            width = t.columnWidth(c)
            head = t.horizontalHeaderItem(c)
            if head is not None:
                fm = QFontMetrics(t.horizontalHeader().font())
                if fm.horizontalAdvance(head.text()) + pad > width:
                    out.append((-1, c, head.text()))
            for r in range(t.rowCount()):
                item = t.item(r, c)
                if item is None:
                    continue
                fm = QFontMetrics(item.font())
                need = fm.horizontalAdvance(item.text()) + pad
                if item.data(Qt.ItemDataRole.DecorationRole) is not None:  # the colour swatch and its margin
                    need += t.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, t) + pad
                if need > width:
                    out.append((r, c, item.text()))
        if sum(t.columnWidth(c) for c in range(t.columnCount())) > t.viewport().width():
            out.append((-1, -1, "the columns are wider than the table: the last ones are cut"))
        return out

    def rows(self) -> list[tuple[str, ...]]:
        """The table's text, row by row (for tests and accessibility)."""
        return [tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
                for r in range(self.table.rowCount())]


__all__ = ["LeaderboardDock", "loss_text"]
