"""The contour-map panel of an exported frame, painted with QPainter on QImages (no widget).

Looks like the app's contour view: the same colour map and value scale
(:mod:`optviz.render.colormap`, the race's :class:`~optviz.core.scale.ValueScale`), iso-lines at
``scale.levels``, ★ minima and × saddles, and every run's path in its colour and dash pattern
on a light casing, its head in its marker (:mod:`optviz.look`). What never changes (colour map, iso-lines, axes) is painted once per export. Paths
only grow from frame to frame, so each frame strokes just the new segments into two layer
images (casings, lines) and recomposes the small rectangle they touched; a frame then costs
a copy of the canvas plus the heads, however long the paths are; the dash pattern runs on
from piece to piece (:func:`optviz.look.dash_segments`).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from ..core.ticks import nice_ticks, tick_label, tick_step
from ..render import colormap
from ..render.map_style import DRAW_MARGIN, HEAVY_WIDTHS, ISO_LEVELS, MARKER_INSET, MAX_MINIMUM_LABELS
from ..core.geometry import ViewBox
from ..core.simulation import Status
from . import style as st
from .race import Race

#: Samples per side of the colour image: about one per two output pixels, within these bounds.
COLOR_SAMPLES = (200, 600)
ISO_SAMPLES = 300


def tick_text(value: float, ticks: np.ndarray) -> str:
    """A tick label as every axis writes it (:func:`optviz.core.ticks.tick_label`)."""
    return tick_label(value, tick_step(ticks))


class _RunPath:
    """One visible run: its path in frame pixels and what of it is on the layers."""

    def __init__(self, k: int, color: QColor, px: np.ndarray, finite_len: np.ndarray, heads: np.ndarray,
                 head_inside: np.ndarray, divergence: QPointF | None, dash=(), marker: str = "o") -> None:
        self.k = k
        self.color = color
        self.dash = tuple(dash or ())  # in path widths
        self.marker = marker or "o"
        self.phase = 0.0  # of the dash pattern where the painted path ends
        self.px = px  # the drawable path (cut at the drawing box) in frame pixels
        self.finite_len = finite_len  # per step: points up to the last finite one
        self.heads = heads  # every finite point in frame pixels
        self.head_inside = head_inside  # ... and whether it lies inside the drawing box
        self.divergence = divergence  # where the × goes if the run diverges
        self.painted = 0
        self.heavy = False

    def finite(self, step: int) -> int:
        return int(self.finite_len[min(step, len(self.finite_len) - 1)])

    def count(self, step: int) -> int:
        """Points of the drawable path shown at ``step``."""
        return min(self.finite(step), len(self.px))


class ContourPanel:
    """The contour map of ``race`` in ``rect`` (frame pixels): map with axes, paths, heads.

    ``paint_static`` paints the unchanging part onto the frame's static image; ``advance``
    brings the paths on the canvas up to a step; ``paint_overlay`` draws the heads and markers
    of that step on the finished frame.
    """

    def __init__(self, race: Race, rect: QRectF, style: st.Style, box: ViewBox | None = None) -> None:
        self.race = race
        self.style = style
        self.box = box or race.surface.view
        self.rect = QRectF(rect)
        self._layout()
        self._draw_box = self.box.expanded(DRAW_MARGIN)
        self._runs = [self._prepare(k) for k, run in enumerate(race.runs) if run.visible]
        for run in self._runs:
            run.heavy = _ink(run.px) > HEAVY_WIDTHS * self.plot.width()
        size = self.plot.size()
        self._casing = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        self._lines = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        self._top = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
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
        p = np.asarray(pts, dtype=float).reshape(-1, 2)
        b, r = self.box, self.plot
        out = np.empty_like(p)
        out[:, 0] = r.x() + (p[:, 0] - b.xmin) / b.width * r.width()
        out[:, 1] = r.y() + (b.ymax - p[:, 1]) / b.height * r.height()
        return out

    def occupancy(self, rect: QRectF) -> int:
        """How many path points and critical points lie inside ``rect`` (legend placement)."""
        count = 0
        for run in self._runs:
            p = run.px
            count += int(((p[:, 0] >= rect.left()) & (p[:, 0] <= rect.right())
                          & (p[:, 1] >= rect.top()) & (p[:, 1] <= rect.bottom())).sum())
        for c in (*self.race.surface.minima, *self.race.surface.saddles):
            q = self.to_px([[c.x, c.y]])[0]
            if rect.contains(QPointF(*q)):
                count += 50
        return count

    # ------------------------------------------------------------------ preparation

    def _prepare(self, k: int) -> _RunPath:
        race = self.race
        finite_len = race.finite_counts(k)
        finite = race.positions[: int(finite_len[-1]), k]
        drawable = self._draw_box.clip_path(finite)
        divergence = None
        if race.status[k] == Status.DIVERGED and len(finite):
            divergence = QPointF(*self.to_px([self._divergence_spot(finite)])[0])
        look = race.looks[k]
        return _RunPath(k, QColor(look.color), self.to_px(drawable), finite_len, self.to_px(finite),
                        self._draw_box.contains(finite), divergence, look.dash, look.marker)

    def _divergence_spot(self, finite: np.ndarray) -> np.ndarray:
        return self.box.divergence_spot(finite, MARKER_INSET)

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
        rgba = np.ascontiguousarray((colormap.rgba(self.race.scale(z))[::-1] * 255).round().astype(np.uint8))
        image = QImage(rgba.data, nx, ny, 4 * nx, QImage.Format.Format_RGBA8888).copy()
        # Pixel centres on the samples, as in the app: the image reaches half a cell beyond the box.
        dx, dy = r.width() / (nx - 1), r.height() / (ny - 1)
        target = QRectF(r.x() - dx / 2, r.y() - dy / 2, r.width() + dx, r.height() + dy)
        painter.fillRect(r, st.BACKGROUND)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(target, image)

    def _paint_isolines(self, painter: QPainter) -> None:
        scale = self.race.scale
        xs, ys, z = self.race.surface.grid(ISO_SAMPLES, ISO_SAMPLES, view=self.box)
        u = np.ascontiguousarray(scale(z).T)  # pg.isocurve's first axis is x
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(self.style.pen(st.ISO_LINE, st.ISO_WIDTH))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for level in np.atleast_1d(scale(scale.levels(ISO_LEVELS))):
            for line in pg.isocurve(u, float(level), connected=True):
                pts = np.asarray(line, dtype=float)
                # pg.isocurve puts sample (i, j) at (i + 0.5, j + 0.5).
                data = np.column_stack([np.interp(pts[:, 0] - 0.5, np.arange(len(xs)), xs),
                                        np.interp(pts[:, 1] - 0.5, np.arange(len(ys)), ys)])
                px = self.to_px(data)
                painter.drawPath(pg.arrayToQPath(px[:, 0], px[:, 1], connect="all"))

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
        """Minima, saddles and the start point: above the paths, as in the app."""
        style, surface = self.style, self.race.surface
        with st.painting(self._top) as painter:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.translate(-self.plot.x(), -self.plot.y())
            star = st.marker_path("star", style.px(st.MINIMUM_SIZE))
            cross = st.marker_path("x", style.px(st.SADDLE_SIZE))
            for s in surface.saddles:
                q = self.to_px([[s.x, s.y]])[0]
                painter.setPen(style.pen(QColor("white"), 1.4))
                painter.setBrush(st.TEXT)
                painter.drawPath(cross.translated(*q))
            label_font = style.font(st.TICK_FONT - 2)
            for i, m in enumerate(surface.minima):
                q = self.to_px([[m.x, m.y]])[0]
                painter.setPen(style.pen(QColor("black"), 1.8))
                painter.setBrush(QColor("white"))
                painter.drawPath(star.translated(*q))
                if 0 < len(surface.minima) <= MAX_MINIMUM_LABELS:
                    text = f"min {i + 1}" if len(surface.minima) > 1 else "min"
                    w, h = st.text_width(label_font, text) + style.px(8), st.line_height(label_font)
                    unit = self.to_px([[m.x + 1.0, m.y + 1.0]])[0] - q  # px per data unit (y down)
                    reach = (style.px(12) + w) / abs(unit[0]), (style.px(12) + h) / abs(unit[1])
                    sx, sy = surface.view.label_side(m.x, m.y, *reach)  # the live map's rule
                    left = q[0] + style.px(12) if sx > 0 else q[0] - style.px(12) - w
                    top = q[1] - style.px(12) - h if sy > 0 else q[1] + style.px(12)
                    box = QRectF(left, top, w, h)
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(QColor(255, 255, 255, 150))
                    painter.drawRoundedRect(box, style.px(3), style.px(3))
                    st.draw_text(painter, box, text, label_font, flags=Qt.AlignmentFlag.AlignCenter)
            # The start point: the app's crosshair handle, with its label.
            q = QPointF(*self.to_px([self.race.start])[0])
            rad = style.px(10)
            painter.setPen(style.pen(QColor(20, 20, 20), 2.5))
            painter.setBrush(QColor(255, 255, 255, 140))
            painter.drawEllipse(q, rad, rad)
            painter.drawLine(q - QPointF(rad * 1.5, 0), q + QPointF(rad * 1.5, 0))
            painter.drawLine(q - QPointF(0, rad * 1.5), q + QPointF(0, rad * 1.5))
            font = style.font(st.TICK_FONT - 2)
            w, h = st.text_width(font, "start") + style.px(8), st.line_height(font)
            box = QRectF(q.x() + rad * 1.3, q.y() - rad * 1.3 - h, w, h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 170))
            painter.drawRoundedRect(box, style.px(3), style.px(3))
            st.draw_text(painter, box, "start", font, flags=Qt.AlignmentFlag.AlignCenter)

    # ------------------------------------------------------------------ paths

    def reset(self) -> None:
        """Empty the path layers (the next ``advance`` repaints the whole map)."""
        self._casing.fill(0)
        self._lines.fill(0)
        for run in self._runs:
            run.painted = 0
            run.phase = 0.0
        self._whole = True

    def advance(self, canvas: QImage, static: QImage, step: int) -> None:
        """Bring the paths on ``canvas`` up to ``step``; ``static`` is the frame's static image."""
        if any(run.count(step) < run.painted for run in self._runs):
            self.reset()  # an earlier step than the last: start over
        pieces = []
        for run in self._runs:
            n = run.count(step)
            if n > run.painted and n >= 2:
                pieces.append((run, run.px[max(run.painted - 1, 0):n]))
            run.painted = max(run.painted, n)
        if pieces:
            self._stroke(pieces)
        if self._whole:
            dirty = QRect(self.plot)
            self._whole = False
        elif pieces:
            both = np.concatenate([p for _, p in pieces])
            pad = self.style.px(st.CASING_WIDTH) + 2
            (x0, y0), (x1, y1) = both.min(axis=0) - pad, both.max(axis=0) + pad
            dirty = QRect(int(math.floor(x0)), int(math.floor(y0)), int(math.ceil(x1 - x0)) + 1,
                          int(math.ceil(y1 - y0)) + 1).intersected(self.plot)
        else:
            return
        if dirty.isEmpty():
            return
        local = dirty.translated(-self.plot.x(), -self.plot.y())
        with st.painting(canvas) as painter:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            painter.drawImage(dirty.topLeft(), static, dirty)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
            painter.setOpacity(st.CASING_OPACITY)
            painter.drawImage(dirty.topLeft(), self._casing, local)
            painter.setOpacity(1.0)
            painter.drawImage(dirty.topLeft(), self._lines, local)
            painter.drawImage(dirty.topLeft(), self._top, local)

    def _stroke(self, pieces) -> None:
        style = self.style
        origin = np.array([self.plot.x(), self.plot.y()], dtype=float)
        for image, casing in ((self._casing, True), (self._lines, False)):
            with st.painting(image) as painter:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                for run, pts in pieces:
                    if casing and run.heavy:
                        continue
                    local = pts - origin
                    if casing:  # solid under the dashes: the gaps show the light halo
                        painter.setPen(style.pen(st.CASING, st.CASING_WIDTH))
                        st.stroke(painter, local)
                    else:
                        # Dashes as long on thin (heavy) runs as on the others.
                        painter.setPen(style.pen(run.color, st.THIN_WIDTH if run.heavy else st.PATH_WIDTH))
                        run.phase = st.stroke(painter, local, run.dash, style.px(st.PATH_WIDTH), run.phase)

    def paint_overlay(self, painter: QPainter, step: int) -> None:
        """The heads (and × for diverged runs) at ``step``, on the frame being finished."""
        painter.save()
        painter.setClipRect(self.plot)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for run in self._runs:
            n = run.finite(step)
            if n == 0:
                continue
            # The head sits on the last finite point, unless that is far off the map (the app's rule).
            if run.head_inside[n - 1]:
                st.head(painter, self.style, QPointF(*run.heads[n - 1]), run.color, marker=run.marker)
            if run.divergence is not None and self.race.status_at(run.k, step) == Status.DIVERGED:
                size = self.style.px(st.DIVERGED_SIZE) / 2
                painter.setPen(self.style.pen(st.DIVERGED, 4.0))
                c = run.divergence
                painter.drawLine(c + QPointF(-size, -size), c + QPointF(size, size))
                painter.drawLine(c + QPointF(-size, size), c + QPointF(size, -size))
        painter.restore()


def _ink(px: np.ndarray) -> float:
    if len(px) < 2:
        return 0.0
    d = np.diff(px, axis=0)
    return float(np.hypot(d[:, 0], d[:, 1]).sum())
