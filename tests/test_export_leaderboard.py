"""The leaderboard in exported frames: drawn on the final frame only when asked for, its rows in
the order a hand computation from an independent simulation gives, held at the end of an
animation, and reachable from ``optviz export --leaderboard``."""

from __future__ import annotations

import os
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from optviz.app.window.model import RaceModel  # noqa: E402
from optviz.core import Simulation, get_surface  # noqa: E402
from optviz.export import AnimationJob, AnimationSettings, FrameRenderer, FrameSpec, Race  # noqa: E402
from optviz.export.job import image_array  # noqa: E402

STEPS = 400
OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")
TOL = 1e-4


def scenario() -> RaceModel:
    return RaceModel("narrow_valley", optimizers=OPTIMIZERS)


@pytest.fixture(scope="module")
def race() -> Race:
    return Race.from_model(scenario(), STEPS)


def hand_order() -> list[int]:
    """Rank by hand from a simulation built here: the step from which J − 0 ≤ TOL holds to the
    end (J* = 0 on the valley; one after the last step outside), earliest first; runs whose last
    loss is outside after them, by final loss."""
    model = scenario()
    surface = get_surface("narrow_valley")
    sim = Simulation(surface, [r.spec for r in model.runs], model.start, max_steps=STEPS, seed=model.seed).run()
    keys = []
    for k in range(sim.K):
        losses = sim.history.loss[: sim.length(k), k, 0]
        outside = [t for t, j in enumerate(losses) if j > TOL]
        settled = losses[-1] <= TOL
        keys.append((0, outside[-1] + 1 if outside else 0, k) if settled else (1, float(losses[-1]), k))
    return [k for *_, k in sorted(keys)]


def frame(race, step, leaderboard, size=(1920, 1080)) -> np.ndarray:
    r = FrameRenderer(race, FrameSpec("contour", *size, leaderboard=leaderboard, tolerance=TOL))
    try:
        image = r.render(step)  # kept alive while its pixels are copied
        return image_array(image)[..., 2::-1].copy()  # BGRA → RGB
    finally:
        r.close()


def rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])


def test_the_leaderboard_is_drawn_on_the_final_frame_in_the_ranked_order(qapp, race):
    last = race.last_step
    plain, board = frame(race, last, False), frame(race, last, True)
    diff = np.abs(board.astype(int) - plain).sum(axis=-1) > 30
    assert diff.sum() > 5000  # a whole table, not a stray pixel
    ys, xs = np.nonzero(diff)
    assert xs.min() > 0.5 * board.shape[1]  # in the legend panel beside the map, never over the paths
    # Earlier frames are untouched.
    assert np.array_equal(frame(race, 10, False), frame(race, 10, True))
    # Each run's swatch (its exact colour) in the table: top to bottom in the hand-computed order.
    box = board[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
    centre = []
    for run, look in zip(race.runs, race.looks):
        hit = np.nonzero((box == rgb(look.color)).all(axis=-1))
        assert hit[0].size > 50, run.title
        centre.append(hit[0].mean())
    assert list(np.argsort(centre)) == hand_order()


def test_the_saddle_card_ranks_by_final_loss_and_says_so(qapp):
    """No J* (J unbounded below): the card's rows are in final-loss order from an independent
    simulation, the third column is the steps taken, and the title and a line say why."""
    from optviz.export.leaderboard import LeaderboardCard
    from optviz.export import style as st
    from PySide6.QtCore import QRectF

    model = RaceModel("saddle", optimizers=OPTIMIZERS)
    saddle = Race.from_model(model, 2000)
    sim = Simulation(get_surface("saddle"), [r.spec for r in model.runs], model.start, max_steps=2000,
                     seed=model.seed).run()
    finals = [float(sim.history.loss[sim.length(k) - 1, k, 0]) for k in range(sim.K)]
    card = LeaderboardCard(saddle, st.Style(1.0), TOL, QRectF(0, 0, 1200, 800))
    assert card.order == sorted(range(sim.K), key=finals.__getitem__)
    assert card.headers[2] == "Steps taken" and [r[2] for r in card.rows] == [
        f"{sim.length(k) - 1:,}" for k in card.order]
    assert "by final loss" in card.title and "unbounded below" in card.rule
    assert card.height > card.title_h + card.row_h * (len(card.rows) + 1)  # room for the rule line
    # Drawn: the final frame differs from the plain one by a whole table.
    last = saddle.last_step
    plain, board = frame(saddle, last, False), frame(saddle, last, True)
    assert (np.abs(board.astype(int) - plain).sum(axis=-1) > 30).sum() > 5000


def test_small_frames_without_a_legend_panel_get_the_table_over_the_map(qapp, race):
    last = race.last_step
    plain, board = frame(race, last, False, (640, 640)), frame(race, last, True, (640, 640))
    assert (np.abs(board.astype(int) - plain).sum(axis=-1) > 30).sum() > 2000


def test_animations_hold_the_final_frame_with_the_leaderboard(qapp, race, tmp_path):
    fps = 10
    plain = AnimationJob(race, tmp_path / "a.gif", AnimationSettings(FrameSpec("contour", 320, 180), fps, 40))
    held = AnimationJob(race, tmp_path / "b.gif",
                        AnimationSettings(FrameSpec("contour", 320, 180, leaderboard=True), fps, 40))
    assert held.total == plain.total + 2 * fps
    assert list(held.steps[plain.total:]) == [race.last_step] * (2 * fps)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "optviz", "export", *args], capture_output=True, text=True,
                          timeout=180)


def test_cli_flag_draws_the_leaderboard(tmp_path):
    common = ("--preset", "narrow_valley", "--optimizers", ",".join(OPTIMIZERS), "--steps", "200",
              "--size", "960x540")
    with_board, without = tmp_path / "with.png", tmp_path / "without.png"
    proc = run_cli(*common, "--leaderboard", "--tolerance", "1e-6", "--out", str(with_board))
    assert proc.returncode == 0, proc.stderr
    assert run_cli(*common, "--out", str(without)).returncode == 0
    a = np.asarray(Image.open(with_board).convert("RGB"), dtype=int)
    b = np.asarray(Image.open(without).convert("RGB"), dtype=int)
    assert a.shape == b.shape == (540, 960, 3)
    assert (np.abs(a - b).sum(axis=-1) > 30).sum() > 2000
    bad = run_cli(*common, "--leaderboard", "--tolerance", "-1", "--out", str(tmp_path / "x.png"))
    assert bad.returncode == 2 and "--tolerance" in bad.stderr and not (tmp_path / "x.png").exists()
    assert "--leaderboard" in run_cli("--help").stdout
