"""Every third-party module optviz imports is declared in pyproject.toml's dependencies.

A module that happens to be installed on the developer's machine but is missing from the
dependencies breaks a clean install (CI once failed this way on PyAV and Pillow)."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import optviz

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return {_normalized(re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0]) for req in project["dependencies"]}


def _imported_top_level_modules() -> dict[str, str]:
    """{top-level module: a file importing it}, for every import in the package's source,
    including the ones inside functions (optional or lazy imports still need the dependency)."""
    found = {}
    for path in sorted(Path(optviz.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path.name)
    return found


def test_every_third_party_import_is_a_declared_dependency():
    declared = _declared()
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for module, where in _imported_top_level_modules().items():
        if module in sys.stdlib_module_names or module in ("optviz", "__future__"):
            continue
        dists = {_normalized(d) for d in distributions.get(module, [module])}
        if not dists & declared:
            missing.append(f"{module} (imported in {where}; distribution {sorted(dists)})")
    assert not missing, "imported but not in pyproject's dependencies: " + ", ".join(missing)


def test_the_check_sees_the_export_encoders():
    # The test above must be able to fail: the modules it guards are among those it finds.
    modules = _imported_top_level_modules()
    assert {"av", "PIL", "numpy", "PySide6", "pyqtgraph", "sympy", "numba", "OpenGL"} <= set(modules)
