"""The contour-map panel of an exported frame, painted with QPainter on QImages (no widget).

The map's content — colour image, iso-lines, ★ minima and × saddles with their labels, the
start, every run's path, its head and its status marks — is painted by the renderer the app's
live map uses (:mod:`optviz.render.contour_painter`), in the look the app has at
:data:`~optviz.render.map_style.EXPORT_SCALE` × the frame's unit, so a frame and the window
show the same race at the same step alike. This module adds the axes, and the speed: what
never changes (colour image, iso-lines, axes) is painted once per export; paths only grow from
frame to frame, so each frame strokes just the new segments into the two path layers and
recomposes the small rectangle they touched; a frame then costs a copy of the canvas plus the
heads, however long the paths are.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QImage, QPainter

from ..core.geometry import ViewBox
from ..core.ticks import nice_ticks, tick_label, tick_step
from ..render import contour_painter as cp
from ..render.map_style import (DRAW_MARGIN, EXPORT_SCALE, HEAVY_WIDTHS, ISO_LEVELS, MAX_MINIMUM_LABELS,
                                START_LABEL_FILL)
from ..render.theme import NORMAL
from . import style as st
from .race import Race

__all__ = ["ContourPanel", "nice_ticks", "tick_text"]

#: Samples per side of the colour image: about one per two output pixels, within these bounds.
COLOR_SAMPLES = (200, 600)
ISO_SAMPLES = 300


def tick_text(value: float, ticks: np.ndarray) -> str:
    """A tick label as every axis writes it (:func:`optviz.core.ticks.tick_label`)."""
    return tick_label(value, tick_step(ticks))


class _RunPath(cp.PathInk):
    """One visible run: its path in frame pixels, and how much of it is on the layers."""

    def __init__(self, k: int, run_look, px: np.ndarray, finite_len: np.ndarray, finite: np.ndarray,
                 look: cp.MapLook, map_width: float) -> None:
        super().__init__(run_look.color, run_look.dash, look)
        self.k = k
        self.marker = run_look.marker or "o"
        self.px = px  # the drawable path (cut at the drawing box) in frame pixels
        self.finite_len = finite_len  # per step: points up to the last finite one
        self.finite = finite  # the path up to its last finite point (data units)
        # The app's rule, step by step: drawn thin once its line is longer than HEAVY_WIDTHS
        # map widths (cp.is_heavy); from this many points on.
        ink = np.concatenate([[0.0], np.cumsum(cp.segment_pixels(px))])
        over = np.flatnonzero(ink > HEAVY_WIDTHS * max(map_width, 1.0))
        self.heavy_from = int(over[0]) + 1 if over.size else len(px) + 1
        self._marks: tuple | None = None  # (finite points, status, marks) last asked for

    def finite_count(self, step: int) -> int:
        return int(self.finite_len[min(step, len(self.finite_len) - 1)])

    def count(self, step: int) -> int:
        """Points of the drawable path shown at ``step``."""
        return min(self.finite_count(step), len(self.px))

    def heavy_at(self, step: int) -> bool:
        return self.count(step) >= self.heavy_from

    def marks(self, n: int, status: int, box: ViewBox, draw_box: ViewBox) -> cp.RunMarks:
        """:func:`cp.run_marks` with ``n`` finite points and ``status`` (kept while they stay)."""
        if self._marks is None or self._marks[:2] != (n, status):
            self._marks = (n, status, cp.run_marks(self.finite[:n], status, box, draw_box))
        return self._marks[2]


class ContourPanel:
    """The contour map of ``race`` in ``rect`` (frame pixels): map with axes, paths, heads.

    ``paint_static`` paints the unchanging part onto the frame's static image; ``advance``
    brings the paths on the canvas up to a step; ``paint_overlay`` draws the heads and marks
    of that step on the finished frame.
    """

    def __init__(self, race: Race, rect: QRectF, style: st.Style, box: ViewBox | None = None) -> None:
        self.race = race
        self.style = style
        self.box = box or race.surface.view
        self.rect = QRectF(rect)
        self.look = cp.map_look(NORMAL, EXPORT_SCALE * style.unit)
        self._layout()
        self.transform = cp.MapTransform.between(self.box, QRectF(self.plot))
        self._draw_box = self.box.expanded(DRAW_MARGIN)
        self._runs = [self._prepare(k) for k, run in enumerate(race.runs) if run.visible]
        self._layers = cp.PathLayers()
        self._layers.resize(self.plot.size())
        self._top = QImage(self.plot.size(), QImage.Format.Format_ARGB32_Premultiplied)
        self._top.fill(0)
        self._paint_markers()
        self.reset()

    # ------------------------------------------------------------------ layout

    @staticmethod
    def _margins(race: Race, style: st.Style, box: ViewBox):
        tick_font, axis_font = style.font(st.TICK_FONT), style.font(st.AXIS_FONT)
        xt, yt = nice_ticks(box.xmin, box.xmax), nice_ticks(box.ymin, box.ymax)
        ytw = max(st.text_width(tick_font, tick_text(v, yt)) for v in yt)
        xtw = max(st.text_width(tick_font, tick_text(v, xt)) for v in xt)
        th, ah = st.line_height(tick_font), st.line_height(axis_font)
        x_name, y_name = (tuple(race.surface.axis_labels) + ("x", "y"))[:2]
        name_w = st.text_width(axis_font, y_name)
        pad, tick = style.px(st.PAD), style.px(st.TICK_LENGTH)
        left = pad + name_w + style.px(14) + ytw + style.px(8) + tick
        right = pad + xtw / 2
        top = pad + th / 2
        bottom = tick + style.px(6) + th + style.px(4) + ah + pad * 0.6
        return left, right, top, bottom

    @classmethod
    def natural_width(cls, race: Race, height: float, style: st.Style, box: ViewBox | None = None) -> float:
        """Width a panel of this height needs for a map with the box's true aspect ratio."""
        box = box or race.surface.view
        left, right, top, bottom = cls._margins(race, style, box)
        return left + right + max(height - top - bottom, 1.0) * box.width / box.height

    def _layout(self) -> None:
        box, style = self.box, self.style
        left, right, top, bottom = self._margins(self.race, style, box)
        r = self.rect
        aw, ah = max(r.width() - left - right, 16.0), max(r.height() - top - bottom, 16.0)
        aspect = box.width / box.height
        pw = min(aw, ah * aspect)
        ph = pw / aspect
        x = r.x() + left + (aw - pw) / 2
        y = r.y() + top + (ah - ph) / 2
        # Whole pixels: the layers are blitted onto the canvas without resampling.
        self.plot = QRect(int(round(x)), int(round(y)), max(int(round(pw)), 8), max(int(round(ph)), 8))
        self.xticks, self.yticks = nice_ticks(box.xmin, box.xmax), nice_ticks(box.ymin, box.ymax)

    def to_px(self, pts) -> np.ndarray:
        """(n, 2) surface points → (n, 2) frame pixels (y up on the map)."""
        return self.transform.points(pts)

    def marked_points(self) -> np.ndarray:
        """Minima, saddles and the start in frame pixels: what a legend box must not hide."""
        s = self.race.surface
        pts = [(c.x, c.y) for c in (*s.minima, *s.saddles)] + [tuple(self.race.start)]
        return self.to_px(pts)

    def occupancy(self, rect: QRectF) -> int:
        """What a box at ``rect`` would hide of the map (:func:`cp.corner_cost`): legend placement."""
        return cp.corner_cost(rect, [run.px for run in self._runs], self.marked_points())

    # ------------------------------------------------------------------ preparation

    def _prepare(self, k: int) -> _RunPath:
        race = self.race
        finite_len = race.finite_counts(k)
        finite = race.positions[: int(finite_len[-1]), k]
        drawable = self._draw_box.clip_path(finite)
        return _RunPath(k, race.looks[k], self.to_px(drawable), finite_len, finite, self.look, self.plot.width())

    # ------------------------------------------------------------------ static part

    def paint_static(self, painter: QPainter) -> None:
        """Colour map, iso-lines and axes, onto the frame's static image."""
        painter.save()
        painter.setClipRect(self.plot)
        self._paint_colors(painter)
        self._paint_isolines(painter)
        painter.restore()
        self._paint_axes(painter)

    def _paint_colors(self, painter: QPainter) -> None:
        b, r = self.box, self.plot
        lo, hi = COLOR_SAMPLES
        n = int(np.clip(max(r.width(), r.height()) / 2, lo, hi))
        nx = max(int(round(n * min(1.0, r.width() / r.height()))), 2)
        ny = max(int(round(n * min(1.0, r.height() / r.width()))), 2)
        xs, ys, z = self.race.surface.grid(nx, ny, view=b)
        painter.fillRect(r, st.BACKGROUND)
        cp.paint_color_image(painter, cp.color_image(self.race.scale(z)),
                             self.transform.rect(*cp.cells_rect(xs, ys)))

    def _paint_isolines(self, painter: QPainter) -> None:
        scale = self.race.scale
        xs, ys, z = self.race.surface.grid(ISO_SAMPLES, ISO_SAMPLES, view=self.box)
        lines = cp.isolines(scale(z), scale(scale.levels(ISO_LEVELS)), xs, ys)
        cp.paint_isolines(painter, self.to_px(lines), self.look)

    def _paint_axes(self, painter: QPainter) -> None:
        style, r = self.style, QRectF(self.plot)
        tick_font, axis_font = style.font(st.TICK_FONT), style.font(st.AXIS_FONT)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(style.pen(st.TEXT, st.AXIS_WIDTH, Qt.PenCapStyle.FlatCap))
        painter.drawRect(r)
        tick, th = style.px(st.TICK_LENGTH), st.line_height(tick_font)
        for v in self.xticks:
            x = self.to_px([[v, self.box.ymin]])[0, 0]
            painter.setPen(style.pen(st.TEXT, st.AXIS_WIDTH, Qt.PenCapStyle.FlatCap))
            painter.drawLine(QPointF(x, r.bottom()), QPointF(x, r.bottom() + tick))
            label = QRectF(x - 200 * style.unit, r.bottom() + tick + style.px(4), 400 * style.unit, th)
            st.draw_text(painter, label, tick_text(v, self.xticks), tick_font,
                         flags=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        for v in self.yticks:
            y = self.to_px([[self.box.xmin, v]])[0, 1]
            painter.setPen(style.pen(st.TEXT, st.AXIS_WIDTH, Qt.PenCapStyle.FlatCap))
            painter.drawLine(QPointF(r.left() - tick, y), QPointF(r.left(), y))
            label = QRectF(r.left() - tick - style.px(8) - 400 * style.unit, y - th / 2, 400 * style.unit, th)
            st.draw_text(painter, label, tick_text(v, self.yticks), tick_font,
                         flags=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        x_name, y_name = (tuple(self.race.surface.axis_labels) + ("x", "y"))[:2]
        ah = st.line_height(axis_font)
        st.draw_text(painter, QRectF(r.left(), r.bottom() + tick + style.px(4) + th, r.width(), ah), x_name,
                     axis_font, flags=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        name_w = st.text_width(axis_font, y_name)
        ytw = max(st.text_width(tick_font, tick_text(v, self.yticks)) for v in self.yticks)
        x0 = r.left() - tick - style.px(8) - ytw - style.px(14) - name_w
        st.draw_text(painter, QRectF(x0, r.center().y() - ah / 2, name_w + 2, ah), y_name, axis_font)

    def _paint_markers(self) -> None:
        """Saddles, minima with their labels, and the start point: above the paths, as in the app."""
        look, surface, to_px = self.look, self.race.surface, self.transform
        with st.painting(self._top) as painter:
            painter.translate(-self.plot.x(), -self.plot.y())
            for s in surface.saddles:
                cp.paint_saddle(painter, to_px.point(s.x, s.y), look)
            minima = surface.minima
            font = look.label_font()
            for i, m in enumerate(minima):
                at = to_px.point(m.x, m.y)
                cp.paint_minimum(painter, at, look)
                if 0 < len(minima) <= MAX_MINIMUM_LABELS:
                    text = cp.minimum_label(i, len(minima))
                    size = cp.label_size(font, text, look)
                    side = cp.label_side(surface.view, m.x, m.y, size, to_px, look)  # the live map's rule
                    cp.paint_label(painter, cp.label_rect(at, size, side, look), text, font, look)
            # The start point: the app's crosshair handle, with its label beside it.
            at = to_px.point(*self.race.start)
            cp.paint_start(painter, at, look)
            rect = cp.start_label_rect(at, cp.label_size(font, "start", look), look)
            cp.paint_label(painter, rect, "start", font, look, fill=START_LABEL_FILL)

    # ------------------------------------------------------------------ paths

    def reset(self) -> None:
        """Empty the path layers (the next ``advance`` repaints the whole map)."""
        self._layers.clear()
        for run in self._runs:
            run.restart()
            run.heavy = False
        self._whole = True

    def advance(self, canvas: QImage, static: QImage, step: int) -> None:
        """Bring the paths on ``canvas`` up to ``step``; ``static`` is the frame's static image."""
        if any(run.count(step) < run.painted or run.heavy_at(step) != run.heavy for run in self._runs):
            self.reset()  # an earlier step than the last, or a run turned thin: start over
        pieces = []
        for run in self._runs:
            n = run.count(step)
            run.heavy = run.heavy_at(step)
            if n > run.painted:
                pieces.append((run, run.px[max(run.painted - 1, 0):n]))
            run.painted = max(run.painted, n)
        origin = np.array([self.plot.x(), self.plot.y()], dtype=float)
        self._layers.stroke([(run, pts - origin) for run, pts in pieces])
        if self._whole:
            dirty = QRect(self.plot)
            self._whole = False
        elif pieces:
            both = np.concatenate([p for _, p in pieces])
            pad = self.look.casing_width + 2
            (x0, y0), (x1, y1) = both.min(axis=0) - pad, both.max(axis=0) + pad
            dirty = QRect(int(math.floor(x0)), int(math.floor(y0)), int(math.ceil(x1 - x0)) + 1,
                          int(math.ceil(y1 - y0)) + 1).intersected(self.plot)
        else:
            return
        if dirty.isEmpty():
            return
        local = QRectF(dirty.translated(-self.plot.x(), -self.plot.y()))
        with st.painting(canvas) as painter:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            painter.drawImage(dirty.topLeft(), static, dirty)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
            self._layers.compose(painter, QPointF(dirty.topLeft()), self.look.casing_opacity, local)
            painter.drawImage(dirty.topLeft(), self._top, local.toRect())

    def paint_overlay(self, painter: QPainter, step: int) -> None:
        """Each run's head and status marks at ``step`` (:func:`cp.run_marks`, read from the race
        at that step as the app reads it), on the frame being finished."""
        status = self.race.at(step).status[:, 0]
        painter.save()
        painter.setClipRect(self.plot)
        for run in self._runs:
            n = run.finite_count(step)
            if n == 0:
                continue
            marks = run.marks(n, int(status[run.k]), self.box, self._draw_box)
            cp.paint_marks(painter, marks, self.transform, run.color, run.marker, self.look)
        painter.restore()
