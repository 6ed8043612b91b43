"""Timer-tick cost of the real main window: 8 runs racing with 5,000-point paths.

A tick is what the QTimer does each frame: step the simulation by ``steps_per_frame`` and
update every 2D view (contour paths, loss and gradient plots, readouts), then paint. Printed:
median and 95th percentile at 10 and 100 steps per frame, offscreen at 1920×1080.
Targets: median <= 5 ms at 10 steps/frame, < 16 ms at 100. With an X server (or xvfb-run on
the PATH) it also times one 3D frame of a 200×200 mesh under Mesa.

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
RUNS = ("gd", "sgd", "minibatch", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
RATES = {"gd": 2e-4, "sgd": 2e-4, "minibatch": 2e-4, "momentum": 5e-5, "nesterov": 5e-5, "adagrad": 0.02,
         "rmsprop": 1e-3, "adam": 1e-3}


def time_ticks(window, app, steps_per_frame: int, ticks: int) -> tuple[list[float], list[float]]:
    c = window.controller
    window.model.playing = False
    c.sim.restart()
    c.sim.step(PATH_POINTS)  # paths of 5,000 points before timing
    window.model.steps_per_frame = steps_per_frame
    window.model.playing = True  # as during a race; we drive the ticks ourselves
    c.timer.stop()
    app.processEvents()
    tick_times, paint_times = [], []
    for _ in range(ticks):
        t0 = time.perf_counter()
        c.tick()
        t1 = time.perf_counter()
        app.processEvents()  # the repaint the tick scheduled
        t2 = time.perf_counter()
        tick_times.append(t1 - t0)
        paint_times.append(t2 - t0)
    window.model.playing = False
    return tick_times, paint_times


def report(label: str, times: list[float], target_ms: float) -> None:
    med = statistics.median(times) * 1e3
    p95 = float(np.percentile(times, 95)) * 1e3
    print(f"  {label:38s} median {med:6.2f} ms   p95 {p95:6.2f} ms   (target {target_ms:g} ms: {target_ms / med:4.1f}x)")


def main_2d() -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings

    from optviz.app.main import create_application
    from optviz.app.main_window import MainWindow

    app = create_application()
    settings = QSettings(os.devnull, QSettings.Format.IniFormat)
    window = MainWindow(preset="rosenbrock", optimizers=list(RUNS), max_steps=PATH_POINTS + 40_000, restore=False,
                        enable_3d=False, settings=settings)
    for run in window.model.runs:
        run.learning_rate = RATES[run.optimizer]
    window.resize(1920, 1080)
    window.show()
    app.processEvents()
    print("optviz main window, offscreen 1920×1080, 8 runs, 5,000-point paths")
    for spf, target, ticks in ((10, 5.0, 300), (100, 16.0, 150)):
        tick, painted = time_ticks(window, app, spf, ticks)
        active = int(window.controller.sim.active().sum())
        report(f"{spf:3d} steps/frame: step + view updates", tick, target)
        report(f"{spf:3d} steps/frame: ... + repaint", painted, 16.0)
        print(f"  ({active} of 8 runs still moving at the end)")


GL_SCRIPT = r"""
import os, time, statistics
os.environ["QT_QPA_PLATFORM"] = "xcb"
from optviz.app.main import create_application
app = create_application()
from optviz.app.controller import SurfaceGrid
from optviz.app.surface_view import SurfaceView
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
    main_3d()
