"""Deterministic frames of a precomputed race: one QImage per step, at the output's true size.

:class:`FrameRenderer` lays out the panels of a view (:data:`VIEWS`), paints everything that
never changes once (colour map, iso-lines, axes, legend names, title) into a static image,
and then renders a step as: extend the paths on a running canvas (only the new segments),
copy it, and draw what moves (heads, the 3D picture, loss values, the step counter).

The 2D view needs no window and no GL: QImage and QPainter work with a QGuiApplication on
the offscreen platform and from any thread. The views with 3D render through
:class:`~.gl3d.SurfacePanel` and must stay on the GUI thread (``needs_gui_thread``).
Frames depend only on the race and the settings, never on timing, so the same scenario
gives the same frames on every run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter

from . import style as st
from .contour import ContourPanel
from ..core.leaderboard import DEFAULT_TOLERANCE
from .errors import ExportError
from .legend import LegendBox, LegendPanel, counter_text, paint_counter
from .lossplot import LossPanel
from .race import Race

#: The views an export can show: the contour map, the 3D surface, or both side by side with
#: the loss plot.
VIEWS = {"contour": "contour map", "3d": "3D surface", "side": "contour + 3D + loss plot"}
GL_VIEWS = ("3d", "side")
#: Size limits of an output image (H.264 level 6.2 goes to 8192 × 4320).
MIN_SIDE, MAX_SIDE = 64, 8192
BACKGROUND_3D = QColor(236, 239, 243)  # the 3D view's background (surface_view.BACKGROUND)
#: The caption goes beside the title in the title strip if it fits in this many lines there.
CAPTION_LINES_BESIDE = 2


@dataclass(frozen=True)
class FrameSpec:
    """What a frame shows: the view, its size in pixels, and whether the preset's title is on it."""

    view: str = "contour"
    width: int = 1920
    height: int = 1080
    show_title: bool = True
    #: Draw the finish leaderboard (ranked by the core from these trajectories) on the final
    #: frame, with runs reaching J − J* ≤ ``tolerance`` (see :mod:`optviz.core.leaderboard`).
    leaderboard: bool = False
    tolerance: float = DEFAULT_TOLERANCE

    def __post_init__(self) -> None:
        if not (isinstance(self.tolerance, (int, float)) and math.isfinite(self.tolerance) and self.tolerance >= 0):
            raise ExportError(f"the leaderboard tolerance must be a number >= 0, got {self.tolerance!r}")
        if self.view not in VIEWS:
            raise ExportError(f"unknown view {self.view!r}; choose from: {', '.join(VIEWS)}")
        for name, v in (("width", self.width), ("height", self.height)):
            if isinstance(v, bool) or not isinstance(v, int) or not MIN_SIDE <= v <= MAX_SIDE:
                raise ExportError(f"{name} must be a whole number of pixels in [{MIN_SIDE}, {MAX_SIDE}], got {v!r}")

    @property
    def needs_gl(self) -> bool:
        return self.view in GL_VIEWS


class FrameRenderer:
    """Renders ``race`` as frames of ``spec``. ``render(step)`` returns a Format_RGB32 QImage
    that the caller owns. ``total`` is the step count the counter shows after the slash
    (default: the race's last step). ``camera``: the 3D camera (see ``gl3d.camera_of``)."""

    def __init__(self, race: Race, spec: FrameSpec, *, total: int | None = None, camera: dict | None = None) -> None:
        self.race, self.spec = race, spec
        self.total = race.last_step if total is None else int(total)
        self.needs_gui_thread = spec.needs_gl
        self.style = st.Style.for_size(spec.width, spec.height)
        self.contour: ContourPanel | None = None
        self.loss: LossPanel | None = None
        self.surface = None  # gl3d.SurfacePanel
        self.surface_rect: QRectF | None = None
        self.legend: LegendPanel | None = None
        self.card = None  # the leaderboard (leaderboard.LeaderboardCard) on the final frame
        self.legend_box: LegendBox | None = None
        self._box_at = self._counter_rect = self._title_rect = self._caption_rect = self._strip_counter = None
        self._camera = camera
        try:
            if spec.view == "side":
                self._layout_side()
            else:
                self._layout_single()
            self.card = self._make_card() if spec.leaderboard else None
            self.static = self._paint_static()
        except BaseException:
            self.close()
            raise
        self.canvas = self.static.copy()

    # ------------------------------------------------------------------ layout

    def _make_card(self):
        """The leaderboard card: over the legend panel if there is one, else over the map."""
        from .leaderboard import LeaderboardCard

        inset = self.style.px(12)
        legend = self.legend
        if legend is not None:  # in place of the run entries, between the caption and the counter
            area = legend.entries_area(inset)
            return LeaderboardCard(self.race, self.style, self.spec.tolerance, area, cover=True)
        if self.contour is not None:
            area = QRectF(self.contour.plot)
        elif self.surface_rect is not None:
            area = QRectF(self.surface_rect)
        else:
            area = QRectF(0, 0, self.spec.width, self.spec.height)
        return LeaderboardCard(self.race, self.style, self.spec.tolerance, area.adjusted(inset, inset, -inset, -inset))

    def _make_surface(self, rect: QRectF) -> None:
        from .gl3d import FRAME_SCALE, SurfacePanel

        self.surface_rect = QRectF(rect.toRect())
        self.surface = SurfacePanel(self.race, QSize(self.surface_rect.width(), self.surface_rect.height()),
                                    self._camera, scale=FRAME_SCALE * self.style.unit)

    def _title_strip(self, width: float, reserve: float = 0.0) -> float:
        """Lay out the title strip above the panels and return its height (0 without a title).

        The title on one line (``reserve`` pixels kept free at its right for the step counter),
        the preset's caption beside it if it fits there in :data:`CAPTION_LINES_BESIDE` lines,
        else under it across the whole width, wrapped: never cut off."""
        if not self.spec.show_title:
            return 0.0
        style = self.style
        f_title, f_caption = style.font(st.TITLE_FONT, bold=True), style.font(st.CAPTION_FONT)
        pad, top = style.px(st.PAD * 1.4), style.px(st.PAD * 0.7)
        title_h = st.line_height(f_title) + style.px(st.PAD * 1.4)
        avail = width - 2 * pad - reserve
        title_w = min(st.text_width(f_title, self.race.shown_title) + 1, avail)
        self._title_rect = QRectF(pad, top, title_w, title_h)
        caption = self.race.shown_caption
        self._caption_rect = None
        if not caption:
            return title_h + top
        gap = style.px(24)
        room = avail - title_w - gap
        line = QFontMetricsF(f_caption).lineSpacing()
        if room > style.px(200) and st.wrapped_height(f_caption, caption, room) <= CAPTION_LINES_BESIDE * line + 0.5:
            h = st.wrapped_height(f_caption, caption, room)
            self._caption_rect = QRectF(pad + title_w + gap, top + max((title_h - h) / 2, 0.0), room, h)
            return max(title_h, h) + top
        # Under the title (whose rectangle, and the counter's beside it, shrinks to its line).
        self._title_rect = QRectF(pad, top, title_w, st.line_height(f_title))
        full = width - 2 * pad
        h = st.wrapped_height(f_caption, caption, full)
        self._caption_rect = QRectF(pad, self._title_rect.bottom() + style.px(4), full, h)
        return self._caption_rect.bottom() + style.px(st.PAD * 0.9)

    def _layout_single(self) -> None:
        """Contour or 3D: the panel at its natural width and the legend panel beside it; below
        it on tall frames; else a compact legend over the panel."""
        race, style, spec = self.race, self.style, self.spec
        W, H = float(spec.width), float(spec.height)
        if spec.view == "contour":
            natural = ContourPanel.natural_width(race, H, style)
        else:
            natural = H * 1.25
        side = W - natural
        min_side = max(0.22 * W, style.px(400))
        if side >= min_side:
            side = min(side, max(style.px(720), min_side))
            main = QRectF(0, 0, W - side, H)
            self.legend = LegendPanel(race, QRectF(W - side, 0, side, H), style, self.total, spec.show_title)
            self._make_main(main)
            return
        below = H - W / max(natural / H, 1e-6)  # the panel's natural height at full width
        if below >= max(0.2 * H, style.px(260)):
            main = QRectF(0, 0, W, H - below)
            self.legend = LegendPanel(race, QRectF(0, H - below, W, below), style, self.total, spec.show_title)
            self._make_main(main)
            return
        top = self._title_strip(W)
        main = QRectF(0, top, W, H - top)
        self._make_main(main)
        self.legend_box = LegendBox(race, style)
        self._place_overlays(main)

    def _make_main(self, rect: QRectF) -> None:
        if self.spec.view == "contour":
            self.contour = ContourPanel(self.race, rect, self.style)
        else:
            self._make_surface(rect)

    def _place_overlays(self, main: QRectF) -> None:
        """The compact legend in the corner of the map that covers the fewest path points; the
        step counter in the emptiest other corner."""
        style, (bw, bh) = self.style, self.legend_box.size
        inset = style.px(14)
        area = QRectF(self.contour.plot) if self.contour else main
        pre, number, post = counter_text(self.total, self.total)
        counter_w = (st.text_width(style.font(st.LEGEND_FONT), pre + post) + style.px(28)
                     + st.text_width(style.font(st.COUNTER_FONT, bold=True), "8" * len(number)))
        counter_h = st.line_height(style.font(st.COUNTER_FONT, bold=True)) + style.px(10)

        def corners(w, h):
            left, right = area.left() + inset, area.right() - inset - w
            top, bottom = area.top() + inset, area.bottom() - inset - h
            return [QPointF(left, top), QPointF(right, top), QPointF(left, bottom), QPointF(right, bottom)]

        def cost(at, w, h):
            return self.contour.occupancy(QRectF(at.x(), at.y(), w, h)) if self.contour else 0

        legend_corners = corners(bw, bh)
        best = min(range(4), key=lambda i: (cost(legend_corners[i], bw, bh), i))
        self._box_at = legend_corners[best]
        others = [i for i in (2, 3, 0, 1) if i != best]
        counter_corners = corners(counter_w, counter_h)
        pick = min(others, key=lambda i: (cost(counter_corners[i], counter_w, counter_h), others.index(i)))
        at = counter_corners[pick]
        self._counter_rect = QRectF(at.x(), at.y(), counter_w, counter_h)

    def _layout_side(self) -> None:
        """Title strip with the step counter; contour | 3D; loss plot | legend."""
        race, style, spec = self.race, self.style, self.spec
        W, H = float(spec.width), float(spec.height)
        pre, number, post = counter_text(self.total, self.total)
        counter_w = (st.text_width(style.font(st.LEGEND_FONT), pre + post)
                     + st.text_width(style.font(st.COUNTER_FONT, bold=True), "8" * len(number)))
        top = self._title_strip(W, counter_w + style.px(st.PAD * 2))
        rest = H - top
        upper = round(rest * 0.62)
        # The map at its natural width (its box's aspect ratio); the 3D view takes the rest.
        left = min(ContourPanel.natural_width(race, upper, style), W / 2)
        self.contour = ContourPanel(race, QRectF(0, top, left, upper), style)
        self._make_surface(QRectF(left, top + style.px(6), W - left - style.px(6), upper - style.px(6)))
        self.loss = LossPanel(race, QRectF(0, top + upper, W * 0.6, rest - upper), style)
        in_title = self._title_rect is not None
        self.legend = LegendPanel(race, QRectF(W * 0.6, top + upper, W * 0.4, rest - upper), style, self.total,
                                  title=False, counter=not in_title)
        if in_title:
            r = self._title_rect
            self._strip_counter = QRectF(W - counter_w - style.px(st.PAD * 1.4), r.top(), counter_w, r.height())

    # ------------------------------------------------------------------ painting

    def _paint_static(self) -> QImage:
        spec = self.spec
        image = QImage(spec.width, spec.height, QImage.Format.Format_RGB32)
        image.fill(st.BACKGROUND)
        with st.painting(image) as painter:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            if self.surface_rect is not None:
                painter.fillRect(self.surface_rect, BACKGROUND_3D)
            if self._title_rect is not None:
                self._paint_title(painter)
            for panel in (self.contour, self.loss, self.legend):
                if panel is not None:
                    panel.paint_static(painter)
        return image

    def _paint_title(self, painter: QPainter) -> None:
        style = self.style
        st.draw_text(painter, self._title_rect, self.race.shown_title, style.font(st.TITLE_FONT, bold=True))
        if self._caption_rect is not None:
            st.draw_text(painter, self._caption_rect, self.race.shown_caption, style.font(st.CAPTION_FONT),
                         st.MUTED, flags=st.WRAP)

    def render(self, step: int) -> QImage:
        """The frame at ``step`` (steps may come in any order; increasing is fastest)."""
        step = int(min(max(step, 0), self.race.last_step))
        for panel in (self.contour, self.loss):
            if panel is not None:
                panel.advance(self.canvas, self.static, step)
        frame = self.canvas.copy()
        with st.painting(frame) as painter:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            if self.surface is not None:
                painter.drawImage(self.surface_rect.topLeft(), self.surface.image(step))
            for panel in (self.contour, self.loss):
                if panel is not None:
                    panel.paint_overlay(painter, step)
            if self.legend is not None:
                self.legend.paint_dynamic(painter, step)
            if self.legend_box is not None:
                self.legend_box.paint(painter, self._box_at)
                self._paint_counter_box(painter, step)
            if self._strip_counter is not None:
                paint_counter(painter, self.style, self._strip_counter, step, self.total)
            if self.card is not None and step >= self.race.last_step:
                self.card.paint(painter)
        return frame

    def _paint_counter_box(self, painter: QPainter, step: int) -> None:
        style, rect = self.style, self._counter_rect
        painter.setPen(style.pen(QColor(120, 120, 120), 1.2))
        painter.setBrush(QColor(255, 255, 255, 215))
        painter.drawRoundedRect(rect, style.px(6), style.px(6))
        paint_counter(painter, style, rect.adjusted(style.px(14), 0, -style.px(14), 0), step, self.total)

    def close(self) -> None:
        """Release the 3D view (GUI thread)."""
        if self.surface is not None:
            self.surface.close()
            self.surface = None
