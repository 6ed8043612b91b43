"""optviz.core is pure NumPy: importing it (and using it) must load no Qt module."""

import subprocess
import sys
import textwrap

QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph", "OpenGL", "PyQt5", "PyQt6")


def test_core_imports_without_qt():
    script = textwrap.dedent(
        f"""
        import sys, pkgutil, importlib
        import optviz.core
        for mod in pkgutil.walk_packages(optviz.core.__path__, "optviz.core."):
            importlib.import_module(mod.name)
        from optviz.core import surfaces
        s = surfaces.get_surface("rosenbrock")
        import numpy
        s.grad(numpy.zeros((3, 2)))
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {QT_PREFIXES!r})
        print("QT:", loaded)
        sys.exit(1 if loaded else 0)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
