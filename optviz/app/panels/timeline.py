"""The timeline under the views: scrub back and forth through every step computed so far.

Bound to the model's ``timeline`` field (the step shown, None = follow the race live). The
slider only reads the recorded history through ``controller.frame``; it never recomputes.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget

from ...core import latest_step
from .widgets import readable_font


class TimelineBar(QWidget):
    """◀ [slider] ▶ "step t of T", and a Live button back to the newest step.

    Args:
        model: the RaceModel (``timeline``, ``playing``).
        controller: the RaceController (``sim``, ``step_back()``, ``step_once()``, ``advanced``).
    """

    def __init__(self, model, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.controller = controller
        self.setObjectName("timeline")
        self.setFont(readable_font(self.font()))
        style = self.style()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)

        self.back = QToolButton()
        self.back.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.back.setToolTip("One step back through the recording (←)")
        self.back.clicked.connect(lambda: self.controller.step_back())
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("timeline-slider")
        self.slider.setToolTip("Drag to look back at any step computed so far; nothing is recomputed")
        self.slider.setPageStep(10)
        self.forward = QToolButton()
        self.forward.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward))
        self.forward.setToolTip("One step forward (→); at the newest step this takes a new one")
        self.forward.clicked.connect(lambda: self.controller.step_once())
        self.label = QLabel()
        self.label.setMinimumWidth(self.fontMetrics().horizontalAdvance("step 100000 of 100000 ") + 8)
        self.live = QToolButton()
        self.live.setText("Live")
        self.live.setToolTip("Back to the newest step (End)")
        self.live.clicked.connect(self.go_live)
        for widget in (self.back, self.slider, self.forward, self.label, self.live):
            layout.addWidget(widget, 1 if widget is self.slider else 0)

        self.slider.sliderPressed.connect(lambda: setattr(self.model.playback, "playing", False))
        self.slider.valueChanged.connect(self._on_slider)
        model.playback.events.connect("timeline", lambda _: self.sync(), owner=self)
        controller.advanced.connect(self.sync)
        controller.runsChanged.connect(self.sync)
        self.sync()

    # widget → model
    def _on_slider(self, value: int) -> None:
        self.model.playback.timeline = None if value >= latest_step(self.controller.sim) else int(value)

    def go_live(self) -> None:
        self.model.playback.timeline = None

    # model → widget
    def sync(self) -> None:
        latest = latest_step(self.controller.sim)
        t = self.model.playback.timeline
        shown = latest if t is None else min(t, latest)
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, latest)
            self.slider.setValue(shown)
        live = t is None or t >= latest
        self.label.setText(f"step {shown} of {latest}")
        self.live.setEnabled(not live)
        self.back.setEnabled(shown > 0)
