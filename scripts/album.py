"""Render the album: every screen a lecturer or a student sees, as PNGs with a contact sheet.

    python scripts/album.py                      # both sizes into album/, then open album/index.html
    python scripts/album.py --sizes 1280x720 --only scenario   # a subset, by shot-name substring

Each size runs in its own Xvfb screen of exactly that size (``xvfb-run``), so full screen
(presentation mode) and "open sized to the screen" behave as on a projector of that
resolution. Shots: the main window at launch, mid-race and in presentation mode; every shipped
scenario and every preset at the end of its race (normal and presentation mode); the 3D view
alone; the basins, sweep and leaderboard windows; the custom-function dialog with a valid and
an invalid expression; exported frames (contour, 3D, side by side). A shot that fails is listed
in the contact sheet with its error instead of stopping the album.

Look at every picture after a change to anything drawn: does it show what its caption claims,
is any text cut off, any marker hidden, any colour unreadable on a projector?
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

SIZES = ("1920x1080", "1280x720")


# ---------------------------------------------------------------------------------- parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="album", help="output folder (default: album/)")
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated WxH screens")
    parser.add_argument("--only", default="", help="render only shots whose name contains this text")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)  # one size, inside Xvfb
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.child:
        return _child(args.child, out, args.only)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    failures = 0
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        w, h = _parse_size(size)
        command = [sys.executable, __file__, "--child", size, "--out", str(out), "--only", args.only]
        if shutil.which("xvfb-run"):
            command = ["xvfb-run", "-a", "-s", f"-screen 0 {w}x{h}x24"] + command
        else:
            print("album: xvfb-run not found; using the current display (sizes may not match)", file=sys.stderr)
        print(f"album: {size} …", flush=True)
        failures += subprocess.call(command) != 0
    _write_index(out)
    print(f"album: {out / 'index.html'} in {time.perf_counter() - started:.0f} s", flush=True)
    return 1 if failures else 0


def _parse_size(text: str) -> tuple[int, int]:
    w, h = text.lower().split("x")
    return int(w), int(h)


def _write_index(out: Path) -> None:
    """The contact sheet: one section per size, every shot with its caption (or its error)."""
    sections = []
    for manifest in sorted(out.glob("*/manifest.json"), key=lambda p: -_parse_size(p.parent.name)[0]):
        entries = json.loads(manifest.read_text())
        cells = []
        for e in entries:
            caption = html.escape(e["caption"])
            if e.get("error"):
                cells.append(f'<figure class="err"><figcaption><b>{html.escape(e["name"])}</b>: {caption}'
                             f'<pre>{html.escape(e["error"])}</pre></figcaption></figure>')
            else:
                src = f'{manifest.parent.name}/{e["file"]}'
                problems = "".join(f"<li>{html.escape(p)}</li>" for p in e.get("problems", []))
                problems = f"<ul class=problems>{problems}</ul>" if problems else ""
                cells.append(f'<figure><a href="{src}"><img src="{src}" loading="lazy"></a>'
                             f'<figcaption><b>{html.escape(e["name"])}</b>: {caption}{problems}</figcaption></figure>')
        sections.append(f"<h2>{manifest.parent.name}</h2><div class=grid>{''.join(cells)}</div>")
    page = ("<!doctype html><meta charset=utf-8><title>optviz album</title><style>"
            "body{font-family:sans-serif;margin:1em;background:#f4f5f7}"
            ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:14px}"
            "figure{margin:0;background:#fff;padding:6px;border:1px solid #ccd}"
            "img{width:100%;display:block}figcaption{font-size:13px;padding-top:4px}"
            ".err{background:#fee}pre{white-space:pre-wrap;font-size:11px}.problems{color:#a00;font-size:12px}</style>"
            "<h1>optviz album</h1>" + "".join(sections))
    (out / "index.html").write_text(page, encoding="utf-8")


# ---------------------------------------------------------------------------------- child


def _child(size: str, out: Path, only: str) -> int:
    width, height = _parse_size(size)
    folder = out / size
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from optviz.app.main import create_application, gl_available

    app = create_application(["optviz-album"])
    album = _Album(app, folder, width, height, gl_available(), only)
    try:
        album.run()
    finally:
        shutil.rmtree(album._tmp, ignore_errors=True)  # the windows' throw-away settings
    (folder / "manifest.json").write_text(json.dumps(album.entries, indent=1))
    return 0


class _Album:
    def __init__(self, app, folder: Path, width: int, height: int, gl: bool, only: str) -> None:
        self.app, self.folder, self.width, self.height, self.gl, self.only = app, folder, width, height, gl, only
        self.entries: list[dict] = []
        self._tmp = Path(tempfile.mkdtemp(prefix="optviz-album-"))

    # -------------------------------------------------------------- helpers

    def wait(self, seconds: float = 0.3, until=None, timeout: float = 60.0) -> None:
        """Let Qt paint for ``seconds``; with ``until``, keep going until it is true (or timeout)."""
        end = time.perf_counter() + seconds
        deadline = time.perf_counter() + timeout
        while True:
            self.app.processEvents()
            now = time.perf_counter()
            if until is None and now >= end:
                return
            if until is not None and now >= end and until():
                return
            if now >= deadline:
                raise TimeoutError("gave up waiting")
            time.sleep(0.01)

    def window(self, **kwargs):
        """A first launch: empty settings, so the window sizes itself to the screen."""
        from PySide6.QtCore import QSettings

        from optviz.app.window.main_window import MainWindow

        path = self._tmp / f"settings-{len(self.entries)}.ini"
        settings = QSettings(str(path), QSettings.Format.IniFormat)
        w = MainWindow(restore=True, enable_3d=self.gl, settings=settings, **kwargs)
        w.show()
        self.wait(0.8)
        return w

    def finish(self, w) -> None:
        """Run the race to its end (or its step limit) and redraw."""
        sim = w.controller.sim
        while not sim.finished:
            if not sim.step(500):
                break
        w.controller.advanced.emit()
        w.model.playback.playing = False
        self.wait(0.6)

    def present(self, w) -> None:
        """Presentation mode, full screen: without a window manager (Xvfb) Qt's full-screen
        request is not honoured, so the window is given the screen's size as a manager would."""
        w.model.view.presentation = True
        self.wait(0.3)
        screen = w.screen().geometry()
        if w.geometry() != screen:
            w.setGeometry(screen)
        self.wait(1.0)

    def close(self, w) -> None:
        w.model.view.presentation = False
        w.hide()
        w.deleteLater()
        self.wait(0.1)

    def shot(self, name: str, caption: str, make) -> None:
        """Render one picture: ``make()`` returns a widget or a QImage to save."""
        if self.only and not any(part in name for part in self.only.split(",")):
            return
        entry = {"name": name, "caption": caption, "file": f"{name}.png"}
        started = time.perf_counter()
        try:
            target = make()
            from PySide6.QtGui import QImage

            image = target if isinstance(target, QImage) else self.as_seen(target)
            if image.isNull() or not image.save(str(self.folder / entry["file"])):
                raise RuntimeError("could not save the picture")
            if not isinstance(target, QImage):
                entry["problems"] = self.audit(target)
        except Exception:
            entry["error"] = traceback.format_exc(limit=6)
            print(f"  {name}: FAILED\n{entry['error']}", file=sys.stderr, flush=True)
        else:
            print(f"  {name} ({time.perf_counter() - started:.1f} s)", flush=True)
        self.entries.append(entry)

    @staticmethod
    def as_seen(widget):
        """``widget`` as a person sees it: its own pixels with its floating docks (separate
        top-level windows, e.g. the leaderboard on a small screen) painted over them where
        they are on the screen. A plain grab leaves them out."""
        from PySide6.QtGui import QPainter
        from PySide6.QtWidgets import QDockWidget

        image = widget.grab().toImage()
        origin = widget.mapToGlobal(widget.rect().topLeft())
        floating = [d for d in widget.findChildren(QDockWidget) if d.isFloating() and d.isVisible()]
        if floating:
            painter = QPainter(image)
            for dock in floating:
                painter.drawImage(dock.mapToGlobal(dock.rect().topLeft()) - origin, dock.grab().toImage())
            painter.end()
        return image

    def audit(self, widget) -> list[str]:
        """What optviz.app.window.audit finds wrong on screen: cut text, a covering legend, unequal units."""
        from optviz.app.window import audit

        problems = audit.cut_text(widget)
        if hasattr(widget, "contour_panel"):
            problems += (audit.map_units(widget) + audit.legend_covers(widget) + audit.fits_screen(widget)
                         + audit.stale_tabs(widget) + audit.leaderboard_covers(widget))
        for text in problems:
            print(f"    ! {text}", flush=True)
        return problems

    # -------------------------------------------------------------- the shots

    def run(self) -> None:
        self.main_window()
        self.scenarios()
        self.presets()
        self.tools()
        self.dialogs()
        self.exports()

    def main_window(self) -> None:
        state = {}

        def launch():
            state["w"] = w = self.window()
            return w

        self.shot("01-launch", "first launch: the narrow valley's default race, not yet played", launch)

        def mid():
            w = state.get("w") or self.window()
            w.controller.sim.step(300)
            w.controller.advanced.emit()
            self.wait(0.6)
            return w

        self.shot("02-mid-race", "the launch race after 300 steps", mid)

        def presentation():
            w = state.get("w") or self.window()
            self.present(w)
            return w

        self.shot("03-presentation", "presentation mode (F5) on the launch race", presentation)

        def collapsed_restored():
            w = state.get("w") or self.window()
            self.present(w)
            w.model.view.panels_collapsed = False  # H opens the panels in presentation mode
            self.wait(0.8)
            return w

        self.shot("04-presentation-panels", "presentation mode with the panels opened (H)", collapsed_restored)

        def after_escape():
            w = state.get("w") or self.window()
            w.model.view.presentation = False
            self.wait(1.0)
            return w

        self.shot("05-after-esc", "back from presentation mode (Esc): the window as it was", after_escape)

        def three_d_alone():
            w = state.get("w") or self.window()
            w.model.view.show_contour = False
            self.wait(1.0)
            return w

        if self.gl:
            self.shot("06-3d-alone", "the 3D view alone (Ctrl+2 hides the contour map)", three_d_alone)
        if "w" in state:
            self.close(state["w"])

    def scenarios(self) -> None:
        from optviz.core.scenario import builtin_scenarios

        for i, (title, path) in enumerate(builtin_scenarios()):
            stem = Path(path).stem
            for presentation in (False, True):
                def make(i=i, presentation=presentation):
                    w = self.window()
                    if not w.scenarios.open_builtin(i):
                        raise RuntimeError("the scenario did not open")
                    self.finish(w)
                    if presentation:
                        self.present(w)
                    self._last = w
                    return w

                suffix = "-presentation" if presentation else ""
                self.shot(f"scenario-{stem}{suffix}", f"{title}{' (presentation mode)' if presentation else ''}"
                          ", at the end of its race", make)
                if getattr(self, "_last", None) is not None:
                    self.close(self._last)
                    self._last = None

    def presets(self) -> None:
        from optviz.core import get_surface, surface_keys

        for key in surface_keys():
            def make(key=key):
                w = self.window(preset=key)
                self.finish(w)
                self._last = w
                return w

            self.shot(f"preset-{key}", f"{get_surface(key).title}: “{get_surface(key).caption}”", make)
            if getattr(self, "_last", None) is not None:
                self.close(self._last)
                self._last = None

    def tools(self) -> None:
        state = {}

        def basins():
            w = state["w"] = self.window(preset="himmelblau")
            dock = w.basins.open()
            self.wait(1.0, until=lambda: not dock.busy, timeout=120)
            return dock

        self.shot("tool-basins", "Analysis ▸ Basins of attraction on Himmelblau", basins)
        if "w" in state and state["w"].basins.dock is not None:  # closed, as a lecturer would before
            state["w"].basins.dock.hide()  # going on: it floats over the views

        def sweep():
            w = state.get("w") or self.window(preset="himmelblau")
            window = w.tuning.open_sweep()
            self.wait(1.0, until=lambda: window.task is None or not window.task.running, timeout=180)
            return window

        self.shot("tool-sweep", "Analysis ▸ Learning-rate sweep of the selected run", sweep)

        def leaderboard():
            w = state.get("w") or self.window(preset="himmelblau")
            self.finish(w)
            w.model.playback.playing = False
            dock = w.leaderboard
            dock.show()
            self.wait(0.6)
            return w

        self.shot("tool-leaderboard", "the leaderboard dock at the end of the Himmelblau race", leaderboard)

        def leaderboard_presentation():
            w = state.get("w") or self.window(preset="himmelblau")
            self.present(w)
            w.leaderboard.show()
            w.leaderboard.raise_()  # as at a race's end: in front of the update rule's tab
            self.wait(1.0)
            return w

        self.shot("tool-leaderboard-presentation", "the leaderboard in presentation mode", leaderboard_presentation)
        if "w" in state:
            self.close(state["w"])

    def dialogs(self) -> None:
        from optviz.app.dialogs.expression_dialog import ExpressionDialog

        for name, text, caption in (("valid", "x**2 + 10*y**2 + sin(3*x)", "a valid expression, echoed"),
                                    ("invalid", "x**2 + 10*y**2 + sin(3*x", "an invalid expression, pointed out")):
            def make(text=text):
                dialog = ExpressionDialog(text, (-4.0, 4.0, -4.0, 4.0))
                dialog.show()
                self.wait(0.2)
                dialog.check() if hasattr(dialog, "check") else None
                self.wait(1.2)
                self._dialog = dialog
                return dialog

            self.shot(f"dialog-custom-{name}", f"File ▸ Custom function…: {caption}", make)
            dialog = getattr(self, "_dialog", None)
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
                self._dialog = None

    def exports(self) -> None:
        from optviz.app.window.model import RaceModel
        from optviz.export import FrameSpec, Race, render_view

        views = ["contour", "side"] + (["3d"] if self.gl else [])
        race = Race.from_model(RaceModel(), steps=400)
        for view in views:
            def make(view=view):
                return render_view(race, FrameSpec(view, self.width, self.height), step=250)

            self.shot(f"export-{view}", f"exported frame, view {view!r}, step 250 of the launch race", make)


if __name__ == "__main__":
    raise SystemExit(main())
