"""Background work (optviz.app.window.tasks): one helper for basins, sweeps and exports; the GUI
thread never waits for a worker; the cyclic collector never runs in a worker (it is paused
while tasks run and collects on the GUI thread after), and the app leaves no live Qt object to
it anyway; quitting leaves no file."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt
from PySide6.QtWidgets import QGraphicsItem

from optviz.app.window.tasks import BackgroundTask, TaskCancelled, running_tasks

ROOT = Path(__file__).resolve().parents[1]


def _wait(qtbot, task, timeout=10_000):
    qtbot.waitUntil(lambda: task.outcome is not None, timeout=timeout)


def test_a_result_a_failure_and_a_cancel_each_end_a_task_once(qapp, qtbot):
    ends = []
    ok = BackgroundTask(lambda io: (io.progress(1, 2), 6 * 7)[1])
    ok.ended.connect(lambda: ends.append(("ok", ok.outcome, ok.result)))
    progress = []
    ok.progressed.connect(lambda d, t: progress.append((d, t)))
    ok.start()
    _wait(qtbot, ok)

    def broken(io):
        raise ValueError("no such α")

    bad = BackgroundTask(broken)
    bad.ended.connect(lambda: ends.append(("bad", bad.outcome, bad.message)))
    bad.start()
    _wait(qtbot, bad)

    gate = threading.Event()

    def slow(io):
        gate.wait(5)
        io.check()
        return "finished anyway"

    stop = BackgroundTask(slow)
    stop.ended.connect(lambda: ends.append(("stop", stop.outcome, stop.result)))
    stop.start()
    stop.cancel()
    gate.set()
    _wait(qtbot, stop)
    qtbot.wait(50)
    assert ends == [("ok", "done", 42), ("bad", "failed", "ValueError: no such α"), ("stop", "cancelled", None)]
    assert progress == [(1, 2)]
    assert isinstance(TaskCancelled(), Exception)


def test_a_dropped_task_is_destroyed_on_the_gui_thread(qapp, qtbot, monkeypatch):
    """The GUI drops every reference while the worker runs; the worker's last reference must
    not be the one that destroys the QObject (Qt objects die on the thread that owns them).
    The worker is made to linger after its report, so its thread outlives the task's end."""
    import optviz.app.window.tasks as tasks

    real_emit = tasks._emit

    def emit_then_linger(signal, *args):
        real_emit(signal, *args)
        if threading.current_thread() is not threading.main_thread():
            time.sleep(0.3)

    monkeypatch.setattr(tasks, "_emit", emit_then_linger)
    where = []
    gate = threading.Event()

    def work(io):
        gate.wait(5)
        return "late"

    task = BackgroundTask(work)
    task.destroyed.connect(lambda *_: where.append(threading.current_thread().name), Qt.ConnectionType.DirectConnection)
    task.start()
    del task
    gc.collect()
    gate.set()
    qtbot.waitUntil(lambda: not running_tasks(), timeout=5000)
    gc.collect()
    qtbot.waitUntil(lambda: bool(where), timeout=5000)
    assert where == [threading.main_thread().name]


def _live_qt_garbage() -> list[str]:
    """Qt objects (QObjects, graphics items) that only the cyclic collector would free, and
    whose C++ side is still alive: freeing them would destroy it in whatever thread collects."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = [type(o).__name__ for o in gc.garbage
                 if isinstance(o, (QObject, QGraphicsItem)) and shiboken6.isValid(o)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()
    return found


def _pump(qtbot, ms=50):
    qtbot.wait(ms)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_no_live_qt_object_is_left_to_the_cyclic_collector_and_nothing_waits(qtbot, tmp_path, monkeypatch):
    """The reason the garbage collector may stay on while workers run: whatever the app drops
    (cards of replaced runs, closed docks and windows, finished exports' dialogs, swapped
    presets and scenarios) is deleted by Qt on the GUI thread, so a collection in a worker
    thread would only ever free dead wrappers. Along the way: the collector is paused while tasks
    run and back afterwards, and the GUI thread joins no thread (basins, a 2D export)."""
    from optviz.app.dialogs import export_dialog
    from optviz.app.window.main_window import MainWindow

    joins = []
    real_join = threading.Thread.join

    def watched_join(self, *args, **kwargs):
        if threading.current_thread() is threading.main_thread() and self.name.startswith("optviz"):
            joins.append(self.name)
        return real_join(self, *args, **kwargs)

    monkeypatch.setattr(threading.Thread, "join", watched_join)
    assert gc.isenabled()
    w = MainWindow(restore=False, enable_3d=False, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.resize(1600, 900)
    w.show()
    _pump(qtbot)
    assert _live_qt_garbage() == []
    found = {}
    w.controller.sim.step(100)
    w.controller.advanced.emit()
    for preset in ("rosenbrock", "himmelblau", "beale", "saddle"):
        w.model.preset = preset
        _pump(qtbot)
    found["presets"] = _live_qt_garbage()
    w.basins.action.trigger()
    dock = w.basins.dock
    qtbot.waitUntil(lambda: dock.worker.task is not None, timeout=10_000)
    assert not gc.isenabled(), "the cyclic collector must not run in a worker thread"
    qtbot.waitUntil(lambda: not dock.busy, timeout=60_000)
    dock.close()
    _pump(qtbot)
    found["basins"] = _live_qt_garbage()
    e = export_dialog.start_animation_export(w.export_parts(), tmp_path / "a.gif", export_dialog.AnimationSettings(
        export_dialog.FrameSpec("contour", 320, 180), fps=10, steps_per_frame=20), 100)
    qtbot.waitUntil(lambda: e.task is not None, timeout=5000)
    assert not gc.isenabled(), "the cyclic collector must not run in a worker thread"
    qtbot.waitUntil(lambda: not e.running, timeout=60_000)
    assert e.outcome == "done", e.message
    _pump(qtbot)
    found["export"] = _live_qt_garbage()
    for index in range(3):
        assert w.scenarios.open_builtin(index)
        _pump(qtbot)
    w.show_shortcuts()
    _pump(qtbot)
    w.model.view.presentation = True
    _pump(qtbot)
    w.model.view.presentation = False
    _pump(qtbot)
    found["scenarios, shortcuts, presentation"] = _live_qt_garbage()
    assert {k: v for k, v in found.items() if v} == {}
    qtbot.waitUntil(lambda: not running_tasks(), timeout=10_000)
    assert gc.isenabled(), "the collector comes back when the last task's thread has exited"
    assert joins == []


def test_quitting_during_an_export_leaves_no_partial_file(tmp_path):
    """The app quits while a long MP4 export runs in its worker; nobody waits for the worker,
    and no temporary file is left next to the target."""
    script = textwrap.dedent(
        """
        import os, sys, time
        from PySide6.QtCore import QSettings, QTimer
        from optviz.app.main import create_application
        app = create_application()
        from optviz.app.dialogs import export_dialog
        from optviz.app.window.main_window import MainWindow
        out = os.environ["OUT"]
        w = MainWindow(restore=False, enable_3d=False, settings=QSettings(out + "/s.ini", QSettings.Format.IniFormat))
        w.show()
        e = export_dialog.start_animation_export(w.export_parts(), out + "/long.mp4",
            export_dialog.AnimationSettings(export_dialog.FrameSpec("contour", 640, 360), fps=30,
                                            steps_per_frame=1), 5000)
        def quit_when_writing():
            if e.job is not None and e.job.rendered >= 3:
                print("quitting at frame", e.job.rendered, flush=True)
                app.quit()
            else:
                QTimer.singleShot(5, quit_when_writing)
        QTimer.singleShot(5, quit_when_writing)
        app.exec()
        print("exited the event loop", flush=True)
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OUT=str(tmp_path),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "quitting at frame" in proc.stdout and "exited the event loop" in proc.stdout
    assert time.monotonic() - t0 < 60
    left = [p.name for p in tmp_path.iterdir() if p.name not in ("s.ini",)]
    assert left == [], f"left behind: {left}"


def test_while_a_worker_runs_garbage_is_collected_on_the_gui_thread_only(qtbot):
    """The worker makes reference cycles for a while; they are collected during the task (memory
    does not grow) and every collection runs on the GUI thread."""
    import weakref

    class Node:
        pass

    threads, freed = [], []
    stop = threading.Event()

    def record(phase, info):
        if phase == "start":
            threads.append(threading.current_thread() is threading.main_thread())

    def work(io):
        made, limit = 0, time.monotonic() + 25
        while not stop.is_set() and time.monotonic() < limit:
            a, b = Node(), Node()
            a.other, b.other = b, a  # a cycle: only the cyclic collector frees it
            weakref.finalize(a, freed.append, 1) if made % 1000 == 0 else None
            made += 1
        return made

    gc.callbacks.append(record)
    try:
        task = BackgroundTask(work).start()
        qtbot.waitUntil(lambda: len(freed) >= 5, timeout=20_000)  # freed while the worker still runs
        assert task.running
        stop.set()
        assert task.wait(30)
    finally:
        gc.callbacks.remove(record)
    assert threads and all(threads), "a collection ran in the worker thread"


def test_while_a_worker_runs_the_gui_thread_never_makes_a_full_collection(qtbot):
    """A full collection of a large heap holds the GUI thread for as long as it takes (the
    window froze for a second in the test suite's process); while a task runs, the GUI
    thread's trigger collects the young generations only, even with the oldest one far over
    its threshold."""
    from optviz.app.window.tasks import _CollectorPause

    generations = []

    def record(phase, info):
        if phase == "start":
            generations.append(info["generation"])

    stop = threading.Event()

    def work(io):
        limit = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < limit:
            [[] for _ in range(100)]  # allocations: the counts rise
            time.sleep(0.001)

    old = gc.get_threshold()
    gc.set_threshold(1, 1, 1)  # every generation due at once
    gc.callbacks.append(record)
    try:
        before = _CollectorPause.collections
        task = BackgroundTask(work).start()
        qtbot.waitUntil(lambda: _CollectorPause.collections >= before + 4, timeout=20_000)
        during = list(generations)  # the task still runs: the GUI thread's trigger made these
        assert task.running and not gc.isenabled()
    finally:
        stop.set()
        gc.callbacks.remove(record)
        gc.set_threshold(*old)
    assert task.wait(30)
    assert during and max(during) <= 1, during
