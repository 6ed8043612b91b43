"""The compact strip of presentation mode: the selected run's hyperparameters and step."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolBar, QToolButton

from ...core.optimizers import rule_of
from ...look import marker_glyph
from ..panels.equations import format_number
from ..window.view_prefs import display_color

#: The strip's step and loss refresh at most this often while playing (s).
STRIP_INTERVAL = 0.1


class HyperStrip(QToolBar):
    """The compact strip shown when the side panels collapse: the selected run's colour, name,
    hyperparameters and step, with buttons that lower and raise its α (the ↓ / ↑ keys)."""

    def __init__(self, model, parent=None) -> None:
        super().__init__("Selected run", parent)
        self.model = model
        self.setObjectName("hyper-strip")
        self.setMovable(False)
        self.setFloatable(False)
        self.label = QLabel()
        self.label.setObjectName("hyper-strip-text")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setContentsMargins(8, 2, 8, 2)
        self.lower = QToolButton()
        self.lower.setText("α ÷")
        self.lower.setToolTip("Lower the selected run's α by 10^¼ (↓ or −)")
        self.raise_ = QToolButton()
        self.raise_.setText("α ×")
        self.raise_.setToolTip("Raise the selected run's α by 10^¼ (↑ or +)")
        self.addWidget(self.label)
        self.addSeparator()
        self.addWidget(self.lower)
        self.addWidget(self.raise_)
        self._progress = ""
        self._last = 0.0
        for name in ("selected", "runs", "run"):
            model.events.connect(name, lambda _: self.refresh(), owner=self)
        model.view.events.connect("theme", lambda _: self.refresh(), owner=self)
        self.refresh()

    def text(self) -> str:
        return self.label.text()

    def refresh(self) -> None:
        m = self.model
        if not m.runs:
            return
        k = min(m.selected, len(m.runs) - 1)
        run = m.runs[k]
        rule = rule_of(run.optimizer)  # the symbols are the rule's (Hyper.html)
        parts = [f"{rule.hyperparameter(n).html} = <b>{format_number(v)}</b>" for n, v in run.hyper.items()
                 if isinstance(v, (int, float)) and n in rule.names]
        if run.schedule != "constant":
            parts.append(f"schedule: {run.schedule.replace('_', ' ')}")
        color = display_color(run.color, m.view.theme)
        glyph = marker_glyph(getattr(run, "marker", "o"))
        self.label.setText(f"<span style='color:{color}'>{glyph}</span> <b>{k + 1}. {run.title}</b>&nbsp;&nbsp; "
                           + "&nbsp;&nbsp; ".join(parts) + self._progress)

    def update_runs(self, sim, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and self.model.playback.playing and now - self._last < STRIP_INTERVAL:
            return
        self._last = now
        k = min(self.model.selected, sim.K - 1)
        loss = format_number(float(sim.loss[k, 0]))
        progress = f"&nbsp;&nbsp;&nbsp; t = <b>{int(sim.steps[k])}</b>&nbsp;&nbsp; J = <b>{loss}</b>"
        if progress != self._progress:
            self._progress = progress
            self.refresh()
