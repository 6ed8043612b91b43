"""Command line: ``optviz`` opens the app, optionally in a given state; ``optviz export``
writes a PNG, MP4, GIF, CSV or NPZ of a race without opening a window."""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

from . import __version__
from .core.limits import (
    LEARNING_RATE_RANGE,
    MAX_RUNS,
    MAX_SEED,
    MAX_STEPS_LIMIT,
    recording_problem,
    start_problem,
)

EXAMPLES = """\
examples:
  optviz                                   the narrow valley, GD vs momentum vs RMSProp vs Adam
  optviz --preset rosenbrock --start -1.5,2
  optviz --preset himmelblau --optimizers sgd,momentum,adam
  optviz --preset saddle --optimizers gd,adam --max-steps 500
  optviz export --preset rosenbrock --out race.mp4     headless export (optviz export --help)
"""

EXPORT_EXAMPLES = """\
The file's suffix picks the format: .mp4 (H.264), .gif, .png (the race at its last step),
.csv or .npz (trajectories). Frames come from trajectories computed in advance, so the same
options give the same frames on any machine. The 2D view renders offscreen; the 3D views
(3d, side) need an X server or EGL, e.g. under xvfb-run.

examples:
  optviz export --preset rosenbrock --optimizers sgd,momentum,adam --lr 1e-3,1e-3,1e-2 \\
                --start -1.5,2 --steps 400 --view contour --size 1920x1080 --fps 30 --out race.mp4
  optviz export --preset himmelblau --optimizers gd,adam --size 1280x720 --fps 25 --out race.gif
  optviz export --preset narrow_valley --size 4k --out valley.png
  optviz export --preset narrow_valley --steps 600 --leaderboard --tolerance 1e-6 --out finish.png
  optviz export --preset rosenbrock --steps 2000 --out runs.csv
  xvfb-run -a optviz export --preset beale --view side --out side.mp4
"""

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080), "4k": (3840, 2160), "2160p": (3840, 2160)}
EXPORT_SUFFIXES = (".mp4", ".gif", ".png", ".csv", ".npz")
MAX_FPS = 240  #: frames per second of any export (a GIF takes at most 50)
PATH_MAX = 4096  #: bytes of a path, with its terminating NUL (Linux)


#: Exit codes: a bad option or value (nothing was done), and a failure of the work itself.
EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


class CliError(ValueError):
    """A bad command-line value; printed as one line, exit code 2."""


def parse_pair(text: str, what: str) -> tuple[float, float]:
    parts = text.replace(" ", "").split(",")
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise CliError(f"{what} must be two numbers like -1.5,2 — got {text!r}") from None
    if not all(math.isfinite(v) for v in (x, y)):
        raise CliError(f"{what} must be finite, got {text!r}")
    return x, y


def check_start(start: tuple[float, float], preset: str) -> tuple[float, float]:
    """``start`` if it lies in the preset's view box, as a scenario file's start must."""
    from .core import get_surface

    problem = start_problem(*start, get_surface(preset).view)
    if problem:
        raise CliError(f"--start {problem}")
    return start


def parse_optimizers(text: str) -> list[str]:
    from .core.optimizers import OPTIMIZERS

    keys = [k.strip().lower() for k in text.split(",")]
    if not any(keys):
        raise CliError(f"--optimizers needs at least one name, e.g. gd,adam; got {text!r}")
    if not all(keys):
        raise CliError(f"--optimizers has an empty name (two commas or a comma at an end): {text!r}")
    unknown = [k for k in keys if k not in OPTIMIZERS]
    if unknown:
        raise CliError(f"unknown optimizer {unknown[0]!r}; choose from: {', '.join(OPTIMIZERS)}")
    if len(keys) > MAX_RUNS:
        raise CliError(f"--optimizers has {len(keys):,} entries, at most {MAX_RUNS}")
    return keys


def check_seed(seed: int, what: str = "--seed") -> int:
    if not 0 <= seed <= MAX_SEED:
        raise CliError(f"{what} must be a whole number in [0, {MAX_SEED}], got {seed}")
    return seed


def check_out(text: str) -> Path:
    """The output path, if the file system can hold its name (checked before any stat, which
    would fail on a name that is too long)."""
    from .core.files import NAME_MAX

    if "\0" in text:
        raise CliError("--out must not contain a NUL character")
    out = Path(text).expanduser()
    name = os.fsencode(out.name)
    if len(name) > NAME_MAX:
        raise CliError(f"--out: the file name is {len(name)} bytes long, at most {NAME_MAX}")
    if len(os.fsencode(out.absolute())) >= PATH_MAX:
        raise CliError(f"--out: the path is too long (at most {PATH_MAX - 1} bytes)")
    return out


def check_preset(name: str) -> str:
    from .core import surface_keys

    if name not in surface_keys():
        raise CliError(f"unknown preset {name!r}; choose from: {', '.join(surface_keys())}")
    return name


def parse_size(text: str) -> tuple[int, int]:
    """``1920x1080`` (or 720p, 1080p, 4k) → (width, height)."""
    key = text.strip().lower()
    if key in SIZES:
        return SIZES[key]
    m = re.fullmatch(r"(\d+)\s*[x×*]\s*(\d+)", key)
    if not m:
        raise CliError(f"--size must be WIDTHxHEIGHT like 1920x1080 (or 720p, 1080p, 4k), got {text!r}")
    w, h = int(m.group(1)), int(m.group(2))
    if not (64 <= w <= 8192 and 64 <= h <= 8192):
        raise CliError(f"--size must be within 64…8192 pixels a side, got {w}x{h}")
    return w, h


def parse_numbers(text: str, what: str, count: int) -> list[float]:
    """One number for all, or ``count`` comma-separated numbers (e.g. one α per optimizer)."""
    parts = [p for p in text.replace(" ", "").split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise CliError(f"{what} must be numbers like 1e-3,0.01 — got {text!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise CliError(f"{what} must be finite, got {text!r}")
    if len(values) == 1:
        return values * count
    if len(values) != count:
        raise CliError(f"{what} needs one value or one per optimizer ({count}), got {len(values)}")
    return values


def glue_negative_values(argv: list[str]) -> list[str]:
    """``--start -1.5,2`` → ``--start=-1.5,2``: argparse takes "-1.5,2" for an option."""
    out: list[str] = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and re.match(r"^-(\.?\d|inf|nan)", token, re.IGNORECASE):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="optviz",
        description="Watch GD, SGD, momentum, AdaGrad, RMSProp and Adam race across loss surfaces.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"optviz {__version__}")
    parser.add_argument("--preset", help="surface to open, e.g. rosenbrock (default: narrow_valley)")
    parser.add_argument("--optimizers", help="comma-separated race entries, e.g. gd,momentum,rmsprop,adam "
                                             "(default: the preset's own race)")
    parser.add_argument("--start", help="start point x,y, e.g. -1.5,2 (default: the preset's)")
    parser.add_argument("--max-steps", type=int, help="step limit of every run (default 2000)")
    parser.add_argument("--play", action="store_true", help="start the race at once")
    parser.add_argument("--fresh", action="store_true", help="ignore the settings saved from the last session")
    parser.add_argument("--install-desktop", action="store_true",
                        help="add optviz to your desktop's application menu (~/.local/share) and exit")
    return parser


class _OneLineParser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage dump): "optviz export: error: …", exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_export_parser() -> argparse.ArgumentParser:
    from .export.frames import VIEWS

    parser = _OneLineParser(
        prog="optviz export",
        description="Export a race as a PNG image, an MP4 or GIF animation, or CSV/NPZ trajectories, "
                    "without opening a window.",
        epilog=EXPORT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", "-o", required=True, help=f"output file: {', '.join(EXPORT_SUFFIXES)}")
    parser.add_argument("--scenario", metavar="FILE",
                        help="a scenario file (.json, as File > Save scenario writes): its surface, start, runs and "
                             "seed make the race (not combinable with --preset, --optimizers, --lr, --start, --seed)")
    parser.add_argument("--preset", default="narrow_valley", help="surface, e.g. rosenbrock (default: narrow_valley)")
    parser.add_argument("--optimizers", help="comma-separated race entries, e.g. gd,momentum,adam "
                                             "(default: the preset's own race)")
    parser.add_argument("--lr", help="learning rates: one for all or one per run, e.g. 1e-3,1e-3,1e-2 "
                                     "(default: the race's own, or the preset's recommended rates)")
    parser.add_argument("--start", help="start point x,y, e.g. -1.5,2 (default: the preset's)")
    parser.add_argument("--steps", type=int, default=400,
                        help="step limit of every run (default 400); the animation ends when every run has stopped")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mini-batch order and noise (default 0)")
    parser.add_argument("--view", choices=list(VIEWS), default="contour",
                        help="contour (default), 3d, or side (contour + 3D + loss plot)")
    parser.add_argument("--size", default="1920x1080", help="WIDTHxHEIGHT or 720p, 1080p, 4k (default 1920x1080)")
    parser.add_argument("--fps", type=int, default=30, help="frames per second (default 30; GIF at most 50)")
    parser.add_argument("--steps-per-frame", type=int, default=1, help="optimizer steps per frame (default 1)")
    parser.add_argument("--no-title", action="store_true", help="leave out the preset's title and caption")
    parser.add_argument("--leaderboard", action="store_true",
                        help="draw the finish leaderboard (steps to the tolerance, final loss, outcome) on the final "
                             "frame; animations hold that frame for 2 s")
    parser.add_argument("--tolerance", type=float, default=None,
                        help="the leaderboard's tolerance on J - J* (default 1e-4)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    return parser


def _export_options(args) -> dict:
    """Check every value before anything is computed; CliError with one line on the first bad one.

    An option given with an empty value (``--lr ''``) is an error, not the default. The limits
    are those of scenario files and the app (:mod:`optviz.core.limits`)."""
    from .core import get_surface

    preset = check_preset(args.preset)
    # Without --optimizers the export races the preset's own race (None), as the app does.
    keys = parse_optimizers(args.optimizers) if args.optimizers is not None else None
    runs = len(keys) if keys else len(get_surface(preset).race)
    rates = parse_numbers(args.lr, "--lr", runs) if args.lr is not None else None
    low, high = LEARNING_RATE_RANGE
    for rate in rates or ():
        if not low <= rate <= high:
            raise CliError(f"--lr: learning rate must be in [{low:g}, {high:g}], got {rate:g}")
    start = check_start(parse_pair(args.start, "--start"), preset) if args.start is not None else None
    if not 1 <= args.steps <= MAX_STEPS_LIMIT:
        raise CliError(f"--steps must be in [1, {MAX_STEPS_LIMIT}], got {args.steps}")
    problem = recording_problem(args.steps, runs)
    if problem:
        raise CliError(problem)
    if not 1 <= args.steps_per_frame <= MAX_STEPS_LIMIT:
        raise CliError(f"--steps-per-frame must be in [1, {MAX_STEPS_LIMIT}], got {args.steps_per_frame}")
    check_seed(args.seed)
    if not 1 <= args.fps <= MAX_FPS:
        raise CliError(f"--fps must be in [1, {MAX_FPS}], got {args.fps}")
    if args.tolerance is not None and not (math.isfinite(args.tolerance) and args.tolerance >= 0):
        raise CliError(f"--tolerance must be a number >= 0, got {args.tolerance}")
    width, height = parse_size(args.size)
    out = check_out(args.out)
    suffix = out.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise CliError(f"--out must end in {', '.join(EXPORT_SUFFIXES)}, got {args.out!r}")
    if suffix in (".mp4", ".gif"):
        from .export.errors import ExportError
        from .export.video import check_settings

        try:
            check_settings(suffix, width, height, args.fps)
        except ExportError as err:
            raise CliError(str(err)) from None
    folder = out.absolute().parent
    try:
        if out.is_dir():
            raise CliError(f"cannot write to {out}: it is a folder")
        if not folder.is_dir():
            raise CliError(f"cannot write to {out}: the folder {folder} does not exist")
        if not os.access(folder, os.W_OK):
            raise CliError(f"cannot write to {folder}: permission denied")
    except OSError as err:  # e.g. a path too long or a loop of links
        raise CliError(f"cannot write to {out}: {err.strerror or err}") from None
    return {"preset": preset, "optimizers": keys, "rates": rates, "start": start, "size": (width, height),
            "out": out, "suffix": suffix}


class _ProgressBar:
    """``[#######.......]  120/300 frames  40%  2.1 s`` on stderr, redrawn at most 10 times a second."""

    def __init__(self, total: int, stream=sys.stderr, width: int = 30) -> None:
        self.total, self.stream, self.width = total, stream, width
        self.t0 = time.perf_counter()
        self.last = 0.0
        self.lock = threading.Lock()
        self.open = False  # a bar line is on screen, not yet ended by a newline

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        with self.lock:
            if done < total and now - self.last < 0.1:
                return
            self.last = now
            self.open = done < total
            filled = int(self.width * done / max(total, 1))
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done:>{len(str(total))}}/{total} "
                              f"frames {100 * done // max(total, 1):3d}%  {now - self.t0:5.1f} s")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()


def export_main(argv: list[str]) -> int:
    """``optviz export``: 0 on success, 2 for a bad option, 1 when the export itself fails
    (and, with one line on stderr instead of a traceback, for any unexpected failure)."""
    return _one_line_failures("optviz export", _export, argv)


def _one_line_failures(prog: str, command, argv: list[str]) -> int:
    """``command(argv)``, with whatever escapes it as one line on stderr: a bad value exits 2,
    anything else (running out of memory, a bug) exits 1. Known bad inputs are refused before
    this, with their own words; this is the net under them."""
    try:
        return command(argv)
    except CliError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print(f"{prog}: error: out of memory", file=sys.stderr)
        return EXIT_FAILURE
    except RecursionError:
        print(f"{prog}: internal error: recursion too deep", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as err:  # noqa: BLE001 - the net: one line, never a traceback
        detail = " ".join(str(err).split())[:300]
        print(f"{prog}: internal error: {type(err).__name__}{': ' + detail if detail else ''}", file=sys.stderr)
        return EXIT_FAILURE


def _export(argv: list[str]) -> int:
    parser = build_export_parser()
    args = parser.parse_args(glue_negative_values(argv))
    try:
        options = _export_options(args)
    except CliError as err:
        print(f"optviz export: error: {err}", file=sys.stderr)
        return 2
    width, height = options["size"]
    suffix = options["suffix"]
    gl = args.view != "contour" and suffix in (".mp4", ".gif", ".png")
    if gl:
        from .export.gl3d import cli_gl_problem

        problem = cli_gl_problem()
        if problem:
            print(f"optviz export: error: {problem}", file=sys.stderr)
            return 1
    else:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no window, no X server needed
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

    from .export import AnimationJob, AnimationSettings, ExportError, FrameSpec, Race

    scenario = None
    if args.scenario is not None:
        # The saved form alone makes the race (no app model): a scenario file's own rules.
        from .core.expression import ExpressionError
        from .core.scenario import ScenarioError, load_scenario

        clash = [f"--{name.replace('_', '-')}" for name in ("optimizers", "lr", "start")
                 if getattr(args, name) is not None]
        clash += ["--preset"] * (args.preset != "narrow_valley") + ["--seed"] * (args.seed != 0)
        if clash:
            print(f"optviz export: error: --scenario sets the race; leave out {', '.join(clash)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            scenario = load_scenario(args.scenario)
        except (ScenarioError, ExpressionError, OSError) as err:
            print(f"optviz export: error: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
        problem = recording_problem(args.steps, len(scenario.runs))
        if problem:
            print(f"optviz export: error: {problem}", file=sys.stderr)
            return EXIT_BAD_INPUT
    else:
        from .app.window.model import RaceModel

        try:
            model = RaceModel(options["preset"], optimizers=options["optimizers"], start=options["start"])
            model.seed = args.seed
            for run, lr in zip(model.runs, options["rates"] or ()):
                run.learning_rate = lr
        except ValueError as err:
            print(f"optviz export: error: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
    app = _qt_application(gl)  # noqa: F841 - QPainter needs it alive
    out = options["out"]
    job = None
    stops = _StopSignals()
    try:
        with stops:  # a stopped export deletes its partial file, like Ctrl+C
            race = Race.from_scenario(scenario, args.steps) if scenario is not None else Race.from_model(model, args.steps)
            extra = {"leaderboard": bool(args.leaderboard)}
            if args.tolerance is not None:
                extra["tolerance"] = args.tolerance
            frame = FrameSpec(args.view, width, height, not args.no_title, **extra)
            if suffix in (".csv", ".npz"):
                from .export import export_trajectories

                path = export_trajectories(race, out)
                wrote = f"wrote {path} ({race.K} run{'s' if race.K != 1 else ''}, {int(race.lengths.sum())} rows)"
            elif suffix == ".png":
                from .export import export_image

                path = export_image(race, out, frame)
                wrote = f"wrote {path} ({width}x{height}, step {race.last_step})"
            else:
                settings = AnimationSettings(frame, args.fps, args.steps_per_frame)
                job = AnimationJob(race, out, settings)
                job.progress = None if args.quiet else _ProgressBar(job.total)
                stops.job = job
                path = job.run()
                wrote = (f"wrote {path} ({job.total} frames, {width}x{height}, {args.fps} fps, "
                         f"{job.total / args.fps:.1f} s)")
    except KeyboardInterrupt as stop:
        return _report_stop(job, getattr(stop, "signum", signal.SIGINT))
    except ExportError as err:
        if stops.signum is not None:  # the job's cancel, asked for by a stop signal
            return _report_stop(job, stops.signum)
        print(f"{_end_bar(job)}optviz export: error: {err}", file=sys.stderr)
        return 1
    # The file is complete; from here on a signal acts as it would anywhere else.
    print(wrote)
    _print_early_finish(race, args.steps)
    if stops.signum is not None:  # came as the job put the finished file in place: it stays
        print(f"optviz export: stopped by {signal.Signals(stops.signum).name} as the file was complete",
              file=sys.stderr)
        return 128 + stops.signum
    return 0


def early_finish_note(race, steps: int) -> str | None:
    """One line saying why the export ends before step ``steps``: every run had stopped
    (converged, diverged, left the view) earlier, and there is nothing more to show. None
    when some run went on to the step limit."""
    last = race.last_step
    if last >= steps:
        return None
    outcomes: dict[str, int] = {}
    for k in range(race.K):
        text = race.describe_at(k, last)
        outcomes[text] = outcomes.get(text, 0) + 1
    if race.K == 1:
        who, how = "the run", next(iter(outcomes))
    else:
        who, how = "every run", ", ".join(f"{n} {text}" for text, n in outcomes.items())
    return f"note: the race ends at step {last}, not {steps}: {who} had stopped by then ({how})"


def _print_early_finish(race, steps: int) -> None:
    note = early_finish_note(race, steps)
    if note:
        print(note)


#: Signals that end a process unless caught. An export stopped by one of them deletes its
#: partial file and exits with 128 + the signal's number (as a shell reports a killed command).
#: SIGKILL cannot be caught: the next export of the same target deletes what it left.
STOP_SIGNALS = tuple(getattr(signal, name) for name in (
    "SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGVTALRM", "SIGPROF", "SIGXCPU",
    "SIGPWR", "SIGIO") if hasattr(signal, name))


class _Stopped(KeyboardInterrupt):
    """Raised in the main thread by a stop signal: unwinds the export like Ctrl+C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _report_stop(job, signum: int) -> int:
    how = "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
    print(f"{_end_bar(job)}optviz export: {how}; no file was written", file=sys.stderr)
    return 128 + signum


class _StopSignals:
    """While entered, each of :data:`STOP_SIGNALS` still at its default action (an ignored
    one, e.g. SIGHUP under nohup, stays ignored) stops the export once; later signals are not
    acted on again, so they cannot cut the clean-up short. On exit the old handlers come back.

    Once ``job`` is set (an animation being encoded), a stop cancels it: the job notices
    within a frame, deletes its file and raises :class:`~optviz.export.ExportCancelled`.
    Before that (the race being computed, a PNG or CSV), the handler raises
    :class:`_Stopped`. Why not raise always: Python runs the handler between any two
    bytecodes of the main thread, also inside the encoder's C extensions' callbacks, which do
    not all pass an exception on intact (seen once in CI: a SIGTERM mid-frame came out as
    "SystemError: Objects/longobject.c:1208: bad argument to internal function")."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.job = None
        self.previous: list = []

    def __enter__(self) -> _StopSignals:
        for signum in STOP_SIGNALS:
            handler = signal.getsignal(signum)
            if handler in (signal.SIG_DFL, signal.default_int_handler):
                signal.signal(signum, self._stop)
                self.previous.append((signum, handler))
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self.previous:
            signal.signal(signum, handler)
        self.previous = []

    def _stop(self, signum, frame) -> None:
        if self.signum is None:
            self.signum = signum
            if self.job is not None:
                self.job.cancel()
            else:
                raise _Stopped(signum)


def _end_bar(job) -> str:
    """A newline if a progress bar line is still open on stderr (the message goes below it)."""
    bar = getattr(job, "progress", None)
    return "\n" if isinstance(bar, _ProgressBar) and bar.open else ""


def _qt_application(gl: bool):
    """The Qt application: a QGuiApplication is enough for 2D; 3D needs widgets and shared GL contexts."""
    from PySide6.QtCore import QCoreApplication, Qt

    if gl:
        from .app.main import create_application

        return create_application()
    from PySide6.QtGui import QGuiApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    return QGuiApplication.instance() or QGuiApplication(sys.argv[:1])


def main(argv: list[str] | None = None) -> int:
    """``optviz [options]`` opens the app; ``optviz export ...`` exports (:func:`export_main`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["export"]:
        return export_main(argv[1:])
    return _one_line_failures("optviz", _main, argv)


def _main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(glue_negative_values(argv))
    if args.install_desktop:
        from .desktop import install_desktop_entry

        try:
            for path in install_desktop_entry():
                print(f"installed {path}")
        except OSError as err:
            print(f"optviz: error: could not install the launcher entry: {err}", file=sys.stderr)
            return 1
        return 0
    try:
        preset = check_preset(args.preset) if args.preset is not None else None
        start = parse_pair(args.start, "--start") if args.start is not None else None
        options = {
            "preset": preset,
            "optimizers": parse_optimizers(args.optimizers) if args.optimizers is not None else None,
            "start": check_start(start, preset or "narrow_valley") if start is not None else None,
            "max_steps": args.max_steps,
            "play": args.play,
            "fresh": args.fresh,
        }
        if args.max_steps is not None and not 1 <= args.max_steps <= MAX_STEPS_LIMIT:
            raise CliError(f"--max-steps must be in [1, {MAX_STEPS_LIMIT}], got {args.max_steps}")
    except CliError as err:
        print(f"optviz: error: {err}", file=sys.stderr)
        return 2
    from .app.main import run_app

    return run_app(**options)


if __name__ == "__main__":
    raise SystemExit(main())
