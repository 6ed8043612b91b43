"""Recommended learning rates per preset and race entry, from resources/learning_rates.json.

The table is made by scripts/tune_presets.py: a fair α sweep per preset (see
:mod:`optviz.core.tuning`), backed off from the edge of stability, with hand-set rates where a
preset's story needs them (saddles, two wells).
"""

from __future__ import annotations

import json
from functools import lru_cache

from ..paths import resource


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, float]]:
    try:
        return json.loads(resource("learning_rates.json").read_text())
    except (OSError, ValueError):
        return {}


def recommended_learning_rate(preset: str, optimizer: str) -> float | None:
    """α for ``optimizer`` on ``preset``, or None where the table has none."""
    return _table().get(preset, {}).get(optimizer)
