"""Learning-rate schedules: the rate α_t used for update number t.

A schedule is any callable mapping the 0-based update count ``t`` (the optimizer state's
``count`` *before* the update: ``t = 0`` for the first step) to a float learning rate. The
optimizers of :mod:`optviz.core.optimizers` accept one wherever they accept a constant
``learning_rate``, and call it as ``schedule(state.count)`` once per update.

The classes here are frozen dataclasses that validate their arguments at construction
(``ValueError`` naming the parameter, its allowed range and the value given). Each follows
the *closed form* of the matching ``torch.optim.lr_scheduler`` class, evaluated in the
same operation order as torch's ``_get_closed_form_lr`` so the values agree with it
bit for bit; torch's default (chainable) mode multiplies the previous rate by a factor at
every step instead, which agrees to within a few ulp.

=================  ======================  ===============================================
kind               class                   α_t
=================  ======================  ===============================================
``constant``       :class:`Constant`       α
``step``           :class:`StepDecay`      α · γ^⌊t / step_size⌋   (torch ``StepLR``)
``exponential``    :class:`Exponential`    α · γ^t                  (torch ``ExponentialLR``)
``inverse_time``   :class:`InverseTime`    α / (1 + decay · t)
``cosine``         :class:`Cosine`         α_min + (α − α_min)(1 + cos(π·min(t, T)/T))/2
                                           (torch ``CosineAnnealingLR`` for t ≤ T)
=================  ======================  ===============================================

Every parameter but ``lr`` has a default, so ``inspect.signature`` of a class in
:data:`SCHEDULES` tells a GUI which extra inputs to show and with which start values.

Example::

    >>> from optviz.core.schedules import make_schedule
    >>> s = make_schedule("step", 0.1, step_size=10, gamma=0.5)
    >>> s(0), s(9), s(10), s(25)
    (0.1, 0.1, 0.05, 0.025)
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import ClassVar, Union

import numpy as np

from .limits import LEARNING_RATE_RANGE

__all__ = [
    "Schedule",
    "Constant",
    "StepDecay",
    "Exponential",
    "InverseTime",
    "Cosine",
    "SCHEDULES",
    "make_schedule",
]

#: What ``learning_rate`` may be: a constant, or a callable of the update count t.
Schedule = Callable[[Union[int, np.ndarray]], float]


# --------------------------------------------------------------------------- validation
# Shared with optviz.core.optimizers, so every hyperparameter error reads the same way.


def _format(value) -> str:
    """A value for an error message: ``-1``, ``1.5``, ``nan``, ``inf``, ``True``, ``'x'``."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    return repr(value)


def _real(name: str, value) -> float:
    """``value`` as a float; bools, strings, arrays and other non-numbers are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {_format(value)}")
    return float(value)


def _positive(name: str, value) -> float:
    """A finite number > 0."""
    x = _real(name, value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite and > 0, got {_format(value)}")
    if not x > 0.0:
        raise ValueError(f"{name} must be > 0, got {_format(value)}")
    return x


def _nonnegative(name: str, value) -> float:
    """A finite number >= 0."""
    x = _real(name, value)
    if math.isinf(x):
        raise ValueError(f"{name} must be finite and >= 0, got {_format(value)}")
    if not x >= 0.0:  # also refuses NaN
        raise ValueError(f"{name} must be >= 0, got {_format(value)}")
    return x


def _unit_interval(name: str, value) -> float:
    """A number in [0, 1): a decay rate or momentum coefficient."""
    x = _real(name, value)
    if not 0.0 <= x < 1.0:  # also refuses NaN and ±inf
        raise ValueError(f"{name} must be in [0, 1), got {_format(value)}")
    return x


def _factor(name: str, value) -> float:
    """A decay factor in (0, 1]."""
    x = _real(name, value)
    if not 0.0 < x <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {_format(value)}")
    return x


def _count(name: str, value) -> int:
    """An integer >= 1 (an integral float such as 10.0 is accepted)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer >= 1, got {_format(value)}")
    if isinstance(value, numbers.Integral):
        n = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        n = int(value)
    else:
        raise ValueError(f"{name} must be an integer >= 1, got {_format(value)}")
    if n < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {_format(value)}")
    return n


def _step_index(t) -> int:
    """The update count t as a Python int >= 0 (int, numpy integer or 0-d integer array)."""
    if isinstance(t, (bool, np.bool_)):
        raise TypeError(f"the step count t must be an integer, got {t!r}")
    try:
        n = operator.index(t)
    except TypeError:
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, (numbers.Real, np.ndarray)):
            raise TypeError(f"the step count t must be an integer, got {t!r}") from None
        x = float(t)  # a 0-d float array or an integral float
        if not (math.isfinite(x) and x.is_integer()):
            raise ValueError(f"the step count t must be an integer >= 0, got {t!r}") from None
        n = int(x)
    if n < 0:
        raise ValueError(f"the step count t must be >= 0, got {n}")
    return n


# --------------------------------------------------------------------------- schedules


@dataclass(frozen=True)
class ScheduleParam:
    """What a panel needs to offer one schedule parameter (besides ``lr``): its label in the
    lecture's notation, a tooltip, whether it counts steps, and the range a control allows
    (the schedule's own validation has the last word)."""

    label: str
    tooltip: str
    integer: bool
    low: float
    high: float


@dataclass(frozen=True)
class _Schedule:
    """Base: validates ``lr`` and the subclass's parameters in ``_validate``; ``params`` defines
    each parameter other than ``lr`` for the panels."""

    title: ClassVar[str] = ""
    params: ClassVar[dict[str, ScheduleParam]] = {}

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _positive("learning rate", self.lr))
        self._validate()

    def _validate(self) -> None:
        """Check and normalise the parameters other than ``lr``."""

    def _set(self, name: str, value) -> None:
        object.__setattr__(self, name, value)

    def __call__(self, t) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Constant(_Schedule):
    """α_t = α for every t.

    Args:
        lr: α, the learning rate (> 0).
    """

    title: ClassVar[str] = "constant"
    lr: float

    def __call__(self, t) -> float:
        _step_index(t)
        return self.lr


@dataclass(frozen=True)
class StepDecay(_Schedule):
    """Step decay, as ``torch.optim.lr_scheduler.StepLR``::

        α_t = α · γ^⌊t / step_size⌋

    Args:
        lr: α, the initial learning rate (> 0).
        step_size: α is multiplied by γ every ``step_size`` updates (integer >= 1).
        gamma: γ, the decay factor, in (0, 1].
    """

    title: ClassVar[str] = "step decay"
    params: ClassVar[dict[str, ScheduleParam]] = {
        "step_size": ScheduleParam("step size", "α is multiplied by γ every this many steps", True, 1, 1_000_000),
        "gamma": ScheduleParam("γ (factor)", "γ: the factor α is multiplied by (per step, or per decay period)",
                               False, 1e-4, 1.0),
    }
    lr: float
    step_size: int = 100
    gamma: float = 0.5

    def _validate(self) -> None:
        self._set("step_size", _count("step_size", self.step_size))
        self._set("gamma", _factor("gamma", self.gamma))

    def __call__(self, t) -> float:
        return self.lr * self.gamma ** (_step_index(t) // self.step_size)


@dataclass(frozen=True)
class Exponential(_Schedule):
    """Exponential decay, as ``torch.optim.lr_scheduler.ExponentialLR``::

        α_t = α · γ^t

    Args:
        lr: α, the initial learning rate (> 0).
        gamma: γ, the per-update decay factor, in (0, 1].
    """

    title: ClassVar[str] = "exponential"
    params: ClassVar[dict[str, ScheduleParam]] = {
        "gamma": ScheduleParam("γ (factor)", "γ: the factor α is multiplied by (per step, or per decay period)",
                               False, 1e-4, 1.0),
    }
    lr: float
    gamma: float = 0.99

    def _validate(self) -> None:
        self._set("gamma", _factor("gamma", self.gamma))

    def __call__(self, t) -> float:
        return self.lr * self.gamma ** _step_index(t)


@dataclass(frozen=True)
class InverseTime(_Schedule):
    """Inverse-time ("1/t") decay::

        α_t = α / (1 + decay · t)

    With ``decay`` = 1/τ the rate is halved after τ updates. A 1/t decay satisfies the
    Robbins–Monro conditions Σα_t = ∞, Σα_t² < ∞ under which SGD converges.

    Args:
        lr: α, the initial learning rate (> 0).
        decay: the decay rate (finite, >= 0; 0 gives a constant rate).
    """

    title: ClassVar[str] = "1/t"
    params: ClassVar[dict[str, ScheduleParam]] = {
        "decay": ScheduleParam("decay", "α_t = α / (1 + decay·t)", False, 0.0, 1e3),
    }
    lr: float
    decay: float = 0.01

    def _validate(self) -> None:
        self._set("decay", _nonnegative("decay", self.decay))

    def __call__(self, t) -> float:
        return self.lr / (1 + self.decay * _step_index(t))


@dataclass(frozen=True)
class Cosine(_Schedule):
    """Cosine annealing, the closed form of ``torch.optim.lr_scheduler.CosineAnnealingLR``::

        α_t = α_min + (α − α_min) · (1 + cos(π · min(t, T) / T)) / 2

    The rate falls from α at t = 0 along half a cosine to α_min at t = T and stays there
    (torch's scheduler, stepped past T_max, would climb back up along the cosine instead).

    Args:
        lr: α, the initial learning rate (> 0).
        total_steps: T, the number of updates to anneal over (integer >= 1); torch's T_max.
        lr_min: α_min, the final learning rate, in [0, α]; torch's eta_min.
    """

    title: ClassVar[str] = "cosine"
    params: ClassVar[dict[str, ScheduleParam]] = {
        "total_steps": ScheduleParam("T (steps)", "T: steps to anneal α down to its minimum along a half cosine",
                                     True, 1, 1_000_000),
        "lr_min": ScheduleParam("α min", "α_min: the smallest learning rate the cosine reaches (≤ α)", False, 0.0,
                                LEARNING_RATE_RANGE[1]),
    }
    lr: float
    total_steps: int = 1000
    lr_min: float = 0.0

    def _validate(self) -> None:
        self._set("total_steps", _count("total_steps", self.total_steps))
        lr_min = _real("lr_min", self.lr_min)
        if not 0.0 <= lr_min <= self.lr:
            raise ValueError(f"lr_min must be in [0, lr] = [0, {_format(self.lr)}], got {_format(self.lr_min)}")
        self._set("lr_min", lr_min)

    def __call__(self, t) -> float:
        t = min(_step_index(t), self.total_steps)
        return self.lr_min + (self.lr - self.lr_min) * (1 + math.cos(math.pi * t / self.total_steps)) / 2


#: Schedule kinds by key, in display order. Each value is the class; its signature gives
#: the extra parameters (all but ``lr``) and their defaults, its ``params`` their definitions.
SCHEDULES: dict[str, type[_Schedule]] = {
    "constant": Constant,
    "step": StepDecay,
    "exponential": Exponential,
    "inverse_time": InverseTime,
    "cosine": Cosine,
}


def make_schedule(kind: str, lr: float, **params) -> _Schedule:
    """The schedule ``kind`` (a key of :data:`SCHEDULES`) starting at learning rate ``lr``.

    ``params`` are the schedule's extra parameters by name, e.g.
    ``make_schedule("cosine", 0.1, total_steps=500, lr_min=1e-3)``; omitted ones take their
    defaults. Unknown kinds or parameter names raise ``ValueError`` listing the valid ones.
    """
    cls = SCHEDULES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"unknown schedule {kind!r}; choose from: {', '.join(SCHEDULES)}")
    valid = [f.name for f in fields(cls) if f.name != "lr"]
    unknown = [name for name in params if name not in valid]
    if unknown:
        allowed = ", ".join(valid) if valid else "none"
        raise ValueError(f"unknown parameter {unknown[0]!r} for the {kind!r} schedule; valid: {allowed}")
    return cls(lr, **params)
