"""Basins of attraction in the app (Analysis ▸ Basins of attraction…, Ctrl+B).

A dock shows, for every visible run of the race, where that run would end from every start
point of the surface's view box: a coloured map per run, side by side, titled in the run's
colour, with a legend linking each colour to its minimum ("min k (x, y)", as on the contour
map). The numbers come from :func:`optviz.core.basins.compute_basins` on a worker thread:

* first a coarse 64 × 64 map (a few milliseconds with the compiled kernel), then the chosen
  resolution (256, or 128 when only the NumPy fallback is there); a progress bar and Cancel;
  Cancel puts back the maps shown before, so the dock never shows a half-done state;
* results are cached by their full settings (LRU), so going back to an α is instant;
* live: a change of a run's hyperparameters, of the runs, the surface, the seed or the noise
  recomputes (debounced by :data:`DEBOUNCE_MS`), coarse first; hidden, the dock waits;
* "Overlay on map" lays the selected run's map semi-transparently over the contour view;
* "Export PNG…" writes the maps (with legend) at a chosen size, atomically;
* every map shows exactly the surface's view box, on the same axis ranges, at true aspect;
* :meth:`BasinDock.set_look` draws the maps in the theme at the presentation scale.

The compiled kernel is compiled (or loaded from numba's cache) on a background thread when
the dock first opens, never at start-up; until it is ready the coarse maps use NumPy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import basins_compiled
from ...core.basins import MAX_STEPS, BasinCache, BasinSettings
from ...export import ExportError, save_png
from .basins_worker import COARSE, BasinWorker, MapJob
from .basins_view import BasinFigure, MapPanel, best_columns, label_image, map_aspect, render_figure
from ...render.theme import get_theme, hex_color

DEFAULT_STEPS = 500
RESOLUTIONS = (64, 128, 256)
DEBOUNCE_MS = 150
OVERLAY_OPACITY = 0.5
OVERLAY_Z = -75  # above the contour map's colours (-100), below its iso-lines (-50) and paths
EXPORT_SIZES = ((1280, 720), (1920, 1080), (3840, 2160))
CACHE_SIZE = 96
POINT_SIZE = 10.0  #: the maps' text at scale 1
VIEW_MIN_HEIGHT = 260  #: px at scale 1


@dataclass(frozen=True)
class BasinParts:
    """What the basins tool works on, each named: the window hands these over.

    Attributes:
        host: the main window: the dock's place (bottom area, floating over it at first, larger
            over it in presentation mode) and the owner of the Ctrl+B action.
        model, controller: the race model and the controller (surface, runs' styles, signals).
        map_box: the contour map's view box, where "Overlay on map" lays the selected run's map.
        show_message: ``show_message(text)`` in the status bar.
    """

    host: QMainWindow
    model: object
    controller: object
    map_box: pg.ViewBox
    show_message: Callable[[str], None]


class BasinDock(QDockWidget):
    """The "Basins of attraction" dock. ``results`` maps run index → the shown BasinResult."""

    updated = Signal()  # maps changed on screen (tests wait for it)

    def __init__(self, parts: BasinParts) -> None:
        super().__init__("Basins of attraction", parts.host)
        self.setObjectName("basins-dock")
        self.parts = parts
        self.model = parts.model
        self.controller = parts.controller
        self.cache = BasinCache(CACHE_SIZE)
        self.worker = BasinWorker(self.cache, self)
        self.worker.mapReady.connect(self._on_map)
        self.worker.progressed.connect(self._on_progress)
        self.worker.ended.connect(self._on_ended)
        self.results: dict[int, object] = {}
        self.titles: dict[int, tuple[str, str]] = {}
        self._before: dict | None = None  # what was shown when the running job started
        self._job_id = 0
        self._job: MapJob | None = None
        self._pending = False  # a request arrived while a job was running
        self._dirty = True  # settings changed while hidden
        self._user_cancel = False
        self.busy = False  # a job is under way (until its end has reached the GUI thread)
        self.overlay: pg.ImageItem | None = None

        body = QWidget()
        self.steps_spin = QSpinBox()
        self.steps_spin.setObjectName("basins-steps")
        self.steps_spin.setRange(10, MAX_STEPS)
        self.steps_spin.setValue(DEFAULT_STEPS)
        self.steps_spin.setSingleStep(100)
        self.steps_spin.setToolTip("T: the step limit of every run from every start point")
        self.res_combo = QComboBox()
        self.res_combo.setObjectName("basins-resolution")
        for r in RESOLUTIONS:
            self.res_combo.addItem(f"{r} × {r}", r)
        fallback = not basins_compiled.available()
        self.res_combo.setCurrentIndex(RESOLUTIONS.index(128 if fallback else 256))
        self.res_combo.setToolTip(f"Start points per side; a {COARSE} × {COARSE} preview comes first")
        self.live_check = QCheckBox("Live")
        self.live_check.setObjectName("basins-live")
        self.live_check.setChecked(True)
        self.live_check.setToolTip("Recompute when a run, the surface or the seed changes")
        self.overlay_check = QCheckBox("Overlay on map")
        self.overlay_check.setObjectName("basins-overlay")
        self.overlay_check.setToolTip("Lay the selected run's basins over the contour map, semi-transparent")
        self.recompute_button = QPushButton("Recompute")
        self.export_button = QPushButton("Export PNG…")
        self.export_button.setObjectName("basins-export")
        self.progress = QProgressBar()
        self.progress.setObjectName("basins-progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(14)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("basins-cancel")
        self.cancel_button.setEnabled(False)
        self.status = QLabel()
        self.status.setObjectName("basins-status")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #4a5261")
        self.backend_label = QLabel()
        self.backend_label.setObjectName("basins-backend")
        self.backend_label.setStyleSheet("color: #4a5261")

        row = QHBoxLayout()
        row.addWidget(QLabel("Steps T"))
        row.addWidget(self.steps_spin)
        row.addWidget(QLabel("Resolution"))
        row.addWidget(self.res_combo)
        row.addWidget(self.live_check)
        row.addWidget(self.overlay_check)
        row.addStretch(1)
        row.addWidget(self.recompute_button)
        row.addWidget(self.export_button)
        prow = QHBoxLayout()
        prow.addWidget(self.progress, 1)
        prow.addWidget(self.cancel_button)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("basins-view")
        self.view.setBackground("w")
        self.view.setMinimumHeight(VIEW_MIN_HEIGHT)
        self.figure = BasinFigure(self.view.ci, POINT_SIZE)
        self._columns = 1
        self._normal_size = None  # the floating size before presentation mode grew it
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit)
        self.view.installEventFilter(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        layout.addLayout(prow)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.backend_label)
        self.setWidget(body)
        self.setMinimumWidth(520)
        parts.host.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self)
        # Floating over the window at first: docked, a row of maps would squeeze the race's
        # views to a strip. Double-click the title to dock it.
        self.setFloating(True)
        geometry = parts.host.geometry()
        self.resize(min(1500, int(geometry.width() * 0.9)), min(640, int(geometry.height() * 0.7)))
        self.move(geometry.x() + (geometry.width() - self.width()) // 2,
                  geometry.y() + geometry.height() - self.height() - 40)
        self.hide()

        self.export_action = QAction("Export basin maps as PNG…", self)
        self.export_action.setObjectName("basins-export-action")
        self.export_action.triggered.connect(self.export_dialog)
        self.addAction(self.export_action)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.recompute)
        self.steps_spin.valueChanged.connect(lambda _: self.schedule(force=True))
        self.res_combo.currentIndexChanged.connect(lambda _: self.schedule(force=True))
        self.recompute_button.clicked.connect(self.recompute)
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button.clicked.connect(self.export_dialog)
        self.overlay_check.toggled.connect(lambda _: self._update_overlay())
        self.visibilityChanged.connect(self._on_visibility)
        c = self.controller
        c.surfaceChanged.connect(self.schedule)
        c.runsChanged.connect(self.schedule)
        self.model.events.connect("run", self._on_run_event)
        for name in ("seed", "noise_scale", "runs"):
            self.model.events.connect(name, lambda _: self.schedule(), owner=self)
        self.model.events.connect("selected", lambda _: self._update_overlay(), owner=self)
        self._update_backend_label()

    # ------------------------------------------------------------------ settings

    @property
    def computations(self) -> int:
        """How many maps were computed (cache hits are not), for tests and curiosity."""
        return self.worker.computed

    @property
    def fine_resolution(self) -> int:
        return int(self.res_combo.currentData())

    def job(self) -> MapJob:
        """The maps the current race asks for."""
        surface = self.controller.surface
        runs = []
        styles = self.controller.styles()
        for k, run in enumerate(self.model.runs):
            if not run.visible:
                continue
            settings = BasinSettings.of(surface, run.spec, surface.view, resolution=self.fine_resolution,
                                        steps=int(self.steps_spin.value()), seed=int(self.model.seed),
                                        noise_scale=self.model.noise_scale)
            runs.append((k, styles[k].title, styles[k].color, settings))
        return MapJob(tuple(runs), surface, self.fine_resolution)

    def _on_run_event(self, item) -> None:
        _, name = item
        if name in ("color", "label"):
            self._redraw()  # runsChanged follows too; titles and colours only
        self.schedule()

    def _on_visibility(self, shown: bool) -> None:
        if shown:
            if not basins_compiled.ready() and basins_compiled.available():
                basins_compiled.warm_up()
            if self._dirty or not self.results:
                self.schedule(force=True)
        self._update_overlay()

    def schedule(self, *args, force: bool = False) -> None:
        """Recompute after :data:`DEBOUNCE_MS` (live mode, or ``force``); hidden, just remember."""
        self._dirty = True
        if not self.isVisible():
            return
        if force or self.live_check.isChecked():
            self._timer.start()

    # ------------------------------------------------------------------ computing

    def recompute(self) -> None:
        """Show what is cached at once and compute the rest on the worker thread."""
        self._timer.stop()
        if self.busy:
            self._pending = True
            self.worker.cancel()
            return
        self._pending = False
        self._dirty = False
        job = self.job()
        self._job = job
        self._before = dict(self.results), dict(self.titles)
        wanted = {index for index, *_ in job.runs}
        results = {k: v for k, v in self.results.items() if k in wanted}
        titles = {}
        missing = False
        for index, title, color, settings in job.runs:
            titles[index] = (title, color)
            hit = self.cache.get(settings)
            if hit is not None:
                results[index] = hit
            else:
                missing = True
        self.results, self.titles = results, titles
        self._redraw()
        if not missing:
            self._set_busy(False)
            self.status.setText(self._summary())
            return
        self._job_id += 1
        self._user_cancel = False
        self.busy = True
        self._set_busy(True)
        self.status.setText("Computing…" if basins_compiled.ready() or not basins_compiled.available()
                            else "Computing… (compiling the fast kernel on first use)")
        self.worker.start(self._job_id, job)

    def cancel(self) -> None:
        """Stop the computation; the maps shown before it started come back."""
        if self.busy:
            self._user_cancel = True
            self._pending = False
            self.worker.cancel()

    def _on_map(self, job_id: int, index: int, result) -> None:
        if job_id != self._job_id or self._job is None:
            return
        current = self.results.get(index)
        # A coarse preview never replaces a fine map of the same settings.
        if current is not None and current.settings.with_resolution(COARSE) == result.settings \
                and current.settings.resolution > result.settings.resolution:
            return
        self.results[index] = result
        self._redraw()

    def _on_progress(self, job_id: int, fraction: float) -> None:
        if job_id == self._job_id:
            self.progress.setValue(int(round(1000 * min(max(fraction, 0.0), 1.0))))

    def _on_ended(self, job_id: int, outcome: str, message: str) -> None:
        if job_id != self._job_id:
            return
        self.busy = False
        self._set_busy(False)
        if outcome == "cancelled" and self._user_cancel:
            if self._before is not None:
                self.results, self.titles = self._before
            self._redraw()
            self.status.setText("Cancelled: showing the maps from before.")
        elif outcome == "failed":
            if self._before is not None:
                self.results, self.titles = self._before
            self._redraw()
            self.status.setText(f"Could not compute the basins: {message}")
            self.parts.show_message(f"Basins of attraction: {message}")
        elif outcome == "done":
            self.status.setText(self._summary())
        self._before = None
        self._update_backend_label()
        if self._pending:
            self._pending = False
            self.recompute()

    def _set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        self.progress.setValue(0 if busy else 1000)

    def _summary(self) -> str:
        if not self.results:
            return "No visible run."
        parts = []
        for index, r in sorted(self.results.items()):
            title = self.titles.get(index, ("run", ""))[0]
            conv = sum(c for k, c in r.counts().items() if k >= 0) / r.labels.size
            parts.append(f"{title}: {100 * conv:.0f}% reach a minimum")
        r = next(iter(self.results.values()))
        return f"T = {r.settings.steps} steps, {r.resolution}×{r.resolution} starts. " + "; ".join(parts) + "."

    def _update_backend_label(self) -> None:
        if basins_compiled.error() is not None or not basins_compiled.available():
            reason = basins_compiled.error() or "numba is not installed"
            text = f"NumPy fallback (numba unavailable: {reason})"
        else:
            notes = sorted({r.note for r in self.results.values() if r.backend == "numpy" and r.note})
            text = "Compiled kernel (numba)" if basins_compiled.ready() else "Compiled kernel (numba), loading…"
            if notes:
                text += "; NumPy for: " + "; ".join(notes)
        self.backend_label.setText(text)

    # ------------------------------------------------------------------ drawing

    def panels(self) -> list[MapPanel]:
        out = []
        for index in sorted(self.results):
            title, color = self.titles.get(index, ("run", "#000000"))
            out.append(MapPanel(self.results[index], title, color))
        return out

    def _redraw(self) -> None:
        panels = self.panels()
        self._columns = best_columns(len(panels), self.view.width(), self.view.height(), aspect=map_aspect(panels))
        self.figure.set_panels(panels, "" if self.results else "Computing…", self._columns)
        self._fit()
        self._fit_timer.start()  # again once laid out: the axes' room is measured then
        self._update_overlay()
        self._update_backend_label()
        self.updated.emit()

    def _fit(self) -> None:
        """Every map the same size, at true aspect, in the view as it is now (in the grid of
        columns that suits its shape)."""
        panels, message, columns = self.figure.shown
        best = best_columns(len(panels), self.view.width(), self.view.height(), aspect=map_aspect(panels))
        if panels and best != columns:
            self.figure.set_panels(panels, message, best)
        self._columns = best
        self.figure.fit(self.view.width(), self.view.height(), best)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self._fit_timer.start()
        return super().eventFilter(watched, event)

    def set_look(self, theme, scale: float) -> None:
        """The maps, their axes, titles and legend in ``theme`` ("normal" or "projector") at
        ``scale`` (presentation mode); the dock's widgets are scaled by
        :func:`~optviz.app.window.ui_scale.scale_widget_fonts`."""
        theme = get_theme(theme) if isinstance(theme, str) else theme
        scale = float(scale)
        if self.isFloating():
            # Larger type needs a larger window: floating, it grows over most of the main
            # window in presentation mode and goes back to its size after.
            if scale > 1.0 and self._normal_size is None:
                self._normal_size = self.size()
                area = self.parts.host.geometry()
                self.resize(max(self.width(), int(area.width() * 0.94)), max(self.height(), int(area.height() * 0.86)))
                self.move(area.x() + (area.width() - self.width()) // 2, area.y() + (area.height() - self.height()) // 2)
            elif scale == 1.0 and self._normal_size is not None:
                self.resize(self._normal_size)
                self._normal_size = None
        self.figure.set_look(hex_color(theme.text), theme.axis_width * scale, POINT_SIZE * scale)
        self._fit()
        self._fit_timer.start()

    def _overlay_result(self):
        if not self.results:
            return None
        selected = int(self.model.selected)
        return self.results.get(selected) or self.results[sorted(self.results)[0]]

    def _update_overlay(self) -> None:
        view_box = self.parts.map_box
        result = self._overlay_result() if (self.overlay_check.isChecked() and self.isVisible()) else None
        if result is None:
            if self.overlay is not None:
                view_box.removeItem(self.overlay)
                self.overlay = None
            return
        if self.overlay is None:
            self.overlay = pg.ImageItem(axisOrder="row-major")
            self.overlay.setZValue(OVERLAY_Z)
            self.overlay.setOpacity(OVERLAY_OPACITY)
            view_box.addItem(self.overlay, ignoreBounds=True)
        self.overlay.setImage(label_image(result.labels), autoLevels=False)
        xmin, xmax, ymin, ymax = result.settings.rect
        self.overlay.setRect(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))
        self.overlay.result = result

    # ------------------------------------------------------------------ export

    def render(self, width: int, height: int):
        """The maps and legend as a ``width`` × ``height`` QImage."""
        return render_figure(self.panels(), width, height, self.status.text() if self.results else "")

    def export_png(self, path, width: int, height: int):
        """Write the maps as the PNG ``path`` (atomically); returns the path, or None after
        telling the user why not (a folder that does not exist, no permission, not .png)."""
        if not self.results:
            self.parts.show_message("Basins of attraction: nothing to export yet")
            return None
        if not (16 <= int(width) <= 8192 and 16 <= int(height) <= 8192):
            self.parts.show_message(f"Export: the size must be between 16 and 8192 pixels, got {width}×{height}")
            return None
        try:
            out = save_png(self.render(int(width), int(height)), path)
        except ExportError as err:
            self.parts.show_message(f"Export failed: {err}")
            return None
        self.parts.show_message(f"Saved the basin maps to {out}")
        return out

    def export_dialog(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Export basin maps")
        size = QComboBox()
        for w, h in EXPORT_SIZES:
            size.addItem(f"{w} × {h}", (w, h))
        size.setCurrentIndex(1)
        form = QFormLayout(dialog)
        form.addRow("Size", size)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export basin maps", "basins.png", "PNG image (*.png)")
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            w, h = size.currentData()
            self.export_png(path, w, h)


class BasinActions(QObject):
    """Installs "Basins of attraction…" (Ctrl+B) into the Analysis menu and owns its dock
    (made from the same :class:`BasinParts` on first use, so nothing is built or compiled at
    start-up)."""

    def __init__(self, parts: BasinParts) -> None:
        super().__init__(parts.host)
        self.parts = parts
        self.dock: BasinDock | None = None
        self.action: QAction | None = None

    def install(self, menu) -> dict[str, QAction]:
        action = QAction("&Basins of attraction…", self.parts.host)
        action.setObjectName("basins")
        action.setShortcut(QKeySequence("Ctrl+B"))
        action.setStatusTip("Where every start point of the map ends, per run")
        action.triggered.connect(self.open)
        menu.addAction(action)
        self.parts.host.addAction(action)
        self.action = action
        return {"basins": action}

    def open(self) -> BasinDock:
        if self.dock is None:
            self.dock = BasinDock(self.parts)
        self.dock.show()
        self.dock.raise_()
        return self.dock
