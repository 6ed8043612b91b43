"""The classroom features of the main window: presentation mode, the projector theme, the
compact hyperparameter strip, the keys a lecturer needs, the live equations and the overlays.

Everything is driven by plain fields of the view preferences
(:class:`~optviz.app.window.view_prefs.ViewPrefs`: ``presentation``, ``theme``, ``ui_scale``,
``panels_collapsed``, ``show_3d``, ``show_contour``, ``show_equations``, ``overlay_*``) and
the race's ``selected`` run. The actions write them
(widget → model: plain setattr) and :class:`Classroom` reacts to their events (model →
widgets, checkable actions updated with their signals blocked), so a scenario file, a test or
a key press all take the same path.

Presentation mode (F5): full screen, the projector theme, every font, line and marker scaled
by ``ui_scale`` (1.75 unless changed with Ctrl+= / Ctrl+−) and the side panels collapsed to
the strip. Leaving it (Esc or F5) restores the window, the theme and the panels as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QDockWidget,
    QMainWindow,
    QTableWidget,
    QTabBar,
    QToolBar,
    QWidget,
)

from ...core.simulation import RunSpec
from ..window.dock_layout import DockLayout
from ..panels.equations import EquationsPanel
from .hyper_strip import HyperStrip
from ..window.model import LR_MAX, LR_MIN
from ..window.view_prefs import UI_SCALE_MAX, UI_SCALE_MIN
from ..views.overlays import FIELD_TIP, GRADIENT_TIP, MOMENTUM_TIP, STEP_SIZE_TIP, RunOverlays
from .shortcuts import ShortcutOverlay, action_keys, action_title
from ..window.ui_scale import BASE_FONT, FONT_SCALE, scale_widget_fonts
from ..panels.widgets import format_value, readable_font, round_significant

#: One press of ↑ / ↓ multiplies / divides the selected run's α by this: four presses a decade.
LR_FACTOR = 10 ** 0.25
#: Ctrl+= / Ctrl+− change the presentation scale by this much.
SCALE_STEP = 0.25
#: In presentation mode the views get this share of the height, the plots the rest.
PRESENTATION_VIEWS_SHARE = 0.7



def _set_checked(action: QAction, on: bool) -> None:
    action.blockSignals(True)
    action.setChecked(bool(on))
    action.blockSignals(False)


class _ArrowKeyGuard(QObject):
    """Outside presentation mode, ↑ and ↓ belong to a focused slider or spin box (they step it)
    rather than to the window's "raise / lower α" keys. In presentation mode the keys always
    drive the race, wherever the focus is."""

    def __init__(self, model, parent) -> None:
        super().__init__(parent)
        self.model = model

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and not self.model.view.presentation
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
                and isinstance(obj, (QAbstractSpinBox, QAbstractSlider))):
            event.accept()
            return True
        return False


class _ToolWindowScaler(QObject):
    """A tool's dock or window shown while the window is scaled (presentation mode) takes the
    scale too: the leaderboard dock pops up at the end of a race, the sweep window on demand."""

    def __init__(self, classroom: "Classroom") -> None:
        super().__init__(classroom)
        self.classroom = classroom

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(obj, QWidget):
            c = self.classroom
            if (c.model.view.scale != 1.0 or obj.property(FONT_SCALE) not in (None, 1.0)) \
                    and (obj.isWindow() or isinstance(obj, QDockWidget)) and obj in c._tool_windows():
                c.scale_tool_window(obj)
        return False


@dataclass
class _Saved:
    """The window as it was before presentation mode."""

    geometry: QByteArray
    maximized: bool
    full_screen: bool
    theme: str
    collapsed: bool
    central: list[int]  # the views / plots splitter
    docks: list[int]  # the side panel's and the update rule's widths


@dataclass(frozen=True)
class WindowParts:
    """What the classroom features work on, each named: the window hands these over and the
    classroom reaches nothing else of it.

    Attributes:
        window: the main window as a QMainWindow (full screen, geometry, docks, toolbars,
            menus, status bar).
        model, controller: the race model and the controller that drives it.
        side_dock, leaderboard: the side panel's dock; the leaderboard's (or None).
        contour, contour_panel, surface3d, view_3d: the map, its figure, the 3D view (None
            without OpenGL) and what stands in the 3D view's place (the view or its note).
        legend, note_banner, loss_plot, grad_plot, data_plot, readouts, timeline: the other
            views, each with ``set_look(theme, scale)`` where it has a look.
        playback, preset_picker: the playback bar (its actions) and the surface picker (its keys).
        actions_by_name: the window's own actions by name (log, camera, faster, …).
        show_message: ``show_message(text, timeout_ms=6000)`` in the status bar.
        display_factor: physical pixels per design pixel on the window's screen.
        restyle: after a theme or scale change, the runs in their colours at the new size.
        redraw: a view shown again catches up with the race.
    """

    window: QMainWindow
    model: object
    controller: object
    side_dock: QDockWidget
    leaderboard: QDockWidget | None
    contour: QWidget
    contour_panel: QWidget
    surface3d: QWidget | None
    view_3d: QWidget | None
    legend: QWidget
    note_banner: QWidget
    loss_plot: QWidget
    grad_plot: QWidget
    data_plot: QWidget
    readouts: QWidget
    timeline: QWidget
    playback: object
    preset_picker: object
    actions_by_name: dict
    show_message: Callable[..., None]
    display_factor: Callable[[], float]
    restyle: Callable[[], None]
    redraw: Callable[[], None]


class Classroom(QObject):
    """Installs the classroom features into the main window (through its :class:`WindowParts`).

    Attributes:
        equations: the :class:`EquationsPanel` (in the dock ``equations_dock``).
        overlays: the :class:`RunOverlays` on the contour (and 3D) view.
        strip: the :class:`HyperStrip`.
        overlay: the :class:`ShortcutOverlay`.
        actions: ``{name: QAction}`` of every action added here.
    """

    def __init__(self, parts: WindowParts) -> None:
        window = parts.window
        super().__init__(window)
        self.parts = parts
        self.window = window  # as a QMainWindow: full screen, geometry, docks, toolbars, menus
        self.model = m = parts.model
        self._saved: _Saved | None = None
        self._applying = False
        # Qt raises a dock's minimum size when its font grows and never lowers it again.
        self._dock_minimums = {dock: dock.minimumSize() for dock in (self.parts.side_dock,)}

        self.equations = EquationsPanel(m)
        dock = QDockWidget("Update rule", window)
        dock.setObjectName("equations-dock")
        dock.setWidget(self.equations)
        # No close button: the model's show_equations (E) decides, so a closing window never
        # records "hidden".
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        dock.setMinimumWidth(300)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.equations_dock = dock
        # Where the update rule and the leaderboard go depends on the room.
        self.docks = DockLayout(window, self.parts.side_dock, dock, parts.leaderboard,
                                lambda: m.view.scale)
        self.docks.arrange()

        self.overlays = RunOverlays(m, self.parts.contour, self.parts.surface3d)

        self.strip = HyperStrip(m, window)
        window.addToolBarBreak()
        window.addToolBar(self.strip)
        self.strip.lower.clicked.connect(lambda: self.change_learning_rate(-1))
        self.strip.raise_.clicked.connect(lambda: self.change_learning_rate(+1))

        self.overlay = ShortcutOverlay(window)
        # Status messages report what the keys did ("Adam: α = 0.0889"): as legible as the panels.
        window.statusBar().setFont(readable_font(window.statusBar().font()))
        self.actions: dict[str, QAction] = {}
        self._build_actions()

        self._guard = _ArrowKeyGuard(m, self)
        QApplication.instance().installEventFilter(self._guard)
        self._scaler = _ToolWindowScaler(self)
        QApplication.instance().installEventFilter(self._scaler)

        for name, react in (("presentation", self._on_presentation), ("theme", lambda _: self.apply_look()),
                            ("ui_scale", self._on_ui_scale), ("panels_collapsed", self._on_collapsed),
                            ("show_3d", self._on_show_3d), ("show_contour", self._on_show_contour),
                            ("show_equations", self._on_show_equations)):
            m.view.events.connect(name, react)
        self.parts.controller.surfaceChanged.connect(self._on_surface)
        self._on_surface()
        self.sync()
        if m.view.theme != "normal":
            self.apply_look()

    def sync(self) -> None:
        """Show and hide the panels and views as the model says (after the window restored
        its saved dock and toolbar state, which knows nothing of the model)."""
        m = self.model
        self._on_collapsed(m.view.panels_collapsed)
        self._on_show_3d(m.view.show_3d)
        self._on_show_contour(m.view.show_contour)
        self._on_show_equations(m.view.show_equations)
        # Keys drive the race from the start (a focused spin box would eat Space and the arrows).
        if self.window.focusWidget() is None or not m.view.panels_collapsed:
            self.parts.contour.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ actions

    def _action(self, name: str, text: str, keys=(), slot=None, *, field: str | None = None,
                tip: str | None = None) -> QAction:
        """A window-wide action; ``field`` makes it a checkable switch bound both ways to that
        view preference (a refused value shows the message and puts the switch back)."""
        w, m = self.window, self.model
        action = QAction(text, w)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        if field is not None:
            action.setCheckable(True)
            action.setChecked(bool(getattr(m.view, field)))

            def toggled(on, field=field, action=action):
                try:
                    setattr(m.view, field, bool(on))
                except ValueError as err:
                    _set_checked(action, getattr(m.view, field))
                    self.parts.show_message(str(err))

            action.toggled.connect(toggled)
            m.view.events.connect(field, lambda on, action=action: _set_checked(action, on))
        elif slot is not None:
            action.triggered.connect(lambda _=False: slot())
        w.addAction(action)
        self.actions[name] = action
        return action

    def _build_actions(self) -> None:
        w, m = self.window, self.model
        a = self._action
        present = a("presentation", "&Presentation mode", ("F5",), field="presentation",
                    tip="Full screen, projector theme, large fonts and lines; the side panels collapse")
        leave = a("leave", "Leave presentation mode", ("Esc",), lambda: setattr(m.view, "presentation", False))
        leave.setEnabled(m.view.presentation)
        theme = a("theme", "Projector &theme", ("T",),
                  tip="White and near-black, thick lines: legible on a washed-out projector")
        theme.setCheckable(True)
        theme.setChecked(m.view.theme == "projector")
        theme.toggled.connect(lambda on: self._set_theme("projector" if on else "normal"))
        m.view.events.connect("theme", lambda value: _set_checked(theme, value == "projector"))
        larger = a("larger", "&Larger (presentation scale)", ("Ctrl+=", "Ctrl++"), lambda: self.change_scale(+1))
        smaller = a("smaller", "&Smaller (presentation scale)", ("Ctrl+-",), lambda: self.change_scale(-1))
        collapse = a("collapse", "&Collapse side panels", ("H",), field="panels_collapsed",
                     tip="Hide the optimizer panel, the preset picker and the readouts; show a compact strip")
        show_contour = a("show_contour", "Contour &map", ("Ctrl+2",), field="show_contour")
        show_3d = a("show_3d", "&3D view", ("Ctrl+3",), field="show_3d")
        equations = a("show_equations", "Update rule (&equations)", ("E",), field="show_equations")
        gradient = a("overlay_gradient", "&Gradient arrow −∇J", ("G",), field="overlay_gradient",
                     tip=GRADIENT_TIP)
        momentum = a("overlay_momentum", "&Momentum arrow −αp", ("M",), field="overlay_momentum", tip=MOMENTUM_TIP)
        step = a("overlay_step_size", "&Adaptive step size α/(ε+√r) per axis", ("A",), field="overlay_step_size",
                 tip=STEP_SIZE_TIP)
        field = a("overlay_field", "&Vector field of −∇J", ("V",), field="overlay_field", tip=FIELD_TIP)
        a("note", "Show or hide the &note (panels collapsed)", ("N",), lambda: self.parts.note_banner.toggle())
        next_preset = a("next_preset", "&Next preset", ("P",), lambda: self.cycle_preset(+1))
        previous_preset = a("previous_preset", "Pre&vious preset", ("Shift+P",), lambda: self.cycle_preset(-1))
        raise_lr = a("raise_lr", "&Raise α of the selected run", ("Up", "+", "="),
                     lambda: self.change_learning_rate(+1))
        lower_lr = a("lower_lr", "&Lower α of the selected run", ("Down", "-"),
                     lambda: self.change_learning_rate(-1))
        next_run = a("next_run", "Select the next run", ("Tab",), lambda: self.cycle_run(+1))
        previous_run = a("previous_run", "Select the previous run", ("Shift+Tab", "Backtab"),
                         lambda: self.cycle_run(-1))
        # Tab keeps moving the focus outside presentation mode.
        next_run.setEnabled(m.view.presentation)
        previous_run.setEnabled(m.view.presentation)
        self._run_keys = []
        for k in range(8):
            self._run_keys.append(a(f"select_run_{k + 1}", f"Select run {k + 1}", (str(k + 1),),
                                    lambda k=k: self.select_run(k)))

        bar = w.menuBar()
        view_menu = _menu(bar, "View")
        if view_menu is not None:
            view_menu.addSeparator()
            view_menu.addActions([present, theme, larger, smaller, collapse])
            view_menu.addSeparator()
            view_menu.addActions([show_contour, show_3d, equations])
            overlays = view_menu.addMenu("&Overlays")
            overlays.setToolTipsVisible(True)
            overlays.addActions([gradient, momentum, step, field])
        run_menu = _menu(bar, "Run")
        if run_menu is not None:
            run_menu.addSeparator()
            run_menu.addActions([next_preset, previous_preset, raise_lr, lower_lr])

    # ------------------------------------------------------------------ the shortcut overlay

    def shortcut_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """What the overlay and Help → Keyboard shortcuts list, from the actions themselves."""
        w, acts = self.window, self.actions
        named = self.parts.actions_by_name
        playback = self.parts.playback

        def row(action, text=None):
            return (action_keys(action), text or action_title(action))

        race = [row(playback.play_action, "play / pause"), row(playback.step_action, "one step")]
        if "step_back" in named and "live" in named:
            race += [row(named["step_back"], "one step back (timeline)"), row(named["live"], "back to the newest step")]
        race.append(row(playback.reset_action, "reset every run to the start"))
        if "faster" in named and "slower" in named:
            race.append((f"{action_keys(named['faster'])} / {action_keys(named['slower'])}", "faster / slower"))
        race += [(f"{action_keys(acts['next_preset'])} / {action_keys(acts['previous_preset'])}",
                  "next / previous preset"),
                 row(acts["raise_lr"], "raise α of the selected run (×10<sup>¼</sup>)"),
                 row(acts["lower_lr"], "lower α of the selected run (÷10<sup>¼</sup>)"),
                 ("1 … 8", "select run 1 … 8"),
                 (f"{action_keys(acts['next_run'])} / Shift+Tab", "next / previous run (presentation)")]
        views = [row(acts["presentation"], "presentation mode on / off"),
                 row(acts["leave"], "leave presentation mode"),
                 row(acts["theme"], "projector / normal theme"),
                 (f"{action_keys(acts['larger']).split(' / ')[0]} / {action_keys(acts['smaller'])}",
                  "larger / smaller (presentation)"),
                 row(acts["collapse"], "collapse / show the side panels"),
                 row(acts["show_contour"], "contour map on / off"),
                 row(acts["show_3d"], "3D view on / off"),
                 row(acts["show_equations"], "update rule (equations) on / off")]
        for name, text in (("log", "log-scale loss plots"), ("camera", "reset the 3D camera")):
            if name in named:
                views.append(row(named[name], text))
        aids = [row(acts["overlay_gradient"], "gradient arrow −∇J"),
                row(acts["overlay_momentum"], "momentum arrow −αp"),
                row(acts["overlay_step_size"], "step size per axis α/(ε+√r)"),
                row(acts["overlay_field"], "vector field of −∇J")]
        listed = {id(x) for x in (playback.play_action, playback.step_action, playback.reset_action,
                                  *acts.values(), *(named.get(n) for n in ("faster", "slower", "log", "camera",
                                                                           "step_back", "live")))}
        more = []
        for action in w.findChildren(QAction):
            if id(action) in listed or not action_keys(action) or action is named.get("keys"):
                continue
            listed.add(id(action))
            more.append(row(action))
        keys = named.get("keys")
        help_rows = [row(keys, "this list") if keys is not None else ("F1 / ?", "this list"), *more]
        return [("Race", race), ("Views", views), ("Visual aids", aids), ("Help and more", help_rows)]

    def show_shortcuts(self) -> None:
        self.overlay.set_scale(self.model.view.scale)
        self.overlay.set_groups(self.shortcut_groups())
        self.overlay.open()

    # ------------------------------------------------------------------ commands

    def _set_theme(self, name: str) -> None:
        self.model.view.theme = name
        self.parts.show_message(f"{name.capitalize()} theme")

    def change_scale(self, direction: int) -> None:
        m = self.model
        new = min(max(round((m.view.ui_scale + direction * SCALE_STEP) / SCALE_STEP) * SCALE_STEP, UI_SCALE_MIN),
                  UI_SCALE_MAX)
        if new == m.view.ui_scale:
            edge = "largest" if direction > 0 else "smallest"
            self.parts.show_message(f"Presentation scale is already at its {edge} ({m.view.ui_scale:g}×)")
            return
        m.view.ui_scale = new
        note = "" if m.view.presentation else " (used in presentation mode, F5)"
        self.parts.show_message(f"Presentation scale {new:g}×{note}")

    def change_learning_rate(self, direction: int) -> None:
        """Multiply the selected run's α by LR_FACTOR (direction +1) or divide it (−1), rounded
        to 3 significant digits and kept within [LR_MIN, LR_MAX]."""
        m, p = self.model, self.parts
        run = m.runs[min(m.selected, len(m.runs) - 1)]
        lr = run.learning_rate
        new = round_significant(lr * LR_FACTOR ** direction, 3)
        new = min(max(new, LR_MIN), LR_MAX)
        if new == lr:
            edge = "largest" if direction > 0 else "smallest"
            p.show_message(f"{run.title}: α = {format_value(lr)} is already the {edge} allowed "
                           f"({format_value(LR_MAX if direction > 0 else LR_MIN)})")
            return
        try:
            hyper = {**run.hyper, "learning_rate": new}
            RunSpec(run.optimizer, hyper, run.batch_size, run.schedule, run.schedule_params).build()
            run.learning_rate = new
        except (ValueError, TypeError) as err:
            p.show_message(f"{run.title}: {err}")
            return
        p.show_message(f"{run.title}: α = {format_value(new)}  ({'×' if direction > 0 else '÷'}10^¼)")

    def cycle_preset(self, direction: int) -> None:
        m, p = self.model, self.parts
        keys = p.preset_picker.keys()
        if not keys:
            return
        i = keys.index(m.preset) if m.preset in keys else -direction
        key = keys[(i + direction) % len(keys)]
        try:
            if m.preset_params:
                m.preset_params = {}
            m.preset = key
        except ValueError as err:
            p.show_message(str(err))
            return
        p.show_message(f"Preset {keys.index(key) + 1}/{len(keys)}: {p.controller.surface.title}")

    def select_run(self, k: int) -> None:
        m, p = self.model, self.parts
        if not 0 <= k < len(m.runs):
            p.show_message(f"There is no run {k + 1}: the race has {len(m.runs)} run{'s' if len(m.runs) != 1 else ''}")
            return
        m.selected = k
        p.show_message(f"Selected run {k + 1}: {m.runs[k].title}")

    def cycle_run(self, direction: int) -> None:
        m = self.model
        self.select_run((m.selected + direction) % len(m.runs))

    # ------------------------------------------------------------------ model → window

    def _on_presentation(self, on: bool) -> None:
        w, m = self.window, self.model
        for action in (self.actions["leave"], self.actions["next_run"], self.actions["previous_run"]):
            action.setEnabled(bool(on))
        m.view.display_factor = self.parts.display_factor()  # the projector this window is on
        self._applying = True
        try:
            if on:
                self._saved = _Saved(w.saveGeometry(), w.isMaximized(), w.isFullScreen(), m.view.theme,
                                     m.view.panels_collapsed, w.centralWidget().sizes(),
                                     [self.parts.side_dock.width(), self.equations_dock.width()])
                m.view.theme = "projector"
                m.view.panels_collapsed = True
            elif self._saved is not None:
                m.view.theme = self._saved.theme
                m.view.panels_collapsed = self._saved.collapsed
        finally:
            self._applying = False
        self.apply_look()
        self.docks.arrange()
        if on:
            w.showFullScreen()
            self.parts.contour.setFocus(Qt.FocusReason.OtherFocusReason)  # keys drive the race, not a slider
            self.parts.show_message("Presentation mode: F1 lists the keys, Esc leaves", 8000)
            # The window reaches full screen in the event loop: arrange it once it has.
            QTimer.singleShot(0, self.fit_presentation_layout)
        elif self._saved is not None:
            saved, self._saved = self._saved, None
            if saved.full_screen:
                pass
            elif saved.maximized:
                w.showMaximized()
            else:
                w.showNormal()
                w.restoreGeometry(saved.geometry)

            def restore(saved=saved):
                w.centralWidget().setSizes(saved.central)
                w.resizeDocks([self.parts.side_dock, self.equations_dock], saved.docks, Qt.Orientation.Horizontal)

            restore()
            QTimer.singleShot(0, restore)  # again once the window has its old size back

    def fit_presentation_layout(self) -> None:
        """Presentation mode: the views take most of the height, the update rule the width its
        rows need (at most 30 %), the side panel (when H opened it) the width its cards need."""
        w, m = self.window, self.model
        if not m.view.presentation:
            return
        height = max(w.centralWidget().height(), 1)
        w.centralWidget().setSizes([int(PRESENTATION_VIEWS_SHARE * height),
                                    int((1 - PRESENTATION_VIEWS_SHARE) * height)])
        self._fit_equations_dock()
        if not m.view.panels_collapsed:
            panel = self.parts.side_dock.widget()
            w.resizeDocks([self.parts.side_dock], [panel.minimumSizeHint().width()], Qt.Orientation.Horizontal)

    def _on_ui_scale(self, _value) -> None:
        if self.model.view.presentation:
            self.apply_look()
            self.docks.arrange()
            self.fit_presentation_layout()

    def _fit_equations_dock(self) -> None:
        """Give the equations room for their rows: what they ask for, at most 30 % of the window."""
        width = min(self.equations.preferred_width(), int(0.3 * max(self.window.width(), 800)))
        self.window.resizeDocks([self.equations_dock], [width], Qt.Orientation.Horizontal)

    def apply_look(self) -> None:
        """Every view, plot and panel in the model's theme at the model's scale."""
        if self._applying:
            return
        w, m = self.window, self.model
        theme, scale = m.view.theme, m.view.scale
        for view in (self.parts.contour_panel, self.parts.legend, self.parts.note_banner, self.parts.loss_plot, self.parts.grad_plot, self.parts.data_plot, self.parts.readouts,
                     self.equations, self.overlays):
            view.set_look(theme, scale)
        if self.parts.surface3d is not None:
            self.parts.surface3d.set_look(theme, scale)
        for root in (*w.findChildren(QToolBar), self.parts.side_dock, w.statusBar(), w.menuBar(), self.parts.timeline,
                     *w.findChildren(QTabBar)):
            scale_widget_fonts(root, scale)
        for root in self._tool_windows():
            self.scale_tool_window(root)
        if scale == 1.0:
            for dock, minimum in self._dock_minimums.items():
                dock.setMinimumSize(minimum)
        # The equations dock: only its title here (the panel sizes its own text).
        base = self.equations_dock.property(BASE_FONT)
        if base is None:
            base = self.equations_dock.font().pointSizeF()
            self.equations_dock.setProperty(BASE_FONT, base)
        title = QFont(self.equations_dock.font())
        title.setPointSizeF(base * scale)
        self.equations_dock.setFont(title)
        self.overlay.set_scale(scale)
        self.parts.restyle()  # run colours for the theme, items at the new size, redrawn

    def _tool_windows(self) -> list[QWidget]:
        """The docks and windows of the analysis tools (leaderboard, basins, sweeps…): every dock
        but the two the window arranges itself, and every window the main window owns."""
        w = self.window
        own = {self.parts.side_dock, self.equations_dock}
        docks = [d for d in w.findChildren(QDockWidget) if d not in own]
        windows = [c for c in w.findChildren(QWidget) if c.isWindow() and not isinstance(c, QDockWidget)
                   and c is not self.overlay]
        return docks + windows

    def scale_tool_window(self, root: QWidget) -> None:
        """A tool's dock or window in the current theme and scale: every font (tables get rows
        tall enough for them), and the ``set_look(theme, scale)`` of the plots inside it."""
        m = self.model
        scale_widget_fonts(root, m.view.scale)
        for table in root.findChildren(QTableWidget):
            rows = table.verticalHeader()
            rows.setDefaultSectionSize(int(table.fontMetrics().height() * 1.45 + 4))
            for r in range(table.rowCount()):
                for c in range(table.columnCount()):
                    item = table.item(r, c)
                    if item is not None:
                        font = QFont(item.font())
                        font.setPointSizeF(table.font().pointSizeF())
                        item.setFont(font)
            table.resizeColumnsToContents()
        for child in [root, *root.findChildren(QWidget)]:
            set_look = getattr(child, "set_look", None)
            if callable(set_look) and child is not root.parentWidget():
                try:
                    set_look(m.view.theme, m.view.scale)
                except TypeError:  # a set_look with another signature is not a look
                    pass

    def _on_collapsed(self, on: bool) -> None:
        p = self.parts
        p.side_dock.setVisible(not on)
        self.docks.hide_stale_tab_bars()
        p.readouts.setVisible(not on)
        self.strip.setVisible(bool(on))
        p.note_banner.setVisible(bool(on))  # the panel's caption or note, above the views
        self._fit_side_column()
        if on:
            self.strip.update_runs(p.controller.frame, force=True)
        if not self._applying and getattr(self, "equations_dock", None) is not None:
            self.docks.arrange()
        if not on and self.model.view.presentation:
            QTimer.singleShot(0, self.fit_presentation_layout)  # room for the panel's large cards

    def _fit_side_column(self) -> None:
        """The column under the readouts goes away when it has nothing left to show."""
        p = self.parts
        column = p.readouts.parentWidget()
        if column is None:
            return
        has_data = hasattr(p.controller.surface, "data")
        column.setVisible(not self.model.view.panels_collapsed or has_data)

    def _on_show_3d(self, on: bool) -> None:
        p = self.parts
        view = p.view_3d
        if view is not None:
            view.setVisible(bool(on))
        if on:
            p.redraw()

    def _on_show_contour(self, on: bool) -> None:
        self.parts.contour_panel.setVisible(bool(on))
        if on:
            self.parts.redraw()

    def _on_show_equations(self, on: bool) -> None:
        self.equations_dock.setVisible(bool(on))
        self.docks.hide_stale_tab_bars()
        if not self._applying:
            self.docks.arrange()
        if on:
            self.equations.update_runs(self.parts.controller.frame)

    def _on_surface(self) -> None:
        self.overlays.set_surface(self.parts.controller.surface)
        self._fit_side_column()

    # ------------------------------------------------------------------ per frame

    def update(self, sim) -> None:
        """The head-of-run overlays follow every frame (cheap). The strip's step and loss follow
        with the update rule (the window refreshes both in the same frame), so the two agree."""
        self.overlays.update(sim)


def _menu(bar, title: str):
    for action in bar.actions():
        menu = action.menu()
        if menu is not None and action.text().replace("&", "") == title:
            return menu
    return None


__all__ = ["Classroom", "HyperStrip", "LR_FACTOR", "SCALE_STEP", "scale_widget_fonts"]
