"""``optviz export``: the issue's example end to end, help with examples, a progress bar on
stderr, exit code 0, and one-line errors with a non-zero exit code for bad values."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys

import av
import numpy as np
import pytest
from PIL import Image

from optviz.core import Simulation, get_surface


def run_cli(*args, env=None, timeout=180):
    return subprocess.run([sys.executable, "-m", "optviz", "export", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def one_line(proc) -> str:
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_help_shows_the_options_and_examples():
    proc = run_cli("--help")
    assert proc.returncode == 0
    for text in ("--preset", "--optimizers", "--lr", "--start", "--steps", "--view", "--size", "--fps",
                 "--steps-per-frame", "--out", "examples:", "xvfb-run"):
        assert text in proc.stdout


def test_the_issue_example_writes_the_video_it_describes(tmp_path):
    out = tmp_path / "race.mp4"
    proc = run_cli("--preset", "rosenbrock", "--optimizers", "sgd,momentum,adam", "--lr", "1e-3,1e-3,1e-2",
                   "--start", "-1.5,2", "--steps", "90", "--view", "contour", "--size", "640x360", "--fps", "30",
                   "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "100%" in proc.stderr and "frames" in proc.stderr  # the progress bar
    assert str(out) in proc.stdout
    # The same race simulated here: the video has one frame per step up to the longest run.
    from optviz.app.window.model import RaceModel

    model = RaceModel("rosenbrock", optimizers=("sgd", "momentum", "adam"), start=(-1.5, 2.0))
    for run, lr in zip(model.runs, (1e-3, 1e-3, 1e-2)):
        run.learning_rate = lr
    sim = Simulation(get_surface("rosenbrock"), [r.spec for r in model.runs], (-1.5, 2.0), max_steps=90).run()
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(s)]
        assert s.average_rate == 30 and (s.codec_context.width, s.codec_context.height) == (640, 360)
    assert len(frames) == max(sim.length(k) for k in range(sim.K))
    assert np.abs(frames[-1].astype(int) - frames[0]).max() > 100


def test_png_gif_and_trajectories_by_suffix(tmp_path):
    png, gif, csv = tmp_path / "a.png", tmp_path / "a.gif", tmp_path / "a.csv"
    assert run_cli("--preset", "himmelblau", "--size", "720p", "--steps", "50", "--out", str(png)).returncode == 0
    with Image.open(png) as im:
        assert im.size == (1280, 720)
    proc = run_cli("--preset", "himmelblau", "--size", "320x180", "--steps", "40", "--steps-per-frame", "4",
                   "--fps", "20", "-q", "--out", str(gif))
    assert proc.returncode == 0 and proc.stderr == ""  # --quiet: no progress bar
    with Image.open(gif) as im:
        assert im.size == (320, 180) and im.n_frames == math.ceil(40 / 4) + 1
    assert run_cli("--preset", "himmelblau", "--steps", "30", "--out", str(csv)).returncode == 0
    assert csv.read_text().startswith("run,optimizer,hyperparameters,step,w1,w2,loss,grad_norm")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--preset", "nope"], "unknown preset 'nope'"),
        (["--optimizers", "gd,lbfgs"], "unknown optimizer 'lbfgs'"),
        (["--size", "1920by1080"], "--size must be WIDTHxHEIGHT"),
        (["--size", "1281x720"], "even width and height"),
        (["--fps", "thirty"], "argument --fps: invalid int value"),
        (["--lr", "1e-3,fast"], "--lr must be numbers"),
        (["--lr", "1e-3,1e-2"], "--lr needs one value or one per optimizer (3)"),  # the narrow valley's race
        (["--lr", "50"], "learning rate must be in"),
        (["--start", "1,two"], "--start must be two numbers"),
        (["--steps", "0"], "--steps must be in [1, 100000]"),
        (["--view", "top"], "argument --view: invalid choice"),
    ],
)
def test_bad_values_give_one_line_and_exit_code_2(tmp_path, args, message):
    proc = run_cli(*args, "--out", str(tmp_path / "race.mp4"))
    assert proc.returncode == 2
    assert message in one_line(proc)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_paths_give_one_line_and_a_nonzero_exit(tmp_path):
    proc = run_cli("--out", str(tmp_path / "missing" / "race.mp4"))
    assert proc.returncode == 2 and "does not exist" in one_line(proc)
    proc = run_cli("--out", str(tmp_path / "race.avi"))
    assert proc.returncode == 2 and "--out must end in" in one_line(proc)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    immutable = False
    if os.access(locked, os.W_OK):  # root: the immutable attribute stops even root
        immutable = bool(shutil.which("chattr")) and subprocess.run(["chattr", "+i", str(locked)]).returncode == 0
        if not immutable:
            pytest.skip("cannot make a folder unwritable here")
    try:
        proc = run_cli("--steps", "20", "--size", "320x180", "-q", "--out", str(locked / "race.mp4"))
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(locked)])
        locked.chmod(0o700)
    assert proc.returncode != 0
    line = one_line(proc)
    assert f"annot write to {locked}" in line and ("permission denied" in line or "not permitted" in line)
    assert list(locked.iterdir()) == []


def test_3d_without_an_x_server_says_so_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    for view in ("3d", "side"):
        proc = run_cli("--view", view, "--out", str(tmp_path / "race.mp4"), env=env)
        assert proc.returncode == 1
        line = one_line(proc)
        assert "3D export needs an X server or EGL" in line and "xvfb-run" in line
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["DISPLAY"] = ":99"
    proc = run_cli("--view", "3d", "--out", str(tmp_path / "race.png"), env=env)
    assert proc.returncode == 1 and "3D export needs an X server" in one_line(proc)
    assert list(tmp_path.iterdir()) == []


def test_the_app_invocation_is_unchanged():
    from optviz import cli

    args = cli.build_parser().parse_args(cli.glue_negative_values(["--preset", "rosenbrock", "--start", "-1.5,2"]))
    assert args.preset == "rosenbrock" and cli.parse_pair(args.start, "--start") == (-1.5, 2.0)
    proc = subprocess.run([sys.executable, "-m", "optviz", "--preset", "nope"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "unknown preset 'nope'" in proc.stderr


def test_ctrl_c_stops_the_export_and_deletes_the_partial_file(tmp_path):
    import signal
    import time

    out = tmp_path / "long.mp4"
    # GD crawling along Rosenbrock's valley: a race that runs all 20,000 steps (the launch race
    # converges within 200, and the export would be over before Ctrl+C).
    proc = subprocess.Popen([sys.executable, "-m", "optviz", "export", "--preset", "rosenbrock", "--optimizers", "gd",
                             "--lr", "1e-4", "--steps", "20000", "--size", "640x360", "--out", str(out)],
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while not list(tmp_path.glob(".long.mp4.*.part")) and time.time() < deadline:
            time.sleep(0.05)
        assert list(tmp_path.glob(".long.mp4.*.part")), "the export never started writing"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "optviz export: interrupted; no file was written"
    assert list(tmp_path.iterdir()) == []


def test_an_export_that_ends_before_steps_says_why_in_one_line(tmp_path):
    # On the bowl every run converges long before 300 steps: the race (and so the export) ends
    # at the last step any run moved, and the CLI says so instead of silently writing fewer.
    from optviz.app.window.model import RaceModel

    model = RaceModel("bowl")
    sim = Simulation(get_surface("bowl"), [r.spec for r in model.runs], model.start, max_steps=300).run()
    last = max(sim.length(k) for k in range(sim.K)) - 1
    assert last < 300
    outcomes = [sim.describe(k) for k in range(sim.K)]
    assert set(outcomes) == {"converged to minimum 1"}
    for name in ("runs.csv", "final.png"):
        proc = run_cli("--preset", "bowl", "--steps", "300", "--size", "320x180", "--out", str(tmp_path / name))
        assert proc.returncode == 0, proc.stderr
        notes = [line for line in proc.stdout.splitlines() if line.startswith("note:")]
        assert notes == [f"note: the race ends at step {last}, not 300: every run had stopped by then "
                         f"({sim.K} converged to minimum 1)"]
    # One run to the step limit: nothing to explain.
    proc = run_cli("--preset", "rosenbrock", "--optimizers", "gd", "--steps", "50", "--out", str(tmp_path / "r.csv"))
    assert proc.returncode == 0 and "note:" not in proc.stdout and "(1 run, 51 rows)" in proc.stdout
