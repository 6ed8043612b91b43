"""The legend of an exported frame: the preset's title, one entry per run, the step counter.

Two forms. :class:`LegendPanel` fills a panel beside (or below) the map, so it never covers a
path: per run a swatch (its colour, dash pattern and head marker), its name and settings (painted once), and its loss
and status at the frame's step (painted per frame). :class:`LegendBox` is the compact form
laid over a map corner when the frame has no room for a panel.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter

from ..render import contour_painter as cp
from ..render.map_style import EXPORT_SCALE
from ..render.theme import NORMAL
from . import style as st
from .race import Race, settings_text

SWATCH = 74.0  # design px: the sample line of a legend entry (a whole period of every dash pattern)
ENTRY_WIDTH = 340.0  # design px: the narrowest column of entries
MIN_FONT_SCALE = 0.7  # entries that do not fit shrink their fonts down to this
NO_WRAP_SCALE = 0.8  # ...and to this rather than wrap a run's name


def _loss_text(value: float) -> str:
    if not math.isfinite(value):
        return "J = ∞" if value == math.inf else "J undefined"
    return st.minus(f"J = {value:.3g}")


def _swatch(painter: QPainter, style: st.Style, x: float, y: float, look, scale: float = 1.0) -> None:
    """A short thick line in the run's colour and dash pattern ending in its head marker as the
    map draws it (:func:`optviz.render.contour_painter.paint_head`): what its path looks like
    on the map (``scale``: of the length and the marker)."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    color = QColor(look.color)
    a, b = QPointF(x, y), QPointF(x + style.px(SWATCH * scale), y)
    painter.setPen(style.pen(st.PANEL_LINE, st.CASING_WIDTH))
    painter.drawLine(a, b)
    width = st.PATH_WIDTH + 1
    painter.setPen(style.pen(color, width))
    st.stroke(painter, [[a.x(), a.y()], [b.x(), b.y()]], look.dash or (), style.px(width))
    map_look = cp.map_look(NORMAL, EXPORT_SCALE * style.unit)
    cp.paint_head(painter, b, color, look.marker or "o", map_look, map_look.head_size * scale)


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


class _Entry:
    """What one run's legend entry says, and where each part goes (relative to the entry)."""

    def __init__(self, k: int, name: str, detail: str, losses: list[str], statuses: list[str]) -> None:
        # "B = 16" and "α = 0.1" wrap as one word.
        self.k, self.name, self.detail = k, _keep_together(name), _keep_together(detail)
        self.losses, self.statuses = losses, statuses  # the widest texts the frames can show
        self.rect = QRectF()
        self.name_h = self.detail_h = self.line_h = 0.0
        self.inline = False  # the settings on the name's line, after it
        self.split = False  # loss and status on two lines

    def measure(self, f_name, f_detail, width: float) -> float | None:
        """Lay the entry out in ``width`` pixels of text; its height, or None if a word (or a
        loss, or a status) is wider than that."""
        for font, text in ((f_name, self.name), (f_detail, self.detail)):
            if text and st.wrapped_width(font, text, width) > width + 0.5:
                return None
        self.name_h = st.wrapped_height(f_name, self.name, width)
        self.inline = bool(self.detail) and (st.text_width(f_name, self.name) + st.text_width(f_detail, DETAIL_GAP)
                                             + st.text_width(f_detail, self.detail) <= width)
        self.detail_h = 0.0 if self.inline or not self.detail else st.wrapped_height(f_detail, self.detail, width)
        self.line_h = st.line_height(f_detail)
        widest_loss = max(st.text_width(f_detail, t) for t in self.losses)
        widest_status = max(st.text_width(f_detail, t) for t in self.statuses)
        one_line = widest_loss + st.text_width(f_detail, STATUS_SEPARATOR) + widest_status
        if max(widest_loss, widest_status) > width:
            return None
        self.split = one_line > width
        return self.name_h + self.detail_h + self.line_h * (2 if self.split else 1)


#: Between a run's loss and its status on one line; between its name and settings.
STATUS_SEPARATOR = "  ·  "
DETAIL_GAP = "   "


def _settings_detail(title: str, settings: str) -> str:
    """The settings that the run's title does not already say ("α = 0.1" under "GD, α = 0.1")."""
    return ", ".join(part for part in settings.split(", ") if part and part not in title)


_DIGITS = str.maketrans("0123456789", "8888888888")


def _keep_together(text: str) -> str:
    return text.replace(" = ", "\u00a0=\u00a0")


def _status_text(text: str) -> str:
    return text.replace("converged to minimum", "converged, min")


class LegendPanel:
    """Title (optional), run entries in columns, and the step counter, inside ``rect``.

    Nothing is cut off: the caption wraps over as many lines as it needs, run names and
    settings wrap, a loss and status too wide for one line take two, and the entries take
    more columns or smaller letters (down to :data:`MIN_FONT_SCALE`) until they fit.
    """

    def __init__(self, race: Race, rect: QRectF, style: st.Style, total: int, title: bool = True,
                 counter: bool = True) -> None:
        self.race, self.rect, self.style, self.total = race, QRectF(rect), style, total
        self.title, self.counter = title, counter
        self.runs = [k for k, run in enumerate(race.runs) if run.visible]
        pad = style.px(st.PAD * 1.4)
        inner = self.rect.adjusted(pad, pad, -pad, -pad)
        self._inner = inner
        self.f_title, self.f_caption = style.font(st.TITLE_FONT, bold=True), style.font(st.CAPTION_FONT)
        y = inner.top()
        if title:
            h = st.wrapped_height(self.f_title, race.shown_title, inner.width())
            self._title_rect = QRectF(inner.left(), y, inner.width(), h)
            y += h + style.px(6)
            caption = race.shown_caption
            h = st.wrapped_height(self.f_caption, caption, inner.width()) if caption else 0.0
            self._caption_rect = QRectF(inner.left(), y, inner.width(), h)
            y += h + style.px(26)
        counter_h = st.line_height(style.font(st.COUNTER_FONT, bold=True)) if counter else 0.0
        self._counter_rect = QRectF(inner.left(), inner.bottom() - counter_h, inner.width(), counter_h)
        area = QRectF(inner.left(), y, inner.width(), max(self._counter_rect.top() - style.px(18) - y, 0.0))
        self._items = [self._describe(k) for k in self.runs]
        self._entries = self._layout_entries(area)

    def _describe(self, k: int) -> _Entry:
        race, run = self.race, self.race.runs[k]
        detail = _settings_detail(run.title, settings_text(run, race.n_samples))
        # The widest texts any frame can show: every loss the run takes, in the shapes its digits
        # make (all digits are as wide), and its status: running, or its final one.
        values = np.unique(race.loss[: int(race.lengths[k]), k])
        losses = sorted({_loss_text(float(v)).translate(_DIGITS) for v in values}) or [_loss_text(math.nan)]
        statuses = {_status_text(race.describe_at(k, s)) for s in (0, int(race.lengths[k]) - 1, race.last_step)}
        return _Entry(k, run.title, detail, losses, sorted(statuses))

    def _layout_entries(self, area: QRectF) -> list[tuple[int, QRectF]]:
        """Place the entries in the largest letters, then the fewest columns, that fit ``area``."""
        style, n = self.style, len(self._items)
        if n == 0:
            self.f_name, self.f_detail = style.font(st.LEGEND_FONT, bold=True), style.font(st.DETAIL_FONT)
            return []
        most = max(1, int(area.width() // style.px(ENTRY_WIDTH * MIN_FONT_SCALE)))
        scales = [1.0 - 0.05 * i for i in range(int(round((1.0 - MIN_FONT_SCALE) / 0.05)) + 1)]
        choice = None
        # Names on one line if that costs at most NO_WRAP_SCALE of the letter size, else wrapped.
        for one_line in (True, False):
            for scale in scales:
                if one_line and scale < NO_WRAP_SCALE:
                    break
                f_name = style.font(st.LEGEND_FONT * scale, bold=True)
                f_detail = style.font(st.DETAIL_FONT * scale)
                for cols in range(1, min(most, n) + 1):
                    col_w = area.width() / cols
                    text_w = col_w - style.px((SWATCH + 26) * scale) - style.px(6)
                    heights = [item.measure(f_name, f_detail, text_w) for item in self._items]
                    if any(h is None for h in heights):
                        continue
                    if one_line and any(item.name_h > st.line_height(f_name) * 1.5 for item in self._items):
                        continue
                    rows = math.ceil(n / cols)
                    entry_h = max(heights) + style.px(16 * scale)
                    if rows * entry_h <= area.height() + 0.5:
                        choice = (scale, cols, f_name, f_detail, entry_h)
                        break
                if choice:
                    break
            if choice:
                break
        if choice is None:  # no room at all: the smallest letters in the most columns, overlapping
            scale, cols = MIN_FONT_SCALE, min(most, n)
            f_name, f_detail = style.font(st.LEGEND_FONT * scale, bold=True), style.font(st.DETAIL_FONT * scale)
            text_w = area.width() / cols - style.px((SWATCH + 26) * scale) - style.px(6)
            entry_h = max(item.measure(f_name, f_detail, text_w) or 0.0 for item in self._items) + style.px(16 * scale)
            choice = (scale, cols, f_name, f_detail, entry_h)
        self.font_scale, cols, self.f_name, self.f_detail, entry_h = choice
        rows = math.ceil(n / cols)
        col_w = area.width() / cols
        for i, item in enumerate(self._items):
            item.rect = QRectF(area.left() + (i // rows) * col_w, area.top() + (i % rows) * entry_h, col_w, entry_h)
        return [(item.k, item.rect) for item in self._items]

    def entries_area(self, inset: float = 0.0) -> QRectF:
        """Where the run entries are: from the first entry (or the top, without entries) to
        above the step counter, across the panel's width grown by ``inset`` on the left (what
        the leaderboard card covers on the final frame)."""
        inner = self._inner
        top = self._entries[0][1].top() if self._entries else inner.top()
        bottom = self._counter_rect.top() - self.style.px(18) if self.counter else inner.bottom()
        return QRectF(inner.left() - inset, top, inner.width() + inset, max(bottom - top, 1.0))

    def _text_x(self, rect: QRectF) -> tuple[float, float]:
        """Left edge and width of an entry's text (right of its swatch)."""
        x = rect.left() + self.style.px((SWATCH + 26) * self.font_scale)
        return x, rect.right() - x - self.style.px(6)

    def paint_static(self, painter: QPainter) -> None:
        style = self.style
        if self.title:
            st.draw_text(painter, self._title_rect, self.race.shown_title, self.f_title, flags=st.WRAP)
            st.draw_text(painter, self._caption_rect, self.race.shown_caption, self.f_caption,
                         st.MUTED, flags=st.WRAP)
        for item in self._items:
            look, rect = self.race.looks[item.k], item.rect
            lh = st.line_height(self.f_name)
            _swatch(painter, style, rect.left() + style.px(4), rect.top() + lh / 2, look, self.font_scale)
            x, w = self._text_x(rect)
            st.draw_text(painter, QRectF(x, rect.top(), w, item.name_h), item.name, self.f_name, flags=st.WRAP)
            if item.inline:
                dx = st.text_width(self.f_name, item.name) + st.text_width(self.f_detail, DETAIL_GAP)
                st.draw_text(painter, QRectF(x + dx, rect.top(), w - dx, lh), item.detail, self.f_detail, st.MUTED)
            elif item.detail:
                st.draw_text(painter, QRectF(x, rect.top() + item.name_h, w, item.detail_h), item.detail,
                             self.f_detail, st.MUTED, flags=st.WRAP)

    def paint_dynamic(self, painter: QPainter, step: int) -> None:
        """Each run's loss and status at ``step``, and the step counter."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for item in self._items:
            k, rect = item.k, item.rect
            x, w = self._text_x(rect)
            y = rect.top() + item.name_h + item.detail_h
            i = self.race.count(k, step) - 1
            loss = _loss_text(float(self.race.loss[i, k]))
            status = _status_text(self.race.describe_at(k, step))
            if item.split:
                st.draw_text(painter, QRectF(x, y, w, item.line_h), loss, self.f_detail)
                st.draw_text(painter, QRectF(x, y + item.line_h, w, item.line_h), status, self.f_detail)
            else:
                st.draw_text(painter, QRectF(x, y, w, item.line_h), loss + STATUS_SEPARATOR + status, self.f_detail)
        if self.counter:
            paint_counter(painter, self.style, self._counter_rect, step, self.total)


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
            _swatch(painter, style, rect.left() + self.pad, y + self.row / 2, self.race.looks[k])
            x = rect.left() + self.pad + style.px(SWATCH + 22)
            st.draw_text(painter, QRectF(x, y, rect.right() - x, self.row), self.race.runs[k].title, self.font)
