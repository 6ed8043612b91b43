"""Learning-rate sweeps and "Tune all" in the app (Analysis menu).

The numbers all come from :mod:`optviz.core.tuning`; this module runs it on a worker thread
with a progress bar and Cancel, draws the sweep, and applies results through the model (so
the panel's sliders follow and the runs restart). Nothing touches the race until a result is
applied: a cancelled or failed sweep leaves it exactly as it was.

* **Learning-rate sweep…** (Ctrl+L): the selected run's score against α on log axes (the
  worst loss over the last 20 % of the budget, :mod:`optviz.core.tuning`), the runs that did
  not settle marked, the diverged region shaded, the divergence edge and the margin band below
  it (α in (edge/2, edge) is never chosen), the chosen α and the run's current α, a plain
  note of what "best" means, and "Use best α".
* **Tune all** (Ctrl+Shift+T): every run gets its own best α (the same fair rules for all);
  a summary lists old → new α, and **Restore previous α** puts the old values back.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import tuning
from ...core.scenario import MAX_STEPS_LIMIT
from ...core.tuning import Sweep, Tuned, TuningCancelled
from ..window.model import LR_MAX, LR_MIN, RunModel
from ..window.tasks import BackgroundTask
from ..panels.widgets import ColorSwatch, format_value
from .sweep_plot import SweepPlot

#: The default step budget: the race's step limit (a rate tuned on a shorter budget may still
#: rattle at the race's length), at most this (a sweep runs ~40 × seeds races of that length,
#: several times over for the edge search and the refinement: a few seconds at 2,000 steps).
DEFAULT_BUDGET_CAP = 5000
DEFAULT_SEEDS = 3
MAX_SEEDS = 20

def fairness_text() -> str:
    """What "best" means, in plain words (the numbers are the core's constants)."""
    tail = f"{tuning.TAIL_FRACTION:.0%}"
    return (
        "<b>Best α = the α whose run settles lowest, with a margin.</b> Every α gets the same budget of T steps "
        "from the same start (stochastic runs: the same seeds). "
        f"<b>Score:</b> the <i>worst</i> loss in the last {tail} of the steps, so a run that still bounces counts "
        "its high points (mean over the seeds). "
        f"<b>Not settled</b> (orange rings): the loss still falls far, rises on over {tuning.RISE_LIMIT:.0%} of "
        f"those steps (a zig-zag) or swings over more than {tuning.BAND_LIMIT:.0%} of its descent; it loses to "
        "any α that settles. <b>Failed</b> (red): diverged, left the view or ended above the start. "
        "<b>Margin</b> (amber): α stays at most half the divergence edge, away from the cliff. "
        "Ties: the faster descent wins."
    )


FAIRNESS_TEXT = fairness_text()

def tuning_task(work: Callable, parent: QObject) -> BackgroundTask:
    """``work(progress, cancelled)`` (a sweep of :mod:`optviz.core.tuning`) as a background task;
    a failure's message is ``task.message``."""
    return BackgroundTask(lambda io: work(io.progress, io.cancelled), parent, cancelled_by=(TuningCancelled,),
                          name="optviz-tuning")


def _race_key(model) -> tuple:
    """What a sweep depends on besides the run itself: the loss, the start, the noise."""
    custom = model.custom if model.preset == "custom" else None
    return (model.preset, repr(sorted(dict(model.preset_params).items())), repr(custom), tuple(model.start),
            model.seed, model.noise_scale)


def clip_rate(value: float) -> float:
    return float(min(max(value, LR_MIN), LR_MAX))


def result_text(sweep: Sweep) -> str:
    """The sweep's verdict in a few plain sentences (rich text)."""
    best = sweep.best
    ref = "J*" if sweep.reference is not None else "the lowest J found"
    tail = f"the last {tuning.TAIL_FRACTION:.0%} of T = {sweep.steps:,} steps"
    if not math.isfinite(best):
        parts = ["<b>Every α failed</b> within this budget: no best α."]
    else:
        gap = sweep.gap([sweep.best_tail])[0]
        settles = ("it settles" if sweep.best_settled else
                   "<b>no α settles</b> here at a constant rate (a kinked loss or too short a budget): "
                   "this one rattles least; a decaying schedule helps")
        parts = [f"<b>Chosen α = {format_value(best, 4)}</b>: worst loss over {tail} "
                 f"{format_value(sweep.best_tail, 3)} ({format_value(gap, 2)} above {ref}); {settles}."]
    band = sweep.margin_band()
    if band is not None:
        parts.append(f"Divergence edge at α ≈ {format_value(band[1], 3)}: α is kept at most half of it "
                     f"({format_value(band[0], 3)}).")
    else:
        parts.append("No α of the grid diverged: no edge, no margin needed.")
    region = sweep.diverged_region()
    if region:
        parts.append("Failed for α in " + ", ".join(f"[{format_value(a, 3)}, {format_value(b, 3)}]"
                                                     for a, b in region) + ".")
    loose = int(np.count_nonzero(sweep.unsettled)) if sweep.unsettled is not None else 0
    if loose:
        parts.append(f"{loose} grid α did not settle.")
    parts.append(f"Mean over {sweep.seeds} seeds." if sweep.seeds > 1 else "Deterministic: one run per α.")
    return " ".join(parts)


# ---------------------------------------------------------------------------------- sweep window


class SweepWindow(QDialog):
    """The learning-rate sweep of one run (non-modal). ``sweep`` holds the core's result."""

    swept = Signal()  # a sweep finished (or was cancelled / failed): ``task.outcome`` says which

    def __init__(self, actions: "TuningActions") -> None:
        super().__init__(actions.host)
        self.setObjectName("sweep-window")
        self.actions_ = actions
        self.model = actions.model
        self.run: RunModel | None = None
        self.sweep: Sweep | None = None
        self.task: BackgroundTask | None = None
        self._key = None
        self.setWindowTitle("Learning-rate sweep")

        self.swatch = ColorSwatch("#000000", 16)
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        top = QHBoxLayout()
        top.addWidget(self.swatch)
        top.addWidget(self.heading, 1)

        self.budget = QSpinBox()
        self.budget.setObjectName("budget")
        self.budget.setRange(1, MAX_STEPS_LIMIT)
        self.budget.setSingleStep(50)
        self.budget.setValue(actions.steps)
        self.budget.setSuffix(" steps")
        self.budget.setToolTip("T: every α (and in Tune all every run) gets exactly this many steps")
        self.seeds = QSpinBox()
        self.seeds.setObjectName("seeds")
        self.seeds.setRange(1, MAX_SEEDS)
        self.seeds.setValue(actions.seeds)
        self.seeds.setToolTip("Mini-batch orders averaged for stochastic runs (SGD, mini-batch; B < n)")
        self.budget.valueChanged.connect(lambda v: setattr(actions, "steps", int(v)))
        self.seeds.valueChanged.connect(lambda v: setattr(actions, "seeds", int(v)))
        self.run_button = QPushButton("Sweep again")
        self.run_button.setObjectName("run-sweep")
        self.run_button.clicked.connect(self.start)
        settings = QHBoxLayout()
        settings.addWidget(QLabel("Budget T"))
        settings.addWidget(self.budget)
        settings.addSpacing(12)
        settings.addWidget(QLabel("Seeds"))
        settings.addWidget(self.seeds)
        settings.addStretch(1)
        settings.addWidget(self.run_button)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel-sweep")
        self.cancel_button.clicked.connect(self.cancel)
        busy = QHBoxLayout()
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)

        self.plot = SweepPlot()
        self.key = QLabel()
        self.key.setObjectName("key")
        self.key.setWordWrap(True)
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.result = QLabel()
        self.result.setObjectName("result")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.use_button = QPushButton("Use best α")
        self.use_button.setObjectName("use-best")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_best)
        bottom = QHBoxLayout()  # the verdict gets the full width above (a wrapped label beside a
        bottom.addStretch(1)    # button is given one line's height and cut)
        bottom.addWidget(self.use_button)
        self.explanation = QLabel(fairness_text())
        self.explanation.setObjectName("fairness")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setStyleSheet("color: #3c4350")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(settings)
        layout.addLayout(busy)
        layout.addWidget(self.key)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.result)
        layout.addLayout(bottom)
        layout.addWidget(self.explanation)
        self._base_point_size = self.font().pointSizeF()
        self.resize(900, 680)

        m = self.model
        for name in ("preset", "preset_params", "custom", "start", "seed", "noise_scale"):
            m.events.connect(name, self._race_changed)
        m.events.connect("run", self._run_changed)
        m.events.connect("runs", self._runs_changed)
        self._set_busy(False)

    # ------------------------------------------------------------------ commands

    def open_for(self, run: RunModel) -> None:
        """Show the window for ``run`` and sweep it."""
        self.run = run
        self._show_run()
        self.show()
        self.raise_()
        self.start()

    def start(self) -> bool:
        """Sweep the run with the settings shown (in a worker). False if one is already running."""
        if self.run is None or (self.task is not None and self.task.running):
            return False
        if self.run not in self.model.runs:
            self.result.setText("This run is no longer in the race.")
            return False
        surface, start = self.model.surface(), tuple(self.model.start)
        spec, seed, noise = self.run.spec, self.model.seed, self.model.noise_scale
        steps, seeds = int(self.budget.value()), int(self.seeds.value())

        def work(progress, cancelled):
            return tuning.tune_learning_rate(surface, spec, start, steps=steps, seeds=seeds, seed=seed,
                                             noise_scale=noise, progress=progress, cancelled=cancelled)

        self._key = _race_key(self.model)
        self._swept_spec = spec
        self.task = tuning_task(work, self)
        self.task.progressed.connect(self._on_progress)
        self.task.ended.connect(self._on_ended)
        self.progress.setValue(0)
        self.progress.setFormat(f"sweeping {len(tuning.log_grid())} values of α…")
        self._set_busy(True)
        self.task.start()
        return True

    def cancel(self) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.progress.setFormat("cancelling…")

    def use_best(self) -> bool:
        """Set the run's α to the sweep's best (through the model). False if not possible."""
        if self.sweep is None or self.run is None or self.run not in self.model.runs:
            return False
        best = self.sweep.best
        if not math.isfinite(best):
            return False
        try:
            self.run.learning_rate = clip_rate(best)
        except ValueError as err:
            self.actions_.show_message(f"{self.run.title}: {err}")
            return False
        self.actions_.show_message(f"{self.run.title}: α = {format_value(self.run.learning_rate, 4)} "
                                   "(the sweep's best)")
        return True

    # ------------------------------------------------------------------ reactions

    def _on_progress(self, done: int, total: int) -> None:
        if self.task is not None and self.task.running and total > 0:
            self.progress.setValue(int(1000 * done / total))
            self.progress.setFormat(f"%p%  ({done:,} of {total:,} run-steps)")

    def _on_ended(self) -> None:
        task = self.task
        self._set_busy(False)
        if task.outcome == "done":
            self.sweep = task.result
            self.progress.setValue(1000)
            self.progress.setFormat("done")
            self._show_result()
        elif task.outcome == "cancelled":
            self.progress.setValue(0)
            self.progress.setFormat("cancelled: nothing was changed")
        else:
            self.progress.setValue(0)
            self.progress.setFormat("failed")
            self.result.setText(f"The sweep failed: {task.message}")
        self.swept.emit()

    def _show_result(self) -> None:
        sweep, run = self.sweep, self.run
        self.plot.show_sweep(sweep, run.color, run.learning_rate)
        self.key.setText(self.plot.key_html())
        self.result.setText(result_text(sweep))
        self.layout().activate()  # the new text's height now, not at the next event-loop pass
        self._update_use()

    def _update_use(self) -> None:
        ok = (self.sweep is not None and math.isfinite(self.sweep.best) and self.run is not None
              and self.run in self.model.runs and self._key == _race_key(self.model)
              and not (self.task is not None and self.task.running))
        self.use_button.setEnabled(bool(ok))

    def _show_run(self) -> None:
        run = self.run
        if run is None:
            return
        self.swatch.setColor(run.color)
        self.heading.setText(f"{run.title}: how each α settles in T steps  (current α = "
                             f"{format_value(run.learning_rate, 4)})")
        self.setWindowTitle(f"Learning-rate sweep — {run.title}")

    def _run_changed(self, item) -> None:
        index, name = item
        if self.run is None or index >= len(self.model.runs) or self.model.runs[index] is not self.run:
            return
        self._show_run()
        if name == "hyper" and self.plot.sweep is not None:
            self.plot.set_current(self.run.learning_rate)

    def _runs_changed(self, _runs) -> None:
        if self.run is not None and self.run not in self.model.runs:
            self.result.setText("This run was removed from the race.")
        self._update_use()

    def _race_changed(self, _value) -> None:
        if self.sweep is not None and self._key != _race_key(self.model):
            self.result.setText(self.result.text().split("<br>")[0]
                                + "<br><i>The race changed since this sweep (surface, start or noise): "
                                  "sweep again before using its α.</i>")
        self._update_use()

    def _set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        self.run_button.setEnabled(not busy)
        self.budget.setEnabled(not busy)
        self.seeds.setEnabled(not busy)
        self._update_use()

    def closeEvent(self, event) -> None:
        self.cancel()
        super().closeEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode scaled the fonts
            QTimer.singleShot(0, self.fit_to_screen)

    def fit_to_screen(self) -> None:
        """As large as the text and the plot need at the current fonts, within the screen: 900 ×
        680 at the normal size, wider and taller as the fonts grow."""
        k = max(self.font().pointSizeF() / self._base_point_size, 1.0) if self._base_point_size > 0 else 1.0
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width = int(900 * k)
        if screen is not None:
            width = min(width, screen.width())
        layout = self.layout()
        height = max(int(680 * k), layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else 0,
                     layout.totalMinimumSize().height())
        if screen is not None:
            height = min(height, screen.height())
        self.resize(width, height)


class TuneSummary(QDialog):
    """Old → new α per run after Tune all, with Restore."""

    def __init__(self, actions: "TuningActions", rows) -> None:
        super().__init__(actions.host)
        self.setObjectName("tune-summary")
        self.setWindowTitle("Tuned learning rates")
        self.table = QTableWidget(len(rows), 4)
        self.table.setHorizontalHeaderLabels(["Run", "old α", "new α", "worst loss in the tail"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, (title, color, old, new, loss) in enumerate(rows):
            item = QTableWidgetItem(title)
            item.setData(Qt.ItemDataRole.DecorationRole, QColor(color))
            self.table.setItem(i, 0, item)
            self.table.setItem(i, 1, QTableWidgetItem(format_value(old, 4)))
            self.table.setItem(i, 2, QTableWidgetItem("kept (every α failed)" if new is None
                                                      else format_value(new, 4)))
            self.table.setItem(i, 3, QTableWidgetItem("—" if not math.isfinite(loss) else format_value(loss, 3)))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # Every row shown, no scroll bar (a race has a handful of runs).
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        height = header.sizeHint().height() + rows + 2 * self.table.frameWidth() + 2
        self.table.setMinimumHeight(height)
        self.table.setMaximumHeight(height)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        note = QLabel(f"Every run was swept over the same α grid with the same budget of T = {actions.steps:,} "
                      f"steps and scored on its worst loss over the last {tuning.TAIL_FRACTION:.0%} of the steps "
                      "(mean over seeds for stochastic runs); runs that settle beat runs that do not, and each α "
                      "is at most half its divergence edge.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = buttons.addButton("Restore previous α", QDialogButtonBox.ButtonRole.ResetRole)
        self.restore_button.clicked.connect(lambda: (actions.restore(), self.close()))
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(max(560, self.sizeHint().width()), self.sizeHint().height())


class TuningActions(QObject):
    """The Analysis menu's learning-rate tools. ``steps`` and ``seeds`` are the shared settings
    (edited in the sweep window); ``previous`` holds what Restore puts back.

    Args:
        host: the widget the actions are added to (their shortcuts work in its window) and the
            parent of the sweep window, the progress dialog and the summary.
        model: the race model: the runs whose α is swept, tuned and restored.
        show_message: ``show_message(text, timeout_ms=6000)`` in the status bar.
    """

    def __init__(self, host: QWidget, model, show_message: Callable[..., None]) -> None:
        super().__init__(host)
        self.host = host
        self.model = model
        self.show_message = show_message
        self.steps = min(int(self.model.max_steps), DEFAULT_BUDGET_CAP)
        self.seeds = DEFAULT_SEEDS
        self.sweep_window: SweepWindow | None = None
        self.task: BackgroundTask | None = None
        self.progress: QProgressDialog | None = None
        self.summary: TuneSummary | None = None
        self.previous: dict | None = None  # {"same_lr": bool, "rates": [(run, α)]}
        self.actions: dict[str, QAction] = {}
        self.model.events.connect("max_steps", lambda v: setattr(self, "steps", min(int(v), DEFAULT_BUDGET_CAP)),
                                  owner=self)

    def install(self, menu) -> dict[str, QAction]:
        """The actions in ``menu`` (and on the host, for their shortcuts), by name: "sweep",
        "tune_all" and "restore"."""
        w = self.host
        for name, text, key, slot, tip in (
            ("sweep", "Learning-rate &sweep…", "Ctrl+L", self.open_sweep,
             "How each α settles for the selected run: the worst loss in the last 20 % of the steps against α, "
             "the diverged region, the margin below the divergence edge and the chosen α"),
            ("tune_all", "&Tune all", "Ctrl+Shift+T", self.tune_all,
             "Give every run its own best α (same budget and scoring for all), so the race compares tuned optimizers"),
            ("restore", "&Restore previous α", "", self.restore, "Undo the last Tune all"),
        ):
            action = QAction(text, w)
            action.setObjectName(f"tuning-{name}")
            if key:
                action.setShortcut(QKeySequence(key))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setStatusTip(tip)
            action.setToolTip(tip)
            action.triggered.connect(lambda _=False, slot=slot: slot())
            menu.addAction(action)
            w.addAction(action)
            self.actions[name] = action
        self.actions["restore"].setEnabled(False)
        return self.actions

    # ------------------------------------------------------------------ sweep

    def open_sweep(self) -> SweepWindow:
        m = self.model
        run = m.runs[min(m.selected, len(m.runs) - 1)]
        if self.sweep_window is None:
            self.sweep_window = SweepWindow(self)
        self.sweep_window.budget.setValue(self.steps)
        self.sweep_window.seeds.setValue(self.seeds)
        self.sweep_window.open_for(run)
        return self.sweep_window

    # ------------------------------------------------------------------ tune all

    def tune_all(self) -> BackgroundTask | None:
        """Sweep every run in a worker with a progress dialog; apply when done."""
        if self.task is not None and self.task.running:
            self.show_message("Tune all is still running")
            return None
        m = self.model
        runs = list(m.runs)
        specs = [run.spec for run in runs]
        surface, start, seed, noise = m.surface(), tuple(m.start), m.seed, m.noise_scale
        steps, seeds = int(self.steps), int(self.seeds)

        def work(progress, cancelled):
            return tuning.tune_all(surface, specs, start, steps=steps, seeds=seeds, seed=seed, noise_scale=noise,
                                   progress=progress, cancelled=cancelled)

        key = _race_key(m)
        task = tuning_task(work, self)
        self.task = task
        if self.progress is not None:  # the last run's dialog (never deleted inside its own setValue)
            self.progress.deleteLater()
        self.progress = QProgressDialog(f"Tuning α of {len(runs)} runs: {len(tuning.log_grid())} values each, "
                                        f"T = {steps:,} steps, {seeds} seeds for stochastic runs…",
                                        "Cancel", 0, 1000, self.host)
        self.progress.setObjectName("tune-all-progress")
        self.progress.setWindowTitle("Tune all")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(task.cancel)
        task.progressed.connect(lambda d, t: self._progressed(task, d, t))
        task.ended.connect(lambda: self._tuned(task, runs, key))
        self.progress.show()
        task.start()
        return task

    def _progressed(self, task: BackgroundTask, done: int, total: int) -> None:
        # A window-modal QProgressDialog's setValue runs the event loop: the end of the task may
        # be handled inside it, so the dialog is only hidden there and deleted on the next run.
        if task is self.task and task.outcome is None and total > 0 and self.progress is not None:
            self.progress.setValue(int(1000 * done / total))

    def _tuned(self, task: BackgroundTask, runs: list[RunModel], key) -> None:
        if self.progress is not None:
            self.progress.hide()
        if task.outcome == "cancelled":
            self.show_message("Tune all cancelled: the learning rates are unchanged")
            return
        if task.outcome == "failed":
            self.show_message(f"Tune all failed: {task.message}")
            return
        if key != _race_key(self.model) or any(run not in self.model.runs for run in runs):
            self.show_message("The race changed while tuning: nothing was applied")
            return
        self.apply(runs, task.result)

    def apply(self, runs: list[RunModel], tuned: list[Tuned]) -> None:
        """Set every run's α to its tuned value (through the model); remember the old ones."""
        m = self.model
        self.previous = {"same_lr": bool(m.same_lr), "rates": [(run, run.learning_rate) for run in runs]}
        if m.same_lr:
            m.same_lr = False  # tuned rates differ per run
        rows = []
        for run, result in zip(runs, tuned):
            old, new = run.learning_rate, result.learning_rate
            if new is not None:
                run.learning_rate = clip_rate(new)
            rows.append((run.title, run.color, old, None if new is None else run.learning_rate, result.sweep.best_tail))
        self.actions.get("restore") and self.actions["restore"].setEnabled(True)
        text = ", ".join(f"{t} {format_value(o, 3)} → {format_value(n, 3) if n is not None else 'kept'}"
                         for t, _, o, n, _ in rows)
        self.show_message(f"Tuned α: {text}. Analysis ▸ Restore previous α undoes it.", 20000)
        if self.summary is not None:
            self.summary.close()
        self.summary = TuneSummary(self, rows)
        self.summary.show()

    def restore(self) -> bool:
        """Put back the learning rates from before the last Tune all."""
        if not self.previous:
            return False
        m = self.model
        for run, lr in self.previous["rates"]:
            if run in m.runs:
                run.learning_rate = lr
        if self.previous["same_lr"]:
            m.same_lr = True
        self.previous = None
        if "restore" in self.actions:
            self.actions["restore"].setEnabled(False)
        self.show_message("Restored the learning rates from before Tune all")
        return True


__all__ = ["SweepPlot", "SweepWindow", "TuneSummary", "TuningActions", "tuning_task"]
