"""One animation export: render the precomputed race frame by frame and encode it on a
second thread, with progress reports, a cancel flag, and nothing left behind on failure.

The renderer and the encoder overlap: frames go through a short bounded queue to an
encoder thread (PyAV and x264 do their work without the GIL), so frame i + 1 is painted
while frame i is encoded, and memory stays flat. The cancel flag is checked before every
frame on both sides, so a cancel stops the export within a frame or two.

Two ways to drive a job:

* :meth:`AnimationJob.run` does everything in the calling thread (plus the encoder thread):
  the command line, and the app's 2D exports in a worker thread.
* :meth:`start`, then :meth:`step` until it returns False, then :meth:`finish`, from the GUI
  thread's event loop: 3D frames must be rendered on the GUI thread, and returning to the
  event loop between frames keeps the window painting and the Cancel button answering.

Any failure (cancel, full disk, encoder error) raises :class:`~.errors.ExportError` (or
:class:`~.errors.ExportCancelled`) after the temporary file is deleted.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from . import style as st
from .atomic import AtomicFile, check_target
from .errors import ExportCancelled, ExportError
from .frames import BACKGROUND_3D, FrameRenderer, FrameSpec
from .race import Race
from .video import FORMATS, GifWriter, Mp4Writer, check_settings, global_palette

#: Frames waiting for the encoder: enough to keep it busy, few enough that a cancel is quick.
QUEUE_DEPTH = 3
_DONE = object()

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AnimationSettings:
    """An animation: the frame (view, size, title), its rate, and how far each frame moves."""

    frame: FrameSpec = field(default_factory=FrameSpec)
    fps: int = 30
    steps_per_frame: int = 1

    def __post_init__(self) -> None:
        spf = self.steps_per_frame
        if isinstance(spf, bool) or not isinstance(spf, int) or spf < 1:
            raise ExportError(f"steps per frame must be a whole number >= 1, got {spf!r}")


def image_array(image: QImage) -> np.ndarray:
    """A Format_RGB32 QImage as a (height, width, 4) uint8 view (keep the image alive)."""
    w, h = image.width(), image.height()
    arr = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(h, image.bytesPerLine() // 4, 4)
    return arr[:, :w]


class _Encoder(threading.Thread):
    """Takes frames from a bounded queue and writes them; keeps the first error it meets.

    Items are QImages (converted here: ``writer.prepare``) or frames the producer already
    prepared (``prepared=True``)."""

    def __init__(self, writer, total: int, progress: Progress | None, cancelled: threading.Event,
                 file: AtomicFile, prepared: bool) -> None:
        super().__init__(name="optviz-export-encoder", daemon=True)
        self.writer, self.total, self.progress, self.cancelled, self.file = writer, total, progress, cancelled, file
        self.prepared = prepared
        self.frames: queue.Queue = queue.Queue(maxsize=QUEUE_DEPTH)
        self.error: BaseException | None = None
        self.done = 0

    def run(self) -> None:
        try:
            while True:
                item = self.frames.get()
                if item is _DONE:
                    break
                if self.cancelled.is_set():
                    return
                self.writer.write(item if self.prepared else self.writer.prepare(image_array(item)))
                self.done += 1
                if self.progress is not None:
                    self.progress(self.done, self.total)
            if not self.cancelled.is_set():
                self.writer.close()
        except OSError as err:
            self.error = self.file.error_for(err)
        except BaseException as err:  # reported to the thread that waits for us
            self.error = err
        finally:
            if self.error is not None or self.cancelled.is_set():
                self.cancelled.set()  # the renderer stops too
                self.writer.abort()

    def offer(self, item, block: bool) -> bool:
        """Queue a frame; with ``block`` wait for room (waking up to notice a failure)."""
        while True:
            if self.error is not None or self.cancelled.is_set() or not self.is_alive():
                return True  # the caller's next check reports why
            try:
                self.frames.put(item, timeout=0.05 if block else 0.0)
                return True
            except queue.Full:
                if not block:
                    return False

    def close(self) -> None:
        """Send the end marker and wait for the encoder to finish."""
        while self.is_alive():
            try:
                self.frames.put(_DONE, timeout=0.05)
                break
            except queue.Full:
                continue
        self.join()


class AnimationJob:
    """Render and encode ``race`` as ``out`` (.mp4 or .gif) with ``settings``.

    ``progress(done, total)`` is called from the encoder thread after each encoded frame.
    ``camera``: the 3D camera to use (``gl3d.camera_of``); default: the view's best one.
    """

    def __init__(self, race: Race, out, settings: AnimationSettings, *, camera: dict | None = None,
                 progress: Progress | None = None) -> None:
        self.race, self.settings, self.camera, self.progress = race, settings, camera, progress
        self.out = Path(out)
        self.suffix = self.out.suffix.lower()
        f = settings.frame
        check_settings(self.suffix, f.width, f.height, settings.fps)
        check_target(self.out)
        self.steps = race.frame_steps(settings.steps_per_frame)
        if f.leaderboard:  # hold the final frame (with the leaderboard) long enough to read it
            from .leaderboard import HOLD_SECONDS

            hold = int(round(HOLD_SECONDS * settings.fps))
            self.steps = np.append(self.steps, np.full(hold, self.steps[-1], dtype=self.steps.dtype))
        self.total = len(self.steps)
        self.needs_gui_thread = f.needs_gl
        self._cancel = threading.Event()
        self._renderer: FrameRenderer | None = None
        self._file: AtomicFile | None = None
        self._encoder: _Encoder | None = None
        self._next = 0
        self._prepare_here = False  # run(): convert in this thread; step() from a GUI: on the encoder's

    # ------------------------------------------------------------------ control

    def cancel(self) -> None:
        """Ask the export to stop (thread-safe); it stops within a frame or two and deletes its file."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def rendered(self) -> int:
        return self._next

    def run(self) -> Path:
        """The whole export in this thread (GUI thread for 3D views). Returns the written path.

        The colour conversion runs here too, alongside the encoding of the previous frame."""
        self._prepare_here = True
        self.start()
        try:
            while self.step(block=True):
                pass
        except ExportError:
            self._abort()
            raise
        except Exception as err:
            self._abort()
            raise ExportError(f"Export failed: {err}") from err
        except BaseException:
            self._abort()
            raise
        return self.finish()

    def start(self) -> None:
        """Build the renderer, open the temporary file and start the encoder."""
        try:
            self._check_cancel()
            f = self.settings.frame
            self._renderer = FrameRenderer(self.race, f, camera=self.camera)
            self._file = AtomicFile(self.out)
            if self.suffix == ".mp4":
                writer = Mp4Writer(self._file.stream, f.width, f.height, self.settings.fps)
            else:
                writer = GifWriter(self._file.stream, f.width, f.height, self.settings.fps, self._palette(),
                                   self.total)
            self._writer = writer
            self._encoder = _Encoder(writer, self.total, self.progress, self._cancel, self._file, self._prepare_here)
            self._encoder.start()
        except BaseException as err:
            self._abort()
            if isinstance(err, OSError) and self._file is not None:
                raise self._file.error_for(err) from err
            raise

    def step(self, block: bool = False) -> bool:
        """Render the next frame and queue it. Returns False when every frame is queued. Without
        ``block`` it renders nothing while the encoder's queue is full (call again later)."""
        try:
            self._check()
            if self._next >= self.total:
                return False
            if not block and self._encoder.frames.full():
                return True
            image = self._renderer.render(int(self.steps[self._next]))
            item = self._writer.prepare(image_array(image)) if self._prepare_here else image
            self._encoder.offer(item, block=True)
            self._next += 1
            self._check()
            return self._next < self.total
        except BaseException:
            self._abort()
            raise

    def finish(self) -> Path:
        """Wait for the encoder, then rename the file into place. Returns the written path."""
        try:
            self._encoder.close()
            self._check()
            path = self._file.commit()
        except BaseException:
            self._abort()
            raise
        self._close_renderer()
        return path

    # ------------------------------------------------------------------ internals

    def _palette(self) -> list[int]:
        """The GIF's global palette, from the last frame (every path complete) and exact colours."""
        last = self._renderer.render(int(self.steps[-1]))
        rgb = np.ascontiguousarray(image_array(last)[..., 2::-1])
        exact = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in dict.fromkeys(look.color for look in self.race.looks)]
        exact += [c.getRgb()[:3] for c in (st.TEXT, st.MUTED, st.BACKGROUND, st.HEAD_OUTLINE, st.DIVERGED,
                                           BACKGROUND_3D)]
        return global_palette(rgb, exact)

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise ExportCancelled()

    def _check(self) -> None:
        enc = self._encoder
        if enc is not None and enc.error is not None:
            err = enc.error
            if isinstance(err, ExportError):
                raise err
            raise ExportError(f"Video encoder failed: {err}") from err
        self._check_cancel()

    def abort(self) -> None:
        """Stop now from the thread that drives the job: the encoder stops, the temporary
        file is deleted, the renderer released. Idempotent."""
        self._abort()

    def _abort(self) -> None:
        """Stop the encoder, delete the temporary file, release the renderer. Idempotent."""
        self._cancel.set()
        if self._encoder is not None:
            self._encoder.close()
        if self._file is not None:
            self._file.discard()
        self._close_renderer()

    def _close_renderer(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None


def export_animation(race: Race, out, settings: AnimationSettings, *, camera: dict | None = None,
                     progress: Progress | None = None) -> Path:
    """Render and encode ``race`` into ``out`` (.mp4 or .gif) in this thread; see :class:`AnimationJob`."""
    return AnimationJob(race, out, settings, camera=camera, progress=progress).run()


__all__ = ["FORMATS", "AnimationJob", "AnimationSettings", "export_animation", "image_array"]
