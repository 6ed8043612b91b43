"""What the 2D views cost per frame, offscreen at 1920×1080 (numbers, not tests).

    python benchmarks/bench_views.py

* the head-of-run overlays (gradient, momentum, step size, field) per frame: target < 1 ms;
* the contour map's update_runs per frame with eight 4,000-step paths: target < 10 ms;
* the first paint of a run bouncing all over the map (drawn thin): target < 2 s.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402

from optviz.app.main import create_application  # noqa: E402

app = create_application(["bench-views"])

from PySide6.QtCore import QSettings  # noqa: E402

from optviz.app.views.contour_view import ContourView  # noqa: E402
from optviz.render.inputs import RunStyle, SurfaceGrid  # noqa: E402
from optviz.app.window.main_window import MainWindow  # noqa: E402
from optviz.core import RunSpec, Simulation, get_surface  # noqa: E402
from optviz.core.scale import value_scale  # noqa: E402
from optviz.look import run_looks  # noqa: E402


def settle(seconds: float = 0.2) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def grid(surface, n=200):
    xs, ys, z = surface.grid(n, n)
    return SurfaceGrid(xs, ys, z, value_scale(surface, z))


def overlays_per_frame() -> float:
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(restore=False, enable_3d=False, settings=settings)
    w.resize(1920, 1080)
    w.show()
    settle()
    m = w.model
    m.add_run("adam")
    m.selected = len(m.runs) - 1
    m.view.overlay_gradient = m.view.overlay_momentum = m.view.overlay_step_size = m.view.overlay_field = True
    sim = w.controller.sim
    times = []
    for _ in range(150):
        sim.step(1)
        start = time.perf_counter()
        w.classroom.overlays.update(sim)
        times.append(time.perf_counter() - start)
    w.close()
    return statistics.median(times)


def contour_per_frame() -> tuple[float, float]:
    surface = get_surface("rosenbrock")
    specs = [RunSpec("gd", {"learning_rate": 10.0 ** -e}) for e in np.linspace(3.0, 4.0, 8)]
    sim = Simulation(surface, specs, surface.start, max_steps=5000)
    sim.run()
    view = ContourView()
    view.resize(1200, 900)
    view.set_surface(surface, grid(surface))
    looks = run_looks(["gd"] * 8)
    view.set_runs([RunStyle(f"run {k}", look.color, True, look.dash, look.marker) for k, look in enumerate(looks)])
    view.show()
    settle()
    sim.steps[:] = 4000
    view.update_runs(sim)
    view.grab()
    start = time.perf_counter()
    for frame in range(30):
        sim.steps[:] = 4001 + frame
        view.update_runs(sim)
    per_frame = (time.perf_counter() - start) / 30

    surface = get_surface("rastrigin")
    sim = Simulation(surface, [RunSpec("gd", {"learning_rate": 0.05}), RunSpec("gd", {"learning_rate": 1e-3})],
                     surface.start, max_steps=1500)
    sim.run()
    heavy = ContourView()
    heavy.resize(1200, 900)
    heavy.set_surface(surface, grid(surface))
    heavy.set_runs([RunStyle("fast", "#0F2DFF", True), RunStyle("slow", "#EC6A00", True)])
    heavy.update_runs(sim)
    heavy.show()
    settle()
    start = time.perf_counter()
    heavy.grab()
    return per_frame, time.perf_counter() - start


def main() -> None:
    overlay = overlays_per_frame()
    frame, first_paint = contour_per_frame()
    print(f"overlays per frame (median)          {overlay * 1e3:7.3f} ms   target < 1 ms")
    print(f"contour update_runs per frame        {frame * 1e3:7.3f} ms   target < 10 ms")
    print(f"first paint of a bouncing run        {first_paint * 1e3:7.1f} ms   target < 2000 ms")


if __name__ == "__main__":
    main()
