"""Run benchmark scripts in an earlier checkout and in this one, one after the other, and print
both outputs side by side: how a change moved the numbers.

    git worktree add /tmp/before <commit>
    python benchmarks/before_after.py /tmp/before bench_core.py bench_basins.py

Each script runs with the checkout's own code (PYTHONPATH set to it), ``--repeat`` times
alternating before/after so that a busy machine slows both alike; lines whose text matches
are printed once, lines that differ as ``before | after``. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(checkout: Path, script: str, extra: list[str]) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    proc = subprocess.run([sys.executable, str(checkout / "benchmarks" / script), *extra], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=3600)
    lines = proc.stdout.splitlines()
    if proc.returncode:
        lines.append(f"(exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="the earlier checkout (e.g. a git worktree)")
    parser.add_argument("scripts", nargs="+", help="benchmark scripts in benchmarks/, e.g. bench_core.py")
    parser.add_argument("--repeat", type=int, default=1, help="alternating runs of each (default 1)")
    parser.add_argument("--args", default="", help="extra arguments for every script")
    args = parser.parse_args(argv)
    after = HERE.parent
    for script in args.scripts:
        for r in range(args.repeat):
            old = run(args.before.resolve(), script, args.args.split())
            new = run(after, script, args.args.split())
            print(f"== {script} (run {r + 1} of {args.repeat}): before = {args.before}, after = {after}")
            width = max((len(line) for line in old), default=0)
            for i in range(max(len(old), len(new))):
                a = old[i] if i < len(old) else ""
                b = new[i] if i < len(new) else ""
                print(a if a == b else f"{a:<{width}} | {b}")
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
