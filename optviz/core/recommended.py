"""Recommended learning rates per preset and race entry, from resources/learning_rates.json.

The table is made by scripts/tune_presets.py: per preset and optimizer, the α the sweep
chooses over the app's default race (2,000 steps; see :mod:`optviz.core.tuning`: the run must
settle over the last 20 % of the steps, and α stays at most half the divergence edge), rounded
down to two digits and kept only if it still settles when nudged by ±10 %; hand-set rates where
a preset's story needs them (saddles, GD and momentum on the two wells).
tests/test_tabled_rates_settle.py checks that every tabled rate settles over that race.

On the MAE loss (``linreg_mae``) no constant α settles full-batch GD, RMSProp or NAdam: their rows hold
the α that rattles least, and a decaying schedule is the remedy.
"""

from __future__ import annotations

import json
from functools import lru_cache

from ..paths import resource
from .files import read_file

#: The shipped table is a few kB; anything far larger is not it.
MAX_TABLE_BYTES = 1_000_000


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, float]]:
    """The table, or an empty one when the file is missing, not a regular file, too large or
    not JSON (the app then falls back to its default rates)."""
    try:
        table = json.loads(read_file(resource("learning_rates.json"), MAX_TABLE_BYTES, "learning-rate table"))
    except (OSError, ValueError, RecursionError):
        return {}
    return table if isinstance(table, dict) else {}


def recommended_learning_rate(preset: str, optimizer: str) -> float | None:
    """α for ``optimizer`` on ``preset``, or None where the table has none."""
    return _table().get(preset, {}).get(optimizer)
