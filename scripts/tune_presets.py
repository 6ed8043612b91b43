"""Regenerate resources/learning_rates.json: a recommended α per preset and optimizer.

For each preset and race entry, sweep α on a log grid from the preset's start (300 steps,
3 seeds for the stochastic entries; see optviz.core.tuning for the fair scoring) and take
the best α divided by ~3 (two grid steps), a margin from the edge of stability so the race
looks calm yet fast. Presets whose story needs particular rates are set by hand below.

Run: python scripts/tune_presets.py
"""

from __future__ import annotations

import json

from optviz.core import OPTIMIZERS, RunSpec, get_surface, surface_keys
from optviz.core.surfaces import TWO_WELLS_GD_LR, TWO_WELLS_MOMENTUM_LR
from optviz.core.tuning import log_grid, sweep_learning_rate
from optviz.paths import resource

GRID = log_grid(1e-5, 1.0, 21)
# Saddles are unbounded below: "lowest final loss" would reward leaving fastest. These rates
# make each run crawl past the saddle visibly (GD is "stalled" for a while) and then escape.
SADDLE_RATES = {"gd": 0.01, "sgd": 0.01, "minibatch": 0.01, "momentum": 0.005, "nesterov": 0.005,
                "adagrad": 0.05, "rmsprop": 0.01, "adam": 0.01}
BY_HAND = {
    "saddle": SADDLE_RATES,
    "monkey_saddle": SADDLE_RATES,
    # GD settles in the shallow well while heavy-ball momentum rolls over into the deep one.
    "two_wells": {"gd": TWO_WELLS_GD_LR, "momentum": TWO_WELLS_MOMENTUM_LR},
}


def main() -> None:
    table = {}
    for key in surface_keys():
        surface = get_surface(key)
        row = {}
        for opt in OPTIMIZERS:
            if opt in BY_HAND.get(key, {}):
                row[opt] = BY_HAND[key][opt]
                continue
            sweep = sweep_learning_rate(surface, RunSpec(opt), surface.start, grid=GRID, steps=300, seeds=3)
            best = sweep.best
            if best != best:  # every α failed: keep the entry's default
                continue
            i = max(int(GRID.searchsorted(best)) - 2, 0)
            row[opt] = float(f"{GRID[i]:.2g}")
        table[key] = row
        print(key, row, flush=True)
    path = resource("learning_rates.json")
    path.write_text(json.dumps(table, indent=1) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
