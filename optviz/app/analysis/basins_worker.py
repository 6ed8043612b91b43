"""The basins tool's background computation: a :class:`MapJob` (what to draw) computed by a
:class:`BasinWorker` on a :class:`~optviz.app.window.tasks.BackgroundTask`, the coarse maps
first, then the fine ones, through the shared :class:`~optviz.core.basins.BasinCache`."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from ...core import basins_compiled
from ...core.basins import BasinCache, BasinsCancelled, BasinSettings, compute_basins
from ..window.tasks import BackgroundTask

#: The resolution of the quick first maps.
COARSE = 64
#: Progress is reported in whole steps of this many per map.
PROGRESS_STEPS = 1000


@dataclass(frozen=True)
class MapJob:
    """What one computation draws: per visible run its index, title, colour and settings."""

    runs: tuple[tuple[int, str, str, BasinSettings], ...]
    surface: object
    fine: int


class BasinWorker(QObject):
    """Computes a :class:`MapJob` as a :class:`~.tasks.BackgroundTask`: the coarse maps, then
    the fine ones. Results come to the GUI thread as ``mapReady(job_id, run_index, result)``;
    ``progressed(job_id, fraction)`` along the way and ``ended(job_id, outcome, message)``
    last, with outcome "done", "cancelled" or "failed"."""

    mapReady = Signal(int, int, object)
    progressed = Signal(int, float)
    ended = Signal(int, str, str)

    def __init__(self, cache: BasinCache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.computed = 0  # maps computed (cache hits not counted)
        self.task: BackgroundTask | None = None
        self.job_id = 0

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    def start(self, job_id: int, job: MapJob) -> None:
        self.job_id = job_id
        task = BackgroundTask(lambda io: self._compute(job, io), self, cancelled_by=(BasinsCancelled,),
                              name="optviz-basins")
        task.progressed.connect(lambda done, total: self.progressed.emit(job_id, done / max(total, 1)))
        task.sent.connect(lambda item: self._on_sent(job_id, *item))
        task.ended.connect(lambda: self.ended.emit(job_id, task.outcome, task.message))
        self.task = task.start()

    def _on_sent(self, job_id: int, index: int, result, fresh: bool) -> None:
        self.computed += fresh  # counted here: the worker writes no attribute of a QObject
        self.mapReady.emit(job_id, index, result)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def wait(self, timeout: float = 30.0) -> None:
        """Tests: run the event loop until the job's end has reached the GUI thread."""
        if self.task is not None:
            self.task.wait(timeout)

    def _compute(self, job: MapJob, io) -> None:
        """The worker's body: touches the cache (thread-safe) and ``io`` only."""
        stages = []
        if job.fine != COARSE:
            stages.append(COARSE)
        stages.append(job.fine)
        total = len(stages) * len(job.runs)
        done = 0
        for res in stages:
            for index, _, _, settings in job.runs:
                s = settings.with_resolution(res)
                if res == COARSE and self.cache.get(settings) is not None:
                    done += 1  # the fine map is known: no preview needed
                    continue
                # The coarse preview never waits for the kernel to compile.
                backend = "auto" if (res != COARSE or basins_compiled.ready()) else "numpy"
                base = done

                def progress(f, base=base):
                    io.progress(round(PROGRESS_STEPS * (base + f)), PROGRESS_STEPS * total)

                result = self.cache.get(s)
                fresh = result is None
                if fresh:
                    result = compute_basins(job.surface, s.spec, s.rect, resolution=res, steps=s.steps,
                                            seed=s.seed, noise_scale=s.noise_scale, samples=s.samples,
                                            tolerances=s.tolerances, backend=backend, progress=progress,
                                            cancelled=io.cancelled, cache=self.cache)
                done += 1
                io.send((index, result, fresh))
