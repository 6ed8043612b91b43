"""The finish leaderboard in exported frames: a table card drawn on the final frame.

The ranking comes from the core (:func:`optviz.core.leaderboard.rank_runs`) applied to the
exported trajectories themselves, so a file shows the leaderboard of exactly the race it
shows: runs ranked by the step from which they stayed within the tolerance of J*, or, where
no J* is known (a saddle: J is unbounded below), by final loss, which the card's title and a
line under it then say. The card covers the legend panel when the frame has one (its rows carry the same
swatches and names, plus the ranking), else it sits over the middle of the map. Animations
hold the final frame with the card for :data:`HOLD_SECONDS` so it can be read.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from ..core.leaderboard import Leaderboard, rank_runs, short_outcome, unbounded_below
from ..core.tuning import reference_loss
from . import style as st
from .race import Race

#: Seconds the last frame (with the leaderboard) is held at the end of an animation.
HOLD_SECONDS = 2.0
HEADERS = ("#", "Run", "Settled at step", "Final loss", "Outcome")
#: The third column's header when the runs are ranked by final loss (no J*).
STEPS_HEADER = "Steps taken"
MIN_SCALE = 0.45


def race_leaderboard(race: Race, tol: float) -> Leaderboard:
    """The core's leaderboard of an exported race (start point 0 of each run)."""
    losses = [race.loss[: int(race.lengths[k]), k] for k in range(race.K)]
    reference = reference_loss(race.surface)
    return rank_runs(losses, race.status, race.minimum, tol=tol, reference=reference,
                     titles=[run.title for run in race.runs], max_steps=race.max_steps,
                     unbounded=reference is None and unbounded_below(race.surface))



def _loss(value: float) -> str:
    if not math.isfinite(value):
        return "∞" if value == math.inf else "undefined"
    return st.minus(f"{value:.3g}")


def _wrap(text: str, font, width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a longer word gets its own line)."""
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if line and st.text_width(font, trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


class LeaderboardCard:
    """A white card with a title line, a header row and one row per run, fitted into at most
    ``area`` (fonts shrink down to MIN_SCALE if needed). ``rows`` holds the text, ``order`` the
    run indices top to bottom."""

    def __init__(self, race: Race, style: st.Style, tol: float, area: QRectF, *, cover: bool = False) -> None:
        self.race, self.style, self.area = race, style, QRectF(area)
        self.cover = cover  # replace what is in the area (the legend's entries): top-left, area blanked
        self.board = race_leaderboard(race, tol)
        self.order = self.board.order
        by_final = self.board.by_final_loss
        self.headers = (*HEADERS[:2], STEPS_HEADER if by_final else HEADERS[2], *HEADERS[3:])
        self.rows = [(str(e.rank), e.title, f"{e.steps:,}" if by_final else
                      ("—" if e.steps_to_tolerance is None else f"{e.steps_to_tolerance:,}"),
                      _loss(e.final_loss), short_outcome(e.outcome))
                     for e in self.board.entries]
        self.title = f"Leaderboard  ·  {st.minus(self.board.criterion())}"
        #: The ranking rule in words, drawn under the table.
        self.rule = st.minus(self.board.rule())
        scale = 1.0
        self._layout(scale)
        while (self.width > area.width() or self.height > area.height()) and scale > MIN_SCALE:
            scale = max(scale * 0.9, MIN_SCALE)
            self._layout(scale)

    def _layout(self, scale: float) -> None:
        s = self.style
        self.scale = scale
        self.f_title = s.font(st.LEGEND_FONT * scale, bold=True)
        self.f_head = s.font(st.DETAIL_FONT * scale, bold=True)
        self.f_cell = s.font(st.LEGEND_FONT * 0.85 * scale)
        self.pad = s.px(18 * scale)
        self.gap = s.px(22 * scale)
        self.swatch = s.px(26 * scale)
        self.row_h = st.line_height(self.f_cell) + s.px(10 * scale)
        self.f_rule = s.font(st.DETAIL_FONT * scale, bold=self.board.by_final_loss)
        widths = []
        for c, head in enumerate(self.headers):
            w = max([st.text_width(self.f_head, head)] + [st.text_width(self.f_cell, r[c]) for r in self.rows])
            if c == 1:
                w += self.swatch + s.px(10 * scale)
            widths.append(w)
        self.widths = widths
        self.title_h = st.line_height(self.f_title) + s.px(8 * scale)
        table_w = sum(widths) + self.gap * (len(widths) - 1)
        self.width = 2 * self.pad + max(table_w, st.text_width(self.f_title, self.title))
        # The rule wraps at the table's width: as many lines as its words need.
        self.rule_lines = _wrap(self.rule, self.f_rule, self.width - 2 * self.pad)
        self.rule_h = s.px(8 * scale) + st.line_height(self.f_rule) * len(self.rule_lines)
        self.height = 2 * self.pad + self.title_h + self.row_h * (len(self.rows) + 1) + self.rule_h

    def rect(self) -> QRectF:
        """At the area's top left when it covers the area, else centred in it."""
        a = self.area
        if self.cover:
            return QRectF(a.left(), a.top(), min(max(self.width, a.width()), a.width() + 1e-9), self.height)
        return QRectF(a.center().x() - self.width / 2, a.center().y() - self.height / 2, self.width, self.height)

    def paint(self, painter: QPainter) -> None:
        s, r = self.style, self.rect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.cover:
            painter.fillRect(self.area, st.BACKGROUND)
        painter.setPen(s.pen(QColor(120, 120, 120), 1.4))
        painter.setBrush(QColor(255, 255, 255, 245))
        painter.drawRoundedRect(r, s.px(8), s.px(8))
        x0, y = r.left() + self.pad, r.top() + self.pad
        st.draw_text(painter, QRectF(x0, y, r.width() - 2 * self.pad, self.title_h), self.title, self.f_title)
        y += self.title_h
        right = {0, 2, 3}
        self._row(painter, x0, y, self.headers, self.f_head, st.MUTED, right, None)
        y += self.row_h
        painter.setPen(s.pen(st.PANEL_LINE, 1.2))
        painter.drawLine(QPointF(x0, y), QPointF(r.right() - self.pad, y))
        for i, row in enumerate(self.rows):
            entry = self.board.entries[i]
            color = QColor(self.race.looks[entry.index].color)
            self._row(painter, x0, y, row, self.f_cell, st.TEXT, right, color, failed=entry.failed)
            y += self.row_h
        y += s.px(8 * self.scale)
        line = st.line_height(self.f_rule)
        for text in self.rule_lines:
            st.draw_text(painter, QRectF(x0, y, r.width() - 2 * self.pad, line), text, self.f_rule,
                         st.TEXT if self.board.by_final_loss else st.MUTED)
            y += line

    def _row(self, painter, x, y, cells, font, color, right, swatch, failed: bool = False) -> None:
        s = self.style
        for c, text in enumerate(cells):
            w = self.widths[c]
            cell = QRectF(x, y, w, self.row_h)
            if c == 1 and swatch is not None:
                side = self.swatch * 0.7
                painter.setPen(s.pen(swatch.darker(150), 1.0))
                painter.setBrush(swatch)
                painter.drawRoundedRect(QRectF(x, y + (self.row_h - side) / 2, self.swatch, side), s.px(3), s.px(3))
                cell = QRectF(x + self.swatch + s.px(10), y, w - self.swatch - s.px(10), self.row_h)
            elif c == 1:
                cell = QRectF(x + self.swatch + s.px(10), y, w - self.swatch - s.px(10), self.row_h)
            flags = (Qt.AlignmentFlag.AlignRight if c in right else Qt.AlignmentFlag.AlignLeft) \
                | Qt.AlignmentFlag.AlignVCenter
            ink = st.DIVERGED if (failed and c == 4) else color
            st.draw_text(painter, cell, text, font, ink, flags=flags)
            x += w + self.gap


__all__ = ["HOLD_SECONDS", "LeaderboardCard", "race_leaderboard"]
