"""The legend of the race: one swatch and title per visible run, in a row under the views.

It is a plain widget beside the views (never an item over a map), so it can hide no path,
head, start, minimum or saddle. Each swatch shows what the run looks like on the map: its
colour, its dash pattern and its head marker, so the legend reads in greyscale too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ...render.theme import NORMAL, Theme, get_theme, hex_color

#: Design point size of the legend text (× the presentation scale).
LEGEND_POINT_SIZE = 11.5
#: Swatch length in text heights, the gap after it in text heights.
SWATCH_LINES = 2.4
GAP_LINES = 0.45


def marker_path(symbol: str, size: float) -> QPainterPath:
    """pyqtgraph's symbol shapes (the map's head markers) at ``size`` pixels, centred on 0."""
    from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols

    path = Symbols.get(symbol) or Symbols["o"]
    return QTransform.fromScale(size, size).map(QPainterPath(path))


def style_pen(color, width: float, dash: Sequence[float] | None = None) -> QPen:
    """A round-capped pen of ``width`` px in ``color``, dashed by ``dash`` (lengths in pen
    widths, Qt's convention; empty or None for a solid line)."""
    pen = QPen(QColor(color))
    pen.setWidthF(width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap if dash else Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if dash:
        pen.setDashPattern([float(d) for d in dash])
    return pen


def paint_swatch(painter: QPainter, rect: QRectF, color, *, dash=None, marker: str = "o", line_width: float = 2.5,
                 marker_size: float = 10.0, outline=QColor(25, 25, 30)) -> None:
    """A run as the map draws it: a short line in its colour and dash pattern ending in its
    head marker (with a dark rim), vertically centred in ``rect``."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    y = rect.center().y()
    end = rect.right() - marker_size / 2 - 1
    painter.setPen(style_pen(color, line_width, dash))
    painter.drawLine(QPointF(rect.left() + 1, y), QPointF(end, y))
    rim = QPen(QColor(outline))
    rim.setWidthF(max(1.0, marker_size / 8))
    painter.setPen(rim)
    painter.setBrush(QColor(color))
    painter.drawPath(marker_path(marker, marker_size).translated(end, y))
    painter.restore()


class Swatch(QWidget):
    """One run's swatch; its size follows the font (so presentation mode scales it)."""

    def __init__(self, style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.style_ = style
        self.theme: Theme = NORMAL
        self.scale = 1.0
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        h = QFontMetricsF(self.font()).height()
        return QSize(int(math.ceil(h * SWATCH_LINES)), int(math.ceil(h)))

    def paintEvent(self, _event) -> None:
        s = self.style_
        painter = QPainter(self)
        h = float(self.height())
        paint_swatch(painter, QRectF(0, 0, self.width(), h), s.color, dash=getattr(s, "dash", None),
                     marker=getattr(s, "marker", "o") or "o", line_width=self.theme.path_width * self.scale,
                     marker_size=min(h * 0.8, self.theme.head_size * self.scale))
        painter.end()


class RunLegend(QWidget):
    """Swatch + title for every visible run, flowing in centred rows across the widget's width.

    One legend serves every view of the race (map, 3D view, loss plots): it sits in a row of
    its own under the views, so it lies over none of them.

    Methods:
        set_runs(styles): the entries (invisible runs are left out).
        set_look(theme, scale): text size and swatches for the theme and presentation scale.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("run-legend")
        self._theme: Theme = NORMAL
        self._scale = 1.0
        self._entries: list[tuple[Swatch, QLabel]] = []
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._apply_font()

    # ------------------------------------------------------------------ content

    def set_runs(self, styles) -> None:
        for swatch, label in self._entries:
            for widget in (swatch, label):  # off screen now; deleted when the event loop runs
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self._entries = []
        for style in styles:
            if not style.visible:
                continue
            swatch = Swatch(style, self)
            label = QLabel(style.title, self)
            label.setObjectName("run-legend-title")
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            self._entries.append((swatch, label))
        self._apply_font()
        self.updateGeometry()
        self._arrange()

    def titles(self) -> list[str]:
        return [label.text() for _, label in self._entries]

    def entries(self) -> list[tuple[Swatch, QLabel]]:
        return list(self._entries)

    def set_look(self, theme, scale: float = 1.0) -> None:
        self._theme = get_theme(theme) if isinstance(theme, str) else theme
        self._scale = float(scale)
        self._apply_font()
        self.updateGeometry()
        self._arrange()

    def _apply_font(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(LEGEND_POINT_SIZE * self._scale)
        font.setBold(True)
        self.setFont(font)
        color = hex_color(self._theme.text)
        for swatch, label in self._entries:
            swatch.setFont(font)
            swatch.theme, swatch.scale = self._theme, self._scale
            label.setFont(font)
            label.setStyleSheet(f"color: {color}; background: transparent;")
            swatch.update()

    # ------------------------------------------------------------------ geometry

    def _flow(self, width: float) -> tuple[list[tuple[int, float, float, float, float]], float]:
        """Entries in centred rows across ``width``: (index, x, y, title width, row height) each,
        and the total height. A title wider than a whole row wraps."""
        fm = QFontMetricsF(self.font())
        h = fm.height()
        swatch, gap, spacing = math.ceil(h * SWATCH_LINES), math.ceil(h * GAP_LINES), math.ceil(h * 1.6)
        pad = math.ceil(h * 0.25)
        width = max(width, swatch + gap + h * 4)
        rows: list[list[tuple[int, float]]] = [[]]
        used = 0.0
        for i, (_, label) in enumerate(self._entries):
            title = min(math.ceil(fm.horizontalAdvance(label.text())) + 2, width - swatch - gap)
            need = swatch + gap + title
            if rows[-1] and used + spacing + need > width:
                rows.append([])
                used = 0.0
            used += (spacing if rows[-1] else 0) + need
            rows[-1].append((i, title))
        placed, y = [], float(pad)
        for row in rows:
            if not row:
                continue
            heights = [max(fm.boundingRect(QRectF(0, 0, t, 1e6), int(Qt.TextFlag.TextWordWrap),
                                           self._entries[i][1].text()).height(), h) for i, t in row]
            row_h = max(heights)
            total = sum(swatch + gap + t for _, t in row) + spacing * (len(row) - 1)
            x = max((width - total) / 2, 0.0)
            for i, t in row:
                placed.append((i, x, y, t, row_h))
                x += swatch + gap + t + spacing
            y += row_h + gap
        return placed, (y - gap + pad if placed else 0.0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return int(math.ceil(self._flow(width)[1]))

    def sizeHint(self) -> QSize:
        width = max(self.width(), 400)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(100, self.heightForWidth(max(self.width(), 100)))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        fm = QFontMetricsF(self.font())
        h = fm.height()
        swatch, gap = math.ceil(h * SWATCH_LINES), math.ceil(h * GAP_LINES)
        placed, height = self._flow(self.width())
        for i, x, y, title, row_h in placed:
            sw, label = self._entries[i]
            sw.setGeometry(int(x), int(y + (min(row_h, h * 1.5) - h) / 2), int(swatch), int(math.ceil(h)))
            label.setGeometry(int(x + swatch + gap), int(y), int(math.ceil(title)), int(math.ceil(row_h)))
            sw.show()
            label.show()
        if abs(self.height() - height) > 1:
            self.setFixedHeight(int(math.ceil(height)))
