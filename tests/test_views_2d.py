"""The 2D views (offscreen): the contour map, the history plots and the data plot.

They only render, so the checks compare what the items hold with what the core computed,
and a 1200×800 render of a four-run race must show every run's colour over the colour map
(saved to /tmp/contour_check.png for a look).
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QImage, QMouseEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from optviz.app.views.contour_view import ContourView  # noqa: E402
from optviz.render.inputs import RunStyle, SurfaceGrid  # noqa: E402
from optviz.app.views.data_plot import DataPlot  # noqa: E402
from optviz.app.views.history_plots import HistoryPlot  # noqa: E402
from optviz.app.views.run_legend import RunLegend  # noqa: E402
from optviz.core import RunSpec, Simulation, get_surface  # noqa: E402
from optviz.core.datasets import LinearRegression, LogisticRegression  # noqa: E402
from optviz.core.geometry import CriticalPoint, ViewBox  # noqa: E402
from optviz.core.scale import value_scale  # noqa: E402
from optviz.core.simulation import Status  # noqa: E402
from optviz.core.surface import Category, Surface  # noqa: E402

COLORS = ("#E69F00", "#0072B2", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
RENDER_PATH = "/tmp/contour_check.png"


# ---------------------------------------------------------------------------------- helpers


def grid_for(surface, n=120):
    xs, ys, z = surface.grid(n, n)
    return SurfaceGrid(xs, ys, z, value_scale(surface, z))


def styles(titles, visible=None):
    visible = visible or [True] * len(titles)
    return [RunStyle(t, COLORS[k], v) for k, (t, v) in enumerate(zip(titles, visible))]


def image_to_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return arr[:, : image.width(), 2::-1].copy()  # BGRA → RGB, copied: the buffer dies with the image


def color_pixels(arr: np.ndarray, hex_color: str, tol: int = 40) -> int:
    rgb = np.array([int(hex_color[i: i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(arr.astype(int) - rgb).max(axis=-1) < tol).sum())


def distance_to_polyline(p, pts):
    a, b = pts[:-1], pts[1:]
    d = b - a
    t = np.clip(np.einsum("ij,ij->i", p - a, d) / np.maximum(np.einsum("ij,ij->i", d, d), 1e-300), 0, 1)
    return float(np.min(np.hypot(*(a + t[:, None] * d - p).T)))


class HalfDefined(Surface):
    """A bowl whose loss is undefined (NaN) for x < 0: the map must show a gap there."""

    def __init__(self):
        super().__init__(key="half", title="Half", category=Category.CONVEX, view=ViewBox(-1, 1, -1, 1),
                         start=(0.5, 0.5), caption="test", minima=(CriticalPoint(0.5, 0.0, 0.0),))

    def f(self, points):
        p = np.asarray(points, dtype=float)
        return np.where(p[..., 0] < 0, np.nan, (p[..., 0] - 0.5) ** 2 + p[..., 1] ** 2)

    def grad(self, points, out=None):
        p = np.asarray(points, dtype=float)
        g = np.stack([2 * (p[..., 0] - 0.5), 2 * p[..., 1]], axis=-1)
        if out is not None:
            out[...] = g
            return out
        return g


@pytest.fixture
def contour(qtbot):
    view = ContourView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    return view


def shown(qtbot, widget):
    widget.show()
    qtbot.waitExposed(widget)
    QApplication.processEvents()
    return widget


def race(key="rosenbrock", specs=None, steps=300):
    surface = get_surface(key)
    specs = specs or [RunSpec("gd", {"learning_rate": 1e-3}), RunSpec("adam", {"learning_rate": 0.05})]
    sim = Simulation(surface, specs, surface.start, max_steps=steps)
    sim.run()
    return surface, sim


# ---------------------------------------------------------------------------------- contour: surface


@pytest.mark.parametrize("make", [
    lambda: get_surface("rosenbrock"),
    lambda: get_surface("himmelblau"),
    lambda: get_surface("saddle"),
    lambda: get_surface("beale"),
    lambda: LogisticRegression(),
    lambda: LinearRegression("mae"),
], ids=["rosenbrock", "himmelblau", "saddle", "beale", "logreg", "linreg_mae"])
def test_set_surface_places_map_and_markers(contour, make):
    surface = make()
    grid = grid_for(surface)
    contour.set_surface(surface, grid)

    # The image covers the grid cells centred on the samples, i.e. the view box plus half a cell.
    rect = contour.image.mapRectToParent(contour.image.boundingRect())
    dx = (grid.xs[-1] - grid.xs[0]) / (len(grid.xs) - 1)
    dy = (grid.ys[-1] - grid.ys[0]) / (len(grid.ys) - 1)
    assert rect.left() == pytest.approx(grid.xs[0] - dx / 2)
    assert rect.right() == pytest.approx(grid.xs[-1] + dx / 2)
    assert rect.top() == pytest.approx(grid.ys[0] - dy / 2)
    assert rect.bottom() == pytest.approx(grid.ys[-1] + dy / 2)
    np.testing.assert_allclose(contour.image.image, grid.scale(grid.z))

    # Equal units lock the aspect: the range shows the whole box and fits it along one axis
    # (the ContourPanel sizes the view so that it fits along both, see test_layout.py).
    (x0, x1), (y0, y1) = contour.view_box.viewRange()
    v = surface.view
    tol = 1e-6 * max(v.width, v.height)
    assert x0 <= v.xmin + tol and x1 >= v.xmax - tol and y0 <= v.ymin + tol and y1 >= v.ymax - tol
    assert (x1 - x0) == pytest.approx(v.width, rel=1e-6) or (y1 - y0) == pytest.approx(v.height, rel=1e-6)

    x, y = contour.isolines.getData()
    assert np.isfinite(x).sum() > 100  # iso-lines were traced
    fx, fy = x[np.isfinite(x)], y[np.isfinite(y)]
    assert fx.min() >= grid.xs[0] - 1e-9 and fx.max() <= grid.xs[-1] + 1e-9
    assert fy.min() >= grid.ys[0] - 1e-9 and fy.max() <= grid.ys[-1] + 1e-9

    assert len(contour.minima.data) == len(surface.minima)
    assert len(contour.saddles.data) == len(surface.saddles)
    np.testing.assert_allclose(np.column_stack([contour.minima.data["x"], contour.minima.data["y"]]),
                               np.array([(m.x, m.y) for m in surface.minima]).reshape(-1, 2))
    expected_labels = len(surface.minima) if len(surface.minima) <= 6 else 0
    assert len(contour._minimum_labels) == expected_labels
    item = contour.getPlotItem()
    assert item.getAxis("bottom").labelText == surface.axis_labels[0]
    assert item.getAxis("left").labelText == surface.axis_labels[1]


def test_log_surfaces_get_log_spaced_isolines(contour):
    surface = get_surface("rosenbrock")
    grid = grid_for(surface)
    assert grid.scale.log
    contour.set_surface(surface, grid)
    # Every traced vertex lies on one of the iso-values in u (linear interpolation of u).
    levels_u = grid.scale(grid.scale.levels(14))
    np.testing.assert_allclose(np.diff(levels_u), np.diff(levels_u)[0])  # evenly spaced in u


def test_undefined_loss_is_transparent(qtbot, contour):
    surface = HalfDefined()
    contour.set_surface(surface, grid_for(surface, 60))
    contour.set_runs([])
    shown(qtbot, contour)
    arr = image_to_array(contour.grab().toImage())
    vb = contour.view_box
    left = contour.mapFromScene(vb.mapViewToScene(QPointF(-0.6, -0.7)))
    right = contour.mapFromScene(vb.mapViewToScene(QPointF(0.8, -0.8)))
    assert tuple(arr[left.y(), left.x()]) == (255, 255, 255)  # the white background shows through
    assert tuple(arr[right.y(), right.x()]) != (255, 255, 255)


# ---------------------------------------------------------------------------------- contour: runs


def test_paths_follow_the_history(contour):
    surface, sim = race()
    contour.set_surface(surface, grid_for(surface))
    contour.set_runs(styles(["GD", "Adam"]))
    items = [r.items() for r in contour._runs]
    sim.restart()
    sim.step(1)
    contour.update_runs(sim)
    sim.step(200)
    contour.update_runs(sim)
    for k, run in enumerate(contour._runs):
        x, y = contour.path_data(k)
        expected = sim.history.positions[: sim.length(k), k, 0]
        np.testing.assert_array_equal(np.column_stack([x, y]), expected)
        assert run.head.isVisible() and not run.diverged.isVisible()
        assert (run.head.pos().x(), run.head.pos().y()) == pytest.approx(tuple(expected[-1]))
    # Per frame the same items are reused, never re-created.
    assert items == [r.items() for r in contour._runs]


def test_invisible_runs_are_hidden_and_not_in_legend(contour):
    surface, sim = race()
    contour.set_surface(surface, grid_for(surface))
    contour.set_runs(styles(["GD", "Adam"], visible=[False, True]))
    contour.update_runs(sim)
    assert not any(item.isVisible() for item in contour._runs[0].items())
    assert len(contour.path_data(0)[0]) == 0 and len(contour.path_data(1)[0]) == sim.length(1)
    legend = RunLegend()
    legend.set_runs(styles(["GD", "Adam"], visible=[False, True]))
    assert legend.titles() == ["Adam"]


def test_diverging_run_stops_at_last_finite_point_with_marker(contour):
    surface, sim = race(specs=[RunSpec("gd", {"learning_rate": 1e3}), RunSpec("adam", {"learning_rate": 0.05})])
    assert sim.status[0, 0] == Status.DIVERGED
    contour.set_surface(surface, grid_for(surface))
    contour.set_runs(styles(["GD", "Adam"]))
    contour.update_runs(sim)
    path = sim.history.positions[: sim.length(0), 0, 0]
    finite = path[np.isfinite(path).all(axis=1)]
    run = contour._runs[0]
    drawn = np.column_stack(contour.path_data(0))
    assert len(drawn) >= 1 and np.isfinite(drawn).all()
    # The drawn points are the finite history, except that the last may be cut where it
    # leaves the drawing box (astronomic coordinates are never handed to Qt).
    np.testing.assert_array_equal(drawn[:-1], finite[: len(drawn) - 1])
    box = surface.view.expanded(1.5)
    assert box.contains(drawn).all()
    assert run.diverged.isVisible()
    mx, my = run.diverged.pos().x(), run.diverged.pos().y()
    assert np.isfinite([mx, my]).all()
    assert surface.view.contains(np.array([mx, my]))  # on the map, where the lecturer sees it
    assert distance_to_polyline(np.array([mx, my]), finite) < 1e-9 * surface.view.diagonal  # on the path
    assert not contour._runs[1].diverged.isVisible()


def test_restart_redraws_from_the_start(contour):
    surface, sim = race()
    contour.set_surface(surface, grid_for(surface))
    contour.set_runs(styles(["GD", "Adam"]))
    contour.update_runs(sim)
    sim.restart(1)
    contour.update_runs(sim)
    x, y = contour.path_data(1)
    assert len(x) == 1 and (x[0], y[0]) == pytest.approx(surface.start)


def test_update_runs_is_cheap(qtbot, contour):
    surface = get_surface("rosenbrock")
    specs = [RunSpec("gd", {"learning_rate": 10.0 ** -e}) for e in np.linspace(3.0, 4.0, 8)]
    sim = Simulation(surface, specs, surface.start, max_steps=5000)
    sim.run()
    contour.set_surface(surface, grid_for(surface))
    contour.set_runs(styles([f"run {k}" for k in range(8)]))
    shown(qtbot, contour)
    sim.steps[:] = 4000
    contour.update_runs(sim)
    contour.grab()  # the first paint lays out the path canvas
    # (How long a frame takes: benchmarks/bench_views.py.)
    for frame in range(30):
        sim.steps[:] = 4001 + frame  # the race moves on by one step every frame
        contour.update_runs(sim)
    assert contour.paths._key is not None  # only new segments were stroked, no full repaint
    assert all(run.painted == 4031 for run in contour._runs)


def test_canvas_paints_new_segments_and_repaints_after_restart(qtbot, contour):
    surface, sim = race(steps=400)
    contour.set_surface(surface, grid_for(surface))
    contour.set_runs(styles(["GD", "Adam"]))
    shown(qtbot, contour)
    sim.restart()
    sim.step(10)
    contour.update_runs(sim)
    before = image_to_array(contour.grab().toImage())
    key = contour.paths._key
    assert key is not None and [run.painted for run in contour._runs] == [11, 11]
    sim.step(100)
    contour.update_runs(sim)
    assert contour.paths._key == key  # extended in place
    assert [run.painted for run in contour._runs] == [111, 111]
    after = image_to_array(contour.grab().toImage())
    assert color_pixels(after, COLORS[1]) > color_pixels(before, COLORS[1])
    sim.restart(1)
    contour.update_runs(sim)
    assert contour.paths._key is None  # Adam's old path must be erased: repaint everything
    restarted = image_to_array(contour.grab().toImage())
    assert contour._runs[1].painted == 1
    assert color_pixels(restarted, COLORS[1]) < color_pixels(after, COLORS[1]) // 2
    contour.view_box.scaleBy((0.5, 0.5))  # zoom: the canvas follows
    zoomed = image_to_array(contour.grab().toImage())
    assert contour.paths._key not in (None, key)
    assert color_pixels(zoomed, COLORS[0]) > 30


def test_run_bouncing_all_over_the_map_is_drawn_thin(qtbot, contour):
    surface = get_surface("rastrigin")
    sim = Simulation(surface, [RunSpec("gd", {"learning_rate": 0.05}), RunSpec("gd", {"learning_rate": 1e-3})],
                     surface.start, max_steps=1500)
    sim.run()
    contour.set_surface(surface, grid_for(surface))
    contour.set_runs(styles(["GD fast", "GD slow"]))
    contour.update_runs(sim)
    shown(qtbot, contour)
    contour.grab()  # (its cost: benchmarks/bench_views.py)
    assert [run.heavy for run in contour._runs] == [True, False]


# ---------------------------------------------------------------------------------- contour: start point


def scene_point(view, x, y):
    return view.mapFromScene(view.view_box.mapViewToScene(QPointF(x, y)))


def pixel_size(view):
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    rect = view.view_box.sceneBoundingRect()
    return (x1 - x0) / rect.width(), (y1 - y0) / rect.height()


def test_click_on_map_emits_start_moved(qtbot, contour):
    surface = get_surface("rosenbrock")
    contour.set_surface(surface, grid_for(surface))
    contour.set_runs(styles(["GD"]))
    shown(qtbot, contour)
    target = (0.5, -0.25)
    pos = scene_point(contour, *target)
    with qtbot.waitSignal(contour.startMoved, timeout=2000) as blocker:
        QTest.mouseClick(contour.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    px, py = pixel_size(contour)
    assert blocker.args[0] == pytest.approx(target[0], abs=2 * px)
    assert blocker.args[1] == pytest.approx(target[1], abs=2 * py)
    assert contour.start() == pytest.approx(tuple(blocker.args))


def test_right_click_and_axis_click_do_not_move_start(qtbot, contour):
    surface = get_surface("rosenbrock")
    contour.set_surface(surface, grid_for(surface))
    shown(qtbot, contour)
    with qtbot.assertNotEmitted(contour.startMoved):
        axis = contour.getPlotItem().getAxis("bottom")
        pos = contour.mapFromScene(axis.sceneBoundingRect().center())
        QTest.mouseClick(contour.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
        QApplication.processEvents()


def test_set_start_does_not_emit(qtbot, contour):
    surface = get_surface("rosenbrock")
    contour.set_surface(surface, grid_for(surface))
    with qtbot.assertNotEmitted(contour.startMoved):
        contour.set_start(0.25, 1.5)
        QApplication.processEvents()
    assert contour.start() == (0.25, 1.5)


def _send_mouse(widget, kind, pos, buttons):
    ev = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), Qt.MouseButton.LeftButton
                     if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton, buttons,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


def test_dragging_the_handle_emits_start_moved(qtbot, contour):
    surface = get_surface("rosenbrock")
    contour.set_surface(surface, grid_for(surface))
    contour.set_start(-1.0, 1.0)
    shown(qtbot, contour)
    vp = contour.viewport()
    a, b = scene_point(contour, -1.0, 1.0), scene_point(contour, 0.5, 2.0)
    received = []
    contour.startMoved.connect(lambda x, y: received.append((x, y)))
    before = contour.view_box.viewRange()[0]
    left = Qt.MouseButton.LeftButton
    # pyqtgraph drops mouse moves closer than ~16 ms apart, so the drag takes its time.
    _send_mouse(vp, QEvent.Type.MouseMove, a, Qt.MouseButton.NoButton)
    qtbot.wait(30)
    _send_mouse(vp, QEvent.Type.MouseButtonPress, a, left)
    for t in np.linspace(0.1, 1.0, 6):
        qtbot.wait(30)
        p = QPoint(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y())))
        _send_mouse(vp, QEvent.Type.MouseMove, p, left)
    qtbot.wait(30)
    _send_mouse(vp, QEvent.Type.MouseButtonRelease, b, Qt.MouseButton.NoButton)
    QApplication.processEvents()
    assert len(received) >= 2, "the start should follow the drag"
    px, py = pixel_size(contour)
    assert received[-1] == pytest.approx((0.5, 2.0), abs=3 * max(px, py))
    (x0, x1), _ = contour.view_box.viewRange()
    assert (x0, x1) == pytest.approx(tuple(before))  # the map did not pan


# ---------------------------------------------------------------------------------- history plots


def test_history_plot_curves_equal_history():
    _, sim = race()
    for field in ("loss", "grad_norm"):
        plot = HistoryPlot(field)
        plot.set_runs(styles(["GD", "Adam"]))
        plot.update_runs(sim)
        for k, curve in enumerate(plot._curves):
            x, y = curve.xData, curve.yData  # the data handed over (the display is downsampled)
            n = sim.length(k)
            np.testing.assert_array_equal(x, np.arange(n))
            np.testing.assert_array_equal(y, getattr(sim.history, field)[:n, k, 0])
        assert plot.getPlotItem().getAxis("bottom").labelText == "step"
        plot.deleteLater()
    assert HistoryPlot("loss").getPlotItem().getAxis("left").labelText == "loss J(W)"
    assert HistoryPlot("grad_norm").getPlotItem().getAxis("left").labelText == "|∇J(W)|"
    with pytest.raises(ValueError):
        HistoryPlot("speed")


def test_history_log_mode_masks_bad_values(qtbot):
    _, sim = race(steps=200)
    loss = sim.history.loss
    n = sim.length(0)
    loss[5, 0, 0] = 0.0
    loss[6, 0, 0] = -1.0
    loss[7, 0, 0] = np.nan
    loss[8, 0, 0] = np.inf
    loss[: sim.length(1), 1, 0] = 0.0  # a run with nothing to show on a log axis
    plot = HistoryPlot("loss")
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    plot.set_reference(0.0)  # J* = 0: the log axis shows J itself
    plot.set_runs(styles(["GD", "Adam"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot.set_log(True)
        plot.update_runs(sim)
        shown(qtbot, plot)
        plot.grab()
        plot.set_log(False)
        plot.grab()
        plot.set_log(True)
        plot.grab()
    x, y = plot._curves[0].getData()  # log10 of the data as displayed (200 steps: not downsampled)
    assert len(x) == n
    assert np.isnan(y[5:9]).all()
    assert np.isfinite(y[:5]).all()


def test_history_plot_hides_invisible_runs():
    _, sim = race()
    plot = HistoryPlot("loss")
    plot.set_runs(styles(["GD", "Adam"], visible=[True, False]))
    plot.update_runs(sim)
    assert plot._curves[0].isVisible() and not plot._curves[1].isVisible()


# ---------------------------------------------------------------------------------- data plot


def test_data_plot_regression_line(qtbot):
    surface = LinearRegression("mse")
    plot = DataPlot()
    qtbot.addWidget(plot)
    plot.set_surface(surface)
    sx, sy = plot.samples.getData()
    np.testing.assert_array_equal(sx, surface.data.x)
    np.testing.assert_array_equal(sy, surface.data.y)
    plot.update_model(2.0, -1.0, "#0072B2")
    x, y = plot.model_curve.getData()
    assert plot.model_curve.isVisible()
    assert (x.min(), x.max()) == pytest.approx((surface.data.x.min(), surface.data.x.max()))
    slope = (y[-1] - y[0]) / (x[-1] - x[0])
    assert slope == pytest.approx(2.0)
    assert y[0] == pytest.approx(2.0 * x[0] - 1.0)
    assert not plot.boundary.isVisible()
    assert plot.getPlotItem().getAxis("left").labelText == "y"
    plot.update_model(np.nan, 0.0, "#0072B2")
    assert not plot.model_curve.isVisible()
    plot.update_model(1e308, 1e308, "#0072B2")  # overflows to inf: hidden, no crash
    assert not plot.model_curve.isVisible()
    plot.set_title("data and the model of GD")
    assert "GD" in plot.getPlotItem().titleLabel.text


def test_data_plot_logistic_curve_and_boundary(qtbot):
    surface = LogisticRegression()
    plot = DataPlot()
    qtbot.addWidget(plot)
    plot.set_surface(surface)
    _, sy = plot.samples.getData()
    assert set(np.unique(sy)) == {0.0, 1.0}
    assert plot.getPlotItem().getAxis("left").labelText == "P(y = 1)"
    plot.update_model(2.0, -1.0, "#D55E00")
    x, y = plot.model_curve.getData()
    np.testing.assert_allclose(y, surface.probability(np.array([2.0, -1.0]), x))
    assert plot.boundary.isVisible() and plot.boundary.value() == pytest.approx(0.5)
    plot.update_model(0.0, 1.0, "#D55E00")
    assert not plot.boundary.isVisible() and plot.model_curve.isVisible()
    plot.update_model(np.inf, 1.0, "#D55E00")
    assert not plot.boundary.isVisible() and not plot.model_curve.isVisible()


def test_data_plot_clears_for_analytic_surfaces(qtbot):
    plot = DataPlot()
    qtbot.addWidget(plot)
    plot.set_surface(LinearRegression("mse"))
    plot.update_model(1.0, 0.0, "#000000")
    plot.set_surface(get_surface("rosenbrock"))
    x, _ = plot.samples.getData()
    assert len(x) == 0 and not plot.model_curve.isVisible()
    plot.update_model(1.0, 0.0, "#000000")  # no data: nothing to draw, no crash
    assert not plot.model_curve.isVisible()


# ---------------------------------------------------------------------------------- the picture


def test_render_shows_four_runs_over_the_map(qtbot):
    surface = get_surface("rosenbrock")
    specs = [RunSpec("gd", {"learning_rate": 1e-3}), RunSpec("momentum", {"learning_rate": 1e-3}),
             RunSpec("rmsprop", {"learning_rate": 1e-2}), RunSpec("adam", {"learning_rate": 0.05})]
    sim = Simulation(surface, specs, surface.start, max_steps=1500)
    sim.run()
    view = ContourView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.set_surface(surface, grid_for(surface, 200))
    view.set_runs(styles(["GD", "Momentum", "RMSProp", "Adam"]))
    view.set_start(*surface.start)
    shown(qtbot, view)
    blank = image_to_array(view.grab().toImage())
    view.update_runs(sim)
    image = view.grab().toImage()
    image.save(RENDER_PATH)
    arr = image_to_array(image)
    assert arr.shape[:2] == (800, 1200)
    for color in COLORS[:4]:
        assert color_pixels(arr, color, tol=30) > 30, color
        assert color_pixels(arr, color, tol=30) > color_pixels(blank, color, tol=30) + 30, color
    assert len(np.unique(arr.reshape(-1, 3), axis=0)) > 200  # a colour map, not a blank frame
    assert np.abs(arr.astype(int) - blank.astype(int)).sum() > 0


def test_log_loss_shows_the_gap_to_the_optimum_and_needs_a_lower_bound(qtbot):
    _, sim = race(steps=50)
    plot = HistoryPlot("loss")
    qtbot.addWidget(plot)
    plot.set_runs(styles(["GD", "Adam"]))
    plot.set_reference(-1.5)  # e.g. two wells: J* < 0
    plot.set_log(True)
    plot.update_runs(sim)
    _, y = plot._curves[0].getData()
    np.testing.assert_allclose(y, np.log10(sim.history.loss[: sim.length(0), 0, 0] + 1.5))
    assert "J*" in plot.getAxis("left").labelText
    plot.set_reference(None)  # a saddle: unbounded below, so the axis stays linear
    plot.update_runs(sim)
    _, y = plot._curves[0].getData()
    np.testing.assert_allclose(y, sim.history.loss[: sim.length(0), 0, 0])
    assert "linear" in plot.getAxis("left").labelText


@pytest.mark.parametrize("width", [250, 260, 300, 489])
def test_history_plot_range_settles_after_one_paint(qtbot, width):
    """A narrow plot of a long race: the x range is the steps, set by the plot (pyqtgraph's x
    auto range with clipping and downsampling flipped between two ranges without end in the
    benchmark's window), and an idle event loop changes nothing."""
    s = get_surface("rosenbrock")
    rates = {"gd": 2e-4, "sgd": 2e-4, "momentum": 5e-5, "adam": 1e-3}
    sim = Simulation(s, [RunSpec(k, {"learning_rate": lr}) for k, lr in rates.items()], s.start, max_steps=6000)
    sim.step(5520)
    plot = HistoryPlot("loss")
    qtbot.addWidget(plot)
    plot.resize(width, 354)
    plot.show()
    plot.set_runs([RunStyle(k, "#0072B2", True) for k in rates])
    plot.set_log(True)
    plot.set_reference(0.0)
    plot.update_runs(sim)
    QApplication.processEvents()
    changes = []
    plot.view_box.sigRangeChanged.connect(lambda *a: changes.append(a))
    for _ in range(5):
        QApplication.processEvents()
    assert changes == []
    x0, x1 = plot.view_box.viewRange()[0]
    assert x0 < 0 < 5520 < x1 < 5520 * 1.1


@pytest.mark.parametrize("size", [(380, 380), (900, 700)])
def test_minimum_labels_stay_on_the_map_however_small_it_is_drawn(qtbot, size):
    """A minimum near the view box's edge (the ravine's at 3.5 of [−5, 5], Himmelblau's four)
    keeps its label on the map: beside the star on the side where it fits, on a small map in
    presentation mode's projector look (a 1280 × 720 projector draws it about 220 px wide) as
    on a large one."""
    from optviz.core.surfaces import SURFACES

    view = ContourView()
    qtbot.addWidget(view)
    view.set_look("projector", 1.75)
    view.resize(*size)
    shown(qtbot, view)
    checked = 0
    for key in SURFACES:
        surface = get_surface(key)
        view.set_surface(surface, grid_for(surface, 60))
        QApplication.processEvents()
        plot = view.view_box.sceneBoundingRect()
        for label in view._minimum_labels:
            rect = label.mapRectToScene(label.boundingRect())
            assert plot.adjusted(-1, -1, 1, 1).contains(rect), (key, label.textItem.toPlainText(), rect, plot)
            checked += 1
    assert checked >= 10
