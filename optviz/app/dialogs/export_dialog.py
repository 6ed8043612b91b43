"""The export dialogs of the main window: PNG image, MP4/GIF animation, CSV/NPZ trajectories.

Every export works on a copy: the race model is copied before anything is computed and
animations run a Simulation of their own, so the window's race (model, simulation, views) is
never touched, whatever happens to the export. 2D work runs in a worker thread; 3D frames
must be rendered on the GUI thread and are rendered one per event-loop pass, so the window
keeps repainting and the progress dialog's Cancel answers within a frame or two. Failures
are reported with :func:`show_error` (a module attribute, so tests can replace the modal box).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...export import (
    MAX_FPS,
    MAX_SIDE,
    MIN_SIDE,
    AnimationJob,
    AnimationSettings,
    ExportCancelled,
    ExportError,
    FrameSpec,
    Race,
    camera_of,
    check_settings,
)
from ...core.limits import MAX_STEPS_LIMIT
from ...look import RunLook
from ..window.saved_form import model_from_scenario, model_to_scenario
from ..window.tasks import BackgroundTask, TaskIO

SIZES = (("1280 × 720 (HD)", 1280, 720), ("1920 × 1080 (Full HD)", 1920, 1080), ("3840 × 2160 (4K)", 3840, 2160))
CUSTOM = "Custom…"
SETTINGS_FOLDER = "export/folder"


def show_error(parent: QWidget, title: str, text: str) -> None:
    """A modal warning; tests replace this attribute to keep going."""
    QMessageBox.warning(parent, title, text)


@dataclass(frozen=True)
class ExportParts:
    """What the exports work on, each named: the window hands these over.

    Attributes:
        window: the main window: the parent of the dialogs and of the progress dialog, and what
            "Whole window" renders.
        model, controller: the race model (copied for animations and trajectories) and the
            controller (its simulation and grid: the race as it stands, for images).
        settings: where the last export folder is remembered (:data:`SETTINGS_FOLDER`).
        surface3d: the 3D view (its camera), or None without OpenGL (no 3D views offered).
        show_message: ``show_message(text)`` in the status bar (how an export ended).
        tolerance: the Leaderboard dock's tolerance now, for exports that show the leaderboard.
        hold_docks: ``with hold_docks():`` keeps the dock arrangement while "Whole window" is
            laid out at the picture's size.
    """

    window: QMainWindow
    model: object
    controller: object
    settings: QSettings
    surface3d: QWidget | None
    show_message: Callable[[str], None]
    tolerance: Callable[[], float]
    hold_docks: Callable[[], AbstractContextManager]


# ---------------------------------------------------------------------------------- dialogs


class _SizeChooser(QWidget):
    """Size presets plus custom width and height."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        for text, w, h in SIZES:
            self.combo.addItem(text, (w, h))
        self.combo.addItem(CUSTOM, None)
        self.combo.setCurrentIndex(1)
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value in ((self.width_box, 1920), (self.height_box, 1080)):
            box.setRange(MIN_SIDE, MAX_SIDE)
            box.setValue(value)
            box.setSuffix(" px")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.width_box)
        layout.addWidget(QLabel("×"))
        layout.addWidget(self.height_box)
        self.combo.currentIndexChanged.connect(self._on_preset)
        self._on_preset()

    def _on_preset(self) -> None:
        size = self.combo.currentData()
        custom = size is None
        self.width_box.setEnabled(custom)
        self.height_box.setEnabled(custom)
        if size is not None:
            self.width_box.setValue(size[0])
            self.height_box.setValue(size[1])

    def set_size(self, width: int, height: int) -> None:
        index = next((i for i, (_, w, h) in enumerate(SIZES) if (w, h) == (width, height)), len(SIZES))
        self.combo.setCurrentIndex(index)
        self.width_box.setValue(width)
        self.height_box.setValue(height)

    def size(self) -> tuple[int, int]:
        return self.width_box.value(), self.height_box.value()


class _ExportDialog(QDialog):
    """Shared parts: the view, the size, the title switch, the output file."""

    VIEWS: tuple[tuple[str, str], ...] = ()
    FILTERS = ""
    SUFFIX = ""

    def __init__(self, parts: ExportParts, title: str) -> None:
        super().__init__(parts.window)
        self.parts = parts
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.view = QComboBox()
        for key, text in self.VIEWS:
            self.view.addItem(text, key)
            if key in ("3d", "side") and parts.surface3d is None:
                item = self.view.model().item(self.view.count() - 1)
                item.setEnabled(False)
                item.setToolTip("The 3D view needs OpenGL (an X server or a GPU)")
        self.form.addRow("View", self.view)
        self.size_chooser = _SizeChooser()
        self.form.addRow("Size", self.size_chooser)
        self.title_box = QCheckBox("Show the preset's title")
        self.title_box.setChecked(True)
        self.form.addRow("", self.title_box)
        self.leaderboard_box = QCheckBox("Include the leaderboard")
        self.leaderboard_box.setObjectName("include-leaderboard")
        self.leaderboard_box.setToolTip("Rank the runs on the final frame (steps to the leaderboard's tolerance, "
                                        "final loss, outcome); animations hold that frame for 2 s")
        self.form.addRow("", self.leaderboard_box)
        self.path = QLineEdit(str(default_path(parts, self.SUFFIX)))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.form.addRow("File", row)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.windowTitle(), self.path.text(), self.FILTERS)
        if name:
            self.path.setText(name)

    def out(self) -> Path:
        return Path(self.path.text().strip()).expanduser()

    def check(self) -> str | None:
        """Why the settings cannot be exported, or None."""
        return None

    def accept(self) -> None:
        problem = self.check()
        if problem:
            self.note.setText(problem)
            return
        super().accept()


class ImageDialog(_ExportDialog):
    """PNG of the contour view, the 3D view, or the whole window."""

    VIEWS = (("contour", "Contour map"), ("3d", "3D view"), ("window", "Whole window"))
    FILTERS = "PNG images (*.png)"
    SUFFIX = ".png"

    def __init__(self, parts: ExportParts) -> None:
        super().__init__(parts, "Export image")
        self.view.currentIndexChanged.connect(self._on_view)
        self._on_view()

    def _on_view(self) -> None:
        window_view = self.view.currentData() == "window"
        self.leaderboard_box.setEnabled(not window_view)
        if window_view:
            self.leaderboard_box.setToolTip("The whole window shows the Leaderboard dock when it is open")

    def check(self) -> str | None:
        if self.out().suffix.lower() != ".png":
            return "The file name must end in .png."
        return None


class AnimationDialog(_ExportDialog):
    """MP4 or GIF: view, size, frames per second, steps, steps per frame, title."""

    VIEWS = (("contour", "Contour map"), ("3d", "3D view"), ("side", "Contour + 3D + loss plot"))
    FILTERS = "MP4 video (*.mp4);;GIF animation (*.gif)"
    SUFFIX = ".mp4"

    def __init__(self, parts: ExportParts) -> None:
        super().__init__(parts, "Export animation")
        model = parts.model
        self.fps = QSpinBox()
        self.fps.setRange(1, MAX_FPS[".mp4"])
        self.fps.setValue(30)
        self.steps = QSpinBox()
        self.steps.setRange(1, MAX_STEPS_LIMIT)
        self.steps.setValue(model.max_steps)
        self.steps_per_frame = QSpinBox()
        self.steps_per_frame.setRange(1, MAX_STEPS_LIMIT)
        self.steps_per_frame.setValue(model.playback.steps_per_frame)
        self.form.insertRow(2, "Frames per second", self.fps)
        self.form.insertRow(3, "Steps", self.steps)
        self.form.insertRow(4, "Steps per frame", self.steps_per_frame)
        self.estimate = QLabel()
        self.form.insertRow(5, "", self.estimate)
        for box in (self.fps, self.steps, self.steps_per_frame):
            box.valueChanged.connect(self._update_estimate)
        self._update_estimate()

    def _update_estimate(self) -> None:
        frames = -(-self.steps.value() // self.steps_per_frame.value()) + 1
        self.estimate.setText(f"at most {frames:,} frames, {frames / self.fps.value():.1f} s "
                              "(the animation ends when every run has stopped)")

    def settings(self) -> AnimationSettings:
        w, h = self.size_chooser.size()
        frame = FrameSpec(self.view.currentData(), w, h, self.title_box.isChecked(),
                          leaderboard=self.leaderboard_box.isChecked(), tolerance=self.parts.tolerance())
        return AnimationSettings(frame, self.fps.value(), self.steps_per_frame.value())

    def check(self) -> str | None:
        w, h = self.size_chooser.size()
        try:
            check_settings(self.out().suffix, w, h, self.fps.value())
        except ExportError as err:
            return str(err)[:1].upper() + str(err)[1:]
        return None


# ---------------------------------------------------------------------------------- running


def default_path(parts: ExportParts, suffix: str) -> Path:
    folder = Path(str(parts.settings.value(SETTINGS_FOLDER) or Path.home()))
    return folder / f"{parts.model.preset}{suffix}"


def _remember_folder(parts: ExportParts, path: Path) -> None:
    parts.settings.setValue(SETTINGS_FOLDER, str(Path(path).absolute().parent))


def _model_copy(parts: ExportParts):
    """An independent copy of the window's race model (the export reads only this)."""
    return model_from_scenario(model_to_scenario(parts.model, "export"))


def _snapshot(parts: ExportParts) -> Race:
    """The race as it stands in the window (a copy of its simulation's history)."""
    model = parts.model
    runs = [run.spec for run in model.runs]
    looks = [RunLook(run.color, run.marker, tuple(run.dash)) for run in model.runs]
    c = parts.controller
    scale = c.grid.scale if c.grid is not None else None
    return Race.from_simulation(c.sim, runs, looks, preset=model.preset, log_loss=model.view.log_loss,
                                noise_scale=model.noise_scale, scale=scale)


class _Shared:
    """What the worker hands the GUI thread: the animation job once it exists (plain Python;
    the job itself holds no Qt object)."""

    def __init__(self) -> None:
        self.job: AnimationJob | None = None


def _failure_text(err: BaseException) -> str:
    return str(err) if isinstance(err, ExportError) else f"Export failed: {err}"


class Export(QObject):
    """One running export with its progress dialog. ``finished`` is emitted once at the end;
    ``outcome`` is then "done", "cancelled" or "failed" and ``message`` says what happened.
    Work off the GUI thread runs as a :class:`~.tasks.BackgroundTask` (``task``).

    Args:
        parent: the parent of the export and of its (window-modal) progress dialog and error box.
        show_message: ``show_message(text)`` in the status bar: how the export ended.
        label, total: the progress dialog's text and number of steps (0: busy).
    """

    finished = Signal()

    def __init__(self, parent: QWidget, show_message: Callable[[str], None], label: str, total: int = 0) -> None:
        super().__init__(parent)
        self.show_message = show_message
        self.outcome: str | None = None
        self.message = ""
        self.path: Path | None = None
        self.shared = _Shared()
        self.task: BackgroundTask | None = None
        self._cancel_requested = False
        self.progress = QProgressDialog(label, "Cancel", 0, total, parent)
        self.progress.setWindowTitle("Exporting")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel)
        self.progress.show()
        # Quitting mid-export: stop it so that its temporary file is deleted, not left behind.
        QCoreApplication.instance().aboutToQuit.connect(self._on_quit)

    @property
    def job(self) -> AnimationJob | None:
        return self.shared.job

    def cancel(self) -> None:
        """Stop the export; it ends within a frame or two and leaves no file."""
        self._cancel_requested = True
        if self.task is not None:
            self.task.cancel()
        if self.job is not None:
            self.job.cancel()

    @property
    def running(self) -> bool:
        return self.outcome is None

    def _on_quit(self) -> None:
        """No waiting at quit: a worker stops at its next frame and deletes its partial file;
        if the process exits first, the core's writer deletes it at exit."""
        if self.outcome is not None:
            return
        self.cancel()
        gui_driven = self.task is None or self.task.outcome is not None
        if self.job is not None and gui_driven:
            self.job.abort()  # the GUI thread drives it (3D): nobody else will

    def run_in_thread(self, work: Callable[[TaskIO, _Shared], object]) -> None:
        """Run ``work(io, shared)`` as a background task. Its result, a path, ends the export;
        an :class:`AnimationJob` is handed to the GUI thread to render (3D frames need its
        OpenGL context). ``work`` must refer to no Qt object."""
        shared = self.shared
        task = BackgroundTask(lambda io: work(io, shared), self, cancelled_by=(ExportCancelled,),
                              describe=_failure_text, name="optviz-export")
        task.progressed.connect(self._on_progress)
        task.succeeded.connect(lambda result: self._start_gl(result) if isinstance(result, AnimationJob)
                               else self._on_done(result))
        task.failed.connect(self._on_failed)
        task.cancelled.connect(self._on_cancelled)
        self.task = task.start()
        if self._cancel_requested:
            task.cancel()

    def _on_progress(self, done: int, total: int) -> None:
        if self.outcome is None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)
            self.progress.setLabelText(f"Encoding frame {done:,} of {total:,}…")

    def _finish(self, outcome: str, message: str) -> None:
        if self.outcome is not None:
            return
        self.outcome, self.message = outcome, message
        timer = getattr(self, "_timer", None)
        if timer is not None:
            timer.stop()
        self.progress.close()
        self.show_message(message)
        if outcome == "failed":
            show_error(self.parent(), "Export failed", message)
        self.finished.emit()

    def _on_done(self, path) -> None:
        self.path = Path(path)
        self._finish("done", f"Exported {self.path}")

    def _on_failed(self, message: str) -> None:
        self._finish("failed", message)

    def _on_cancelled(self) -> None:
        self._finish("cancelled", "Export cancelled; no file was written.")

    # ------------------------------------------------------------------ animations

    def start_animation(self, model, out: Path, settings: AnimationSettings, steps: int, camera) -> None:
        """Precompute in a worker; then render and encode there (2D) or on the GUI thread (3D)."""
        gl = settings.frame.needs_gl

        def work(io: TaskIO, shared: _Shared):
            race = Race.from_model(model, steps)
            job = AnimationJob(race, out, settings, camera=camera, progress=io.progress)
            shared.job = job
            if io.cancelled():
                job.cancel()
            return job if gl else job.run()

        self.run_in_thread(work)

    def _start_gl(self, job: AnimationJob) -> None:
        try:
            job.start()
        except ExportCancelled:
            self._on_cancelled()
            return
        except ExportError as err:
            self._on_failed(str(err))
            return
        self._timer = QTimer(self)
        self._timer.setInterval(0)  # one frame per event-loop pass: paint and Cancel go in between
        self._timer.timeout.connect(self._gl_tick)
        self._timer.start()

    def _gl_tick(self) -> None:
        try:
            if self.job.step(block=False):
                return
            self._timer.stop()
            self._on_done(self.job.finish())
        except ExportCancelled:
            self._on_cancelled()
        except ExportError as err:
            self._on_failed(str(err))
        except Exception as err:
            self._on_failed(f"Export failed: {err}")


def start_animation_export(parts: ExportParts, out, settings: AnimationSettings, steps: int) -> Export:
    """Export the window's race as an animation (.mp4 or .gif) without freezing the window."""

    out = Path(out)
    _remember_folder(parts, out)
    export = Export(parts.window, parts.show_message, f"Rendering {out.name}…")
    camera = camera_of(parts.surface3d) if settings.frame.needs_gl else None
    export.start_animation(_model_copy(parts), out, settings, steps, camera)
    return export


def start_image_export(parts: ExportParts, out, view: str, width: int, height: int, show_title: bool = True, *,
                       leaderboard: bool = False, tolerance: float | None = None) -> Export:
    """PNG of a view (rendered in a worker for the contour map) or of the whole window; with
    ``leaderboard`` the views carry the finish leaderboard (``tolerance``: the dock's)."""
    from ...export import export_image, render_window, save_png

    out = Path(out)
    _remember_folder(parts, out)
    race = _snapshot(parts)
    board = {"leaderboard": bool(leaderboard),
             "tolerance": parts.tolerance() if tolerance is None else float(tolerance)}
    export = Export(parts.window, parts.show_message, f"Rendering {out.name}…")
    if view == "contour":
        export.run_in_thread(lambda io, shared: export_image(race, out, FrameSpec("contour", width, height, show_title,
                                                                              **board)))
        return export
    # 3D and the window render on the GUI thread (OpenGL, widgets): one frame, after a repaint.
    def on_gui():
        try:
            if view == "window":
                with parts.hold_docks():  # laid out at the picture's size, not the screen's
                    image = render_window(parts.window, width, height, race)
                path = save_png(image, out)
            else:
                path = export_image(race, out, FrameSpec("3d", width, height, show_title, **board),
                                    camera=camera_of(parts.surface3d))
            export._on_done(path)
        except ExportError as err:
            export._on_failed(str(err))
        except Exception as err:
            export._on_failed(f"Export failed: {err}")

    QTimer.singleShot(0, on_gui)
    return export


def start_trajectory_export(parts: ExportParts, out) -> Export:
    """CSV or NPZ of the window's race run to its step limit (computed in a worker)."""
    from ...export import export_trajectories

    out = Path(out)
    _remember_folder(parts, out)
    model = _model_copy(parts)
    export = Export(parts.window, parts.show_message, f"Computing and writing {out.name}…")
    export.run_in_thread(lambda io, shared: export_trajectories(Race.from_model(model), out))
    return export


# ---------------------------------------------------------------------------------- menu slots


def export_image(parts: ExportParts) -> Export | None:
    """File ▸ Export image…: ask, then export."""
    dialog = ImageDialog(parts)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    w, h = dialog.size_chooser.size()
    return start_image_export(parts, dialog.out(), dialog.view.currentData(), w, h, dialog.title_box.isChecked(),
                              leaderboard=dialog.leaderboard_box.isChecked() and dialog.leaderboard_box.isEnabled())


def export_animation(parts: ExportParts) -> Export | None:
    """File ▸ Export animation…: ask, then export."""
    dialog = AnimationDialog(parts)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return start_animation_export(parts, dialog.out(), dialog.settings(), dialog.steps.value())


def export_trajectories(parts: ExportParts) -> Export | None:
    """File ▸ Export trajectories…: ask for a .csv or .npz file, then export."""
    name, chosen = QFileDialog.getSaveFileName(parts.window, "Export trajectories", str(default_path(parts, ".csv")),
                                               "CSV table (*.csv);;NumPy arrays (*.npz)")
    if not name:
        return None
    out = Path(name)
    if out.suffix.lower() not in (".csv", ".npz"):
        out = out.with_suffix(".npz" if "npz" in chosen else ".csv")
    return start_trajectory_export(parts, out)
