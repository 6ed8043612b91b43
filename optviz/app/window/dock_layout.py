"""Where the update rule and the leaderboard docks go: a column of their own beside the views
when the window can afford it, otherwise a tab of the race panel and a floating leaderboard
(a 1280×720 projector, presentation mode with the panels open).

:class:`DockLayout` is given what it arranges (the window whose dock areas hold the docks, the
race panel's dock, the update rule's dock, the leaderboard's dock if any, and the current
presentation scale) and nothing else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QTabBar

from .ui_scale import scale_widget_fonts


class DockLayout(QObject):
    """Arranges ``rule_dock`` (and ``board``) beside or with ``side_dock`` in ``window``;
    re-checked a moment after anything changes the window's layout."""

    def __init__(self, window: QMainWindow, side_dock: QDockWidget, rule_dock: QDockWidget,
                 board: QDockWidget | None, scale: Callable[[], float]) -> None:
        super().__init__(window)
        self.window, self.side_dock, self.rule_dock, self.board = window, side_dock, rule_dock, board
        self._scale = scale
        self._compact: bool | None = None
        self._held = 0  # held() depth
        self._rearrange_timer = QTimer(self)
        self._rearrange_timer.setSingleShot(True)
        self._rearrange_timer.setInterval(0)
        self._rearrange_timer.timeout.connect(self._rearrange)
        window.installEventFilter(self)
        if board is not None:
            # A leaderboard popping up at a race's end may not fit beside the update rule.
            board.visibilityChanged.connect(lambda shown: shown and QTimer.singleShot(0, self._rearrange))
            # Shown from the menu, it comes to the front of its tab group (and so refreshes).
            board.toggleViewAction().triggered.connect(lambda on: on and board.raise_())

    def arrange(self) -> None:
        """One column beside the views when the window can afford it: the update rule on the
        right with the leaderboard as a tab behind it (raised when a race ends). When that
        column would make the window wider than its screen (a 1280×720 projector, or the panels
        opened in presentation mode, where every font is 1.75× larger), the update rule becomes
        a tab of the race panel's column (alone there while the panel is collapsed) and the
        leaderboard floats over the plots. Checked again whenever the window's layout changes
        (a dock or a table growing), with hysteresis: the wide arrangement comes back only when
        its estimated width fits."""
        if self._held:
            return
        room = self._room()
        if self._compact is None:
            self._set_compact(False)
        need = self._need()
        if not self._compact and need > room:
            self._set_compact(True)
        elif self._compact and need + self._right_column() <= room:
            self._set_compact(False)
            if self._need() > room:  # the estimate was short: back, and stay
                self._set_compact(True)
        w = self.window
        if w.width() > room and not w.isFullScreen():
            w.resize(room, w.height())  # it grew while a wider arrangement was tried
        for bar in w.findChildren(QTabBar):  # the dock tabs made just now take the scale too
            scale_widget_fonts(bar, self._scale())
        self.hide_stale_tab_bars()

    def hide_stale_tab_bars(self) -> None:
        """Hide dock tab bars that name a hidden dock. Qt lists only visible docks in a tab
        group's bar, but a group that was tabified while a member was hidden (the update rule
        at first launch on a small screen, the race panel collapsed in presentation mode)
        can leave an old bar on screen, over the update rule."""
        w = self.window
        hidden = {d.windowTitle() for d in w.findChildren(QDockWidget) if d.isHidden()}
        for bar in w.findChildren(QTabBar):
            if bar.parent() is w and bar.isVisible() and any(bar.tabText(i) in hidden for i in range(bar.count())):
                bar.hide()

    @contextlib.contextmanager
    def held(self):
        """No re-arranging inside: the window is laid out at a size of someone else's choosing
        (a whole-window PNG at 1920×1080 on a smaller screen) and put back afterwards."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1

    def _room(self) -> int:
        screen = self.window.screen() or QApplication.primaryScreen()
        return screen.availableGeometry().width() if screen is not None else 1 << 30

    def _need(self) -> int:
        """The window's minimum width now (its layout recomputed)."""
        layout = self.window.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()
        return self.window.minimumSizeHint().width()

    def _right_column(self) -> int:
        """What the wide arrangement's right column adds: an upper bound of its minimum width."""
        board = self.board
        widths = [d.minimumSizeHint().width() for d in (self.rule_dock, board)
                  if d is not None and not d.isHidden()]
        return max(widths, default=0) + 8

    def _rearrange(self) -> None:
        self.arrange()
        board = self.board
        if board is not None and board.isFloating() and board.isVisible():
            self.place_floating(board)

    def _rearrange_soon(self) -> None:
        if not self._rearrange_timer.isActive():
            self._rearrange_timer.start()

    def _set_compact(self, compact: bool) -> None:
        if compact == self._compact:
            return
        self._compact = compact
        w, eq = self.window, self.rule_dock
        board = self.board
        in_front = board is not None and board.isVisible() and not board.visibleRegion().isEmpty()
        if compact:
            w.tabifyDockWidget(self.side_dock, eq)
            self.side_dock.raise_()
            if board is not None:
                board.setFloating(True)
                self.place_floating(board)
        else:
            w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, eq)
            if board is not None:
                board.setFloating(False)
                w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, board)
                w.tabifyDockWidget(eq, board)
                (board if in_front else eq).raise_()

    @property
    def compact(self) -> bool:
        return bool(self._compact)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Type.LayoutRequest and self._compact is not None:
            self._rearrange_soon()
        return False

    def place_floating(self, dock: QDockWidget) -> None:
        """A floating tool dock at the window's bottom-right corner, over the plots, sized to
        its content (at most half the window)."""
        if not dock.isFloating():
            return
        w = self.window
        hint = dock.widget().sizeHint() if dock.widget() is not None else dock.sizeHint()
        width = min(max(hint.width() + 20, 320), w.width() // 2)
        height = min(max(hint.height() + 40, 160), w.height() // 2)
        corner = w.mapToGlobal(w.rect().bottomRight())
        dock.setGeometry(corner.x() - width - 12, corner.y() - height - 40, width, height)

