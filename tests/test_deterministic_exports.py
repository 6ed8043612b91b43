"""The same scenario gives byte-identical files in every format, whatever the process.

Python salts the hash of strings per process (``PYTHONHASHSEED``), so anything that iterates
a set of strings (run colours, say) in one process may see another order in the next. Each
export below runs in a fresh interpreter with its own hash seed; the files must match byte
for byte, not just decode to the same pictures.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

FORMATS = ("gif", "mp4", "png", "csv")

# Four runs with four colours (a set of them has many possible orders), mini-batch noise,
# a small frame so the exports take a second.
SCRIPT = r"""
import sys
from optviz.cli import main
folder = sys.argv[1]
for ext in sys.argv[2:]:
    code = main(["export", "--out", f"{folder}/race.{ext}", "--preset", "rosenbrock",
                 "--optimizers", "gd,sgd,momentum,adam", "--steps", "30", "--size", "320x240",
                 "--fps", "10", "--seed", "3", "-q"])
    if code:
        sys.exit(code)
"""


def _export_all(folder, hash_seed: str) -> dict[str, bytes]:
    folder.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(folder), *FORMATS], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {ext: (folder / f"race.{ext}").read_bytes() for ext in FORMATS}


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    root = tmp_path_factory.mktemp("deterministic")
    return _export_all(root / "seed1", "1"), _export_all(root / "seed2", "2")


@pytest.mark.parametrize("ext", FORMATS)
def test_same_bytes_under_different_hash_seeds(exports, ext):
    first, second = exports
    assert len(first[ext]) > 100, f"the {ext} export is suspiciously small"
    assert first[ext] == second[ext], f"the {ext} files differ between PYTHONHASHSEED=1 and 2"


def test_gif_palette_does_not_depend_on_the_order_of_exact_colours():
    """Two callers listing the same exact colours in different orders get the same palette."""
    import numpy as np

    from optviz.export.video import global_palette

    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    colours = [(228, 26, 28), (55, 126, 184), (77, 175, 74), (152, 78, 163), (255, 127, 0)]
    assert global_palette(frame, colours) == global_palette(frame, colours[::-1])
    # The exact colours are in it, each once.
    palette = global_palette(frame, colours + colours)
    triples = [tuple(palette[i : i + 3]) for i in range(0, len(palette), 3)]
    for c in colours:
        assert c in triples
