"""The visual aids at the selected run's head (optviz.app.views.overlays): arrow geometry against
hand-computed −∇J and the recorded momentum buffer, the step-size cross, the vector field
against the analytic gradient, the items on the contour view, and their per-frame cost."""


import numpy as np
import pytest
from PySide6.QtCore import QSettings

from optviz.app.views import overlays as ov
from optviz.core import visual_aids as va
from optviz.core.visual_aids import (
    ARROW_BASE,
    ARROW_MAX,
    ARROW_MIN,
    FIELD_CELLS,
    arrow_length,
    arrow_tip,
    field_segments,
    field_vectors,
    gradient_reference,
    head_glyphs,
    step_half_axis,
)
from optviz.core import RunSpec, Simulation, get_surface


def _parallel(a, b, tol=1e-9):
    """a and b point the same way (cross product ~ 0, positive dot product)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    cross = a[0] * b[1] - a[1] * b[0]
    return abs(cross) <= tol * np.hypot(*a) * np.hypot(*b) and a @ b > 0


def _normalised_length(v, box):
    return float(np.hypot(v[0] / box.width, v[1] / box.height))


# ------------------------------------------------------------------------------ pure geometry


def test_arrow_length_is_square_root_compressed_and_clipped():
    assert arrow_length(4.0, 4.0) == pytest.approx(ARROW_BASE)
    assert arrow_length(16.0, 4.0) == pytest.approx(2 * ARROW_BASE)
    assert arrow_length(1e9, 1.0) == ARROW_MAX
    assert arrow_length(0.0, 1.0) == ARROW_MIN  # still visible at a stationary point
    assert arrow_length(np.inf, 1.0) == ARROW_MAX
    assert arrow_length(np.nan, 1.0) == ARROW_MIN


def test_arrow_tip_keeps_the_data_direction_and_sets_the_normalised_length():
    head = np.array([1.0, -2.0])
    box_size = (10.0, 0.5)  # a very unequal aspect: data and screen directions differ
    for vector in ([3.0, 0.2], [-0.01, 0.4], [2.0, -2.0]):
        tip = arrow_tip(head, vector, box_size, 0.2)
        d = tip - head
        assert _parallel(d, vector)
        assert np.hypot(d[0] / box_size[0], d[1] / box_size[1]) == pytest.approx(0.2)
    assert arrow_tip(head, [0.0, 0.0], box_size, 0.2) is None
    assert arrow_tip(head, [np.nan, 1.0], box_size, 0.2) is None


@pytest.fixture(scope="module")
def race():
    surface = get_surface("narrow_valley")
    specs = [RunSpec("gd"), RunSpec("momentum"), RunSpec("rmsprop"), RunSpec("adam"), RunSpec("adagrad"),
             RunSpec("nesterov")]
    sim = Simulation(surface, specs, surface.start, max_steps=100)
    sim.step(9)
    return surface, sim


def test_gradient_arrow_points_down_the_analytic_gradient_at_the_head(race):
    surface, sim = race
    G = gradient_reference(surface)
    for k in range(sim.K):
        glyphs = head_glyphs(sim, k, surface.view, G)
        head = sim.history.positions[sim.length(k) - 1, k, 0]
        np.testing.assert_array_equal(glyphs.head, head)
        grad = surface.grad(head[None, :])[0]  # computed here, independently of the simulation
        d = glyphs.gradient_tip - head
        assert _parallel(d, -grad, tol=1e-7)
        expected = np.clip(ARROW_BASE * np.sqrt(np.hypot(*grad) / G), ARROW_MIN, ARROW_MAX)
        assert _normalised_length(d, surface.view) == pytest.approx(expected, rel=1e-6)
        # The drawn pairs: shaft from the head to the tip, then the two head strokes.
        np.testing.assert_allclose(glyphs.gradient[0], head)
        np.testing.assert_allclose(glyphs.gradient[1], glyphs.gradient_tip)
        assert glyphs.gradient.shape == (6, 2)


def test_momentum_arrow_follows_the_recorded_buffer(race):
    surface, sim = race
    G = gradient_reference(surface)
    box = surface.view
    for k, spec in enumerate(sim.specs):
        glyphs = head_glyphs(sim, k, box, G)
        t = sim.length(k) - 1
        if spec.optimizer in ("gd", "rmsprop", "adagrad"):
            assert glyphs.momentum is None
            continue
        p = sim.history.state["p"][t, k, 0]
        if spec.optimizer == "adam":
            p = p / (1 - spec.hyperparameters()["rho1"] ** t)  # the bias-corrected p̂
            assert glyphs.momentum_label == "−αp̂"
        else:
            assert glyphs.momentum_label == "−αp"
        d = glyphs.momentum_tip - glyphs.head
        assert _parallel(d, -p)
        assert _normalised_length(d, box) == pytest.approx(arrow_length(np.hypot(*p), G), rel=1e-9)


def test_step_size_cross_has_the_documented_half_axes(race):
    surface, sim = race
    G = gradient_reference(surface)
    box = surface.view
    for k, spec in enumerate(sim.specs):
        glyphs = head_glyphs(sim, k, box, G)
        if spec.optimizer not in ("adagrad", "rmsprop", "adam"):
            assert glyphs.step_size is None
            continue
        t = sim.length(k) - 1
        hyper = spec.hyperparameters()
        r = sim.history.state["r"][t, k, 0]
        if spec.optimizer == "adam":
            r = r / (1 - hyper["rho2"] ** t)
        per_alpha = 1.0 / (hyper["eps"] + np.sqrt(r))
        expected = [np.clip(va.STEP_BASE * np.sqrt(G * s), va.STEP_MIN, va.STEP_MAX) for s in per_alpha]
        np.testing.assert_allclose(glyphs.half_axes, expected, rtol=1e-12)
        assert step_half_axis(per_alpha[0], G) == pytest.approx(expected[0])
        # The cross's ends sit at head ± half-axis (in data units) along x and along y.
        cross = glyphs.step_size[:4]
        hx, hy = glyphs.head
        np.testing.assert_allclose(cross[:, 0], [hx - expected[0] * box.width, hx + expected[0] * box.width, hx, hx])
        np.testing.assert_allclose(cross[2:, 1], [hy - expected[1] * box.height, hy + expected[1] * box.height])
    # In the narrow valley the steep axis (y) has seen the large gradients: its step size is
    # the smaller one, the classic picture of adaptive methods evening out the axes.
    adam = head_glyphs(sim, 3, box, G)
    assert adam.half_axes[1] < adam.half_axes[0]


def test_no_buffer_glyphs_before_the_first_step():
    surface = get_surface("bowl")
    sim = Simulation(surface, [RunSpec("adam")], surface.start, max_steps=5)
    glyphs = head_glyphs(sim, 0, surface.view, gradient_reference(surface))
    assert glyphs.gradient is not None and glyphs.momentum is None and glyphs.step_size is None


def test_vector_field_covers_the_grid_and_points_down_the_analytic_gradient():
    surface = get_surface("himmelblau")
    box = surface.view
    seg = field_segments(surface).reshape(-1, 6, 2)  # shaft + two head strokes per arrow
    assert len(seg) == FIELD_CELLS**2
    P, _ = field_vectors(surface)
    for i in (0, 57, 210, 399):
        a, b = seg[i, 0], seg[i, 1]
        centre = 0.5 * (a + b)
        np.testing.assert_allclose(centre, P[i], atol=1e-12)  # arrows are centred on their cell
        cell_x = box.xmin + (i % FIELD_CELLS + 0.5) * box.width / FIELD_CELLS
        cell_y = box.ymin + (i // FIELD_CELLS + 0.5) * box.height / FIELD_CELLS
        np.testing.assert_allclose(P[i], [cell_x, cell_y])
        x, y = cell_x, cell_y  # Himmelblau's gradient, by hand
        gx = 4 * x * (x * x + y - 11) + 2 * (x + y * y - 7)
        gy = 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)
        assert _parallel(b - a, [-gx, -gy], tol=1e-9)
        # Every arrow has the same on-screen length: FIELD_LENGTH of a cell.
        assert _normalised_length(b - a, box) == pytest.approx(va.FIELD_LENGTH / FIELD_CELLS)


# ------------------------------------------------------------------------------ on the window


@pytest.fixture
def window(qtbot, tmp_path):
    from optviz.app.window.main_window import MainWindow

    w = MainWindow(restore=False, enable_3d=False,
                   settings=QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.resize(1600, 950)
    w.show()
    qtbot.waitExposed(w)
    return w


def _index(model, optimizer: str) -> int:
    """The race's run of ``optimizer``, added if the launch race has none (its runs and their
    order are the model's to choose)."""
    found = [k for k, run in enumerate(model.runs) if run.optimizer == optimizer]
    if not found:
        model.add_run(optimizer)
        return len(model.runs) - 1
    return found[0]


def test_overlay_items_follow_the_model_flags_and_the_selected_run(window):
    m, overlays = window.model, window.classroom.overlays
    _index(m, "adam")
    sim = window.controller.sim
    sim.step(6)
    window.controller.advanced.emit()
    items = (overlays.gradient.line, overlays.momentum.line, overlays.step_size.line)
    assert not any(item.isVisible() for item in items)  # all off by default
    m.selected = momentum = _index(m, "momentum")
    m.view.overlay_gradient = True
    assert overlays.gradient.line.isVisible() and not overlays.momentum.line.isVisible()
    x, y = overlays.gradient.line.getData()
    head = sim.history.positions[6, momentum, 0]
    np.testing.assert_allclose([x[0], y[0]], head)
    assert _parallel([x[1] - x[0], y[1] - y[0]], -window.controller.surface.grad(head[None, :])[0], tol=1e-7)
    m.view.overlay_momentum = True
    m.view.overlay_step_size = True  # momentum has no r: no cross
    assert overlays.momentum.line.isVisible() and not overlays.step_size.line.isVisible()
    assert "αp" in overlays.momentum.label.textItem.toPlainText()
    m.selected = adam = _index(m, "adam")  # all three
    assert overlays.step_size.line.isVisible()
    x, y = overlays.gradient.line.getData()
    np.testing.assert_allclose([x[0], y[0]], sim.history.positions[6, adam, 0])
    m.view.overlay_gradient = m.view.overlay_momentum = m.view.overlay_step_size = False
    assert not any(item.isVisible() for item in items)


def test_hidden_run_shows_no_overlay(window):
    m, overlays = window.model, window.classroom.overlays
    m.view.overlay_gradient = True
    assert overlays.gradient.line.isVisible()
    m.runs[m.selected].visible = False
    assert not overlays.gradient.line.isVisible()


def test_vector_field_toggles_and_is_rebuilt_for_a_new_surface(window):
    m, overlays = window.model, window.classroom.overlays
    assert not overlays.field.isVisible()
    m.view.overlay_field = True
    assert overlays.field.isVisible()
    x, _ = overlays.field.getData()
    assert len(x) == 6 * FIELD_CELLS**2
    m.preset = "himmelblau"
    x, y = overlays.field.getData()
    np.testing.assert_allclose(np.column_stack([x, y]), field_segments(get_surface("himmelblau")))
    assert overlays.field.isVisible()


def test_overlays_follow_every_frame_without_redrawing_the_field(window, monkeypatch):
    """Per frame only the head's glyphs move; the field of −∇J depends on the surface alone.
    (How long a frame takes is measured by benchmarks/bench_views.py, not asserted here.)"""
    m, overlays = window.model, window.classroom.overlays
    m.selected = _index(m, "adam")
    m.view.overlay_gradient = m.view.overlay_momentum = m.view.overlay_step_size = m.view.overlay_field = True
    sim = window.controller.sim
    calls = []
    original = overlays.field.setData
    monkeypatch.setattr(overlays.field, "setData", lambda *a, **k: (calls.append(1), original(*a, **k)))
    heads = []
    for _ in range(20):
        sim.step(1)
        overlays.update(sim)
        heads.append(overlays.glyphs.head.copy())
    assert calls == []  # the field was not rebuilt
    assert len({tuple(h) for h in heads}) > 1  # the glyphs moved with the head


class _FakeSurfaceView:
    """What RunOverlays needs of the 3D view: the display map, the surface, set_overlay."""

    def __init__(self, surface, grid):
        from optviz.render.surface_view import DisplayMap

        self.surface = surface
        self.map = DisplayMap(surface.view, grid.scale)
        self.calls = []

    def path_to_display(self, points, loss):
        return self.map.to_display(points, loss)

    def set_overlay(self, segments, colors=None, width=3.0):
        self.calls.append((segments, colors, width))


def test_arrows_in_the_3d_view_sit_at_the_head_height(window):
    c = window.controller
    fake = _FakeSurfaceView(c.surface, c.grid)
    overlays = ov.RunOverlays(window.model, window.contour, fake)
    overlays.set_surface(c.surface)
    window.model.selected = momentum = _index(window.model, "momentum")
    window.model.view.overlay_gradient = window.model.view.overlay_momentum = True
    c.sim.step(4)
    overlays.update(c.sim)
    segments, colors, _ = fake.calls[-1]
    head = c.sim.history.positions[4, momentum, 0]
    z = fake.map.to_display(head[None, :], c.surface.f(head[None, :]))[0, 2]
    assert segments.shape == (12, 3) and colors.shape == (12, 4)  # two arrows of three strokes
    np.testing.assert_allclose(segments[:, 2], z)
    np.testing.assert_allclose(segments[0, :2], fake.map.xy(head[None, :])[0])
    np.testing.assert_allclose(colors[0], (0, 0, 0, 1))  # −∇J in black
    window.model.view.overlay_gradient = window.model.view.overlay_momentum = False
    overlays.update(c.sim)
    assert fake.calls[-1][0] is None


# ------------------------------------------------------------------------------ issue 10


def test_a_vanishing_momentum_or_gradient_draws_no_arrow_but_an_approx_zero_label():
    # A momentum run that has converged in a bowl: its buffer p and the gradient are ~0 (p ≈ 1e-6
    # and below), far under VANISHING · G; the minimum-length arrow would show a push that is not there.
    surface = get_surface("bowl")
    sim = Simulation(surface, [RunSpec("momentum"), RunSpec("adam")], surface.start, max_steps=3000)
    G = gradient_reference(surface)
    sim.step(5)
    early = head_glyphs(sim, 0, surface.view, G)
    assert early.momentum is not None and not early.momentum_vanished  # moving: an arrow
    sim.run()
    for k in range(sim.K):
        t = sim.length(k) - 1
        p = sim.history.state["p"][t, k, 0]
        head = sim.history.positions[t, k, 0]
        g = surface.grad(head[None, :])[0]  # independently of the simulation
        assert np.hypot(*p) < va.VANISHING * G and np.hypot(*g) < va.VANISHING * G
        glyphs = head_glyphs(sim, k, surface.view, G)
        assert glyphs.momentum is None and glyphs.momentum_tip is None and glyphs.momentum_vanished
        assert glyphs.gradient is None and glyphs.gradient_vanished
        assert glyphs.momentum_label  # the label still says which vector it is


def test_vanishing_is_relative_to_the_reference():
    assert va.vanishing(0.0, 1.0) and va.vanishing(0.9e-3, 1.0) and not va.vanishing(1.1e-3, 1.0)
    assert va.vanishing(0.9, 1000.0) and not va.vanishing(np.nan, 1.0) and not va.vanishing(np.inf, 1.0)


def _scene_rect_of_texts(window, prefix):
    import pyqtgraph as pg

    vb = window.contour.view_box
    return [item.sceneBoundingRect() for item in vb.childGroup.childItems()
            if isinstance(item, pg.TextItem) and item.isVisible() and item.textItem.toPlainText().startswith(prefix)]


def _settle(qtbot):
    from PySide6.QtWidgets import QApplication

    for _ in range(4):
        QApplication.processEvents()
        qtbot.wait(15)


def test_arrow_labels_do_not_cover_the_minimum_labels(window, qtbot):
    m, overlays = window.model, window.classroom.overlays
    m.preset = "himmelblau"
    m.selected = _index(m, "momentum")
    m.view.overlay_gradient = m.view.overlay_momentum = True
    # Starting down-left of minimum 1 (3, 2): −∇J points up-right at the minimum, and the label
    # at its tip, on the side away from the head, would sit on "min 1".
    m.start = (2.5, 1.6)
    _settle(qtbot)
    mins = _scene_rect_of_texts(window, "min")
    assert len(mins) == 4
    label = overlays.gradient.label
    assert label.isVisible() and overlays.gradient.line.isVisible()
    for rect in mins:
        assert not label.sceneBoundingRect().intersects(rect)
    # The label still marks the arrow: it touches the tip or the head.
    from PySide6.QtCore import QPointF

    x, y = overlays.gradient.line.getData()
    ends = [window.contour.view_box.mapViewToScene(QPointF(x[j], y[j])) for j in (0, 1)]
    box = label.sceneBoundingRect().adjusted(-30, -30, 30, 30)
    assert any(box.contains(p) for p in ends)
    # Converged on minimum 1: both labels read "≈ 0" and cover neither a minimum label nor each other.
    window.controller.sim.run()
    window.controller.advanced.emit()
    _settle(qtbot)
    assert "≈ 0" in overlays.momentum.label.textItem.toPlainText()
    assert not overlays.momentum.line.isVisible()
    labels = [overlays.gradient.label.sceneBoundingRect(), overlays.momentum.label.sceneBoundingRect()]
    assert not labels[0].intersects(labels[1])
    for rect in _scene_rect_of_texts(window, "min"):
        assert not any(r.intersects(rect) for r in labels)


def test_field_arrows_are_dark_on_a_light_casing_in_both_themes(window):
    from PySide6.QtGui import QColor

    m, overlays = window.model, window.classroom.overlays
    m.view.overlay_field = True
    for theme in ("normal", "projector"):
        m.view.theme = theme
        line, casing = overlays.field.opts["pen"], overlays.field_halo.opts["pen"]
        ink, halo = QColor(line.color()), QColor(casing.color())
        # Readable on the light end of the colour map: dark and mostly opaque; on its dark end
        # (slate, lightness ~0.3) the light casing outlines it.
        assert ink.lightnessF() < 0.2 and ink.alphaF() >= 0.65
        assert halo.lightnessF() > 0.9 and halo.alphaF() >= 0.4
        assert casing.widthF() >= line.widthF() + 2 * window.model.view.scale
        assert overlays.field_halo.zValue() < overlays.field.zValue()


def test_field_arrows_stay_thin_for_small_cells(window):
    overlays = window.classroom.overlays
    window.model.view.overlay_field = True
    vb = window.contour.view_box
    overlays.set_look("projector", 1.75)
    cell = min(vb.width(), vb.height()) / FIELD_CELLS
    line, casing = overlays.field.opts["pen"].widthF(), overlays.field_halo.opts["pen"].widthF()
    assert line <= max(0.8, cell / 10) + 1e-9 and casing - line <= max(1.2, cell / 6) + 1e-9
    assert line == pytest.approx(min(ov.FIELD_WIDTH * 1.75, max(0.8, cell / 10)))
    overlays.set_look("normal", 1.0)
