"""Swarms: every run starts from many points at once, to show that where a run ends depends
on where it starts, and how SGD's noise spreads a cloud that GD moves as one.

A swarm is described by plain data (the app's model and scenario files keep it so)::

    {"kind": "grid" | "random", "count": 1000, "rect": [xmin, xmax, ymin, ymax] | None, "seed": 0}

``rect`` None means the surface's view box. :func:`swarm_points` turns it into start points.
"""

from __future__ import annotations

import math

import numpy as np

from .geometry import ViewBox
from .limits import MAX_SWARM_POINTS, RECORDING_MEMORY_BUDGET

SWARM_KINDS = ("grid", "random")
#: Recorded swarm positions (float32, every run) are kept under the recording budget every
#: race shares (optviz.core.limits); longer races get a lower step limit (:func:`swarm_step_limit`).
SWARM_MEMORY_BUDGET = RECORDING_MEMORY_BUDGET


def check_swarm(swarm) -> dict | None:
    """``swarm`` normalized (ints, floats, a list rect), or a ValueError naming what is wrong."""
    if swarm is None:
        return None
    if not isinstance(swarm, dict):
        raise ValueError(f"a swarm is a dict with kind, count, rect and seed, got {type(swarm).__name__}")
    unknown = set(swarm) - {"kind", "count", "rect", "seed"}
    if unknown:
        raise ValueError(f"unknown swarm setting {sorted(unknown)[0]!r}; use kind, count, rect and seed")
    kind = swarm.get("kind", "random")
    if kind not in SWARM_KINDS:
        raise ValueError(f"swarm kind must be one of {', '.join(SWARM_KINDS)}, got {kind!r}")
    count = swarm.get("count", 1000)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 2 <= count <= MAX_SWARM_POINTS:
        raise ValueError(f"swarm size must be a whole number from 2 to {MAX_SWARM_POINTS:,}, got {count!r}")
    seed = swarm.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"swarm seed must be a whole number >= 0, got {seed!r}")
    rect = swarm.get("rect")
    if rect is not None:
        if not isinstance(rect, (list, tuple)) or len(rect) != 4:
            raise ValueError(f"swarm rectangle is [xmin, xmax, ymin, ymax], got {rect!r}")
        rect = [float(c) for c in rect]
        if not all(math.isfinite(c) for c in rect) or rect[0] >= rect[1] or rect[2] >= rect[3]:
            raise ValueError(f"swarm rectangle needs finite xmin < xmax and ymin < ymax, got {rect}")
    return {"kind": kind, "count": int(count), "rect": rect, "seed": int(seed)}


def swarm_points(swarm: dict, view: ViewBox) -> np.ndarray:
    """The start points of ``swarm`` (see :func:`check_swarm`), shape (n, 2).

    "grid": a ⌊√count⌋ × ⌊√count⌋ lattice of cell centres, so no point sits on the rectangle's
    edge; "random": ``count`` points uniform over the rectangle, the same for the same seed.
    """
    swarm = check_swarm(swarm)
    xmin, xmax, ymin, ymax = swarm["rect"] or (view.xmin, view.xmax, view.ymin, view.ymax)
    if swarm["kind"] == "grid":
        side = math.isqrt(swarm["count"])
        xs = xmin + (np.arange(side) + 0.5) * (xmax - xmin) / side
        ys = ymin + (np.arange(side) + 0.5) * (ymax - ymin) / side
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])
    rng = np.random.default_rng(swarm["seed"])
    return rng.uniform((xmin, ymin), (xmax, ymax), size=(swarm["count"], 2))


def swarm_step_limit(max_steps: int, runs: int, points: int, budget: int = SWARM_MEMORY_BUDGET) -> int:
    """The step limit a swarm of ``points`` × ``runs`` can record within ``budget`` bytes
    (positions as float32), never above ``max_steps``."""
    per_step = runs * points * 2 * 4
    return int(max(1, min(max_steps, budget // per_step - 1)))
