"""Visual aids drawn at the head of the selected run: the classic pictures for explaining
momentum and the adaptive methods.

* **−∇J**, the gradient arrow: the steepest-descent direction at the head (the full-batch
  gradient ``sim.full_grad`` the core computed there), in black.
* **−αp**, the momentum arrow: the direction the momentum buffer pushes (``history.state["p"]``;
  for Adam the bias-corrected first moment p̂), in the run's colour.
* **α/(ε + √r)**, the effective step size per axis of AdaGrad and RMSProp (Adam: α/(√r̂ + ε)):
  a cross with an ellipse through its ends, in the run's colour.
* **the field** of −∇J directions over the map: one faint arrow per cell of a FIELD_CELLS²
  grid, under the paths, computed when the surface changes.

Scaling (the same rule for every glyph, so their sizes compare):

Lengths are measured in *normalised view units*: fractions of the surface view box's width
along x and of its height along y, so an arrow looks equally long whatever the aspect of the
axes (the direction stays exactly that of the vector in data space). A vector of size m is drawn
``ARROW_BASE · √(m / m_ref)`` long, clipped to [ARROW_MIN, ARROW_MAX]:

* −∇J: m = |∇J(W)|, m_ref = G, the median |∇J| over the field's grid (the surface's typical
  gradient). A typical gradient is ARROW_BASE long; 100× steeper is 10× longer (or ARROW_MAX);
  near a minimum the arrow shrinks to ARROW_MIN but keeps pointing downhill.
* −αp: m = α|p| against α·G, i.e. |p| against G: comparable with the gradient arrow (a
  momentum buffer that has built up to 10 g is √10 ≈ 3.2 times as long).
* step size: half-axis along axis i = STEP_BASE · √(G · sᵢ/α), clipped to [STEP_MIN, STEP_MAX],
  with sᵢ the step size per axis: G·sᵢ/α = G/(ε + √rᵢ) compares the gradients seen along axis
  i (their root mean square √rᵢ) with the surface's typical gradient, so the cross is long
  along axes where the gradients have been small (the method takes relatively bigger steps
  there) and short where they have been large. The square root compresses: a 100:1 ratio
  between the axes shows as 10:1.
* the field: every arrow 0.6 of a grid cell long (direction only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from ..core.optimizers import OPTIMIZERS
from .equations import hat_html

ARROW_BASE, ARROW_MIN, ARROW_MAX = 0.2, 0.07, 0.45
STEP_BASE, STEP_MIN, STEP_MAX = 0.04, 0.012, 0.12
#: Two arrow labels closer than this (normalised units) are pushed apart, sideways.
LABEL_CLEARANCE = 0.09
#: Arrow heads: this fraction of the arrow, within [HEAD_MIN, HEAD_MAX] normalised units, ±HEAD_ANGLE.
HEAD_FRACTION, HEAD_MIN, HEAD_MAX, HEAD_ANGLE = 0.3, 0.014, 0.035, np.radians(27.0)
FIELD_CELLS = 20
FIELD_LENGTH = 0.6  # of a cell
ELLIPSE_POINTS = 64

GRADIENT_COLOR = (0, 0, 0)
CASING_COLOR = (255, 255, 255, 230)
FIELD_COLOR = {"normal": (30, 34, 42, 95), "projector": (0, 0, 0, 120)}
#: A faint light halo keeps the field's dark arrows visible over the dark (high-loss) colours.
FIELD_HALO = (255, 255, 255, 70)
ARROW_WIDTH = 3.0
FIELD_WIDTH = 1.2
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

MOMENTUM_KINDS = ("momentum", "nesterov", "adam")
ADAPTIVE_KINDS = ("adagrad", "rmsprop", "adam")


def _kind(key: str) -> str:
    return OPTIMIZERS[key].factory.__name__


# --------------------------------------------------------------------------- geometry (pure)


def arrow_length(magnitude: float, reference: float, base: float = ARROW_BASE, low: float = ARROW_MIN,
                 high: float = ARROW_MAX) -> float:
    """Length in normalised view units of a vector of size ``magnitude``:
    ``base · √(magnitude / reference)`` clipped to [low, high] (see the module doc)."""
    if not np.isfinite(magnitude) or not reference > 0:
        return high if magnitude == np.inf else low
    return float(np.clip(base * np.sqrt(max(magnitude, 0.0) / reference), low, high))


def step_half_axis(per_alpha: float, reference: float) -> float:
    """Half-axis (normalised units) of the step-size cross along an axis whose step size is
    ``per_alpha`` · α, i.e. per_alpha = 1/(ε + √rᵢ): STEP_BASE · √(G · per_alpha)."""
    return arrow_length(float(reference * per_alpha), 1.0, STEP_BASE, STEP_MIN, STEP_MAX)


def arrow_tip(head, vector, box_size, length: float) -> np.ndarray | None:
    """The tip of an arrow from ``head`` along ``vector`` (data units) whose length in normalised
    view units (fractions of ``box_size`` = (width, height)) is ``length``; None for a zero or
    non-finite vector. The drawn vector is parallel to ``vector`` in data space."""
    v = np.asarray(vector, dtype=float)
    w, h = box_size
    u = v / (w, h)
    n = float(np.hypot(*u))
    if not np.isfinite(n) or n == 0.0:
        return None
    return np.asarray(head, dtype=float) + v * (length / n)


def arrow_segments(head, tip, box_size) -> np.ndarray:
    """Shaft and two head strokes as (6, 2) end points for a ``connect="pairs"`` curve; the head
    is shaped in normalised view units so it looks the same at any axis aspect."""
    w, h = box_size
    a = np.asarray(head, dtype=float) / (w, h)
    b = np.asarray(tip, dtype=float) / (w, h)
    d = b - a
    length = float(np.hypot(*d))
    u = d / length if length > 0 else np.array([1.0, 0.0])
    size = np.clip(HEAD_FRACTION * length, HEAD_MIN, HEAD_MAX)
    c, s = np.cos(HEAD_ANGLE), np.sin(HEAD_ANGLE)
    left = b - size * np.array([c * u[0] - s * u[1], s * u[0] + c * u[1]])
    right = b - size * np.array([c * u[0] + s * u[1], -s * u[0] + c * u[1]])
    return np.array([a, b, b, left, b, right]) * (w, h)


def step_size_glyph(head, half_axes, box_size, points: int = ELLIPSE_POINTS) -> np.ndarray:
    """A cross with half-axes ``half_axes`` (normalised units along x and y) and the ellipse through
    its ends, as end-point pairs for a ``connect="pairs"`` curve."""
    w, h = box_size
    ax, ay = half_axes
    hx, hy = head
    angles = np.linspace(0.0, 2 * np.pi, points + 1)
    ring = np.column_stack([hx + ax * w * np.cos(angles), hy + ay * h * np.sin(angles)])
    ellipse = np.repeat(ring, 2, axis=0)[1:-1]  # p0 p1 p1 p2 … : consecutive pairs
    cross = np.array([[hx - ax * w, hy], [hx + ax * w, hy], [hx, hy - ay * h], [hx, hy + ay * h]])
    return np.vstack([cross, ellipse])


def field_vectors(surface, cells: int = FIELD_CELLS):
    """Cell centres (M, 2) of a cells × cells grid over the surface's view box and −∇J there (M, 2);
    points with a non-finite gradient are left out."""
    box = surface.view
    xs = box.xmin + (np.arange(cells) + 0.5) * box.width / cells
    ys = box.ymin + (np.arange(cells) + 0.5) * box.height / cells
    X, Y = np.meshgrid(xs, ys, indexing="xy")
    P = np.column_stack([X.ravel(), Y.ravel()])
    with np.errstate(all="ignore"):
        G = -np.asarray(surface.grad(P), dtype=float)
    ok = np.isfinite(G).all(axis=1)
    return P[ok], G[ok]


def gradient_reference(surface, cells: int = FIELD_CELLS) -> float:
    """G: the median |∇J| over the field's grid, the surface's typical gradient (1 if none)."""
    _, G = field_vectors(surface, cells)
    norms = np.hypot(G[:, 0], G[:, 1]) if len(G) else np.zeros(0)
    norms = norms[norms > 0]
    return float(np.median(norms)) if norms.size else 1.0


def field_segments(surface, cells: int = FIELD_CELLS) -> np.ndarray:
    """Every field arrow (shaft + head) as end-point pairs: −∇J directions, FIELD_LENGTH of a cell
    long in normalised view units."""
    box = surface.view
    size = (box.width, box.height)
    P, G = field_vectors(surface, cells)
    u = G / size
    n = np.hypot(u[:, 0], u[:, 1])
    keep = n > 0
    P, u, n = P[keep], u[keep], n[keep]
    u /= n[:, None]
    length = FIELD_LENGTH / cells
    a = P / size - 0.5 * length * u  # centred on the cell
    b = a + length * u
    head = 0.38 * length
    c, s = np.cos(HEAD_ANGLE), np.sin(HEAD_ANGLE)
    left = b - head * np.column_stack([c * u[:, 0] - s * u[:, 1], s * u[:, 0] + c * u[:, 1]])
    right = b - head * np.column_stack([c * u[:, 0] + s * u[:, 1], -s * u[:, 0] + c * u[:, 1]])
    seg = np.stack([a, b, b, left, b, right], axis=1).reshape(-1, 2)
    return seg * size


@dataclass
class HeadGlyphs:
    """What the overlays show for one run at its current step, in data coordinates."""

    head: np.ndarray
    gradient: np.ndarray | None = None  # (6, 2) arrow pairs
    gradient_tip: np.ndarray | None = None
    momentum: np.ndarray | None = None
    momentum_tip: np.ndarray | None = None
    momentum_label: str = ""
    step_size: np.ndarray | None = None  # the cross + ellipse pairs
    half_axes: np.ndarray | None = None  # normalised units
    step_size_label: str = ""


def head_glyphs(sim, k: int, box, reference: float, *, gradient=True, momentum=True, step_size=True,
                i: int = 0) -> HeadGlyphs | None:
    """The glyphs at run k's head from the simulation (positions, the full gradient there, the
    recorded buffers); None when the head is not a finite point."""
    t = sim.length(k) - 1
    head = sim.history.positions[t, k, i]
    if not np.isfinite(head).all():
        return None
    size = (box.width, box.height)
    out = HeadGlyphs(head=head.copy())
    spec = sim.specs[k]
    kind = _kind(spec.optimizer)
    hyper = spec.hyperparameters()
    if gradient:
        g = sim.full_grad[k, i]
        tip = arrow_tip(head, -g, size, arrow_length(float(np.hypot(*g)), reference))
        if tip is not None:
            out.gradient_tip, out.gradient = tip, arrow_segments(head, tip, size)
    if t == 0:
        return out  # no buffer yet
    if momentum and kind in MOMENTUM_KINDS:
        p = sim.history.state["p"][t, k, i]
        if kind == "adam":
            p = p / (1.0 - hyper["rho1"] ** t)
        tip = arrow_tip(head, -p, size, arrow_length(float(np.hypot(*p)), reference))
        if tip is not None:
            out.momentum_tip, out.momentum = tip, arrow_segments(head, tip, size)
            out.momentum_label = "−αp̂" if kind == "adam" else "−αp"
    if step_size and kind in ADAPTIVE_KINDS:
        r = sim.history.state["r"][t, k, i]
        eps = float(hyper["eps"])
        with np.errstate(all="ignore"):
            if kind == "adam":
                per_alpha = 1.0 / (np.sqrt(r / (1.0 - hyper["rho2"] ** t)) + eps)
            else:
                per_alpha = 1.0 / (eps + np.sqrt(r))
        axes = np.array([step_half_axis(float(s), reference) for s in per_alpha])
        out.half_axes = axes
        out.step_size = step_size_glyph(head, axes, size)
        out.step_size_label = "α/(√r̂+ε)" if kind == "adam" else "α/(ε+√r)"
    return out


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
        if pairs is None:
            self.hide()
            return
        x, y = pairs[:, 0], pairs[:, 1]
        self.casing.setData(x, y, connect="pairs", skipFiniteCheck=True)
        self.line.setData(x, y, connect="pairs", skipFiniteCheck=True)
        self.casing.setVisible(True)
        self.line.setVisible(True)
        if html and anchor_point is not None:
            if html != getattr(self, "_html", None):
                self._html = html
                self.label.setHtml(html)
            self.label.setAnchor(anchor)
            self.label.setPos(float(anchor_point[0]), float(anchor_point[1]))
            self.label.setVisible(True)
        else:
            self.label.setVisible(False)

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
        self.glyphs: HeadGlyphs | None = None
        self._key = None
        self._sim = None
        self._theme, self._scale = "normal", 1.0
        self.set_look("normal", 1.0)
        for name in ("overlay_gradient", "overlay_momentum", "overlay_step_size", "selected"):
            model.events.connect(name, lambda _: self.refresh())
        model.events.connect("overlay_field", lambda _: self._show_field())

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
        on = bool(self.model.overlay_field) and self.box is not None
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
        self.field.setPen(_pen(FIELD_COLOR.get(theme, FIELD_COLOR["normal"]), FIELD_WIDTH * scale))
        self.field_halo.setPen(_pen(FIELD_HALO, (FIELD_WIDTH + 1.6) * scale))
        self._key = None
        self.refresh()

    def _run_color(self):
        from .model import display_color

        runs = self.model.runs
        if not runs:
            return (0, 0, 0)
        return display_color(runs[min(self.model.selected, len(runs) - 1)].color, self.model.theme)

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
        wanted = (m.overlay_gradient, m.overlay_momentum, m.overlay_step_size)
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
        grad_at, mom_at = _separate_labels(glyphs.head, glyphs.gradient_tip, glyphs.momentum_tip, size)
        self.gradient.show(glyphs.gradient, grad_at, "−∇J", _label_anchor(glyphs.head, glyphs.gradient_tip, size))
        adam = glyphs.momentum_label == "−αp̂"
        self.momentum.show(glyphs.momentum, mom_at, f"−α{hat_html('p', self._font)}" if adam else "−αp",
                           _label_anchor(glyphs.head, glyphs.momentum_tip, size))
        if glyphs.step_size is not None:
            below = _step_label_below(glyphs, self.box)
            at = glyphs.head + np.array([0.0, (-1 if below else 1) * glyphs.half_axes[1] * size[1]])
            label = (f"α/(√{hat_html('r', self._font)}+ε)" if glyphs.step_size_label.startswith("α/(√")
                     else "α/(ε+√r)")
            self.step_size.show(glyphs.step_size, at, label, (0.5, 0.0) if below else (0.5, 1.0))
        else:
            self.step_size.hide()
        self._update_3d(glyphs)

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
