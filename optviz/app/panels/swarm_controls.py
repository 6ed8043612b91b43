"""The swarm settings in the side panel: start every run from a grid or a seeded random
cloud of points over a rectangle, as well as from the start point.

Bound two ways to the model's ``swarm`` field (None, or the dict of
:func:`optviz.core.swarm.check_swarm`): widget edits build a new dict and set it; model
changes refill the widgets with their signals blocked.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.swarm import MAX_SWARM_POINTS, SWARM_KINDS
from .widgets import IntSpinBox, flash_tooltip

KIND_LABELS = {"random": "random cloud", "grid": "grid"}
DEFAULT_COUNT = 1000


class SwarmControls(QGroupBox):
    """Swarm on/off, kind, number of points, seed and rectangle (the view box by default).

    Signals:
        message(str): a value could not be applied (the model kept its old value).
    """

    message = Signal(str)

    def __init__(self, model, parent: QWidget | None = None) -> None:
        super().__init__("Swarm: start from many points", parent)
        self.model = model
        self.setObjectName("swarm-controls")
        self.enabled = QCheckBox("every run starts from a cloud of points")
        self.enabled.setToolTip("Where a run ends depends on where it starts; SGD's noise spreads the cloud")
        self.kind = QComboBox()
        for kind in SWARM_KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.count = IntSpinBox((2, MAX_SWARM_POINTS))
        self.count.setSingleStep(100)
        self.count.setToolTip(f"Number of points, up to {MAX_SWARM_POINTS:,} (a grid uses the largest square below)")
        self.seed = IntSpinBox((0, 2**31 - 1))
        self.seed.setToolTip("The random cloud's seed: the same seed gives the same points")
        self.rect = [QDoubleSpinBox() for _ in range(4)]
        for box in self.rect:
            box.setRange(-1e6, 1e6)
            box.setDecimals(3)
            box.setKeyboardTracking(False)
        self.whole_view = QPushButton("Whole view")
        self.whole_view.setToolTip("Spread the points over the whole map")

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.addWidget(self.enabled)
        # The settings show only while a swarm is on: the side panel stays short otherwise.
        self.details = QWidget()
        grid = QGridLayout(self.details)
        grid.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.details)
        grid.addWidget(QLabel("kind"), 1, 0)
        grid.addWidget(self.kind, 1, 1)
        grid.addWidget(QLabel("points"), 1, 2)
        grid.addWidget(self.count, 1, 3)
        grid.addWidget(QLabel("x from"), 2, 0)
        grid.addWidget(self.rect[0], 2, 1)
        grid.addWidget(QLabel("to"), 2, 2)
        grid.addWidget(self.rect[1], 2, 3)
        grid.addWidget(QLabel("y from"), 3, 0)
        grid.addWidget(self.rect[2], 3, 1)
        grid.addWidget(QLabel("to"), 3, 2)
        grid.addWidget(self.rect[3], 3, 3)
        grid.addWidget(QLabel("seed"), 4, 0)
        grid.addWidget(self.seed, 4, 1)
        grid.addWidget(self.whole_view, 4, 2, 1, 2)

        self._last = {"kind": "random", "count": DEFAULT_COUNT, "rect": None, "seed": 0}
        self._show(model.swarm)
        self.enabled.toggled.connect(self._on_edit)
        self.kind.currentIndexChanged.connect(self._on_edit)
        self.count.valueChanged.connect(self._on_edit)
        self.seed.valueChanged.connect(self._on_edit)
        for box in self.rect:
            box.valueChanged.connect(self._on_rect)
        self.whole_view.clicked.connect(self._on_whole_view)
        model.events.connect("swarm", self._show)
        for name in ("preset", "preset_params", "custom"):
            model.events.connect(name, lambda _: self._show(self.model.swarm), owner=self)

    # widget → model
    def _settings(self, rect) -> dict:
        return {"kind": self.kind.currentData(), "count": self.count.value(), "rect": rect,
                "seed": self.seed.value()}

    def _apply(self, swarm) -> None:
        try:
            self.model.swarm = swarm
        except ValueError as err:
            self._show(self.model.swarm)
            flash_tooltip(self, str(err))
            self.message.emit(str(err))

    def _submit(self, rect) -> None:
        settings = self._settings(rect)
        self._last = settings  # remembered while the swarm is off
        self._apply(settings if self.enabled.isChecked() else None)

    def _on_edit(self, *_) -> None:
        self._submit(self.model.swarm["rect"] if self.model.swarm else self._last["rect"])

    def _on_rect(self, *_) -> None:
        self._submit([box.value() for box in self.rect])

    def _on_whole_view(self) -> None:
        self._submit(None)
        self._show(self.model.swarm)

    # model → widget
    def _show(self, swarm) -> None:
        shown = swarm or self._last
        rect = shown["rect"]
        if rect is None:
            v = self.model.surface().view
            rect = (v.xmin, v.xmax, v.ymin, v.ymax)
        widgets = [self.enabled, self.kind, self.count, self.seed, *self.rect]
        blockers = [QSignalBlocker(w) for w in widgets]
        try:
            self.enabled.setChecked(swarm is not None)
            self.kind.setCurrentIndex(max(0, self.kind.findData(shown["kind"])))
            self.count.setValue(int(shown["count"]))
            self.seed.setValue(int(shown["seed"]))
            for box, value in zip(self.rect, rect):
                box.setValue(float(value))
        finally:
            del blockers
        self.details.setVisible(swarm is not None)
