"""Where the update rule and the leaderboard docks go: the update rule in a column of its own
beside the views when the window can afford it, otherwise a tab of the race panel (a 1280×720
projector, presentation mode with the panels open). The leaderboard floats over the run
table or the gradient-norm plot, so that at a race's end, when the lecturer points at the
paths, it neither narrows the views nor hides the update rule, the loss or the data plot.

:class:`DockLayout` is given what it arranges (the window whose dock areas hold the docks, the
race panel's dock, the update rule's dock, the leaderboard's dock if any, the current
presentation scale and the widgets the leaderboard may cover) and nothing else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QTabBar, QWidget

from .ui_scale import scale_widget_fonts


class DockLayout(QObject):
    """Arranges ``rule_dock`` (and ``board``) beside or with ``side_dock`` in ``window``;
    re-checked a moment after anything changes the window's layout. ``spots()``: the widgets
    a floating leaderboard may cover, best first (the run table, the gradient-norm plot:
    neither carries a scenario's lesson); ``avoid()``: (widget, weight) pairs it should hide
    as little of as it can (the map, the 3D view and the legend most, the loss and data plots
    less)."""

    def __init__(self, window: QMainWindow, side_dock: QDockWidget, rule_dock: QDockWidget,
                 board: QDockWidget | None, scale: Callable[[], float],
                 spots: Callable[[], list[QWidget]] = list,
                 avoid: Callable[[], list[tuple[QWidget | None, float]]] = list) -> None:
        super().__init__(window)
        self.window, self.side_dock, self.rule_dock, self.board = window, side_dock, rule_dock, board
        self._scale = scale
        self._spots, self._avoid = spots, avoid
        self._compact: bool | None = None
        self._board_placed = False
        self._held = 0  # held() depth
        self._rearrange_timer = QTimer(self)
        self._rearrange_timer.setSingleShot(True)
        self._rearrange_timer.setInterval(0)
        self._rearrange_timer.timeout.connect(self._rearrange)
        window.installEventFilter(self)
        if board is not None:
            # A leaderboard popping up at a race's end goes to its spot.
            board.visibilityChanged.connect(lambda shown: shown and QTimer.singleShot(0, self._rearrange))
            # Shown from the menu, it comes to the front of its tab group (and so refreshes).
            board.toggleViewAction().triggered.connect(lambda on: on and board.raise_())

    def arrange(self) -> None:
        """One column beside the views when the window can afford it: the update rule on the
        right (the leaderboard floats, see :meth:`_place_board`). When that
        column would make the window wider than its screen (a 1280×720 projector, or the panels
        opened in presentation mode, where every font is 1.75× larger), the update rule becomes
        a tab of the race panel's column (alone there while the panel is collapsed). Checked
        again whenever the window's layout changes (a dock or a table growing), with
        hysteresis: the wide arrangement comes back only when its estimated width fits."""
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
        self._place_board()
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
                  if d is not None and not d.isHidden() and not d.isFloating()]
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
        if compact:
            w.tabifyDockWidget(self.side_dock, eq)
            self.side_dock.raise_()
        else:
            w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, eq)

    def _place_board(self) -> None:
        """The leaderboard floats over the run table or the gradient-norm plot (see
        :meth:`place_floating`) and follows them as the window changes; docked by the user
        (dragged or double-clicked) it stays docked. Docked in the update rule's column it hid
        the update rule at the very moment a race ends and widened the column by up to 160 px;
        where no column was on screen (1280×720, presentation mode) it opened one of its own,
        a third of the window, and the map shrank from 300 to 160 px."""
        board = self.board
        if board is None or self._board_placed:
            return
        self._board_placed = True
        board.setFloating(True)
        self.place_floating(board)

    @property
    def compact(self) -> bool:
        return bool(self._compact)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and self._compact is not None and event.type() in (
                QEvent.Type.LayoutRequest, QEvent.Type.Move, QEvent.Type.Resize):
            self._rearrange_soon()  # a move or resize also takes the floating leaderboard along
        return False

    def place_floating(self, dock: QDockWidget) -> None:
        """A floating tool dock where it hides the least: tried with its right edge or its left
        edge on each of ``spots``' (its bottom on the spot's bottom), it goes where it covers
        the smallest weighted area of ``avoid`` (see :class:`DockLayout`). Without spots, the
        window's bottom-right corner. Its size is what its content needs (a cut table would
        hide what it is for), at most the window's."""
        if not dock.isFloating():
            return
        w = self.window
        dock.adjustSize()  # the content's own size, before the geometry below
        hint = dock.sizeHint().expandedTo(dock.minimumSizeHint())
        width = min(max(hint.width(), 320), w.width() - 24)
        height = min(max(hint.height(), 120), w.height() - 80)
        inset = 6  # clear of the window's edge and of the frame a window manager may add
        frame = QRect(w.mapToGlobal(QPoint(0, 0)), w.size()).adjusted(inset, inset, -inset, -inset)

        def inside(x: int, y: int) -> QRect:
            x = min(max(x, frame.left()), frame.right() - width + 1)
            y = min(max(y, frame.top()), frame.bottom() - height + 1)
            return QRect(x, y, width, height)

        shown = [global_rect(spot) for spot in self._spots() if spot.isVisible() and spot.width() > 0]
        candidates = [inside(r.right() - width - inset, r.bottom() - height - inset) for r in shown]
        candidates += [inside(r.left() + inset, r.bottom() - height - inset) for r in shown]
        if not candidates:
            candidates = [inside(frame.right() - width, frame.bottom() - height)]
        avoid = [(global_rect(widget), weight) for widget, weight in self._avoid() if widget is not None
                 and widget.isVisible()]

        def cost(rect: QRect) -> float:
            total = 0.0
            for area, weight in avoid:
                overlap = rect.intersected(area)
                if not overlap.isEmpty():
                    total += weight * overlap.width() * overlap.height()
            return total

        dock.setGeometry(min(candidates, key=cost))  # the first best: the spots' order breaks ties


def global_rect(widget: QWidget) -> QRect:
    """``widget``'s rectangle in screen coordinates."""
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
