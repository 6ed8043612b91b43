"""One run of a race, the one type every layer uses: what optimizer, with which settings,
under which name, drawn or not. A surface's default race, a scenario's runs, the app's run
editor (which edits one) and an export's race all hold :class:`RunSpec`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .optimizers import OPTIMIZERS, make_optimizer
from .schedules import make_schedule


@dataclass(frozen=True)
class RunSpec:
    """One race entry: an optimizer with its settings.

    Args:
        optimizer: a key of :data:`optviz.core.optimizers.OPTIMIZERS`, e.g. ``"adam"``.
        hyper: hyperparameters overriding the entry's defaults, e.g. ``{"learning_rate": 0.01}``.
        batch_size: B; ``None`` takes the entry's default (GD: n, SGD: 1, mini-batch: 16,
            the others: n). B = n is the exact full-batch gradient.
        schedule: learning-rate schedule kind (``"constant"``, ``"step"``, ``"exponential"``,
            ``"inverse_time"``, ``"cosine"``) and ``schedule_params`` its extra arguments.
        label: display name; defaults to the optimizer's title.
        seed: picks the run's mini-batch order. Runs with equal seeds see the same batches.
        visible: drawn in the views and exports (a hidden run still races).

    ``hyper`` and ``schedule_params`` are kept as read-only copies: a run is shared (a
    surface's default race, a scenario's runs) and nobody may change it under another's feet.
    """

    optimizer: str
    hyper: Mapping[str, float] = field(default_factory=dict)
    batch_size: int | None = None
    schedule: str = "constant"
    schedule_params: Mapping[str, float] = field(default_factory=dict)
    label: str = ""
    seed: int = 0
    visible: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "hyper", MappingProxyType(dict(self.hyper)))
        object.__setattr__(self, "schedule_params", MappingProxyType(dict(self.schedule_params)))

    @property
    def title(self) -> str:
        return self.label or OPTIMIZERS[self.optimizer].title

    def hyperparameters(self) -> dict[str, float]:
        """The entry's defaults updated with ``hyper``."""
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose from: {', '.join(OPTIMIZERS)}")
        return {**OPTIMIZERS[self.optimizer].defaults, **self.hyper}

    def effective_batch_size(self, n: int) -> int:
        """B for a problem of n samples: the default when unset, and never more than n."""
        b = self.batch_size if self.batch_size is not None else OPTIMIZERS[self.optimizer].default_batch_size
        return n if b is None else min(int(b), n)

    def learning_rate(self):
        """α as a float, or the schedule (a callable of the step count) when one is set."""
        lr = self.hyperparameters()["learning_rate"]
        if self.schedule == "constant" and not self.schedule_params:
            return lr
        return make_schedule(self.schedule, lr, **self.schedule_params)

    def build(self):
        """The :class:`GradientTransformation`, with the schedule wrapped around α."""
        return make_optimizer(self.optimizer, **{**self.hyperparameters(), "learning_rate": self.learning_rate()})

    def configure(self):
        """The update rule ready to drive (:class:`optviz.core.optimizers.Configured`): what the
        simulation and the basin maps step, with the schedule wrapped around α."""
        hyper = self.hyperparameters()  # ValueError for an unknown optimizer
        return OPTIMIZERS[self.optimizer].configure(**{**hyper, "learning_rate": self.learning_rate()})
