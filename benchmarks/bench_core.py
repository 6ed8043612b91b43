"""Core throughput: Adam particle-steps/s on Rosenbrock at N = 1, 1e4, 1e6 start points,
and the per-step latency of the GUI's case (8 optimizers × 1 point, history recorded) with
the NumPy and the compiled (numba) optimizer updates side by side.

Targets on the 2-core reference machine: >= 6e7 particle-steps/s at N = 1e6, and < 150 µs
per step for 8 optimizers at N = 1. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from optviz.core import OPTIMIZERS, RunSpec, Simulation, compiled, get_surface

ADAM = [RunSpec("adam", {"learning_rate": 1e-3})]


def particle_steps_per_second(n_points: int, steps: int, repeats: int = 3) -> float:
    surface = get_surface("rosenbrock")
    starts = np.random.default_rng(0).uniform([-2, -1], [2, 3], (n_points, 2))
    best = np.inf
    for _ in range(repeats):
        sim = Simulation(surface, ADAM, starts, max_steps=steps + 1, record=False, check_every=steps + 1)
        t0 = time.perf_counter()
        sim.step(steps)
        best = min(best, time.perf_counter() - t0)
    return n_points * steps / best


# Rates at which all eight keep moving on Rosenbrock for the whole measurement.
GUI_RATES = {"gd": 2e-4, "sgd": 2e-4, "minibatch": 2e-4, "momentum": 5e-5, "nesterov": 5e-5, "adagrad": 0.02,
             "rmsprop": 1e-3, "adam": 1e-3}


def gui_step_latency(backend: str, steps: int = 3000) -> list[float]:
    surface = get_surface("rosenbrock")
    runs = [RunSpec(key, {"learning_rate": GUI_RATES[key]}) for key in GUI_RATES]  # the first eight, as before
    sim = Simulation(surface, runs, surface.start, max_steps=steps + 100, record=True, backend=backend)
    sim.step(10)  # warm-up
    times = []
    assert sim.active().all()
    for _ in range(steps):
        t0 = time.perf_counter()
        sim.step(1)
        times.append(time.perf_counter() - t0)
    if not sim.active().all():
        print("  (warning: some runs stopped during the measurement)")
    return times


def main() -> None:
    print("Adam on Rosenbrock, Simulation.step without recording")
    for n, steps in ((1, 20_000), (10_000, 400), (1_000_000, 15)):
        rate = particle_steps_per_second(n, steps)
        print(f"  N = {n:>9,d}: {rate:12.3e} particle-steps/s")
    target = 6e7
    big = particle_steps_per_second(1_000_000, 15)
    print(f"  N = 1e6 vs target {target:.0e}: {big / target:.2f}x")
    print(f"GUI case, {len(GUI_RATES)} optimizers × 1 point, history recorded, per step:")
    backends = ["numpy"] + (["compiled"] if compiled.kernel() is not None else [])
    medians = {}
    for backend in backends:
        times = gui_step_latency(backend)
        medians[backend] = med = statistics.median(times) * 1e6
        p95 = float(np.percentile(times, 95)) * 1e6
        print(f"  {backend:9s} median {med:6.1f} µs, p95 {p95:6.1f} µs (target < 150 µs: {150 / med:.2f}x headroom)")
    if len(medians) == 2:
        print(f"  compiled vs NumPy: {medians['numpy'] / medians['compiled']:.2f}x")
    else:
        print(f"  compiled: unavailable ({compiled.error()})")


if __name__ == "__main__":
    main()
