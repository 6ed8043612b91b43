"""Every timer tick has a time budget: a tick whose steps do not fit stops when the budget is
spent and the frame's remaining steps are taken on the next ticks, never more at once.

No wall clock here: the controller's clock is a fake that advances by a fixed cost per step
taken (the simulation is made "slow" by wrapping its step), so the test is exact and
independent of the machine. What the race computes must not change: the final state equals
a fresh simulation stepped the same number of steps directly.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from optviz.core import Simulation


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _slow(controller, clock: FakeClock, cost: float, calls: list[int]) -> None:
    """Make every step of ``controller.sim`` cost ``cost`` seconds on ``clock``."""
    sim = controller.sim
    real_step = sim.step

    def step(count: int = 1) -> int:
        calls.append(int(count))
        made = real_step(count)
        clock.now += cost * made
        return made

    sim.step = step


@pytest.fixture
def window(qapp, tmp_path):
    from optviz.app.window.main_window import MainWindow

    w = MainWindow(preset="rosenbrock", optimizers=["gd", "momentum", "adam"], max_steps=2000, restore=False,
                   enable_3d=False, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    w.resize(1280, 720)
    yield w
    w.model.playback.playing = False
    w.close()


def _fresh_copy(controller) -> Simulation:
    """The same race built independently, from the controller's own specs and starts."""
    sim = controller.sim
    m = controller.model
    return Simulation(controller.surface, list(sim.specs), np.array([m.start], dtype=float),
                      max_steps=sim.max_steps, seed=m.seed, noise_scale=m.noise_scale)


def test_a_slow_tick_stops_at_its_budget_and_finishes_the_frame_later(window):
    c = window.controller
    clock, calls = FakeClock(), []
    c.clock, c.tick_budget = clock, 0.012
    _slow(c, clock, cost=0.005, calls=calls)  # 5 ms a step: two or three fit in 12 ms
    window.model.playback.steps_per_frame = 10
    c.timer.stop()  # ticks are driven by hand
    steps = []
    for _ in range(12):
        before = int(c.sim.steps.max())
        t0 = clock.now
        c.tick()
        steps.append(int(c.sim.steps.max()) - before)
        # The budget is kept: a tick may overrun it by at most one step.
        assert clock.now - t0 <= 0.012 + 0.005 + 1e-12
    assert max(steps) < 10, f"a tick took the whole frame's 10 steps: {steps}"
    assert min(steps) >= 1, "every tick makes progress"
    total = int(c.sim.steps.max())
    assert total == sum(steps)
    # A frame's 10 steps are spread over ticks, and the next frame only starts after them:
    # after 12 ticks the total is a multiple of 10 exactly when no request is half done.
    assert c._pending == (-total) % 10
    # The same steps as stepping directly: positions and the whole recording agree.
    direct = _fresh_copy(c)
    direct.step(total)
    np.testing.assert_array_equal(c.sim.steps, direct.steps)
    np.testing.assert_array_equal(c.sim.positions, direct.positions)
    n = total + 1
    np.testing.assert_array_equal(c.sim.history.positions[:n], direct.history.positions[:n])


def test_a_cheap_tick_takes_the_whole_frame_in_one_call(window):
    c = window.controller
    clock, calls = FakeClock(), []
    c.clock, c.tick_budget = clock, 0.012
    _slow(c, clock, cost=1e-5, calls=calls)  # 0.01 ms a step: 100 steps fit easily
    window.model.playback.steps_per_frame = 100
    c.timer.stop()
    c.tick()  # the first tick measures one step, then takes the other 99 at once
    assert int(c.sim.steps.max()) == 100
    calls.clear()
    c.tick()
    assert calls == [100], "a tick whose steps fit must not be cut into pieces"
    assert int(c.sim.steps.max()) == 200


def test_falling_behind_is_said_once_while_playing(window):
    c = window.controller
    clock, calls = FakeClock(), []
    messages = []
    c.error.connect(messages.append)
    _slow(c, clock, cost=0.02, calls=calls)  # one step costs more than the whole budget
    c.clock, c.tick_budget = clock, 0.012
    window.model.playback.steps_per_frame = 50
    window.model.playback.playing = True
    c.timer.stop()
    for _ in range(5):
        c.tick()
    assert calls == [1] * 5, "one step per tick when a single step exceeds the budget"
    assert len(messages) == 1 and "50 steps per frame" in messages[0]
    window.model.playback.playing = False


def test_pending_steps_are_dropped_by_reset_and_pause(window):
    c = window.controller
    clock, calls = FakeClock(), []
    c.clock, c.tick_budget = clock, 0.012
    _slow(c, clock, cost=0.005, calls=calls)
    window.model.playback.steps_per_frame = 40
    c.timer.stop()
    c.tick()
    assert c._pending > 0
    c.reset()
    assert c._pending == 0 and int(c.sim.steps.max()) == 0
    c.tick()
    window.model.playback.playing = True
    window.model.playback.playing = False
    assert c._pending == 0


def test_slow_drawing_leaves_less_time_for_steps(window):
    """The views' time after a tick counts against the next tick's budget (never below a quarter)."""
    c = window.controller
    clock, calls = FakeClock(), []
    c.clock, c.tick_budget = clock, 0.012
    _slow(c, clock, cost=0.001, calls=calls)  # 1 ms a step
    window.model.playback.steps_per_frame = 100
    c.timer.stop()
    c.tick()  # measures the step cost; drawing is free so far
    draw = lambda: setattr(clock, "now", clock.now + 0.008)  # noqa: E731 - the views take 8 ms
    c.advanced.connect(draw)
    c.tick()  # still the full 12 ms (the 8 ms are measured after it)
    calls.clear()
    t0 = clock.now
    c.tick()
    stepped = clock.now - t0 - 0.008
    assert stepped <= 0.004 + 0.001 + 1e-12, f"{stepped * 1e3:.1f} ms of steps with 8 ms of drawing"
    c.advanced.disconnect(draw)


def test_a_big_swarm_gets_short_tails(qapp):
    """Tails are cut so a frame never strokes more than MAX_TAIL_SEGMENTS segments."""
    from types import SimpleNamespace

    from optviz.app.views import swarm_layer
    from optviz.render.inputs import RunStyle

    layer = swarm_layer.SwarmLayer()
    layer.set_bounds(-2, 2, -2, 2)
    layer.set_runs([RunStyle("a", "#1f77b4", True, (), "o"), RunStyle("b", "#ff7f0e", True, (), "s")])
    rng = np.random.default_rng(0)
    for points, expected_steps in ((1000, swarm_layer.TAIL_STEPS), (10_000, 2)):
        cloud = rng.uniform(-1, 1, (30, 2, points, 2)).astype(np.float32)
        sim = SimpleNamespace(K=2, N=points, history=SimpleNamespace(cloud=cloud, positions=None),
                              steps=np.full(2, 29), timeline=None)
        original = swarm_layer.recent_cloud
        asked = []

        def recent(sim, k, steps, original=original):
            asked.append(steps)
            return cloud[29 - steps : 30, k]

        swarm_layer.recent_cloud = recent
        try:
            layer.update_runs(sim)
        finally:
            swarm_layer.recent_cloud = original
        assert asked == [expected_steps] * 2
        segments = sum(len(seg) for _, _, seg in layer._tails)
        assert segments <= swarm_layer.MAX_TAIL_SEGMENTS
