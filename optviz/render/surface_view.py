"""The 3D view: the loss surface as a lit, coloured sheet with the runs' paths riding on it.

Display coordinates: the surface's view box maps to the square [-1, 1]² (x and y scaled
independently, so a long box still looks square) and the loss J to the height z = H·u with
u = ``grid.scale(J)`` ∈ [0, 1], the same scaled value the contour view colours by. The mesh
colours are ``colormap.rgba(u)``, so a colour means the same loss in both views.

What is drawn, back to front:

* the axes (:mod:`.surface_axes`): a floor pane and two panes behind the mesh with grid lines
  at round ticks of x, y and J, tick labels along the near edges and up the loss axis;
* the mesh, lit by a soft light near the camera that keeps the colour-map colours; cells
  with an undefined loss are left out (holes), its underside is plain grey;
* every path twice (:mod:`.surface_runs`): a faded copy on top of everything (a path behind
  a hill stays traceable) and the depth-tested path in the run colour on a light casing,
  lifted onto the mesh, cut where it leaves the box;
* the minima (white dots, only where the camera sees them), each run's head (a flat ball in
  the run's colour, always on top), or a × where a run left the box.

The default camera picks, per surface, the view that shows most of the low ground (see
:meth:`SurfaceView.reset_camera`). The mouse orbits (left button; a drag across the view turns
it by half a turn, and the elevation stays between 5° and 85°), pans (middle, or ctrl + left)
and zooms (wheel).

Needs OpenGL: a real X server (or Xvfb + Mesa), and ``Qt.AA_ShareOpenGLContexts`` set before
the QApplication exists (see ``optviz.app.main.create_application``).
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph.opengl as gl
from OpenGL import GL
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QVector3D

from ..core.geometry import ViewBox
from ..core.scale import ValueScale
from . import colormap
from .surface_axes import LABEL_PAD, AxisFrame
from .surface_camera import (CAMERA_FOV, LABEL_ROOM, box_corners, clamp_elevation, drag_to_orbit, eye,
                             fit_camera)
from .surface_gl import (LIT_SHADER, MESH_GL, ORDER_ARROWS, ORDER_BALL, ORDER_EXIT, ORDER_MESH, ORDER_MINIMA,
                         OVERLAY_GL, PATH_GL, WALL_GL, msaa_samples)
from .surface_mesh import HeightField, HeightMesh, skirt, vertex_normals
from .surface_runs import Crosses, Markers, PathTrace, RunPath, clip_to_box
from .theme import NORMAL, get_theme

if TYPE_CHECKING:  # the view only reads attributes; no import cycle with the controller
    from .inputs import RunStyle, SurfaceGrid

#: Height of the mesh in display units (the box is 2 × 2).
MESH_HEIGHT = 0.9
#: Paths, balls and minimum markers float this far above the surface (display units).
PATH_LIFT = 0.012
#: Light, slightly cool grey: reads on a projector, and the near-white valley floors of the
#: colour map still separate from it.
BACKGROUND = (236, 239, 243)
#: The floor pane, just under the lowest loss.
FLOOR_Z = -0.02
#: The (elevation, azimuth) candidates of reset_camera in order of preference (front right
#: first); the first within CAMERA_MARGIN of the best score wins.
CAMERA_ANGLES = ((32.0, -60.0), (45.0, -60.0), (32.0, 30.0), (45.0, 30.0),
                 (32.0, -150.0), (45.0, -150.0), (32.0, 120.0), (45.0, 120.0))
CAMERA_MARGIN = 0.04
SWARM_DOT_SIZE = 4.0  # px
#: Opacity of the walls under the mesh's edges (in the panes' colour).
WALL_ALPHA = 0.75
#: A minimum's marker is hidden only by surface further than this from it (display units,
#: about three grid cells).
MINIMUM_CLEARANCE = 0.03
#: Size of the × where a run left the box, px at look scale 1.
EXIT_SIZE = 20.0


#: The 3D paths drop steps that stay in one cell of a THIN_CELLS × THIN_CELLS grid over the
#: box (well under a pixel at any window size).
THIN_CELLS = 2048


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


class SurfaceView(gl.GLViewWidget):
    """The loss surface in 3D with the race on it.

    API used by the main window: :meth:`set_surface`, :meth:`set_runs`, :meth:`update_runs`,
    :meth:`reset_camera`, :meth:`set_look`. :meth:`to_display` and :meth:`mesh_height` give
    the mapping.
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
        self._field: HeightField | None = None  # the mesh as drawn
        self._camera_key = None  # the surface the camera was last reset for
        self._camera_angles = CAMERA_ANGLES[0]
        self._camera_fitted = False  # the camera is the default one (refit on resize)
        self._styles: list[RunStyle] = []
        self._runs: list[RunPath] = []
        self._theme, self._scale = NORMAL, 1.0
        self._path_widths = NORMAL.gl_widths

        self.axes = AxisFrame(self, MESH_HEIGHT, FLOOR_Z)
        self.mesh = gl.GLMeshItem(smooth=True, shader=LIT_SHADER, glOptions=MESH_GL)
        self.mesh.setDepthValue(ORDER_MESH)
        self.mesh.setVisible(False)
        self.addItem(self.mesh)
        # See-through walls from the mesh's edges to the floor: the sheet reads as the top of
        # a solid, and what hangs below an edge (a funnel cut by it) shows only muted.
        self.walls = gl.GLMeshItem(smooth=False, glOptions=WALL_GL)
        self.walls.setDepthValue(ORDER_MESH + 0.5)
        self.walls.setVisible(False)
        self.addItem(self.walls)
        self._wall_mesh: tuple[np.ndarray, np.ndarray] | None = None

        self.minima = Markers(self, size=7.0, rim=2.5, order=ORDER_MINIMA)
        self.exits = Crosses(self, size=EXIT_SIZE, order=ORDER_EXIT)
        self.balls = Markers(self, size=NORMAL.gl_ball, rim=2.5, order=ORDER_BALL)
        # Arrows of the visual aids (optviz.app.views.overlays): always on top, per-vertex colours.
        self.overlay = gl.GLLinePlotItem(mode="lines", width=3.0, antialias=True, glOptions=OVERLAY_GL)
        self.overlay.setDepthValue(ORDER_ARROWS)
        self.overlay.setVisible(False)
        self.addItem(self.overlay)
        # A swarm's points riding on the surface (hidden where the surface is in front).
        self.swarm = gl.GLScatterPlotItem(size=SWARM_DOT_SIZE, pxMode=True, glOptions=PATH_GL)
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
        self.axes.set_look(theme, s)
        self._color_walls()
        self._path_widths = tuple(w * s for w in theme.gl_widths)
        for run in self._runs:
            run.set_widths(self._path_widths)
        self.balls.set_size(theme.gl_ball * s, 2.5 * s)
        self.minima.set_size(7.0 * s, 2.5 * s)
        self.exits.set_size(EXIT_SIZE * s)
        self.swarm.setData(size=SWARM_DOT_SIZE * s)
        if self._camera_fitted:  # the labels' room changed with their size
            self._fit_camera()
        self.update()

    def look(self):
        return self._theme, self._scale

    def _color_walls(self) -> None:
        if self._wall_mesh is None or not len(self._wall_mesh[1]):
            self.walls.setVisible(False)
            return
        verts, faces = self._wall_mesh
        r, g, b, _ = self.axes.colors.pane
        colors = np.tile(np.float32((r, g, b, WALL_ALPHA)), (len(verts), 1))
        self.walls.setMeshData(meshdata=gl.MeshData(vertexes=verts.astype(np.float32), faces=faces,
                                                    vertexColors=colors))
        self.walls.setVisible(True)

    def paintGL(self) -> None:
        # A cyclic garbage collection inside paintGL can destroy another (dropped) GL widget,
        # whose destructor makes its own context current and then releases it; every item
        # drawn after that finds no current context. Collect before or after, never during.
        enabled = gc.isenabled()
        gc.disable()
        try:
            GL.glDepthMask(True)  # glClear honours the depth mask
            # A minimum at the bottom of a funnel a cell or two wide stays shown: its marker is
            # bigger than the funnel's walls on screen.
            self.minima.show_only(~self.hidden_from_camera(self.minima.pos, near=MINIMUM_CLEARANCE))
            self._place_axes()
            super().paintGL()
        finally:
            if enabled:
                gc.enable()

    def _place_axes(self) -> None:
        cam, centre = self.cameraPosition(), self.opts["center"]
        az = np.radians(self.opts["azimuth"])
        self.axes.set_camera((cam.x() - centre.x(), cam.y() - centre.y()), (-np.sin(az), np.cos(az)))

    # ------------------------------------------------------------------ mapping

    def to_display(self, points_xy, loss) -> np.ndarray:
        """(n, 2) parameter points and their n losses → (n, 3) display coordinates."""
        if self.map is None:
            raise RuntimeError("set_surface() first")
        return self.map.to_display(points_xy, loss)

    def mesh_height(self, display_xy) -> np.ndarray:
        """Height of the rendered mesh at display points (n, 2); NaN outside the square or
        over undefined cells."""
        if self._field is None:
            return np.full(np.asarray(display_xy).reshape(-1, 2).shape[0], np.nan)
        return self._field.height(display_xy)

    def hidden_from_camera(self, display_pts, eye=None, near: float = 0.02) -> np.ndarray:
        """Which display points (n, 3) the mesh hides from the camera (``eye``: a display
        position, default the current camera). Samples the height field along each line of
        sight, from ``near`` away from the point up to where it rises above the mesh top:
        n × 96 look-ups."""
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
        d = near + np.linspace(0.0, 1.0, 96)[None, :] * np.maximum(reach - near, 0.0)[:, None]
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
        for items in self._runs:
            items.trace.reset()  # display points of the old surface
        u = np.asarray(grid.scale(grid.z), dtype=float)
        ny, nx = u.shape
        defined = np.isfinite(u)
        zg = np.where(defined, MESH_HEIGHT * np.clip(u, 0.0, 1.0), np.nan)
        self._mesh_z = zg
        field = self._field = HeightField(zg)
        # The minima are pinned into the mesh: a minimum between grid vertices (the bottom of
        # a narrow funnel) is drawn at its own loss, and its marker sits on it.
        minima = [m for m in surface.minima if surface.view.contains(m.location) and np.isfinite(m.value)]
        marks = self.map.to_display(np.array([m.location for m in minima]).reshape(-1, 2), [m.value for m in minima])
        pinned_u = [float(grid.scale(m.value)) for m, p in zip(minima, marks) if field.pin(p)]
        verts, faces = field.mesh()
        colors = colormap.rgba(np.concatenate([u.ravel(), pinned_u])).reshape(-1, 4).astype(np.float32)
        if len(faces):
            normals = vertex_normals(verts, faces)
            self._normals = normals[: nx * ny].reshape(ny, nx, 3)
            self.mesh.setMeshData(meshdata=HeightMesh(verts.astype(np.float32), faces, colors, normals))
            self.mesh.setVisible(True)
        else:
            self._normals = np.tile((0.0, 0.0, 1.0), (ny, nx, 1))
            self.mesh.setVisible(False)
        self._wall_mesh = skirt(zg, FLOOR_Z)
        self._color_walls()
        marks[:, 2] = np.fmax(marks[:, 2], self.mesh_height(marks[:, :2])) + PATH_LIFT
        self.minima.set(marks, np.tile((1.0, 1.0, 1.0, 1.0), (len(marks), 1)))
        self.axes.set_axes(surface.view, grid.scale, (tuple(surface.axis_labels) + ("x", "y"))[:2])
        # A new surface gets its own best view; new parameters of the same one keep the
        # lecturer's camera.
        if getattr(surface, "key", None) != self._camera_key:
            self._camera_key = getattr(surface, "key", None)
            self.reset_camera()
        self.update()

    # ------------------------------------------------------------------ runs

    def set_runs(self, styles: Sequence[RunStyle]) -> None:
        """One path + ball per run, in the run's colour; invisible runs are hidden."""
        self._styles = list(styles)
        while len(self._runs) < len(self._styles):
            self._runs.append(RunPath(self, self._samples > 0, self._path_widths))
        while len(self._runs) > len(self._styles):
            self._runs.pop().remove(self)
        for items, style in zip(self._runs, self._styles):
            items.style(style)
            if not style.visible:
                items.show_path(None)
        if not any(style.visible for style in self._styles):
            self.balls.set(np.zeros((0, 3)), np.zeros((0, 4)))
            self.exits.set(np.zeros((0, 3)), np.zeros((0, 4)))

    def update_runs(self, sim) -> None:
        """Move the paths and balls to the simulation's current state (start point 0 of each
        run). A path is cut where it leaves the box; a run that left the surface (its head
        outside the box, at an undefined loss or overflowed) gets a × where it left instead
        of a ball."""
        if self.map is None or sim is None:
            return
        hist = sim.history
        heads, head_colors, exits, exit_colors = [], [], [], []
        for k, items in enumerate(self._runs):
            if k >= sim.K or not items.visible:
                items.show_path(None)
                continue
            if hist is not None:
                n = sim.length(k)
                traced = self._trace(items.trace, hist.positions[:n, k, 0], hist.loss[:n, k, 0])
            else:
                traced = self._trace(PathTrace(), sim.positions[k, :1], sim.loss[k, :1])
            if traced is None:
                items.show_path(None)
                continue
            last, segments, last_cut, on_surface = traced
            items.show_path(segments)
            # The run is on the surface (a ball), or it left it: past the box's edge (× where
            # the path last crossed it) or onto an undefined loss or an overflow (× at the
            # last point on the surface), as the contour map marks a run that diverged.
            if (np.abs(last[:2]) <= 1.0).all():
                (heads if on_surface else exits).append(last)
                (head_colors if on_surface else exit_colors).append(items.color)
            elif len(segments) and last_cut:
                exits.append(segments[-1])
                exit_colors.append(items.color)
        self.balls.set(np.array(heads).reshape(-1, 3), np.array(head_colors).reshape(-1, 4))
        self.exits.set(np.array(exits).reshape(-1, 3), np.array(exit_colors).reshape(-1, 4))
        self._update_swarm(sim)
        self.update()

    def _segments(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:func:`clip_to_box` of display points, with the ends made by a cut put on the
        surface's edge (not in the air)."""
        segments, cut = clip_to_box(pts)
        if cut.any():
            with np.errstate(invalid="ignore"):
                edge = self.mesh_height(segments[cut, :2]) + PATH_LIFT
            segments[cut, 2] = np.where(np.isfinite(edge), edge, segments[cut, 2])
        return segments, cut

    def _trace(self, t: PathTrace, P: np.ndarray, L: np.ndarray):
        """One run's path as drawn, from ``t``'s cache plus the new points of positions ``P``
        and losses ``L``: (last display point, segments, whether the last segment end is a
        cut, whether the run is still on the surface), or None when nothing is drawn.

        Drawn up to the last point with a position and a defined loss (an infinite loss is
        drawn at the top, as the scale clips it), from a bounded subset of its points, so a
        frame's cost does not grow with the path (see :class:`PathTrace`)."""
        n = len(P)
        if t.checked and (n < t.checked or P[0].tobytes() != t.first or P[t.checked - 1].tobytes() != t.last):
            t.reset()  # restarted, or cut shorter
        if t.valid == t.checked < n:  # all valid so far: look at the new points
            ok = np.isfinite(P[t.checked :]).all(axis=1) & ~np.isnan(L[t.checked :])
            t.valid = n if ok.all() else t.checked + int(np.argmin(ok))
        if n:
            t.checked, t.first, t.last = n, P[0].tobytes(), P[n - 1].tobytes()
        m = t.valid
        if m == 0:
            return None
        if m <= PathTrace.EXACT:
            kept = np.arange(m)
        else:
            box = self.surface.view
            t.thinner.set_cell(np.array([box.width, box.height]) / THIN_CELLS)
            kept = t.thinner.update(P[:m])  # raw indices of the visible moves
        dec = t.decimator
        covered = dec.update(P, kept)
        if dec.version != t.version:
            t.version, t.buckets = dec.version, 0
            t.bucket_pts, t.bucket_segs = np.zeros((0, 3)), np.zeros((0, 3))
        if dec.count > t.buckets:
            idx = kept[dec.bucket_indices(t.buckets)]
            new = self.path_to_display(P[idx], L[idx])
            segs, _ = self._segments(np.vstack([t.bucket_pts[-1:], new]))
            t.bucket_pts = np.vstack([t.bucket_pts, new])
            t.bucket_segs = np.vstack([t.bucket_segs, segs])
            t.buckets = dec.count
        # The tail, exactly from the thinned points on, ending at the run's last point.
        tail = kept[covered:]
        if not len(tail) or tail[-1] != m - 1:
            tail = np.append(tail, m - 1)
        tail_pts = self.path_to_display(P[tail], L[tail])
        tail_segs, cut = self._segments(np.vstack([t.bucket_pts[-1:], tail_pts]))
        segments = np.vstack([t.bucket_segs, tail_segs]) if len(t.bucket_segs) else tail_segs
        return tail_pts[-1], segments, bool(len(cut) and cut[-1]), m == n

    def _update_swarm(self, sim) -> None:
        """Every visible run's cloud as dots on the surface (a swarm: more than one point)."""
        cloud = sim.cloud  # a frame of an export's race has one point per run: no swarm
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
            pts = pts[np.isfinite(pts).all(axis=1) & (np.abs(pts[:, :2]) <= 1.0).all(axis=1)]
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
        :meth:`camera_score`); distance and target frame the box with room for its labels,
        and follow the widget's shape until the mouse moves the camera."""
        self._camera_angles = self.best_camera_angles()
        self._fit_camera()

    def _fit_camera(self) -> None:
        """Frame the box so it fills the view with its labels just inside: fit the box with
        room for the labels, measure how far the labels (in pixels) reach past it, refit."""
        elevation, azimuth = self._camera_angles
        w, h = self.width(), self.height()
        if w <= 50 or h <= 50:
            w, h = 800, 600
        pad = LABEL_PAD * self._scale
        room = np.array(LABEL_ROOM) * self._scale  # first guess: left, right, bottom, top (px)
        corners = box_corners(MESH_HEIGHT, FLOOR_Z)
        self.opts["fov"] = CAMERA_FOV
        for _ in range(3):
            margins = (2 * room[0] / w, 2 * room[1] / w, 2 * room[2] / h, 2 * room[3] / h)
            centre, distance = fit_camera(elevation, azimuth, w / h, CAMERA_FOV, corners, margins)
            self.setCameraPosition(pos=QVector3D(*centre), distance=distance, elevation=elevation, azimuth=azimuth)
            self._place_axes()
            rects = [r for _, r in self.axes.labels.layout(cull=False)]
            if not rects or self.width() <= 50:
                break
            matrix = self.axes.labels.screen_matrix()
            box = np.array([[p.x(), p.y()] for p in (matrix.map(QVector3D(*map(float, c))) for c in corners)])
            (x0, y0), (x1, y1) = box.min(axis=0), box.max(axis=0)
            room = np.array([x0 - min(r.left() for r in rects), max(r.right() for r in rects) - x1,
                             max(r.bottom() for r in rects) - y1, y0 - min(r.top() for r in rects)])
            room = np.maximum(room, 0.0) + pad
        self._camera_fitted = True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._camera_fitted:  # the lecturer has not moved it: keep the box framed
            self._fit_camera()

    def orbit(self, azim, elev) -> None:
        """Turn by ``azim`` degrees and tilt by ``elev``, the elevation kept within
        ELEVATION_MIN..ELEVATION_MAX (never under the surface)."""
        self.opts["azimuth"] += azim
        self.opts["elevation"] = clamp_elevation(self.opts["elevation"] + elev)
        self.update()

    def mousePressEvent(self, event) -> None:
        self._camera_fitted = False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        """Left drags orbit at DRAG_TURN degrees per view width (pyqtgraph turns one degree
        per pixel: a short drag spun the camera under the surface); the rest as pyqtgraph."""
        orbiting = (event.buttons() == Qt.MouseButton.LeftButton
                    and not event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if not orbiting:
            super().mouseMoveEvent(event)
            return
        pos = event.position()
        last = getattr(self, "mousePos", pos)
        self.mousePos = pos
        azimuth, elevation = drag_to_orbit(pos.x() - last.x(), pos.y() - last.y(), self.width(), self.height())
        self.orbit(azimuth, elevation)

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
        centre, distance = fit_camera(elevation, azimuth, 4 / 3, CAMERA_FOV, box_corners(MESH_HEIGHT, FLOOR_Z))
        camera = eye(centre, distance, elevation, azimuth)
        facing = np.einsum("ij,ij->i", n, camera - pts) > 0
        seen = facing & ~self.hidden_from_camera(pts, camera)
        w = 1.05 - pts[:, 2] / MESH_HEIGHT
        score = float((w * seen).sum() / w.sum())
        # Small bonuses for seeing the start point and the minima themselves.
        surface = self.surface
        marks = [m for m in getattr(surface, "minima", ()) if surface.view.contains(m.location)]
        if marks:
            pts = self.path_to_display(np.array([m.location for m in marks]), [m.value for m in marks])
            score += 0.1 * float(np.mean(~self.hidden_from_camera(pts, camera)))
        start = getattr(surface, "start", None)
        if start is not None and surface.view.contains(np.array(start)):
            with np.errstate(all="ignore"):
                loss = float(surface.f(np.array(start, dtype=float)))
            if np.isfinite(loss):
                score += 0.05 * float(not self.hidden_from_camera(self.path_to_display([start], [loss]), camera)[0])
        return score
