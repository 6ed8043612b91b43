"""The keyboard-shortcut overlay (F1 or ?): a translucent sheet over the window listing every
key in big type, so a lecturer can read it from a step or two away. Any key or click closes it.

The table is built from the window's QActions themselves (their text and shortcuts), so it
cannot drift from the real bindings; actions added later by other parts of the app show up in
a "More" group.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QPainter, QPainterPath
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

#: Point size of the overlay's text at scale 1 (it shrinks to fit the window if needed).
BASE_POINT_SIZE = 14.0
MIN_POINT_SIZE = 9.0

_PRETTY = {"Right": "→", "Left": "←", "Up": "↑", "Down": "↓", "PgDown": "Page Down", "PgUp": "Page Up",
           "Return": "Enter", "Esc": "Esc"}


def key_text(sequence: QKeySequence) -> str:
    """A shortcut as people say it: "Space", "→", "Shift+P", "Ctrl++"."""
    text = sequence.toString(QKeySequence.SequenceFormat.NativeText)
    if text == "+" or text.endswith("++"):  # the plus key itself
        parts = [p for p in text[:-1].split("+") if p] + ["+"]
    else:
        parts = text.split("+")
    return "+".join(_PRETTY.get(p, p) for p in parts)


def action_keys(action: QAction) -> str:
    """All of an action's shortcuts, "↑ / +"."""
    return " / ".join(key_text(s) for s in action.shortcuts() if not s.isEmpty())


def action_title(action: QAction) -> str:
    return action.text().replace("&&", "\x00").replace("&", "").replace("\x00", "&").rstrip(".…")


class ShortcutOverlay(QWidget):
    """A sheet over ``parent`` (the main window) with groups of (keys, what they do).

    Methods:
        set_groups(groups): ``[(title, [(keys, description), …]), …]``.
        set_scale(scale): text BASE_POINT_SIZE × scale points (shrunk to fit the window).
        open() / close_overlay(); ``isVisible()`` tells whether it is shown.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("shortcut-overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._groups: list = []
        self._scale = 1.0
        self._previous_focus = None
        self.panel = QWidget(self)
        self.panel.setObjectName("shortcut-panel")
        self.panel.setAutoFillBackground(False)
        layout = QVBoxLayout(self.panel)
        layout.setContentsMargins(28, 20, 28, 20)
        self.title = QLabel("Keyboard shortcuts")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel("Click the contour map or drag the start handle to restart every run from there.\n"
                           "Any key or click closes this.")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(36)
        self.grid.setVerticalSpacing(12)
        layout.addWidget(self.title)
        layout.addLayout(self.grid)
        layout.addWidget(self.hint)
        self.columns: list[QLabel] = []
        parent.installEventFilter(self)
        self.hide()

    # ---------------------------------------------------------------- content

    def set_groups(self, groups) -> None:
        self._groups = [(title, list(rows)) for title, rows in groups if rows]
        for label in self.columns:
            self.grid.removeWidget(label)
            label.deleteLater()
        self.columns = []
        # Groups in columns, each column about the same number of rows.
        total = sum(len(rows) + 2 for _, rows in self._groups)
        # Columns of ~16 lines: a full keyboard still fits a 16:9 screen at a readable size.
        n_columns = max(2, min(4, -(-total // 16)))
        per_column = total / n_columns
        column, filled, html = 0, 0, [[] for _ in range(n_columns)]
        for title, rows in self._groups:
            if filled > 0 and filled + (len(rows) + 2) / 2 > per_column and column < n_columns - 1:
                column, filled = column + 1, 0
            html[column].append(self._group_html(title, rows))
            filled += len(rows) + 2
        for c, parts in enumerate(html):
            label = QLabel("".join(parts))
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            self.grid.addWidget(label, 0, c)
            self.columns.append(label)
        self._fit()

    @staticmethod
    def _group_html(title: str, rows) -> str:
        out = [f"<p style='margin-top:6px; margin-bottom:4px; color:#1f4f99'><b>{title}</b></p>",
               "<table cellspacing='0' cellpadding='3'>"]
        for keys, text in rows:
            out.append(f"<tr><td style='padding-right:14px; color:#000000'><b>{keys}</b></td>"
                       f"<td style='color:#202530'>{text}</td></tr>")
        out.append("</table>")
        return "".join(out)

    def text(self) -> str:
        """The overlay's text (for tests and accessibility)."""
        return "\n".join(label.text() for label in self.columns)

    def set_scale(self, scale: float) -> None:
        self._scale = float(scale)
        self._fit()

    def _fonts(self, size: float) -> None:
        for label in self.columns:
            font = QFont(label.font())
            font.setPointSizeF(size)
            label.setFont(font)
        big = QFont(self.title.font())
        big.setPointSizeF(size * 1.3)
        big.setBold(True)
        self.title.setFont(big)
        small = QFont(self.hint.font())
        small.setPointSizeF(size * 0.8)
        self.hint.setFont(small)

    def _fit(self) -> None:
        """The largest text up to BASE_POINT_SIZE × scale whose panel fits in the window."""
        parent = self.parentWidget()
        avail_w, avail_h = (parent.width() * 0.96, parent.height() * 0.94) if parent is not None else (1e9, 1e9)
        size = BASE_POINT_SIZE * self._scale
        while True:
            self._fonts(size)
            self.panel.layout().activate()
            hint = self.panel.sizeHint()
            if (hint.width() <= avail_w and hint.height() <= avail_h) or size <= MIN_POINT_SIZE:
                break
            size = max(MIN_POINT_SIZE, size * 0.92)
        self.point_size = size
        self._place()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        self.setGeometry(parent.rect())
        hint = self.panel.sizeHint()
        w, h = min(hint.width(), self.width()), min(hint.height(), self.height())
        self.panel.setGeometry((self.width() - w) // 2, (self.height() - h) // 2, w, h)

    # ---------------------------------------------------------------- showing

    def open(self) -> None:
        self._previous_focus = self.window().focusWidget()
        self._fit()
        self.raise_()
        self.show()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_overlay(self) -> None:
        if not self.isVisible():
            return
        self.hide()
        previous = self._previous_focus
        self._previous_focus = None
        try:
            if previous is not None and previous.isVisible():
                previous.setFocus(Qt.FocusReason.OtherFocusReason)
        except RuntimeError:  # deleted meanwhile
            pass

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(10, 12, 16, 150))
        r = QRectF(self.panel.geometry()).adjusted(-2, -2, 2, 2)
        path = QPainterPath()
        path.addRoundedRect(r, 14, 14)
        painter.fillPath(path, QColor(255, 255, 255, 246))
        painter.end()

    # Any key closes: take every key before the window's shortcuts see it.
    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        event.accept()
        self.close_overlay()

    def mousePressEvent(self, event) -> None:
        event.accept()
        self.close_overlay()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        # Clicking elsewhere (another window) closes it too; popups keep it.
        if event.reason() not in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
            self.close_overlay()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self._fit()
        return False
