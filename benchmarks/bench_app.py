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

Long session (issue 11): 8 runs with rates small enough that they keep moving for 100,000
steps, played at 20 steps/frame for a few seconds at step 1,000 and again near step 100,000
(reached by stepping in big jumps, as a session left playing would): steps/s, the frame time
(wall time per frame, paint included), the tick median and the process' resident memory at
each, and the ratios (target: frame time within 1.5×). 2D views offscreen; with xvfb-run (or
a DISPLAY) the same with the 3D view.

Swarm latency (issue 11): a 10,000-point swarm × 2 runs played at 100 steps/frame while
another thread posts an event to the GUI thread every 20 ms; the delay until each is handled
is the input latency a user feels. Printed: worst and 95th percentile (target: worst < 50 ms).

Run: python benchmarks/bench_app.py [--long] [--latency] (no option: everything)
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
    window.model.playback.playing = False
    c.sim.restart()
    c.sim.step(path_points)  # paths of 5,000 points before timing
    window.model.playback.steps_per_frame = steps_per_frame
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
    window.model.playback.playing = True
    loop.exec()
    window.model.playback.playing = False
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
    from optviz.app.window.main_window import MainWindow
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
    from optviz.app.window.main_window import MainWindow

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


LONG_RATES = {"gd": 2e-5, "sgd": 2e-5, "minibatch": 2e-5, "momentum": 1e-5, "nesterov": 1e-5, "adagrad": 0.002,
              "rmsprop": 1e-4, "adam": 1e-4}
LONG_STEPS = 100_000
LONG_SPF = 20
LONG_SECONDS = 3.0


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _play_for(window, app, seconds: float) -> dict:
    """Play with the window's own timer; tick times, frames, steps made (per run) and wall time."""
    from PySide6.QtCore import QEventLoop, QTimer

    c = window.controller
    tick, times = c.tick, []

    def timed_tick():
        t0 = time.perf_counter()
        tick()
        times.append(time.perf_counter() - t0)

    c.timer.timeout.disconnect()
    c.timer.timeout.connect(timed_tick)
    before = int(c.sim.steps.max())
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    t0 = time.perf_counter()
    window.model.playback.playing = True
    loop.exec()
    window.model.playback.playing = False
    elapsed = time.perf_counter() - t0
    c.timer.timeout.disconnect()
    c.timer.timeout.connect(tick)
    steps = int(c.sim.steps.max()) - before
    return {"at": before, "steps_per_s": steps / elapsed, "frame_ms": 1e3 * elapsed / max(len(times), 1),
            "tick_ms": 1e3 * statistics.median(times) if times else float("nan"), "rss": _rss_mb()}


def main_long(enable_3d: bool = False) -> None:
    from PySide6.QtCore import QSettings

    from optviz.app.main import create_application
    from optviz.app.window.main_window import MainWindow
    from optviz.core import compiled

    app = create_application()
    window = MainWindow(preset="rosenbrock", optimizers=list(RUNS), max_steps=LONG_STEPS, restore=False,
                        enable_3d=enable_3d, settings=QSettings(os.devnull, QSettings.Format.IniFormat))
    for run in window.model.runs:
        run.learning_rate = LONG_RATES[run.optimizer]
    window.model.playback.steps_per_frame = LONG_SPF
    window.resize(1920, 1080)
    window.show()
    app.processEvents()
    compiled.warm_up().join()
    c = window.controller
    views = "2D and 3D views (xvfb, Mesa)" if enable_3d else "2D views, offscreen"
    print(f"long session: 8 runs to step {LONG_STEPS:,}, {LONG_SPF} steps/frame, {views}, 1920×1080")
    results = []
    for target in (1_000, LONG_STEPS - LONG_SECONDS * 60 * LONG_SPF - 2_000):
        while c.sim.steps.max() < target:  # a session left playing, in big jumps
            c.sim.step(int(min(4_000, target - c.sim.steps.max())))
            c.advanced.emit()
            app.processEvents()
        r = _play_for(window, app, LONG_SECONDS)
        results.append(r)
        print(f"  at step {r['at']:7,d}: {r['steps_per_s']:6.0f} steps/s per run, frame {r['frame_ms']:6.2f} ms, "
              f"tick median {r['tick_ms']:6.2f} ms, memory {r['rss']:5.0f} MB")
    first, last = results
    print(f"  ratio step {last['at']:,} / step {first['at']:,}: frame time {last['frame_ms'] / first['frame_ms']:.2f}× "
          f"(target ≤ 1.5×), steps/s {last['steps_per_s'] / first['steps_per_s']:.2f}×, "
          f"memory +{last['rss'] - first['rss']:.0f} MB; {int(c.sim.active().sum())} of 8 runs still moving")
    window.close()


def main_long_3d() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    cmd = [sys.executable, os.path.abspath(__file__), "--long-3d-child"]
    if not env.get("DISPLAY"):
        if not shutil.which("xvfb-run"):
            print("long session with the 3D view: skipped (no DISPLAY and no xvfb-run)")
            return
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    print(proc.stdout.rstrip() or f"long session with the 3D view: failed\n{proc.stderr[-1500:]}")


LATENCY_POINTS = 10_000
LATENCY_SPF = 100
LATENCY_SECONDS = 4.0
PROBE_INTERVAL = 0.02


def main_latency() -> None:
    """Worst delay of an event posted to the GUI thread while a 10,000-point swarm plays."""
    import threading

    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QSettings, QTimer

    from optviz.app.main import create_application
    from optviz.app.window.main_window import MainWindow
    from optviz.core import compiled

    app = create_application()
    window = MainWindow(preset="rosenbrock", optimizers=["sgd", "adam"], max_steps=20_000, restore=False,
                        enable_3d=False, settings=QSettings(os.devnull, QSettings.Format.IniFormat))
    for run in window.model.runs:
        run.learning_rate = RATES[run.optimizer]
    window.model.swarm = {"kind": "random", "count": LATENCY_POINTS, "rect": None, "seed": 0}
    window.model.playback.steps_per_frame = LATENCY_SPF
    window.resize(1920, 1080)
    window.show()
    app.processEvents()
    compiled.warm_up().join()
    kind = QEvent.Type(QEvent.registerEventType())
    delays: list[float] = []

    class Probe(QEvent):
        def __init__(self) -> None:
            super().__init__(kind)
            self.posted = time.perf_counter()

    class Receiver(QObject):
        def event(self, e) -> bool:
            if e.type() == kind:
                delays.append(time.perf_counter() - e.posted)
                return True
            return super().event(e)

    receiver = Receiver()
    stop = threading.Event()

    def post() -> None:
        while not stop.wait(PROBE_INTERVAL):
            QCoreApplication.postEvent(receiver, Probe())

    c = window.controller
    steps_before = int(c.sim.steps.max())
    loop = QEventLoop()
    QTimer.singleShot(int(LATENCY_SECONDS * 1000), loop.quit)
    window.model.playback.playing = True
    app.processEvents()
    poster = threading.Thread(target=post, daemon=True)
    t0 = time.perf_counter()
    poster.start()
    loop.exec()
    stop.set()
    poster.join()
    elapsed = time.perf_counter() - t0
    window.model.playback.playing = False
    app.processEvents()
    steps = int(c.sim.steps.max()) - steps_before
    worst, p95 = 1e3 * max(delays), 1e3 * float(np.percentile(delays, 95))
    print(f"swarm latency: {LATENCY_POINTS:,} points × 2 runs, {LATENCY_SPF} steps/frame asked, offscreen 1920×1080")
    print(f"  input latency over {len(delays)} posted events: worst {worst:6.1f} ms, p95 {p95:6.1f} ms "
          f"(target worst < 50 ms: {'met' if worst < 50 else 'NOT met'}); {steps / elapsed:5.1f} steps/s")
    window.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["--long-3d-child"]:
        main_long(enable_3d=True)
        sys.exit(0)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if not args:
        main_2d()
        main_swarm()
        main_3d()
    if not args or "--long" in args:
        main_long()
        main_long_3d()
    if not args or "--latency" in args:
        main_latency()
