"""The 3D view's axes: round ticks on x, y and the loss J, the panes they are drawn on, and
labels that never collide.

The frame is the one a reader knows from matplotlib: a floor pane under the mesh and two
panes behind it (the sides away from the camera), with grid lines at the ticks. Tick marks
and labels of x and y run along the two floor edges nearest the camera, the loss axis up
the pane edge on the left of the picture. Labels are painted on top, each pushed outwards
from its tick by a fixed gap in screen pixels; where two would overlap, every other tick of
an axis is dropped, and a label that still hits one of a more important axis is left out,
so no two labels ever share a pixel (see :class:`AxisLabels`).

Tick values are round (:func:`optviz.core.ticks.round_ticks`: 1, 2, 2.5 or 5 × 10ᵏ apart); on a log-scaled loss,
round values (1, 2 or 5 × 10ᵏ, and 0) spread evenly in height (:func:`loss_ticks`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph.opengl as gl
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QMatrix4x4, QPainter, QVector3D
from PySide6.QtOpenGL import QOpenGLPaintDevice

from ..core.geometry import ViewBox
from ..core.scale import ValueScale
from ..core.ticks import round_ticks, tick_label
from .surface_gl import ORDER_FRAME, ORDER_TEXT, OVERLAY_GL, PANE_GL, PATH_GL

#: Tick marks stick out of the box this far (display units).
TICK_LENGTH = 0.05
#: Gap between a tick's end and its label, and between the labels and the axis title (px at
#: look scale 1). Labels of one axis closer than LABEL_PAD px count as touching; labels of two
#: axes must keep AXES_PAD apart, so the two end values at a corner never read as one
#: ("−2 −2").
LABEL_GAP, TITLE_GAP, LABEL_PAD, AXES_PAD = 4.0, 6.0, 3.0, 20.0
#: Point sizes of tick labels and axis titles at look scale 1.
TICK_POINTS, TITLE_POINTS = 10.0, 13.0
#: Loss ticks on a log scale at least this far apart in scaled height (u ∈ [0, 1]).
LOSS_TICK_GAP = 0.11


# ---------------------------------------------------------------------------------------- ticks


def loss_ticks(scale: ValueScale, most: int = 6) -> tuple[np.ndarray, float | None]:
    """(ticks, step) for the loss axis. Linear scales: :func:`nice_ticks`. Log scales (step
    None): round values m × 10ᵏ (m = 1, then 5, then 2) and 0 in [lo, hi], taken roundest
    first wherever they are at least LOSS_TICK_GAP apart in scaled height, at most ``most``."""
    lo, hi = float(scale.lo), float(scale.hi)
    if not scale.log:
        return round_ticks(lo, hi, most + 1)  # the step is at least span / most: 3 to 6 ticks
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
        return np.zeros(0), None
    top = math.ceil(math.log10(max(abs(lo), abs(hi), 1e-300))) + 1
    bottom = math.floor(math.log10(max((hi - lo) * 1e-5, 1e-300))) - 1
    candidates = [(0.0, 0)]
    for k in range(bottom, top + 1):
        for rank, m in enumerate((1.0, 5.0, 2.0)):
            v = m * 10.0**k
            candidates += [(v, rank), (-v, rank)]
    candidates = [(v, r) for v, r in candidates if lo - 1e-12 * abs(lo) <= v <= hi]
    candidates.sort(key=lambda c: (c[1], -abs(float(scale(c[0])) - 0.5)))  # roundest, then spread out
    chosen: list[float] = []
    heights: list[float] = []
    for v, _ in candidates:
        u = float(scale(v))
        if all(abs(u - h) >= LOSS_TICK_GAP for h in heights):
            chosen.append(v)
            heights.append(u)
        if len(chosen) >= most:
            break
    return np.array(sorted(chosen)), None


# ---------------------------------------------------------------------------------------- labels


@dataclass
class Label:
    """One text of the axes: ``anchor`` in display coordinates, pushed ``outward`` (a display
    direction) on screen; ``axis`` groups ticks ('x', 'y', 'J'); titles have ``title``."""

    text: str
    anchor: tuple[float, float, float]
    outward: tuple[float, float, float]
    axis: str
    title: bool = False


class AxisLabels(GLGraphicsItem):
    """All axis labels, painted with QPainter into the GL frame (so widget grabs and exports
    see them too), none overlapping another or the view's edge.

    After each paint, ``drawn`` lists (text, QRectF in widget pixels, axis, title) of what was
    drawn, and ``dropped`` the texts left out.
    """

    #: Draw order among the axes: titles first, then the loss, x and y ticks.
    PRIORITY = ("J", "x", "y")

    def __init__(self) -> None:
        super().__init__()
        self.setGLOptions(OVERLAY_GL)
        self.setDepthValue(ORDER_TEXT)
        self.labels: list[Label] = []
        self.color = QColor(70, 78, 92)
        self.scale = 1.0
        self.tick_font, self.title_font = QFont(), QFont()
        self.set_look(self.color, 1.0)
        self.drawn: list[tuple[str, QRectF, str, bool]] = []
        self.dropped: list[str] = []

    def set_look(self, color, scale: float) -> None:
        self.color = QColor(*color) if isinstance(color, tuple) else QColor(color)
        self.scale = float(scale)
        self.tick_font = QFont()
        self.tick_font.setPointSizeF(TICK_POINTS * self.scale)
        self.title_font = QFont()
        self.title_font.setPointSizeF(TITLE_POINTS * self.scale)
        self.title_font.setBold(True)
        self.update()

    def set_labels(self, labels: list[Label]) -> None:
        self.labels = list(labels)
        self.update()

    def font_of(self, label: Label) -> QFont:
        return self.title_font if label.title else self.tick_font

    def screen_matrix(self) -> QMatrix4x4:
        """Display coordinates → widget pixels for the view's current camera."""
        view = self.view()
        w, h = view.width(), view.height()
        ndc_to_viewport = QMatrix4x4()
        ndc_to_viewport.viewport(0.0, float(h), float(w), float(-h))
        return ndc_to_viewport * view.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * view.viewMatrix()

    def layout(self, cull: bool = True) -> list[tuple[Label, QRectF]]:
        """Where the labels go for the current camera: (label, rect in widget pixels) of those
        drawn, or of all of them with ``cull=False``."""
        if not self.labels or self.view() is None:
            return []
        matrix = self.screen_matrix()
        bounds = QRectF(self.view().rect())

        def to_screen(p) -> np.ndarray:
            q = matrix.map(QVector3D(*(float(c) for c in p)))
            return np.array([q.x(), q.y()])

        placed: dict[int, tuple[np.ndarray, np.ndarray, float, float]] = {}
        for i, lab in enumerate(self.labels):
            p = to_screen(lab.anchor)
            d = to_screen(np.add(lab.anchor, np.multiply(lab.outward, 0.1))) - p
            n = float(np.hypot(*d))
            d = d / n if n > 1e-6 else np.array([0.0, 1.0])
            fm = QFontMetricsF(self.font_of(lab))
            placed[i] = (p, d, fm.horizontalAdvance(lab.text), fm.height())

        def extent(d, w, h) -> float:  # half the rect's size along the unit direction d
            return abs(d[0]) * w / 2 + abs(d[1]) * h / 2

        gap = LABEL_GAP * self.scale
        rects: dict[int, QRectF] = {}
        for i, lab in enumerate(self.labels):
            if lab.title:
                continue
            p, d, w, h = placed[i]
            c = p + d * (gap + extent(d, w, h))
            rects[i] = QRectF(c[0] - w / 2, c[1] - h / 2, w, h)
        for i, lab in enumerate(self.labels):
            if not lab.title:
                continue
            p, d, w, h = placed[i]
            ticks = [placed[j] for j, other in enumerate(self.labels) if other.axis == lab.axis and not other.title]
            reach = max((extent(d, tw, th) * 2 for _, _, tw, th in ticks), default=0.0)
            c = p + d * (gap + reach + TITLE_GAP * self.scale + extent(d, w, h))
            rects[i] = QRectF(c[0] - w / 2, c[1] - h / 2, w, h)

        if not cull:
            return [(lab, rects[i]) for i, lab in enumerate(self.labels)]
        inside = bounds.adjusted(1, 1, -1, -1)

        def clear(rect: QRectF, others: list[QRectF], pad: float = LABEL_PAD) -> bool:
            pad *= self.scale
            grown = rect.adjusted(-pad, -pad, pad, pad)
            return not any(grown.intersects(o) for o in others)

        accepted: list[tuple[QRectF, str]] = []
        out: list[tuple[Label, QRectF]] = []

        def free(i: int) -> bool:  # clear of every accepted label, further from other axes'
            axis = self.labels[i].axis
            return (clear(rects[i], [r for r, a in accepted if a == axis])
                    and clear(rects[i], [r for r, a in accepted if a != axis], AXES_PAD))

        for i, lab in enumerate(self.labels):
            if lab.title and inside.contains(rects[i]) and free(i):
                accepted.append((rects[i], lab.axis))
                out.append((lab, rects[i]))
        for axis in self.PRIORITY:
            ticks = [i for i, lab in enumerate(self.labels) if lab.axis == axis and not lab.title]
            ticks = [i for i in ticks if inside.contains(rects[i])]
            # Every k-th tick of this axis, k as small as keeps them apart from each other.
            for every in range(1, max(len(ticks), 1) + 1):
                kept = ticks[::every]
                if all(clear(rects[a], [rects[b] for b in kept if b != a]) for a in kept):
                    break
            fresh = [i for i in kept if free(i)]
            accepted += [(rects[i], axis) for i in fresh]
            out += [(self.labels[i], rects[i]) for i in fresh]
        return out

    def paint(self) -> None:
        view = self.view()
        shown = self.layout()
        self.drawn = [(lab.text, QRectF(r), lab.axis, lab.title) for lab, r in shown]
        drawn_ids = {id(lab) for lab, _ in shown}
        self.dropped = [lab.text for lab in self.labels if id(lab) not in drawn_ids]
        if not shown:
            return
        self.setupGLState()
        dpr = view.devicePixelRatioF()
        device = QOpenGLPaintDevice(round(view.width() * dpr), round(view.height() * dpr))
        device.setDevicePixelRatio(dpr)
        painter = QPainter(device)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        painter.setPen(self.color)
        for lab, rect in shown:
            painter.setFont(self.font_of(lab))
            fm = QFontMetricsF(painter.font())
            painter.drawText(QPointF(rect.left(), rect.top() + fm.ascent()), lab.text)
        painter.end()


# ---------------------------------------------------------------------------------------- frame


@dataclass(frozen=True)
class FrameColors:
    pane: tuple[float, float, float, float]
    grid: tuple[float, float, float, float]
    edge: tuple[float, float, float, float]


def frame_colors(background, text) -> FrameColors:
    """Pane, grid and edge colours between the theme's background and text colours: panes
    barely darker than the background, grid lines faint, the box edges a little firmer."""
    bg, fg = np.asarray(background, float) / 255, np.asarray(text, float) / 255

    def mix(t):
        r, g, b = bg * (1 - t) + fg * t
        return (float(r), float(g), float(b), 1.0)

    return FrameColors(pane=mix(0.05), grid=mix(0.17), edge=mix(0.32))


class AxisFrame:
    """Panes, grid lines, tick marks and labels of the 3D view's box.

    :meth:`set_axes` takes the box's ticks (from the surface's view box and the loss scale);
    :meth:`set_camera` puts the panes on the far sides and the labels on the near ones.
    """

    def __init__(self, view: gl.GLViewWidget, height: float, floor: float) -> None:
        self.height, self.floor = height, floor
        self.panes = gl.GLMeshItem(smooth=False, glOptions=PANE_GL)
        self.grid = gl.GLLinePlotItem(mode="lines", width=1.0, antialias=True, glOptions=PATH_GL)
        self.edges = gl.GLLinePlotItem(mode="lines", width=1.2, antialias=True, glOptions=PATH_GL)
        self.labels = AxisLabels()
        for k, item in enumerate((self.panes, self.grid, self.edges)):
            item.setDepthValue(ORDER_FRAME + 0.1 * k)
            item.setVisible(False)
            view.addItem(item)
        view.addItem(self.labels)
        self.colors = frame_colors((236, 239, 243), (70, 78, 92))
        self.ticks: dict[str, np.ndarray] = {"x": np.zeros(0), "y": np.zeros(0), "J": np.zeros(0)}
        self.texts: dict[str, list[str]] = {"x": [], "y": [], "J": []}
        self.display: dict[str, np.ndarray] = {"x": np.zeros(0), "y": np.zeros(0), "J": np.zeros(0)}
        self.names = ("x", "y", "J")
        self.side: tuple[float, float, float] | None = None

    def set_look(self, theme, scale: float) -> None:
        self.colors = frame_colors(theme.gl_background, theme.gl_text)
        self.labels.set_look(theme.gl_text, scale)
        self.grid.setData(width=1.0 * scale)
        self.edges.setData(width=1.2 * scale)
        if self.side is not None:
            self._build(*self.side)

    def set_axes(self, box: ViewBox, scale: ValueScale, names=("x", "y"), loss_name: str = "J") -> None:
        """Ticks of x and y in the view ``box`` and of the loss through ``scale``."""
        for axis, (lo, hi) in (("x", (box.xmin, box.xmax)), ("y", (box.ymin, box.ymax))):
            ticks, step = round_ticks(lo, hi, 6)
            self.ticks[axis] = ticks
            self.texts[axis] = [tick_label(v, step) for v in ticks]
            self.display[axis] = 2.0 * (ticks - lo) / (hi - lo) - 1.0
        ticks, step = loss_ticks(scale)
        self.ticks["J"] = ticks
        self.texts["J"] = [tick_label(v, step) for v in ticks]
        self.display["J"] = self.height * np.clip(np.asarray(scale(ticks), dtype=float), 0.0, 1.0)
        self.names = (*names, loss_name)
        if self.side is not None:
            self._build(*self.side)

    def set_camera(self, eye_xy, right_xy) -> None:
        """Rebuild for a camera at display (x, y) ``eye_xy`` whose screen x runs along
        ``right_xy``; only when the near sides or the loss axis' corner change."""
        sx = 1.0 if eye_xy[0] >= 0 else -1.0
        sy = 1.0 if eye_xy[1] >= 0 else -1.0
        # The loss axis stands at the side corner further left in the picture.
        corners = ((sx, -sy), (-sx, sy))
        left = min(range(2), key=lambda k: corners[k][0] * right_xy[0] + corners[k][1] * right_xy[1])
        side = (sx, sy, float(left))
        if side != self.side:
            self.side = side
            self._build(*side)

    def corner_of_loss_axis(self) -> tuple[float, float] | None:
        if self.side is None:
            return None
        sx, sy, left = self.side
        return ((sx, -sy), (-sx, sy))[int(left)]

    def _build(self, sx: float, sy: float, left: float) -> None:
        h, f, t = self.height, self.floor, TICK_LENGTH
        xs, ys, zs = self.display["x"], self.display["y"], self.display["J"]
        # Panes: the floor, and the walls at x = -sx and y = -sy.
        quads = [
            [(-1, -1, f), (1, -1, f), (1, 1, f), (-1, 1, f)],
            [(-sx, -1, f), (-sx, 1, f), (-sx, 1, h), (-sx, -1, h)],
            [(-1, -sy, f), (1, -sy, f), (1, -sy, h), (-1, -sy, h)],
        ]
        verts = np.array([p for q in quads for p in q], dtype=np.float32)
        faces = np.array([[4 * k, 4 * k + 1, 4 * k + 2] for k in range(3)]
                         + [[4 * k, 4 * k + 2, 4 * k + 3] for k in range(3)], dtype=np.uint32)
        colors = np.tile(np.float32(self.colors.pane), (len(verts), 1))
        self.panes.setMeshData(meshdata=gl.MeshData(vertexes=verts, faces=faces, vertexColors=colors))
        self.panes.setVisible(True)

        grid = []
        for x in xs:  # floor, and up the wall at y = -sy
            grid += [(x, -1, f), (x, 1, f), (x, -sy, f), (x, -sy, h)]
        for y in ys:
            grid += [(-1, y, f), (1, y, f), (-sx, y, f), (-sx, y, h)]
        for z in zs:  # round the two walls
            grid += [(-sx, -1, z), (-sx, 1, z), (-1, -sy, z), (1, -sy, z)]
        corner = ((sx, -sy), (-sx, sy))[int(left)]
        out = np.array(corner) * (1.0 + t)  # loss ticks stick out along the wall they end
        along = (out[0], corner[1]) if corner[0] == sx else (corner[0], out[1])
        ticks = []
        for x in xs:
            ticks += [(x, sy, f), (x, sy * (1 + t), f)]
        for y in ys:
            ticks += [(sx, y, f), (sx * (1 + t), y, f)]
        for z in zs:
            ticks += [(corner[0], corner[1], z), (along[0], along[1], z)]
        self._set_lines(self.grid, grid, self.colors.grid)
        edges = [(-1, -1, f), (1, -1, f), (1, -1, f), (1, 1, f), (1, 1, f), (-1, 1, f), (-1, 1, f), (-1, -1, f),
                 (-sx, -sy, f), (-sx, -sy, h), (sx, -sy, f), (sx, -sy, h), (-sx, sy, f), (-sx, sy, h),
                 (-sx, -sy, h), (sx, -sy, h), (-sx, -sy, h), (-sx, sy, h)]
        self._set_lines(self.edges, edges + ticks, self.colors.edge)

        labels: list[Label] = []
        for x, text in zip(xs, self.texts["x"]):
            labels.append(Label(text, (x, sy * (1 + t), f), (0.0, sy, 0.0), "x"))
        for y, text in zip(ys, self.texts["y"]):
            labels.append(Label(text, (sx * (1 + t), y, f), (sx, 0.0, 0.0), "y"))
        outward = (float(np.sign(along[0] - corner[0])), float(np.sign(along[1] - corner[1])), 0.0)
        for z, text in zip(zs, self.texts["J"]):
            labels.append(Label(text, (along[0], along[1], z), outward, "J"))
        xname, yname, lname = self.names
        labels += [Label(xname, (0.0, sy * (1 + t), f), (0.0, sy, 0.0), "x", True),
                   Label(yname, (sx * (1 + t), 0.0, f), (sx, 0.0, 0.0), "y", True),
                   Label(lname, (along[0], along[1], 0.5 * (zs.min() + zs.max()) if len(zs) else h / 2),
                         outward, "J", True)]
        self.labels.set_labels(labels)

    @staticmethod
    def _set_lines(item, segments, color) -> None:
        if not segments:
            item.setVisible(False)
            return
        item.setData(pos=np.asarray(segments, dtype=np.float32), color=color)
        item.setVisible(True)
