"""Every font (and toolbar icon) of a widget tree at its design size × a scale: presentation
mode and the tool windows it scales."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QToolBar, QWidget

#: Widget properties: the design point size, the scale in effect, the design icon size.
BASE_FONT = "optviz_base_point_size"
FONT_SCALE = "optviz_font_scale"
_BASE_ICON = "optviz_base_icon_size"


def scale_widget_fonts(root: QWidget, scale: float) -> None:
    """Every font under ``root`` at its design size × ``scale`` (1 restores the design sizes).

    The design size of each widget is remembered the first time it is seen. A widget created
    while the tree was scaled (a run editor rebuilt in presentation mode) took its font from
    its scaled parent, so its design size is its size divided by the scale in effect. Toolbar
    icons scale too.
    """
    scale = float(scale)
    current = float(root.property(FONT_SCALE) or 1.0)
    widgets = [root, *root.findChildren(QWidget)]
    bases = []
    for widget in widgets:  # first read every design size, before any parent changes
        base = widget.property(BASE_FONT)
        if base is None:
            size = widget.font().pointSizeF()
            base = round(size / current, 3) if size > 0 else None
            if base is not None:
                widget.setProperty(BASE_FONT, base)
        bases.append(base)
    for widget, base in zip(widgets, bases):
        if base is None:
            continue
        font = QFont(widget.font())
        font.setPointSizeF(base * scale)
        widget.setFont(font)
        if isinstance(widget, QToolBar):
            icon = widget.property(_BASE_ICON)
            if icon is None:
                icon = round(widget.iconSize().height() / current)
                widget.setProperty(_BASE_ICON, icon)
            side = int(round(icon * scale))
            widget.setIconSize(QSize(side, side))
    root.setProperty(FONT_SCALE, scale)
