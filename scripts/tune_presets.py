"""Regenerate resources/learning_rates.json: a recommended α per preset and optimizer.

For each preset and race entry, tune α with :func:`optviz.core.tuning.tune_learning_rate`
from the preset's start, with the budget of the app's default race (``RaceModel.max_steps``,
2,000 steps) so that a tabled rate settles over the race a student actually watches (a rate
tuned on 300 steps may still rattle at 2,000), 3 seeds for the stochastic entries, and the
sweep's rules: scored on the worst loss of the last 20 % of the steps, a run that has not
settled (its loss still rises often, or spans a wide band) never beats one that has, and α at
most half the divergence edge (see optviz.core.tuning). The tuned α is rounded *down* to two
significant digits (the table is read by people) and must settle robustly: the rounded α and
α ± 10 % all settle, else the tuner's next candidate is tried (see :func:`tune`).

Presets whose story needs particular rates are set by hand below (BY_HAND).

Run: python scripts/tune_presets.py [--only opt1,opt2] [preset ...]   (no preset: every preset;
with presets, only those rows are retuned and the others are kept from the current table;
``--only`` retunes just those optimizers' entries, e.g. a newly added optimizer's, and keeps
the rest)
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np

from optviz.app.window.model import RaceModel
from optviz.core import OPTIMIZERS, RunSpec, get_surface, surface_keys
from optviz.core.scenario import LEARNING_RATE_RANGE
from optviz.core.surfaces.two_wells import TWO_WELLS_GD_LR, TWO_WELLS_MOMENTUM_LR
from optviz.core.tuning import log_grid, sweep_learning_rate, tune_learning_rate
from optviz.paths import resource

#: The app's default race length: the budget every α is tuned and checked on.
STEPS = RaceModel("bowl").max_steps
SEEDS = 3
#: The tabled α must also settle at α·(1 − NUDGE) and α·(1 + NUDGE).
NUDGE = 0.1
#: Distinct two-digit candidates checked, best first, before giving up on a robust one.
MAX_CHECKS = 20
GRID = log_grid()  # the sweep window's grid: 40 values from 1e-5 to 10
# Saddles are unbounded below: "lowest loss" would reward leaving fastest. These rates make
# each run crawl past the saddle visibly (GD is "stalled" for a while) and then escape.
SADDLE_RATES = {"gd": 0.01, "sgd": 0.01, "minibatch": 0.01, "momentum": 0.005, "nesterov": 0.005,
                "adagrad": 0.05, "rmsprop": 0.01, "adam": 0.01, "adamw": 0.01, "amsgrad": 0.01, "nadam": 0.01}
BY_HAND = {
    "saddle": SADDLE_RATES,
    "monkey_saddle": SADDLE_RATES,
    # GD settles in the shallow well while heavy-ball momentum rolls over into the deep one.
    "two_wells": {"gd": TWO_WELLS_GD_LR, "momentum": TWO_WELLS_MOMENTUM_LR},
}


def floor2(x: float) -> float:
    """x rounded down to two significant digits (0.01876 → 0.018)."""
    e = math.floor(math.log10(x)) - 1
    return float(f"{math.floor(x / 10**e + 1e-9) * 10**e:.2g}")


def lower2(x: float) -> float:
    """The two-digit value just below x (0.018 → 0.017, 0.01 → 0.0099)."""
    e = math.floor(math.log10(x)) - 1
    return floor2((round(x / 10**e) - 1) * 10**e)


def settled(surface, spec: RunSpec, rates) -> np.ndarray:
    """The tuner's verdict on each α: it neither fails nor is unsettled (one sweep, no refinement)."""
    s = sweep_learning_rate(surface, spec, surface.start, grid=rates, steps=STEPS, seeds=SEEDS)
    order = np.argsort(np.asarray(rates, float))
    verdict = np.empty(len(rates), bool)
    verdict[order] = ~s.failed & ~s.unsettled
    return verdict


def tune(key: str, opt: str) -> tuple[float | None, str]:
    """The tabled α of one entry and a note on how it was found. The candidates are the
    tuner's, best first (:meth:`Sweep.ranked`); the first whose two-digit value settles, and
    still settles when nudged by ±NUDGE (a student moving the slider a little), is taken. On
    Rastrigin, say, a lone α that lands in a better basin between rattling neighbours is luck,
    not a recommendation."""
    surface = get_surface(key)
    spec = RunSpec(opt)
    sweep = tune_learning_rate(surface, spec, surface.start, grid=GRID, steps=STEPS, seeds=SEEDS)
    best = sweep.best
    if best != best:  # every α failed: keep the entry's default
        return None, "every α failed"
    edge = "no edge" if sweep.edge is None else f"edge {sweep.edge:.3g}"
    tried = set()
    for rank, candidate in enumerate(sweep.ranked()):
        alpha = max(floor2(candidate), LEARNING_RATE_RANGE[0])
        if alpha in tried:
            continue
        if len(tried) >= MAX_CHECKS:
            break
        tried.add(alpha)
        if settled(surface, spec, [alpha * (1 - NUDGE), alpha, alpha * (1 + NUDGE)]).all():
            return alpha, f"best {best:.4g}, {edge}; candidate {rank + 1}: {candidate:.4g}"
    alpha = max(floor2(best), LEARNING_RATE_RANGE[0])
    return alpha, f"best {best:.4g}, {edge}; NOTHING SETTLES ROBUSTLY (tail {sweep.best_tail:.3g})"


def main(keys: list[str], only: list[str] | None = None) -> None:
    path = resource("learning_rates.json")
    table = json.loads(path.read_text()) if keys or only else {}
    for key in keys or surface_keys():
        old = table.get(key, {})
        row = {}
        for opt in OPTIMIZERS:
            if only is not None and opt not in only:
                if opt in old:
                    row[opt] = old[opt]
                continue
            if opt in BY_HAND.get(key, {}):
                row[opt] = BY_HAND[key][opt]
                print(f"{key:18s} {opt:10s} {row[opt]:<8g} (by hand)", flush=True)
                continue
            alpha, note = tune(key, opt)
            if alpha is not None:
                row[opt] = alpha
            print(f"{key:18s} {opt:10s} {alpha!s:8s} {note}", flush=True)
        table[key] = row
    ordered = {key: table[key] for key in surface_keys() if key in table}
    path.write_text(json.dumps(ordered, indent=1) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    args = sys.argv[1:]
    only = None
    if args and args[0] == "--only":
        only = args[1].split(",")
        unknown = [o for o in only if o not in OPTIMIZERS]
        if unknown:
            sys.exit(f"unknown optimizer {unknown[0]!r}; choose from: {', '.join(OPTIMIZERS)}")
        args = args[2:]
    main(args, only)
