"""The 3D view: the loss surface as a lit, coloured block with the runs' paths riding on it.

Display coordinates: the surface's view box maps to the square [-1, 1]² (x and y scaled
independently, so a long box still looks square) and the loss J to the height z = H·u with
u = ``grid.scale(J)`` ∈ [0, 1], the same scaled value the contour view colours by. The mesh
colours are ``colormap.rgba(u)``, so a colour means the same loss in both views.

What is drawn, back to front:

* the mesh, lit by a soft light near the camera that keeps the colour-map colours, with grey
  walls from its edges down to the floor (a solid block: nobody looks under the sheet); cells
  with an undefined loss are left out (holes);
* every path twice: a faded copy on top of everything (a path behind a hill stays
  traceable) and the depth-tested path in the run colour on a light casing, lifted onto the
  mesh;
* the minima (white dots) and each run's head (a ball in the run colour), always on top and
  faded while the surface hides them from the camera;
* axis names and end values on the two box edges nearest the camera.

The default camera picks, per surface, the view that shows most of the low ground (see
:meth:`SurfaceView.reset_camera`); the mouse orbits (left button), pans (middle, or ctrl + left) and zooms
(wheel) as in any ``GLViewWidget``.

Needs OpenGL: a real X server (or Xvfb + Mesa), and ``Qt.AA_ShareOpenGLContexts`` set before
the QApplication exists (see ``optviz.app.main.create_application``).
"""

from __future__ import annotations

import gc
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from OpenGL import GL
from pyqtgraph.opengl import shaders
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QVector3D

from ..core.geometry import ViewBox
from ..core.scale import ValueScale
from . import colormap
from .theme import NORMAL, get_theme

if TYPE_CHECKING:  # the view only reads attributes; no import cycle with the controller
    from .controller import RunStyle, SurfaceGrid

#: Height of the mesh in display units (the box is 2 × 2).
MESH_HEIGHT = 0.9
#: Paths, balls and minimum markers float this far above the surface (display units).
PATH_LIFT = 0.012
#: Paths are cut at |x|, |y| = STAGE (display units): a run that leaves the view box shows
#: where it left, not a line off to infinity.
STAGE = 1.15
#: Light, slightly cool grey: reads on a projector, and the near-white valley floors of the
#: colour map still separate from it.
BACKGROUND = (236, 239, 243)
TEXT_COLOR = (70, 78, 92)
OUTLINE_COLOR = (0.10, 0.10, 0.12, 1.0)
#: The foot of the walls, the tick marks and the labels.
FLOOR_Z = -0.02
#: The walls under the mesh edges: a neutral grey that no loss colour uses.
WALL_COLOR = (0.80, 0.81, 0.83, 1.0)
#: The default camera: horizontal field of view, the share of the view the box and its
#: labels fill, and the (elevation, azimuth) candidates of reset_camera in order of
#: preference (front right first), the first within CAMERA_MARGIN of the best score wins.
CAMERA_FOV = 45
CAMERA_FILL = 0.9
CAMERA_ANGLES = ((32.0, -60.0), (45.0, -60.0), (32.0, 30.0), (45.0, 30.0),
                 (32.0, -150.0), (45.0, -150.0), (32.0, 120.0), (45.0, 120.0))
CAMERA_MARGIN = 0.04
#: Multisample anti-aliasing of the mesh silhouette and the paths, on GPUs. Software
#: renderers (Mesa llvmpipe: VMs, Xvfb) skip it: it costs them 2-3x the frame time. The
#: environment variable OPTVIZ_GL_SAMPLES overrides both.
SAMPLES = 4
_SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software", "swiftshader")

# Draw order (GLGraphicsItem.depthValue): floor ticks, mesh, faded "hidden" paths, paths,
# minima, balls, labels.
_ORDER_FLOOR, _ORDER_MESH, _ORDER_GHOST, _ORDER_PATH, _ORDER_MINIMA, _ORDER_BALL, _ORDER_TEXT = range(-1, 6)

# Every item states its whole depth/blend set-up: GL state carries over from item to item.
_BLEND = (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
# The mesh is pushed back in depth so the (lifted) paths win the depth test where visible.
_MESH_GL = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: False,
    GL.GL_CULL_FACE: False,
    GL.GL_POLYGON_OFFSET_FILL: True,
    "glPolygonOffset": (1.0, 2.0),
    "glDepthFunc": (GL.GL_LESS,),
    "glDepthMask": (True,),
}
# Visible parts of the paths: depth-tested against the mesh, blended (antialiased lines).
_PATH_GL = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: True,
    GL.GL_CULL_FACE: False,
    GL.GL_POLYGON_OFFSET_FILL: False,
    "glBlendFuncSeparate": _BLEND,
    "glDepthFunc": (GL.GL_LEQUAL,),
    "glDepthMask": (True,),
}
# The light casing under each path: tested, but writes no depth, so the path drawn on top of
# it at the same depth is never hidden by it.
_CASING_GL = {**_PATH_GL, "glDepthMask": (False,)}
# Always on top: the faded copy of every path (so a path behind a hill stays traceable),
# the balls, the minimum markers and the labels.
_OVERLAY_GL = {**_PATH_GL, GL.GL_DEPTH_TEST: False}
SWARM_DOT_SIZE = 4.0  # px

# Lit with the vertex colours kept: ambient 0.62 plus a two-sided diffuse term from a light
# near the camera, so faces seen head-on keep (almost exactly) the contour colour and steep
# or turned-away faces darken enough to show the shape. (pyqtgraph's 'shaded' shader darkens
# faces that face the viewer to 20 %, which makes the colours unrecognisable.) Top faces
# wind counter-clockwise seen from +z (grid_faces), so gl_FrontFacing tells the top from the
# underside, which is drawn plain grey.
_LIT_SHADER = shaders.ShaderProgram(
    "optviz_lit",
    [
        shaders.VertexShader(
            """
            uniform mat4 u_mvp;
            uniform mat3 u_normal;
            attribute vec4 a_position;
            attribute vec3 a_normal;
            attribute vec4 a_color;
            varying vec4 v_color;
            varying vec3 v_normal;
            void main() {
                v_normal = normalize(u_normal * a_normal);
                v_color = a_color;
                gl_Position = u_mvp * a_position;
            }
            """
        ),
        shaders.FragmentShader(
            """
            #ifdef GL_ES
            precision mediump float;
            #endif
            varying vec4 v_color;
            varying vec3 v_normal;
            void main() {
                vec3 n = normalize(v_normal);
                vec3 light = normalize(vec3(-0.35, 0.55, 1.0));
                float d = abs(dot(n, light));
                float k = 0.62 + 0.42 * d;
                // The underside of the sheet (seen below a funnel or past an edge) is plain
                // grey, so it never passes for part of the coloured top.
                vec3 base = gl_FrontFacing ? v_color.rgb : vec3(0.66, 0.64, 0.60);
                gl_FragColor = vec4(min(base * k, vec3(1.0)), v_color.a);
            }
            """
        ),
    ],
)


@dataclass(frozen=True)
class DisplayMap:
    """Parameter space and loss → display coordinates (pure NumPy, no GL).

    x, y: the view box → [-1, 1] each; z = ``height`` · clip(scale(J), 0, 1).
    """

    box: ViewBox
    scale: ValueScale
    height: float = MESH_HEIGHT

    def xy(self, points_xy) -> np.ndarray:
        """(n, 2) parameter points → (n, 2) display x, y."""
        p = np.asarray(points_xy, dtype=float).reshape(-1, 2)
        out = np.empty_like(p)
        out[:, 0] = 2.0 * (p[:, 0] - self.box.xmin) / self.box.width - 1.0
        out[:, 1] = 2.0 * (p[:, 1] - self.box.ymin) / self.box.height - 1.0
        return out

    def z(self, loss) -> np.ndarray:
        """Losses → display heights in [0, H]; NaN stays NaN."""
        u = np.asarray(self.scale(np.asarray(loss, dtype=float).ravel()), dtype=float)
        return self.height * np.clip(u, 0.0, 1.0)

    def to_display(self, points_xy, loss) -> np.ndarray:
        """(n, 2) points with their n losses → (n, 3) display coordinates."""
        xy = self.xy(points_xy)
        out = np.empty((xy.shape[0], 3))
        out[:, :2] = xy
        out[:, 2] = self.z(loss)
        return out


class _HeightMesh(gl.MeshData):
    """MeshData with vertex normals computed up front (MeshData's own loop is per vertex in
    Python: about a second for a 200×200 grid)."""

    def __init__(self, vertexes, faces, colors, normals):
        super().__init__(vertexes=vertexes, faces=faces, vertexColors=colors)
        self._normals = np.ascontiguousarray(normals, dtype=np.float32)

    def vertexNormals(self, indexed=None):
        if indexed == "faces":
            return self._normals[self.faces()]
        return self._normals


def grid_faces(nx: int, ny: int) -> np.ndarray:
    """Two triangles per grid cell for vertices numbered ``iy * nx + ix``, split along the
    (ix, iy)–(ix+1, iy+1) diagonal (:meth:`SurfaceView.mesh_height` interpolates the same way)."""
    iy, ix = np.meshgrid(np.arange(ny - 1), np.arange(nx - 1), indexing="ij")
    a = (iy * nx + ix).ravel()
    b, c, d = a + 1, a + nx, a + nx + 1
    return np.concatenate([np.stack([a, b, d], 1), np.stack([a, d, c], 1)]).astype(np.uint32)


def skirt(verts: np.ndarray, defined: np.ndarray):
    """Walls under the four edges of a height-field mesh, down to FLOOR_Z.

    ``verts`` is the (ny, nx, 3) grid of top vertices, ``defined`` where the loss is finite.
    Returns (vertices, faces, normals) of the walls: own vertices (so the top's smooth normals
    stay unbent), outward normals, and counter-clockwise winding seen from outside (the front
    face). Cells next to an undefined edge vertex get no wall.
    """
    sides = (
        (verts[0, :], defined[0, :], (0.0, -1.0, 0.0)),  # y = -1, walked towards +x
        (verts[:, -1], defined[:, -1], (1.0, 0.0, 0.0)),  # x = +1, towards +y
        (verts[-1, ::-1], defined[-1, ::-1], (0.0, 1.0, 0.0)),  # y = +1, towards -x
        (verts[::-1, 0], defined[::-1, 0], (-1.0, 0.0, 0.0)),  # x = -1, towards -y
    )
    out_v, out_f, out_n = [], [], []
    start = 0
    for top, ok, normal in sides:
        m = len(top)
        bottom = top.copy()
        bottom[:, 2] = FLOOR_Z
        i = np.flatnonzero(ok[:-1] & ok[1:])
        t, b = start + i, start + m + i  # top i, bottom i; +1 is the next along the walk
        out_f.append(np.concatenate([np.stack([b, b + 1, t + 1], 1), np.stack([b, t + 1, t], 1)]))
        out_v += [top, bottom]
        out_n.append(np.tile(normal, (2 * m, 1)))
        start += 2 * m
    return np.concatenate(out_v), np.concatenate(out_f), np.concatenate(out_n)


def clip_segments(pts: np.ndarray, bound: float) -> np.ndarray:
    """The polyline ``pts`` (n, 3) cut to the square |x|, |y| ≤ bound, as independent segments:
    (2m, 3) end points for GLLinePlotItem(mode='lines'). Parts outside are dropped (a run that
    leaves and comes back shows both inside parts); a crossing segment ends on the border."""
    pts = np.asarray(pts, dtype=float)
    if len(pts) < 2:
        return np.zeros((0, 3))
    p0, d = pts[:-1], np.diff(pts, axis=0)
    t0, t1 = np.zeros(len(d)), np.ones(len(d))
    keep = np.ones(len(d), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for axis in (0, 1):
            for sign in (-1.0, 1.0):  # Liang-Barsky: sign·(p0 + t·d) ≤ bound
                den = sign * d[:, axis]
                num = bound - sign * p0[:, axis]
                t = num / den
                t1 = np.where(den > 0, np.minimum(t1, t), t1)
                t0 = np.where(den < 0, np.maximum(t0, t), t0)
                keep &= ~((den == 0) & (num < 0))
    keep &= t0 <= t1
    a = p0[keep] + t0[keep, None] * d[keep]
    b = p0[keep] + t1[keep, None] * d[keep]
    return np.stack([a, b], axis=1).reshape(-1, 3)


def vertex_normals(vertexes: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals, (Nv, 3), pointing up (+z) for a height field."""
    v = vertexes[faces]
    fn = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    normals = np.zeros_like(vertexes)
    for j in range(3):
        for c in range(3):
            normals[:, c] += np.bincount(faces[:, j], weights=fn[:, c], minlength=len(vertexes))
    norm = np.linalg.norm(normals, axis=1)
    flat = norm < 1e-12
    normals[flat] = (0.0, 0.0, 1.0)
    normals[~flat] /= norm[~flat, None]
    normals[normals[:, 2] < 0] *= -1.0
    return normals


def _rgba(color: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    r, g, b, _ = pg.mkColor(color).getRgbF()
    return (r, g, b, alpha)


class _Markers:
    """Dots with a dark rim (run heads, minima), drawn on top of everything so they are never
    lost; a dot that the surface hides from the camera is drawn faded, like the hidden parts
    of the paths."""

    def __init__(self, view: gl.GLViewWidget, size: float, rim: float, order: float, hidden_alpha: float) -> None:
        self.hidden_alpha = hidden_alpha
        self.size, self.rim_width = size, rim
        self.rim = gl.GLScatterPlotItem(size=size + 2 * rim, pxMode=True, glOptions=_OVERLAY_GL)
        self.dot = gl.GLScatterPlotItem(size=size, pxMode=True, glOptions=_OVERLAY_GL)
        self.rim.setDepthValue(order)
        self.dot.setDepthValue(order + 0.5)
        for item in (self.rim, self.dot):
            item.setVisible(False)
            view.addItem(item)
        self.pos = np.zeros((0, 3))
        self.colors = np.zeros((0, 4))
        self.hidden = np.zeros(0, dtype=bool)

    def set(self, pos: np.ndarray, colors: np.ndarray) -> None:
        self.pos = np.asarray(pos, dtype=float).reshape(-1, 3)
        self.colors = np.asarray(colors, dtype=float).reshape(-1, 4)
        if self.hidden.shape != (len(self.pos),):
            self.hidden = np.zeros(len(self.pos), dtype=bool)
        self._apply()

    def set_size(self, size: float, rim: float) -> None:
        self.size, self.rim_width = size, rim
        self.rim.setData(size=size + 2 * rim)
        self.dot.setData(size=size)

    def set_hidden(self, hidden: np.ndarray) -> None:
        """Only touches the items when something changed (this runs inside paintGL)."""
        hidden = np.asarray(hidden, dtype=bool)
        if hidden.shape != self.hidden.shape or (hidden != self.hidden).any():
            self.hidden = hidden
            self._apply()

    def _apply(self) -> None:
        n = len(self.pos)
        for item in (self.rim, self.dot):
            item.setVisible(n > 0)
        if n == 0:
            return
        alpha = np.where(self.hidden, self.hidden_alpha, 1.0)
        dot = self.colors.copy()
        dot[:, 3] *= alpha
        rim = np.tile(OUTLINE_COLOR, (n, 1))
        rim[:, 3] *= alpha
        self.rim.setData(pos=self.pos, color=rim)
        self.dot.setData(pos=self.pos, color=dot)


class _RunPath:
    """The GL items of one run's path: a faded copy always on top (traceable behind hills),
    and the depth-tested path in the run colour on a light casing."""

    def __init__(self, view: gl.GLViewWidget, multisampled: bool, widths=(2.0, 6.0, 3.0)) -> None:
        ghost, casing, line = widths
        self.ghost = gl.GLLinePlotItem(width=ghost, antialias=True, mode="lines", glOptions=_OVERLAY_GL)
        self.casing = gl.GLLinePlotItem(width=casing, antialias=True, mode="lines", glOptions=_CASING_GL)
        # GL_LINE_SMOOTH fades every segment's ends, so a smoothed strip of short segments
        # shows its casing through each joint (white dashes on llvmpipe). Multisampling
        # smooths the path without that; without it the path is drawn solid.
        self.line = gl.GLLinePlotItem(width=line, antialias=multisampled, mode="lines", glOptions=_PATH_GL)
        self.ghost.setDepthValue(_ORDER_GHOST)
        self.casing.setDepthValue(_ORDER_PATH)
        self.line.setDepthValue(_ORDER_PATH + 0.5)
        self.items = (self.ghost, self.casing, self.line)
        for item in self.items:
            item.setVisible(False)
            view.addItem(item)
        self.visible = False
        self.color = (0.0, 0.0, 0.0, 1.0)

    def set_widths(self, widths) -> None:
        for item, width in zip(self.items, widths):
            item.setData(width=float(width))

    def style(self, style: RunStyle) -> None:
        self.color = _rgba(style.color)
        self.ghost.setData(color=_rgba(style.color, 0.35))
        self.casing.setData(color=(1.0, 1.0, 1.0, 0.85))
        self.line.setData(color=self.color)
        self.visible = bool(style.visible)

    def show_path(self, segments: np.ndarray | None) -> None:
        """``segments``: (2m, 3) end points, as :func:`clip_segments` returns them."""
        has_line = self.visible and segments is not None and len(segments) >= 2
        for item in self.items:
            if has_line:
                item.setData(pos=segments)
            item.setVisible(has_line)

    def remove(self, view: gl.GLViewWidget) -> None:
        for item in self.items:
            view.removeItem(item)


class SurfaceView(gl.GLViewWidget):
    """The loss surface in 3D with the race on it.

    API used by the main window: :meth:`set_surface`, :meth:`set_runs`, :meth:`update_runs`,
    :meth:`reset_camera`. :meth:`to_display` and :meth:`mesh_height` give the mapping.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        if not QCoreApplication.testAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts):
            warnings.warn("Qt.AA_ShareOpenGLContexts was not set before the QApplication was created: "
                          "a second 3D view will not show its mesh (see optviz.app.main.create_application)",
                          RuntimeWarning, stacklevel=2)
        self._samples = msaa_samples()
        fmt = self.format()
        fmt.setSamples(self._samples)
        self.setFormat(fmt)
        self.setBackgroundColor(BACKGROUND)
        self.setMinimumSize(200, 150)
        self.map: DisplayMap | None = None
        self.surface = None
        self._mesh_z: np.ndarray | None = None  # display heights of the grid, NaN where undefined
        self._normals: np.ndarray | None = None  # (ny, nx, 3) vertex normals of the mesh
        self._camera_key = None  # the surface the camera was last reset for
        self._camera_angles = CAMERA_ANGLES[0]
        self._camera_fitted = False  # the camera is the default one (refit on resize)
        self._label_side = None  # which box edges carry the axis labels
        self._styles: list[RunStyle] = []
        self._runs: list[_RunPath] = []
        self._theme, self._scale = NORMAL, 1.0
        self._path_widths = NORMAL.gl_widths

        self.mesh = gl.GLMeshItem(smooth=True, shader=_LIT_SHADER, glOptions=_MESH_GL)
        self.mesh.setDepthValue(_ORDER_MESH)
        self.mesh.setVisible(False)
        self.addItem(self.mesh)

        self.floor = gl.GLLinePlotItem(mode="lines", width=1.0, antialias=True, color=(0.35, 0.40, 0.48, 0.45),
                                       pos=_floor_lines(), glOptions=_PATH_GL)
        self.floor.setDepthValue(_ORDER_FLOOR)
        self.addItem(self.floor)

        self.minima = _Markers(self, size=7.0, rim=2.5, order=_ORDER_MINIMA, hidden_alpha=0.3)
        self.balls = _Markers(self, size=13.0, rim=2.5, order=_ORDER_BALL, hidden_alpha=0.45)

        font = QFont()
        font.setPointSize(13)
        font.setBold(True)
        small = QFont()
        small.setPointSize(10)
        centred = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        self._labels = {
            name: gl.GLTextItem(color=TEXT_COLOR, font=font if name.endswith("name") else small,
                                alignment=centred, glOptions=_OVERLAY_GL)
            for name in ("x_name", "y_name", "x_lo", "x_hi", "y_lo", "y_hi")
        }
        for item in self._labels.values():
            item.setDepthValue(_ORDER_TEXT)
            self.addItem(item)
        # Arrows of the visual aids (optviz.app.overlays): always on top, per-vertex colours.
        self.overlay = gl.GLLinePlotItem(mode="lines", width=3.0, antialias=True, glOptions=_OVERLAY_GL)
        self.overlay.setDepthValue(_ORDER_TEXT - 0.5)
        self.overlay.setVisible(False)
        self.addItem(self.overlay)
        # A swarm's points riding on the surface (hidden where the surface is in front).
        self.swarm = gl.GLScatterPlotItem(size=SWARM_DOT_SIZE, pxMode=True, glOptions=_PATH_GL)
        self.swarm.setVisible(False)
        self.addItem(self.swarm)
        self.reset_camera()

    def set_overlay(self, segments: np.ndarray | None, colors: np.ndarray | None = None, width: float = 3.0) -> None:
        """Line segments (2m, 3) in display coordinates with per-vertex RGBA ``colors``, drawn on
        top of everything; None hides them."""
        if segments is None or len(segments) < 2:
            self.overlay.setVisible(False)
        else:
            self.overlay.setData(pos=np.asarray(segments, dtype=np.float32),
                                 color=np.asarray(colors, dtype=np.float32), width=float(width))
            self.overlay.setVisible(True)
        self.update()

    def set_look(self, theme, scale: float = 1.0) -> None:
        """Background, label fonts and colour, path widths and ball sizes for ``theme``
        ("normal"/"projector") at ``scale``; ``set_look("normal", 1)`` restores the defaults."""
        theme = get_theme(theme) if isinstance(theme, str) else theme
        s = float(scale)
        self._theme, self._scale = theme, s
        self.setBackgroundColor(theme.gl_background)
        for name, item in self._labels.items():
            font = QFont()
            if name.endswith("name"):
                font.setPointSizeF(13 * s)
                font.setBold(True)
            else:
                font.setPointSizeF(10 * s)
            item.setData(font=font, color=theme.gl_text)
        self._path_widths = tuple(w * s for w in theme.gl_widths)
        for run in self._runs:
            run.set_widths(self._path_widths)
        self.balls.set_size(theme.gl_ball * s, 2.5 * s)
        self.minima.set_size(7.0 * s, 2.5 * s)
        self.floor.setData(width=1.0 * s)
        self.update()

    def look(self):
        return self._theme, self._scale

    def paintGL(self) -> None:
        # A cyclic garbage collection inside paintGL can destroy another (dropped) GL widget,
        # whose destructor makes its own context current and then releases it; every item
        # drawn after that finds no current context. Collect before or after, never during.
        enabled = gc.isenabled()
        gc.disable()
        try:
            GL.glDepthMask(True)  # glClear honours the depth mask
            self.balls.set_hidden(self.hidden_from_camera(self.balls.pos))
            self.minima.set_hidden(self.hidden_from_camera(self.minima.pos))
            self._place_labels()
            super().paintGL()
        finally:
            if enabled:
                gc.enable()

    # ------------------------------------------------------------------ mapping

    def to_display(self, points_xy, loss) -> np.ndarray:
        """(n, 2) parameter points and their n losses → (n, 3) display coordinates."""
        if self.map is None:
            raise RuntimeError("set_surface() first")
        return self.map.to_display(points_xy, loss)

    def mesh_height(self, display_xy) -> np.ndarray:
        """Height of the rendered (piecewise-linear) mesh at display points (n, 2); NaN
        outside the square or over undefined cells."""
        zg = self._mesh_z
        p = np.asarray(display_xy, dtype=float).reshape(-1, 2)
        out = np.full(p.shape[0], np.nan)
        if zg is None:
            return out
        ny, nx = zg.shape
        gx = (p[:, 0] + 1.0) * 0.5 * (nx - 1)
        gy = (p[:, 1] + 1.0) * 0.5 * (ny - 1)
        inside = (gx >= 0) & (gx <= nx - 1) & (gy >= 0) & (gy <= ny - 1)
        if not inside.any():
            return out
        gx, gy = gx[inside], gy[inside]
        ix = np.minimum(gx.astype(int), nx - 2)
        iy = np.minimum(gy.astype(int), ny - 2)
        fx, fy = gx - ix, gy - iy
        za, zb = zg[iy, ix], zg[iy, ix + 1]
        zc, zd = zg[iy + 1, ix], zg[iy + 1, ix + 1]
        lower = fx >= fy  # triangle (a, b, d), else (a, d, c); see grid_faces
        out[inside] = np.where(lower, za + fx * (zb - za) + fy * (zd - zb), za + fy * (zc - za) + fx * (zd - zc))
        return out

    def hidden_from_camera(self, display_pts, eye=None) -> np.ndarray:
        """Which display points (n, 3) the mesh hides from the camera (``eye``: a display
        position, default the current camera). Samples the height field along each line of
        sight up to where it rises above the mesh top: n × 96 look-ups."""
        pts = np.asarray(display_pts, dtype=float).reshape(-1, 3)
        if len(pts) == 0 or self._mesh_z is None:
            return np.zeros(len(pts), dtype=bool)
        if eye is None:
            cam = self.cameraPosition()
            eye = (cam.x(), cam.y(), cam.z())
        ray = np.asarray(eye, dtype=float) - pts
        length = np.linalg.norm(ray, axis=1)
        ray /= np.maximum(length, 1e-12)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            # Distance along the ray to the mesh top (nothing above it can hide anything),
            # never past the camera and never more than the box diagonal plus the height.
            reach = np.where(ray[:, 2] > 1e-6, (MESH_HEIGHT + 0.01 - pts[:, 2]) / ray[:, 2], np.inf)
        reach = np.clip(np.minimum(reach, length), 0.0, 3.0)
        d = 0.02 + np.linspace(0.0, 1.0, 96)[None, :] * np.maximum(reach - 0.02, 0.0)[:, None]
        samples = pts[:, None, :] + d[..., None] * ray[:, None, :]
        h = self.mesh_height(samples[..., :2].reshape(-1, 2)).reshape(d.shape)
        with np.errstate(invalid="ignore"):
            return (h > samples[..., 2] + 0.004).any(axis=1)

    def path_to_display(self, points_xy, loss) -> np.ndarray:
        """Display points of a path as drawn: :meth:`to_display`, but never under the rendered
        (piecewise-linear) mesh, plus PATH_LIFT."""
        pts = self.to_display(points_xy, loss)
        with np.errstate(invalid="ignore"):
            pts[:, 2] = np.fmax(pts[:, 2], self.mesh_height(pts[:, :2])) + PATH_LIFT
        return pts

    # ------------------------------------------------------------------ surface

    def set_surface(self, surface, grid: SurfaceGrid) -> None:
        """Show ``surface`` sampled as ``grid`` (the same grid and scale as the contour view)."""
        self.surface = surface
        self.map = DisplayMap(surface.view, grid.scale, MESH_HEIGHT)
        xs, ys = np.asarray(grid.xs, dtype=float), np.asarray(grid.ys, dtype=float)
        u = np.asarray(grid.scale(grid.z), dtype=float)
        ny, nx = u.shape
        defined = np.isfinite(u)
        zg = np.where(defined, MESH_HEIGHT * np.clip(u, 0.0, 1.0), np.nan)
        self._mesh_z = zg

        dx = self.map.xy(np.column_stack([xs, np.full(nx, surface.view.ymin)]))[:, 0]
        dy = self.map.xy(np.column_stack([np.full(ny, surface.view.xmin), ys]))[:, 1]
        X, Y = np.meshgrid(dx, dy, indexing="xy")
        verts = np.column_stack([X.ravel(), Y.ravel(), np.nan_to_num(zg, nan=0.0).ravel()])
        faces = grid_faces(nx, ny)
        ok = defined.ravel()
        faces = faces[ok[faces].all(axis=1)]  # undefined loss: leave a hole
        colors = colormap.rgba(u).reshape(-1, 4).astype(np.float32)
        if len(faces):
            normals = vertex_normals(verts, faces)
            self._normals = normals.reshape(ny, nx, 3)
            # Walls from the edges down to the floor make the surface a solid block: from any
            # camera above it, nobody looks under the sheet (a funnel near an edge would
            # otherwise hang below it).
            w_verts, w_faces, w_normals = skirt(verts.reshape(ny, nx, 3), defined)
            n_top = len(verts)
            verts = np.concatenate([verts, w_verts])
            faces = np.concatenate([faces, w_faces + n_top]).astype(np.uint32)
            normals = np.concatenate([normals, w_normals])
            colors = np.concatenate([colors, np.tile(np.float32(WALL_COLOR), (len(w_verts), 1))])
            md = _HeightMesh(verts.astype(np.float32), faces, colors, normals)
            self.mesh.setMeshData(meshdata=md)
            self.mesh.setVisible(True)
        else:
            self._normals = np.tile((0.0, 0.0, 1.0), (ny, nx, 1))
            self.mesh.setVisible(False)

        minima = [m for m in surface.minima if surface.view.contains(m.location)]
        if minima:
            pts = self.path_to_display(np.array([m.location for m in minima]), [m.value for m in minima])
        else:
            pts = np.zeros((0, 3))
        self.minima.set(pts, np.tile((1.0, 1.0, 1.0, 1.0), (len(pts), 1)))
        self._set_labels(surface)
        # A new surface gets its own best view; new parameters of the same one keep the
        # lecturer's camera.
        if getattr(surface, "key", None) != self._camera_key:
            self._camera_key = getattr(surface, "key", None)
            self.reset_camera()
        self.update()

    def _set_labels(self, surface) -> None:
        box = surface.view
        xname, yname = (tuple(surface.axis_labels) + ("x", "y"))[:2]
        lab = self._labels
        for name, text in (("x_name", xname), ("y_name", yname), ("x_lo", _fmt(box.xmin)),
                           ("x_hi", _fmt(box.xmax)), ("y_lo", _fmt(box.ymin)), ("y_hi", _fmt(box.ymax))):
            lab[name].setData(text=str(text))
        self._label_side = None
        self._place_labels()

    def _place_labels(self) -> None:
        """Axis names and end values along the two box edges nearest the camera (so they
        never land on top of the surface); only touches the items when the side changes."""
        cam, centre = self.cameraPosition(), self.opts["center"]
        side = (1.0 if cam.x() >= centre.x() else -1.0, 1.0 if cam.y() >= centre.y() else -1.0)
        if side == self._label_side:
            return
        self._label_side = side
        sx, sy = side
        z = FLOOR_Z
        lab = self._labels
        lab["x_name"].setData(pos=(0.0, sy * 1.24, z))
        lab["x_lo"].setData(pos=(-1.0, sy * 1.12, z))
        lab["x_hi"].setData(pos=(1.0, sy * 1.12, z))
        lab["y_name"].setData(pos=(sx * 1.24, 0.0, z))
        lab["y_lo"].setData(pos=(sx * 1.12, -1.0, z))
        lab["y_hi"].setData(pos=(sx * 1.12, 1.0, z))

    # ------------------------------------------------------------------ runs

    def set_runs(self, styles: Sequence[RunStyle]) -> None:
        """One path + ball per run, in the run's colour; invisible runs are hidden."""
        self._styles = list(styles)
        while len(self._runs) < len(self._styles):
            self._runs.append(_RunPath(self, self._samples > 0, self._path_widths))
        while len(self._runs) > len(self._styles):
            self._runs.pop().remove(self)
        for items, style in zip(self._runs, self._styles):
            items.style(style)
            if not style.visible:
                items.show_path(None)
        if not any(style.visible for style in self._styles):
            self.balls.set(np.zeros((0, 3)), np.zeros((0, 4)))

    def update_runs(self, sim) -> None:
        """Move the paths and balls to the simulation's current state (start point 0 of each run)."""
        if self.map is None or sim is None:
            return
        hist = sim.history
        heads, colors = [], []
        for k, items in enumerate(self._runs):
            if k >= sim.K or not items.visible:
                items.show_path(None)
                continue
            if hist is not None:
                n = sim.length(k)
                P = hist.positions[:n, k, 0]
                L = hist.loss[:n, k, 0]
            else:
                P = sim.positions[k, :1]
                L = sim.loss[k, :1]
            # Up to the last point with a position and a defined loss (an infinite loss is
            # drawn at the top, as the scale clips it).
            valid = np.isfinite(P).all(axis=1) & ~np.isnan(L)
            m = len(valid) if valid.all() else int(np.argmin(valid))
            if m == 0:
                items.show_path(None)
                continue
            pts = self.path_to_display(P[:m], L[:m])
            segments = clip_segments(pts, STAGE)
            items.show_path(segments)
            # The ball rides at the head, or where the path last leaves the stage.
            head = pts[-1] if (np.abs(pts[-1, :2]) <= STAGE).all() else (segments[-1] if len(segments) else None)
            if head is not None:
                heads.append(head)
                colors.append(items.color)
        self.balls.set(np.array(heads).reshape(-1, 3), np.array(colors).reshape(-1, 4))
        self._update_swarm(sim)
        self.update()

    def _update_swarm(self, sim) -> None:
        """Every visible run's cloud as dots on the surface (a swarm: more than one point)."""
        cloud = getattr(sim, "cloud", None)  # exports' replays have none
        if cloud is None or cloud.shape[1] < 2:
            self.swarm.setVisible(False)
            return
        pos, colors = [], []
        for k, items in enumerate(self._runs[: sim.K]):
            if not items.visible:
                continue
            points = np.asarray(cloud[k], dtype=float)
            points = points[np.isfinite(points).all(axis=1)]
            with np.errstate(all="ignore"):
                pts = self.path_to_display(points, self.surface.f(points))
            pts = pts[np.isfinite(pts).all(axis=1) & (np.abs(pts[:, :2]) <= STAGE).all(axis=1)]
            pos.append(pts)
            colors.append(np.tile(np.asarray(items.color, dtype=np.float32), (len(pts), 1)))
        if not pos or not sum(len(p) for p in pos):
            self.swarm.setVisible(False)
            return
        self.swarm.setData(pos=np.vstack(pos).astype(np.float32), color=np.vstack(colors))
        self.swarm.setVisible(True)

    # ------------------------------------------------------------------ camera

    def reset_camera(self) -> None:
        """The default orbit: from the front right (azimuth -60°) 32° or 45° up, unless another
        quarter turn shows clearly more of the low ground where the runs go (see
        :meth:`camera_score`); distance and target frame the box and its labels, and follow
        the widget's shape until the mouse moves the camera."""
        self._camera_angles = self.best_camera_angles()
        self._fit_camera()

    def _fit_camera(self) -> None:
        elevation, azimuth = self._camera_angles
        w, h = self.width(), self.height()
        aspect = w / h if w > 50 and h > 50 else 4 / 3
        centre, distance = fit_camera(elevation, azimuth, aspect, CAMERA_FOV)
        self.opts["fov"] = CAMERA_FOV
        self.setCameraPosition(pos=QVector3D(*centre), distance=distance, elevation=elevation, azimuth=azimuth)
        self._camera_fitted = True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._camera_fitted:  # the lecturer has not moved it: keep the block framed
            self._fit_camera()

    def mousePressEvent(self, event) -> None:
        self._camera_fitted = False
        super().mousePressEvent(event)

    def wheelEvent(self, event) -> None:
        self._camera_fitted = False
        super().wheelEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in self.noRepeatKeys:  # the arrow and page keys orbit and zoom
            self._camera_fitted = False
        super().keyPressEvent(event)

    def best_camera_angles(self) -> tuple[float, float]:
        """(elevation, azimuth) for :meth:`reset_camera`: the first of CAMERA_ANGLES (in order
        of preference) that scores within CAMERA_MARGIN of the best."""
        if self._mesh_z is None:
            return CAMERA_ANGLES[0]
        scores = np.array([self.camera_score(*angles) for angles in CAMERA_ANGLES])
        return CAMERA_ANGLES[int(np.argmax(scores >= scores.max() - CAMERA_MARGIN))]

    def camera_score(self, elevation: float, azimuth: float) -> float:
        """How much of the surface's top a camera at these angles sees, weighted towards low
        loss (valleys and minima, where the paths run): ∑ w·seen / ∑ w over a 24 × 24
        subgrid, w = 1.05 − u, where seen means facing the camera and not hidden by the mesh;
        plus 0.1 × the fraction of minima seen and 0.05 if the start point is seen."""
        zg, normals = self._mesh_z, self._normals
        ny, nx = zg.shape
        iy = np.unique(np.linspace(0, ny - 1, 24).round().astype(int))
        ix = np.unique(np.linspace(0, nx - 1, 24).round().astype(int))
        z = zg[np.ix_(iy, ix)].ravel()
        ok = np.isfinite(z)
        if not ok.any():
            return 0.0
        X, Y = np.meshgrid(2.0 * ix / (nx - 1) - 1.0, 2.0 * iy / (ny - 1) - 1.0, indexing="xy")
        pts = np.column_stack([X.ravel(), Y.ravel(), z])[ok] + (0.0, 0.0, 0.005)
        n = normals[np.ix_(iy, ix)].reshape(-1, 3)[ok]
        eye = _eye(*fit_camera(elevation, azimuth, 4 / 3, CAMERA_FOV), elevation, azimuth)
        facing = np.einsum("ij,ij->i", n, eye - pts) > 0
        seen = facing & ~self.hidden_from_camera(pts, eye)
        w = 1.05 - pts[:, 2] / MESH_HEIGHT
        score = float((w * seen).sum() / w.sum())
        # Small bonuses for seeing the start point and the minima themselves.
        surface = self.surface
        marks = [m for m in getattr(surface, "minima", ()) if surface.view.contains(m.location)]
        if marks:
            pts = self.path_to_display(np.array([m.location for m in marks]), [m.value for m in marks])
            score += 0.1 * float(np.mean(~self.hidden_from_camera(pts, eye)))
        start = getattr(surface, "start", None)
        if start is not None and surface.view.contains(np.array(start)):
            with np.errstate(all="ignore"):
                loss = float(surface.f(np.array(start, dtype=float)))
            if np.isfinite(loss):
                score += 0.05 * float(not self.hidden_from_camera(self.path_to_display([start], [loss]), eye)[0])
        return score


_renderer_cache: list[str] = []


def gl_renderer() -> str:
    """The OpenGL renderer string (e.g. 'llvmpipe (LLVM 15.0.6, 256 bits)'), probed once with a
    throw-away context; '' when no context can be made."""
    if not _renderer_cache:
        name = ""
        try:
            from PySide6.QtGui import QOffscreenSurface, QOpenGLContext

            ctx, surface = QOpenGLContext(), QOffscreenSurface()
            surface.create()
            if ctx.create() and ctx.makeCurrent(surface):
                raw = GL.glGetString(GL.GL_RENDERER)
                name = raw.decode(errors="replace") if raw else ""
                ctx.doneCurrent()
        except Exception:  # no GL at all: the widget will report it when it is shown
            name = ""
        _renderer_cache.append(name)
    return _renderer_cache[0]


def msaa_samples() -> int:
    """Samples per pixel for the view: OPTVIZ_GL_SAMPLES if set, else SAMPLES on hardware and
    0 on a software renderer."""
    env = os.environ.get("OPTVIZ_GL_SAMPLES", "").strip()
    if env.isdigit():
        return int(env)
    return 0 if any(s in gl_renderer().lower() for s in _SOFTWARE_RENDERERS) else SAMPLES


def _eye(centre, distance: float, elevation: float, azimuth: float) -> np.ndarray:
    """GLViewWidget's camera position ('euler' rotation) in display coordinates."""
    el, az = np.radians(elevation), np.radians(azimuth)
    return np.asarray(centre, dtype=float) + distance * np.array(
        [np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])


def _project(points: np.ndarray, centre, distance: float, elevation: float, azimuth: float,
             aspect: float, fov: float) -> np.ndarray:
    """Normalised device x, y of display points for GLViewWidget's perspective camera."""
    eye = _eye(centre, distance, elevation, azimuth)
    forward = np.asarray(centre, dtype=float) - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, (0.0, 0.0, 1.0))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    d = points - eye
    depth = d @ forward
    tx = np.tan(np.radians(fov / 2))  # GLViewWidget's fov is horizontal
    return np.column_stack([(d @ right) / depth / tx, (d @ up) / depth / (tx / aspect)])


def fit_camera(elevation: float, azimuth: float, aspect: float = 4 / 3, fov: float = CAMERA_FOV):
    """(centre, distance): the point to look at and the distance that frame the mesh box and
    the axis labels around it, centred and filling CAMERA_FILL of the view."""
    top = [(sx, sy, MESH_HEIGHT) for sx in (-1, 1) for sy in (-1, 1)]
    floor = [(sx * 1.3, sy * 1.3, FLOOR_Z) for sx in (-1, 1) for sy in (-1, 1)]
    pts = np.array(top + floor, dtype=float)
    el, az = np.radians(elevation), np.radians(azimuth)
    right = np.array([-np.sin(az), np.cos(az), 0.0])  # the screen's x direction, horizontal
    centre, distance = np.array([0.0, 0.0, 0.35 * MESH_HEIGHT]), 5.0
    tx = np.tan(np.radians(fov / 2))
    for _ in range(8):
        xy = _project(pts, centre, distance, elevation, azimuth, aspect, fov)
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        # Move the target to the middle of the picture, then set the distance to fill it.
        centre = centre + right * 0.5 * (x0 + x1) * distance * tx
        centre[2] += 0.5 * (y0 + y1) * distance * tx / aspect / np.cos(el)
        distance *= max((x1 - x0) / 2, (y1 - y0) / 2) / CAMERA_FILL
    return tuple(float(c) for c in centre), float(distance)


def _floor_lines(ticks: int = 5, length: float = 0.05) -> np.ndarray:
    """Tick marks along the foot of the block's four edges (GLLinePlotItem mode='lines'):
    ``ticks`` evenly spaced per edge, pointing outwards."""
    t = np.linspace(-1.0, 1.0, ticks)
    z, a, b = FLOOR_Z, 1.0, 1.0 + length
    segs = []
    for v in t:
        segs += [(v, -a, z), (v, -b, z), (v, a, z), (v, b, z), (-a, v, z), (-b, v, z), (a, v, z), (b, v, z)]
    return np.array(segs, dtype=np.float32)


def _fmt(v: float) -> str:
    """Axis end labels: three significant digits (−1.53, not −1.53093)."""
    return f"{v:.3g}"
