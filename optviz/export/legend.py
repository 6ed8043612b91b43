"""The legend of an exported frame: the preset's title, one entry per run, the step counter.

Two forms. :class:`LegendPanel` fills a panel beside (or below) the map, so it never covers a
path: per run a swatch (its colour, dash pattern and head marker), its name and settings (painted once), and its loss
and status at the frame's step (painted per frame). :class:`LegendBox` is the compact form
laid over a map corner when the frame has no room for a panel.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QFontMetricsF, QPainter

from . import style as st
from .race import Race

SWATCH = 74.0  # design px: the sample line of a legend entry (a whole period of every dash pattern)
ENTRY_WIDTH = 340.0  # design px: the narrowest column of entries
MIN_FONT_SCALE = 0.7  # entries that do not fit shrink their fonts down to this
CAPTION_LINES = 5


def _loss_text(value: float) -> str:
    if not math.isfinite(value):
        return "J = ∞" if value == math.inf else "J undefined"
    return st.minus(f"J = {value:.3g}")


def _swatch(painter: QPainter, style: st.Style, x: float, y: float, run) -> None:
    """A short thick line in the run's colour and dash pattern ending in its head marker: what
    its path looks like on the map."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    color = QColor(run.color)
    a, b = QPointF(x, y), QPointF(x + style.px(SWATCH), y)
    painter.setPen(style.pen(st.PANEL_LINE, st.CASING_WIDTH))
    painter.drawLine(a, b)
    width = st.PATH_WIDTH + 1
    painter.setPen(style.pen(color, width))
    st.stroke(painter, [[a.x(), a.y()], [b.x(), b.y()]], run.dash or (), style.px(width))
    st.head(painter, style, b, color, marker=run.marker or "o")


def counter_text(step: int, total: int) -> tuple[str, str, str]:
    return "step ", f"{step:,}".replace(",", "\u2009"), f" / {total:,}".replace(",", "\u2009")


def paint_counter(painter: QPainter, style: st.Style, rect: QRectF, step: int, total: int,
                  align=Qt.AlignmentFlag.AlignLeft) -> None:
    """"step 120 / 400" with the number in bold, vertically centred in ``rect``."""
    small, big = style.font(st.LEGEND_FONT), style.font(st.COUNTER_FONT, bold=True)
    pre, number, post = counter_text(step, total)
    # Width reserved for the widest number, so the text after it does not jitter frame to frame.
    w_num = max(st.text_width(big, number), st.text_width(big, "8" * len(number)))
    widths = (st.text_width(small, pre), w_num, st.text_width(small, post))
    x = rect.x()
    if align & Qt.AlignmentFlag.AlignRight:
        x = rect.right() - sum(widths)
    elif align & Qt.AlignmentFlag.AlignHCenter:
        x = rect.center().x() - sum(widths) / 2
    base = rect.center().y() + QFontMetricsF(big).ascent() / 2 - QFontMetricsF(big).descent() / 2
    painter.setFont(small)
    painter.setPen(st.MUTED)
    painter.drawText(QPointF(x, base), pre)
    painter.setFont(big)
    painter.setPen(st.TEXT)
    painter.drawText(QPointF(x + widths[0] + w_num - st.text_width(big, number), base), number)
    painter.setFont(small)
    painter.setPen(st.MUTED)
    painter.drawText(QPointF(x + widths[0] + w_num, base), post)


class LegendPanel:
    """Title (optional), run entries in columns, and the step counter, inside ``rect``."""

    def __init__(self, race: Race, rect: QRectF, style: st.Style, total: int, title: bool = True,
                 counter: bool = True) -> None:
        self.race, self.rect, self.style, self.total = race, QRectF(rect), style, total
        self.title, self.counter = title, counter
        self.runs = [k for k, run in enumerate(race.runs) if run.visible]
        pad = style.px(st.PAD * 1.4)
        inner = self.rect.adjusted(pad, pad, -pad, -pad)
        self._inner = inner
        self.f_title, self.f_caption = style.font(st.TITLE_FONT, bold=True), style.font(st.CAPTION_FONT)
        self.f_name, self.f_detail = style.font(st.LEGEND_FONT, bold=True), style.font(st.DETAIL_FONT)
        y = inner.top()
        if title:
            h = self._text_height(self.f_title, race.surface.title, inner.width(), 2)
            self._title_rect = QRectF(inner.left(), y, inner.width(), h)
            y += h + style.px(6)
            caption = getattr(race.surface, "caption", "")
            h = self._text_height(self.f_caption, caption, inner.width(), CAPTION_LINES) if caption else 0.0
            self._caption_rect = QRectF(inner.left(), y, inner.width(), h)
            y += h + style.px(26)
        counter_h = st.line_height(style.font(st.COUNTER_FONT, bold=True)) if counter else 0.0
        self._counter_rect = QRectF(inner.left(), inner.bottom() - counter_h, inner.width(), counter_h)
        area = QRectF(inner.left(), y, inner.width(), max(self._counter_rect.top() - style.px(18) - y, 0.0))
        self._entries = self._layout_entries(area)
        if self._entries and self._entries[-1][1].bottom() > area.bottom() + 0.5:
            # Too many runs for the room: smaller letters rather than entries over each other.
            scale = max(area.height() / (self._entries[-1][1].bottom() - area.top()), MIN_FONT_SCALE)
            self.f_name = style.font(st.LEGEND_FONT * scale, bold=True)
            self.f_detail = style.font(st.DETAIL_FONT * scale)
            self._entries = self._layout_entries(area)

    def _text_height(self, font, text: str, width: float, max_lines: int) -> float:
        fm = QFontMetricsF(font)
        rect = fm.boundingRect(QRectF(0, 0, width, 1e6), int(Qt.TextFlag.TextWordWrap), text)
        return min(rect.height(), fm.lineSpacing() * max_lines)

    def _layout_entries(self, area: QRectF) -> list[tuple[int, QRectF]]:
        style = self.style
        entry_h = st.line_height(self.f_name) + 2 * st.line_height(self.f_detail) + style.px(16)
        n = len(self.runs)
        if n == 0:
            return []
        most = max(1, int(area.width() // style.px(ENTRY_WIDTH)))
        cols = next((c for c in range(1, most + 1) if math.ceil(n / c) * entry_h <= area.height()), most)
        rows = math.ceil(n / cols)
        col_w = area.width() / cols
        return [(k, QRectF(area.left() + (i // rows) * col_w, area.top() + (i % rows) * entry_h, col_w, entry_h))
                for i, k in enumerate(self.runs)]

    def paint_static(self, painter: QPainter) -> None:
        style = self.style
        if self.title:
            flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            st.draw_text(painter, self._title_rect, self.race.surface.title, self.f_title, flags=flags)
            st.draw_text(painter, self._caption_rect, getattr(self.race.surface, "caption", ""), self.f_caption,
                         st.MUTED, flags=flags)
        for k, rect in self._entries:
            run = self.race.runs[k]
            lh = st.line_height(self.f_name)
            _swatch(painter, style, rect.left() + style.px(4), rect.top() + lh / 2, run)
            x = rect.left() + style.px(SWATCH + 26)
            w = rect.right() - x - style.px(6)
            st.draw_text(painter, QRectF(x, rect.top(), w, lh), _elide(self.f_name, run.title, w), self.f_name)
            dh = st.line_height(self.f_detail)
            detail = _elide(self.f_detail, run.settings_text(self.race.n_samples), w)
            st.draw_text(painter, QRectF(x, rect.top() + lh, w, dh), detail, self.f_detail, st.MUTED)

    def paint_dynamic(self, painter: QPainter, step: int) -> None:
        """Each run's loss and status at ``step``, and the step counter."""
        style = self.style
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for k, rect in self._entries:
            lh, dh = st.line_height(self.f_name), st.line_height(self.f_detail)
            x = rect.left() + style.px(SWATCH + 26)
            w = rect.right() - x - style.px(6)
            i = self.race.count(k, step) - 1
            status = self.race.describe_at(k, step).replace("converged to minimum", "converged, min")
            text = f"{_loss_text(float(self.race.loss[i, k]))}  ·  {status}"
            st.draw_text(painter, QRectF(x, rect.top() + lh + dh, w, dh), _elide(self.f_detail, text, w),
                         self.f_detail)
        if self.counter:
            paint_counter(painter, style, self._counter_rect, step, self.total)


class LegendBox:
    """A compact legend (swatch and name per run) in a translucent box over a map corner."""

    def __init__(self, race: Race, style: st.Style) -> None:
        self.race, self.style = race, style
        self.runs = [k for k, run in enumerate(race.runs) if run.visible]
        self.font = style.font(st.LEGEND_FONT - 3, bold=True)
        self.row = st.line_height(self.font) + style.px(6)
        pad = style.px(12)
        width = max((st.text_width(self.font, race.runs[k].title) for k in self.runs), default=0.0)
        self.size = (pad * 2 + style.px(SWATCH + 22) + width, pad * 2 + self.row * len(self.runs))
        self.pad = pad

    def paint(self, painter: QPainter, at: QPointF) -> None:
        style = self.style
        rect = QRectF(at.x(), at.y(), *self.size)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(style.pen(QColor(120, 120, 120), 1.2))
        painter.setBrush(QColor(255, 255, 255, 215))
        painter.drawRoundedRect(rect, style.px(6), style.px(6))
        for i, k in enumerate(self.runs):
            y = rect.top() + self.pad + i * self.row
            _swatch(painter, style, rect.left() + self.pad, y + self.row / 2, self.race.runs[k])
            x = rect.left() + self.pad + style.px(SWATCH + 22)
            st.draw_text(painter, QRectF(x, y, rect.right() - x, self.row), self.race.runs[k].title, self.font)


def _elide(font, text: str, width: float) -> str:
    return QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, int(max(width, 10)))
