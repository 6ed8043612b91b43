"""The main window: linked contour and 3D views, loss plots, readouts, and the side panel."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ... import __version__
from ...core import compiled
from ..dialogs import export_dialog
from ..analysis.basins import BasinActions, BasinParts
from ..views.contour_panel import ContourPanel
from ..views.contour_view import ContourView
from .controller import RaceController
from ..views.data_plot import DataPlot
from ..views.history_plots import HistoryPlot
from ..analysis.leaderboard import LeaderboardDock
from ...core.limits import STEPS_PER_FRAME_MAX
from .model import RaceModel
from .view_prefs import display_color
from ..panels.optimizer_panel import OptimizerPanel
from ..panels.playback import PlaybackBar
from ..panels.preset_picker import PresetPicker
from ..classroom.presentation import Classroom, WindowParts
from . import session
from ..dialogs.scenarios import ScenarioActions, ScenarioParts
from .saved_form import apply_scenario, model_to_scenario
from ..classroom.note_banner import NoteBanner
from ..views.readouts import ReadoutTable
from ..views.run_legend import RunLegend
from ..panels.swarm_controls import SwarmControls
from ..views.swarm_layer import SwarmLayer
from ..panels.timeline import TimelineBar
from ..analysis.tuning import TuningActions

# Where the session is kept: see optviz.app.window.session.
SETTINGS_KEY = session.SESSION_KEY
VIEW_SETTINGS_KEY = session.VIEW_KEY
SECONDARY_INTERVAL = 0.066  # s: plots and readouts refresh at ~15 Hz while playing
#: First-launch layout: the side panel's width range (px), the update rule's largest share of
#: the width, and the views' share of the height (the plots row gets the rest).
SIDE_WIDTH = (300, 350)
EQUATIONS_SHARE = 0.2
VIEWS_SHARE = 0.66
#: Below this screen width (px) the first launch hides the update rule (E shows it).
COMPACT_WIDTH = 1500
#: Presentation mode's scale is meant for a screen this many pixels high: a smaller projector
#: (1280×720) gets proportionally smaller type, so the same picture fits.
DESIGN_SCREEN_HEIGHT = 1080


class MainWindow(QMainWindow):
    """optviz's window. ``enable_3d=False`` replaces the GL view by a note (offscreen platforms)."""

    def __init__(self, preset=None, optimizers=None, start=None, max_steps=None, *, restore: bool = True,
                 enable_3d: bool = True, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("optviz-main")
        self.settings = settings if settings is not None else QSettings()
        model = self._initial_model(preset, optimizers, start, max_steps, restore)
        self.controller = RaceController(model, self)
        self.model = model
        self._refreshed: dict = {}  # secondary view -> when it was last redrawn

        self.contour = ContourView()
        self.contour_panel = ContourPanel(self.contour)  # the map at equal units, with its colour bar
        self.legend = RunLegend()
        self.surface3d = self._make_3d_view() if enable_3d else None
        self.loss_plot = HistoryPlot("loss")
        self.grad_plot = HistoryPlot("grad_norm")
        self.data_plot = DataPlot()
        self.readouts = ReadoutTable()
        self.preset_picker = PresetPicker(model)
        # The scenario's note (or the preset's caption) over the views while the panel is hidden.
        self.note_banner = NoteBanner()
        self.note_banner.hide()
        self.preset_picker.textShown.connect(self.note_banner.set_text)
        self.preset_picker.show_note("")  # no scenario yet: the preset's caption
        self.panel = OptimizerPanel(model)
        self.swarm_controls = SwarmControls(model)
        self.swarm_layer = SwarmLayer()
        self.contour.view_box.addItem(self.swarm_layer, ignoreBounds=True)
        self.timeline = TimelineBar(model, self.controller)
        self.playback = PlaybackBar(model, self.controller)
        self.playback.setObjectName("playback")
        self.addToolBar(self.playback)
        self._build_layout()
        self._build_menus()
        # Scenario files, the lecture's scenarios and custom functions (File and Scenarios menus).
        self.scenarios = ScenarioActions(ScenarioParts(
            parent=self, menu_bar=self.menuBar(), set_title=self.setWindowTitle, model=model,
            controller=self.controller, preset_picker=self.preset_picker, show_message=self.show_message))
        file_menu = self.menuBar().actions()[0].menu()
        self.actions_by_name.update(self.scenarios.install(file_menu, file_menu.actions()[0]))
        self._install_analysis()
        self._connect()

        self._on_surface()
        self._on_runs()
        # Presentation mode, the projector theme, the equations, overlays and classroom keys.
        self.classroom = Classroom(self._classroom_parts())
        self._first_layout = True  # until the first show: arrange docks and splitters for the screen
        if not (restore and self._restore_window_state()):
            self.fit_to_screen()
        self.classroom.sync()  # the saved dock/toolbar state knows nothing of the model
        restored = self._restored
        if restored.scenario is not None and restored.scenario.title != session.SESSION_TITLE:
            self.scenarios.show_restored(restored.scenario)  # the opened scenario's note comes back
        if restored.message():
            self.show_message(restored.message(), 15000)

    # ------------------------------------------------------------------ construction

    def _initial_model(self, preset, optimizers, start, max_steps, restore) -> RaceModel:
        """The race to start with: the last session's (read by the scenario rules) unless the
        command line names one; what cannot be restored is dropped and said once."""
        model = None
        self._restored = restored = session.Restored()
        if restore and not (preset or optimizers):
            restored = self._restored = session.read_race(self.settings)
            if restored.scenario is not None:
                try:
                    model = RaceModel(restored.scenario.surface.preset or "narrow_valley", optimizers=())
                    apply_scenario(model, restored.scenario)
                except Exception as err:  # noqa: BLE001 - whatever was saved, the app starts
                    restored.problems.append(f"the race ({session.short(str(err), 120)})")
                    restored.scenario, model = None, None
        if model is None:
            kwargs = {}
            if optimizers:
                kwargs["optimizers"] = optimizers
            model = RaceModel(preset or "narrow_valley", **kwargs)
        if start is not None:
            model.start = start
        if max_steps is not None:
            model.max_steps = max_steps
        if restore:
            restored.problems += session.read_view(self.settings, model)
        return model

    def _make_3d_view(self):
        try:
            from ...render.surface_view import SurfaceView

            view = SurfaceView()
        except Exception as err:  # no OpenGL: the rest of the app still works
            self._gl_error = f"3D view unavailable: {err}"
            return None
        return view

    def _build_layout(self) -> None:
        views = QSplitter(Qt.Orientation.Horizontal)
        views.addWidget(self.contour_panel)
        if self.surface3d is not None:
            views.addWidget(self.surface3d)
        else:
            note = QLabel("The 3D view needs OpenGL (an X server or a GPU).\nThe contour map shows the same race.")
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            note.setWordWrap(True)
            views.addWidget(note)
            self._3d_placeholder = note
        views.setSizes([800, 800])

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.readouts, 1)
        side_layout.addWidget(self.data_plot, 1)

        plots = QSplitter(Qt.Orientation.Horizontal)
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.grad_plot)
        plots.addWidget(side)
        plots.setSizes([500, 500, 560])
        plots.setChildrenCollapsible(False)  # the readouts keep the width their text needs

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(0)
        top_layout.addWidget(self.note_banner)
        top_layout.addWidget(views, 1)
        top_layout.addWidget(self.legend)  # one legend for every view, under them: it covers none
        top_layout.addWidget(self.timeline)

        central = QSplitter(Qt.Orientation.Vertical)
        central.addWidget(top)
        central.addWidget(plots)
        central.setSizes([640, 340])
        central.setObjectName("central")
        self.setCentralWidget(central)
        self._views_splitter = views

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.preset_picker)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.swarm_controls)
        dock = QDockWidget("Race", self)
        dock.setObjectName("race-dock")
        dock.setWidget(panel)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        # No fixed minimum width: the panel's own minimum follows its content (and its fonts).
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.side_dock = dock

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        export_bar = self.addToolBar("Export")
        export_bar.setObjectName("export-bar")
        self.export_actions = {}
        for name, text, key in (("image", "Export &image…", "Ctrl+E"), ("animation", "Export &animation…",
                                 "Ctrl+Shift+E"), ("trajectories", "Export &trajectories…", "")):
            action = QAction(text, self, shortcut=QKeySequence(key))
            action.triggered.connect(getattr(self, f"export_{name}"))
            file_menu.addAction(action)
            export_bar.addAction(action)
            self.export_actions[name] = action
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        run_menu = bar.addMenu("&Run")
        for action, key in ((self.playback.play_action, Qt.Key.Key_Space),
                            (self.playback.step_action, Qt.Key.Key_Right),
                            (self.playback.reset_action, Qt.Key.Key_R)):
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            run_menu.addAction(action)
            self.addAction(action)
        back = QAction("Step &back", self, shortcut=QKeySequence(Qt.Key.Key_Left))
        back.setToolTip("One step back through the recorded race (pauses)")
        back.triggered.connect(self.controller.step_back)
        live = QAction("Back to &live", self, shortcut=QKeySequence(Qt.Key.Key_End))
        live.triggered.connect(self.timeline.go_live)
        for action in (back, live):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            run_menu.addAction(action)
            self.addAction(action)
        run_menu.addSeparator()
        faster = QAction("&Faster", self, shortcut=QKeySequence("]"))
        faster.triggered.connect(lambda: self._change_speed(2.0))
        slower = QAction("&Slower", self, shortcut=QKeySequence("["))
        slower.triggered.connect(lambda: self._change_speed(0.5))
        run_menu.addActions([faster, slower])
        self.addActions([faster, slower])

        view_menu = bar.addMenu("&View")
        log_action = QAction("&Log-scale loss plots", self, checkable=True, shortcut=QKeySequence("L"))
        log_action.setChecked(self.model.view.log_loss)
        log_action.toggled.connect(lambda on: setattr(self.model.view, "log_loss", on))
        self.model.view.events.connect("log_loss", lambda on: _set_checked(log_action, on))
        view_menu.addAction(log_action)
        self.addAction(log_action)
        camera = QAction("Reset 3D &camera", self, shortcut=QKeySequence("Home"))
        camera.triggered.connect(self.reset_camera)
        camera.setEnabled(self.surface3d is not None)
        view_menu.addAction(camera)
        self.addAction(camera)
        view_menu.addSeparator()
        view_menu.addAction(self.side_dock.toggleViewAction())

        # Beyond a single race: basins of attraction, learning-rate sweeps, the leaderboard.
        # Each tool installs its own actions here (see _install_analysis).
        self.analysis_menu = bar.addMenu("&Analysis")

        help_menu = bar.addMenu("&Help")
        keys = QAction("&Keyboard shortcuts", self)
        keys.setShortcuts([QKeySequence("F1"), QKeySequence("?")])
        keys.triggered.connect(self.show_shortcuts)
        self.addAction(keys)
        about = QAction("&About optviz", self)
        about.triggered.connect(self.show_about)
        help_menu.addActions([keys, about])
        self.actions_by_name = {"log": log_action, "camera": camera, "faster": faster, "slower": slower,
                                "step_back": back, "live": live,
                                "quit": quit_action, "about": about, "keys": keys}

    def _install_analysis(self) -> None:
        """The Analysis menu's tools; each owns its actions, dialogs and docks."""
        # Learning-rate sweeps, Tune all (with Restore) and the finish leaderboard.
        self.tuning = TuningActions(self, self.model, self.show_message)
        tuning_actions = self.tuning.install(self.analysis_menu)
        self.actions_by_name.update({f"tuning_{k}": a for k, a in tuning_actions.items()})
        self.leaderboard = LeaderboardDock(self, self.model, self.controller, self.show_message)
        self.leaderboard.install(self.analysis_menu)
        # Basins of attraction: where every start point ends, per run (Ctrl+B).
        self.basins = BasinActions(BasinParts(host=self, model=self.model, controller=self.controller,
                                              map_box=self.contour.view_box, show_message=self.show_message))
        self.basins.install(self.analysis_menu)

    def _connect(self) -> None:
        c, m = self.controller, self.model
        c.surfaceChanged.connect(self._on_surface)
        c.runsChanged.connect(self._on_runs)
        c.advanced.connect(self._on_advanced)
        c.error.connect(self.show_message)
        self.contour.startMoved.connect(self._on_start_moved)
        m.events.connect("start", lambda xy: self.contour.set_start(*xy))
        m.view.events.connect("log_loss", self._on_log)
        m.playback.events.connect("playing", lambda playing: None if playing else self._on_advanced())
        m.events.connect("selected", lambda _: self._update_data_plot())
        for widget in (self.panel, self.preset_picker, self.playback, self.swarm_controls):
            widget.message.connect(self.show_message)
        for note in (getattr(self, "_gl_error", None),):
            if note:
                self.show_message(note)

    # ------------------------------------------------------------------ reactions

    def _on_surface(self) -> None:
        c = self.controller
        surface = c.surface
        self.setWindowTitle(f"{surface.title} — optviz")
        self.contour_panel.set_surface(surface, c.grid)
        box = surface.view.expanded(0.05)
        self.swarm_layer.set_bounds(box.xmin, box.xmax, box.ymin, box.ymax)
        self.contour.set_start(*self.model.start)
        if self.surface3d is not None:
            self.surface3d.set_surface(surface, c.grid)
        self.data_plot.set_surface(surface)
        self.data_plot.setVisible(hasattr(surface, "data"))
        self.panel.set_noise_visible(not hasattr(surface, "data"))
        self.panel.set_sample_count(c.sim.risk.n)
        minima = [m.value for m in surface.minima]
        self.loss_plot.set_reference(min(minima) if minima else None)
        self._on_log(self.model.view.log_loss)
        self._on_advanced()

    def _classroom_parts(self) -> WindowParts:
        """What the classroom features may work on: named, not the whole window."""
        def restyle() -> None:
            self._on_runs()
            self._update_data_plot()

        return WindowParts(
            window=self, model=self.model, controller=self.controller, side_dock=self.side_dock,
            leaderboard=getattr(self, "leaderboard", None), contour=self.contour, contour_panel=self.contour_panel,
            surface3d=self.surface3d, view_3d=self.surface3d if self.surface3d is not None else self._3d_placeholder,
            legend=self.legend, note_banner=self.note_banner, loss_plot=self.loss_plot, grad_plot=self.grad_plot,
            data_plot=self.data_plot, readouts=self.readouts, timeline=self.timeline, playback=self.playback,
            preset_picker=self.preset_picker, actions_by_name=self.actions_by_name, show_message=self.show_message,
            display_factor=self.display_factor, restyle=restyle, redraw=self._on_advanced)

    def _on_runs(self) -> None:
        styles = self.controller.styles()
        for view in self._run_views():
            view.set_runs(styles)
        self.swarm_layer.set_runs(styles)
        self.swarm_layer.set_scale(self.model.view.scale)
        self._on_advanced()

    def _run_views(self):
        views = [self.contour_panel, self.legend, self.loss_plot, self.grad_plot, self.readouts]
        if self.surface3d is not None:
            views.append(self.surface3d)
        return views

    def _on_advanced(self) -> None:
        """Redraw after the runs moved. The maps follow every frame. While playing, the plots,
        the readouts and the data plot refresh at most every SECONDARY_INTERVAL (nobody reads
        numbers at 60 Hz) and one of them per frame, the stalest, so no frame pays for all of
        them and misses the next tick; when not playing everything redraws at once."""
        sim = self.controller.frame  # the race, or the step the timeline shows
        for view in (self.contour, self.surface3d):
            # Visible once the window shows: before it first does nothing is visible, yet the
            # balls must sit at the start when it does.
            if view is not None and view.isVisibleTo(self):
                view.update_runs(sim)
        if self.model.swarm is not None and sim.N > 1:
            self.swarm_layer.update_runs(sim)
        else:
            self.swarm_layer.clear()
        classroom = getattr(self, "classroom", None)
        if classroom is not None:
            classroom.update(sim)  # the overlays at the selected run's head
        secondary = [v for v in (self.loss_plot, self.grad_plot, self.readouts, self.data_plot,
                                 getattr(classroom, "equations", None))
                     if v is not None and (v.isVisible() or v is self.readouts)]
        now = time.perf_counter()
        if self.model.playback.playing:
            stalest = min(secondary, key=lambda v: self._refreshed.get(v, -np.inf), default=None)
            if stalest is None or now - self._refreshed.get(stalest, -np.inf) < SECONDARY_INTERVAL:
                return
            secondary = [stalest]
        for view in secondary:
            self._refreshed[view] = now
            if view is self.data_plot:
                self._update_data_plot()
            elif classroom is not None and (view is classroom.equations or view is self.readouts):
                # The strip (in place of the hidden readouts) and the update rule show the same
                # step: they are refreshed together, from the same frame.
                if view is self.readouts:
                    view.update_runs(sim)
                strip, equations = classroom.strip, classroom.equations
                if strip.isVisible():
                    strip.update_runs(sim, force=True)
                if equations.isVisible() and (view is equations or strip.isVisible()):
                    equations.update_runs(sim)
                    self._refreshed[equations] = now
            else:
                view.update_runs(sim)

    def _update_data_plot(self) -> None:
        if not self.data_plot.isVisible():
            return
        k = min(self.model.selected, len(self.model.runs) - 1)
        w, b = self.controller.frame.positions[k, 0]
        run = self.model.runs[k]
        self.data_plot.update_model(float(w), float(b), display_color(run.color, self.model.view.theme))
        self.data_plot.set_title(f"data and the model of {run.title}")

    def _on_start_moved(self, x: float, y: float) -> None:
        try:
            self.model.start = (x, y)
        except ValueError as err:
            self.show_message(str(err))

    def _on_log(self, on: bool) -> None:
        self.loss_plot.set_log(on)
        self.grad_plot.set_log(on)

    def _change_speed(self, factor: float) -> None:
        n = int(round(self.model.playback.steps_per_frame * factor))
        self.model.playback.steps_per_frame = int(np.clip(n if n != self.model.playback.steps_per_frame else n + 1, 1,
                                                 STEPS_PER_FRAME_MAX))
        n = self.model.playback.steps_per_frame
        self.show_message(f"{n} step{'s' if n != 1 else ''} per frame")

    def reset_camera(self) -> None:
        if self.surface3d is not None:
            self.surface3d.reset_camera()

    def export_parts(self) -> export_dialog.ExportParts:
        """What the exports may use: named, not the whole window."""
        return export_dialog.ExportParts(
            window=self, model=self.model, controller=self.controller, settings=self.settings,
            surface3d=self.surface3d, show_message=self.show_message, tolerance=lambda: self.leaderboard.tolerance,
            hold_docks=self.classroom.docks.held)

    def export_image(self):
        return export_dialog.export_image(self.export_parts())

    def export_animation(self):
        return export_dialog.export_animation(self.export_parts())

    def export_trajectories(self):
        return export_dialog.export_trajectories(self.export_parts())

    def show_message(self, text: str, timeout_ms: int = 6000) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About optviz",
            f"<h3>optviz {__version__}</h3>"
            "<p>Watch GD, SGD, mini-batch SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam race "
            "across loss surfaces, with exact gradients and PyTorch's update rules.</p>"
            "<p>Built with NumPy, PySide6 (Qt) and pyqtgraph.</p>"
            f"<p>Optimizer updates: {_backend_note()}</p>",
        )

    def show_shortcuts(self) -> None:
        """The shortcut overlay (F1, ?): every key in big type over the window."""
        self.classroom.show_shortcuts()

    # ------------------------------------------------------------------ persistence

    def _restore_window_state(self) -> bool:
        """The window as it was left; False on a first launch (or when it cannot be restored)."""
        if not session.has_window(self.settings):
            return False
        problems = session.restore_window(self.settings, self)
        self._restored.problems += problems
        if problems:
            return False
        self._first_layout = False
        return True

    def fit_to_screen(self) -> None:
        """First launch: the whole available screen (the caller shows it maximized), with the
        docks and splitters arranged for it when it first shows."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(1600, 950)
            return
        self.setGeometry(screen.availableGeometry())
        self._first_layout = True
        if self.compact() and self.model.view.show_equations:
            # A small screen: the views first; E brings the update rule back.
            self.model.view.show_equations = False
            if not self.statusBar().currentMessage():  # a restore problem says more
                self.show_message("The update rule is hidden to leave room for the views: press E to show it",
                                  10000)

    @property
    def first_launch(self) -> bool:
        return self._first_layout

    def compact(self) -> bool:
        """On a screen narrower than COMPACT_WIDTH: no room for the update rule beside the views."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen is not None and screen.availableGeometry().width() < COMPACT_WIDTH

    def display_factor(self) -> float:
        """The screen's height over DESIGN_SCREEN_HEIGHT, within [0.6, 1.5]: presentation mode
        multiplies its scale by it (1.75 at 1080 lines is about 1.17 at 720)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return 1.0
        return min(max(screen.geometry().height() / DESIGN_SCREEN_HEIGHT, 0.6), 1.5)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._first_layout:
            self._first_layout = False
            QTimer.singleShot(0, self.arrange_for_screen)

    def arrange_for_screen(self) -> None:
        """Give the views most of the window: a side panel and an update rule only as wide as
        they need, the map and the 3D view side by side over a row of plots."""
        width, height = max(self.width(), 800), max(self.height(), 500)
        side = int(min(max(0.18 * width, SIDE_WIDTH[0]), SIDE_WIDTH[1]))
        docks, widths = [self.side_dock], [side]
        equations = getattr(getattr(self, "classroom", None), "equations_dock", None)
        if equations is not None and equations.isVisible():
            docks.append(equations)
            widths.append(int(min(self.classroom.equations.preferred_width(), EQUATIONS_SHARE * width)))
        self.resizeDocks(docks, widths, Qt.Orientation.Horizontal)
        central = self.centralWidget()
        central.setSizes([int(VIEWS_SHARE * height), int((1 - VIEWS_SHARE) * height)])
        self._views_splitter.setSizes([1000, 1000])

    def save_settings(self) -> None:
        """The race as a scenario (with the opened scenario's title and note), the view
        preferences and the window, for the next launch."""
        try:
            scenario = model_to_scenario(self.model, self.scenarios.title or session.SESSION_TITLE, self.scenarios.note)
        except Exception:  # noqa: BLE001 - a race that cannot be a scenario is not kept
            scenario = None
        session.save(self.settings, self, scenario)

    def closeEvent(self, event) -> None:
        self.model.playback.playing = False
        self.model.view.presentation = False  # save the normal window, not the full-screen one
        self.save_settings()
        super().closeEvent(event)


def _set_checked(action: QAction, on: bool) -> None:
    action.blockSignals(True)
    action.setChecked(on)
    action.blockSignals(False)


def _backend_note() -> str:
    if compiled.ready():
        return "compiled with numba."
    if compiled.available():
        return "NumPy while numba compiles (identical results)."
    return f"NumPy; the compiled kernel is unavailable ({compiled.error() or 'numba is not installed'})."
