"""3D exports (the 3D view, and contour + 3D + loss plot side by side) on a real GL context.

Like tests/test_surface_view.py: the test process runs Qt offscreen (no OpenGL), so each test
runs a script in a subprocess on the xcb platform, on the Xvfb that pytest-xvfb started (or
$DISPLAY); without either they skip. The script prints what it measured and exits non-zero
with the reason when a check fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def gl_display(request) -> str:
    try:
        xvfb = request.getfixturevalue("xvfb")
    except pytest.FixtureLookupError:  # pytest-xvfb not installed
        xvfb = None
    if xvfb is not None and getattr(xvfb, "display", None) is not None:
        return f":{xvfb.display}"
    if os.environ.get("DISPLAY"):
        return os.environ["DISPLAY"]
    pytest.skip("3D export needs an X server with OpenGL: install Xvfb (pytest-xvfb starts it) or set DISPLAY")


PRELUDE = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    import av
    from PIL import Image
    from optviz.app.main import create_application
    app = create_application()
    from optviz.app.window.model import RaceModel
    from optviz.export import AnimationSettings, FrameSpec, Race, export_animation, export_image

    def check(ok, message):
        if not ok:
            print("FAIL:", message, flush=True)
            sys.exit(1)

    def race(steps=60):
        return Race.from_model(RaceModel("rosenbrock", optimizers=("gd", "momentum", "adam"), start=(-1.5, 2.0)),
                               steps)

    def decode(path):
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            return [f.to_ndarray(format="rgb24") for f in c.decode(s)], s.average_rate
    """
)


def run_gl(script: str, display: str, tmp_path, timeout: float = 240.0) -> str:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="xcb", DISPLAY=display, PYQTGRAPH_QT_LIB="PySide6", OUT=str(tmp_path),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    env.pop("WAYLAND_DISPLAY", None)
    proc = subprocess.run([sys.executable, "-c", PRELUDE + "\n" + textwrap.dedent(script)], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"GL subprocess failed ({proc.returncode})\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.mark.gl
def test_3d_and_side_by_side_videos_decode_with_moving_paths(gl_display, tmp_path):
    out = run_gl(
        """
        import os
        folder = os.environ["OUT"]
        r = race()
        for view, size in (("3d", (480, 270)), ("side", (960, 540))):
            path = f"{folder}/{view}.mp4"
            export_animation(r, path, AnimationSettings(FrameSpec(view, *size), fps=12, steps_per_frame=6))
            frames, rate = decode(path)
            check(len(frames) == len(r.frame_steps(6)) == 11, f"{view}: {len(frames)} frames")
            check(rate == 12 and frames[0].shape == (size[1], size[0], 3), f"{view}: {rate} {frames[0].shape}")
            diff = np.abs(frames[-1].astype(int) - frames[0]).max(axis=-1)
            check((diff > 60).mean() > 0.001, f"{view}: nothing moved")
            # The 3D picture is there: the mesh colours, not just the background.
            check(len(np.unique(frames[-1].reshape(-1, 3) // 8, axis=0)) > 100, f"{view}: a blank 3D panel")
            print(view, "ok", len(frames))
        """,
        gl_display, tmp_path,
    )
    assert "3d ok 11" in out and "side ok 11" in out


@pytest.mark.gl
def test_3d_png_scales_its_lines_and_labels_with_the_size(gl_display, tmp_path):
    out = run_gl(
        """
        import os
        folder = os.environ["OUT"]
        r = race(200)
        counts = {}
        for w, h in ((1280, 720), (2560, 1440)):
            export_image(r, f"{folder}/g{h}.png", FrameSpec("3d", w, h))
            with Image.open(f"{folder}/g{h}.png") as im:
                check(im.size == (w, h), f"size {im.size}")
                a = np.asarray(im.convert("RGB")).astype(int)
            # Pixels in Adam's colour (path and ball): twice the size -> about four times the pixels.
            counts[h] = int((np.abs(a - (0, 158, 115)).max(axis=-1) < 30).sum())
        ratio = counts[1440] / max(counts[720], 1)
        check(2.5 < ratio < 6.5, f"green pixels {counts}")
        print("ratio", round(ratio, 2))
        """,
        gl_display, tmp_path,
    )
    assert "ratio" in out


@pytest.mark.gl
def test_app_3d_export_renders_on_the_gui_thread_and_cancels(gl_display, tmp_path):
    out = run_gl(
        """
        import os
        from PySide6.QtCore import QSettings, QTimer
        from optviz.app.dialogs import export_dialog
        from optviz.app.window.main_window import MainWindow
        folder = os.environ["OUT"]
        errors = []
        export_dialog.show_error = lambda parent, title, text: errors.append(text)
        w = MainWindow(preset="rosenbrock", optimizers=["gd", "adam"], restore=False, enable_3d=True,
                       settings=QSettings(f"{folder}/s.ini", QSettings.Format.IniFormat))
        w.resize(1200, 800); w.show()
        for _ in range(10): app.processEvents(); time.sleep(0.02)
        check(w.surface3d is not None, "no 3D view")
        ticks = []
        timer = QTimer(); timer.setInterval(5); timer.timeout.connect(lambda: ticks.append(1)); timer.start()

        def wait(export, limit=120):
            t0 = time.time()
            while export.running and time.time() - t0 < limit:
                app.processEvents(); time.sleep(0.002)

        settings = AnimationSettings(FrameSpec("3d", 480, 270), fps=10, steps_per_frame=10)
        e = export_dialog.start_animation_export(w.export_parts(), f"{folder}/app3d.mp4", settings, 100)
        wait(e)
        check(e.outcome == "done", f"{e.outcome}: {e.message} {errors}")
        frames, _ = decode(f"{folder}/app3d.mp4")
        check(len(frames) == e.job.total, f"{len(frames)} frames")
        check(len(ticks) > e.job.total, f"the event loop stalled: {len(ticks)} ticks for {e.job.total} frames")

        e = export_dialog.start_animation_export(w.export_parts(), f"{folder}/cancel.mp4", AnimationSettings(
            FrameSpec("side", 640, 360), fps=10, steps_per_frame=1), 2000)
        t0 = time.time()
        while (e.job is None or e.job.rendered < 4) and time.time() - t0 < 60:
            app.processEvents(); time.sleep(0.002)
        e.progress.canceled.emit()  # the Cancel button
        at = e.job.rendered
        wait(e)
        check(e.outcome == "cancelled", f"{e.outcome}: {e.message}")
        check(e.job.rendered <= at + 2, f"rendered {e.job.rendered} after cancel at {at}")
        check(not os.path.exists(f"{folder}/cancel.mp4"), "a file was left")
        check(not [n for n in os.listdir(folder) if n.endswith(".part")], "a temporary file was left")

        # The export lays the window out at 1920×1080 (ratio 1), wider than the test's screen,
        # with the dock arrangement held: do the same first to know where the 3D view will be.
        with w.classroom.docks.held():
            w.resize(1920, 1080)
            for _ in range(10): app.processEvents(); time.sleep(0.02)
            v = w.surface3d
            tl = v.mapTo(w, v.rect().topLeft())
            check(w.size().width() == 1920 and v.isVisible(), f"window {w.size()}, 3D view visible {v.isVisible()}")
            e = export_dialog.start_image_export(w.export_parts(), f"{folder}/window.png", "window", 1920, 1080)
            wait(e)
        check(e.outcome == "done", f"{e.outcome}: {e.message}")
        with Image.open(f"{folder}/window.png") as im:
            a = np.asarray(im.convert("RGB")).astype(int)
        region = a[tl.y() + 5 : tl.y() + v.height() - 5, tl.x() + 5 : tl.x() + v.width() - 5]
        check(len(np.unique(region.reshape(-1, 3) // 8, axis=0)) > 100, "the 3D view is blank in the window PNG")
        check(errors == [], f"errors: {errors}")
        print("app ok", len(ticks))
        """,
        gl_display, tmp_path,
    )
    assert "app ok" in out
