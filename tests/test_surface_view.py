"""The 3D view (optviz.render.surface_view).

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

    from optviz.render.inputs import RunStyle, SurfaceGrid
    from optviz.render.surface_view import MESH_HEIGHT, SurfaceView
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

    def scaled(scale, loss):
        """u in [0, 1] of a loss, the scale's formula written out (see optviz.core.scale)."""
        lo, hi = scale.lo, scale.hi
        d = np.clip(np.asarray(loss, dtype=float), lo, hi) - lo
        if scale.log:
            delta = (hi - lo) * 1e-4
            return np.log1p(d / delta) / np.log1p((hi - lo) / delta)
        return d / (hi - lo)

    def drag(view, points, button=Qt.MouseButton.LeftButton):
        """Press at points[0], move through the others with ``button`` held, release."""
        from PySide6.QtCore import QEvent, QPointF
        from PySide6.QtGui import QMouseEvent

        def send(kind, p, buttons, which):
            local = QPointF(*p)
            ev = QMouseEvent(kind, local, QPointF(view.mapToGlobal(local)), which, buttons,
                             Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(view, ev)

        send(QEvent.Type.MouseButtonPress, points[0], button, button)
        seen = []
        for p in points[1:]:
            send(QEvent.Type.MouseMove, p, button, Qt.MouseButton.NoButton)
            seen.append((view.opts["elevation"], view.opts["azimuth"]))
        send(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton, button)
        return np.array(seen)

    def eye_distance_in_depth_buffer(view, col, row):
        """Distance from the camera to what the last frame drew at pixel (col, row), read from
        the GL depth buffer (after grab)."""
        from OpenGL import GL
        view.makeCurrent()
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, view.defaultFramebufferObject())
        h = view.height()
        d = float(np.asarray(GL.glReadPixels(int(col), int(h - 1 - row), 1, 1, GL.GL_DEPTH_COMPONENT,
                                             GL.GL_FLOAT)).ravel()[0])
        view.doneCurrent()
        n, f = view.opts["distance"] * 0.001, view.opts["distance"] * 1000.0  # GLViewWidget's clip planes
        return 2 * n * f / ((f + n) - (2 * d - 1) * (f - n))

    def eye_distance(view, pts):
        cam = view.cameraPosition()
        c = view.opts["center"]
        eye = np.array([cam.x(), cam.y(), cam.z()])
        forward = np.array([c.x(), c.y(), c.z()]) - eye
        forward /= np.linalg.norm(forward)
        return (np.asarray(pts, dtype=float) - eye) @ forward  # depth along the view axis
    '''
)

# ---------------------------------------------------------------------------------------------
# In-process: the pure mapping (no GL context is created)


def test_display_map_sends_view_box_corners_to_unit_square_and_loss_range_to_0_H():
    from optviz.render.surface_view import MESH_HEIGHT, DisplayMap

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


def test_mesh_faces_face_up_and_normals_point_up():
    from optviz.render.surface_mesh import grid_faces, vertex_normals

    nx, ny = 5, 4
    X, Y = np.meshgrid(np.linspace(-1, 1, nx), np.linspace(-1, 1, ny), indexing="xy")
    Z = 0.3 + 0.2 * X**2 + 0.1 * Y
    verts = np.column_stack([X.ravel(), Y.ravel(), Z.ravel()])
    faces = grid_faces(nx, ny)
    assert faces.shape == (2 * (nx - 1) * (ny - 1), 3)
    v = verts[faces]
    up = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])[:, 2]
    assert (up > 0).all()  # counter-clockwise from above: the top is the front face
    normals = vertex_normals(verts, faces)
    assert (normals[:, 2] > 0).all()
    # At an inner vertex the normal is the gradient's: (-dz/dx, -dz/dy, 1) normalised.
    i = 1 * nx + 2  # x = 0, y = -1/3
    want = np.array([-0.4 * X.ravel()[i], -0.1, 1.0])
    np.testing.assert_allclose(normals[i], want / np.linalg.norm(want), atol=0.02)


def test_walls_hang_from_the_mesh_edges_to_the_floor_and_face_outwards():
    from optviz.render.surface_mesh import skirt

    nx, ny = 5, 4
    X, Y = np.meshgrid(np.linspace(-1, 1, nx), np.linspace(-1, 1, ny), indexing="xy")
    z = 0.3 + 0.2 * X**2 + 0.1 * Y
    z[0, 2] = np.nan  # an undefined loss on the front edge: no wall next to it
    verts, faces = skirt(z, -0.02)
    wv = verts[faces]
    outward = np.cross(wv[:, 1] - wv[:, 0], wv[:, 2] - wv[:, 0])
    centre = wv.mean(axis=1)
    assert (np.einsum("ij,ij->i", outward, centre * [1, 1, 0]) > 0).all()  # front faces outside
    assert np.isclose(verts[:, 2], -0.02).sum() >= len(verts) // 2
    assert (np.abs(verts[:, :2]).max(axis=1) == 1).all()  # on the box's sides
    expected_quads = 2 * (nx - 1) + 2 * (ny - 1) - 2  # two front cells touch the hole
    assert len(faces) == 2 * expected_quads
    # The walls' tops are the mesh's edge heights.
    top = verts[faces].reshape(-1, 3)
    top = top[top[:, 2] > 0]
    np.testing.assert_allclose(top[:, 2], 0.3 + 0.2 * top[:, 0] ** 2 + 0.1 * top[:, 1])


def test_a_pinned_point_lies_on_the_mesh_and_the_mesh_stays_a_height_field():
    from optviz.render.surface_mesh import HeightField

    ny, nx = 6, 7
    X, Y = np.meshgrid(np.linspace(-1, 1, nx), np.linspace(-1, 1, ny), indexing="xy")
    z = 0.5 + 0.3 * X - 0.2 * Y  # a plane: interpolation is exact until a point is pinned
    field = HeightField(z)
    probe = np.array([[0.1, -0.05], [-0.83, 0.61], [0.999, -0.999]])
    np.testing.assert_allclose(field.height(probe), 0.5 + 0.3 * probe[:, 0] - 0.2 * probe[:, 1], atol=1e-12)
    pin = np.array([0.1, -0.05, 0.0])  # a narrow funnel's bottom, far below the plane
    assert field.pin(pin)
    assert not field.pin(pin + (0.001, 0.0005, 0.0))  # that triangle is taken
    assert not field.pin((1.5, 0.0, 0.1)) and not field.pin((0.0, 0.0, np.nan))
    verts, faces = field.mesh()
    assert len(verts) == nx * ny + 1 and np.allclose(verts[-1], pin)
    assert len(faces) == 2 * (nx - 1) * (ny - 1) + 2  # one triangle became three
    v = verts[faces]
    up = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])[:, 2]
    assert (up > 0).all()  # still counter-clockwise from above
    assert field.height(pin[None, :2])[0] == pytest.approx(0.0, abs=1e-12)
    # Inside the split triangle the height is that of the sub-triangle's plane, written out:
    # the cell of (0.1, -0.05) spans x in [0, 1/3], y in [-0.2, 0.2]; the point lies above the
    # cell's diagonal, in the triangle (a, d, c) with a = (0, -0.2), d = (1/3, 0.2), c = (0, 0.2).
    a, d, c = (np.array([x, y, 0.5 + 0.3 * x - 0.2 * y]) for x, y in ((0, -0.2), (1 / 3, 0.2), (0, 0.2)))
    q = np.array([0.05, 0.1])  # in the sub-triangle (d, c, pin)
    lam = np.linalg.solve(np.array([[d[0], c[0], pin[0]], [d[1], c[1], pin[1]], [1, 1, 1]]), [q[0], q[1], 1])
    assert (lam >= 0).all()
    assert field.height(q[None])[0] == pytest.approx(lam @ [d[2], c[2], pin[2]], abs=1e-12)
    # Elsewhere nothing changed.
    np.testing.assert_allclose(field.height(probe[1:]), 0.5 + 0.3 * probe[1:, 0] - 0.2 * probe[1:, 1], atol=1e-12)


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
        # The hole shows the floor pane (a grey barely off the background) through the mesh:
        # look straight down at it, between the grid lines (x = 1 and y = 0.5 are ticks).
        view.setCameraPosition(elevation=90, azimuth=-90)
        app.processEvents()
        top = grab(view)
        centre = to_screen(view, view.to_display([[1.2, 0.3]], [0.0]))[0]
        c, r = int(centre[0]), int(centre[1])
        patch = top[r - 3 : r + 4, c - 3 : c + 4]
        print("hole patch", patch.reshape(-1, 3).mean(axis=0).round(1))
        check(np.abs(patch - BACKGROUND).max() < 15, "the undefined disc is not a hole in the mesh")

        # A diverging run: GD with a huge step on a steep bowl leaves the view, then overflows.
        diverge = Simulation(get_surface("bowl"), [RunSpec("gd", {"learning_rate": 5.0})],
                             (0.5, 0.5), max_steps=600)
        diverge.run()
        bowl = get_surface("bowl")
        view.set_surface(bowl, grid_of(bowl))
        view.set_runs([RunStyle("gd", COLORS[0], True)])
        view.update_runs(diverge)
        app.processEvents()
        check(diverge.status[0, 0] != 0, f"the run was meant to leave the view: {diverge.describe(0)}")
        pos = view._runs[0].line.pos
        check(pos is not None and np.isfinite(pos).all(), "non-finite vertices sent to GL")
        check(np.abs(pos[:, :2]).max() <= 1 + 1e-9, "the path runs off the surface's box")
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
    overlay arrows (optviz.app.views.overlays) are drawn on top, from the head's ball."""
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


@pytest.mark.gl
def test_a_drag_never_takes_the_camera_under_the_surface(gl_display):
    """Issue 10: a 70 px upward drag flipped the camera under the surface, a 100 px drag turned
    it by about 90°. Dragging far up or down stops at the elevation clamp; a drag across the
    whole view turns it half round."""
    out = run_gl(
        """
        from optviz.render.surface_camera import ELEVATION_MAX, ELEVATION_MIN
        surface, sim = race("rosenbrock", steps=50)
        view = make_view(surface, sim, (800, 600))
        x0, y0 = 400, 300
        # Far up, three times over (each drag 290 px), then far down.
        up = np.vstack([drag(view, [(x0, y0 - 10 * i) for i in range(0, 30)]) for _ in range(3)])
        print("elevations going up", up[:, 0].min().round(2), up[-1, 0].round(2))
        check(up[:, 0].min() >= ELEVATION_MIN - 1e-9, f"the camera went under the surface: {up[:, 0].min()}")
        check(abs(up[-1, 0] - ELEVATION_MIN) < 1e-9, f"a long upward drag ends at {up[-1, 0]}")
        down = np.vstack([drag(view, [(x0, y0 + 10 * i) for i in range(0, 30)]) for _ in range(3)])
        print("elevations going down", down[:, 0].max().round(2))
        check(down[:, 0].max() <= ELEVATION_MAX + 1e-9, f"the camera went over the top: {down[:, 0].max()}")
        check(abs(down[-1, 0] - ELEVATION_MAX) < 1e-9, f"a long downward drag ends at {down[-1, 0]}")
        # 70 px up from 45°: a small tilt, not a flip.
        view.setCameraPosition(elevation=45, azimuth=-60)
        small = drag(view, [(x0, y0 - i) for i in range(0, 71, 5)])
        print("70 px up", small[-1].round(2))
        check(abs(small[-1, 0] - 45) < 15 and abs(small[-1, 1] + 60) < 1e-6, f"70 px up moved to {small[-1]}")
        # A drag across the whole width turns the camera half round, the picture following the mouse.
        w = view.width()
        turn = drag(view, [(x, y0) for x in np.linspace(0, w, 41)])
        print("full-width drag turns", round(turn[-1, 1] + 60, 2))
        check(abs(turn[-1, 1] - (-60 - 180)) < 1.0, f"a full-width drag turned {turn[-1, 1] + 60}°")
        # The arrow keys orbit through the same clamp.
        view.setCameraPosition(elevation=10)
        for _ in range(20):
            view.orbit(0, -2.0)
        check(view.opts["elevation"] == ELEVATION_MIN, f"arrow keys: elevation {view.opts['elevation']}")
        print("ok")
        """,
        gl_display,
    )
    assert "ok" in out


@pytest.mark.gl
def test_balls_are_drawn_in_their_run_colour(gl_display):
    """Issue 10: under the lighting GD's yellow rendered olive and Adam's orange dark grey in a
    minimum. The pixel at each ball's centre is the run's colour, in both looks and from above."""
    out = run_gl(
        """
        colors = ["#E69F00", "#0072B2", "#D55E00"]  # GD yellow-orange, momentum blue, Adam orange
        surface = get_surface("rosenbrock")
        specs = [RunSpec("gd", {"learning_rate": 1e-3}), RunSpec("momentum", {"learning_rate": 5e-4}),
                 RunSpec("adam", {"learning_rate": 0.2})]
        sim = Simulation(surface, specs, surface.start, max_steps=1500)
        sim.run()
        view = SurfaceView()
        view.resize(800, 600)
        view.set_surface(surface, grid_of(surface))
        view.set_runs([RunStyle(f"run {k}", c, True) for k, c in enumerate(colors)])
        view.update_runs(sim)
        view.show()
        check(QTest.qWaitForWindowExposed(view, 5000), "the view was never exposed")
        heads = np.array([run_path(view, sim, k)[-1] for k in range(3)])
        print("heads", heads.round(3), "adam at", sim.positions[2, 0].round(3))
        check(np.linalg.norm(sim.positions[2, 0] - (1, 1)) < 1e-2, "Adam was meant to sit in the minimum")
        checked = 0
        for look, scale in (("normal", 1.0), ("projector", 1.75)):
            view.set_look(look, scale)
            for camera in ({}, {"elevation": 85, "azimuth": -90}, {"elevation": 12, "azimuth": 150}):
                if camera:
                    view.setCameraPosition(**camera)
                app.processEvents()
                frame = grab(view)
                scr = to_screen(view, heads)
                for k, c in enumerate(colors):
                    # A ball drawn later (a higher run number) may cover this one.
                    if any(np.hypot(*(scr[j] - scr[k])) < view.balls.size for j in range(k + 1, 3)):
                        continue
                    col, row = (int(round(v)) for v in scr[k])
                    patch = frame[row - 1 : row + 2, col - 1 : col + 2].reshape(-1, 3)
                    err = np.abs(patch - rgb(c)).max()
                    print(look, camera, "run", k, c, "centre", patch[4], "max error", err)
                    check(err <= 6, f"{look} {camera}: run {k}'s ball is {patch[4]}, not {rgb(c)}")
                    checked += 1
        check(checked >= 12, f"only {checked} balls could be checked")
        print("ok")
        """,
        gl_display,
    )
    assert "ok" in out


@pytest.mark.gl
def test_axis_labels_are_round_numbers_and_never_overlap(gl_display):
    """Issue 10: corner labels ran together ("4.47-3.35", "10-10", "4.54.5"). Every drawn tick
    label is a round number of its axis, labelled where its value is; no two labels' rectangles
    overlap or leave the view, at any size, camera or look; the text is where the rectangles say."""
    out = run_gl(
        """
        from optviz.core import get_surface as any_surface
        from optviz.render.theme import get_theme
        SUPER = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")

        def value(text):
            text = text.replace("\\u2212", "-")
            if "10" in text and any(ch in text for ch in "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"):
                m, _, p = text.rpartition("10")
                sign = -1.0 if m.startswith("-") else 1.0
                return sign * float(m.lstrip("-").rstrip("×") or "1") * 10.0 ** int(p.translate(SUPER))
            return float(text)

        def round_step(values, span):
            '''The largest 1, 2, 2.5, 5 × 10^k step (at least span/15) all values are multiples of.'''
            for k in range(12, -12, -1):
                for m in (5, 2.5, 2, 1):
                    s = m * 10.0 ** k
                    if s >= span / 15 and all(abs(v / s - round(v / s)) < 1e-6 for v in values):
                        return s
            return None

        def log_round(v):
            if v == 0:
                return True
            k = np.floor(np.log10(abs(v)) + 1e-12)
            return any(abs(abs(v) / 10 ** k - m) < 1e-9 for m in (1, 2, 5))

        n_checked = 0
        for key in ("linreg_mse", "himmelblau", "rosenbrock", "saddle", "two_wells", "goldstein_price"):
            surface = any_surface(key)
            grid = grid_of(surface)
            box = surface.view
            for size in ((800, 600), (360, 260)):
                view = SurfaceView()
                view.resize(*size)
                view.set_surface(surface, grid)
                view.show()
                check(QTest.qWaitForWindowExposed(view, 5000), "the view was never exposed")
                for look, scale in (("normal", 1.0), ("projector", 1.75)):
                    view.set_look(look, scale)
                    view.reset_camera()
                    for camera in ({}, {"elevation": 60, "azimuth": 45}, {"elevation": 12, "azimuth": 200}):
                        if camera:
                            view.setCameraPosition(**camera)
                        app.processEvents()
                        grab(view)
                        drawn = view.axes.labels.drawn
                        where = f"{key} {size} {look} {camera}"
                        rects = [r for _, r, _, _ in drawn]
                        for i in range(len(rects)):
                            r = rects[i]
                            check(0 <= r.left() and r.right() <= size[0] and 0 <= r.top() and r.bottom() <= size[1],
                                  f"{where}: label {drawn[i][0]!r} leaves the view: {r}")
                            for j in range(i):
                                check(not r.intersects(rects[j]),
                                      f"{where}: labels {drawn[i][0]!r} and {drawn[j][0]!r} overlap")
                        titles = {a for t, _, a, title in drawn if title}
                        check(titles == {"x", "y", "J"} or camera, f"{where}: axis titles missing: {titles}")
                        for axis, (lo, hi) in (("x", (box.xmin, box.xmax)), ("y", (box.ymin, box.ymax)),
                                               ("J", (grid.scale.lo, grid.scale.hi))):
                            values = [value(t) for t, _, a, title in drawn if a == axis and not title]
                            check(all(lo - 1e-9 * abs(lo) <= v <= hi + 1e-9 * abs(hi) for v in values),
                                  f"{where}: {axis} tick outside its range: {values}")
                            if axis == "J" and grid.scale.log:
                                check(all(log_round(v) for v in values), f"{where}: J ticks {values}")
                            elif values:
                                check(round_step(values, hi - lo) is not None, f"{where}: {axis} ticks {values}")
                        check(camera or len([1 for _, _, a, t in drawn if not t]) >= 6,
                              f"{where}: hardly any tick labels")
                        n_checked += 1
                view.close()
                view.deleteLater()
                app.processEvents()
        # The labels are drawn where their rectangles are: paint them red and find every red pixel.
        surface = any_surface("linreg_mse")
        view = SurfaceView()
        view.resize(640, 420)
        view.set_surface(surface, grid_of(surface))
        view.show()
        check(QTest.qWaitForWindowExposed(view, 5000), "the view was never exposed")
        view.axes.labels.set_look((230, 0, 0), 1.0)
        app.processEvents()
        frame = grab(view)
        red = (frame[..., 0] > 150) & (frame[..., 1] < 90) & (frame[..., 2] < 90)
        inside = np.zeros_like(red)
        for text, r, _, _ in view.axes.labels.drawn:
            box_px = red[int(r.top()) : int(r.bottom()) + 1, int(r.left()) : int(r.right()) + 1]
            check(box_px.sum() > 3, f"no text drawn in the rectangle of {text!r}")
            inside[max(int(r.top()) - 2, 0) : int(r.bottom()) + 3, max(int(r.left()) - 2, 0) : int(r.right()) + 3] = True
        print("red pixels", int(red.sum()), "outside the rectangles", int((red & ~inside).sum()))
        check((red & ~inside).sum() == 0, "text drawn outside its rectangle")
        texts = sorted(t for t, _, _, _ in view.axes.labels.drawn)
        print("linreg labels", texts)
        check("w" in texts and "b" in texts and "J" in texts, f"axis titles: {texts}")
        print("checked", n_checked, "ok")
        """,
        gl_display,
        timeout=400,
    )
    assert "ok" in out


@pytest.mark.gl
def test_a_diverged_run_is_cut_at_the_box_and_marked_where_it_left(gl_display):
    """Issue 10: diverged runs drew lines into empty space. GD with α = 1.5 on Booth leaves the
    box at once: its path ends on the box's edge, on the surface, with a × there and no ball."""
    out = run_gl(
        """
        surface = get_surface("booth")
        sim = Simulation(surface, [RunSpec("gd", {"learning_rate": 1.5}), RunSpec("adam", {"learning_rate": 0.5})],
                         surface.start, max_steps=100)
        sim.run()
        n = sim.length(0)
        P = sim.history.positions[:n, 0, 0]
        box = surface.view
        outside = ~((P[:, 0] >= box.xmin) & (P[:, 0] <= box.xmax) & (P[:, 1] >= box.ymin) & (P[:, 1] <= box.ymax))
        check(outside.any() and outside[-1], "GD was meant to leave the view")
        grid = grid_of(surface)
        view = SurfaceView()
        view.resize(800, 600)
        view.set_surface(surface, grid)
        view.set_runs([RunStyle("gd", COLORS[0], True), RunStyle("adam", COLORS[1], True)])
        view.update_runs(sim)
        view.show()
        check(QTest.qWaitForWindowExposed(view, 5000), "the view was never exposed")
        for _ in range(5):
            app.processEvents()
        for item in view._runs[0].items:
            pos = np.asarray(item.pos)
            check(np.isfinite(pos).all(), "non-finite vertices")
            check(np.abs(pos[:, :2]).max() <= 1 + 1e-9, f"a vertex outside the box: {np.abs(pos[:, :2]).max()}")
        # By hand: where the first step that leaves the box crosses its edge.
        j = int(np.argmax(outside))
        a, b = P[j - 1], P[j]
        ts = [(lim - a[i]) / (b[i] - a[i]) for i, (lo, hi) in enumerate(((box.xmin, box.xmax), (box.ymin, box.ymax)))
              for lim in (lo, hi) if b[i] != a[i] and 0 <= (lim - a[i]) / (b[i] - a[i]) <= 1]
        exit_xy = a + min(ts) * (b - a)
        want = np.array([2 * (exit_xy[0] - box.xmin) / box.width - 1, 2 * (exit_xy[1] - box.ymin) / box.height - 1])
        want_z = MESH_HEIGHT * scaled(grid.scale, surface.f(exit_xy))
        check(len(view.exits.pos) == 1, f"{len(view.exits.pos)} exit marks")
        mark = view.exits.pos[0]
        print("exit mark", mark.round(4), "by hand", want.round(4), round(float(want_z), 4))
        if j == n - 1 or not (~outside[j:]).any():  # it never came back
            check(np.allclose(mark[:2], want, atol=1e-6), "the × is not where the path left the box")
        check(np.isclose(np.abs(mark[:2]).max(), 1.0), "the × is not on the box's edge")
        from optviz.render.surface_view import PATH_LIFT
        edge_z = MESH_HEIGHT * scaled(grid.scale, surface.f(
            np.array([box.xmin + (mark[0] + 1) / 2 * box.width, box.ymin + (mark[1] + 1) / 2 * box.height])))
        check(abs(mark[2] - PATH_LIFT - edge_z) < 0.02, f"the × floats: z {mark[2]} vs surface {edge_z}")
        line = np.asarray(view._runs[0].line.pos)
        check(np.allclose(line[-1], mark), "the path does not end at the ×")
        check(len(view.balls.pos) == 1 and np.allclose(view.balls.pos[0], run_path(view, sim, 1)[-1]),
              "only the run still on the surface has a ball")
        frame = grab(view)
        col, row = (int(round(v)) for v in to_screen(view, [mark])[0])
        patch = frame[row - 1 : row + 2, col - 1 : col + 2].reshape(-1, 3)
        print("× centre", patch[4])
        check(np.abs(patch - rgb(COLORS[0])).max() <= 8, "the × is not drawn in the run's colour")
        print("ok")
        """,
        gl_display,
    )
    assert "ok" in out


@pytest.mark.gl
def test_minimum_markers_sit_on_the_surface_where_the_camera_sees_them(gl_display):
    """Issue 10: minimum markers were drawn (faded) on the walls and hills in front of them. A
    marker sits at its minimum's loss on the surface, and is drawn exactly when the surface does
    not hide it: checked against a ray marched here over the analytic loss (not the mesh)."""
    out = run_gl(
        """
        from optviz.render.surface_view import MINIMUM_CLEARANCE, PATH_LIFT
        from optviz.core import get_surface as any_surface
        counts = {"hidden": 0, "seen": 0}
        for key in ("himmelblau", "two_wells", "goldstein_price", "six_hump_camel", "three_hump_camel"):
            surface = any_surface(key)
            grid = grid_of(surface)
            box = surface.view
            view = SurfaceView()
            view.resize(800, 600)
            view.set_surface(surface, grid)
            view.show()
            check(QTest.qWaitForWindowExposed(view, 5000), "the view was never exposed")
            minima = [m for m in surface.minima if box.contains(m.location)]
            loc = np.array([m.location for m in minima])
            want_xy = np.column_stack([2 * (loc[:, 0] - box.xmin) / box.width - 1,
                                       2 * (loc[:, 1] - box.ymin) / box.height - 1])
            want_z = MESH_HEIGHT * scaled(grid.scale, [m.value for m in minima])
            pos = view.minima.pos
            print(key, "marker z - lift", (pos[:, 2] - PATH_LIFT).round(4), "J* height", want_z.round(4))
            check(np.allclose(pos[:, :2], want_xy, atol=1e-9), f"{key}: markers not at the minima")
            check(np.abs(pos[:, 2] - PATH_LIFT - want_z).max() < 1e-9, f"{key}: a marker is not at its minimum's loss")

            def above_ray(p, eye):
                # How far the loss surface rises above the line of sight from p to the eye,
                # beyond MINIMUM_CLEARANCE (display units; negative: it stays below).
                ray = eye - p
                ray /= np.linalg.norm(ray)
                d = np.linspace(MINIMUM_CLEARANCE, 3.0, 3000)
                q = p + d[:, None] * ray
                q = q[(np.abs(q[:, :2]) <= 1).all(axis=1) & (q[:, 2] <= MESH_HEIGHT + 0.01)]
                if len(q) == 0:
                    return -1.0
                xy = np.column_stack([box.xmin + (q[:, 0] + 1) / 2 * box.width,
                                      box.ymin + (q[:, 1] + 1) / 2 * box.height])
                with np.errstate(all="ignore"):
                    z = MESH_HEIGHT * scaled(grid.scale, surface.f(xy))
                return float(np.nanmax(z - q[:, 2]))

            for camera in ({}, {"elevation": 20, "azimuth": 100}, {"elevation": 15, "azimuth": -170},
                           {"elevation": 60, "azimuth": 30}):
                if camera:
                    view.setCameraPosition(**camera)
                app.processEvents()
                grab(view)
                drawn = np.asarray(view.minima.dot.pos) if view.minima.dot.visible() else np.zeros((0, 3))
                cam = view.cameraPosition()
                eye = np.array([cam.x(), cam.y(), cam.z()])
                for k, p in enumerate(pos):
                    rise = above_ray(p, eye)
                    shown = any(np.allclose(p, d, atol=1e-6) for d in drawn)
                    if rise > 0.02:
                        counts["hidden"] += 1
                        check(not shown, f"{key} {camera}: minimum {k} is drawn where the surface hides it")
                    elif rise < -0.01:
                        counts["seen"] += 1
                        check(shown, f"{key} {camera}: minimum {k} is in sight but not drawn ({rise:.4f})")
            view.close()
            view.deleteLater()
            app.processEvents()
        print(counts)
        check(counts["hidden"] >= 3 and counts["seen"] >= 5, f"too few cases: {counts}")
        print("ok")
        """,
        gl_display,
        timeout=300,
    )
    assert "ok" in out


@pytest.mark.gl
def test_a_run_that_steps_where_the_loss_is_undefined_is_marked_where_it_left(gl_display):
    """The typed function log(x) is undefined for x ≤ 0: GD from (0.5, 0) with α = 1 lands on
    x = 0.5 − 1/0.5 = −1.5. The view shows a hole there (the floor's grid, no floating ticks),
    and the run a × at its start, the last point on the surface, instead of a ball."""
    out = run_gl(
        """
        from optviz.app.window.model import RaceModel
        model = RaceModel("custom", custom={"expression": "log(x)", "view": [-2, 3, -2, 2]})
        surface = model.surface()
        sim = Simulation(surface, [RunSpec("gd", {"learning_rate": 1.0}), RunSpec("gd", {"learning_rate": 0.01})],
                         (0.5, 0.0), max_steps=5)
        sim.run()
        P = sim.history.positions[: sim.length(0), 0, 0]
        print("first run", P.round(3).tolist())
        check(np.allclose(P[1], (-1.5, 0.0)), f"GD was meant to land on x = -1.5: {P[1]}")
        view = make_view(surface, sim, (640, 480))
        start = view.to_display([[0.5, 0.0]], [np.log(0.5)])[0]
        check(len(view.exits.pos) == 1 and np.allclose(view.exits.pos[0, :2], start[:2]),
              f"no × at the start of the run that left the surface: {view.exits.pos}")
        check(len(view.balls.pos) == 1 and np.allclose(view.balls.pos[0], run_path(view, sim, 1)[-1]),
              "only the run still on the surface has a ball")
        # Nothing is drawn off the surface for x <= 0 but the panes and their grid.
        mesh_x = np.asarray(view.mesh.opts["meshdata"].vertexes())[:, 0]
        check((mesh_x[np.asarray(view.mesh.opts["meshdata"].faces()).ravel()] >= 2 * (0 + 2) / 5 - 1 - 0.03).all(),
              "mesh triangles over the undefined half")
        frame = grab(view)
        col, row = (int(round(v)) for v in to_screen(view, [view.exits.pos[0]])[0])
        check(np.abs(frame[row, col] - rgb(COLORS[0])).max() <= 8, f"the × is {frame[row, col]}")
        print("ok")
        """,
        gl_display,
    )
    assert "ok" in out
