"""Command line: ``optviz`` opens the app, optionally in a given state."""

from __future__ import annotations

import argparse
import re
import sys

from . import __version__

EXAMPLES = """\
examples:
  optviz                                   the narrow valley, GD vs momentum vs RMSProp vs Adam
  optviz --preset rosenbrock --start -1.5,2
  optviz --preset himmelblau --optimizers sgd,momentum,adam
  optviz --preset saddle --optimizers gd,adam --max-steps 500
"""


class CliError(ValueError):
    """A bad command-line value; printed as one line, exit code 2."""


def parse_pair(text: str, what: str) -> tuple[float, float]:
    parts = text.replace(" ", "").split(",")
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise CliError(f"{what} must be two numbers like -1.5,2 — got {text!r}") from None
    if not all(abs(v) < float("inf") for v in (x, y)):
        raise CliError(f"{what} must be finite, got {text!r}")
    return x, y


def parse_optimizers(text: str) -> list[str]:
    from .core.optimizers import OPTIMIZERS

    keys = [k.strip().lower() for k in text.split(",") if k.strip()]
    if not keys:
        raise CliError("--optimizers needs at least one name")
    unknown = [k for k in keys if k not in OPTIMIZERS]
    if unknown:
        raise CliError(f"unknown optimizer {unknown[0]!r}; choose from: {', '.join(OPTIMIZERS)}")
    return keys


def check_preset(name: str) -> str:
    from .core import surface_keys

    if name not in surface_keys():
        raise CliError(f"unknown preset {name!r}; choose from: {', '.join(surface_keys())}")
    return name


def glue_negative_values(argv: list[str]) -> list[str]:
    """``--start -1.5,2`` → ``--start=-1.5,2``: argparse takes "-1.5,2" for an option."""
    out: list[str] = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and re.match(r"^-\.?\d", token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="optviz",
        description="Watch GD, SGD, momentum, AdaGrad, RMSProp and Adam race across loss surfaces.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"optviz {__version__}")
    parser.add_argument("--preset", help="surface to open, e.g. rosenbrock (default: narrow_valley)")
    parser.add_argument("--optimizers", help="comma-separated race entries, e.g. gd,momentum,rmsprop,adam")
    parser.add_argument("--start", help="start point x,y, e.g. -1.5,2 (default: the preset's)")
    parser.add_argument("--max-steps", type=int, help="step limit of every run (default 2000)")
    parser.add_argument("--play", action="store_true", help="start the race at once")
    parser.add_argument("--fresh", action="store_true", help="ignore the settings saved from the last session")
    parser.add_argument("--install-desktop", action="store_true",
                        help="add optviz to your desktop's application menu (~/.local/share) and exit")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(glue_negative_values(list(sys.argv[1:] if argv is None else argv)))
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
        options = {
            "preset": check_preset(args.preset) if args.preset else None,
            "optimizers": parse_optimizers(args.optimizers) if args.optimizers else None,
            "start": parse_pair(args.start, "--start") if args.start else None,
            "max_steps": args.max_steps,
            "play": args.play,
            "fresh": args.fresh,
        }
        from .app.model import MAX_STEPS_LIMIT

        if args.max_steps is not None and not 1 <= args.max_steps <= MAX_STEPS_LIMIT:
            raise CliError(f"--max-steps must be in [1, {MAX_STEPS_LIMIT}], got {args.max_steps}")
    except CliError as err:
        print(f"optviz: error: {err}", file=sys.stderr)
        return 2
    from .app.main import run_app

    return run_app(**options)


if __name__ == "__main__":
    raise SystemExit(main())
