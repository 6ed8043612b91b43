"""Scrubbing through a recorded race (optviz.core.timeline) and swarm recording
(Simulation(record_points=…)): the state at step t read back from the history equals the
state of a fresh simulation stepped t times."""

import numpy as np
import pytest

from optviz.core import RunSpec, Simulation, RaceFrame, get_surface, latest_step, recent_cloud
from optviz.core.simulation import Status

SPECS = [
    RunSpec("gd", {"learning_rate": 0.01}),
    RunSpec("sgd", {"learning_rate": 0.01}),
    RunSpec("momentum", {"learning_rate": 0.01}),
    RunSpec("adam", {"learning_rate": 0.1}),
    RunSpec("gd", {"learning_rate": 0.2}),  # diverges on Himmelblau
]


def fresh(t, starts=(0.5, -0.5), specs=SPECS, **kwargs):
    sim = Simulation(get_surface("himmelblau"), specs, starts, max_steps=200, seed=4, **kwargs)
    sim.step(t)
    return sim


@pytest.fixture(scope="module")
def race():
    return fresh(200)


@pytest.mark.parametrize("t", [0, 1, 7, 60, 199, 200])
def test_a_frame_is_the_state_of_a_race_stepped_that_far(race, t):
    frame = RaceFrame(race, t)
    then = fresh(t)  # independent: the same race run only t steps
    np.testing.assert_array_equal(frame.steps, then.steps)
    np.testing.assert_array_equal(frame.positions, then.positions)
    np.testing.assert_array_equal(frame.loss, then.loss)
    np.testing.assert_array_equal(frame.full_grad, then.full_grad)
    np.testing.assert_array_equal(frame.status, then.status)
    np.testing.assert_array_equal(frame.minimum, then.minimum)
    for k in range(race.K):
        assert frame.length(k) == then.length(k)
        assert frame.describe(k) == then.describe(k)
        np.testing.assert_array_equal(frame.path(k), then.path(k))


def test_the_statuses_of_the_past_differ_from_the_end(race):
    # The premise of recording statuses: what was true early on is not what is true now.
    assert (RaceFrame(race, 0).status == Status.RUNNING).all()
    assert (RaceFrame(race, 5).status[:4] == Status.RUNNING).all()
    assert race.status[4, 0] == Status.DIVERGED
    assert (race.status[:4] != Status.RUNNING).any()


def test_a_restarted_run_shows_its_own_latest_step():
    sim = fresh(50)
    sim.restart(2)
    sim.step(10)
    assert latest_step(sim) == 60 and sim.steps[2] == 10
    frame = RaceFrame(sim, 30)
    assert frame.steps[2] == 10 and frame.steps[0] == 30
    np.testing.assert_array_equal(frame.positions[2], sim.positions[2])
    np.testing.assert_array_equal(frame.positions[0], fresh(30).positions[0])


def test_everything_else_is_the_simulations_and_frames_do_not_move(race):
    frame = RaceFrame(race, 3)
    assert frame.K == race.K and frame.specs is race.specs and frame.history is race.history
    assert frame.finished and not frame.active().any()


@pytest.mark.parametrize("t", [-1, 201, 2.5, True, "3"])
def test_frames_outside_the_recording_are_refused(race, t):
    with pytest.raises(ValueError, match="step must be a whole number from 0 to 200"):
        RaceFrame(race, t)


def test_an_unrecorded_simulation_cannot_be_scrubbed():
    sim = Simulation(get_surface("bowl"), [RunSpec("gd")], (1, 1), record=False)
    with pytest.raises(ValueError, match="record=False"):
        RaceFrame(sim, 0)


# ---------------------------------------------------------------------------------- swarms


def cloud_starts(n=300, seed=1):
    rng = np.random.default_rng(seed)
    return np.vstack([[0.5, -0.5], rng.uniform(-5, 5, (n - 1, 2))])


def test_a_swarm_records_its_lead_in_full_and_every_point_as_float32():
    starts = cloud_starts()
    full = fresh(80, starts=starts)  # every point recorded in full: the reference
    swarm = fresh(80, starts=starts, record_points=1)
    h = swarm.history
    assert h.positions.shape[2] == 1 and h.cloud.shape == (201, len(SPECS), len(starts), 2)
    assert h.cloud.dtype == np.float32
    np.testing.assert_array_equal(swarm.positions, full.positions)  # recording changes no step
    for name in ("positions", "loss", "grad_norm", "full_grad", "grad", "status", "minimum"):
        np.testing.assert_array_equal(getattr(h, name)[:81], getattr(full.history, name)[:81, :, :1], err_msg=name)
    np.testing.assert_array_equal(h.cloud[:81], full.history.positions[:81].astype(np.float32))
    frame = RaceFrame(swarm, 40)
    np.testing.assert_array_equal(frame.cloud, fresh(40, starts=starts).positions.astype(np.float32))
    np.testing.assert_array_equal(swarm.path(1, 17), full.path(1, 17).astype(np.float32))


def test_recent_cloud_is_the_tail_of_every_point():
    starts = cloud_starts(50)
    swarm = fresh(30, starts=starts, record_points=1)
    tail = recent_cloud(swarm, 3, 8)
    assert tail.shape == (9, 50, 2)
    np.testing.assert_array_equal(tail[-1], swarm.positions[3].astype(np.float32))
    np.testing.assert_array_equal(tail[0], fresh(22, starts=starts).positions[3].astype(np.float32))
    early = recent_cloud(RaceFrame(swarm, 3), 3, 8)  # fewer steps than the tail
    assert early.shape == (4, 50, 2)
    np.testing.assert_array_equal(early[0], starts.astype(np.float32))
    np.testing.assert_array_equal(recent_cloud(fresh(5), 0, 2), fresh(5).history.positions[3:6, 0])


def test_history_memory_is_known_before_it_is_built():
    swarm = fresh(0, starts=cloud_starts(100), record_points=1)
    h = swarm.history
    arrays = [h.positions, h.loss, h.grad_norm, h.full_grad, h.grad, h.lr, h.status, h.minimum, h.cloud,
              *h.state.values()]
    per_step = sum(a.nbytes for a in arrays) / 201
    assert h.nbytes_per_step(len(SPECS), 1, list(h.state), cloud=100) == per_step


@pytest.mark.parametrize("bad", [0, -3, True, 1.5])
def test_recorded_points_are_checked(bad):
    with pytest.raises(ValueError, match="recorded points must be an integer >= 1"):
        Simulation(get_surface("bowl"), [RunSpec("gd")], (1, 1), record_points=bad)


def test_an_export_race_and_the_app_s_timeline_give_the_same_frames():
    """One frame type: the race an export records and the simulation the app scrubs through
    give equal RaceFrames at every step — positions, losses, statuses (a run that left the
    view, one that diverged) and path lengths."""
    from optviz.export import Race

    specs = [RunSpec("gd", {"learning_rate": 0.1}), RunSpec("gd", {"learning_rate": 3.0}),
             RunSpec("adam", {"learning_rate": 0.05})]
    sim = Simulation(get_surface("saddle"), specs, (0.5, 0.01), max_steps=300).run()
    assert sorted(sim.status[:, 0]) == [Status.DIVERGED, Status.LEFT_VIEW, Status.LEFT_VIEW]
    race = Race.from_simulation(sim, specs)
    for t in (0, 1, 2, 3, 20, 35, 36, 37, 89, 90):
        a, b = RaceFrame(sim, t), race.at(t)
        assert type(a) is type(b) is RaceFrame
        np.testing.assert_array_equal(a.positions, b.positions)
        np.testing.assert_array_equal(a.loss, b.loss)
        np.testing.assert_array_equal(a.status, b.status, err_msg=f"step {t}")
        assert [a.length(k) for k in range(3)] == [b.length(k) for k in range(3)]
        for k in range(3):
            np.testing.assert_array_equal(a.path(k), b.path(k))
            assert a.describe(k) == b.describe(k)
        np.testing.assert_array_equal(a.history.positions[: t + 1], b.history.positions[: t + 1])


def test_the_other_frame_types_are_gone():
    """One frame type: nothing else answers for a race at a step."""
    import optviz.core as core
    import optviz.core.timeline as timeline
    import optviz.export as export
    import optviz.export.race as export_race

    for module in (core, timeline, export, export_race):
        for name in ("SimulationFrame", "RaceAt", "_HistoryAt"):
            assert not hasattr(module, name), f"{module.__name__}.{name}"


def test_the_race_now_is_a_frame_too_reading_the_live_simulation():
    """One frame type for the live race and its past: RaceFrame.now reads the simulation's own
    arrays (nothing copied) and moves as the simulation does."""
    sim = Simulation(get_surface("himmelblau"), [RunSpec("gd", {"learning_rate": 0.01}), RunSpec("adam")], (0.0, 0.0),
                     max_steps=100)
    sim.step(20)
    now = RaceFrame.now(sim)
    assert now.live and now.t == 20 and not RaceFrame(sim, 20).live
    for name in ("steps", "positions", "loss", "full_grad", "status", "minimum", "cloud"):
        assert getattr(now, name) is getattr(sim, name), name
    np.testing.assert_array_equal(now.active(), sim.active())
    assert now.active().all() and not now.finished
    np.testing.assert_array_equal(now.path(1), sim.path(1))
    assert now.describe(0) == sim.describe(0) and now.length(0) == 21
    sim.run()
    assert RaceFrame.now(sim).finished and not RaceFrame.now(sim).active().any()
    # The same numbers as the frame of the recording at that step.
    past = RaceFrame(sim, 20)
    np.testing.assert_array_equal(past.positions, Simulation(get_surface("himmelblau"), sim.specs, (0.0, 0.0),
                                                             max_steps=100).run(20).positions)
