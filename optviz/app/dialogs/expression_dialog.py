"""The "Custom function…" dialog: type f(x, y) and a view box, see mistakes pointed out.

The text is untrusted: it only ever goes to :func:`optviz.core.expression.parse_expression`,
which checks it against a whitelist and never runs it. Parsing happens on Apply/OK (and a
short pause after typing), not per keystroke: sympy needs ~0.2 s to load the first time.
A valid function is echoed on one line as it was understood (``x² + 10·y² + sin(3·x)``).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...core.expression import FUNCTIONS, ExpressionError
from ...core.expression_surface import expression_surface
from ..window.ui_scale import scale_widget_fonts

EXAMPLES = ("x**2 + 10*y**2", "sin(x)*cos(y) + 0.1*(x^2 + y^2)", "log(1 + exp(x*y))", "(1 - x)^2 + 5*(y - x^2)^2")
BOX_LIMIT = 1e6
CHECK_DELAY_MS = 400


class ExpressionDialog(QDialog):
    """Asks for an expression f(x, y) and a view box; ``surface`` holds the result on accept.

    Args:
        expression, view: the initial text and box ``(xmin, xmax, ymin, ymax)``.
        parent: the dialog's parent widget (only that: nothing is read from it).
        scale: font scale (presentation mode), 1 by default. A dialog is a window of its own and
            does not inherit the main window's scaled fonts: the caller says the scale.
    """

    def __init__(self, expression: str = EXAMPLES[1], view=(-4.0, 4.0, -4.0, 4.0), parent: QWidget | None = None,
                 scale: float = 1.0):
        super().__init__(parent)
        self.setWindowTitle("Custom loss function")
        self.surface = None
        self.edit = QLineEdit(expression)
        self.edit.setObjectName("expression")
        self.edit.setPlaceholderText("f(x, y), e.g. " + EXAMPLES[0])
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(max(self.font().pointSizeF(), 11.0))
        self.edit.setFont(mono)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(48)
        self.boxes = {}
        box_row = QHBoxLayout()
        for name, value in zip(("xmin", "xmax", "ymin", "ymax"), view):
            spin = QDoubleSpinBox()
            spin.setObjectName(name)
            spin.setRange(-BOX_LIMIT, BOX_LIMIT)
            spin.setDecimals(3)
            spin.setValue(float(value))
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._schedule_check)
            self.boxes[name] = spin
            box_row.addWidget(QLabel(name))
            box_row.addWidget(spin)
        names = " ".join(dict.fromkeys(name for name in FUNCTIONS if not name.startswith("arc") and name != "ln"))
        # One example a line: within a line Qt would break one after its "-".
        examples = "".join(f"<br>&nbsp;&nbsp;<code>{html.escape(e)}</code>" for e in EXAMPLES)
        help_text = QLabel(f"Use x and y, numbers, + − * / and ** or ^, parentheses, pi and e, and {names}. "
                           f"Examples:{examples}")
        help_text.setWordWrap(True)
        help_text.setTextFormat(Qt.TextFormat.RichText)
        form = QFormLayout()
        form.addRow("f(x, y) =", self.edit)
        form.addRow("view", box_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(help_text)
        layout.addWidget(self.buttons)
        if scale != 1.0:
            scale_widget_fonts(self, scale)
        self.resize(round(720 * scale), 0)
        self._timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self.edit.textEdited.connect(self._schedule_check)
        self.edit.returnPressed.connect(self.check)

    def _fit_height(self) -> None:
        """Tall enough for the wrapped message and help at the current width. Qt sizes a window
        by its layout's minimum, which ignores how word-wrapped labels grow, so without this
        the rows are squeezed: the line edit lost the bottom of "_", "y" and "q"."""
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else layout.totalMinimumSize().height()
        if needed > 0 and self.minimumHeight() != needed:
            self.setMinimumHeight(needed)
        if self.height() < needed:
            self.resize(self.width(), needed)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_height()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            QTimer.singleShot(0, self._fit_height)  # after the layout has the new width

    def view(self) -> tuple[float, float, float, float]:
        return tuple(self.boxes[name].value() for name in ("xmin", "xmax", "ymin", "ymax"))

    def _schedule_check(self, *_) -> None:
        self._timer.start()

    def check(self) -> bool:
        """Parse the text and box; show the result or the mistake, pointing at it."""
        self._timer.stop()
        text = self.edit.text()
        try:
            surface = expression_surface(text, view=self.view())
        except ExpressionError as err:
            self.surface = None
            self.edit.setCursorPosition(min(err.offset, len(text)))
            self._show_error(html.escape(str(err), quote=False), err.pointer())
            return False
        except ValueError as err:  # the view box
            self.surface = None
            self._show_error(html.escape(str(err), quote=False))
            return False
        self.surface = surface
        found = len(surface.minima)
        minima = {0: "no minimum", 1: "1 minimum"}.get(found, f"{found} minima") + " found in the view"
        self.message.setText(f"<span style='color:#1b7a3d'>✓ f(x, y) = {html.escape(surface.pretty())}"
                             f"</span><br>{minima}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        self._fit_height()
        return True

    def _show_error(self, text: str, pointer: str | None = None) -> None:
        caret = f"<pre style='margin:0'>{html.escape(pointer, quote=False)}</pre>" if pointer else ""
        self.message.setText(f"<span style='color:#b00020'>✗ {text}</span>{caret}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self._fit_height()

    def accept(self) -> None:
        if self.check():
            super().accept()
