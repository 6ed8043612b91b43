"""Checks of what the window shows, for the tests and the album: no text is cut off or runs into
other text, the legend hides nothing of a map, and the map has equal units on both axes.

Every function returns a list of problems in plain words (empty when all is well), so a test
can assert ``== []`` and print what failed, and ``scripts/album.py`` can list them beside each
picture.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QTextDocument
from PySide6.QtGui import Qt as GuiQt  # mightBeRichText lives in QtGui's Qt namespace
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QWidget,
)

#: Pixels of tolerance: antialiasing and rounding never count as a cut.
SLACK = 1.5


def _name(widget: QWidget) -> str:
    name = widget.objectName() or type(widget).__name__
    parent = widget.parentWidget()
    while parent is not None and not parent.objectName():
        parent = parent.parentWidget()
    return f"{name} (in {parent.objectName()})" if parent is not None else name


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0 and not _clipped_away(widget)


def _clipped_away(widget: QWidget) -> bool:
    """A widget scrolled out of its scroll area's view, or inside a hidden page."""
    return widget.visibleRegion().isEmpty()


def _rich_width(text: str, font) -> float:
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setHtml(text)
    return doc.idealWidth()


def _text_width(widget: QWidget, text: str, rich: bool) -> float:
    if rich:
        return _rich_width(text, widget.font())
    return max((QFontMetricsF(widget.font()).horizontalAdvance(line) for line in text.split("\n")), default=0.0)


def cut_text(root: QWidget) -> list[str]:
    """Every visible piece of text under ``root`` (labels, buttons, combo boxes, line edits, spin
    boxes, table cells and headers, dock titles, plot axes) that does not fit its widget, is
    elided, or runs into the next one; and every text panel that needs a scroll bar."""
    problems: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if not _shown(w):
            continue
        if isinstance(w, QLabel):
            problems += _label(w)
        elif isinstance(w, QAbstractButton):
            problems += _button(w)
        elif isinstance(w, QComboBox):
            text = w.currentText()
            need = QFontMetricsF(w.font()).horizontalAdvance(text) + w.iconSize().width() * bool(w.itemIcon(
                w.currentIndex()) if w.currentIndex() >= 0 else False) + 28
            if text and need > w.width() + SLACK:
                problems.append(f"{_name(w)}: “{text}” needs {need:.0f} px, the combo box is {w.width()} px")
        elif isinstance(w, QLineEdit) and not isinstance(w.parentWidget(), QAbstractSpinBox):
            problems += _line_edit(w, w.text())
        elif isinstance(w, QAbstractSpinBox):
            edit = w.findChild(QLineEdit)
            if edit is not None:
                problems += _line_edit(edit, edit.text(), owner=w)
        elif isinstance(w, QTableWidget):
            problems += _table(w)
        elif isinstance(w, QTextBrowser):
            for bar, what in ((w.horizontalScrollBar(), "wider"), (w.verticalScrollBar(), "taller")):
                if bar.isVisible() and bar.maximum() > 0:
                    problems.append(f"{_name(w)}: the text is {what} than the panel (a scroll bar shows)")
        elif isinstance(w, QDockWidget):
            text = w.windowTitle()
            need = QFontMetricsF(w.font()).horizontalAdvance(text) + 8
            if text and w.titleBarWidget() is None and need > w.width():
                problems.append(f"{_name(w)}: the title “{text}” needs {need:.0f} px of {w.width()}")
        elif isinstance(w, QToolBar):
            ext = w.findChild(QToolButton, "qt_toolbarext_button")
            if ext is not None and ext.isVisible():
                problems.append(f"{_name(w)}: not every button fits (the » menu shows)")
        elif isinstance(w, pg.PlotWidget):
            problems += plot_text(w)
        if isinstance(w, QAbstractScrollArea) and not isinstance(w, (QTextBrowser, QTableWidget)):
            bar = w.horizontalScrollBar()
            if bar.isVisible() and bar.maximum() > 0 and not isinstance(w, pg.GraphicsView):
                problems.append(f"{_name(w)}: the content is wider than the area (a scroll bar shows)")
    return problems


def _label(w: QLabel) -> list[str]:
    text = w.text()
    if not text or w.pixmap() is not None and not w.pixmap().isNull():
        return []
    rect = w.contentsRect()
    rich = w.textFormat() == Qt.TextFormat.RichText or (w.textFormat() == Qt.TextFormat.AutoText
                                                         and GuiQt.mightBeRichText(text))
    if w.wordWrap():
        need = w.heightForWidth(rect.width() + w.contentsMargins().left() + w.contentsMargins().right())
        if need > w.height() + SLACK:
            return [f"{_name(w)}: “{_plain(text)[:60]}” needs {need} px of height, it has {w.height()}"]
        return []
    need = _text_width(w, text, rich) + w.indent() * (w.indent() > 0) + 2 * w.margin()
    if need > rect.width() + SLACK:
        return [f"{_name(w)}: “{_plain(text)[:60]}” needs {need:.0f} px, the label is {rect.width()} px"]
    return []


def _plain(text: str) -> str:
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText().replace("\n", " ")


def _button(w: QAbstractButton) -> list[str]:
    """A button narrower than the style says its text (and icon) need."""
    text = w.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    if not text:
        return []
    if isinstance(w, QToolButton) and w.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly \
            and not w.icon().isNull():
        return []
    need = w.sizeHint().width()
    if need > w.width() + SLACK:
        return [f"{_name(w)}: “{text}” needs {need} px, the button is {w.width()} px"]
    return []


def _line_edit(edit: QLineEdit, text: str, owner: QWidget | None = None) -> list[str]:
    if not text:
        return []
    need = QFontMetricsF(edit.font()).horizontalAdvance(text) + 4
    room = edit.contentsRect().width() - edit.textMargins().left() - edit.textMargins().right()
    if need > room + SLACK:
        return [f"{_name(owner or edit)}: “{text}” needs {need:.0f} px, the box shows {room} px"]
    fm = QFontMetricsF(edit.font())
    if fm.height() > edit.contentsRect().height() + 2 * SLACK:
        return [f"{_name(owner or edit)}: the text is {fm.height():.0f} px tall, the box {edit.contentsRect().height()} px"]
    return []


def _table(w: QTableWidget) -> list[str]:
    """Columns narrower than their cells or header need (the table's own measure of its
    content), rows shorter than their text, and a horizontal scroll bar."""
    problems = []
    header = w.horizontalHeader()
    for c in range(w.columnCount()):
        if w.isColumnHidden(c):
            continue
        width = w.columnWidth(c)
        head = w.horizontalHeaderItem(c)
        if head is not None and header.isVisible() and header.sectionSizeFromContents(c).width() > width + SLACK:
            problems.append(f"{_name(w)}: the header “{head.text()}” does not fit its column ({width} px)")
        need = w.sizeHintForColumn(c)
        if need > width + SLACK:
            texts = [w.item(r, c).text() for r in range(w.rowCount()) if w.item(r, c) is not None
                     and not w.isRowHidden(r)]
            widest = max(texts, key=len, default="")
            # A wrapping table may break a long text into lines (the rows are checked below),
            # but no single word may be wider than its column.
            fm = QFontMetricsF(w.font())
            words = [word for text in texts for word in text.split()]
            longest_word = max((fm.horizontalAdvance(word) for word in words), default=0.0) * 1.15 + 8
            if not w.wordWrap() or longest_word > width + SLACK:
                problems.append(f"{_name(w)}: column {c} needs {need} px for “{widest}”, it is {width} px")
    for r in range(w.rowCount()):
        if not w.isRowHidden(r) and w.sizeHintForRow(r) > w.rowHeight(r) + SLACK:
            problems.append(f"{_name(w)}: row {r} needs {w.sizeHintForRow(r)} px of height, it is {w.rowHeight(r)}")
    bar = w.horizontalScrollBar()
    if bar.isVisible() and bar.maximum() > 0:
        problems.append(f"{_name(w)}: the columns are wider than the table (a scroll bar shows)")
    return problems


def plot_text(plot: pg.PlotWidget) -> list[str]:
    """Tick labels of a plot's axes that run into each other, and axis titles longer than
    their axis."""
    problems = []
    item = plot.getPlotItem()
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    for name in ("bottom", "left"):
        axis = item.getAxis(name)
        if not axis.isVisible() or axis.width() <= 0 or axis.height() <= 0:
            continue
        painter = QPainter(image)
        try:
            specs = axis.generateDrawSpecs(painter)
        finally:
            painter.end()
        if not specs:
            continue
        rects = [(QRectF(rect), text) for rect, _, text in specs[2] if text]
        horizontal = name == "bottom"
        rects.sort(key=lambda rt: rt[0].left() if horizontal else rt[0].top())
        for (a, ta), (b, tb) in zip(rects, rects[1:]):
            gap = (b.left() - a.right()) if horizontal else (b.top() - a.bottom())
            if gap < -SLACK:
                problems.append(f"{_name(plot)}: the {name} tick labels “{ta}” and “{tb}” run together")
        if axis.label.isVisible() and axis.labelText:
            length = axis.width() if horizontal else axis.height()
            need = axis.label.boundingRect().width()
            if need > length + SLACK:
                problems.append(f"{_name(plot)}: the {name} axis title “{axis.labelText}” ({need:.0f} px) "
                                f"is longer than its axis ({length:.0f} px)")
    return problems


# ------------------------------------------------------------------------------ the map


def map_units(window) -> list[str]:
    """The contour map shows equal units on both axes and, unless the user zoomed, its whole view
    box edge to edge."""
    panel, view = window.contour_panel, window.contour
    if not panel.isVisible() or view.surface is None:
        return []
    vb = view.view_box
    (x0, x1), (y0, y1) = vb.viewRange()
    rect = vb.sceneBoundingRect()
    if rect.width() <= 0 or rect.height() <= 0:
        return ["the map has no area"]
    ux, uy = rect.width() / (x1 - x0), rect.height() / (y1 - y0)
    problems = []
    if abs(ux / uy - 1) > 0.01:
        problems.append(f"the map's units differ: {ux:.2f} px per unit of x, {uy:.2f} of y")
    box = view.surface.view
    px = max(abs(x0 - box.xmin) * ux, abs(x1 - box.xmax) * ux, abs(y0 - box.ymin) * uy, abs(y1 - box.ymax) * uy)
    if px > 3:
        problems.append(f"the map shows [{x0:.3g}, {x1:.3g}] × [{y0:.3g}, {y1:.3g}], not its box "
                        f"[{box.xmin:g}, {box.xmax:g}] × [{box.ymin:g}, {box.ymax:g}] ({px:.0f} px off)")
    return problems


def map_markers(window) -> dict[str, np.ndarray]:
    """Where the map's marks are, in global screen pixels: every drawn path point, each run's
    head, the start, the minima and the saddles (points inside the visible map only)."""
    view = window.contour
    vb = view.view_box
    shown = vb.viewRect()

    def to_global(points) -> np.ndarray:
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        pts = pts[np.isfinite(pts).all(axis=1)]
        inside = (pts[:, 0] >= shown.left()) & (pts[:, 0] <= shown.right()) & (pts[:, 1] >= shown.top()) & (
            pts[:, 1] <= shown.bottom())
        out = []
        for x, y in pts[inside]:
            scene = vb.mapViewToScene(QPointF(float(x), float(y)))
            g = view.mapToGlobal(view.mapFromScene(scene))
            out.append((g.x(), g.y()))
        return np.array(out, dtype=float).reshape(-1, 2)

    marks = {}
    paths = [run.drawn for run in view._runs if run.visible and len(run.drawn)]
    if paths:
        every = np.concatenate(paths)
        marks["path"] = to_global(every[:: max(1, len(every) // 4000)])
        marks["head"] = to_global([p[-1] for p in paths])
    marks["start"] = to_global([view.start()])
    for scatter, name in ((view.minima, "minimum"), (view.saddles, "saddle")):
        x, y = scatter.getData()
        if x is not None and len(x):
            marks[name] = to_global(np.column_stack([x, y]))
    return marks


def legend_covers(window) -> list[str]:
    """The race's legend lies over none of the map's marks, and is itself fully on screen."""
    legend = window.legend
    if not legend.isVisible():
        return []
    top_left = legend.mapToGlobal(QPoint(0, 0))
    rect = QRect(top_left, legend.size())
    problems = []
    win = QRect(window.mapToGlobal(QPoint(0, 0)), window.size())
    if not win.contains(rect):
        problems.append("the legend reaches outside the window")
    if window.contour_panel.isVisible():
        for kind, pts in map_markers(window).items():
            inside = [(x, y) for x, y in pts if rect.contains(int(round(x)), int(round(y)))]
            if inside:
                problems.append(f"the legend covers {len(inside)} {kind} point(s) of the map")
    return problems


def leaderboard_covers(window) -> list[str]:
    """The leaderboard, floating where the app puts it when a race ends, lies inside the window
    and over none of the map, the 3D view, the data plot and the legend's entries. (Tool
    windows the user opens, such as the basins, are theirs to place.)"""
    from .dock_layout import global_rect

    board = getattr(window, "leaderboard", None)
    if board is None or not (board.isFloating() and board.isVisible()):
        return []
    keep = [(name, widget) for name, widget in (("the map", window.contour_panel),
                                                ("the 3D view", getattr(window, "surface3d", None)),
                                                ("the data plot", getattr(window, "data_plot", None)))
            if widget is not None and widget.isVisible()]
    keep += [(f"the legend's {label.text()!r}", part) for swatch, label in window.legend.entries()
             for part in (swatch, label) if part.isVisible()]

    def drawn(widget) -> QRect:  # a label's line of text (vertically centred), not its padding
        r = global_rect(widget)
        if isinstance(widget, QLabel):
            h = widget.fontMetrics().height()
            r = QRect(r.x(), r.center().y() - h // 2, r.width(), h)
        return r

    rect = QRect(board.frameGeometry())
    problems = []
    if not global_rect(window).contains(rect):
        problems.append("the leaderboard reaches outside the window")
    for name, widget in keep:
        overlap = rect.intersected(drawn(widget))
        if overlap.width() > 2 and overlap.height() > 2:
            problems.append(f"the leaderboard covers {overlap.width()}×{overlap.height()} px of {name}")
    return problems


def fits_screen(window) -> list[str]:
    """The window, at its minimum size, fits its screen: no dock or panel forces it wider or
    taller than the projector."""
    screen = window.screen()
    if screen is None:
        return []
    room = screen.availableGeometry()
    need = window.minimumSizeHint().expandedTo(window.minimumSize())
    problems = []
    if need.width() > room.width() or window.width() > room.width():
        problems.append(f"the window needs {max(need.width(), window.width())} px of width, the screen has {room.width()}")
    if need.height() > room.height() or window.height() > room.height():
        problems.append(f"the window needs {max(need.height(), window.height())} px of height, "
                        f"the screen has {room.height()}")
    return problems


def stale_tabs(window) -> list[str]:
    """No dock tab bar on screen names a hidden dock (Qt can leave an old tab group's bar
    over the dock that took its place)."""
    from PySide6.QtWidgets import QDockWidget, QTabBar

    hidden = {d.windowTitle() for d in window.findChildren(QDockWidget) if d.isHidden()}
    problems = []
    for bar in window.findChildren(QTabBar):
        if bar.parent() is window and _shown(bar):
            names = [bar.tabText(i) for i in range(bar.count())]
            gone = [n for n in names if n in hidden]
            if gone:
                problems.append(f"a tab bar ({' | '.join(names)}) shows the hidden {', '.join(gone)}")
    return problems
