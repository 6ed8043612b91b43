"""The colour bar beside the contour map: which loss J each colour of the map means.

It reads the same :class:`~optviz.core.scale.ValueScale` as the map, so a log-scaled surface
(Rosenbrock) gets one tick per decade above its minimum and a linear one round values.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...core.scale import ValueScale
from ...core.ticks import decade_ticks, nice_ticks, tick_label
from ...render import colormap
from ...render.theme import NORMAL, Theme, get_theme

#: Design point size of the tick labels (the map's tick size).
TICK_POINT_SIZE = 11
#: Bar width in text heights; labels at least this many text heights apart.
BAR_LINES = 0.9
LABEL_SPACING_LINES = 1.8


class ColorBar(QWidget):
    """A vertical colour bar with J tick labels; ``bar_rect()`` is the gradient's rectangle.

    The owner sets its height to the map's: ``top_margin()`` pixels above the gradient hold the
    title "J", and half a text line below it the lowest label.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("color-bar")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.scale: ValueScale | None = None
        self._theme: Theme = NORMAL
        self._scale = 1.0
        self.setToolTip("The loss J at each colour of the map")
        self._apply_font()

    def set_scale(self, scale: ValueScale | None) -> None:
        self.scale = scale
        self.updateGeometry()
        self.update()

    def set_look(self, theme, scale: float = 1.0) -> None:
        self._theme = get_theme(theme) if isinstance(theme, str) else theme
        self._scale = float(scale)
        self._apply_font()
        self.updateGeometry()
        self.update()

    def _apply_font(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(TICK_POINT_SIZE * self._scale)
        self.setFont(font)

    # ------------------------------------------------------------------ geometry

    def _line(self) -> float:
        return QFontMetricsF(self.font()).height()

    def top_margin(self) -> int:
        """Pixels above the gradient (the title)."""
        return int(math.ceil(self._line() * 1.2))

    def bottom_margin(self) -> int:
        return int(math.ceil(self._line() * 0.5))

    def sizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        labels = [text for _, text in self.ticks(400)] or ["0"]
        width = self._line() * BAR_LINES + self._line() * 0.4 + max(fm.horizontalAdvance(t) for t in labels)
        return QSize(int(math.ceil(width)) + 4, 200)

    def bar_rect(self) -> QRectF:
        h = self._line()
        top, bottom = self.top_margin(), self.height() - self.bottom_margin()
        return QRectF(1, top, h * BAR_LINES, max(bottom - top, 1))

    def ticks(self, height: float | None = None) -> list[tuple[float, str]]:
        """(u, label) of every tick: u ∈ [0, 1] up the bar, at most one per LABEL_SPACING_LINES."""
        s = self.scale
        if s is None or not (np.isfinite(s.lo) and np.isfinite(s.hi)) or not s.hi > s.lo:
            return []
        height = self.bar_rect().height() if height is None else height
        most = max(3, int(height / (self._line() * LABEL_SPACING_LINES)) + 1)
        if s.log:
            values = decade_ticks(s.lo, s.hi, s._delta * 10, most)
            step = None
        else:
            values = nice_ticks(s.lo, s.hi, min(most, 6))
            if len(values) < 3:  # a short bar still gets its two ends' worth of ticks
                values = nice_ticks(s.lo, s.hi, min(most, 6) + 2)
            step = float(np.min(np.diff(values))) if len(values) > 1 else None
        u = s(values)
        keep = [(float(ui), tick_label(float(v), step)) for ui, v in zip(u, values) if 0 <= ui <= 1]
        # Never two labels closer than the spacing (the log scale crowds its lowest decades).
        spaced, last = [], -1.0
        gap = self._line() * 1.05 / max(height, 1.0)
        for ui, text in keep:
            if ui - last >= gap or not spaced:
                spaced.append((ui, text))
                last = ui
        return spaced

    # ------------------------------------------------------------------ painting

    def paintEvent(self, _event) -> None:
        if self.scale is None:
            return
        painter = QPainter(self)
        bar = self.bar_rect()
        table = colormap.lookup_table(256)
        image = QImage(1, 256, QImage.Format.Format_RGBA8888)
        for i in range(256):
            r, g, b, a = (int(c) for c in table[255 - i])
            image.setPixelColor(0, i, QColor(r, g, b, a))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(bar, image)
        text = QColor(*self._theme.text)
        pen = QPen(text)
        pen.setWidthF(max(1.0, self._theme.axis_width * self._scale))
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(bar)
        fm = QFontMetricsF(self.font())
        painter.setFont(self.font())
        x = bar.right() + self._line() * 0.4
        for u, label in self.ticks():
            y = bar.bottom() - u * bar.height()
            painter.drawLine(QPointF(bar.right() - bar.width() * 0.3, y), QPointF(bar.right(), y))
            painter.drawText(QPointF(x, y + fm.ascent() / 2 - fm.descent() / 2), label)
        title = QFont(self.font())
        title.setItalic(True)
        painter.setFont(title)
        # Italic letters lean left below the baseline: start a little in from the edge.
        painter.drawText(QRectF(self._line() * 0.25, 0, self.width(), self.top_margin()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), "J")
        painter.end()
