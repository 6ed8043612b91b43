"""Trajectory data: CSV (one row per run × step) and NPZ (arrays), written atomically.

CSV columns: ``run, optimizer, hyperparameters, step, w1, w2, loss, grad_norm``; numbers are
written with Python's ``repr``, so they read back bit for bit. A run's rows stop where the
run stopped (converged, diverged, or at the step limit); a diverged run's last row may hold
``inf`` or ``nan``.

NPZ arrays (no pickled objects: ``np.load(path)`` works without ``allow_pickle``):
``positions`` (T+1, K, 2), ``loss`` and ``grad_norm`` (T+1, K), NaN after a run's last
step; ``lengths`` (K,); ``runs``, ``optimizers``, ``hyperparameters``, ``colors``,
``status`` (K,) strings; ``start`` (2,); ``metadata`` (a JSON string of the scenario).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from .atomic import atomic_file
from .errors import ExportError
from .race import Race, hyperparameter_text

FORMATS = {".csv": "CSV table", ".npz": "NumPy arrays (.npz)"}
COLUMNS = ("run", "optimizer", "hyperparameters", "step", "w1", "w2", "loss", "grad_norm")


def export_csv(race: Race, out) -> Path:
    with atomic_file(out) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        for k, run in enumerate(race.runs):
            settings = hyperparameter_text(run, race.n_samples)
            for t in range(int(race.lengths[k])):
                w1, w2 = race.positions[t, k]
                writer.writerow((run.title, run.optimizer, settings, t, repr(float(w1)), repr(float(w2)),
                                 repr(float(race.loss[t, k])), repr(float(race.grad_norm[t, k]))))
        text.flush()
        text.detach()  # the stream stays open for atomic_file to commit
    return Path(out).absolute()


def export_npz(race: Race, out) -> Path:
    arrays = {
        "positions": race.positions, "loss": race.loss, "grad_norm": race.grad_norm,
        "lengths": race.lengths.astype(np.int64), "start": np.array(race.start, dtype=float),
        "runs": np.array([r.title for r in race.runs], dtype=str),
        "optimizers": np.array([r.optimizer for r in race.runs], dtype=str),
        "hyperparameters": np.array([hyperparameter_text(r, race.n_samples) for r in race.runs], dtype=str),
        "colors": np.array([look.color for look in race.looks], dtype=str),
        "status": np.array([race.describe_at(k, race.last_step) for k in range(race.K)], dtype=str),
        "metadata": np.array(race.metadata_json(), dtype=str),
    }
    with atomic_file(out) as stream:
        np.savez_compressed(stream, **arrays)
    return Path(out).absolute()


def export_trajectories(race: Race, out) -> Path:
    """CSV or NPZ by the file's suffix."""
    suffix = Path(out).suffix.lower()
    if suffix == ".csv":
        return export_csv(race, out)
    if suffix == ".npz":
        return export_npz(race, out)
    raise ExportError(f"trajectories are written as .csv or .npz, not {suffix or 'a file without a suffix'}")
