"""Basins of attraction: the NumPy reference against the compiled kernel, in one run.

Workload: 256 × 256 start points × 4 optimizers (momentum, AdaGrad, RMSProp, Adam, app
defaults) × 500 steps on Himmelblau = 131,072,000 particle-steps (every start counted for
all 500 steps, also those that stop early, so both paths are measured on the same count).
Also: the compile or cache-load time of the kernel (once per machine / per start), and the
coarse 64 × 64 map the app shows first (one optimizer, kernel already loaded).

    python benchmarks/bench_basins.py [--repeat 3]

Prints numbers and asserts nothing (speed belongs here, not in the tests).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from optviz.core import RunSpec, get_surface
from optviz.core import basins_compiled
from optviz.core.basins import compute_basins

OPTIMIZERS = ("momentum", "adagrad", "rmsprop", "adam")
RESOLUTION, STEPS = 256, 500


def workload(backend: str):
    surface = get_surface("himmelblau")
    results = []
    begin = time.perf_counter()
    for key in OPTIMIZERS:
        results.append(compute_basins(surface, RunSpec(key), resolution=RESOLUTION, steps=STEPS, backend=backend))
    return time.perf_counter() - begin, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions of the compiled path (best is shown)")
    args = parser.parse_args()
    steps = RESOLUTION * RESOLUTION * len(OPTIMIZERS) * STEPS
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}")
    print(f"workload: {RESOLUTION}x{RESOLUTION} starts x {len(OPTIMIZERS)} optimizers x {STEPS} steps on Himmelblau"
          f" = {steps / 1e6:.1f} M particle-steps")

    begin = time.perf_counter()
    ok = basins_compiled.kernel() is not None
    load = time.perf_counter() - begin
    if not ok:
        print(f"compiled kernel unavailable: {basins_compiled.error()}")
    else:
        print(f"compile / cache load (once):  {load:7.3f} s")

    numpy_s, numpy_results = workload("numpy")
    print(f"NumPy (reference Simulation): {numpy_s:7.3f} s   {steps / numpy_s / 1e6:8.1f} M particle-steps/s")
    if not ok:
        return
    compiled_s = min(workload("compiled")[0] for _ in range(max(1, args.repeat)))
    compiled_results = workload("compiled")[1]
    print(f"compiled (numba kernel):      {compiled_s:7.3f} s   {steps / compiled_s / 1e6:8.1f} M particle-steps/s")
    print(f"ratio NumPy / compiled:       {numpy_s / compiled_s:7.1f} x")
    same = all(np.array_equal(a.labels, b.labels) and np.array_equal(a.end_points, b.end_points, equal_nan=True)
               for a, b in zip(numpy_results, compiled_results))
    print(f"end points and labels identical: {same}")

    surface = get_surface("himmelblau")
    times = []
    for _ in range(5):
        r = compute_basins(surface, RunSpec("adam"), resolution=64, steps=STEPS, backend="compiled")
        times.append(r.seconds)
    print(f"coarse 64x64 map (Adam, {STEPS} steps): {min(times) * 1e3:6.1f} ms (best of 5; median "
          f"{sorted(times)[2] * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
