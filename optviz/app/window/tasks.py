"""One way to run long work off the GUI thread: basins, learning-rate sweeps and exports.

A :class:`BackgroundTask` runs ``work(io)`` on a worker thread. The worker talks to the GUI only
through ``io`` (:class:`TaskIO`): ``io.progress(done, total)``, ``io.send(value)`` for results
along the way, and ``io.cancelled()`` to poll for a cancel. How it ended arrives on the GUI
thread as exactly one of ``succeeded(result)``, ``cancelled()`` or ``failed(message)``, then
``ended()``; ``outcome`` says which ("done", "cancelled", "failed").

Rules that keep the GUI responsive and Qt safe, by construction:

* The GUI thread never waits for a worker: nothing joins a thread. A task's end is the last
  signal its worker sends; the worker's thread has nothing left to do after it.
* A worker never holds the last reference to a Qt object: the task keeps itself alive in
  :data:`_ALIVE` (owned by the GUI thread) until its thread has exited, checked by a timer,
  so the QObject is always destroyed on the GUI thread.
* Python's cyclic garbage collector runs on the GUI thread only while a worker runs: it
  would otherwise run in whichever thread happens to allocate, and a Qt object it frees there
  (a closed window waiting in a reference cycle) deadlocks against the GUI thread under
  PySide6, which hands part of the deletion to it (seen in the test suite: a worker stuck in
  the collector inside pyqtgraph's isocurve, the GUI thread waiting for the interpreter lock).
  Python's automatic trigger is off for that time and a GUI-thread timer applies the same
  thresholds to the young generations (:class:`_CollectorPause`); when the last task's thread
  has exited the trigger is Python's again. The app also deletes what it closes through Qt on the GUI thread
  (``deleteLater``), so little waits for the collector (tests/test_tasks.py checks both).
* Quitting cancels every task; an export's partial file is deleted by the core's writer at
  exit even if its worker is still running (:mod:`optviz.core.files`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

#: Tasks whose worker thread has not exited yet: their QObjects are released here, on the
#: GUI thread, once it has.
_ALIVE: set[BackgroundTask] = set()
#: How often a finished task checks that its worker thread has exited (ms).
REAP_MS = 20
#: How often the GUI thread runs the cyclic collector's trigger while a worker runs (ms).
COLLECT_MS = 100
#: The generations that trigger collects while a worker runs (not the oldest: see _CollectorPause).
YOUNG = (0, 1)


class _CollectorPause:
    """While any task's worker runs, the cyclic collector runs on the GUI thread only.

    Python triggers a collection in whichever thread happens to allocate, so its automatic
    trigger is switched off (``gc.disable``) for that time and a GUI-thread timer takes its
    place: every :data:`COLLECT_MS` it collects the young generations (0 and 1) whose
    allocation counts are over Python's own thresholds, as the interpreter would. Garbage made
    during a long export is thus still collected (memory does not grow), but never in a worker.
    The oldest generation is left to Python's own trigger once the tasks are over: Python
    collects it only when a quarter of the long-lived objects are new since the last time (a
    count it does not expose), and a full collection of a large heap would hold the GUI thread
    for as long as it takes (a second in the test suite's process, the window frozen). Nested
    holds count; the last release, on the GUI thread, gives the trigger back to Python.
    """

    holds = 0
    was_enabled = True
    timer: QTimer | None = None
    collections = 0  # GUI-thread collections made while paused (tests)

    @classmethod
    def hold(cls) -> None:
        if cls.holds == 0:
            cls.was_enabled = gc.isenabled()
            gc.disable()
            if cls.was_enabled and QCoreApplication.instance() is not None:
                if cls.timer is None:
                    cls.timer = QTimer()
                    cls.timer.setInterval(COLLECT_MS)
                    cls.timer.timeout.connect(cls.collect_due)
                cls.timer.start()
        cls.holds += 1

    @classmethod
    def collect_due(cls) -> None:
        """Collect the older of the young generations over its threshold (Python's rule), on
        this thread."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = [g for g in YOUNG if thresholds[g] and counts[g] >= thresholds[g]]
        if due:
            gc.collect(max(due))
            cls.collections += 1

    @classmethod
    def release(cls) -> None:
        cls.holds = max(cls.holds - 1, 0)
        if cls.holds == 0:
            if cls.timer is not None:
                cls.timer.stop()
            if cls.was_enabled:
                gc.enable()


class TaskCancelled(Exception):
    """Raise from ``work`` to end a task as cancelled (``io.check()`` does)."""


class TaskIO:
    """What a worker may use: plain calls that post to the GUI thread, and the cancel flag."""

    def __init__(self, task: BackgroundTask, cancel: threading.Event) -> None:
        self._task = task
        self._cancel = cancel

    def progress(self, done: int, total: int) -> None:
        _emit(self._task.progressed, int(done), int(total))

    def send(self, value) -> None:
        """A result along the way (a coarse map, a race ready to render on the GUI thread)."""
        _emit(self._task.sent, value)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`TaskCancelled` if a cancel was asked for."""
        if self._cancel.is_set():
            raise TaskCancelled


def _emit(signal, *args) -> None:
    try:
        signal.emit(*args)
    except RuntimeError:  # the task's QObject is gone (its window closed): nobody listens
        pass


class BackgroundTask(QObject):
    """``work(io)`` on a worker thread (see the module's docstring).

    Args:
        work: the job; returns its result.
        cancelled_by: exception types that mean "cancelled" (plus :class:`TaskCancelled`).
        describe: the failure message for an exception (default "Type: message").
        name: the worker thread's name (shown by debuggers and in tracebacks).
    """

    progressed = Signal(int, int)
    sent = Signal(object)
    succeeded = Signal(object)
    cancelled = Signal()
    failed = Signal(str)
    ended = Signal()
    # The worker's report, queued to the GUI thread, where it becomes the public signals.
    _report = Signal(str, object)

    def __init__(self, work: Callable[[TaskIO], object], parent: QObject | None = None, *,
                 cancelled_by: tuple[type[BaseException], ...] = (),
                 describe: Callable[[BaseException], str] | None = None, name: str = "optviz-task") -> None:
        super().__init__(parent)
        self._work = work
        self._cancelled_by = (TaskCancelled, *cancelled_by)
        self._describe = describe or (lambda err: f"{type(err).__name__}: {err}")
        self._name = name
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self.outcome: str | None = None  # "done", "cancelled", "failed"
        self.result = None
        self.message = ""
        self._report.connect(self._on_report)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.cancel)

    # ------------------------------------------------------------------ GUI thread

    def start(self) -> BackgroundTask:
        if self._thread is not None:
            raise RuntimeError("a task runs once")
        io = TaskIO(self, self._cancel)
        self._thread = threading.Thread(target=self._run, args=(io,), name=self._name, daemon=True)
        _ALIVE.add(self)
        _CollectorPause.hold()  # released in _reap, on the GUI thread
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the worker to stop; ``cancelled`` follows when it notices."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        """Started and not ended yet (as the GUI thread knows it)."""
        return self._thread is not None and self.outcome is None

    def wait(self, timeout: float = 30.0) -> bool:
        """Tests and scripts only: run the event loop until the task has ended (True) or
        ``timeout`` seconds passed. The app never calls this."""
        import time

        app = QCoreApplication.instance()
        limit = time.monotonic() + timeout
        while self.outcome is None and time.monotonic() < limit:
            app.processEvents()
            time.sleep(0.002)
        return self.outcome is not None

    def _on_report(self, kind: str, value) -> None:
        if kind == "done":
            self._end("done", value)
        elif kind == "cancelled":
            self._end("cancelled", None)
        elif kind == "failed":
            self._end("failed", value)

    def _end(self, outcome: str, value) -> None:
        if self.outcome is not None:
            return
        self.outcome = outcome
        if outcome == "done":
            self.result = value
            self.succeeded.emit(value)
        elif outcome == "cancelled":
            self.cancelled.emit()
        else:
            self.message = str(value)
            self.failed.emit(self.message)
        self.ended.emit()
        self._reap()

    def _reap(self) -> None:
        """Drop the GUI thread's hold on the task once its worker thread has exited."""
        if self._thread is not None and self._thread.is_alive():
            QTimer.singleShot(REAP_MS, self._reap)
            return
        if self in _ALIVE:
            _ALIVE.discard(self)
            _CollectorPause.release()

    # ------------------------------------------------------------------ worker thread

    def _run(self, io: TaskIO) -> None:
        try:
            result = self._work(io)
        except self._cancelled_by:
            _emit(self._report, "cancelled", None)
        except Exception as err:  # reported, never lost in the thread
            _emit(self._report, "failed", self._describe(err))
        else:
            if self._cancel.is_set():
                _emit(self._report, "cancelled", None)
            else:
                _emit(self._report, "done", result)


def running_tasks() -> list[BackgroundTask]:
    """Tasks whose worker threads have not exited (tests check that none is left behind)."""
    return list(_ALIVE)


__all__ = ["BackgroundTask", "TaskCancelled", "TaskIO", "running_tasks"]
