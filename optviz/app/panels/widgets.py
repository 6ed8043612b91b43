"""Reusable inputs for the side panel: log and linear sliders paired with exact spin boxes,
and a colour swatch.

Conventions shared by :class:`LogSlider` and :class:`LinearSlider`:

* ``valueChanged(float)`` fires when the *user* changes the value (slider drag, typed value
  confirmed with Enter or by leaving the box, arrow keys, wheel). ``setValue`` never emits,
  so a model → widget update cannot echo back to the model.
* A typed value outside ``[lo, hi]`` is not clamped: the widget emits ``rejected(str)`` with a
  message such as ``"learning rate must be in [1e-05, 10], got 50"`` and shows its previous
  value again.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolTip,
    QWidget,
)

#: Smallest point size used anywhere in the side panel (it is projected in lecture halls).
MIN_POINT_SIZE = 10.5

# A number as typed: "0.1", ".5", "1e-5", "2.5E+3", "-3"; the partial forms are Intermediate.
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_PARTIAL = re.compile(r"^[+-]?(\d*\.?\d*)([eE][+-]?\d*)?$")

# The spin boxes accept anything finite while typing; the range check is the wrapper's job, so
# an out-of-range value is reported instead of silently clamped.
_WIDE = 1e300


def readable_font(font: QFont, minimum: float = MIN_POINT_SIZE) -> QFont:
    """``font`` enlarged to at least ``minimum`` points."""
    font = QFont(font)
    size = font.pointSizeF()
    if size <= 0 or size < minimum:
        font.setPointSizeF(minimum)
    return font


def format_value(value: float, significant: int = 6) -> str:
    """Compact text for a value: ``1e-05``, ``0.003``, ``0.1``, ``2.5``, ``10``."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    text = f"{value:.{significant}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}e{exponent}"
    return text


def round_significant(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant digits (so slider values read nicely)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def flash_tooltip(widget: QWidget, message: str, ms: int = 4000) -> None:
    """Show ``message`` as ``widget``'s tooltip for ``ms`` milliseconds, then restore the old one."""
    if not hasattr(widget, "_normal_tooltip"):
        widget._normal_tooltip = widget.toolTip()
    widget.setToolTip(message)
    if widget.isVisible():
        QToolTip.showText(widget.mapToGlobal(QPoint(0, widget.height())), message, widget)
    token = object()
    widget._tooltip_token = token

    def restore() -> None:
        try:
            if getattr(widget, "_tooltip_token", None) is token:
                widget.setToolTip(widget._normal_tooltip)
        except RuntimeError:  # the widget is gone
            pass

    QTimer.singleShot(ms, restore)


class NumberSpinBox(QDoubleSpinBox):
    """A QDoubleSpinBox that shows compact numbers and accepts plain or scientific notation.

    ``decimals=None`` (the default) displays values compactly (``1e-05``, ``0.003``, ``2.5``);
    an integer shows that many fixed decimals (``0.9000``). ``log=True`` makes the arrow keys
    and the wheel step through 1-2-5 values (…, 0.01, 0.02, 0.05, 0.1, …) instead of adding
    ``singleStep``. Stepping stays inside ``bounds``; typed input is range-checked by the owner.
    """

    def __init__(self, bounds: tuple[float, float], *, decimals: int | None = None, log: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fixed = decimals
        self._log = log
        self.bounds = (float(bounds[0]), float(bounds[1]))
        # Internal precision: QDoubleSpinBox rounds values to ``decimals``.
        super().setDecimals(16 if decimals is None else decimals)
        self.setRange(-_WIDE, _WIDE)
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    # -- text <-> value
    def textFromValue(self, value: float) -> str:
        if self._fixed is not None:
            return f"{value:.{self._fixed}f}"
        return format_value(value)

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        s = text.strip().replace(",", ".")
        if _NUMBER.match(s):
            state = QValidator.State.Acceptable if math.isfinite(float(s)) else QValidator.State.Invalid
        elif s == "" or _PARTIAL.match(s):
            state = QValidator.State.Intermediate
        else:
            state = QValidator.State.Invalid
        return state, text, pos

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())

    # -- stepping
    def stepBy(self, steps: int) -> None:
        lo, hi = self.bounds
        v = self.value()
        if self._log:
            new = _nice_step(v, steps)
        else:
            new = v + steps * self.singleStep()
            if self._fixed is not None:
                new = round(new, self._fixed)
        self.setValue(min(max(new, lo), hi))

    def stepEnabled(self):
        lo, hi = self.bounds
        v = self.value()
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if v > lo:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        if v < hi:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        return flags

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        sample = "0.00000" if self._fixed is None else "0." + "0" * max(self._fixed, 5)
        width = self.fontMetrics().horizontalAdvance(sample) + 28
        return QSize(max(width, 64), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


def _nice_step(value: float, steps: int) -> float:
    """The value ``steps`` places away in the 1-2-5 sequence (…, 0.1, 0.2, 0.5, 1, 2, 5, …)."""
    if value <= 0 or not math.isfinite(value):
        return value
    exponent = math.floor(math.log10(value))
    mantissas = (1.0, 2.0, 5.0)
    # Index of the largest nice value <= value (tolerant to rounding).
    m = value / 10.0**exponent
    i = max(k for k, c in enumerate(mantissas) if c <= m * (1 + 1e-9))
    on_grid = abs(m - mantissas[i]) <= 1e-9 * m
    index = exponent * 3 + i
    if steps > 0:
        index += steps
    else:
        index += steps + (0 if on_grid else 1)
    e, k = divmod(index, 3)
    return float(f"{mantissas[k]}e{e}")


class _SliderSpin(QWidget):
    """A horizontal slider (integer positions) beside a spin box showing the exact value."""

    valueChanged = Signal(float)
    rejected = Signal(str)

    def __init__(self, lo: float, hi: float, value: float | None, name: str, spin: NumberSpinBox,
                 steps: int, parent: QWidget | None) -> None:
        super().__init__(parent)
        if not lo < hi:
            raise ValueError(f"need lo < hi, got [{lo}, {hi}]")
        self.name = name
        self._lo, self._hi = float(lo), float(hi)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, steps)
        self.slider.setPageStep(max(1, steps // 20))
        self.slider.setMinimumWidth(90)
        self.slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.spin = spin
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self._value = self._lo
        self.setValue(self._lo if value is None else value)
        self.slider.valueChanged.connect(self._on_slider)
        self.spin.valueChanged.connect(self._on_spin)

    # -- mapping, implemented by subclasses
    def _to_position(self, value: float) -> int:
        raise NotImplementedError

    def _from_position(self, position: int) -> float:
        raise NotImplementedError

    # -- public API
    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:
        """Show ``value`` in both the slider and the spin box; does not emit ``valueChanged``.

        Values outside the range are shown as they are in the spin box (the slider pins at its end).
        """
        value = float(value)
        self._value = value
        with _Blocked(self.slider, self.spin):
            self.slider.setValue(self._to_position(min(max(value, self._lo), self._hi)))
            self.spin.setValue(value)

    def range(self) -> tuple[float, float]:
        return self._lo, self._hi

    def setRange(self, lo: float, hi: float) -> None:
        if not lo < hi:
            raise ValueError(f"need lo < hi, got [{lo}, {hi}]")
        self._lo, self._hi = float(lo), float(hi)
        self.spin.bounds = (self._lo, self._hi)
        self.setValue(self._value)

    def range_message(self, value: float) -> str:
        return f"{self.name} must be in [{format_value(self._lo)}, {format_value(self._hi)}], got {format_value(value)}"

    # -- reactions
    def _on_slider(self, position: int) -> None:
        value = self._from_position(position)
        if value == self._value:
            return
        self._value = value
        with _Blocked(self.spin):
            self.spin.setValue(value)
        self.valueChanged.emit(value)

    def _on_spin(self, value: float) -> None:
        if self.spin.textFromValue(value) == self.spin.textFromValue(self._value):
            # Same text as shown (e.g. focus left without an edit): not a change.
            with _Blocked(self.spin):
                self.spin.setValue(self._value)
            return
        if not (self._lo <= value <= self._hi):
            message = self.range_message(value)
            self.setValue(self._value)
            flash_tooltip(self.spin, message)
            self.rejected.emit(message)
            return
        self._value = value
        with _Blocked(self.slider):
            self.slider.setValue(self._to_position(value))
        self.valueChanged.emit(value)


class LogSlider(_SliderSpin):
    """A value in ``[lo, hi]`` (``lo > 0``) on a log-uniform slider plus an exact spin box.

    Args:
        lo, hi: the range (both > 0).
        value: the initial value (default ``lo``).
        name: what the value is, for messages: ``"learning rate"``.
        steps: slider positions (0..steps).
        significant: slider values are rounded to this many significant digits, so they read
            nicely (0.00316 rather than 0.0031622776…).

    Signals:
        valueChanged(float): the user changed the value.
        rejected(str): a typed value was out of range; the previous value stays.
    """

    def __init__(self, lo: float, hi: float, value: float | None = None, *, name: str = "value",
                 steps: int = 1000, significant: int = 3, parent: QWidget | None = None) -> None:
        if not 0 < lo < hi:
            raise ValueError(f"a log slider needs 0 < lo < hi, got [{lo}, {hi}]")
        self._significant = significant
        spin = NumberSpinBox((lo, hi), log=True)
        super().__init__(lo, hi, value, name, spin, steps, parent)

    def _to_position(self, value: float) -> int:
        if value <= 0:
            return 0
        t = math.log(value / self._lo) / math.log(self._hi / self._lo)
        return int(round(min(max(t, 0.0), 1.0) * self.slider.maximum()))

    def _from_position(self, position: int) -> float:
        t = position / self.slider.maximum()
        value = round_significant(self._lo * (self._hi / self._lo) ** t, self._significant)
        return min(max(value, self._lo), self._hi)


class LinearSlider(_SliderSpin):
    """A value in ``[lo, hi]`` (default ``[0, 0.9999]``: β, ρ, ρ1, ρ2) on a linear slider plus a
    spin box with ``decimals`` decimals. Same signals as :class:`LogSlider`."""

    def __init__(self, lo: float = 0.0, hi: float = 0.9999, value: float | None = None, *, name: str = "value",
                 decimals: int = 4, single_step: float = 0.01, parent: QWidget | None = None) -> None:
        self._decimals = decimals
        spin = NumberSpinBox((lo, hi), decimals=decimals)
        spin.setSingleStep(single_step)
        steps = max(1, int(round((hi - lo) * 10**decimals)))
        super().__init__(lo, hi, value, name, spin, steps, parent)

    def _to_position(self, value: float) -> int:
        t = (value - self._lo) / (self._hi - self._lo)
        return int(round(min(max(t, 0.0), 1.0) * self.slider.maximum()))

    def _from_position(self, position: int) -> float:
        value = self._lo + (self._hi - self._lo) * position / self.slider.maximum()
        return min(max(round(value, self._decimals), self._lo), self._hi)


class ColorSwatch(QWidget):
    """A small rounded square filled with a colour (a run's colour in the plots)."""

    def __init__(self, color: str = "#000000", size: int = 18, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._color = QColor(color)
        self.setFixedSize(size, size)

    def color(self) -> str:
        return self._color.name()

    def setColor(self, color: str) -> None:
        self._color = QColor(color)
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self._color.darker(150), 1))
        painter.setBrush(self._color)
        r = self.rect().adjusted(1, 1, -1, -1)
        painter.drawRoundedRect(r, 4, 4)
        painter.end()


class _Blocked:
    """``with _Blocked(a, b):`` blocks the signals of the given QObjects, restoring them after."""

    def __init__(self, *objects) -> None:
        self._objects = objects
        self._old: list[bool] = []

    def __enter__(self):
        self._old = [o.blockSignals(True) for o in self._objects]
        return self

    def __exit__(self, *exc) -> None:
        for o, old in zip(self._objects, self._old):
            o.blockSignals(old)


class IntSpinBox(QSpinBox):
    """A QSpinBox whose typed values are range-checked by its owner instead of silently clamped.

    It accepts any whole number while typing; arrow keys and the wheel stay inside ``bounds``.
    Typed values only take effect on Enter or when the box loses focus.
    """

    def __init__(self, bounds: tuple[int, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(-(2**31) + 1, 2**31 - 1)
        self.bounds = (int(bounds[0]), int(bounds[1]))
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def stepBy(self, steps: int) -> None:
        lo, hi = self.bounds
        self.setValue(min(max(self.value() + steps * self.singleStep(), lo), hi))

    def stepEnabled(self):
        lo, hi = self.bounds
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self.value() > lo:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        if self.value() < hi:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        return flags

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        digits = max(len(str(self.bounds[0])), len(str(self.bounds[1])), 2)
        width = self.fontMetrics().horizontalAdvance("0" * digits) + 38
        return QSize(max(width, 60), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()
