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
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QTableWidget,
    QTabBar,
    QToolBar,
    QWidget,
)

from ..window.dock_layout import DockLayout
from ..panels.equations import EquationsPanel
from .hyper_strip import HyperStrip
from ..views.overlays import RunOverlays
from .keys import ClassroomKeys
from .shortcuts import ShortcutOverlay
from ..window.ui_scale import BASE_FONT, FONT_SCALE, scale_widget_fonts
from ..panels.widgets import readable_font

#: In presentation mode the views get this share of the height, the plots the rest.
PRESENTATION_VIEWS_SHARE = 0.7



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
                                lambda: m.view.scale, spots=lambda: [parts.readouts, parts.grad_plot],
                                avoid=lambda: [(parts.contour_panel, 10), (parts.view_3d, 10), (parts.legend, 10),
                                               (parts.timeline, 3), (parts.data_plot, 2), (parts.loss_plot, 1)])
        self.docks.arrange()

        self.overlays = RunOverlays(m, self.parts.contour, self.parts.surface3d)

        self.strip = HyperStrip(m, window)
        window.addToolBarBreak()
        window.addToolBar(self.strip)

        self.overlay = ShortcutOverlay(window)
        # Status messages report what the keys did ("Adam: α = 0.0889"): as legible as the panels.
        window.statusBar().setFont(readable_font(window.statusBar().font()))
        self.keys = ClassroomKeys(parts, self.overlay, self)
        self.actions = self.keys.actions
        self.strip.lower.clicked.connect(lambda: self.keys.change_learning_rate(-1))
        self.strip.raise_.clicked.connect(lambda: self.keys.change_learning_rate(+1))
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

    def show_shortcuts(self) -> None:
        self.keys.show_shortcuts()

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


__all__ = ["Classroom", "WindowParts"]
