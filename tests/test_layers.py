"""The layers hold mechanically: import-linter's contracts in pyproject.toml (core is pure NumPy;
core ← look ← render ← export ← app; the app uses the exports' public API only), and every
package is shipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
SOURCE = ROOT / "optviz"

pytest.importorskip("importlinter", reason="import-linter is in the test extra")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess:
    """import-linter with the project's contracts on the optviz package found in ``package_parent``."""
    env = dict(os.environ, PYTHONPATH=str(package_parent))
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(PYPROJECT)!r}, no_cache=True))")
    return subprocess.run([sys.executable, "-c", code], cwd=str(package_parent), env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_contracts_are_kept():
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.split("Contracts:")[-1].replace("0 broken", "")


@pytest.mark.parametrize("module, line, contract", [
    ("core/ticks.py", "from PySide6.QtCore import QPointF", "pure NumPy"),
    ("export/race.py", "from ..app.window import model as _app_model", "layers"),
    ("render/inputs.py", "from ..export import errors as _export_errors", "layers"),
    ("app/panels/widgets.py", "from ...export.job import AnimationJob as _Job", "public API"),
])
def test_a_planted_violation_breaks_its_contract(tmp_path, module, line, contract):
    copy = tmp_path / "optviz"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc"))
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # planted\n", encoding="utf-8")
    proc = lint_imports(tmp_path)
    assert proc.returncode != 0, proc.stdout
    broken = proc.stdout.split("Broken contracts")[-1]
    assert contract in broken, proc.stdout


def test_every_package_is_shipped():
    listed = set(tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in SOURCE.rglob("__init__.py")
               if "__pycache__" not in p.parts}
    assert on_disk - listed == set(), "packages missing from pyproject.toml's [tool.setuptools] packages"
