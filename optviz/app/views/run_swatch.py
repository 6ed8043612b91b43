"""A run's look in a small widget: the swatch in the header of its optimizer card.

A short line in the run's colour and dash pattern ending in its head marker, drawn as the map
and the legend draw the run (:func:`optviz.app.views.run_legend.paint_swatch`), so the card names
the run by the same three cues (colour, dash, marker) that tell runs apart everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from .run_legend import paint_swatch


class RunSwatch(QWidget):
    """``size`` pixels high and twice as wide. ``color()``/``setColor()`` as a colour swatch;
    :meth:`set_look` sets colour, dash pattern (line widths, ``()`` solid) and marker at once."""

    def __init__(self, color: str = "#000000", dash=(), marker: str = "o", size: int = 18,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._color, self._dash, self._marker = QColor(color), tuple(dash or ()), marker or "o"
        self.setFixedSize(2 * size, size)

    def color(self) -> str:
        return self._color.name()

    def dash(self) -> tuple[float, ...]:
        return self._dash

    def marker(self) -> str:
        return self._marker

    def setColor(self, color: str) -> None:
        self.set_look(color, self._dash, self._marker)

    def set_look(self, color: str, dash=(), marker: str = "o") -> None:
        self._color, self._dash, self._marker = QColor(color), tuple(dash or ()), marker or "o"
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        h = float(self.height())
        # The line as thick as a thin path; the marker nearly the full height.
        paint_swatch(painter, QRectF(0, 0, self.width(), h), self._color, dash=self._dash, marker=self._marker,
                     line_width=max(2.0, h / 7), marker_size=h * 0.72)
        painter.end()
