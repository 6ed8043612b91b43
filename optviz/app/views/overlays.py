"""Visual aids drawn at the head of the selected run: the classic pictures for explaining
momentum and the adaptive methods.

* **−∇J**, the gradient arrow: the steepest-descent direction at the head (the full-batch
  gradient ``sim.full_grad`` the core computed there), in black.
* **−αp**, the momentum arrow: the direction the momentum buffer pushes (``history.state["p"]``;
  for Adam the bias-corrected first moment p̂), in the run's colour.
* **α/(ε + √r)**, the effective step size per axis of AdaGrad and RMSProp (Adam: α/(√r̂ + ε)):
  a cross with an ellipse through its ends, in the run's colour.
* **the field** of −∇J directions over the map: one thin dark arrow on a light casing per cell
  of a FIELD_CELLS² grid (readable on the light valleys and the dark slate of the colour map
  alike), under the paths, computed when the surface changes.

Sizes and shapes: :mod:`optviz.core.visual_aids` (the same scaling rule for every glyph).

Labels are placed where they hide no other text of the map (the minimum labels "min 1", the
"start" label) and no minimum or saddle marker: at the arrow's tip on the side away from the
head if that is free, else at another corner of the tip (or of the head), else where they
overlap least.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from ...core.visual_aids import FIELD_CELLS, HeadGlyphs, field_segments, gradient_reference, head_glyphs
from ..panels.equations import hat_html

#: Two arrow labels closer than this (normalised units) are pushed apart, sideways.
LABEL_CLEARANCE = 0.09
#: Pixels of air a label keeps around it when it is placed.
LABEL_PAD = 2.0

GRADIENT_COLOR = (0, 0, 0)
CASING_COLOR = (255, 255, 255, 230)
#: The field's arrows: dark, on a light casing that outlines them over the dark (high-loss)
#: end of the colour map; the dark line alone carries them over the light end.
FIELD_COLOR = {"normal": (24, 28, 36, 180), "projector": (0, 0, 0, 205)}
FIELD_HALO = {"normal": (255, 255, 255, 120), "projector": (255, 255, 255, 140)}
ARROW_WIDTH = 3.0
FIELD_WIDTH = 1.3
FIELD_HALO_EXTRA = 2.2  # the casing is this much wider than the arrow (px, before scaling)
LABEL_POINT_SIZE = 12

GRADIENT_TIP = ("−∇J: the steepest-descent direction at the head of the selected run. Length grows with "
                "√|∇J| against the surface's typical gradient G (the median |∇J| over the map), within limits.")
MOMENTUM_TIP = ("−αp: where the momentum buffer pushes (Adam: its bias-corrected first moment), on the same "
                "length scale as the gradient arrow.")
STEP_SIZE_TIP = ("The step size per axis, α/(ε + √r) (Adam: with the bias-corrected r). Each half-axis grows "
                 "with √(G/(ε + √rᵢ)): long along an axis whose gradients have been small, short where they "
                 "have been large.")
FIELD_TIP = (f"The direction of −∇J on a {FIELD_CELLS}×{FIELD_CELLS} grid over the view box: every arrow the same "
             "length, pointing downhill.")

# Between the iso-lines (−50) and the paths (10); the head glyphs above the paths, under the
# head dots (30) so the dot marks where the arrow starts.
Z_FIELD, Z_GLYPH = -20, 25
#: The glyphs' labels: above the start handle (50), below the legend (100).
Z_LABEL = 60



# --------------------------------------------------------------------------- geometry (pure)


# --------------------------------------------------------------------------- the items


def _pen(color, width: float, style=Qt.PenStyle.SolidLine):
    pen = pg.mkPen(color, width=width, style=style)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


class _Glyph:
    """A curve of end-point pairs on a light casing, with a label at its tip."""

    def __init__(self, view_box, z: float, tooltip: str) -> None:
        self.casing = pg.PlotCurveItem(connect="pairs", antialias=True)
        self.line = pg.PlotCurveItem(connect="pairs", antialias=True)
        self.label = pg.TextItem("", anchor=(0.0, 1.0), fill=pg.mkBrush(255, 255, 255, 200))
        for j, item in enumerate((self.casing, self.line)):
            item.setZValue(z + 0.1 * j)
        self.label.setZValue(Z_LABEL + 0.1 * z)
        for item in self.items():
            item.setToolTip(tooltip)
            item.setVisible(False)
            view_box.addItem(item, ignoreBounds=True)

    def items(self):
        return (self.casing, self.line, self.label)

    def style(self, color, width: float, font: QFont, text_color, dashed: bool = False) -> None:
        self.casing.setPen(_pen(CASING_COLOR, width + 3.0))
        self.line.setPen(_pen(color, width, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine))
        self.label.setFont(font)
        self.label.setColor(text_color)
        self._html = None  # re-set: the text document takes the font when the html is set

    def show(self, pairs: np.ndarray | None, anchor_point=None, html: str = "", anchor=(0.0, 1.0)) -> None:
        """The strokes ``pairs`` (None: none) and the label ``html`` at ``anchor_point`` (none
        without both)."""
        lines = pairs is not None
        if lines:
            x, y = pairs[:, 0], pairs[:, 1]
            self.casing.setData(x, y, connect="pairs", skipFiniteCheck=True)
            self.line.setData(x, y, connect="pairs", skipFiniteCheck=True)
        self.casing.setVisible(lines)
        self.line.setVisible(lines)
        if html and anchor_point is not None:
            self.set_text(html)
            self.label.setAnchor(anchor)
            self.label.setPos(float(anchor_point[0]), float(anchor_point[1]))
            self.label.setVisible(True)
        else:
            self.label.setVisible(False)

    def set_text(self, html: str) -> None:
        if html != getattr(self, "_html", None):
            self._html = html
            self.label.setHtml(html)

    def hide(self) -> None:
        for item in self.items():
            item.setVisible(False)


class RunOverlays:
    """The overlays of the model's selected run on the contour view (and arrows in the 3D view).

    Args:
        model: the RaceModel (``overlay_*`` flags, ``selected``, run colours and visibility).
        contour: the ContourView whose view box receives the items.
        surface3d: the SurfaceView, or None.

    Methods:
        set_surface(surface): the field and G, the reference gradient; once per surface.
        update(sim): move the glyphs to the selected run's head; cheap (< 1 ms), every frame.
        set_look(theme, scale): pens, fonts and colours.
    """

    def __init__(self, model, contour, surface3d=None) -> None:
        self.model = model
        self.contour = contour
        self.surface3d = surface3d
        vb = contour.view_box
        self.box = None
        self.reference = 1.0
        self.field = pg.PlotCurveItem(connect="pairs", antialias=True)
        self.field_halo = pg.PlotCurveItem(connect="pairs", antialias=True)
        for j, item in enumerate((self.field_halo, self.field)):
            item.setZValue(Z_FIELD + 0.1 * j)
            item.setVisible(False)
            vb.addItem(item, ignoreBounds=True)
        self.gradient = _Glyph(vb, Z_GLYPH, GRADIENT_TIP)
        self.momentum = _Glyph(vb, Z_GLYPH + 1, MOMENTUM_TIP)
        self.step_size = _Glyph(vb, Z_GLYPH - 1, STEP_SIZE_TIP)
        vb.sigResized.connect(self._style_field)
        self.glyphs: HeadGlyphs | None = None
        self._key = None
        self._sim = None
        self._theme, self._scale = "normal", 1.0
        self.set_look("normal", 1.0)
        for name in ("overlay_gradient", "overlay_momentum", "overlay_step_size"):
            model.view.events.connect(name, lambda _: self.refresh())
        model.events.connect("selected", lambda _: self.refresh())
        model.view.events.connect("overlay_field", lambda _: self._show_field())

    # ---------------------------------------------------------------- set-up

    def set_surface(self, surface) -> None:
        self.box = surface.view
        self.reference = gradient_reference(surface)
        seg = field_segments(surface)
        for item in (self.field, self.field_halo):
            item.setData(seg[:, 0], seg[:, 1], connect="pairs", skipFiniteCheck=True)
        self._show_field()
        self._key = None

    def _show_field(self) -> None:
        on = bool(self.model.view.overlay_field) and self.box is not None
        self.field.setVisible(on)
        self.field_halo.setVisible(on)

    def set_look(self, theme: str, scale: float) -> None:
        self._theme, self._scale = theme, float(scale)
        font = QFont()
        font.setPointSizeF(LABEL_POINT_SIZE * scale)
        font.setBold(True)
        self._font = font
        text = (0, 0, 0) if theme == "projector" else (30, 34, 42)
        width = ARROW_WIDTH * scale
        color = self._run_color()
        self.gradient.style(GRADIENT_COLOR, width, font, text)
        self.momentum.style(color, width, font, text)
        self.step_size.style(color, 0.7 * width, font, text)
        self._style_field()
        self._key = None
        self.refresh()

    def _style_field(self, *_) -> None:
        """The field's pens for the theme and scale, but never so wide for the map's cells
        that the arrows run together: a small map in presentation mode has small cells."""
        vb = self.contour.view_box
        cell = min(vb.width(), vb.height()) / FIELD_CELLS
        width = FIELD_WIDTH * self._scale
        extra = FIELD_HALO_EXTRA * self._scale
        if cell > 1:
            width, extra = min(width, max(0.8, cell / 10)), min(extra, max(1.2, cell / 6))
        theme = self._theme
        self.field.setPen(_pen(FIELD_COLOR.get(theme, FIELD_COLOR["normal"]), width))
        self.field_halo.setPen(_pen(FIELD_HALO.get(theme, FIELD_HALO["normal"]), width + extra))

    def _run_color(self):
        from ..window.view_prefs import display_color

        runs = self.model.runs
        if not runs:
            return (0, 0, 0)
        return display_color(runs[min(self.model.selected, len(runs) - 1)].color, self.model.view.theme)

    # ---------------------------------------------------------------- per frame

    def refresh(self) -> None:
        """Restyle for the selected run and redraw (after a selection or flag change)."""
        color = self._run_color()
        width = ARROW_WIDTH * self._scale
        self.momentum.line.setPen(_pen(color, width))
        self.step_size.line.setPen(_pen(color, 0.7 * width))
        self._key = None
        if self._sim is not None:
            self.update(self._sim)

    def update(self, sim) -> None:
        self._sim = sim
        m = self.model
        wanted = (m.view.overlay_gradient, m.view.overlay_momentum, m.view.overlay_step_size)
        runs = m.runs
        k = min(m.selected, sim.K - 1, len(runs) - 1)
        if not any(wanted) or self.box is None or k < 0 or not runs[k].visible:
            self._clear()
            return
        t = sim.length(k) - 1
        key = (k, t, wanted, float(sim.positions[k, 0, 0]), float(sim.positions[k, 0, 1]), id(sim))
        if key == self._key:
            return
        self._key = key
        glyphs = head_glyphs(sim, k, self.box, self.reference, gradient=wanted[0], momentum=wanted[1],
                             step_size=wanted[2])
        self.glyphs = glyphs
        if glyphs is None:
            self._clear()
            return
        size = np.array([self.box.width, self.box.height])
        obstacles, marker_half = self._obstacles()
        # Labels beside the head clear a minimum's star the head may sit on.
        placer = _LabelPlacer(obstacles, self.contour.view_box, max(8.0 * self._scale, marker_half + 2.0))
        head = glyphs.head
        grad_at, mom_at = _separate_labels(head, glyphs.gradient_tip, glyphs.momentum_tip, size)
        adam = glyphs.momentum_label == "−αp̂"
        momentum_text = f"−α{hat_html('p', self._font)}" if adam else "−αp"
        for glyph, pairs, text, tip, at, vanished in (
                (self.gradient, glyphs.gradient, "−∇J", glyphs.gradient_tip, grad_at, glyphs.gradient_vanished),
                (self.momentum, glyphs.momentum, momentum_text, glyphs.momentum_tip, mom_at,
                 glyphs.momentum_vanished)):
            if vanished:
                glyph.set_text(f"{text} ≈ 0")
                # Near the head first; a little further out where the map's texts crowd it.
                at, anchor = placer.place(glyph.label, placer.around(head) + placer.around(head, 3.0))
                glyph.show(None, at, f"{text} ≈ 0", anchor)
            elif pairs is not None:
                glyph.set_text(text)
                first = (at, _label_anchor(head, tip, size))
                at, anchor = placer.place(glyph.label, [first, *placer.corners(at), *placer.around(head),
                                                        *placer.around(head, 3.0)])
                glyph.show(pairs, at, text, anchor)
            else:
                glyph.hide()
        if glyphs.step_size is not None:
            below = _step_label_below(glyphs, self.box)
            label = (f"α/(√{hat_html('r', self._font)}+ε)" if glyphs.step_size_label.startswith("α/(√")
                     else "α/(ε+√r)")
            candidates = []
            for side in ((-1, 1) if below else (1, -1)):
                at = head + np.array([0.0, side * glyphs.half_axes[1] * size[1]])
                candidates.append((at, (0.5, 0.0) if side < 0 else (0.5, 1.0)))
            self.step_size.set_text(label)
            at, anchor = placer.place(self.step_size.label, candidates)
            self.step_size.show(glyphs.step_size, at, label, anchor)
        else:
            self.step_size.hide()
        self._update_3d(glyphs)

    def _obstacles(self) -> tuple[list[tuple[float, float, float, float]], float]:
        """What the labels must not cover, as (x0, y0, x1, y1) in data units: every other text
        on the map (the minimum labels, the start label) and the minimum and saddle markers;
        and the largest marker's half-size in pixels."""
        vb = self.contour.view_box
        px = _pixel_size(vb)
        largest = 0.0
        if px is None:
            return [], largest
        mine = {glyph.label for glyph in (self.gradient, self.momentum, self.step_size)}
        rects = []
        for item in vb.childGroup.childItems():  # addedItems leaves out items added with ignoreBounds
            if isinstance(item, pg.TextItem) and item not in mine and item.isVisible():
                rects.append(_text_rect(item, (item.pos().x(), item.pos().y()), tuple(item.anchor), px))
        handle = getattr(self.contour, "start_handle", None)
        label = handle.label() if handle is not None else None
        if label is not None and label.isVisible() and handle.isVisible():
            r = vb.mapSceneToView(label.sceneBoundingRect()).boundingRect()
            rects.append((r.left(), r.top(), r.right(), r.bottom()))
        for marker in (getattr(self.contour, "minima", None), getattr(self.contour, "saddles", None)):
            if marker is None or not marker.isVisible():
                continue
            x, y = marker.getData()
            if x is None or not len(x):
                continue
            half = 0.5 * float(marker.opts.get("size", 10))
            largest = max(largest, half)
            rects.extend((xi - half * px[0], yi - half * px[1], xi + half * px[0], yi + half * px[1])
                         for xi, yi in zip(np.asarray(x, float), np.asarray(y, float)))
        return rects, largest

    def _clear(self) -> None:
        self.glyphs = None
        self._key = None
        for glyph in (self.gradient, self.momentum, self.step_size):
            glyph.hide()
        if self.surface3d is not None:
            self.surface3d.set_overlay(None)

    def _update_3d(self, glyphs: HeadGlyphs) -> None:
        """The two arrows in the 3D view, flat at the height of the head's ball."""
        view = self.surface3d
        if view is None or getattr(view, "map", None) is None:
            return
        pieces, colors = [], []
        loss = float(np.asarray(view.surface.f(glyphs.head[None, :]), dtype=float).ravel()[0])
        z = float(view.path_to_display(glyphs.head[None, :], [loss])[0, 2])
        color = pg.mkColor(self._run_color()).getRgbF()
        for pairs, rgba in ((glyphs.gradient, (0.0, 0.0, 0.0, 1.0)), (glyphs.momentum, color)):
            if pairs is None:
                continue
            xy = view.map.xy(pairs)
            pieces.append(np.column_stack([xy, np.full(len(xy), z)]))
            colors.append(np.tile(rgba, (len(xy), 1)))
        if not pieces or not np.isfinite(z):
            view.set_overlay(None)
            return
        view.set_overlay(np.vstack(pieces), np.vstack(colors), ARROW_WIDTH * self._scale)


def _pixel_size(view_box) -> tuple[float, float] | None:
    """Data units per screen pixel along x and y, or None before the view has a size."""
    try:
        w, h = view_box.viewPixelSize()
    except Exception:  # no view yet
        return None
    return (float(w), float(h)) if np.isfinite([w, h]).all() and w > 0 and h > 0 else None


def _text_rect(label, pos, anchor, px) -> tuple[float, float, float, float]:
    """The data-unit rectangle (x0, y0, x1, y1) a pg.TextItem covers at ``pos`` with
    ``anchor``: its text has a fixed size in pixels, the anchor's y runs down the text."""
    r = label.textItem.boundingRect()
    w, h = r.width() * px[0], r.height() * px[1]
    x0 = float(pos[0]) - float(anchor[0]) * w
    top = float(pos[1]) + float(anchor[1]) * h
    return x0, top - h, x0 + w, top


def _overlap(a, b) -> float:
    """Area shared by two (x0, y0, x1, y1) rectangles."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


class _LabelPlacer:
    """Chooses, for one label after another, the first candidate position that covers none of
    the obstacles nor the labels placed before it and stays inside the view (else the one
    that covers and leaves least)."""

    def __init__(self, obstacles, view_box, gap_px: float) -> None:
        self.px = _pixel_size(view_box)
        # The map's own texts keep the same air as the labels (their rectangles are estimated
        # from font metrics, a pixel or so off what Qt paints).
        self.taken = [self._padded(r) for r in obstacles] if self.px is not None else list(obstacles)
        self.gap = gap_px
        (x0, x1), (y0, y1) = view_box.viewRange()
        self.view = (x0, y0, x1, y1)

    def corners(self, point) -> list:
        """The four corner anchors at ``point``, in the order up-right, up-left, down-right, down-left."""
        return [(point, anchor) for anchor in ((0.0, 1.0), (1.0, 1.0), (0.0, 0.0), (1.0, 0.0))]

    def around(self, point, reach: float = 1.0) -> list:
        """The four corners a small gap (× ``reach``) off ``point`` (beside a head dot rather
        than on it), then centred above, below, right and left of it."""
        if self.px is None:
            return self.corners(point)
        dx, dy = reach * self.gap * self.px[0], reach * self.gap * self.px[1]
        p = np.asarray(point, dtype=float)
        corners = [(p + (sx * dx, sy * dy), anchor) for (sx, sy), (_, anchor)
                   in zip(((1, 1), (-1, 1), (1, -1), (-1, -1)), self.corners(p))]
        sides = [(p + (0.0, dy), (0.5, 1.0)), (p - (0.0, dy), (0.5, 0.0)), (p + (dx, 0.0), (0.0, 0.5)),
                 (p - (dx, 0.0), (1.0, 0.5))]
        return corners + sides

    def place(self, label, candidates):
        """(point, anchor) for ``label`` among ``candidates`` (a non-empty list of such)."""
        if self.px is None or len(candidates) == 1:
            return candidates[0]
        best, best_cost = candidates[0], np.inf
        for point, anchor in candidates:
            rect = self._padded(_text_rect(label, point, anchor, self.px))
            outside = (rect[2] - rect[0]) * (rect[3] - rect[1]) - _overlap(rect, self.view)
            cost = sum(_overlap(rect, other) for other in self.taken) + outside
            if cost < best_cost:
                best, best_cost = (point, anchor), cost
                if cost == 0.0:
                    break
        self.taken.append(self._padded(_text_rect(label, best[0], best[1], self.px)))
        return best

    def _padded(self, rect):
        """``rect`` grown by LABEL_PAD pixels on every side: labels keep a little air between them."""
        dx, dy = LABEL_PAD * self.px[0], LABEL_PAD * self.px[1]
        return rect[0] - dx, rect[1] - dy, rect[2] + dx, rect[3] + dy


def _step_label_below(glyphs: HeadGlyphs, box) -> bool:
    """Whether the step-size label goes under the ellipse: on the side the arrows do not point
    to (they carry their own labels), unless that side runs out of the view."""
    tips = [tip for tip in (glyphs.gradient_tip, glyphs.momentum_tip) if tip is not None]
    down = bool(np.mean([tip[1] for tip in tips]) < glyphs.head[1]) if tips else False
    below = not down
    room = 0.1 * box.height + glyphs.half_axes[1] * box.height
    if below and glyphs.head[1] - room < box.ymin:
        below = False
    elif not below and glyphs.head[1] + room > box.ymax:
        below = True
    return below


def _separate_labels(head, gradient_tip, momentum_tip, size):
    """Where the two arrow labels go: at the tips, unless they would overlap (nearly parallel
    arrows, as Adam's p̂ and g often are); then both move sideways, apart."""
    if gradient_tip is None or momentum_tip is None:
        return gradient_tip, momentum_tip
    a, b = np.asarray(gradient_tip) / size, np.asarray(momentum_tip) / size
    if np.hypot(*(a - b)) >= LABEL_CLEARANCE:
        return gradient_tip, momentum_tip
    d = b - np.asarray(head) / size
    n = np.hypot(*d)
    side = np.array([-d[1], d[0]]) / n if n > 0 else np.array([0.0, 1.0])
    half = 0.5 * LABEL_CLEARANCE * side
    return (a - half) * size, (b + half) * size


def _label_anchor(head, tip, size):
    """Put a label beyond the arrow's tip: anchored on the side facing away from the head."""
    if tip is None:
        return (0.0, 1.0)
    d = (np.asarray(tip) - np.asarray(head)) / size
    ax = 0.0 if d[0] >= 0 else 1.0
    ay = 1.0 if d[1] >= 0 else 0.0  # y up in data; the anchor's y runs down the text
    return (ax, ay)
