"""The timeline and swarms in the window (offscreen, no GL): scrubbing shows the recorded state
at step k in every view without recomputing, the keys step through it, and a swarm starts
every run from a cloud drawn as dots."""

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from optviz.app.window.main_window import MainWindow
from optviz.core import Simulation
from optviz.core.swarm import MAX_SWARM_POINTS

STEPS = 40


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)
    w = MainWindow(restore=False, enable_3d=False, settings=settings)
    qtbot.addWidget(w)
    w.resize(1600, 950)
    w.show()
    qtbot.waitExposed(w)
    w.model.preset = "himmelblau"
    w.controller.sim.step(STEPS)
    w.controller.advanced.emit()
    return w


def replay(window, t):
    """The race run again from scratch for t steps: the independent reference."""
    m = window.model
    sim = Simulation(m.surface(), [r.spec for r in m.runs], m.start, max_steps=m.max_steps, seed=m.seed,
                     noise_scale=m.noise_scale)
    sim.step(t)
    return sim


def test_scrubbing_shows_the_recorded_state_in_every_view(window):
    t = 12
    window.timeline.slider.setValue(t)  # widget → model
    assert window.model.playback.timeline == t
    then = replay(window, t)
    for k in range(then.K):
        x, y = window.contour.path_data(k)
        np.testing.assert_array_equal(np.column_stack([x, y]), then.path(k))
        x, y = window.loss_plot._curves[k].getData()
        assert len(x) == t + 1 and x[-1] == t
        assert window.readouts.item(k, 1).text() == str(t)
    k = window.model.selected
    assert window.classroom.equations.numbers().t == t
    np.testing.assert_array_equal(window.classroom.equations.numbers().W, then.positions[k, 0])
    assert window.timeline.label.text() == f"step {t} of {STEPS}" and window.timeline.live.isEnabled()


def test_the_model_moves_the_slider(window):
    window.model.playback.timeline = 5
    assert window.timeline.slider.value() == 5 and window.timeline.slider.maximum() == STEPS
    window.model.playback.timeline = None
    assert window.timeline.slider.value() == STEPS and not window.timeline.live.isEnabled()


def test_scrubbing_never_steps_the_simulation(window, monkeypatch):
    sim = window.controller.sim
    calls = []
    monkeypatch.setattr(sim, "step", lambda *a, **k: calls.append(a) or 0)
    for t in (0, 30, 7, STEPS - 1):
        window.timeline.slider.setValue(t)
    window.controller.step_back()
    assert calls == [] and window.model.playback.timeline == STEPS - 2


def test_left_and_right_walk_the_recording_and_end_goes_live(window, qtbot):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Left)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.model.playback.timeline == STEPS - 2
    assert (window.controller.sim.steps == STEPS).all()  # nothing was undone
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.model.playback.timeline == STEPS - 1
    qtbot.keyClick(window, Qt.Key.Key_Right)  # reaching the newest step is live again
    assert window.model.playback.timeline is None
    qtbot.keyClick(window, Qt.Key.Key_Right)  # live: a new step
    assert (window.controller.sim.steps == STEPS + 1).all()
    qtbot.keyClick(window, Qt.Key.Key_Left)
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert window.model.playback.timeline is None


def test_playing_or_changing_a_run_goes_live(window):
    window.model.playback.timeline = 3
    window.model.playback.playing = True
    assert window.model.playback.timeline is None
    window.model.playback.playing = False
    window.model.playback.timeline = 3
    window.model.runs[0].learning_rate = 0.002
    assert window.model.playback.timeline is None and window.controller.sim.steps[0] == 0


@pytest.mark.parametrize("bad", [-1, 2.5, "x"])
def test_a_bad_timeline_step_is_refused(window, bad):
    with pytest.raises(ValueError):
        window.model.playback.timeline = bad
    assert window.model.playback.timeline is None


# ---------------------------------------------------------------------------------- swarms


def test_a_swarm_starts_every_run_from_the_cloud(window, qtbot):
    controls = window.swarm_controls
    assert not controls.details.isVisible()
    controls.count.setValue(500)
    controls.enabled.setChecked(True)  # widget → model
    assert window.model.swarm == {"kind": "random", "count": 500, "rect": None, "seed": 0}
    sim = window.controller.sim
    assert sim.N == 501 and sim.M == 1 and np.allclose(sim.starts[0], window.model.start)
    view = window.model.surface().view
    cloud = sim.starts[1:]
    assert (cloud[:, 0] >= view.xmin).all() and (cloud[:, 0] <= view.xmax).all()
    sim.step(5)
    window.controller.advanced.emit()
    visible = sum(r.visible for r in window.model.runs)
    assert len(window.swarm_layer._dots) == visible
    assert sum(len(points) for _, points in window.swarm_layer._dots) == visible * 501  # all inside the box
    # The dots are the simulation's points, each tail segment joins a point's last two steps.
    np.testing.assert_array_equal(window.swarm_layer._dots[0][1], sim.positions[0].astype(np.float32))
    newest = [seg for color, _, seg in window.swarm_layer._tails if color.name() == window.swarm_layer._dots[0][0].name()][-1]
    np.testing.assert_array_equal(newest[:, 2:], sim.positions[0].astype(np.float32))
    np.testing.assert_array_equal(newest[:, :2], sim.history.cloud[4, 0])

    window.model.swarm = {"kind": "grid", "count": 100, "rect": [-1, 1, -2, 2], "seed": 0}  # model → widget
    assert controls.kind.currentData() == "grid" and controls.count.value() == 100
    assert [box.value() for box in controls.rect] == [-1, 1, -2, 2]
    assert window.controller.sim.N == 101
    controls.enabled.setChecked(False)
    assert window.model.swarm is None and window.controller.sim.N == 1
    window.controller.advanced.emit()
    assert window.swarm_layer._dots == []


def test_a_bad_rectangle_is_refused_with_a_message(window):
    controls = window.swarm_controls
    controls.enabled.setChecked(True)
    before = window.model.swarm
    controls.rect[1].setValue(controls.rect[0].value() - 1)  # x to < x from
    assert window.model.swarm == before
    assert "xmin < xmax" in window.statusBar().currentMessage()


def test_a_huge_swarm_gets_a_step_limit_that_fits_in_memory(window):
    window.model.max_steps = 20000
    window.model.swarm = {"kind": "random", "count": MAX_SWARM_POINTS, "rect": None, "seed": 1}
    sim = window.controller.sim
    assert sim.N == MAX_SWARM_POINTS + 1 and sim.max_steps < 20000
    assert sim.history.cloud.nbytes <= 400 * 2**20
    assert "fits in memory" in window.statusBar().currentMessage()


def test_the_swarm_is_painted_on_the_map(window):
    from PySide6.QtGui import QImage

    def pixels_of(color: str) -> int:
        image = window.contour.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
        rgb = arr[:, : image.width(), 2::-1].astype(int).copy()
        target = np.array([int(color[i: i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(rgb - target).max(axis=-1) < 30).sum())

    last = len(window.model.runs) - 1  # only the last run of the launch race is shown
    for k, run in enumerate(window.model.runs):
        run.visible = k == last
    color = window.controller.styles()[last].color
    before = pixels_of(color)
    window.model.swarm = {"kind": "grid", "count": 400, "rect": None, "seed": 0}
    window.controller.sim.step(3)
    window.controller.advanced.emit()
    assert pixels_of(color) > before + 400 * 2  # 400 dots of a few pixels each (some under the legend)


def _pixels_near(window, color: str) -> int:
    from PySide6.QtGui import QImage

    image = window.contour.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    rgb = arr[:, : image.width(), 2::-1].astype(int).copy()
    target = np.array([int(color[i: i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb - target).max(axis=-1) < 30).sum())


def test_every_run_shows_in_a_swarm_that_starts_stacked(window):
    # At step 0 every run's cloud is the same cloud: drawn one over another, only the last
    # colour showed. Each run's colour must show on the map.
    m = window.model
    window.controller.sim.step(0)
    colors = [s.color for s in window.controller.styles()]
    visible = [k for k, r in enumerate(m.runs) if r.visible]
    assert len(visible) >= 3
    before = {k: _pixels_near(window, colors[k]) for k in visible}
    m.swarm = {"kind": "grid", "count": 225, "rect": None, "seed": 0}
    window.controller.advanced.emit()
    sim = window.controller.sim
    assert sim.length(0) == 1  # the race restarted: every run at the start cloud
    layer = window.swarm_layer
    # One stamp per cloud point, carrying every visible run's colour in run order.
    assert len(layer._stamps) == 1
    stamp_colors, points = layer._stamps[0]
    assert [c.name() for c in stamp_colors] == [colors[k].lower() for k in visible]
    assert len(points) == sim.N
    for k in visible:
        assert _pixels_near(window, colors[k]) > before[k] + 225, m.runs[k].optimizer  # ≥ 1 px a dot


def test_coinciding_points_are_stamped_once_with_every_colour():
    from PySide6.QtGui import QColor

    from optviz.app.views.swarm_layer import coinciding_stamps

    red, green, blue = QColor("red"), QColor("green"), QColor("blue")
    cloud = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    moved = cloud.copy()
    moved[2:] += 0.5  # blue leaves points 2 and 3
    gone = np.array([True, True, True, False])  # green's point 3 is off the map (diverged)
    runs = [(red, cloud, np.ones(4, bool)), (green, cloud.copy(), gone), (blue, moved, np.ones(4, bool))]
    stamps = {tuple(c.name() for c in colors): pts.tolist() for colors, pts in coinciding_stamps(runs, 1e-6)}
    assert stamps == {
        ("#ff0000",): [[3.0, 3.0]],  # red alone where green is gone and blue moved
        ("#0000ff",): [[2.5, 2.5], [3.5, 3.5]],
        ("#ff0000", "#008000", "#0000ff"): [[0.0, 0.0], [1.0, 1.0]],
        ("#ff0000", "#008000"): [[2.0, 2.0]],
    }
    assert coinciding_stamps([], 1e-6) == []


def test_the_views_get_one_frame_type_live_and_scrubbed(window):
    from optviz.core import RaceFrame

    live = window.controller.frame
    assert type(live) is RaceFrame and live.live and live.positions is window.controller.sim.positions
    window.model.playback.timeline = 5
    past = window.controller.frame
    assert type(past) is RaceFrame and not past.live and past.t == 5
