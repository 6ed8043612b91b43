"""Every preset's caption is a claim about its default race: each test builds the race exactly as
the app does (``RaceModel(preset)`` → its runs' specs → a Simulation with the model's step limit,
seed and noise) and checks the caption with numbers. Thresholds come from the maths where they
can (2/κ, the exact GD iterates of a quadratic, singular values of the design matrix), and each
test fails with the old four-run race of tuned rates (GD, momentum, RMSProp, Adam) and the old
captions and starts."""

import re
from functools import lru_cache

import numpy as np
import pytest

from optviz.app.window.model import RaceModel
from optviz.core import RunSpec, Simulation, Status, builtin_scenarios, get_surface, load_scenario, surface_keys
from optviz.core.optimizers import OPTIMIZERS
from optviz.core.recommended import recommended_learning_rate

FAILED = (Status.DIVERGED, Status.LEFT_VIEW)


@lru_cache(maxsize=None)
def race(preset: str):
    """The app's default race on ``preset``: (model, finished simulation)."""
    model = RaceModel(preset)
    sim = Simulation(model.surface(), [run.spec for run in model.runs], model.start, max_steps=model.max_steps,
                     seed=model.seed, noise_scale=model.noise_scale)
    sim.run()
    return model, sim


def runs_of(preset: str, *optimizers: str):
    """The race, after checking that its runs are ``optimizers`` in that order."""
    model, sim = race(preset)
    assert [run.optimizer for run in model.runs] == list(optimizers)
    return model, sim


def path(sim, k):
    return sim.history.positions[: sim.length(k), k, 0]


def loss(sim, k):
    return sim.history.loss[: sim.length(k), k, 0]


def grad_norm(sim, k):
    return sim.history.grad_norm[: sim.length(k), k, 0]


def settled_at(values, tol):
    """First step t after which ``values`` (a gap J − J* or a distance) stays ≤ tol; None if it
    does not end there."""
    bad = np.flatnonzero(~(np.asarray(values) <= tol))
    if bad.size == 0:
        return 0
    return None if bad[-1] == len(values) - 1 else int(bad[-1] + 1)


def gap(sim, k):
    return loss(sim, k) - min(m.value for m in sim.surface.minima)


def converged_to(sim, k) -> int:
    """Index of the listed minimum run k converged to (it must have converged to one)."""
    assert sim.status[k, 0] == Status.CONVERGED, f"run {k}: status {Status(int(sim.status[k, 0])).name}"
    return int(sim.minimum[k, 0])


def first_below(values, level):
    below = np.flatnonzero(np.asarray(values) < level)
    return int(below[0]) if below.size else None


# --------------------------------------------------------------------------- every preset


@pytest.mark.parametrize("preset", surface_keys())
def test_every_preset_has_a_caption_and_a_small_default_race(preset):
    surface = get_surface(preset)
    assert len(surface.caption) > 40
    assert 2 <= len(surface.race) <= 4
    model = RaceModel(preset)
    assert [run.optimizer for run in model.runs] == [entry.optimizer for entry in surface.race]
    for run, entry in zip(model.runs, surface.race):
        assert run.optimizer in OPTIMIZERS
        # α: the one the race states, else the tuned one; never the optimizer's bare default.
        stated = entry.hyper.get("learning_rate", recommended_learning_rate(preset, entry.optimizer))
        assert stated is not None and run.learning_rate == stated
        assert run.spec.build() is not None
        # Legends show the labels: short, in the lecture's notation (no raw TeX-like α_t).
        assert len(run.title) <= 20 and "_" not in run.title and "alpha" not in run.title.lower()
    assert model.start == surface.start and model.selected == 0


RAW_NOTATION = re.compile(r"_[A-Za-z0-9{]|\^|\\|\$")  # α_t, W_{t+1}, 10^-4, \alpha, $…$


def test_captions_labels_and_scenario_notes_use_the_lectures_notation():
    texts = []
    for preset in surface_keys():
        surface = get_surface(preset)
        texts += [surface.caption] + [entry.label for entry in surface.race]
    for _, file in builtin_scenarios():
        scenario = load_scenario(file)
        texts += [scenario.title, scenario.note] + [run.label for run in scenario.runs]
    raw = [text for text in texts if RAW_NOTATION.search(text)]
    assert raw == []


def test_the_launch_race_is_the_narrow_valleys_default_race():
    model = RaceModel()
    assert model.preset == "narrow_valley"
    race_entries = get_surface("narrow_valley").race
    assert [(r.optimizer, r.label, r.learning_rate) for r in model.runs] == [
        (e.optimizer, e.label, e.hyper["learning_rate"]) for e in race_entries]


def test_explicit_optimizers_win_over_the_preset_race():
    model = RaceModel("rosenbrock", optimizers=("sgd", "adam"))
    assert [r.optimizer for r in model.runs] == ["sgd", "adam"]
    assert [r.learning_rate for r in model.runs] == [recommended_learning_rate("rosenbrock", "sgd"),
                                                     recommended_learning_rate("rosenbrock", "adam")]


def test_choosing_a_preset_or_resetting_loads_its_race():
    model = RaceModel("bowl", optimizers=("gd", "sgd", "nesterov", "adagrad"))
    model.same_lr = True
    model.preset = "beale"
    assert [(r.optimizer, r.label, r.learning_rate) for r in model.runs] == [
        (e.optimizer, e.label, e.hyper["learning_rate"]) for e in get_surface("beale").race]
    assert not model.same_lr  # the race's runs differ in α on purpose
    model.runs[0].learning_rate = 0.5
    model.add_run("sgd")
    model.reset_defaults()
    assert [(r.optimizer, r.learning_rate) for r in model.runs] == [
        (e.optimizer, e.hyper["learning_rate"]) for e in get_surface("beale").race]


def _race_of(preset):
    return [(e.optimizer, e.label, e.hyper.get("learning_rate")) for e in get_surface(preset).race]


def _runs(model):
    return [(r.optimizer, r.label, r.learning_rate) for r in model.runs]


def test_the_window_opens_on_the_launch_race_and_every_way_of_choosing_a_preset_loads_its_race(qtbot, tmp_path):
    from PySide6.QtCore import QSettings, Qt

    from optviz.app.window.main_window import MainWindow

    settings = QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)
    window = MainWindow(restore=False, enable_3d=False, settings=settings)
    qtbot.addWidget(window)
    window.resize(1600, 950)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    m = window.model
    assert m.preset == "narrow_valley" and _runs(m) == _race_of("narrow_valley")
    assert [spec.hyper["learning_rate"] for spec in window.controller.sim.specs] == [0.072, 0.072, 0.1]
    # The preset picker, with the finished race's leaderboard open: the views never see the
    # new runs against the old simulation (a 3-run race replaced by a 4-run one).
    window.controller.sim.run()
    window.controller.advanced.emit()
    window.leaderboard.show()
    picker = window.preset_picker
    picker.combo.setCurrentIndex(picker.index_of("plateau"))
    assert len(m.runs) == 4 and window.controller.sim.K == 4
    assert window.leaderboard.table.rowCount() == 4
    picker.combo.setCurrentIndex(picker.index_of("beale"))
    assert m.preset == "beale" and _runs(m) == _race_of("beale")
    assert len(window.panel.editors) == len(m.runs) and window.controller.sim.K == len(m.runs)
    np.testing.assert_allclose(window.controller.sim.starts[0], get_surface("beale").start)
    # P (Next preset; its key is tested in test_presentation): the next preset, with its race.
    keys = picker.keys()
    window.classroom.actions["next_preset"].trigger()
    following = keys[(keys.index("beale") + 1) % len(keys)]
    assert m.preset == following and _runs(m) == [
        (o, lab, lr if lr is not None else recommended_learning_rate(following, o)) for o, lab, lr in _race_of(following)]
    # Reset to defaults: back to the race after the runs were changed by hand.
    m.runs[0].learning_rate = 0.5
    m.add_run("sgd")
    qtbot.mouseClick(window.panel.reset_button, Qt.MouseButton.LeftButton)
    assert len(m.runs) == len(get_surface(following).race) == len(window.panel.editors)
    assert [r.learning_rate for r in m.runs][0] != 0.5


def test_stepping_through_the_scenarios_with_the_leaderboard_open(qtbot, tmp_path):
    """Each scenario first loads its preset's race, then its own runs: neither may reach the
    views before the simulation has them (a leaderboard ranking 3 runs under 2 titles raised)."""
    from PySide6.QtCore import QSettings

    from optviz.app.window.main_window import MainWindow
    from optviz.app.window.saved_form import apply_scenario

    settings = QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat)
    window = MainWindow(restore=False, enable_3d=False, settings=settings)
    qtbot.addWidget(window)
    window.show()
    for _, file in builtin_scenarios():
        window.controller.sim.run()
        window.controller.advanced.emit()
        window.leaderboard.show()
        scenario = load_scenario(file)
        apply_scenario(window.model, scenario)
        assert window.controller.sim.K == len(window.model.runs) == len(scenario.runs)
        assert window.leaderboard.table.rowCount() == len(scenario.runs)


# --------------------------------------------------------------------------- teaching surfaces


def test_bowl_gd_walks_straight_momentum_overshoots_adam_bends():
    _, sim = runs_of("bowl", "gd", "momentum", "adam")
    start = np.asarray(sim.starts[0])
    radius = np.linalg.norm(start)  # the minimum is the origin
    inward = -start / radius
    across = np.array([-inward[1], inward[0]])
    for k in range(3):
        assert converged_to(sim, k) == 0
    progress = [(path(sim, k) - start) @ inward for k in range(3)]
    off_line = [np.abs((path(sim, k) - start) @ across).max() for k in range(3)]
    # −∇J = −W points at the minimum: GD stays on the line and never passes the minimum.
    assert off_line[0] < 1e-12 * radius and progress[0].max() <= radius * (1 + 1e-12)
    assert np.all(np.diff(loss(sim, 0)) < 0)
    # Momentum rolls past the minimum (10 % of the way and more) and back.
    assert progress[1].max() > 1.1 * radius
    # Adam's equal per-axis steps leave the straight line.
    assert off_line[2] > 0.05 * radius


def test_narrow_valley_gd_zig_zags_momentum_damps_rmsprop_walks_straight():
    model, sim = runs_of("narrow_valley", "gd", "momentum", "rmsprop")
    surface = sim.surface
    kappa = surface.params["condition"]
    assert surface.params["angle"] == 0  # u = x along the floor, v = y across
    alpha = model.runs[0].learning_rate
    # Near the stability limit: past 1/κ each step overshoots the walls, below 2/κ it is stable.
    assert 1 / kappa < alpha < 2 / kappa and model.runs[1].learning_rate == alpha
    gd = path(sim, 0)
    u0, v0 = gd[0]
    t = np.arange(len(gd))
    # GD on ½(u² + κv²) is exact: v_t = v₀(1 − ακ)ᵗ flips sign every step, u_t = u₀(1 − α)ᵗ creeps.
    np.testing.assert_allclose(gd[:60, 1], v0 * (1 - alpha * kappa) ** t[:60], rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(gd[:60, 0], u0 * (1 - alpha) ** t[:60], rtol=1e-9)
    calm = first_below(np.abs(gd[:, 1]), 0.01 * abs(v0))  # the zig-zag has died down
    assert np.all(np.diff(np.sign(gd[: calm + 1, 1])) != 0)  # a crossing at every step until then
    assert calm >= 15 and abs(gd[calm, 0]) > 0.15 * abs(u0)  # still far along the floor

    def visible_crossings(p):
        v = p[:, 1]
        big = np.abs(v) > 0.01 * abs(v0)
        return int(np.sum((np.diff(np.sign(v)) != 0) & big[:-1] & big[1:]))

    def travel_across(p):
        return float(np.abs(np.diff(p[:, 1])).sum())

    momentum, rmsprop = path(sim, 1), path(sim, 2)
    # GD's back-and-forth is the geometric series ακ|v₀| / (1 − |1 − ακ|).
    assert travel_across(gd) == pytest.approx(alpha * kappa * abs(v0) / (1 - abs(1 - alpha * kappa)), rel=1e-6)
    assert travel_across(momentum) < 0.6 * travel_across(gd)
    assert visible_crossings(momentum) < visible_crossings(gd) / 2
    # RMSProp never crosses the floor: it goes straight down to it, then along it.
    assert visible_crossings(rmsprop) == 0 and rmsprop[:, 1].min() > -1e-6 * abs(v0)
    assert travel_across(rmsprop) == pytest.approx(abs(v0), rel=1e-6)
    # Its per-coordinate steps α/(ε + √r) are rescaled: several times longer along the floor.
    r = sim.history.state["r"][1 : sim.length(2), 2, 0]
    hyper = model.runs[2].hyper
    step = hyper["learning_rate"] / (hyper["eps"] + np.sqrt(r))
    assert np.all(step[:40, 0] > 3 * step[:40, 1])
    # The damped and the rescaled runs both finish well before GD.
    finish = [settled_at(gap(sim, k), 1e-4) for k in range(3)]
    assert None not in finish and max(finish[1], finish[2]) < 0.6 * finish[0]


@pytest.mark.parametrize("kappa", [4.0, 100.0, 1000.0])
def test_the_narrow_valleys_race_follows_its_condition_number(kappa):
    """After κ is changed, Reset to defaults gives a race that tells the same story."""
    model = RaceModel("narrow_valley")
    model.preset_params = {"condition": kappa}
    model.reset_defaults()
    alpha = model.runs[0].learning_rate
    assert 1 / kappa < alpha < 2 / kappa and model.runs[1].learning_rate == alpha
    assert model.runs[0].title == f"GD, α = {alpha:g}"
    sim = Simulation(model.surface(), [run.spec for run in model.runs], model.start, max_steps=60)
    sim.run()
    gd, momentum = path(sim, 0)[:21], path(sim, 1)[:21]
    np.testing.assert_allclose(gd[:, 1], gd[0, 1] * (1 - alpha * kappa) ** np.arange(21), rtol=1e-9)
    assert np.all(np.diff(np.sign(gd[:, 1])) != 0)
    assert np.abs(np.diff(momentum[:, 1])).sum() < 0.6 * np.abs(np.diff(gd[:, 1])).sum()


def test_ravine_gd_creeps_a_larger_step_zig_zags_out_momentum_gathers_speed():
    model, sim = runs_of("ravine", "gd", "gd", "momentum")
    from optviz.core.surfaces.ravine import RAVINE_BOTTOM, RAVINE_MINIMUM, RAVINE_SLOPE, RAVINE_WALLS

    along = np.array([1.0, 1.0]) / np.sqrt(2)
    across = np.array([-1.0, 1.0]) / np.sqrt(2)
    u_min = np.asarray(RAVINE_MINIMUM) @ along
    small, large = model.runs[0].learning_rate, model.runs[1].learning_rate
    assert large == model.runs[1].learning_rate and small < 2 / RAVINE_WALLS < large
    # GD: far from the minimum the floor's slope is s, so GD moves α·s per step.
    u = path(sim, 0) @ along
    far = np.abs(u[:-1] - u_min) > 5 * RAVINE_BOTTOM
    assert far.sum() > 100
    np.testing.assert_allclose(np.diff(u)[far], small * RAVINE_SLOPE, rtol=0.03)
    assert converged_to(sim, 0) == 0
    # Past α = 2/k the walls throw the run out: |v| grows by |1 − αk| per step until it is gone.
    assert sim.status[1, 0] in FAILED
    v = np.abs(path(sim, 1) @ across)
    assert v[-1] > 5 * v[0]
    # Momentum with the small α speeds up towards α·s/(1 − β), far beyond GD's pace.
    u_mom = path(sim, 2) @ along
    assert np.diff(u_mom).max() > 5 * small * RAVINE_SLOPE
    finish_gd, finish_mom = (settled_at(gap(sim, k), 1e-4) for k in (0, 2))
    assert finish_mom is not None and finish_mom < finish_gd / 3


def test_saddle_gd_crawls_then_escapes_momentum_and_adam_escape_sooner():
    model, sim = runs_of("saddle", "gd", "momentum", "adam")
    alpha = model.runs[0].learning_rate
    x0, y0 = sim.starts[0]
    gd = path(sim, 0)
    # J = x² − y²: GD's iterates are x₀(1 − 2α)ᵗ and y₀(1 + 2α)ᵗ, towards the saddle and away.
    t = np.arange(len(gd))
    np.testing.assert_allclose(gd[:, 0], x0 * (1 - 2 * alpha) ** t, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gd[:, 1], y0 * (1 + 2 * alpha) ** t, rtol=1e-9)
    g = grad_norm(sim, 0)
    assert np.sum(g < 0.1 * g[0]) >= 100  # a long crawl with an almost vanishing gradient
    escape = [first_below(loss(sim, k), -0.5) for k in range(3)]  # well below the saddle value 0
    assert None not in escape
    assert escape[1] < escape[0] / 3 and escape[2] < escape[0] / 3


def test_monkey_saddle_gd_stalls_on_the_ridge_momentum_and_adam_push_on():
    _, sim = runs_of("monkey_saddle", "gd", "momentum", "adam")
    for k in range(3):
        # |∇(x³ − 3xy²)| = 3(x² + y²): the gradient shrinks quadratically towards the saddle.
        np.testing.assert_allclose(grad_norm(sim, k), 3 * (path(sim, k) ** 2).sum(axis=1), rtol=1e-10)
        assert sim.status[k, 0] == Status.LEFT_VIEW  # down a valley, where J is unbounded below
    near_ridge = [int(np.sum(np.abs(loss(sim, k)) < 0.05)) for k in range(3)]
    assert near_ridge[0] >= 30 and max(near_ridge[1:]) <= near_ridge[0] / 4
    escape = [first_below(loss(sim, k), -1.0) for k in range(3)]
    assert None not in escape
    assert escape[1] < escape[0] / 2 and escape[2] < escape[0] / 2


def test_two_wells_gd_stays_shallow_momentum_rolls_into_the_deep_well():
    _, sim = runs_of("two_wells", "gd", "momentum")
    deep, shallow = sim.surface.minima
    assert deep.value < shallow.value
    assert converged_to(sim, 0) == 1 and converged_to(sim, 1) == 0


def test_plateau_gd_crawls_momentum_is_slow_rmsprop_and_adam_stride_across():
    model, sim = runs_of("plateau", "gd", "momentum", "rmsprop", "adam")
    from optviz.core.surfaces.plateau import PLATEAU_CENTRE, PLATEAU_WIDTH

    assert len({run.learning_rate for run in model.runs}) == 1  # the same α for all
    arrive = [first_below(np.linalg.norm(path(sim, k) - PLATEAU_CENTRE, axis=1), 3 * PLATEAU_WIDTH)
              for k in range(4)]
    assert arrive[0] is None  # GD never reaches the basin
    assert arrive[1] is not None and arrive[1] >= 200  # momentum, after hundreds of steps
    assert arrive[2] <= 100 and arrive[3] <= 100
    assert max(arrive[2], arrive[3]) < arrive[1] / 4
    for k in (1, 2, 3):
        assert converged_to(sim, k) == 0


# --------------------------------------------------------------------------- classic test functions


def test_rosenbrock_all_find_the_valley_gd_crawls_momentum_and_adam_arrive():
    _, sim = runs_of("rosenbrock", "gd", "momentum", "adam")
    for k in range(3):
        p = path(sim, k)
        assert first_below(np.abs(p[:, 1] - p[:, 0] ** 2), 0.05) <= 20  # on the floor y = x² at once
    gd = path(sim, 0)
    assert np.linalg.norm(gd[-1] - (1.0, 1.0)) > 0.3 and sim.status[0, 0] == Status.RUNNING
    assert np.all(np.diff(loss(sim, 0))[20:] < 0)  # it does move, downhill, only slowly
    for k in (1, 2):
        assert settled_at(gap(sim, k), 1e-4) is not None


def test_beale_no_single_step_size_works_adam_finds_the_minimum():
    model, sim = runs_of("beale", "gd", "gd", "adam")
    large, small = model.runs[0].learning_rate, model.runs[1].learning_rate
    assert large > small
    assert sim.status[0, 0] in FAILED  # thrown off by the walls
    stalled = path(sim, 1)
    assert loss(sim, 1)[-1] > 0.5 and grad_norm(sim, 1)[-1000:].max() < 1.0
    assert np.linalg.norm(stalled[-1] - stalled[-1001]) < 1.0  # the last 1000 steps go nowhere
    assert settled_at(gap(sim, 2), 1e-4) is not None
    # "Any single step size": no α on a log grid from 1e-4 to 0.1 takes GD there from this start.
    rates = np.geomspace(1e-4, 0.1, 25)
    sweep = Simulation(sim.surface, [RunSpec("gd", {"learning_rate": float(a)}) for a in rates], sim.starts[0],
                       max_steps=model.max_steps, record=False)
    sweep.run()
    assert np.all(~(sweep.loss[:, 0] < 0.01))


def test_booth_every_method_converges_gd_runs_down_the_steep_side_first():
    model, sim = runs_of("booth", "gd", "momentum", "adam")
    for k in range(3):
        assert converged_to(sim, k) == 0
    # Hessian [[10, 8], [8, 10]]: curvature 18 along (1, 1), 2 along (1, −1). GD multiplies the
    # two components by (1 − 18α) and (1 − 2α) per step.
    alpha = model.runs[0].learning_rate
    steep, long = np.array([1.0, 1.0]) / np.sqrt(2), np.array([1.0, -1.0]) / np.sqrt(2)
    offset = path(sim, 0) - (1.0, 3.0)
    c, ell = offset @ steep, offset @ long
    t = np.arange(len(c))
    np.testing.assert_allclose(c, c[0] * (1 - 18 * alpha) ** t, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ell, ell[0] * (1 - 2 * alpha) ** t, rtol=1e-6, atol=1e-9)
    down = first_below(np.abs(c), 0.01 * abs(c[0]))
    assert down <= 5 and abs(ell[down]) > 0.5 * abs(ell[0]) and abs(ell[0]) > 0.5 * abs(c[0])


def test_himmelblau_three_runs_three_different_minima():
    _, sim = runs_of("himmelblau", "gd", "momentum", "adam")
    ends = {converged_to(sim, k) for k in range(3)}
    assert len(ends) == 3


def _nearest_minimum(sim):
    start = np.asarray(sim.starts[0])
    return int(np.argmin([np.linalg.norm(start - m.location) for m in sim.surface.minima]))


def test_rastrigin_every_method_trapped_in_the_nearest_dip():
    _, sim = runs_of("rastrigin", "gd", "momentum", "adam")
    nearest_dip = np.round(sim.starts[0])  # the dips sit near the integer points
    for k in range(3):
        assert sim.status[k, 0] == Status.CONVERGED
        assert np.abs(sim.positions[k, 0] - nearest_dip).max() < 0.05
        assert sim.loss[k, 0] > 15  # far above the global minimum 0


def test_ackley_gd_and_adam_stuck_in_the_first_ripple_momentum_rolls_on():
    _, sim = runs_of("ackley", "gd", "momentum", "adam")
    first_ripple = np.round(sim.starts[0])
    for k in (0, 2):
        assert sim.status[k, 0] == Status.CONVERGED
        assert np.abs(sim.positions[k, 0] - first_ripple).max() < 0.05
    # Momentum crosses at least two ripples (they are 1 apart) towards the centre.
    assert np.abs(sim.positions[1, 0]).max() <= np.abs(first_ripple).max() - 2 + 0.1
    assert sim.loss[1, 0] < sim.loss[0, 0] - 3


def test_goldstein_price_gd_and_adam_settle_nearby_momentum_reaches_the_global_minimum():
    _, sim = runs_of("goldstein_price", "gd", "momentum", "adam")
    _, _, z = sim.surface.grid(400, 400)
    assert 5 < np.log10(z.max() / z.min()) < 6  # "nearly six orders of magnitude"
    nearest = _nearest_minimum(sim)
    assert nearest != 0
    assert converged_to(sim, 0) == nearest and converged_to(sim, 2) == nearest
    assert converged_to(sim, 1) == 0


def test_six_hump_camel_gd_and_momentum_local_rmsprop_and_adam_global():
    _, sim = runs_of("six_hump_camel", "gd", "momentum", "rmsprop", "adam")
    best = sim.surface.minima[0].value
    for k in (0, 1):
        assert sim.surface.minima[converged_to(sim, k)].value > best + 0.5
    for k in (2, 3):
        assert sim.surface.minima[converged_to(sim, k)].value == best


def test_three_hump_camel_gd_and_adam_fall_into_the_nearer_minimum_momentum_reaches_the_centre():
    _, sim = runs_of("three_hump_camel", "gd", "momentum", "adam")
    nearest = _nearest_minimum(sim)
    assert nearest != 0 and sim.surface.minima[nearest].value > sim.surface.minima[0].value
    assert converged_to(sim, 0) == nearest and converged_to(sim, 2) == nearest
    assert converged_to(sim, 1) == 0


# --------------------------------------------------------------------------- dataset losses


def test_linreg_mse_sgd_jitters_around_gds_route_minibatch_less():
    model, sim = runs_of("linreg_mse", "gd", "minibatch", "sgd")
    assert [run.spec.effective_batch_size(sim.surface.n) for run in model.runs] == [sim.surface.n, 8, 1]
    assert len({run.learning_rate for run in model.runs}) == 1
    assert np.all(np.diff(loss(sim, 0)) <= 1e-15)  # GD: smooth, downhill at every step
    rises = np.diff(loss(sim, 2)) > 0
    assert rises.mean() > 0.3  # SGD's full-batch loss goes up on many steps

    route = path(sim, 0)

    def off_route(k):
        p = path(sim, k)
        return np.min(np.linalg.norm(p[:, None, :] - route[None, :, :], axis=-1), axis=1).max()

    start_distance = np.linalg.norm(route[0] - sim.surface.minima[0].location)
    assert 0.02 * start_distance < off_route(2) < 0.25 * start_distance  # jitter around the route
    assert off_route(1) < 0.5 * off_route(2)


def test_linreg_mae_constant_steps_rattle_a_decaying_step_settles():
    model, sim = runs_of("linreg_mae", "gd", "gd", "adam")
    const, decayed = model.runs[0], model.runs[1]
    assert decayed.schedule == "inverse_time" and const.schedule == "constant"
    assert decayed.learning_rate == const.learning_rate
    T = sim.length(1) - 1
    np.testing.assert_allclose(sim.history.lr[:T, 1], decayed.learning_rate / (1 + 0.01 * np.arange(T)),
                               rtol=1e-12)
    minimum = np.asarray(sim.surface.minima[0].location)
    for k in (0, 2):  # constant α: still rattling at the end
        assert sim.status[k, 0] == Status.RUNNING
        assert np.mean(np.diff(loss(sim, k)[-500:]) > 0) > 0.2
        assert grad_norm(sim, k)[-100:].min() > 0.01 * grad_norm(sim, k)[0]  # |∇J| does not fade

    def distance(k):
        return np.linalg.norm(path(sim, k)[-200:] - minimum, axis=1).mean()

    assert distance(1) < distance(0) / 5 and distance(1) < distance(2) / 5


def test_linreg_l2_gradient_keeps_its_size_far_from_the_fit():
    _, sim = runs_of("linreg_l2", "gd", "adam")
    data = sim.surface.data
    design = np.column_stack([data.x, np.ones(data.n)])
    fit, *_ = np.linalg.lstsq(design, data.y, rcond=None)
    j_star = np.linalg.norm(design @ fit - data.y)  # the same minimiser as MSE; J* = ‖r*‖
    assert sim.surface.minima[0].value == pytest.approx(j_star, rel=1e-9)
    sigma = np.linalg.svd(design, compute_uv=False)
    # J grows linearly along a ray: J(W* + tδ) ≈ t‖Xδ‖ for large t.
    delta = np.array([0.3, -0.2])
    far = [sim.surface.f(fit + t * delta) for t in (100.0, 200.0)]
    assert far[1] / far[0] == pytest.approx(2.0, rel=1e-3)
    # ∇J = XᵀXδ/√(‖Xδ‖² + J*²), so while J ≥ 2J* (‖Xδ‖ ≥ √3 J*) |∇J| ≥ (√3/2)·σ_min.
    j, g = loss(sim, 0), grad_norm(sim, 0)
    far_steps = j >= 2 * j_star
    assert far_steps.sum() >= 5
    assert g[far_steps].min() >= np.sqrt(3) / 2 * sigma.min() * (1 - 1e-9)
    assert g[far_steps].max() <= sigma.max() * (1 + 1e-9)
    # Near the fit it slows down and converges.
    assert converged_to(sim, 0) == 0 and g[-1] < 1e-4 * g[0]


def test_logreg_bce_flat_where_confidently_right_gd_crawls_adam_does_not():
    model, sim = runs_of("logreg_bce", "gd", "adam")
    surface = sim.surface
    start = np.asarray(sim.starts[0])
    fit = np.asarray(surface.minima[0].location)
    p = surface.probability(start, surface.data.x)
    y = surface.data.y
    assert np.mean((p > 0.5) == (y == 1)) >= 0.8  # right on most points
    assert np.mean(np.where(y == 1, p > 0.9, p < 0.1)) >= 0.6  # confidently so: saturated
    # Flat: the gradient there is a fraction of the gradient as far away on the other side.
    assert np.linalg.norm(surface.grad(start)) < 0.25 * np.linalg.norm(surface.grad(2 * fit - start))
    step = [np.linalg.norm(np.diff(path(sim, k)[:101], axis=0), axis=1).mean() for k in range(2)]
    assert step[0] < 0.5 * step[1]  # GD crawls across the flat part, Adam strides
    # Whatever the α: GD's step α|∇J| is a small fraction of α there, Adam's about α per axis.
    alphas = [run.learning_rate for run in model.runs]
    assert step[0] / alphas[0] < 0.25 and step[1] / alphas[1] > 0.7
    finish = [settled_at(gap(sim, k), 1e-4) for k in range(2)]
    assert None not in finish and finish[1] < finish[0] / 2
    for k in range(2):
        assert converged_to(sim, k) == 0
