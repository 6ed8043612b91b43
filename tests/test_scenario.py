"""Scenario files: strict loading, round trips, the app's view names, and the lecture scenarios'
lessons measured on the core simulation."""

import copy
import json
import math
import os

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from optviz.core import RunSpec, Status, get_surface
from optviz.core.scenario import (
    MAX_FILE_BYTES,
    MAX_RUNS,
    SCENARIO_VERSION,
    Overlays,
    Scenario,
    ScenarioError,
    SurfaceRef,
    ViewSettings,
    builtin_scenarios,
    dump_scenario,
    load_scenario,
    loads_scenario,
    parse_scenario,
    save_scenario,
)
from optviz.core.surfaces.two_wells import TWO_WELLS_MINIMA

EXPECTED_FILES = [
    "01-learning-rate.json", "02-sgd-minibatch.json", "03-momentum-valley.json", "04-momentum-barrier.json",
    "05-adagrad-rmsprop.json", "06-adam-saddle.json", "07-lr-schedule.json", "08a-loss-mse.json",
    "08b-loss-mae.json", "08c-loss-cross-entropy.json",
]


def minimal(**overrides):
    data = {"version": 1, "title": "t", "surface": {"preset": "bowl"}, "start": [0.5, 0.5],
            "runs": [{"optimizer": "gd", "hyper": {"learning_rate": 0.1}}]}
    data.update(overrides)
    return data


def refused(data):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    return info.value


def builtin(name):
    return load_scenario({p.name: p for _, p in builtin_scenarios()}[name])


# --------------------------------------------------------------------------- the shipped files


def test_builtin_scenarios_in_lecture_order():
    listed = builtin_scenarios()
    assert [path.name for _, path in listed] == EXPECTED_FILES
    titles = [title for title, _ in listed]
    assert [t.split(".")[0] for t in titles] == ["1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c"]
    for title, path in listed:
        scenario = load_scenario(path)
        assert scenario.title == title
        assert 200 < len(scenario.note) < 1200 and "\n" not in scenario.note  # one paragraph
        # The files are in the canonical format: saving what was loaded rewrites them unchanged.
        assert dump_scenario(scenario) == path.read_text(encoding="utf-8")
        assert parse_scenario(json.loads(dump_scenario(scenario))) == scenario


def test_lesson_1_learning_rate():
    s = builtin("01-learning-rate.json")
    assert [r.optimizer for r in s.runs] == ["gd"] * 4
    small, good, edge, large = (r.hyper["learning_rate"] for r in s.runs)
    # Booth's Hessian [[10, 8], [8, 10]] has λ_max = 18: GD is stable for α < 2/18.
    lam_max = np.linalg.eigvalsh([[10.0, 8.0], [8.0, 10.0]]).max()
    assert small < good < 2 / lam_max < edge < large
    sim = s.simulation()
    sim.run()
    minimum = np.array([1.0, 3.0])  # Booth's minimum, J = 0
    start_distance = np.hypot(*(np.array(s.start) - minimum))
    assert sim.status[1, 0] == Status.CONVERGED and sim.steps[1] < s.max_steps / 2
    assert sim.status[3, 0] == Status.DIVERGED and sim.steps[3] == 1
    # Too small: still far from the minimum at the step limit.
    assert sim.status[0, 0] == Status.RUNNING and sim.steps[0] == s.max_steps
    assert np.hypot(*(sim.positions[0, 0] - minimum)) > 0.15 * start_distance
    # Just past 2/λ_max: the loss grows at every step until the run is gone.
    loss = sim.history.loss[: sim.length(2), 2, 0]
    assert np.all(np.diff(loss) > 0) and loss[-1] > 10 * loss[0]
    assert sim.status[2, 0] == Status.DIVERGED  # zig-zagged out of view with a growing loss


def test_lesson_2_noise_shrinks_with_the_batch_size():
    s = builtin("02-sgd-minibatch.json")
    batch = [r.batch_size for r in s.runs]
    assert batch == [1, 4, 16, None] and s.runs[3].optimizer == "gd"
    assert len({r.hyper["learning_rate"] for r in s.runs}) == 1
    sim = s.simulation()
    sim.run()
    data = sim.surface.data
    n = data.n

    def full_gradient(P):  # ∇ of (1/n) Σ (w xᵢ + b − yᵢ)², written out by hand
        r = P[:, :1] * data.x + P[:, 1:] - data.y
        return np.stack([(2 * r * data.x).mean(axis=1), (2 * r).mean(axis=1)], axis=-1)

    rms = []
    for k in range(4):
        T = sim.length(k) - 1
        used = sim.history.grad[:T, k, 0]
        noise = used - full_gradient(sim.history.positions[:T, k, 0])
        rms.append(float(np.sqrt((noise**2).sum(axis=-1).mean())))
    assert rms[0] > rms[1] > rms[2] > 0.0
    assert rms[3] < 1e-12  # GD uses the exact gradient
    # Sampling B of n without replacement: variance ∝ (n − B)/(B(n − 1)).
    for k, b in ((1, 4), (2, 16)):
        expected = math.sqrt((n - b) / (b * (n - 1)))
        assert 0.6 * expected < rms[k] / rms[0] < 1.5 * expected


def _valley_crossings(sim, k):
    path = sim.path(k)
    return int(np.sum(np.diff(np.sign(path[:, 1])) != 0)), float(np.abs(np.diff(path[:, 1])).sum())


def test_lesson_3_momentum_damps_the_zig_zag():
    s = builtin("03-momentum-valley.json")
    gd, mom = s.runs
    assert gd.optimizer == "gd" and mom.optimizer == "momentum"
    assert gd.hyper["learning_rate"] == mom.hyper["learning_rate"]
    kappa = s.surface.params["condition"]
    assert gd.hyper["learning_rate"] < 2 / kappa  # GD is stable, but close to the edge
    sim = s.simulation()
    sim.run()
    assert sim.status[0, 0] == sim.status[1, 0] == Status.CONVERGED
    gd_cross, gd_travel = _valley_crossings(sim, 0)
    mom_cross, mom_travel = _valley_crossings(sim, 1)
    assert mom_cross < gd_cross / 3  # far fewer crossings of the valley floor y = 0
    assert mom_travel < 0.6 * gd_travel  # less back-and-forth across the valley
    assert sim.steps[1] < sim.steps[0] / 2


def test_lesson_4_momentum_crosses_the_barrier():
    s = builtin("04-momentum-barrier.json")
    sim = s.simulation()
    sim.run()
    deep, shallow = TWO_WELLS_MINIMA
    assert deep.value < shallow.value
    assert sim.status[0, 0] == Status.CONVERGED and sim.status[1, 0] == Status.CONVERGED
    np.testing.assert_allclose(sim.positions[0, 0], shallow.location, atol=1e-4)  # GD: the first well
    np.testing.assert_allclose(sim.positions[1, 0], deep.location, atol=1e-4)  # momentum: the deep one
    assert sim.minimum[0, 0] == 1 and sim.minimum[1, 0] == 0


def test_lesson_5_adagrad_step_shrinks_rmsprop_keeps_going():
    s = builtin("05-adagrad-rmsprop.json")
    assert [r.optimizer for r in s.runs] == ["adagrad", "rmsprop"]
    sim = s.simulation()
    sim.run()
    minimum = np.array([3.5, 3.5])

    def effective_step(k):  # α/(ε + √r_t) per coordinate after each update
        r = sim.history.state["r"][1 : sim.length(k), k, 0]
        return s.runs[k].hyper["learning_rate"] / (s.runs[k].hyper["eps"] + np.sqrt(r))

    ada = effective_step(0)
    assert np.all(np.diff(ada, axis=0) <= 0)  # r only grows, so the step only shrinks
    assert np.all(ada[-1] < 0.8 * ada[0])
    rms = effective_step(1)
    assert np.all(rms[-1] > 3 * rms.min(axis=0))  # RMSProp forgets the wall: its step grows back
    moves = np.linalg.norm(np.diff(sim.path(0), axis=0), axis=-1)
    assert moves[-50:].mean() < moves[:10].mean() / 5  # AdaGrad slows to a crawl
    ada_distance = np.hypot(*(sim.positions[0, 0] - minimum))
    rms_distance = np.hypot(*(sim.positions[1, 0] - minimum))
    assert ada_distance > 2.0 and rms_distance < 0.05


def _escape_step(sim, k, level=-0.5):
    """First step at which J(W) = x² − y² is well below the saddle value 0."""
    loss = sim.history.loss[: sim.length(k), k, 0]
    below = np.flatnonzero(loss < level)
    return int(below[0]) if below.size else None


def test_lesson_6_adam_escapes_the_saddle_first():
    s = builtin("06-adam-saddle.json")
    assert [r.optimizer for r in s.runs] == ["adam", "momentum", "gd"]
    assert s.surface.preset == "saddle" and abs(s.start[1]) <= 1e-3
    sim = s.simulation()
    sim.run()
    adam, momentum, gd = (_escape_step(sim, k) for k in range(3))
    assert adam is not None and momentum is not None and gd is not None
    assert adam < 0.7 * momentum and momentum < gd
    assert not np.any(sim.history.positions[: adam + 1, 0, 0, 1] < 0)  # Adam heads straight off the ridge
    # The note's claim: Adam's escape hardly depends on how close to the ridge it starts,
    # momentum's does, and further off the ridge momentum catches up.
    times = {}
    for y0 in (1e-2, 1e-6):
        other = Scenario(**{**s.__dict__, "start": (s.start[0], y0)}).simulation()
        other.run()
        times[y0] = (_escape_step(other, 0), _escape_step(other, 1))
    assert abs(times[1e-6][0] - times[1e-2][0]) <= 0.1 * times[1e-2][0]
    assert times[1e-6][1] > 1.5 * times[1e-2][1]
    assert times[1e-2][1] < times[1e-2][0]


def test_lesson_7_decaying_schedule_settles_closer():
    s = builtin("07-lr-schedule.json")
    const, decayed = s.runs
    assert const.schedule == "constant" and decayed.schedule == "inverse_time"
    assert const.seed == decayed.seed and const.batch_size == decayed.batch_size == 1  # same samples
    sim = s.simulation()
    sim.run()
    alpha, decay = decayed.hyper["learning_rate"], decayed.schedule_params["decay"]
    t = np.arange(s.max_steps)
    np.testing.assert_allclose(sim.history.lr[: s.max_steps, 1], alpha / (1 + decay * t), rtol=1e-15)
    np.testing.assert_array_equal(sim.history.lr[: s.max_steps, 0], const.hyper["learning_rate"])
    minimum = sim.surface.minima[0].location
    last = slice(s.max_steps - 100, s.max_steps + 1)
    distance = np.hypot(*(sim.history.positions[last, :, 0] - minimum).transpose(2, 0, 1))
    assert distance[:, 1].mean() < 0.4 * distance[:, 0].mean()
    bounce = np.linalg.norm(np.diff(sim.history.positions[last, :, 0], axis=0), axis=-1).mean(axis=0)
    assert bounce[1] < 0.2 * bounce[0]


def test_lesson_8_loss_functions():
    mse, mae, bce = (builtin(n) for n in ("08a-loss-mse.json", "08b-loss-mae.json", "08c-loss-cross-entropy.json"))
    assert mse.runs == mae.runs == bce.runs  # the same runs on each loss
    assert (mse.surface.preset, mae.surface.preset, bce.surface.preset) == ("linreg_mse", "linreg_mae", "logreg_bce")
    s_mse, s_mae, s_bce = (x.surface.build() for x in (mse, mae, bce))
    # MSE and MAE see literally the same data; cross-entropy needs 0/1 labels (said in its note).
    np.testing.assert_array_equal(s_mse.data.x, s_mae.data.x)
    np.testing.assert_array_equal(s_mse.data.y, s_mae.data.y)
    assert set(np.unique(s_bce.data.y)) == {0.0, 1.0}
    assert "classification" in bce.note

    sim = mse.simulation()
    sim.run()
    assert (sim.status[:, 0] == Status.CONVERGED).all()
    gd_loss = sim.history.loss[: sim.length(0), 0, 0]
    assert np.all(np.diff(gd_loss) <= 1e-15)  # smooth: GD's loss falls at every step
    assert sim.history.grad_norm[sim.length(0) - 1, 0, 0] < 1e-5 * sim.history.grad_norm[0, 0, 0]

    sim = mae.simulation()
    sim.run()
    assert not (sim.status[:, 0] == Status.CONVERGED).any()
    gd_loss = sim.history.loss[: sim.length(0), 0, 0]
    grad_norm = sim.history.grad_norm[: sim.length(0), 0, 0]
    assert np.sum(np.diff(gd_loss[-500:]) > 0) > 100  # rattling around the kink
    assert grad_norm[-100:].min() > 0.01 * grad_norm[0]  # |∇J| does not fade near the fit

    sim = bce.simulation()
    sim.run()
    assert (sim.status[:, 0] == Status.CONVERGED).all() and (sim.minimum[:, 0] == 0).all()
    assert sim.steps[1] < sim.steps[0] / 2  # Adam is not slowed by the flat, saturated region


# --------------------------------------------------------------------------- strict loading


def test_minimal_file_takes_the_documented_defaults():
    s = parse_scenario(minimal())
    assert s.note == "" and s.seed == 0 and s.max_steps == 2000 and s.steps_per_frame == 2
    assert s.noise_scale is None and s.same_lr is False and s.version == SCENARIO_VERSION
    assert s.view == ViewSettings() and s.view.overlays == Overlays() and s.view.log_loss is True
    (run,) = s.runs
    assert run == RunSpec(optimizer="gd", hyper={"learning_rate": 0.1})


def test_an_old_files_run_colour_is_accepted_and_ignored():
    """Runs take their optimizer's look now; files written before still load, to the same race."""
    old = parse_scenario(minimal(runs=[{"optimizer": "gd", "color": "#E69F00"}, {"optimizer": "adam", "color": "#0072b2"}]))
    new = parse_scenario(minimal(runs=[{"optimizer": "gd"}, {"optimizer": "adam"}]))
    assert old == new
    assert "color" not in dump_scenario(old)
    for _, path in builtin_scenarios():
        assert '"color"' not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize(
    "data, field, words",
    [
        (minimal(version=3), "version", "scenario version 3 is newer than this optviz supports (1); update optviz"),
        (minimal(version=0), "version", ">= 1"),
        (minimal(version="1"), "version", "whole number"),
        ({k: v for k, v in minimal().items() if k != "version"}, "version", "required field is missing"),
        ({k: v for k, v in minimal().items() if k != "title"}, "title", "required field is missing"),
        ({k: v for k, v in minimal().items() if k != "runs"}, "runs", "required field is missing"),
        (minimal(max_step=3), "max_step", "did you mean 'max_steps'"),
        (minimal(colour="red"), "colour", "unknown key"),
        (minimal(title=""), "title", "must not be empty"),
        (minimal(title=7), "title", "must be a string"),
        (minimal(note="x" * 5000), "note", "too long"),
        (minimal(max_steps=True), "max_steps", "whole number, got true"),
        (minimal(max_steps=2000.5), "max_steps", "whole number, got 2000.5"),
        (minimal(max_steps=0), "max_steps", "in [1, 100000], got 0"),
        (minimal(max_steps=100001), "max_steps", "in [1, 100000]"),
        (minimal(steps_per_frame=101), "steps_per_frame", "in [1, 100]"),
        (minimal(seed=-1), "seed", "in [0,"),
        (minimal(noise_scale="0.5"), "noise_scale", 'must be a number, got "0.5"'),
        (minimal(noise_scale=-1.0), "noise_scale", "in [0, 1e+06]"),
        (minimal(noise_scale=float("inf")), "noise_scale", "finite"),
        (minimal(same_lr=1), "same_lr", "true or false"),
        (minimal(start=[0.5]), "start", "two numbers"),
        (minimal(start=[0.5, None]), "start[1]", "must be a number, got null"),
        (minimal(start=[0.5, float("nan")]), "start[1]", "finite"),
        (minimal(start=[9.0, 0.0]), "start", "outside the view box"),
        (minimal(surface={"preset": "nope"}), "surface.preset", "unknown surface \"nope\""),
        (minimal(surface={}), "surface", "either 'preset'"),
        (minimal(surface={"preset": "bowl", "params": {"condition": 3}}), "surface.params.condition",
         "unknown parameter of surface 'bowl'"),
        (minimal(surface={"preset": "narrow_valley", "params": {"condition": 0.5}}),
         "surface.params.condition", "condition number must be a finite number in [1, 10000], got 0.5"),
        (minimal(surface={"preset": "narrow_valley", "params": {"condition": False}}),
         "surface.params.condition", "must be a number, got false"),
        (minimal(surface={"preset": "linreg_mse", "params": {"n": 10**6}}), "surface.params.n", "in [2, 256]"),
        (minimal(surface={"preset": "logreg_bce", "params": {"n": 2}}), "surface.params",
         "cannot build surface 'logreg_bce' with these parameters"),
        (minimal(surface={"preset": "bowl"}, runs=[]), "runs", "at least one run"),
        (minimal(runs=[{"optimizer": "gd"}] * (MAX_RUNS + 1)), "runs", "at most 16"),
        (minimal(runs=[{"hyper": {}}]), "runs[0].optimizer", "required field is missing"),
        (minimal(runs=[{"optimizer": "lbfgs"}]), "runs[0].optimizer", "unknown optimizer \"lbfgs\""),
        (minimal(runs=[{"optimizer": "gd"}, {"optimizer": "gd", "hyper": {"learning_rate": -1}}]),
         "runs[1].hyper.learning_rate", "learning rate must be > 0, got -1"),
        (minimal(runs=[{"optimizer": "gd", "hyper": {"learning_rate": 20}}]), "runs[0].hyper.learning_rate",
         "learning rate must be in [1e-05, 10], got 20"),
        (minimal(runs=[{"optimizer": "gd", "hyper": {"learning_rate": True}}]), "runs[0].hyper.learning_rate",
         "must be a number, got true"),
        (minimal(runs=[{"optimizer": "gd", "hyper": {"beta": 0.9}}]), "runs[0].hyper.beta",
         "unknown hyperparameter of 'gd'"),
        (minimal(runs=[{"optimizer": "momentum", "hyper": {"beta": 1.5}}]), "runs[0].hyper.beta",
         "beta must be in [0, 1), got 1.5"),
        (minimal(runs=[{"optimizer": "adam", "hyper": {"eps": -1e-8}}]), "runs[0].hyper.eps", "eps must be >= 0"),
        (minimal(runs=[{"optimizer": "gd", "hyper": [0.1]}]), "runs[0].hyper", "must be an object"),
        (minimal(runs=[{"optimizer": "gd", "color": "red"}]), "runs[0].color", "#RRGGBB"),
        (minimal(runs=[{"optimizer": "gd", "visible": "yes"}]), "runs[0].visible", "true or false"),
        (minimal(runs=[{"optimizer": "gd", "batch_size": 0}]), "runs[0].batch_size", "in [1,"),
        (minimal(runs=[{"optimizer": "gd", "batch_size": 2.0}]), "runs[0].batch_size", "whole number"),
        (minimal(runs=[{"optimizer": "gd", "schedule": "warmup"}]), "runs[0].schedule", "unknown schedule"),
        (minimal(runs=[{"optimizer": "gd", "schedule": "step", "schedule_params": {"gamma": 2.0}}]),
         "runs[0].schedule_params.gamma", "gamma must be in (0, 1], got 2.0"),
        (minimal(runs=[{"optimizer": "gd", "schedule": "step", "schedule_params": {"decay": 0.1}}]),
         "runs[0].schedule_params.decay", "unknown parameter of the 'step' schedule"),
        (minimal(runs=[{"optimizer": "gd", "hyper": {"learning_rate": 0.1}, "schedule": "cosine",
                        "schedule_params": {"lr_min": 0.5}}]),
         "runs[0].schedule_params.lr_min", "lr_min must be in [0, lr]"),
        (minimal(runs=[{"optimizer": "gd", "label": "x" * 81}]), "runs[0].label", "too long"),
        (minimal(runs=[{"optimizer": "gd", "seed": -3}]), "runs[0].seed", "in [0,"),
        (minimal(view={"selected": 1}), "view.selected", "in [0, 0], got 1"),
        (minimal(view={"show_3d": None}), "view.show_3d", "true or false, got null"),
        (minimal(view={"overlays": {"arrows": True}}), "view.overlays.arrows", "unknown key"),
        (minimal(view=[]), "view", "must be an object"),
        (minimal(view={"show_3d": False, "show_contour": False}), "view.show_contour", "at least one"),
        (minimal(surface={"expression": "x + foo(y)", "view": {"xmin": 0, "xmax": 1, "ymin": 0, "ymax": 1}}),
         "surface.expression", "unknown function 'foo' at column 5"),
        (minimal(surface={"expression": "__import__('os').system('true')",
                          "view": {"xmin": 0, "xmax": 1, "ymin": 0, "ymax": 1}}),
         "surface.expression", "unknown function '__import__' at column 1"),
        (minimal(surface={"expression": "x", "view": {"xmin": 1, "xmax": 0, "ymin": 0, "ymax": 1}}),
         "surface.view.xmax", "greater than xmin"),
        (minimal(surface={"expression": "x", "view": {"xmin": 0, "xmax": 1, "ymin": 0}}),
         "surface.view.ymax", "required field is missing"),
        (minimal(surface={"expression": "x", "view": {"xmin": 0, "xmax": 1, "ymin": 0, "ymax": 1},
                          "preset": "bowl"}), "surface.preset", "unknown key"),
        ([1, 2], "scenario", "must be a JSON object"),
    ],
)
def test_refused_with_the_field_named(data, field, words):
    err = refused(data)
    assert err.field == field
    assert words in str(err)
    assert str(err).startswith(f"{field}: ")


def test_refused_text():
    cases = [
        ('{"version": 1,', None, "invalid JSON at line 1, column 15"),
        ('{\n  "version": 1\n  "title": "t"\n}', None, "line 3, column 3"),
        (b"\xff\xfe{}", None, "not UTF-8"),
        ('{"version": NaN}', "version", "whole number, got NaN"),
        (json.dumps(minimal()).replace('"learning_rate": 0.1', '"learning_rate": Infinity'),
         "runs[0].hyper.learning_rate", "finite number, got Infinity"),
        (json.dumps(minimal()).replace('"learning_rate": 0.1', '"learning_rate": 1e999'),
         "runs[0].hyper.learning_rate", "finite number, got inf"),
        ('{"version": 1, "version": 1}', "version", "duplicate key"),
        (json.dumps(minimal()).replace('"optimizer": "gd"', '"optimizer": "gd", "optimizer": "adam"'),
         "runs[0].optimizer", "duplicate key"),
        ("[" * 100_000 + "]" * 100_000, None, "nested too deeply"),
        ('{"version": 1' + "0" * 5000 + "}", None, "invalid JSON"),
        ("null", "scenario", "must be a JSON object"),
        ("", None, "invalid JSON at line 1, column 1"),
    ]
    for text, field, words in cases:
        with pytest.raises(ScenarioError) as info:
            loads_scenario(text, source="case.json")
        assert info.value.field == field, text[:60]
        assert words in str(info.value), (text[:60], str(info.value))
        assert info.value.source == "case.json"
    err = pytest.raises(ScenarioError, loads_scenario, '{\n  "version": 1\n  "title": "t"\n}').value
    assert (err.line, err.column) == (3, 3)


def test_size_limit_and_bom(tmp_path):
    big = json.dumps(minimal(note="")).replace('"note": ""', '"note": "' + "x" * MAX_FILE_BYTES + '"')
    with pytest.raises(ScenarioError, match="too large"):
        loads_scenario(big)
    path = tmp_path / "big.json"
    path.write_text(big, encoding="utf-8")
    with pytest.raises(ScenarioError, match="too large"):
        load_scenario(path)
    bom = "\ufeff" + json.dumps(minimal())
    assert load_scenario_bytes(bom.encode("utf-8")) == parse_scenario(minimal())
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.json")


def load_scenario_bytes(data):
    return loads_scenario(data)


def test_custom_expression_scenario():
    data = minimal(surface={"expression": "x^2 + 10*y^2", "view": {"xmin": -2, "xmax": 2, "ymin": -1, "ymax": 1}},
                   start=[-1.5, 0.8], runs=[{"optimizer": "gd", "hyper": {"learning_rate": 0.05}}], max_steps=1000)
    s = parse_scenario(data)
    assert s.surface == SurfaceRef.custom("x^2 + 10*y^2", (-2, 2, -1, 1))
    assert s.surface.is_custom
    sim = s.simulation()
    sim.run()
    assert sim.status[0, 0] == Status.CONVERGED and sim.minimum[0, 0] == 0
    assert loads_scenario(dump_scenario(s)) == s


# --------------------------------------------------------------------------- saving


def test_save_is_atomic_and_validated(tmp_path, monkeypatch):
    s = parse_scenario(minimal(title="first"))
    path = tmp_path / "race.json"
    save_scenario(s, path)
    assert load_scenario(path) == s
    # An invalid scenario is refused before anything is written.
    bad = Scenario(**{**s.__dict__, "max_steps": 0})
    with pytest.raises(ScenarioError, match="max_steps"):
        save_scenario(bad, path)
    nan = Scenario(**{**s.__dict__, "start": (float("nan"), 0.0)})
    with pytest.raises(ScenarioError):
        save_scenario(nan, path)
    # A failure while replacing leaves the old file and no temporary file.
    second = Scenario(**{**s.__dict__, "title": "second"})

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        save_scenario(second, path)
    monkeypatch.undo()
    assert load_scenario(path).title == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.json"]
    save_scenario(second, path)
    assert load_scenario(path).title == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.json"]


# --------------------------------------------------------------------------- view settings under the app's names


def test_view_settings_under_the_app_names():
    view = ViewSettings(show_3d=False, show_equations=False, log_loss=False, selected=2,
                        overlays=Overlays(momentum=True, vector_field=True))
    app = view.to_app()
    assert app == {"show_3d": False, "show_contour": True, "show_equations": False, "log_loss": False,
                   "overlay_gradient": False, "overlay_momentum": True, "overlay_step_size": False,
                   "overlay_field": True, "selected": 2}
    assert ViewSettings.from_app(app) == view
    assert ViewSettings.from_app({}) == ViewSettings()


# --------------------------------------------------------------------------- hypothesis

finite = st.floats(allow_nan=False, allow_infinity=False)
text = st.text(max_size=40)

HYPER = {
    "learning_rate": st.floats(1e-5, 10.0),
    "beta": st.floats(0.0, 0.999),
    "rho": st.floats(0.0, 0.999),
    "rho1": st.floats(0.0, 0.999),
    "rho2": st.floats(0.0, 0.999),
    "eps": st.floats(0.0, 1e-3),
}
OPTIMIZER_HYPER = {
    "gd": ("learning_rate",), "sgd": ("learning_rate",), "minibatch": ("learning_rate",),
    "momentum": ("learning_rate", "beta"), "nesterov": ("learning_rate", "beta"),
    "adagrad": ("learning_rate", "eps"), "rmsprop": ("learning_rate", "rho", "eps"),
    "adam": ("learning_rate", "rho1", "rho2", "eps"),
}


@st.composite
def runs(draw):
    key = draw(st.sampled_from(sorted(OPTIMIZER_HYPER)))
    names = draw(st.lists(st.sampled_from(OPTIMIZER_HYPER[key]), unique=True))
    hyper = {name: draw(HYPER[name]) for name in names}
    lr = hyper.get("learning_rate", {"adagrad": 0.1, "adam": 0.05}.get(key, 0.01))
    schedule = draw(st.sampled_from(["constant", "step", "exponential", "inverse_time", "cosine"]))
    params = {
        "constant": st.just({}),
        "step": st.fixed_dictionaries({}, optional={"step_size": st.integers(1, 1000), "gamma": st.floats(0.01, 1.0)}),
        "exponential": st.fixed_dictionaries({}, optional={"gamma": st.floats(0.5, 1.0)}),
        "inverse_time": st.fixed_dictionaries({}, optional={"decay": st.floats(0.0, 1.0)}),
        "cosine": st.fixed_dictionaries({}, optional={"total_steps": st.integers(1, 1000),
                                                      "lr_min": st.floats(0.0, lr)}),
    }[schedule]
    run = {"optimizer": key, "hyper": hyper, "schedule": schedule, "schedule_params": draw(params)}
    optional = {
        "label": st.text(SHOWN, max_size=80),
        "color": st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True),  # older files; ignored
        "visible": st.booleans(),
        "batch_size": st.none() | st.integers(1, 64),
        "seed": st.integers(0, 2**63 - 1),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            run[name] = draw(strategy)
    return run


#: Characters a title or label may hold (optviz.core.limits.text_problem): no control characters,
#: line separators or lone surrogates; a note may also hold newlines.
SHOWN = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029")

SURFACES = st.one_of(
    st.builds(lambda: {"preset": "bowl"}),  # a fresh dict per example: the tests mutate them
    st.fixed_dictionaries({"preset": st.just("narrow_valley")},
                          optional={"params": st.fixed_dictionaries(
                              {}, optional={"condition": st.floats(1.0, 1e4), "angle": st.floats(-360, 360)})}),
    st.fixed_dictionaries({"preset": st.sampled_from(["linreg_mse", "linreg_mae", "logreg_bce"])},
                          optional={"params": st.fixed_dictionaries(
                              {}, optional={"n": st.integers(2, 40), "seed": st.integers(0, 1000)})}),
    st.builds(lambda e, x0, w, y0, h: {"expression": e, "view": {"xmin": x0, "xmax": x0 + w, "ymin": y0,
                                                                 "ymax": y0 + h}},
              st.sampled_from(["x^2 + y^2", "sin(x)*cos(y)", "log(1 + exp(x*y))", "(1 - x)^2 + 100*(y - x^2)^2"]),
              st.floats(-10, 10), st.floats(0.5, 10), st.floats(-10, 10), st.floats(0.5, 10)),
)


@st.composite
def valid_scenarios(draw):
    surface = draw(SURFACES)
    if "expression" in surface:
        v = surface["view"]
        bounds = (v["xmin"], v["xmax"], v["ymin"], v["ymax"])
    else:
        try:
            view = get_surface(surface["preset"], **surface.get("params", {})).view
        except ValueError:  # some small logistic data sets cannot be fitted (reported upstream)
            assume(False)
        bounds = view.as_tuple()
    fx, fy = draw(st.floats(0, 1)), draw(st.floats(0, 1))
    start = [bounds[0] + fx * (bounds[1] - bounds[0]), bounds[2] + fy * (bounds[3] - bounds[2])]
    start = [min(max(start[0], bounds[0]), bounds[1]), min(max(start[1], bounds[2]), bounds[3])]
    run_list = draw(st.lists(runs(), min_size=1, max_size=4))
    data = {"version": 1, "title": draw(st.text(SHOWN, min_size=1, max_size=200).filter(str.strip)),
            "surface": surface, "start": start, "runs": run_list}
    optional = {
        "note": st.text(SHOWN | st.just("\n"), max_size=300),
        "seed": st.integers(0, 2**63 - 1),
        "max_steps": st.integers(1, 100_000),
        "steps_per_frame": st.integers(1, 100),
        "noise_scale": st.none() | st.floats(0.0, 1e6),
        "same_lr": st.booleans(),
        "view": st.fixed_dictionaries({}, optional={
            "show_3d": st.booleans(), "show_contour": st.booleans(), "show_equations": st.booleans(),
            "log_loss": st.booleans(),
            "overlays": st.fixed_dictionaries({}, optional={n: st.booleans() for n in
                                                             ("gradient", "momentum", "step_size", "vector_field")}),
            "selected": st.integers(0, len(run_list) - 1)}).filter(
                lambda v: v.get("show_3d", True) or v.get("show_contour", True)),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            data[name] = draw(strategy)
    return data


@settings(max_examples=120, deadline=None)
@given(data=valid_scenarios())
def test_valid_scenarios_round_trip(data):
    scenario = parse_scenario(data)
    text = dump_scenario(scenario)
    assert parse_scenario(json.loads(text)) == scenario
    assert loads_scenario(text) == scenario
    assert dump_scenario(loads_scenario(text)) == text  # stable output


def _paths(value, prefix=""):
    """Every JSON path in ``value`` with its parent container and key."""
    if isinstance(value, dict):
        for key, child in value.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path, value, key
            yield from _paths(child, path)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            path = f"{prefix}[{i}]"
            yield path, value, i
            yield from _paths(child, path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(data=valid_scenarios(), pick=st.integers(0, 10**6), value=json_values, mode=st.sampled_from(
    ["bogus", "random", "delete"]))
def test_malformed_scenarios_fail_cleanly(data, pick, value, mode):
    data = copy.deepcopy(data)
    paths = list(_paths(data))
    path, parent, key = paths[pick % len(paths)]
    if mode == "bogus":
        parent[key] = {"__bogus__": 1}  # never valid where any field is expected
    elif mode == "random":
        parent[key] = value
    elif isinstance(parent, dict):
        del parent[key]
    else:
        parent.pop(key)
    try:
        parse_scenario(data)
    except ScenarioError as err:
        assert err.field, str(err)
        if mode == "bogus":
            assert err.field.startswith(path), (err.field, path)
        return
    assert mode != "bogus"


@settings(max_examples=150, deadline=None)
@given(data=valid_scenarios(), cuts=st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=3)), max_size=3))
def test_corrupted_bytes_fail_cleanly(data, cuts):
    raw = bytearray(json.dumps(data).encode("utf-8"))
    for position, replacement in cuts:
        i = position % (len(raw) + 1)
        raw[i : i + len(replacement)] = replacement
    try:
        result = loads_scenario(bytes(raw))
    except ScenarioError:
        return
    assert isinstance(result, Scenario)


@settings(max_examples=100, deadline=None)
@given(blob=st.binary(max_size=200) | st.text(max_size=200))
def test_arbitrary_input_fails_cleanly(blob):
    try:
        loads_scenario(blob)
    except ScenarioError:
        pass
