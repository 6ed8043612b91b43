"""A long race draws a bounded number of points, incrementally, and still draws it right.

The decimated curve is compared with brute force over the raw series (every bucket's lowest
and highest value, found with ``nanmin``/``nanmax`` on the slice), the contour path's
incremental box check with a from-scratch check, and the views after 100,000 steps with
what they must show (bounded point counts, the newest steps exact, the extremes kept).
Speed is measured in benchmarks/bench_app.py, not here.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from optviz.render.decimation import SeriesDecimator
from test_surface_view import gl_display, run_gl  # noqa: F401 - gl_display is a fixture


def _check_against_brute_force(dec: SeriesDecimator, y: np.ndarray, x_out: np.ndarray, y_out: np.ndarray) -> None:
    n, w, c = len(y), dec.width, dec.count
    covered = c * w
    assert covered <= max(n - dec.exact, 0)
    assert len(x_out) == 2 * c + (n - covered)
    # The tail is exact.
    np.testing.assert_array_equal(x_out[2 * c :], np.arange(covered, n))
    np.testing.assert_array_equal(y_out[2 * c :], y[covered:])
    # Each bucket: its two points lie in it, in order, and are its extremes.
    xs, ys = x_out[: 2 * c].reshape(c, 2), y_out[: 2 * c].reshape(c, 2)
    for b in range(c):
        lo, hi = b * w, (b + 1) * w
        chunk = y[lo:hi]
        assert lo <= xs[b, 0] <= xs[b, 1] < hi
        if np.isnan(chunk).all():
            assert np.isnan(ys[b]).all()
            continue
        np.testing.assert_array_equal(ys[b], y[xs[b].astype(int)])  # points of the series
        assert min(ys[b]) == np.nanmin(chunk) and max(ys[b]) == np.nanmax(chunk)
    # x increases (the curve is drawn in step order).
    assert np.all(np.diff(x_out) >= 0)


def test_decimator_matches_brute_force_while_growing():
    rng = np.random.default_rng(1)
    y = np.cumsum(rng.normal(size=60_000))
    y[::7] += 50 * rng.normal(size=len(y[::7]))  # zig-zags whose peaks must survive
    y[20_000:20_300] = np.nan  # a gap
    y[30_017] = 1e6  # a lone spike
    dec = SeriesDecimator(exact=500, max_buckets=64)
    n = 1
    while n < len(y):
        x_out, y_out = dec.update(y[:n])
        _check_against_brute_force(dec, y[:n], x_out, y_out)
        assert len(x_out) <= 2 * 64 + 500 + dec.width + 2
        n += int(rng.integers(1, 3000))
    assert dec.width > 1, "buckets merged as the series grew"
    assert 1e6 in y_out, "a spike survives decimation"


def test_decimator_starts_over_after_a_restart():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=5000), rng.normal(size=5000)
    dec = SeriesDecimator(exact=100, max_buckets=32)
    dec.update(a)
    x_out, y_out = dec.update(b[:3000])  # another series, shorter: start over
    _check_against_brute_force(dec, b[:3000], x_out, y_out)
    b2 = b.copy()
    b2[1500] = 99.0  # same length, changed inside (a restart with the same first value)
    b2[0] = a[0]
    fresh = SeriesDecimator(exact=100, max_buckets=32)
    dec.update(a)
    x1, y1 = dec.update(np.concatenate([a, b2]))
    x2, y2 = fresh.update(np.concatenate([a, b2]))
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)


def test_short_series_are_drawn_exactly():
    y = np.linspace(0, 1, 1500)
    x_out, y_out = SeriesDecimator().update(y)
    np.testing.assert_array_equal(x_out, np.arange(1500))
    np.testing.assert_array_equal(y_out, y)


# --------------------------------------------------------------------------- the views


@pytest.fixture
def long_window(qapp, tmp_path):
    """Eight runs played to 100,000 steps in large jumps (what a long session reaches)."""
    from optviz.app.window.main_window import MainWindow

    rates = {"gd": 2e-5, "sgd": 2e-5, "momentum": 1e-5, "adam": 1e-4}
    w = MainWindow(preset="rosenbrock", optimizers=list(rates), max_steps=100_000, restore=False,
                   enable_3d=False, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    for run in w.model.runs:
        run.learning_rate = rates[run.optimizer]
    w.resize(1280, 720)
    w.show()
    qapp.processEvents()
    yield w
    w.close()


def test_views_after_a_long_race_draw_bounded_curves_with_exact_ends(long_window, qapp):
    w = long_window
    c = w.controller
    for _ in range(25):
        c.sim.step(4000)
        c.advanced.emit()
        qapp.processEvents()
    sim = c.sim
    assert int(sim.steps.max()) == 100_000
    for plot in (w.loss_plot, w.grad_plot):
        plot.update_runs(sim)
        for k, curve in enumerate(plot._curves):
            x, y = curve.xData, curve.yData
            n = sim.length(k)
            series = getattr(sim.history, plot.field)[:n, k, 0]
            assert len(x) < 8000, f"{plot.field} curve of run {k} draws {len(x)} points"
            # The newest 2,000 steps exactly (log or not, the plot may shift by J*).
            shift = plot.reference if plot._log_active and plot.reference else 0.0
            np.testing.assert_array_equal(x[-2000:], np.arange(n - 2000, n))
            np.testing.assert_array_equal(y[-2000:], series[-2000:] - shift)
            # The extremes of the whole history are drawn.
            assert np.nanmax(y) == np.nanmax(series) - shift
            assert np.nanmin(y) == np.nanmin(series) - shift


def test_contour_paths_checked_incrementally_equal_a_fresh_check(long_window, qapp):
    """The path drawn after many frames equals what a view drawing it once shows."""
    from optviz.app.views.contour_view import ContourView

    w = long_window
    c = w.controller
    for _ in range(20):
        c.sim.step(700)
        c.advanced.emit()
        qapp.processEvents()
    fresh = ContourView()
    fresh.set_surface(c.surface, c.grid)
    fresh.set_runs(c.styles())
    fresh.update_runs(c.sim)
    for k in range(c.sim.K):
        np.testing.assert_array_equal(np.column_stack(w.contour.path_data(k)), np.column_stack(fresh.path_data(k)))


def test_contour_path_cut_at_the_box_stays_cut_while_growing(qapp):
    """A path that leaves the drawing box and comes back is drawn up to where it left, frame
    after frame, as a from-scratch check finds."""
    from types import SimpleNamespace

    from optviz.app.views.contour_view import ContourView
    from optviz.core import get_surface
    from optviz.render.inputs import RunStyle

    surface = get_surface("rosenbrock")
    view = ContourView()
    xs, ys, z = surface.grid(40, 40)
    from optviz.core.scale import value_scale
    from optviz.render.inputs import SurfaceGrid

    view.set_surface(surface, SurfaceGrid(xs, ys, z, value_scale(surface, z)))
    view.set_runs([RunStyle("a", "#1f77b4", True, (), "o")])
    box = view._draw_box
    far = box.xmax + 10 * (box.xmax - box.xmin)
    t = np.linspace(0, 1, 900)
    pts = np.column_stack([box.xmin + (box.xmax - box.xmin) * 0.5 * (1 + np.sin(9 * t)), 0.5 + 0 * t])
    pts[400] = (far, 0.5)  # one point far outside: the path is cut there
    positions = np.full((len(pts), 1, 1, 2), np.nan)
    positions[:, 0, 0] = pts
    for n in (100, 399, 400, 401, 402, 650, 900):
        sim = SimpleNamespace(K=1, history=SimpleNamespace(positions=positions), length=lambda k, n=n: n,
                              status=np.zeros((1, 1), dtype=np.int8))
        view.update_runs(sim)
        once = ContourView()
        once.set_surface(surface, SurfaceGrid(xs, ys, z, value_scale(surface, z)))
        np.testing.assert_array_equal(view._runs[0].drawn, once._drawable(pts[:n]))


def test_3d_paths_of_a_long_race_are_bounded_and_keep_their_reach(gl_display):
    """The 3D view after 60,000 noisy steps fed frame by frame: a bounded number of segments,
    every segment end a display point of the path (or a cut on the box edge), the drawn
    extent equal to the path's (up to a sub-pixel cell), the newest steps exact and the line
    ending at the head."""
    out = run_gl(
        """
        from types import SimpleNamespace
        surface = get_surface("rosenbrock")
        view = SurfaceView()
        view.resize(640, 480)
        view.set_surface(surface, grid_of(surface))
        from optviz.render.inputs import RunStyle
        view.set_runs([RunStyle("a", "#1f77b4", True, (), "o")])
        rng = np.random.default_rng(5)
        T = 60_000
        P = np.full((T, 1, 1, 2), np.nan)
        walk = np.cumsum(rng.normal(scale=0.004, size=(T, 2)), axis=0) + (-1.0, 1.0)
        walk[:40] = np.column_stack([np.linspace(-1.5, 1.5, 40), np.resize([0.0, 2.0], 40)])  # big zig-zag first
        P[:, 0, 0] = np.clip(walk, -1.9, 2.9)
        L = surface.f(P[:, 0, 0])[:, None, None]
        history = SimpleNamespace(positions=P, loss=L)
        for n in list(range(1, 3000, 97)) + list(range(3000, T, 2500)) + [T]:
            sim = SimpleNamespace(K=1, history=history, length=lambda k, n=n: n, cloud=None)
            view.update_runs(sim)
        segs = view._runs[0].line.pos
        check(len(segs) <= 2 * (5 * 512 + 300 + 1024), f"{len(segs)} segment ends for a 60,000-point path")
        disp = view.path_to_display(P[:T, 0, 0], L[:T, 0, 0])
        # Every end is a point of the path (rounding aside) unless it is a cut on the edge.
        inside = (np.abs(segs[:, :2]) < 1.0 - 1e-9).all(axis=1)
        order = np.argsort(disp[:, 0])
        xs = disp[order, 0]
        for end in segs[inside]:
            # The GL item holds float32.
            lo, hi = np.searchsorted(xs, end[0] - 1e-6), np.searchsorted(xs, end[0] + 1e-6)
            near = disp[order[lo:hi]]
            check(len(near) and np.abs(near - end).max(axis=1).min() < 1e-6, f"segment end {end} is no path point")
        # The reach: extremes in x and y inside the box are drawn.
        box_pts = disp[(np.abs(disp[:, :2]) <= 1.0).all(axis=1)]
        for axis in (0, 1):
            # Up to a cell: a step that stays in its cell may be dropped (cell in display units).
            box = surface.view
            cell = view._runs[0].trace.thinner.cell * 2 / np.array([box.width, box.height])
            reach = float(np.hypot(*cell)) + 1e-6
            check(abs(segs[inside, axis].min() - box_pts[:, axis].min()) < reach, "lowest point lost")
            check(abs(segs[inside, axis].max() - box_pts[:, axis].max()) < reach, "highest point lost")
        # The start exactly, and the newest 300 steps up to a sub-pixel cell (1/2048 of the box).
        check(np.min(np.abs(segs - disp[0]).max(axis=1)) < 1e-6, "the start is lost")
        for i in range(T - 300, T):
            if (np.abs(disp[i, :2]) < 1.0).all():
                check(np.min(np.abs(segs[:, :2] - disp[i, :2]).max(axis=1)) < 2 / 2048 + 1e-6, f"point {i} lost")
        if (np.abs(disp[-1, :2]) < 1.0).all():
            check(np.allclose(segs[-1], disp[-1], atol=1e-6), "the line does not end at the head")
        print("ok")
        """,
        gl_display,
    )
    assert out.strip().endswith("ok")
