"""The loss-per-step panel of an exported frame (the "side by side" view).

Like the app's loss plot: every run's J(W_t) against t in its colour and dash pattern; on a log axis the gap
J − J* to the global minimum (values without a logarithm are gaps). The axes are fixed for
the whole animation (the race is known in advance), so each frame only extends the curves
by the new steps, drawn straight onto the canvas.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from . import style as st
from .contour import nice_ticks, tick_text
from .race import Race

CURVE_WIDTH = 3.2
GRID = QColor(60, 66, 80, 38)
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class LossPanel:
    """Loss curves of ``race`` in ``rect`` (frame pixels), up to the step of each frame."""

    def __init__(self, race: Race, rect: QRectF, style: st.Style) -> None:
        self.race, self.rect, self.style = race, QRectF(rect), style
        minima = [m.value for m in race.surface.minima if math.isfinite(m.value)]
        self.log = bool(race.log_loss)
        ref = min(minima) if (self.log and minima) else 0.0
        with np.errstate(all="ignore"):
            values = race.loss - ref
            if self.log:
                values = np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)
        values[~np.isfinite(values)] = np.nan
        self.values = values  # (T+1, K), NaN: a gap
        self.label = ("J − J*  (log scale)" if minima else "J  (log scale)") if self.log else "loss J(W)"
        self._range()
        self._layout()
        self._painted = np.zeros(race.K, dtype=np.int64)
        self._phase = np.zeros(race.K)  # of each curve's dash pattern where it is painted up to

    def _range(self) -> None:
        v = self.values[np.isfinite(self.values)]
        first = self.values[0][np.isfinite(self.values[0])]
        if v.size == 0:
            lo, hi = 0.0, 1.0
        else:
            lo = float(v.min())
            # A diverging run must not flatten the others: the top is the highest start value
            # or the 99th percentile, whichever is higher.
            hi = float(max(first.max() if first.size else v.max(), np.percentile(v, 99)))
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
        pad = 0.04 * (hi - lo)
        self.ylo, self.yhi = lo - pad, hi + pad
        self.xhi = max(self.race.last_step, 1)

    def _yticks(self) -> tuple[np.ndarray, list[str]]:
        if not self.log:
            t = nice_ticks(self.ylo, self.yhi, 5)
            return t, [tick_text(v, t) for v in t]
        first, last = math.ceil(self.ylo), math.floor(self.yhi)
        every = max(1, math.ceil((last - first + 1) / 6))
        t = np.arange(first, last + 1, every, dtype=float)
        return t, [f"10{str(int(e)).translate(SUPERSCRIPT)}" for e in t]

    def _layout(self) -> None:
        style, r = self.style, self.rect
        f_tick, f_axis = style.font(st.TICK_FONT), style.font(st.AXIS_FONT)
        self.yt, self.yt_text = self._yticks()
        self.xt = nice_ticks(0, self.xhi, 6)
        self.xt = self.xt[(self.xt >= 0) & (self.xt <= self.xhi)]
        th, ah = st.line_height(f_tick), st.line_height(f_axis)
        ytw = max((st.text_width(f_tick, s) for s in self.yt_text), default=0.0)
        pad, tick = style.px(st.PAD), style.px(st.TICK_LENGTH)
        left = pad + ytw + style.px(8) + tick
        top = pad + ah + style.px(6)
        bottom = tick + style.px(6) + th + style.px(4) + ah + pad * 0.6
        right = pad + st.text_width(f_tick, tick_text(self.xt[-1], self.xt)) / 2
        self.plot = QRect(int(round(r.x() + left)), int(round(r.y() + top)),
                          max(int(round(r.width() - left - right)), 8), max(int(round(r.height() - top - bottom)), 8))

    def to_px(self, steps, values) -> np.ndarray:
        p = self.plot
        x = p.x() + np.asarray(steps, dtype=float) / self.xhi * p.width()
        y = p.y() + (self.yhi - np.asarray(values, dtype=float)) / (self.yhi - self.ylo) * p.height()
        return np.column_stack([x, y])

    def paint_static(self, painter: QPainter) -> None:
        style, r = self.style, QRectF(self.plot)
        f_tick, f_axis = style.font(st.TICK_FONT), style.font(st.AXIS_FONT)
        th, ah = st.line_height(f_tick), st.line_height(f_axis)
        tick = style.px(st.TICK_LENGTH)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        axis_pen = style.pen(st.TEXT, st.AXIS_WIDTH, Qt.PenCapStyle.FlatCap)
        for v, text in zip(self.yt, self.yt_text):
            y = float(self.to_px([0], [v])[0, 1])
            painter.setPen(style.pen(GRID, 1.0, Qt.PenCapStyle.FlatCap))
            painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
            painter.setPen(axis_pen)
            painter.drawLine(QPointF(r.left() - tick, y), QPointF(r.left(), y))
            box = QRectF(self.rect.left(), y - th / 2, r.left() - tick - style.px(8) - self.rect.left(), th)
            st.draw_text(painter, box, text, f_tick, flags=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for v in self.xt:
            x = float(self.to_px([v], [self.ylo])[0, 0])
            painter.setPen(style.pen(GRID, 1.0, Qt.PenCapStyle.FlatCap))
            painter.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
            painter.setPen(axis_pen)
            painter.drawLine(QPointF(x, r.bottom()), QPointF(x, r.bottom() + tick))
            box = QRectF(x - style.px(150), r.bottom() + tick + style.px(4), style.px(300), th)
            st.draw_text(painter, box, tick_text(v, self.xt), f_tick,
                         flags=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        painter.setPen(axis_pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(r)
        st.draw_text(painter, QRectF(r.left(), r.top() - ah - style.px(6), r.width(), ah), self.label, f_axis,
                     flags=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        st.draw_text(painter, QRectF(r.left(), r.bottom() + tick + style.px(4) + th, r.width(), ah), "step", f_axis,
                     flags=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)

    def advance(self, canvas: QImage, static: QImage, step: int) -> None:
        """Extend the curves on ``canvas`` to ``step`` (from scratch if ``step`` went back)."""
        counts = np.array([self.race.count(k, step) for k in range(self.race.K)])
        with st.painting(canvas) as painter:
            if (counts < self._painted).any():
                painter.drawImage(self.plot.topLeft(), static, self.plot)
                self._painted[:] = 0
                self._phase[:] = 0.0
            painter.setClipRect(self.plot)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            for k, (run, look) in enumerate(zip(self.race.runs, self.race.looks)):
                n, p = int(counts[k]), int(self._painted[k])
                if not run.visible or n <= p or n < 2:
                    continue
                lo = max(p - 1, 0)
                px = self.to_px(np.arange(lo, n), self.values[lo:n, k])
                painter.setPen(self.style.pen(QColor(look.color), CURVE_WIDTH))
                self._phase[k] = st.stroke(painter, px, look.dash, self.style.px(CURVE_WIDTH), self._phase[k], "finite")
                self._painted[k] = n

    def paint_overlay(self, painter: QPainter, step: int) -> None:
        """A dot on every curve at the run's newest value."""
        painter.save()
        painter.setClipRect(self.plot.adjusted(-20, -20, 20, 20))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for k, (run, look) in enumerate(zip(self.race.runs, self.race.looks)):
            i = self.race.count(k, step) - 1
            v = self.values[i, k]
            if run.visible and np.isfinite(v) and self.ylo <= v <= self.yhi:
                st.head(painter, self.style, QPointF(*self.to_px([i], [v])[0]), QColor(look.color), st.HEAD_SIZE * 0.7,
                        look.marker)
        painter.restore()
