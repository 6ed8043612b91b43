r"""What an update rule is made of, and the optax-style wrapper built on it.

An update rule (:class:`Rule`) is one module of this package (``sgd.py`` … ``nadam.py``) and
holds its whole definition: key and title, hyperparameters (:class:`Hyper`), buffers
(:class:`Buffer`), the state class, the vectorized NumPy kernel, ONE scalar step that numba
compiles for both the race kernel (:mod:`optviz.core.compiled`) and the basin kernel, the
constants that step reads, what the views show of an update (:meth:`Rule.explain`) and the
rows of the rule in the lecture's notation (:meth:`Rule.rows`).

Conventions (shared by every rule):

* **Notation** is the lecture's: α learning rate, β momentum, ρ RMSProp decay, ρ₁/ρ₂ Adam
  decays, ε, p the momentum buffer / first moment, r the accumulated squared gradient /
  second moment, g_t the gradient, W the parameters. ⊙ is the element-wise product; √, /
  and ⊙ act per coordinate, so every start point and every coordinate has its own r.
* **Sign**: a step is the displacement to *add*, ``step = W_{t+1} − W_t`` (``−α g`` for SGD),
  exactly like optax's updates.
* **Step count**: t is the 0-based number of updates done before this one; α_t =
  ``schedule(t)`` when the learning rate is a schedule (see :mod:`optviz.core.schedules`);
  bias corrections use the 1-based t + 1.
* **PyTorch parity**: rules, defaults and floating-point operation order are those of
  ``torch.optim`` (each rule names its torch call), so float64 trajectories agree with
  torch's to the last bit or two. They are not always bit-identical: torch's CPU kernels fuse
  ``a + b·c`` (``add(alpha=)``, ``lerp``, ``addcmul``) into single-rounding FMA instructions and
  its float64 ``sqrt`` is not always correctly rounded, while NumPy rounds every operation and
  its √ is exact.
* **Hyperparameters** are validated at construction: ``ValueError`` naming the parameter,
  its allowed range and the value (``"beta must be in [0, 1), got 1.5"``). Bools and
  non-finite numbers are refused. ``eps = 0`` is allowed, as in torch: the update is then
  0/0 = NaN where a coordinate's r is exactly 0, which the app reports as a diverged run.

The kernel contract (what a driver such as the simulation calls, one update of many points):

* ``c = rule.constants(hyper)``: a tuple of floats, computed once per run from the validated
  hyperparameters; only the rule's own ``kernel``, ``prepare`` and ``step`` read it.
* ``q = rule.prepare(c, lr, t)``: the scalars of update t (α_t, bias corrections…), plain
  float math so numba compiles it.
* ``rule.kernel(g, w, buffers, c, q, t)``: vectorized and in place: ``g`` holds g_t on entry
  and the step on return; ``buffers`` are the state's arrays in :attr:`Rule.buffers` order,
  updated in place; ``w`` is W_t (read only; only decoupled weight decay reads it).
* ``rule.step(g, w, *buffers, c, q, t)``: the same update of one coordinate of one point,
  returning ``step`` (no buffers) or ``(step, *new buffers)``: the same operations in the same
  order as ``kernel``, so both give the same bits; numba compiles it into the race and basin
  kernels (no fast-math, so no fused multiply-adds).

The optax-style :class:`GradientTransformation` (``init``/``update`` on a NamedTuple state) is
a convenience for scripts and tests built on the same kernel: ``update`` is pure (it copies
its inputs first) unless ``inplace=True``; ``count`` is never mutated (the new state carries a
new 0-d array ``count + 1``), so a driver may update row blocks of one state through views.
Non-finite values are not checked: a gradient of ±inf or NaN gives a non-finite step and state
(without floating-point warnings), never an exception, so one diverging run cannot stop a race.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Union

import numpy as np

from ..limits import LEARNING_RATE_RANGE
from ..schedules import Schedule, _nonnegative, _positive, _unit_interval

#: A learning rate: a constant α > 0 or a schedule t ↦ α_t.
LearningRate = Union[float, Schedule]

#: Slider range of ε.
EPS_RANGE = (1e-12, 1e-1)
#: Slider range of decay rates and momentum coefficients, in [0, 1).
DECAY_RANGE = (0.0, 0.9999)

_CHECKS = {"positive": _positive, "nonnegative": _nonnegative, "unit": _unit_interval}
#: Buffer roles the views know how to show.
ROLES = ("velocity", "first moment", "second moment", "max second moment", "sum of squares",
         "momentum schedule product")


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter of a rule.

    Attributes:
        name: the keyword, e.g. ``"rho1"``.
        symbol: plain Unicode in the lecture's notation, ``"ρ₁"``.
        html: Qt rich text, ``"ρ<sub>1</sub>"``.
        label: the slider's label, ``"ρ₁ (1st moment)"``.
        tooltip: one sentence on what it does.
        default: torch's default (the app's defaults are :attr:`OptimizerSpec.defaults`).
        low, high: the slider's range; scale: ``"log"`` or ``"linear"`` slider.
        check: the validation, ``"positive"`` (> 0), ``"nonnegative"`` (>= 0) or ``"unit"`` ([0, 1)).
        torch: torch's keyword for it, e.g. ``"betas[0]"``.
    """

    name: str
    symbol: str
    html: str
    label: str
    tooltip: str
    default: float
    low: float
    high: float
    scale: str
    check: str
    torch: str = ""

    def __post_init__(self) -> None:
        if self.scale not in ("log", "linear"):
            raise ValueError(f"{self.name}: scale must be 'log' or 'linear', got {self.scale!r}")
        if self.check not in _CHECKS:
            raise ValueError(f"{self.name}: check must be one of {', '.join(_CHECKS)}, got {self.check!r}")

    def validate(self, value) -> float:
        """``value`` as a float, or ValueError naming the parameter, its range and the value."""
        return _CHECKS[self.check](self.name, value)


def learning_rate(default: float) -> Hyper:
    """α, the hyperparameter every rule has first, with torch's ``default`` for that rule."""
    lo, hi = LEARNING_RATE_RANGE
    return Hyper("learning_rate", "α", "α", "α (learning rate)",
                 "α: the step size in W ← W − α·(update direction)", default, lo, hi, "log", "positive", "lr")


def eps(default: float) -> Hyper:
    """ε, added to √r so that the division stays finite."""
    return Hyper("eps", "ε", "ε", "ε", "ε: keeps α / (ε + √r) finite where r ≈ 0", default, *EPS_RANGE, "log",
                 "nonnegative", "eps")


def decay(name: str, symbol: str, html: str, label: str, tooltip: str, default: float, torch: str) -> Hyper:
    """A decay rate or momentum coefficient in [0, 1), on a linear slider."""
    return Hyper(name, symbol, html, label, tooltip, default, *DECAY_RANGE, "linear", "unit", torch)


@dataclass(frozen=True)
class Buffer:
    """One per-coordinate buffer of a rule's state.

    Attributes:
        name: the state field, ``"p"``, ``"r"``, ``"r_max"``…; buffers of the same name in two
            rules mean the same kind of thing (recorded in one history array).
        role: what it is, one of :data:`ROLES`.
        symbol, html: the lecture's symbol, ``"p"``; ``"r<sup>max</sup>"``.
        start: its value before the first update (0.0, or 1.0 for a running product).
        torch: torch's state name, e.g. ``"exp_avg"``.
    """

    name: str
    role: str
    symbol: str
    html: str
    start: float = 0.0
    torch: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"{self.name}: role must be one of {', '.join(ROLES)}, got {self.role!r}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name) or self.name == "count":
            raise ValueError(f"buffer name must be a lower-case identifier other than 'count', got {self.name!r}")


@dataclass
class Update:
    """What is known of one update of one point, for the views (core data, no Qt).

    Attributes:
        t: the number of updates done (this update is the t-th, 1-based); 0: none yet.
        hyper: the run's hyperparameters by name.
        alpha: α_t the update used (None at t = 0).
        g: g_t, (2,); step: ΔW = W_t − W_{t−1}, (2,).
        buffers, previous: the rule's buffers after t and after t − 1 updates, by name.
    """

    t: int
    hyper: Mapping[str, float]
    alpha: float | None = None
    g: np.ndarray | None = None
    step: np.ndarray | None = None
    buffers: dict[str, np.ndarray] = field(default_factory=dict)
    previous: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Explained:
    """What the views show of an update, derived by the rule (:meth:`Rule.explain`).

    Attributes:
        values: derived quantities by name, for the rows (Adam: ``p_hat``, ``r_hat``, ``bias1``,
            ``bias2``).
        direction: the vector v the step follows, ΔW ≈ −α v, drawn as the momentum arrow
            (momentum: p; Adam: p̂); None for rules without a momentum-like buffer.
        direction_label: its label, ``"−αp"``.
        per_axis: the per-axis step size per unit α, 1/(ε + √r) (Adam: 1/(√r̂ + ε)), drawn as
            the step-size ellipse; None for rules with one step size for both axes.
        step_size: α_t · per_axis as the rule computes it (α_t / (ε + √r)), or None.
        step_size_label: its label, ``"α/(ε+√r)"``.
    """

    values: dict[str, Any] = field(default_factory=dict)
    direction: np.ndarray | None = None
    direction_label: str = ""
    per_axis: np.ndarray | None = None
    step_size: np.ndarray | None = None
    step_size_label: str = ""


class Html:
    """The text helpers a rule's rows are written with; the app passes its own (hats need
    font metrics). Every method returns Qt rich text."""

    minus = "\u2212"

    def sub(self, symbol: str, index) -> str:
        return f"{symbol}<sub>{index}</sub>"

    def hat(self, symbol: str) -> str:
        return f"{symbol}ˆ"

    def number(self, value) -> str:
        return f"{float(value):.4g}".replace("-", self.minus)

    def vector(self, value) -> str:
        a, b = (float(x) for x in np.asarray(value, dtype=float).ravel()[:2])
        return f"({self.number(a)}, {self.number(b)})"


#: A row of an update rule: (formula, value, note), rich text.
Row = tuple[str, str, str]


@dataclass(frozen=True)
class Rule:
    """An update rule: everything every layer needs about it (see the module docstring).

    Attributes:
        key: the rule's name, ``"adam"`` (the race entries of :data:`OPTIMIZERS` name it).
        title: the display name, ``"Adam"``.
        torch: the torch call it matches, ``"torch.optim.Adam(amsgrad=False, weight_decay=0)"``.
        hyper: the hyperparameters, α first, with torch's defaults.
        buffers: the state's per-coordinate buffers, in state field order.
        state: the NamedTuple state class: ``count`` then the buffers.
        constants: ``constants(hyper) -> tuple[float, ...]`` from validated hyperparameters.
        prepare, kernel, step: the update (see the module docstring).
        explain: ``explain(update: Update) -> Explained``.
        rows: ``rows(update, explained, html, alpha, g) -> list[Row]``: the rule's rows after
            the gradient row (``alpha`` and ``g`` are the rich text of α or α_t and of g_t).
        uses_params: the step reads W (decoupled weight decay).
    """

    key: str
    title: str
    torch: str
    hyper: tuple[Hyper, ...]
    buffers: tuple[Buffer, ...]
    state: type
    constants: Callable[[Mapping[str, float]], tuple[float, ...]]
    prepare: Callable
    kernel: Callable
    step: Callable
    explain: Callable[[Update], Explained]
    rows: Callable[..., list[Row]]
    uses_params: bool = False

    def __post_init__(self) -> None:
        names = tuple(h.name for h in self.hyper)
        if not names or names[0] != "learning_rate":
            raise ValueError(f"{self.key}: the first hyperparameter must be learning_rate, got {names}")
        if len(set(names)) != len(names):
            raise ValueError(f"{self.key}: hyperparameter names repeat: {names}")
        fields = getattr(self.state, "_fields", None)
        if fields != ("count", *(b.name for b in self.buffers)):
            raise ValueError(f"{self.key}: the state's fields {fields} must be count and the buffers")

    @property
    def names(self) -> tuple[str, ...]:
        """The hyperparameter names, α first."""
        return tuple(h.name for h in self.hyper)

    def hyperparameter(self, name: str) -> Hyper:
        for h in self.hyper:
            if h.name == name:
                return h
        raise KeyError(f"{self.key} has no hyperparameter {name!r}")

    def validate(self, hyper: Mapping[str, Any]) -> dict[str, float]:
        """Every hyperparameter but α, validated, torch's defaults filling the gaps."""
        unknown = [name for name in hyper if name not in self.names]
        if unknown:
            raise ValueError(f"unknown hyperparameter {unknown[0]!r} for {self.key!r}; valid: {', '.join(self.names)}")
        return {h.name: h.validate(hyper.get(h.name, h.default)) for h in self.hyper[1:]}

    def configure(self, learning_rate: LearningRate, **hyper) -> "Configured":
        """The rule ready to drive: validated α (or schedule) and constants."""
        lr_const, schedule = split_learning_rate(learning_rate)
        return Configured(self, self.constants(self.validate(hyper)), lr_const, schedule)

    def transformation(self, learning_rate: LearningRate, **hyper) -> "GradientTransformation":
        """The optax-style pair (:class:`GradientTransformation`) of this rule."""
        return self.configure(learning_rate, **hyper).transformation()


def split_learning_rate(value) -> tuple[float | None, Callable | None]:
    """A learning rate as (constant, schedule); exactly one is not None."""
    if callable(value):
        return None, value
    return _positive("learning rate", value), None


class Configured(NamedTuple):
    """A rule with its constants and learning rate: what a driver such as the simulation
    steps (:meth:`learning_rate`, then the rule's ``prepare`` and ``kernel`` with
    :attr:`constants`)."""

    rule: Rule
    constants: tuple[float, ...]
    lr_const: float | None
    schedule: Callable | None

    def learning_rate(self, t: int) -> float:
        """α_t of update t (0-based)."""
        return self.lr_const if self.schedule is None else float(self.schedule(np.int64(t)))

    def init(self, params) -> NamedTuple:
        """The state before the first update: count 0 and every buffer at its start value."""
        params = np.asarray(params)
        dtype = params.dtype if params.dtype.kind == "f" else np.float64
        return self.rule.state(np.zeros((), dtype=np.int64),
                               *(np.full(params.shape, b.start, dtype=dtype) for b in self.rule.buffers))

    def apply(self, g: np.ndarray, w, buffers: tuple, t: int, lr: float | None = None) -> np.ndarray:
        """One update in place (``g``: g_t in, step out; ``buffers`` updated); returns the step."""
        lr = self.learning_rate(t) if lr is None else lr
        return self.rule.kernel(g, w, buffers, self.constants, self.rule.prepare(self.constants, lr, t), t)

    def transformation(self) -> "GradientTransformation":
        return _transformation(self)


class GradientTransformation(NamedTuple):
    """An optimizer as a pair of functions (the optax interface).

    Attributes:
        init: ``init(params) -> state``. ``params`` has shape (..., 2), e.g. (N, 2) for N
            start points; the buffers of the returned state have that shape, ``count`` is 0.
        update: ``update(grads, state, params=None, *, inplace=False) -> (step, new_state)``.
            ``grads`` has the shape of the buffers; ``step`` is the displacement to add,
            W_{t+1} = W_t + step. ``params`` is W_t; only rules with decoupled weight decay
            read it (they require it).
    """

    init: Callable[[np.ndarray], NamedTuple]
    update: Callable[..., tuple[np.ndarray, NamedTuple]]


def _scratch(grads, inplace: bool) -> np.ndarray:
    """The array the kernel may overwrite: ``grads`` itself in place when allowed, else a copy."""
    if inplace and type(grads) is np.ndarray and grads.dtype.kind == "f" and grads.flags.writeable:
        return grads
    g = np.array(grads, copy=True)
    return g if g.dtype.kind == "f" else g.astype(np.float64)


def _transformation(configured: Configured) -> GradientTransformation:
    rule = configured.rule

    def update(grads, state, params=None, *, inplace: bool = False):
        t = int(state[0])
        g = _scratch(grads, inplace)
        bufs = state[1:]
        if bufs:
            if not inplace:
                bufs = tuple(b.copy() for b in bufs)
            if bufs[0].shape != g.shape:
                raise ValueError(f"gradient shape {g.shape} does not match the state's {bufs[0].shape}")
        if rule.uses_params:
            if params is None:
                raise ValueError(f"{rule.title} needs the parameters: update(grads, state, params)")
            w = np.asarray(params, dtype=g.dtype)
            if w.shape != g.shape:
                raise ValueError(f"parameter shape {w.shape} does not match the gradient's {g.shape}")
        else:
            w = g  # unread
        # a schedule sees the state's 0-d count array, as in optax
        lr = configured.lr_const if configured.schedule is None else float(configured.schedule(state[0]))
        step = configured.apply(g, w, bufs, t, lr)
        return step, rule.state(np.array(t + 1, dtype=np.int64), *bufs)

    return GradientTransformation(configured.init, update)


def state_vectors(state: NamedTuple) -> dict[str, np.ndarray]:
    """The per-point buffers of an optimizer state by field name (everything but ``count``).

    E.g. ``{"p": ..., "r": ...}`` for Adam, ``{}`` for SGD. The arrays are the state's own
    buffers, not copies (so views of them write through), for recording and drawing.
    """
    return {name: getattr(state, name) for name in state._fields if name != "count"}


# --------------------------------------------------------------------------- race entries

#: The dash patterns of run lines by name: on, off, on, off… lengths in line widths (the
#: convention of Qt's ``QPen.setDashPattern``); ``()`` is solid. In this order, the cycle that
#: repeated runs of one optimizer step through (see :func:`optviz.look.run_looks`).
DASH_STYLES: dict[str, tuple[float, ...]] = {
    "solid": (),
    "dash": (4.0, 2.5),
    "dot": (1.0, 2.0),
    "dash-dot": (4.0, 2.0, 1.0, 2.0),
    "long-dash": (8.0, 3.0),
    "dash-dot-dot": (4.0, 2.0, 1.0, 2.0, 1.0, 2.0),
}


@dataclass(frozen=True)
class OptimizerSpec:
    """A race entry of the app: an update rule with a batch and the app's defaults.

    Attributes:
        key: the registry key, e.g. ``"adam"``.
        title: the display name, e.g. ``"Adam"``.
        factory: the function building the :class:`GradientTransformation` (the rule's module's).
        defaults: the app's default hyperparameters by name (``learning_rate`` first). The
            learning rates are chosen to show each method well on the app's 2-D surfaces and
            may differ from the factory's (torch's) defaults; see :data:`OPTIMIZERS`.
        batch: which gradient the entry uses by default: ``"full"`` (the mean over all n
            samples, GD), ``"single"`` (one sample, SGD) or ``"mini"`` (a mini-batch of
            ``default_batch_size`` samples). The driver may configure another batch size.
        default_batch_size: B, or ``None`` for the full batch (B = n).
        hyperparameters: the hyperparameter names in display order.
        color: the optimizer's colour everywhere its runs are drawn, ``"#RRGGBB"``.
        marker: the head marker of its runs, a pyqtgraph symbol name (``"o"``, ``"s"``, ``"star"``…).
        dash: the dash pattern of its paths and curves, one of :data:`DASH_STYLES`. Colour,
            marker and dash together tell the optimizers apart in greyscale and with a
            colour-vision deficiency (see :mod:`optviz.look`).
        rule: the update rule.
    """

    key: str
    title: str
    factory: Callable[..., GradientTransformation]
    defaults: dict[str, float]
    batch: str
    default_batch_size: int | None
    hyperparameters: tuple[str, ...]
    color: str = "#000000"
    marker: str = "o"
    dash: tuple[float, ...] = ()
    rule: Rule | None = None

    def __post_init__(self) -> None:
        if self.batch not in ("full", "single", "mini"):
            raise ValueError(f"batch must be 'full', 'single' or 'mini', got {self.batch!r}")
        if set(self.hyperparameters) != set(self.defaults):
            raise ValueError(f"{self.key}: hyperparameters and defaults must name the same parameters")
        if self.rule is not None and tuple(self.hyperparameters) != self.rule.names:
            raise ValueError(f"{self.key}: the defaults must name the rule's hyperparameters {self.rule.names}")
        if not re.fullmatch(r"#[0-9A-F]{6}", self.color):
            raise ValueError(f"{self.key}: color must be \"#RRGGBB\" in capitals, got {self.color!r}")
        if self.dash not in DASH_STYLES.values():
            raise ValueError(f"{self.key}: dash must be one of DASH_STYLES, got {self.dash!r}")

    def _check(self, hyper) -> None:
        unknown = [name for name in hyper if name not in self.hyperparameters]
        if unknown:
            raise ValueError(
                f"unknown hyperparameter {unknown[0]!r} for {self.key!r}; valid: {', '.join(self.hyperparameters)}"
            )

    def make(self, **hyper) -> GradientTransformation:
        """The optimizer with ``hyper`` overriding :attr:`defaults` (see :func:`make_optimizer`)."""
        self._check(hyper)
        return self.factory(**{**self.defaults, **hyper})

    def configure(self, **hyper) -> Configured:
        """The rule ready to drive with ``hyper`` overriding :attr:`defaults`."""
        self._check(hyper)
        merged = {**self.defaults, **hyper}
        return self.rule.configure(merged.pop("learning_rate"), **merged)


def spec(rule: Rule, factory, key: str | None = None, title: str | None = None, batch: str = "full",
         batch_size: int | None = None, *, look: tuple[str, str, str], **defaults) -> OptimizerSpec:
    """A race entry of ``rule`` (one registry line): app defaults, batch and look."""
    color, marker, dash = look
    unknown = [name for name in defaults if name not in rule.names]
    if unknown:
        raise ValueError(f"{key or rule.key}: {rule.key} has no hyperparameter {unknown[0]!r}")
    defaults = {name: float(defaults.get(name, h.default)) for name, h in zip(rule.names, rule.hyper)}
    return OptimizerSpec(key or rule.key, title or rule.title, factory, defaults, batch, batch_size,
                         rule.names, color, marker, DASH_STYLES[dash], rule)


# --------------------------------------------------------------------------- completeness


def definition_problems(rule: Rule) -> list[str]:
    """What a rule's definition lacks, as sentences (empty: complete). Run on every registered
    rule by the tests, so a half-added optimizer cannot pass silently: every hyperparameter
    and buffer described, constants that are floats, a NumPy kernel and a scalar step that
    agree, a step that moves downhill on a bowl, an explanation and update-rule rows."""
    problems = []
    for h in rule.hyper:
        for attr in ("symbol", "html", "label", "tooltip"):
            if not getattr(h, attr):
                problems.append(f"hyperparameter {h.name!r} has no {attr}")
        if not h.low < h.high:
            problems.append(f"hyperparameter {h.name!r}: its range [{h.low}, {h.high}] is empty")
    for b in rule.buffers:
        if not (b.symbol and b.html):
            problems.append(f"buffer {b.name!r} has no symbol")
    if not (rule.title and rule.torch):
        problems.append("no title or torch equivalent")
    try:
        configured = rule.configure(0.01)
    except Exception as exc:  # a broken definition: report, do not crash the check
        return problems + [f"cannot configure with its defaults: {exc}"]
    if not all(isinstance(c, float) for c in configured.constants):
        problems.append("constants() must return floats")
    # The vectorized kernel and the scalar step on a few updates of a bowl, ∇ = W.
    W = np.array([[1.5, -0.5], [0.2, 2.0]])
    state = configured.init(W)
    bufs = tuple(state[1:])
    scalar_bufs = [[[b.start] * 2 for _ in range(2)] for b in rule.buffers]
    try:
        for t in range(3):
            g = W.copy()
            step = configured.apply(g, W, bufs, t).copy()
            q = rule.prepare(configured.constants, 0.01, t)
            for i in range(2):
                for d in range(2):
                    out = rule.step(float(W[i, d]), float(W[i, d]), *(s[i][d] for s in scalar_bufs),
                                    configured.constants, q, t)
                    out = out if isinstance(out, tuple) else (out,)
                    if len(out) != 1 + len(rule.buffers):
                        return problems + ["step() must return the step and every buffer"]
                    if out[0] != step[i, d]:
                        problems.append(f"step() and kernel() differ at update {t}: {out[0]!r} != {step[i, d]!r}")
                        return problems
                    for s, v in zip(scalar_bufs, out[1:]):
                        s[i][d] = v
            if t == 0 and not (((W + step) ** 2).sum(axis=1) < (W**2).sum(axis=1)).all():
                problems.append("the first step does not go down the bowl ½|W|²")
    except Exception as exc:
        return problems + [f"kernel/step fail: {type(exc).__name__}: {exc}"]
    update = Update(t=3, hyper={h.name: h.default for h in rule.hyper}, alpha=0.01, g=W[0], step=step[0],
                    buffers={b.name: buf[0] for b, buf in zip(rule.buffers, bufs)},
                    previous={b.name: buf[0] for b, buf in zip(rule.buffers, bufs)})
    try:
        explained = rule.explain(update)
    except Exception as exc:
        return problems + [f"explain fails: {type(exc).__name__}: {exc}"]
    if not isinstance(explained, Explained):
        return problems + ["explain() must return an Explained"]
    for b in rule.buffers:
        if b.role in ("velocity", "first moment") and explained.direction is None:
            problems.append(f"explain() shows no direction although {b.name!r} is a {b.role}")
        if b.role in ("second moment", "sum of squares") and explained.per_axis is None:
            problems.append(f"explain() shows no per-axis step size although {b.name!r} is a {b.role}")
    if problems:
        return problems
    try:
        rows = rule.rows(update, explained, Html(), "α", "g<sub>3</sub>")
    except Exception as exc:
        return problems + [f"rows fail: {type(exc).__name__}: {exc}"]
    if not rows or not all(isinstance(r, tuple) and len(r) == 3 and all(isinstance(x, str) for x in r)
                           for r in rows):
        problems.append("rows() must give (formula, value, note) rows of text")
    elif not any("ΔW" in formula for formula, _, _ in rows):
        problems.append("rows() must end in the step ΔW")
    return problems
