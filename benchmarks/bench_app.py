"""Timer-tick cost of the real main window: 8 runs racing with 5,000-point paths.

A tick is what the QTimer does each frame: step the simulation by ``steps_per_frame`` and
update the 2D views (contour paths every frame; loss and gradient plots and readouts at
most every ``SECONDARY_INTERVAL``, ~15 Hz, while playing). Printed, offscreen at 1920×1080,
at 10 and 100 steps per frame:

* the race played by its own QTimer for a few seconds, as a user sees it: median and 95th
  percentile of the tick, and the frames and steps per second achieved (paint included);
* the worst frame, every view updated in the tick (back-to-back ticks, painted after each).

Targets: tick median <= 5 ms at 10 steps/frame, < 16 ms at 100. With an X server (or
xvfb-run on the PATH) it also times one 3D frame of a 200×200 mesh under Mesa.

A swarm of 1,000 points per run (4 runs: SGD, mini-batch, momentum, Adam on Rosenbrock)
is timed the same way, plus the repaint of the contour view with its dots and tails; the
target is 60 frames/s (tick + repaint < 16.7 ms).

Run: python benchmarks/bench_app.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

PATH_POINTS = 5000
PLAY_SECONDS = 4.0
RUNS = ("gd", "sgd", "minibatch", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
RATES = {"gd": 2e-4, "sgd": 2e-4, "minibatch": 2e-4, "momentum": 5e-5, "nesterov": 5e-5, "adagrad": 0.02,
         "rmsprop": 1e-3, "adam": 1e-3}


def prepare(window, app, steps_per_frame: int, path_points: int = PATH_POINTS) -> None:
    c = window.controller
    window.model.playing = False
    c.sim.restart()
    c.sim.step(path_points)  # paths of 5,000 points before timing
    window.model.steps_per_frame = steps_per_frame
    c.advanced.emit()
    app.processEvents()


def play(window, app, steps_per_frame: int, path_points: int = PATH_POINTS) -> tuple[list[float], float, int]:
    """Let the window's own timer run the race; returns tick times, seconds, steps made."""
    from PySide6.QtCore import QEventLoop, QTimer

    prepare(window, app, steps_per_frame, path_points)
    c = window.controller
    tick, times = c.tick, []

    def timed_tick():
        t0 = time.perf_counter()
        tick()
        times.append(time.perf_counter() - t0)

    c.timer.timeout.disconnect()
    c.timer.timeout.connect(timed_tick)
    before = int(c.sim.steps.sum())
    loop = QEventLoop()
    QTimer.singleShot(int(PLAY_SECONDS * 1000), loop.quit)
    t0 = time.perf_counter()
    window.model.playing = True
    loop.exec()
    window.model.playing = False
    elapsed = time.perf_counter() - t0
    c.timer.timeout.disconnect()
    c.timer.timeout.connect(tick)
    return times, elapsed, int(c.sim.steps.sum()) - before


def worst_frames(window, app, steps_per_frame: int, ticks: int) -> list[float]:
    """Back-to-back ticks that each update every view, painted after each."""
    prepare(window, app, steps_per_frame)  # not playing: a tick redraws every view
    c = window.controller
    times = []
    for _ in range(ticks):
        t0 = time.perf_counter()
        c.tick()
        times.append(time.perf_counter() - t0)
        app.processEvents()
    return times


def report(label: str, times: list[float], target_ms: float | None = None) -> None:
    med = statistics.median(times) * 1e3
    p95 = float(np.percentile(times, 95)) * 1e3
    target = f"   (target {target_ms:g} ms: {target_ms / med:4.1f}x)" if target_ms else ""
    print(f"  {label:44s} median {med:6.2f} ms   p95 {p95:6.2f} ms{target}")


def main_2d() -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings

    from optviz.app.main import create_application
    from optviz.app.main_window import MainWindow
    from optviz.core import compiled

    app = create_application()
    settings = QSettings(os.devnull, QSettings.Format.IniFormat)
    window = MainWindow(preset="rosenbrock", optimizers=list(RUNS), max_steps=PATH_POINTS + 60_000, restore=False,
                        enable_3d=False, settings=settings)
    for run in window.model.runs:
        run.learning_rate = RATES[run.optimizer]
    window.resize(1920, 1080)
    window.show()
    app.processEvents()
    compiled.warm_up().join()  # the app does this in the background at start-up
    backend = "compiled (numba)" if compiled.ready() else f"NumPy ({compiled.error()})"
    print(f"optviz main window, offscreen 1920×1080, 8 runs, 5,000-point paths; optimizer updates: {backend}")
    for spf, target in ((10, 5.0), (100, 16.0)):
        times, elapsed, steps = play(window, app, spf)
        report(f"{spf:3d} steps/frame, playing: tick", times, target)
        print(f"  {'':44s} {len(times) / elapsed:5.1f} frames/s, {steps / elapsed / len(RUNS):7.0f} steps/s per run")
        report(f"{spf:3d} steps/frame, worst frame (all views)", worst_frames(window, app, spf, 60))
        print(f"  ({int(window.controller.sim.active().sum())} of 8 runs still moving at the end)")


SWARM_RUNS = ("sgd", "minibatch", "momentum", "adam")


def main_swarm() -> None:
    from PySide6.QtCore import QSettings

    from optviz.app.main import create_application
    from optviz.app.main_window import MainWindow

    app = create_application()
    window = MainWindow(preset="rosenbrock", optimizers=list(SWARM_RUNS), max_steps=20_000, restore=False,
                        enable_3d=False, settings=QSettings(os.devnull, QSettings.Format.IniFormat))
    for run in window.model.runs:
        run.learning_rate = RATES[run.optimizer]
    window.model.swarm = {"kind": "random", "count": 1000, "rect": None, "seed": 0}
    window.resize(1920, 1080)
    window.show()
    app.processEvents()
    print(f"swarm: 1,000 points × {len(SWARM_RUNS)} runs, dots with {8}-step tails on the contour map")
    for spf in (2, 10):
        times, elapsed, _ = play(window, app, spf, path_points=20)
        report(f"{spf:3d} steps/frame, playing: tick", times)
        print(f"  {'':44s} {len(times) / elapsed:5.1f} frames/s (target 60)")
    contour = window.contour
    paints = []
    for _ in range(30):
        window.controller.tick()
        contour.viewport().update()
        t0 = time.perf_counter()
        contour.viewport().repaint()
        paints.append(time.perf_counter() - t0)
    report("contour repaint with the swarm", paints)
    window.close()


GL_SCRIPT = r"""
import os, time, statistics
os.environ["QT_QPA_PLATFORM"] = "xcb"
from optviz.app.main import create_application
app = create_application()
from optviz.render.inputs import SurfaceGrid
from optviz.render.surface_view import SurfaceView
from optviz.core import get_surface
from optviz.core.scale import value_scale
s = get_surface("rosenbrock")
xs, ys, z = s.grid(200, 200)
view = SurfaceView()
view.resize(960, 720)
view.show()
view.set_surface(s, SurfaceGrid(xs, ys, z, value_scale(s, z)))
app.processEvents()
view.grabFramebuffer()
times = []
for _ in range(15):
    t0 = time.perf_counter()
    view.grabFramebuffer()
    times.append(time.perf_counter() - t0)
print(f"  3D frame, 200x200 mesh, 960x720, Mesa software GL: median {statistics.median(times)*1e3:.1f} ms")
"""


def main_3d() -> None:
    env = dict(os.environ)
    cmd = [sys.executable, "-c", GL_SCRIPT]
    if not env.get("DISPLAY"):
        if not shutil.which("xvfb-run"):
            print("  3D frame: skipped (no DISPLAY and no xvfb-run)")
            return
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    print(proc.stdout.rstrip() or f"  3D frame: failed\n{proc.stderr[-1500:]}")


if __name__ == "__main__":
    main_2d()
    main_swarm()
    main_3d()
