"""Export speed: optviz's exporter against the matplotlib script a lecturer would write.

One animation, rendered both ways in one run: 300 frames at 1920×1080 of the contour view of
Rosenbrock with 5 paths (GD, SGD, momentum, RMSProp, Adam from (-1.5, 2)), a legend and a
step counter, saved as H.264 MP4 at 30 fps.

* matplotlib: ``contourf`` of the log-loss with iso-lines, one ``ax.plot`` line and head
  marker per run updated with ``set_data`` in a ``FuncAnimation``, a legend, a text step
  counter, saved with ``FFMpegWriter(fps=30)`` through the ffmpeg binary of imageio-ffmpeg.
* optviz: ``optviz.export.export_animation`` (static map painted once, only the paths drawn
  per frame, encoding on a second thread).

Both compute their own trajectories (optviz.core) inside the timed region. Prints both times
and the ratio; the target is optviz >= 5x faster. The two videos are kept (``--out``) so they
can be compared by eye. Not a timed test.

Needs the bench extra: ``pip install -e ".[bench]"`` (matplotlib, imageio-ffmpeg).

Run: python benchmarks/bench_export.py [--repeat 3] [--frames 300] [--out /tmp/optviz-bench]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

PRESET = "rosenbrock"
OPTIMIZERS = ("gd", "sgd", "momentum", "rmsprop", "adam")
START = (-1.5, 2.0)
WIDTH, HEIGHT, FPS = 1920, 1080, 30


def race_model():
    from optviz.app.window.model import RaceModel

    return RaceModel(PRESET, optimizers=OPTIMIZERS, start=START)


def matplotlib_script(out: Path, frames: int) -> None:
    """What a typical user writes: FuncAnimation + FFMpegWriter, trajectories from optviz.core."""
    import imageio_ffmpeg
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.animation import FFMpegWriter, FuncAnimation

    from optviz.core import Simulation, get_surface

    plt.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    model = race_model()
    surface = get_surface(PRESET)
    sim = Simulation(surface, [run.spec for run in model.runs], START, max_steps=frames - 1).run()
    P = sim.history.positions

    xs, ys, Z = surface.grid(300, 300)
    X, Y = np.meshgrid(xs, ys)
    fig, ax = plt.subplots(figsize=(WIDTH / 100, HEIGHT / 100), dpi=100)
    ax.contourf(X, Y, np.log10(Z + 1e-3), levels=40, cmap="Blues_r")
    ax.contour(X, Y, np.log10(Z + 1e-3), levels=14, colors="k", linewidths=0.6, alpha=0.4)
    ax.plot(*surface.minima[0].location, "w*", markersize=18, markeredgecolor="k")
    ax.set_xlabel("x", fontsize=16)
    ax.set_ylabel("y", fontsize=16)
    ax.set_title(surface.title, fontsize=22)
    lines, heads = [], []
    for run in model.runs:
        (line,) = ax.plot([], [], lw=3, color=run.color, label=run.title)
        (head,) = ax.plot([], [], "o", color=run.color, markersize=10, markeredgecolor="k")
        lines.append(line)
        heads.append(head)
    ax.legend(loc="upper right", fontsize=16)
    counter = ax.text(0.02, 0.95, "", transform=ax.transAxes, fontsize=20)

    def update(i):
        for k, (line, head) in enumerate(zip(lines, heads)):
            n = min(i, sim.length(k) - 1)
            line.set_data(P[: n + 1, k, 0, 0], P[: n + 1, k, 0, 1])
            head.set_data([P[n, k, 0, 0]], [P[n, k, 0, 1]])
        counter.set_text(f"step {i}")
        return [*lines, *heads, counter]

    anim = FuncAnimation(fig, update, frames=frames, blit=True)
    anim.save(str(out), writer=FFMpegWriter(fps=FPS))
    plt.close(fig)


def optviz_export(out: Path, frames: int) -> None:
    from optviz.export import AnimationSettings, FrameSpec, Race, export_animation

    race = Race.from_model(race_model(), steps=frames - 1)
    export_animation(race, out, AnimationSettings(FrameSpec("contour", WIDTH, HEIGHT), fps=FPS))


def decoded_frames(path: Path) -> tuple[int, float]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for _ in container.decode(stream)), float(stream.average_rate)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="rounds (each times both, alternating)")
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--out", type=Path, default=Path("/tmp/optviz-bench"), help="folder for the two videos")
    args = parser.parse_args()
    try:
        import imageio_ffmpeg  # noqa: F401
        import matplotlib  # noqa: F401
    except ImportError as err:
        print(f"bench_export: needs the bench extra (pip install -e '.[bench]'): {err}", file=sys.stderr)
        return 2
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter needs it
    args.out.mkdir(parents=True, exist_ok=True)
    mpl_out, ov_out = args.out / "bench_matplotlib.mp4", args.out / "bench_optviz.mp4"
    times = {"matplotlib": [], "optviz": []}
    for r in range(args.repeat):
        order = (("matplotlib", matplotlib_script, mpl_out), ("optviz", optviz_export, ov_out))
        for name, fn, out in order if r % 2 == 0 else order[::-1]:
            t0 = time.perf_counter()
            fn(out, args.frames)
            times[name].append(time.perf_counter() - t0)
            print(f"round {r + 1}: {name:10s} {times[name][-1]:7.2f} s", flush=True)
    mpl, ov = statistics.median(times["matplotlib"]), statistics.median(times["optviz"])
    print(f"\n{args.frames} frames, {WIDTH}x{HEIGHT}, {PRESET}, {len(OPTIMIZERS)} paths, legend + step counter, "
          f"{os.cpu_count()} CPUs")
    for name, path in (("matplotlib", mpl_out), ("optviz", ov_out)):
        n, fps = decoded_frames(path)
        print(f"  {name:10s} median {statistics.median(times[name]):7.2f} s   "
              f"({n} frames at {fps:g} fps, {path.stat().st_size / 1e6:.1f} MB: {path})")
    print(f"  ratio      optviz is {mpl / ov:.1f}x faster (target >= 5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
