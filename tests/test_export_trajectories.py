"""Trajectory data: CSV rows and NPZ arrays against a Simulation built independently here,
including a run that stops early and one that diverges."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from optviz.app.window.model import RaceModel
from optviz.core import Simulation, Status, get_surface
from optviz.export import Race, export_csv, export_npz


def scenario() -> RaceModel:
    model = RaceModel("himmelblau", optimizers=("gd", "sgd", "adam"), start=(0.5, -0.5))
    model.runs[0].learning_rate = 0.01  # converges well before the limit
    model.runs[1].learning_rate = 0.3  # diverges
    model.seed = 3
    return model


STEPS = 400


@pytest.fixture(scope="module")
def sim() -> Simulation:
    model = scenario()
    return Simulation(get_surface("himmelblau"), [r.spec for r in model.runs], (0.5, -0.5), max_steps=STEPS,
                      seed=3, noise_scale=model.noise_scale).run()


@pytest.fixture(scope="module")
def race() -> Race:
    return Race.from_model(scenario(), STEPS)


def test_the_scenario_has_an_early_stop_and_a_divergence(sim):
    assert sim.status[0, 0] == Status.CONVERGED and sim.length(0) < STEPS + 1
    assert sim.status[1, 0] == Status.DIVERGED


def test_csv_has_one_row_per_run_and_step_with_the_simulations_numbers(tmp_path, race, sim):
    out = tmp_path / "runs.csv"
    export_csv(race, out)
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["run", "optimizer", "hyperparameters", "step", "w1", "w2", "loss", "grad_norm"]
    assert len(rows) == sum(sim.length(k) for k in range(sim.K))
    model = scenario()
    for k in range(sim.K):
        mine = [r for r in rows if r["run"] == model.runs[k].title]
        assert len(mine) == sim.length(k)
        assert {r["optimizer"] for r in mine} == {model.runs[k].optimizer}
        settings = dict(item.split("=") for item in mine[0]["hyperparameters"].split(";"))
        assert float(settings["learning_rate"]) == model.runs[k].learning_rate
        assert int(settings["batch_size"]) == sim.specs[k].effective_batch_size(sim.risk.n)
        steps = np.array([int(r["step"]) for r in mine])
        assert (steps == np.arange(sim.length(k))).all()
        got = np.array([[float(r[c]) for c in ("w1", "w2", "loss", "grad_norm")] for r in mine])
        want = np.column_stack([sim.history.positions[: sim.length(k), k, 0], sim.history.loss[: sim.length(k), k, 0],
                                sim.history.grad_norm[: sim.length(k), k, 0]])
        np.testing.assert_array_equal(got, want)  # bit for bit (repr round-trips), NaN/inf included


def test_npz_holds_the_same_arrays_and_loads_without_pickle(tmp_path, race, sim):
    out = tmp_path / "runs.npz"
    export_npz(race, out)
    data = np.load(out, allow_pickle=False)
    T = max(sim.length(k) for k in range(sim.K))
    assert data["positions"].shape == (T, sim.K, 2)
    for k in range(sim.K):
        n = sim.length(k)
        assert data["lengths"][k] == n
        np.testing.assert_array_equal(data["positions"][:n, k], sim.history.positions[:n, k, 0])
        np.testing.assert_array_equal(data["loss"][:n, k], sim.history.loss[:n, k, 0])
        np.testing.assert_array_equal(data["grad_norm"][:n, k], sim.history.grad_norm[:n, k, 0])
        assert np.isnan(data["positions"][n:, k]).all()
    assert list(data["runs"]) == [r.title for r in scenario().runs]
    assert list(data["optimizers"]) == ["gd", "sgd", "adam"]
    assert data["status"][1] == "diverged" and data["status"][0].startswith("converged")
    meta = json.loads(str(data["metadata"]))
    assert meta["preset"] == "himmelblau" and meta["seed"] == 3 and meta["start"] == [0.5, -0.5]
    assert meta["runs"][1]["hyperparameters"]["learning_rate"] == 0.3
