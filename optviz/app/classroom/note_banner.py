"""The note banner: the scenario's note (or the preset's caption) above the views while the side
panel is collapsed, as in presentation mode, so the lesson's text stays on screen.

It opens collapsed: the title and the note's first sentence, so the views keep the screen; a
click on ▸ (or N) shows the whole note, and ▾ folds it again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from ...render.theme import NORMAL, Theme, get_theme, hex_color

#: Design point size of the note (× the presentation scale).
NOTE_POINT_SIZE = 11.0


class NoteBanner(QWidget):
    """A collapsible banner of text: a ▾/▸ button and the text (wrapped when open)."""

    toggled = Signal(bool)  # collapsed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("note-banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._theme: Theme = NORMAL
        self._scale = 1.0
        self.title = ""
        self.body = ""
        self.collapsed = True
        self.button = QToolButton(self)
        self.button.setObjectName("note-banner-toggle")
        self.button.setAutoRaise(True)
        self.button.setToolTip("Show or hide the note (N)")
        self.button.clicked.connect(self.toggle)
        self.label = QLabel(self)
        self.label.setObjectName("note-banner-text")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.set_look("normal", 1.0)

    def set_text(self, title: str, body: str = "") -> None:
        self.title, self.body = str(title or ""), str(body or "")
        self._show()

    def toggle(self) -> None:
        self.set_collapsed(not self.collapsed)

    def set_collapsed(self, collapsed: bool) -> None:
        self.collapsed = bool(collapsed)
        self._show()
        self.toggled.emit(self.collapsed)

    def set_look(self, theme, scale: float = 1.0) -> None:
        self._theme = get_theme(theme) if isinstance(theme, str) else theme
        self._scale = float(scale)
        font = QFont(self.font())
        font.setPointSizeF(NOTE_POINT_SIZE * self._scale)
        for widget in (self, self.label, self.button):
            widget.setFont(font)
        text = hex_color(self._theme.text)
        self.setStyleSheet(f"#note-banner {{ background: #f3f5f8; border-bottom: 1px solid #c8cdd4; }}"
                           f"#note-banner-text {{ color: {text}; }}")
        self._show()

    def _show(self) -> None:
        import html

        self.button.setText("▸" if self.collapsed else "▾")
        title = html.escape(self.title)
        body = typeset_hats(html.escape(self.body), self.label.font())
        if self.collapsed:
            first, rest = first_sentence(body)
            text = f"<b>{title}</b>{' — ' if title and first else ''}{first}{' …' if rest else ''}"
            self.label.setToolTip(self.body if rest else "")
        else:
            text = f"<b>{title}</b>{' — ' if title and body else ''}{body}"
            self.label.setToolTip("")
        self.label.setText(text)


def first_sentence(text: str) -> tuple[str, bool]:
    """The first sentence of ``text`` and whether more follows."""
    for i, c in enumerate(text):
        if c == "." and (i + 1 == len(text) or text[i + 1] == " "):
            return text[: i + 1], i + 1 < len(text.rstrip())
    return text, False


def typeset_hats(text: str, font) -> str:
    """Rich text with every letter + combining circumflex (p̂, r̂) set as the update rule sets
    them: Qt's layout drops a combining mark onto another letter, even another line."""
    from ..panels.equations import hat_html

    out, i = [], 0
    while i < len(text):
        if i + 1 < len(text) and text[i + 1] == "\u0302":
            out.append(hat_html(text[i], font))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
