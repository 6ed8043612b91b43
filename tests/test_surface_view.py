"""The 3D view (optviz.app.surface_view).

The test process runs Qt on the offscreen platform, which has no OpenGL, so every test that
draws runs a small script in a subprocess on the xcb platform, on the X server that
pytest-xvfb started for the session (its ``xvfb`` fixture gives the display number; without
Xvfb an existing ``DISPLAY`` is used; with neither the GL tests skip). The script prints what
it measured and exits non-zero with the reason when a check fails.

The pure mapping helpers (DisplayMap, the mesh faces and walls, the camera framing) need no
GL context and are tested in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from optviz.core.geometry import ViewBox
from optviz.core.scale import ValueScale

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------
# Subprocess plumbing


@pytest.fixture(scope="session")
def gl_display(request) -> str:
    """The X display for GL subprocesses: pytest-xvfb's Xvfb, else $DISPLAY, else skip."""
    try:
        xvfb = request.getfixturevalue("xvfb")
    except pytest.FixtureLookupError:  # pytest-xvfb not installed
        xvfb = None
    if xvfb is not None and getattr(xvfb, "display", None) is not None:
        return f":{xvfb.display}"
    if os.environ.get("DISPLAY"):
        return os.environ["DISPLAY"]
    pytest.skip("the 3D view needs an X server with OpenGL: install Xvfb (pytest-xvfb starts it) "
                "or set DISPLAY")


def run_gl(script: str, display: str, timeout: float = 180.0) -> str:
    """Run PRELUDE + ``script`` in a fresh interpreter on the xcb platform; returns stdout."""
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="xcb", DISPLAY=display, PYQTGRAPH_QT_LIB="PySide6",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    env.pop("WAYLAND_DISPLAY", None)
    code = PRELUDE + "\n" + textwrap.dedent(script)
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(ROOT), capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"GL subprocess failed (exit {proc.returncode}) on DISPLAY={display}\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
    return proc.stdout


# Shared by every GL script: the application (shared GL contexts BEFORE QApplication), a real
# race on a real surface, and frame grabbing/analysis helpers.
PRELUDE = textwrap.dedent(
    '''
    import sys, time
    import numpy as np
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QImage, QVector3D
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])

    from optviz.app.controller import RunStyle, SurfaceGrid
    from optviz.app.surface_view import MESH_HEIGHT, SurfaceView
    from optviz.core.scale import value_scale
    from optviz.core.simulation import RunSpec, Simulation
    from optviz.core.surfaces import get_surface

    COLORS = ["#E69F00", "#0072B2", "#009E73"]  # Okabe-Ito orange, blue, green
    BACKGROUND = np.array([236, 239, 243])

    def fail(message):
        print("FAIL:", message, flush=True)
        sys.exit(1)

    def check(ok, message):
        if not ok:
            fail(message)

    def grid_of(surface, n=200):
        xs, ys, z = surface.grid(n, n)
        return SurfaceGrid(xs, ys, z, value_scale(surface, z))

    def race(key="rosenbrock", steps=300):
        surface = get_surface(key)
        specs = [RunSpec("gd", {"learning_rate": 1e-3}), RunSpec("momentum", {"learning_rate": 2e-4}),
                 RunSpec("adam", {"learning_rate": 0.05})]
        sim = Simulation(surface, specs, surface.start, max_steps=steps)
        sim.run()
        return surface, sim

    def make_view(surface, sim, size=(800, 600)):
        view = SurfaceView()
        view.resize(*size)
        view.set_surface(surface, grid_of(surface))
        view.set_runs([RunStyle(f"run {k}", c, True) for k, c in enumerate(COLORS[: sim.K])])
        view.update_runs(sim)
        view.show()
        check(QTest.qWaitForWindowExposed(view, 5000), "the view was never exposed")
        for _ in range(5):
            app.processEvents()
        return view

    def grab(view):
        image = view.grabFramebuffer().convertToFormat(QImage.Format.Format_RGBA8888)
        a = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
        return a[:, : image.width(), :3].astype(int).copy()  # copied: the buffer dies with the image

    def rgb(hex_color):
        return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])

    def matches(frame, color, tol=45):
        return np.linalg.norm(frame - np.asarray(color), axis=-1) < tol

    def distinct_colors(frame):
        return len(np.unique(frame.reshape(-1, 3), axis=0))

    def not_background(frame):
        return float(np.mean(np.abs(frame - BACKGROUND).sum(axis=-1) > 30))

    def to_screen(view, pts):
        """Pixel (column, row) of display points, as GLViewWidget projects them."""
        w, h = view.width(), view.height()
        m = view.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * view.viewMatrix()
        out = []
        for x, y, z in np.asarray(pts, dtype=float):
            p = m.map(QVector3D(float(x), float(y), float(z)))
            out.append(((p.x() + 1) / 2 * w, (1 - p.y()) / 2 * h))
        return np.array(out)

    def near_path(view, path_pts, shape, radius=10):
        """Mask of pixels within ``radius`` of the projected path."""
        mask = np.zeros(shape[:2], dtype=bool)
        scr = to_screen(view, path_pts)
        rows, cols = np.mgrid[-radius : radius + 1, -radius : radius + 1]
        disk = rows ** 2 + cols ** 2 <= radius ** 2
        for cx, cy in scr:
            c, r = int(round(cx)), int(round(cy))
            r0, r1, c0, c1 = r - radius, r + radius + 1, c - radius, c + radius + 1
            if r1 <= 0 or c1 <= 0 or r0 >= shape[0] or c0 >= shape[1]:
                continue
            sub = disk[max(0, -r0) : disk.shape[0] - max(0, r1 - shape[0]),
                       max(0, -c0) : disk.shape[1] - max(0, c1 - shape[1])]
            mask[max(r0, 0) : min(r1, shape[0]), max(c0, 0) : min(c1, shape[1])] |= sub
        return mask

    def run_path(view, sim, k):
        n = sim.length(k)
        return view.path_to_display(sim.history.positions[:n, k, 0], sim.history.loss[:n, k, 0])
    '''
)

# ---------------------------------------------------------------------------------------------
# In-process: the pure mapping (no GL context is created)


def test_display_map_sends_view_box_corners_to_unit_square_and_loss_range_to_0_H():
    from optviz.app.surface_view import MESH_HEIGHT, DisplayMap

    box = ViewBox(-2.0, 6.0, -1.0, 0.5)  # long and flat: x and y are scaled independently
    for log in (False, True):
        m = DisplayMap(box, ValueScale(3.0, 103.0, log))
        corners = np.array([[-2.0, -1.0], [6.0, -1.0], [6.0, 0.5], [-2.0, 0.5], [2.0, -0.25]])
        out = m.to_display(corners, [3.0, 103.0, 53.0, 1e9, np.nan])
        assert out.shape == (5, 3)
        np.testing.assert_allclose(out[:, :2], [[-1, -1], [1, -1], [1, 1], [-1, 1], [0, 0]], atol=1e-12)
        assert out[0, 2] == pytest.approx(0.0)  # the lowest loss sits on z = 0
        assert out[1, 2] == pytest.approx(MESH_HEIGHT)  # the highest at z = H
        assert 0.0 < out[2, 2] < MESH_HEIGHT
        assert out[3, 2] == pytest.approx(MESH_HEIGHT)  # beyond the scale: clipped
        assert np.isnan(out[4, 2])  # undefined loss stays undefined
    # Log scaling lifts the middle of the range, exactly as the contour colours do.
    lin = DisplayMap(box, ValueScale(3.0, 103.0, False)).z([53.0])[0]
    log = DisplayMap(box, ValueScale(3.0, 103.0, True)).z([53.0])[0]
    assert lin == pytest.approx(0.5 * MESH_HEIGHT)
    assert log > lin


def test_mesh_faces_walls_and_normals_face_outwards():
    from optviz.app.surface_view import FLOOR_Z, grid_faces, skirt, vertex_normals

    nx, ny = 5, 4
    X, Y = np.meshgrid(np.linspace(-1, 1, nx), np.linspace(-1, 1, ny), indexing="xy")
    Z = 0.3 + 0.2 * X**2 + 0.1 * Y
    verts = np.column_stack([X.ravel(), Y.ravel(), Z.ravel()])
    faces = grid_faces(nx, ny)
    assert faces.shape == (2 * (nx - 1) * (ny - 1), 3)
    v = verts[faces]
    up = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])[:, 2]
    assert (up > 0).all()  # counter-clockwise from above: the top is the front face
    assert (vertex_normals(verts, faces)[:, 2] > 0).all()

    defined = np.ones((ny, nx), dtype=bool)
    defined[0, 2] = False  # an undefined loss on the front edge: no wall next to it
    w_verts, w_faces, w_normals = skirt(verts.reshape(ny, nx, 3), defined)
    wv = w_verts[w_faces]
    outward = np.cross(wv[:, 1] - wv[:, 0], wv[:, 2] - wv[:, 0])
    centre = wv.mean(axis=1)
    assert (np.einsum("ij,ij->i", outward, centre * [1, 1, 0]) > 0).all()  # front faces outside
    assert np.isclose(w_verts[:, 2], FLOOR_Z).sum() == len(w_verts) // 2
    expected_quads = 2 * (nx - 1) + 2 * (ny - 1) - 2  # two front cells touch the hole
    assert len(w_faces) == 2 * expected_quads
    assert np.allclose(np.linalg.norm(w_normals, axis=1), 1.0)


def test_paths_are_cut_at_the_stage_border():
    from optviz.app.surface_view import clip_segments

    path = np.array([[0, 0, 0], [0.5, 0, 1], [3, 0, 2], [3, 3, 3], [0, 0.5, 4], [0.2, 0.2, 5]], dtype=float)
    seg = clip_segments(path, 1.0)
    np.testing.assert_allclose(seg, [[0, 0, 0], [0.5, 0, 1],  # inside
                                     [0.5, 0, 1], [1, 0, 1.2],  # leaves: ends on the border
                                     [0.6, 1, 3.8], [0, 0.5, 4],  # comes back
                                     [0, 0.5, 4], [0.2, 0.2, 5]])
    assert clip_segments(path[:1], 1.0).shape == (0, 3)
    assert clip_segments(np.array([[2.0, 2, 0], [3, 3, 0]]), 1.0).shape == (0, 3)


def test_default_camera_frames_the_box_and_labels():
    from optviz.app.surface_view import CAMERA_FILL, FLOOR_Z, MESH_HEIGHT, _project, fit_camera

    pts = np.array([(sx, sy, MESH_HEIGHT) for sx in (-1, 1) for sy in (-1, 1)]
                   + [(1.3 * sx, 1.3 * sy, FLOOR_Z) for sx in (-1, 1) for sy in (-1, 1)])
    for elevation, azimuth in ((32, -60), (45, 30), (45, 120)):
        for aspect in (4 / 3, 16 / 10, 1.0):
            centre, distance = fit_camera(elevation, azimuth, aspect)
            xy = _project(pts, centre, distance, elevation, azimuth, aspect, 45)
            assert np.abs(xy).max() == pytest.approx(CAMERA_FILL, abs=0.02)  # fills, never clips
            assert abs(xy[:, 1].min() + xy[:, 1].max()) < 0.02  # centred vertically
            assert abs(xy[:, 0].min() + xy[:, 0].max()) < 0.02  # and horizontally


# ---------------------------------------------------------------------------------------------
# GL: rendered frames under X


@pytest.mark.gl
def test_view_maps_through_the_grid_scale_and_paths_ride_on_the_mesh(gl_display):
    out = run_gl(
        """
        surface, sim = race("rosenbrock")
        view = SurfaceView()
        grid = grid_of(surface)
        view.set_surface(surface, grid)
        box = surface.view
        corners = [[box.xmin, box.ymin], [box.xmax, box.ymin], [box.xmax, box.ymax], [box.xmin, box.ymax]]
        lo, hi = grid.scale.lo, grid.scale.hi
        d = view.to_display(corners, [lo, hi, lo, hi])
        check(np.allclose(d[:, :2], [[-1, -1], [1, -1], [1, 1], [-1, 1]]), f"corners -> {d[:, :2]}")
        check(np.allclose(d[:, 2], [0, MESH_HEIGHT, 0, MESH_HEIGHT]), f"lo/hi -> {d[:, 2]}")
        # The mesh interpolates the grid exactly at its vertices.
        iy, ix = 37, 151
        h = view.mesh_height(view.to_display([[grid.xs[ix], grid.ys[iy]]], [grid.z[iy, ix]])[:, :2])[0]
        want = MESH_HEIGHT * np.clip(grid.scale(grid.z[iy, ix]), 0, 1)
        check(abs(h - want) < 1e-9, f"mesh height {h} != {want}")
        # Paths are never under the mesh and follow the recorded losses through the same scale.
        view.set_runs([RunStyle(f"run {k}", c, True) for k, c in enumerate(COLORS)])
        view.update_runs(sim)
        for k in range(sim.K):
            path = run_path(view, sim, k)
            check(len(path) == sim.length(k), f"run {k}: {len(path)} of {sim.length(k)} points drawn")
            under = path[:, 2] < view.mesh_height(path[:, :2]) - 1e-9
            check(not under.any(), f"run {k}: {under.sum()} points under the mesh")
            exact = view.to_display(sim.history.positions[: sim.length(k), k, 0],
                                    sim.history.loss[: sim.length(k), k, 0])[:, 2]
            check((path[:, 2] >= exact).all(), f"run {k}: path below its own loss height")
            line = view._runs[k].line  # segments (mode 'lines'): point i to point i+1
            check(line.visible() and np.allclose(line.pos[0::2], path[:-1], atol=1e-5)
                  and np.allclose(line.pos[1::2], path[1:], atol=1e-5), f"run {k}: line not at its path")
        heads = np.array([run_path(view, sim, k)[-1] for k in range(sim.K)])
        check(np.allclose(view.balls.pos, heads), "the balls are not at the heads of the paths")
        print("ok")
        """,
        gl_display,
    )
    print(out)
    assert "ok" in out


@pytest.mark.gl
def test_race_renders_with_run_colours_on_their_paths(gl_display):
    out = run_gl(
        """
        surface, sim = race("rosenbrock")
        view = make_view(surface, sim)
        frame = grab(view)
        check(frame.shape == (600, 800, 3), f"frame shape {frame.shape}")
        n_colors, covered = distinct_colors(frame), not_background(frame)
        print("distinct colours", n_colors, "covered", round(covered, 3), "mean", frame.mean().round(1))
        check(frame.mean() > 60, "the frame is (nearly) black")
        check(n_colors > 1000, f"only {n_colors} colours: the mesh is missing or flat")
        check(0.2 < covered < 0.95, f"the surface covers {covered:.0%} of the frame")

        def colour_check(view, frame, label, min_px):
            for k, c in enumerate(COLORS):
                hit = matches(frame, rgb(c))
                near = near_path(view, run_path(view, sim, k), frame.shape)
                inside, outside = int((hit & near).sum()), int((hit & ~near).sum())
                print(label, "run", k, c, "pixels on path", inside, "elsewhere", outside)
                check(inside >= min_px, f"{label}: run {k} ({c}) barely visible on its path: {inside} px")
                check(outside <= max(40, inside // 2), f"{label}: run {k} colour away from its path: {outside} px")

        colour_check(view, frame, "default camera", 40)
        # From straight above nothing hides a path: every run shows along its whole length.
        view.setCameraPosition(elevation=90, azimuth=-90)
        app.processEvents()
        top = grab(view)
        colour_check(view, top, "top view", 80)

        # Hiding a run removes its colour; update_runs keeps it hidden.
        view.set_runs([RunStyle("a", COLORS[0], True), RunStyle("b", COLORS[1], False), RunStyle("c", COLORS[2], True)])
        view.update_runs(sim)
        hidden = grab(view)
        n_blue = int(matches(hidden, rgb(COLORS[1]), 30).sum())
        print("hidden run pixels", n_blue)
        check(n_blue < 15, f"an invisible run still shows {n_blue} px")
        print("ok")
        """,
        gl_display,
    )
    print(out)
    assert "ok" in out


@pytest.mark.gl
def test_second_gl_view_renders_too(gl_display):
    """Without AA_ShareOpenGLContexts every GL view after the first shows no mesh."""
    out = run_gl(
        """
        first_surface, first_sim = race("rosenbrock", steps=100)
        first = make_view(first_surface, first_sim, (640, 480))
        a = grab(first)
        surface, sim = race("himmelblau", steps=100)
        second = make_view(surface, sim, (640, 480))
        b = grab(second)
        a_again = grab(first)
        for name, f in (("first", a), ("second", b), ("first again", a_again)):
            print(name, "mean", f.mean().round(1), "colours", distinct_colors(f),
                  "covered", round(not_background(f), 3))
            check(f.mean() > 60, f"{name} view is black")
            check(distinct_colors(f) > 1000, f"{name} view shows no mesh")
            check(not_background(f) > 0.2, f"{name} view is empty")
        check(np.abs(a - a_again).mean() < 1.0, "the first view changed after the second was made")
        print("ok")
        """,
        gl_display,
    )
    print(out)
    assert "ok" in out


@pytest.mark.gl
def test_undefined_losses_and_diverging_runs_do_not_break_the_view(gl_display):
    out = run_gl(
        """
        from optviz.core.geometry import CriticalPoint, ViewBox
        from optviz.core.surface import Category, Surface

        class Holed(Surface):
            '''A bowl with an undefined disc (NaN) and an infinite strip.'''
            def __init__(self):
                super().__init__(key="holed", title="Holed", category=Category.CONVEX,
                                 view=ViewBox(-2, 2, -1, 1), start=(-1.5, 0.5), caption="test",
                                 minima=(CriticalPoint(0.0, 0.0, 0.0),))
            def f(self, p):
                p = np.asarray(p, dtype=float)
                x, y = p[..., 0], p[..., 1]
                z = x ** 2 + 4 * y ** 2
                z = np.where((x - 1) ** 2 + (y - 0.4) ** 2 < 0.1, np.nan, z)
                return np.where(x < -1.9, np.inf, z)
            def grad(self, p, out=None):
                p = np.asarray(p, dtype=float)
                g = np.stack([2 * p[..., 0], 8 * p[..., 1]], axis=-1)
                if out is not None:
                    out[...] = g
                    return out
                return g

        surface = Holed()
        sim = Simulation(surface, [RunSpec("gd", {"learning_rate": 0.1}), RunSpec("gd", {"learning_rate": 0.3})],
                         surface.start, max_steps=40)
        sim.run()
        view = make_view(surface, sim, (640, 480))
        frame = grab(view)
        print("colours", distinct_colors(frame), "covered", round(not_background(frame), 3))
        check(distinct_colors(frame) > 500, "no mesh drawn")
        # The hole shows the background through the mesh: look straight down at it.
        view.setCameraPosition(elevation=90, azimuth=-90)
        app.processEvents()
        top = grab(view)
        centre = to_screen(view, view.to_display([[1.0, 0.4]], [0.0]))[0]
        c, r = int(centre[0]), int(centre[1])
        patch = top[r - 3 : r + 4, c - 3 : c + 4]
        print("hole patch", patch.reshape(-1, 3).mean(axis=0).round(1))
        check(np.abs(patch - BACKGROUND).max() < 12, "the undefined disc is not a hole in the mesh")

        # A diverging run: GD with a huge step on a steep bowl leaves the view, then overflows.
        diverge = Simulation(get_surface("bowl"), [RunSpec("gd", {"learning_rate": 5.0})],
                             (0.5, 0.5), max_steps=600)
        diverge.run()
        bowl = get_surface("bowl")
        view.set_surface(bowl, grid_of(bowl))
        view.set_runs([RunStyle("gd", COLORS[0], True)])
        view.update_runs(diverge)
        app.processEvents()
        from optviz.app.surface_view import STAGE
        check(diverge.status[0, 0] != 0, f"the run was meant to leave the view: {diverge.describe(0)}")
        pos = view._runs[0].line.pos
        check(pos is not None and np.isfinite(pos).all(), "non-finite vertices sent to GL")
        check(np.abs(pos[:, :2]).max() <= STAGE + 1e-9, "the path runs off the stage")
        ball = view.balls.pos[0]
        check(np.isclose(np.abs(ball[:2]).max(), STAGE), f"the ball is not where the run left: {ball}")
        frame = grab(view)
        check(distinct_colors(frame) > 500, "no mesh drawn after the run left")
        print("ok")
        """,
        gl_display,
    )
    print(out)
    assert "ok" in out


@pytest.mark.gl
def test_projector_look_and_overlay_arrows(gl_display):
    """The projector theme's white background and bigger balls come and go with set_look; the
    overlay arrows (optviz.app.overlays) are drawn on top, from the head's ball."""
    out = run_gl(
        """
        surface, sim = race("rosenbrock", steps=150)
        view = make_view(surface, sim)
        corner = lambda f: f[5:40, 5:40].reshape(-1, 3).mean(axis=0)
        normal = grab(view)
        print("normal corner", corner(normal).round(1))
        check(np.abs(corner(normal) - BACKGROUND).max() < 3, "normal background changed")
        view.set_look("projector", 1.75)
        app.processEvents()
        projector = grab(view)
        print("projector corner", corner(projector).round(1))
        check((corner(projector) > 252).all(), "the projector background is not white")
        check(view.balls.size == 14.0 * 1.75, f"ball size {view.balls.size}")

        # An arrow from run 2's head, 0.5 display units along +x: black pixels appear along it.
        head = run_path(view, sim, 2)[-1]
        seg = np.array([head, head + (0.5, 0.0, 0.0)])
        before = grab(view)
        view.set_overlay(seg, np.tile((0.0, 0.0, 0.0, 1.0), (2, 1)), 4.0)
        app.processEvents()
        after = grab(view)
        (x0, y0), (x1, y1) = to_screen(view, seg)
        rows, cols = np.mgrid[0:after.shape[0], 0:after.shape[1]]
        t = np.clip(((cols - x0) * (x1 - x0) + (rows - y0) * (y1 - y0)) / ((x1 - x0) ** 2 + (y1 - y0) ** 2), 0, 1)
        near = np.hypot(cols - (x0 + t * (x1 - x0)), rows - (y0 + t * (y1 - y0))) < 4
        dark = (after.sum(axis=-1) < 120) & near & (before.sum(axis=-1) >= 120)
        print("new dark pixels along the arrow", int(dark.sum()))
        check(dark.sum() > 0.5 * np.hypot(x1 - x0, y1 - y0), "the overlay arrow is not drawn")
        view.set_overlay(None)
        view.set_look("normal", 1.0)
        app.processEvents()
        back = grab(view)
        check(np.abs(corner(back) - BACKGROUND).max() < 3 and view.balls.size == 13.0, "normal look not restored")
        check(np.abs(back.astype(int) - normal.astype(int)).max(axis=-1).mean() < 1.0, "the frame differs from before")
        print("ok")
        """,
        gl_display,
    )
    print(out)
    assert "ok" in out


@pytest.mark.gl
def test_a_swarm_rides_on_the_surface_as_dots(gl_display):
    out = run_gl(
        """
        surface = get_surface("himmelblau")
        rng = np.random.default_rng(0)
        starts = np.vstack([surface.start, rng.uniform(-4, 4, (300, 2))])
        sim = Simulation(surface, [RunSpec("gd", {"learning_rate": 1e-3})], starts, max_steps=50, record_points=1)
        sim.step(5)
        view = make_view(surface, sim)
        check(view.swarm.visible(), "no swarm dots")
        pos = np.asarray(view.swarm.pos)
        check(len(pos) == 301, f"{len(pos)} dots for 301 points")
        # Each dot sits on the surface at its point's loss (the same mapping as the paths).
        want = view.to_display(sim.positions[0], surface.f(sim.positions[0]))
        check(np.allclose(pos[:, :2], want[:, :2], atol=1e-5), "dots not at their points")
        check((pos[:, 2] >= want[:, 2] - 1e-5).all(), "dots below their loss height")
        before = grab(view)
        one = Simulation(surface, [RunSpec("gd", {"learning_rate": 1e-3})], surface.start, max_steps=50)
        view.update_runs(one)  # a single point: no swarm
        check(not view.swarm.visible(), "swarm dots without a swarm")
        app.processEvents()
        after = grab(view)
        check((matches(before, rgb(COLORS[0])).sum() - matches(after, rgb(COLORS[0])).sum()) > 300,
              "the dots were not drawn in the run's colour")
        print("ok")
        """,
        gl_display,
    )
    assert "ok" in out
