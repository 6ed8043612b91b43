"""The look of exported frames, in sizes that scale with the output.

Every length here is in *design pixels*: pixels of a 1920×1080 frame. :class:`Style` turns
them into output pixels with one factor, so a 3840×2160 export draws the same picture with
lines and letters twice as thick, never an upscaled bitmap. The design sizes are for
projection: a lecture hall's back row must read tick labels and tell the paths apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from pyqtgraph.graphicsItems.PlotCurveItem import arrayToLineSegments
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTransform

from ..look import dash_segments

#: The design frame: sizes below are pixels of a frame of this height.
DESIGN_HEIGHT = 1080
DESIGN_WIDTH = 1920

#: Dark grey of text and axes (the app's contour_view.TEXT_COLOR): high contrast on white.
TEXT = QColor(45, 50, 60)
MUTED = QColor(95, 102, 115)
BACKGROUND = QColor(255, 255, 255)
PANEL_LINE = QColor(200, 205, 212)
ISO_LINE = QColor(40, 44, 52, 100)
CASING = QColor(255, 255, 255)
CASING_OPACITY = 0.55  # the app's: a light halo that keeps each colour readable on the map
HEAD_OUTLINE = QColor(25, 25, 30)
DIVERGED = QColor(200, 0, 0)

# Design sizes (pixels of a 1080-row frame).
TICK_FONT = 23
AXIS_FONT = 27
TITLE_FONT = 46
CAPTION_FONT = 24
LEGEND_FONT = 29
DETAIL_FONT = 22
COUNTER_FONT = 44
PATH_WIDTH = 4.0
CASING_WIDTH = PATH_WIDTH + 4.5
THIN_WIDTH = 1.6  #: runs that scribble over the whole map (see optviz.render.map_style.HEAVY_WIDTHS)
HEAD_SIZE = 19.0
HEAD_OUTLINE_WIDTH = 2.5
DIVERGED_SIZE = 30.0
MINIMUM_SIZE = 32.0
SADDLE_SIZE = 22.0
ISO_WIDTH = 1.3
AXIS_WIDTH = 1.6
TICK_LENGTH = 9.0
PAD = 18.0


@dataclass(frozen=True)
class Style:
    """Design sizes → output pixels for one output size (``unit`` output pixels per design pixel)."""

    unit: float

    @classmethod
    def for_size(cls, width: int, height: int) -> "Style":
        """The unit of a frame: its shorter side over 1080 (1 at 1920×1080, and at 1080×1920)."""
        return cls(max(min(width, height) / DESIGN_HEIGHT, 0.2))

    def px(self, design: float) -> float:
        return design * self.unit

    def font(self, design_px: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setPixelSize(max(int(round(design_px * self.unit)), 6))
        font.setBold(bold)
        font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)  # same shapes at any size
        return font

    def pen(self, color: QColor, design_width: float, cap=Qt.PenCapStyle.RoundCap) -> QPen:
        pen = QPen(QColor(color))
        pen.setWidthF(max(design_width * self.unit, 0.5))
        pen.setCapStyle(cap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen


@contextmanager
def painting(device) -> Iterator[QPainter]:
    """A QPainter on ``device`` that is ended however the block exits: an exception (even
    Ctrl+C) between begin and end would otherwise leave a painted-on image to be destroyed,
    which Qt answers with a crash."""
    painter = QPainter(device)
    try:
        yield painter
    finally:
        painter.end()


def text_width(font: QFont, text: str) -> float:
    return QFontMetricsF(font).horizontalAdvance(text)


def line_height(font: QFont) -> float:
    return QFontMetricsF(font).height()


#: Flags of a text block that wraps at word boundaries, from the top left of its rectangle.
WRAP = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap


def wrapped_height(font: QFont, text: str, width: float) -> float:
    """Height of ``text`` wrapped at word boundaries to ``width`` pixels."""
    return QFontMetricsF(font).boundingRect(QRectF(0, 0, max(width, 1.0), 1e6), int(WRAP), text).height()


def wrapped_width(font: QFont, text: str, width: float) -> float:
    """Width ``text`` takes when wrapped to ``width``: more than ``width`` if a word is wider."""
    return QFontMetricsF(font).boundingRect(QRectF(0, 0, max(width, 1.0), 1e6), int(WRAP), text).width()


def draw_text(painter: QPainter, rect: QRectF, text: str, font: QFont, color: QColor = TEXT,
              flags=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter) -> None:
    painter.setFont(font)
    painter.setPen(QColor(color))
    painter.drawText(rect, int(flags), text)


def minus(text: str) -> str:
    """A typographic minus sign: "−1.5" reads better than "-1.5" on a slide."""
    return text.replace("-", "\u2212")


def marker_path(symbol: str, size: float) -> QPainterPath:
    """pyqtgraph's symbol shapes (the app's markers), scaled to ``size`` pixels, centred on 0."""
    from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols

    return QTransform.fromScale(size, size).map(QPainterPath(Symbols[symbol]))


#: Head markers' sizes relative to the circle's, so that each covers about as much area.
MARKER_SCALE = {"o": 1.0, "s": 0.9, "d": 1.2, "t": 1.2, "t1": 1.2, "t2": 1.2, "t3": 1.2, "p": 1.1, "h": 1.05,
                "star": 1.6}


def head(painter: QPainter, style: Style, at: QPointF, color: QColor, design_size: float = HEAD_SIZE,
         marker: str = "o") -> None:
    """A run's head: its marker (a pyqtgraph symbol name) in its colour with a dark rim. The rim
    lies outside the shape, so even a star's narrow middle shows the run's colour."""
    size = style.px(design_size) * MARKER_SCALE.get(marker, 1.0)
    if marker == "o":
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), size / 2, size / 2)
    else:
        path = marker_path(marker, size)
    path.translate(at)
    painter.strokePath(path, style.pen(HEAD_OUTLINE, 2 * HEAD_OUTLINE_WIDTH))
    painter.fillPath(path, QColor(color))


def stroke(painter: QPainter, pts: np.ndarray, dash=(), unit: float = 1.0, phase: float = 0.0,
           connect: str = "all") -> float:
    """Stroke the polyline ``pts`` (pixels) with the painter's pen as separate segments (Qt fills
    a wide self-crossing polyline as one polygon, hundreds of times slower for a zig-zag),
    dashed by ``dash`` (on/off lengths in units of ``unit`` pixels, ``()`` solid) when given.
    The pen should have round caps: the dashes are shortened to match. Returns the dash phase
    at the last point, for the next piece of the same line (:func:`optviz.look.dash_segments`)."""
    pts = np.asarray(pts, dtype=float)
    if dash:
        width = max(painter.pen().widthF(), 1e-3)
        segs, phase = dash_segments(pts, [d * unit / width for d in dash], width, phase, round_caps=True)
        flat = segs.reshape(-1, 2)
        lines = arrayToLineSegments(flat[:, 0], flat[:, 1], "pairs", False)
    else:
        lines = arrayToLineSegments(pts[:, 0], pts[:, 1], connect, connect == "finite")
    painter.drawLines(*lines.drawargs())
    return phase
