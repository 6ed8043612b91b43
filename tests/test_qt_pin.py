"""Guards the PySide6 pin: 6.12.0 on Python 3.11 aborts with "none_dealloc" after a few
thousand void Qt calls (a leaked reference to None per call). Run in a subprocess so an
abort fails this test instead of killing pytest."""

import subprocess
import sys
import textwrap

VOID_CALLS = 200_000


def test_many_void_qt_calls_do_not_abort():
    script = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtGui import QPainterPath
        path = QPainterPath()
        refs_before = sys.getrefcount(None)
        for i in range({VOID_CALLS}):
            path.lineTo(float(i % 100), 1.0)   # returns void -> None
            if i % 1000 == 999:
                path.clear()
        leaked = sys.getrefcount(None) - refs_before
        print("none refs leaked:", leaked)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    assert "none refs leaked" in proc.stdout


def test_pyside6_version_is_pinned_below_6_12():
    import PySide6

    major, minor = (int(v) for v in PySide6.__version__.split(".")[:2])
    assert (major, minor) == (6, 11), f"PySide6 {PySide6.__version__} is outside the pin >=6.11,<6.12"
