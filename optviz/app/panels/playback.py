"""Play / pause, one step, reset, the speed (steps per frame) and the log-loss switch."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QLabel, QStyle, QToolBar, QWidget

from ...core.limits import STEPS_PER_FRAME_MAX
from .widgets import IntSpinBox, flash_tooltip, readable_font


class PlaybackBar(QToolBar):
    """A tool bar bound to ``model`` that drives ``controller``.

    Args:
        model: a :class:`~optviz.app.window.model.RaceModel` (``playing``, ``steps_per_frame``, ``log_loss``).
        controller: anything with ``toggle_play()``, ``step_once()`` and ``reset()``.

    Attributes:
        play_action, step_action, reset_action: the QActions behind the buttons; the main
            window adds their keyboard shortcuts.
        speed: the "steps/frame" QSpinBox; log_check: the "log loss" QCheckBox.

    Signals:
        message(str): a value could not be applied.
    """

    message = Signal(str)

    def __init__(self, model, controller, parent: QWidget | None = None) -> None:
        super().__init__("Playback", parent)
        self.model = model
        self.controller = controller
        self.setFont(readable_font(self.font()))
        self.setIconSize(QSize(22, 22))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        style = self.style()
        self._play_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPause)

        self.play_action = QAction(self._play_icon, "Play", self)
        self.play_action.setObjectName("play")
        self.play_action.triggered.connect(lambda: self.controller.toggle_play())
        self.step_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward), "Step", self)
        self.step_action.setObjectName("step")
        self.step_action.setToolTip("Take one optimization step (pauses)")
        self.step_action.triggered.connect(lambda: self.controller.step_once())
        self.reset_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Reset", self)
        self.reset_action.setObjectName("reset")
        self.reset_action.setToolTip("Send every run back to the start point")
        self.reset_action.triggered.connect(lambda: self.controller.reset())
        self.addActions([self.play_action, self.step_action, self.reset_action])
        self.addSeparator()

        speed_label = QLabel(" steps/frame ")
        speed_label.setToolTip("Optimization steps taken per animation frame (speed)")
        self.speed = IntSpinBox((1, STEPS_PER_FRAME_MAX))
        self.speed.setObjectName("steps-per-frame")
        self.speed.setToolTip(speed_label.toolTip())
        self.speed.setAccelerated(True)
        self.addWidget(speed_label)
        self.addWidget(self.speed)
        self.addSeparator()

        self.log_check = QCheckBox("log loss")
        self.log_check.setObjectName("log-loss")
        self.log_check.setToolTip("Plot the loss J(W) and |∇J(W)| on a log scale")
        self.addWidget(self.log_check)

        self._show_playing(model.playback.playing)
        self._show_speed(model.playback.steps_per_frame)
        self._show_log(model.view.log_loss)
        self.speed.valueChanged.connect(self._on_speed)
        self.log_check.toggled.connect(self._on_log)
        model.playback.events.connect("playing", self._show_playing)
        model.playback.events.connect("steps_per_frame", self._show_speed)
        model.view.events.connect("log_loss", self._show_log)

    # widget → model
    def _on_speed(self, n: int) -> None:
        try:
            self.model.playback.steps_per_frame = n
        except ValueError as err:
            self._show_speed(self.model.playback.steps_per_frame)
            flash_tooltip(self.speed, str(err))
            self.message.emit(str(err))

    def _on_log(self, on: bool) -> None:
        self.model.view.log_loss = bool(on)

    # model → widget
    def _show_playing(self, playing: bool) -> None:
        if playing:
            self.play_action.setIcon(self._pause_icon)
            self.play_action.setText("Pause")
            self.play_action.setToolTip("Pause the race")
        else:
            self.play_action.setIcon(self._play_icon)
            self.play_action.setText("Play")
            self.play_action.setToolTip("Start the race")

    def _show_speed(self, n: int) -> None:
        with QSignalBlocker(self.speed):
            self.speed.setValue(int(n))

    def _show_log(self, on: bool) -> None:
        with QSignalBlocker(self.log_check):
            self.log_check.setChecked(bool(on))
