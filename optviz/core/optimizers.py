r"""The optimizers of the lecture, optax-style and vectorized over N start points.

Each factory returns a :class:`GradientTransformation`, a pair of functions::

    opt = adam(learning_rate=0.05)
    state = opt.init(W)                       # W: shape (N, 2), N start points
    for _ in range(steps):
        g = grad(W)                           # g_t, same shape as W
        step, state = opt.update(g, state, W)
        W = W + step                          # W_{t+1} = W_t + step

Conventions (shared by every optimizer here):

* **Notation** is the lecture's: α learning rate, β momentum, ρ RMSProp decay, ρ₁/ρ₂ Adam
  decays, ε, p the momentum buffer / first moment, r the accumulated squared gradient /
  second moment, g_t the gradient, W the parameters. ⊙ is the element-wise product; √, /
  and ⊙ act per coordinate, so every start point and every coordinate has its own r.
* **Sign**: ``update`` returns the displacement to *add*, ``step = W_{t+1} − W_t``
  (so ``step = −α g`` for SGD), exactly like optax's updates.
* **Step count**: ``state.count`` is a 0-d int64 array holding the number t of updates done
  so far (shared by all N points). Update number t (0-based) uses α_t = ``schedule(t)`` when
  ``learning_rate`` is a schedule (any callable of the count, see
  :mod:`optviz.core.schedules`); Adam's bias corrections use the 1-based t + 1.
* **PyTorch parity**: the rules, defaults and the floating-point operation order are those
  of ``torch.optim`` (``SGD``, ``Adagrad``, ``RMSprop``, ``Adam`` with ``weight_decay=0``,
  ``maximize=False``), so float64 trajectories agree with torch's to the last bit or two
  (≲ 3e-16 relative over 100 Rosenbrock steps). They are not always bit-identical: torch's
  CPU kernels fuse ``a + b·c`` (``add(alpha=)``, ``lerp``, ``addcmul``) into single-rounding
  FMA instructions and its float64 ``sqrt`` is not always correctly rounded, while NumPy
  rounds every operation and its √ is exact. In particular the momentum buffer starts at
  the *first gradient* (p_1 = g_1, no (1 − β) damping), ε is added *outside* the square
  root, RMSProp has *no* bias correction, and Adam's ε is added *after* the bias correction.
* **Hyperparameters** are validated at construction: ``ValueError`` naming the parameter,
  its allowed range and the value (``"beta must be in [0, 1), got 1.5"``). Bools and
  non-finite numbers are refused. ``eps = 0`` is allowed, as in torch: the update is then
  0/0 = NaN where a coordinate's r is exactly 0 (e.g. a point started exactly at a
  stationary point), which the app reports as a diverged run.

Purity and the in-place fast path:

* ``update(grads, state, params=None)`` is pure: it does not modify ``grads``, ``state``
  or ``params`` and returns new arrays.
* ``update(..., inplace=True)`` overwrites ``grads`` (it is used as scratch and the returned
  step may *be* the ``grads`` array) and updates the state's buffers in place, saving the
  allocations and copies. ``grads`` must then be a writable floating-point ndarray that does
  not alias the state's buffers (anything else is copied first). Both modes run the same
  kernel: the pure mode just copies ``grads`` and the buffers first.
* ``count`` is never mutated, in either mode: the returned state carries a *new* 0-d array
  ``count + 1``. So a driver may update row blocks of one state through views
  (``state._replace(p=state.p[a:b], ...)``), each block seeing the same old count, and then
  keep the buffers with the new count.

Non-finite values are not checked: a gradient of ±inf or NaN gives a non-finite step and
state (under ``np.errstate(all="ignore")`` without floating-point warnings), never an
exception, so one diverging run cannot stop a race.

The registry :data:`OPTIMIZERS` lists the race entries of the app (GD, SGD and mini-batch
SGD are the same :func:`sgd` rule fed gradients over batches of n, 1 and B samples; the
batch is chosen by the driver) with their display titles and app defaults;
:func:`make_optimizer` builds one by key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Union

import numpy as np

from .schedules import Schedule, _nonnegative, _positive, _unit_interval

__all__ = [
    "GradientTransformation",
    "SGDState",
    "MomentumState",
    "NesterovState",
    "AdaGradState",
    "RMSPropState",
    "AdamState",
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "state_vectors",
    "OptimizerSpec",
    "OPTIMIZERS",
    "DASH_STYLES",
    "make_optimizer",
]

#: A learning rate: a constant α > 0 or a schedule t ↦ α_t.
LearningRate = Union[float, Schedule]


class GradientTransformation(NamedTuple):
    """An optimizer as a pair of functions (the optax interface).

    Attributes:
        init: ``init(params) -> state``. ``params`` has shape (..., 2), e.g. (N, 2) for N
            start points; the buffers of the returned state have that shape, ``count`` is 0.
        update: ``update(grads, state, params=None, *, inplace=False) -> (step, new_state)``.
            ``grads`` has the shape of the buffers; ``step`` is the displacement to add,
            W_{t+1} = W_t + step. ``params`` is accepted for optax compatibility and unused.
            See the module docstring for the pure and in-place modes.
    """

    init: Callable[[np.ndarray], NamedTuple]
    update: Callable[..., tuple[np.ndarray, NamedTuple]]


# --------------------------------------------------------------------------- states


class SGDState(NamedTuple):
    """State of :func:`sgd` (GD, SGD, mini-batch SGD).

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
    """

    count: np.ndarray


class MomentumState(NamedTuple):
    """State of :func:`momentum` (heavy ball).

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        p: the velocity p_t (torch's ``momentum_buffer``), shape of the params. Zeros before
            the first update, then p_1 = g_1 and p_{t+1} = β p_t + g_{t+1}.
    """

    count: np.ndarray
    p: np.ndarray


class NesterovState(NamedTuple):
    """State of :func:`nesterov`.

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        p: the velocity p_t (torch's ``momentum_buffer``), shape of the params. Zeros before
            the first update, then p_1 = g_1 and p_{t+1} = β p_t + g_{t+1}.
    """

    count: np.ndarray
    p: np.ndarray


class AdaGradState(NamedTuple):
    """State of :func:`adagrad`.

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        r: the sum of squared gradients r_t = Σ_{s≤t} g_s ⊙ g_s (torch's ``sum``), shape of
            the params, r_0 = 0.
    """

    count: np.ndarray
    r: np.ndarray


class RMSPropState(NamedTuple):
    """State of :func:`rmsprop`.

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        r: the running mean of squared gradients r_t = ρ r_{t−1} + (1 − ρ) g_t ⊙ g_t
            (torch's ``square_avg``), shape of the params, r_0 = 0.
    """

    count: np.ndarray
    r: np.ndarray


class AdamState(NamedTuple):
    """State of :func:`adam`.

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        p: the first moment p_t = ρ₁ p_{t−1} + (1 − ρ₁) g_t (torch's ``exp_avg``), p_0 = 0,
            *without* bias correction.
        r: the second moment r_t = ρ₂ r_{t−1} + (1 − ρ₂) g_t ⊙ g_t (torch's
            ``exp_avg_sq``), r_0 = 0, *without* bias correction.
    """

    count: np.ndarray
    p: np.ndarray
    r: np.ndarray


def state_vectors(state: NamedTuple) -> dict[str, np.ndarray]:
    """The per-point buffers of an optimizer state by field name (everything but ``count``).

    E.g. ``{"p": ..., "r": ...}`` for Adam, ``{}`` for SGD. The arrays are the state's own
    buffers, not copies (so views of them write through), for recording and drawing.
    """
    return {name: getattr(state, name) for name in state._fields if name != "count"}


# --------------------------------------------------------------------------- machinery

# A kernel updates the state's buffers (a tuple of arrays, in field order after ``count``)
# in place and returns the step, computed into the scratch array ``g`` (which holds g_t on
# entry): kernel(g, buffers, lr, t) -> step, with t the 0-based update number.
_Kernel = Callable[[np.ndarray, tuple, float, int], np.ndarray]


def _learning_rate(value) -> tuple[float | None, Callable | None]:
    """Split a learning rate into (constant, schedule); exactly one is not None."""
    if callable(value):
        return None, value
    return _positive("learning rate", value), None


def _scratch(grads, inplace: bool) -> np.ndarray:
    """The array the kernel may overwrite: ``grads`` itself in place when allowed, else a copy."""
    if inplace and type(grads) is np.ndarray and grads.dtype.kind == "f" and grads.flags.writeable:
        return grads
    g = np.array(grads, copy=True)
    return g if g.dtype.kind == "f" else g.astype(np.float64)


def _transformation(state_cls: type, kernel: _Kernel, learning_rate, kind: str,
                    constants: tuple[float, ...] = ()) -> GradientTransformation:
    """Wrap a kernel into ``init``/``update`` with the shared count, schedule and purity logic."""
    lr_const, schedule = _learning_rate(learning_rate)
    buffers = tuple(name for name in state_cls._fields if name != "count")

    def init(params) -> NamedTuple:
        params = np.asarray(params)
        dtype = params.dtype if params.dtype.kind == "f" else np.float64
        return state_cls(np.zeros((), dtype=np.int64), *(np.zeros(params.shape, dtype=dtype) for _ in buffers))

    def update(grads, state, params=None, *, inplace: bool = False):
        count = state[0]  # every state's first field
        t = int(count)
        lr = lr_const if schedule is None else float(schedule(count))
        g = _scratch(grads, inplace)
        bufs = state[1:]
        if bufs:
            if not inplace:
                bufs = tuple(b.copy() for b in bufs)
            if bufs[0].shape != g.shape:
                raise ValueError(f"gradient shape {g.shape} does not match the state's {bufs[0].shape}")
        step = kernel(g, bufs, lr, t)
        return step, state_cls(np.array(t + 1, dtype=np.int64), *bufs)

    # The simulation steps many runs per frame and calls the kernel directly, skipping the
    # per-call checks and state rebuilding above (the same arithmetic, so bit-identical).
    update.kernel = KernelAccess(kernel, lr_const, schedule, kind, tuple(float(c) for c in constants))
    return GradientTransformation(init, update)


class KernelAccess(NamedTuple):
    """An optimizer's raw in-place kernel, for callers that keep the count themselves.

    ``kernel(g, buffers, lr, t)`` overwrites ``g`` (g_t on entry) with the step and updates
    ``buffers`` (the state's arrays after ``count``, in field order) in place; ``t`` is the
    0-based update number and ``lr`` is ``lr_const`` or ``float(schedule(t))``.
    """

    kernel: _Kernel
    lr_const: float | None
    schedule: Callable | None
    kind: str  #: the factory: "sgd", "momentum", "nesterov", "adagrad", "rmsprop" or "adam"
    constants: tuple[float, ...]  #: the kernel's scalars, for its compiled twin (optviz.core.compiled)

    def learning_rate(self, t: int) -> float:
        return self.lr_const if self.schedule is None else float(self.schedule(np.int64(t)))


def _check_beta(beta) -> float:
    return _unit_interval("beta", beta)


# --------------------------------------------------------------------------- optimizers


def sgd(learning_rate: LearningRate = 1e-3) -> GradientTransformation:
    r"""Gradient descent: GD, SGD and mini-batch SGD (``torch.optim.SGD`` with ``momentum=0``).

    .. math::

        W_{t+1} = W_t - α_t g_t

    The three race entries differ only in the gradient g_t fed in: the mean over all n
    samples (GD), over one sample (SGD) or over a mini-batch of B samples.

    Args:
        learning_rate: α (> 0), or a schedule t ↦ α_t. Default 1e-3 (torch's).

    State: :class:`SGDState` (just ``count``). Step: ``−α·g``.
    """
    _learning_rate(learning_rate)

    def kernel(g, bufs, lr, t):
        g *= -lr  # torch: param.add_(grad, alpha=-lr) = W + (−α)·g
        return g

    return _transformation(SGDState, kernel, learning_rate, "sgd")


def _heavy_ball_buffer(g: np.ndarray, p: np.ndarray, beta: float, t: int) -> None:
    """p ← g on the first update, else p ← β p + g (torch: buf.mul_(β).add_(g))."""
    if t == 0:
        np.copyto(p, g)
    else:
        p *= beta
        p += g


def momentum(learning_rate: LearningRate = 1e-3, beta: float = 0.9) -> GradientTransformation:
    r"""SGD with momentum, the stochastic heavy ball method.

    .. math::

        p_{t+1} &= β p_t + g_t \\
        W_{t+1} &= W_t - α_t p_{t+1}

    Equivalently W_{t+1} = W_t − α g_t + β (W_t − W_{t−1}) for a constant α.
    Matches ``torch.optim.SGD(momentum=β, dampening=0, nesterov=False)``: the buffer starts
    at the **first gradient**, p_1 = g_1, and is not damped by (1 − β), so the first step is
    −α g_1, like plain SGD's. (The exponential-average form p ← βp + (1 − β)g started at
    zero would give p_1 = (1 − β) g_1 and a step ten times smaller for β = 0.9; optax's
    ``sgd(momentum=β)`` agrees with torch here.) Some texts write the velocity as
    v ← βv − αg, W ← W + v; that is this rule with v = −αp for a constant α.

    Args:
        learning_rate: α (> 0), or a schedule t ↦ α_t. Default 1e-3 (torch's).
        beta: β, the momentum coefficient, in [0, 1); torch's ``momentum``. Default 0.9.

    State: :class:`MomentumState`, with the velocity ``p``.
    """
    _learning_rate(learning_rate)
    beta = _check_beta(beta)

    def kernel(g, bufs, lr, t):
        (p,) = bufs
        _heavy_ball_buffer(g, p, beta, t)
        np.multiply(p, -lr, out=g)  # torch: param.add_(buf, alpha=-lr)
        return g

    return _transformation(MomentumState, kernel, learning_rate, "momentum", (beta,))


def nesterov(learning_rate: LearningRate = 1e-3, beta: float = 0.9) -> GradientTransformation:
    r"""SGD with Nesterov momentum (``torch.optim.SGD(momentum=β, nesterov=True)``).

    .. math::

        p_{t+1} &= β p_t + g_t \\
        W_{t+1} &= W_t - α_t (g_t + β p_{t+1})

    The direction g_t + β p_{t+1} = p_{t+1} + β (p_{t+1} − p_t) extrapolates the heavy
    ball's velocity one step ahead; this is the Sutskever et al. / torch form of Nesterov's
    method, which needs the gradient at W_t only (not at a look-ahead point). The buffer
    starts at the first gradient, p_1 = g_1, as in :func:`momentum`, so the first step is
    −α (1 + β) g_1.

    Args:
        learning_rate: α (> 0), or a schedule t ↦ α_t. Default 1e-3 (torch's).
        beta: β, the momentum coefficient, in [0, 1); torch's ``momentum``. Default 0.9.

    State: :class:`NesterovState`, with the velocity ``p``.
    """
    _learning_rate(learning_rate)
    beta = _check_beta(beta)

    def kernel(g, bufs, lr, t):
        (p,) = bufs
        _heavy_ball_buffer(g, p, beta, t)
        g += np.multiply(p, beta)  # torch: grad.add(buf, alpha=β) = g + β·p
        g *= -lr  # torch: param.add_(grad, alpha=-lr)
        return g

    return _transformation(NesterovState, kernel, learning_rate, "nesterov", (beta,))


def adagrad(learning_rate: LearningRate = 1e-2, eps: float = 1e-10) -> GradientTransformation:
    r"""AdaGrad (``torch.optim.Adagrad`` with ``lr_decay=0``, ``initial_accumulator_value=0``).

    .. math::

        r_t &= r_{t-1} + g_t ⊙ g_t, \qquad r_0 = 0 \\
        W_{t+1} &= W_t - \frac{α_t}{\sqrt{r_t} + ε} ⊙ g_t

    ε is added **outside** the square root (as in torch and the lecture; optax's
    ``adagrad`` uses √(r + ε) instead). The first step is −α g/(|g| + ε) ≈ −α·sign(g).

    Args:
        learning_rate: α (> 0), or a schedule t ↦ α_t. Default 1e-2 (torch's and the
            lecture's "most implementations").
        eps: ε (>= 0), keeps the division finite where r = 0. Default 1e-10 (torch's).

    State: :class:`AdaGradState`, with the accumulator ``r``.
    """
    _learning_rate(learning_rate)
    eps = _nonnegative("eps", eps)

    def kernel(g, bufs, lr, t):
        (r,) = bufs
        tmp = np.multiply(g, g)  # torch: sum.addcmul_(g, g, value=1)
        r += tmp
        np.sqrt(r, out=tmp)  # torch: std = sum.sqrt().add_(eps)
        tmp += eps
        g *= -lr  # torch: param.addcdiv_(g, std, value=-lr) = W + (−α·g)/std
        g /= tmp
        return g

    return _transformation(AdaGradState, kernel, learning_rate, "adagrad", (eps,))


def rmsprop(learning_rate: LearningRate = 1e-2, rho: float = 0.99, eps: float = 1e-8) -> GradientTransformation:
    r"""RMSProp (``torch.optim.RMSprop`` with ``alpha=ρ``, ``centered=False``, ``momentum=0``).

    .. math::

        r_t &= ρ r_{t-1} + (1 - ρ) g_t ⊙ g_t, \qquad r_0 = 0 \\
        W_{t+1} &= W_t - \frac{α_t}{\sqrt{r_t} + ε} ⊙ g_t

    ε is added **outside** the square root (torch; optax puts it inside) and there is **no
    bias correction** of r (torch and Hinton's original; Adam has one). Hence the early
    steps are large: the first is −α g/(√(1 − ρ)|g| + ε), of size ≈ α/√(1 − ρ) = 10α for
    ρ = 0.99.

    Args:
        learning_rate: α (> 0), or a schedule t ↦ α_t. Default 1e-2 (torch's).
        rho: ρ, the decay of the running mean, in [0, 1); torch's ``alpha``. Default 0.99.
        eps: ε (>= 0). Default 1e-8 (torch's).

    State: :class:`RMSPropState`, with the running mean ``r``.
    """
    _learning_rate(learning_rate)
    rho = _unit_interval("rho", rho)
    eps = _nonnegative("eps", eps)
    one_minus_rho = 1 - rho

    def kernel(g, bufs, lr, t):
        (r,) = bufs
        r *= rho  # torch: square_avg.mul_(ρ).addcmul_(g, g, value=1-ρ) = ρr + ((1-ρ)·g)·g
        tmp = np.multiply(g, one_minus_rho)
        tmp *= g
        r += tmp
        np.sqrt(r, out=tmp)  # torch: avg = square_avg.sqrt().add_(eps)
        tmp += eps
        g *= -lr  # torch: param.addcdiv_(g, avg, value=-lr)
        g /= tmp
        return g

    return _transformation(RMSPropState, kernel, learning_rate, "rmsprop", (rho, eps, one_minus_rho))


def adam(
    learning_rate: LearningRate = 1e-3, rho1: float = 0.9, rho2: float = 0.999, eps: float = 1e-8
) -> GradientTransformation:
    r"""Adam (``torch.optim.Adam`` with ``betas=(ρ₁, ρ₂)``, ``amsgrad=False``, ``weight_decay=0``).

    .. math::

        p_t &= ρ_1 p_{t-1} + (1 - ρ_1) g_t, \qquad p_0 = 0 \\
        r_t &= ρ_2 r_{t-1} + (1 - ρ_2) g_t ⊙ g_t, \qquad r_0 = 0 \\
        \hat p_t &= p_t / (1 - ρ_1^t), \qquad \hat r_t = r_t / (1 - ρ_2^t) \\
        W_{t+1} &= W_t - α_t \frac{\hat p_t}{\sqrt{\hat r_t} + ε}

    with t the 1-based update number. ε is added **after** the bias correction (torch, the
    paper and the lecture; the "ε-hat" variant adds it to √r before correcting). The first
    step is −α g/(|g| + ε) ≈ −α·sign(g) in every coordinate.

    Computed in torch's operation order (see the module docstring on bit-level parity)::

        p   ← p + (1 − ρ₁)(g − p)                 (torch's lerp; g − (g − p)ρ₁ if 1 − ρ₁ >= ½)
        r   ← ρ₂ r + ((1 − ρ₂) g) g
        den ← √r / √(1 − ρ₂^t) + ε
        step = (−(α / (1 − ρ₁^t)) · p) / den

    Args:
        learning_rate: α (> 0), or a schedule t ↦ α_t. Default 1e-3 (torch's).
        rho1: ρ₁, the decay of the first moment, in [0, 1); torch's ``betas[0]``. Default 0.9.
        rho2: ρ₂, the decay of the second moment, in [0, 1); torch's ``betas[1]``. Default
            0.999.
        eps: ε (>= 0). Default 1e-8 (torch's).

    State: :class:`AdamState`, with the moments ``p`` and ``r`` (uncorrected).
    """
    _learning_rate(learning_rate)
    rho1 = _unit_interval("rho1", rho1)
    rho2 = _unit_interval("rho2", rho2)
    eps = _nonnegative("eps", eps)
    weight = 1 - rho1  # torch: exp_avg.lerp_(grad, 1 - beta1)
    small = abs(weight) < 0.5  # torch's lerp switches formula at weight ½ for accuracy
    one_minus_weight = 1.0 - weight
    one_minus_rho2 = 1 - rho2

    def kernel(g, bufs, lr, t):
        p, r = bufs
        step = float(t + 1)
        tmp = np.subtract(g, p)  # lerp: end − self
        if small:
            tmp *= weight
            p += tmp  # p + w (g − p)
        else:
            tmp *= one_minus_weight
            np.subtract(g, tmp, out=p)  # g − (g − p)(1 − w)
        r *= rho2  # exp_avg_sq.mul_(ρ₂).addcmul_(g, g, value=1-ρ₂)
        np.multiply(g, one_minus_rho2, out=tmp)
        tmp *= g
        r += tmp
        bias_correction1 = 1 - rho1**step
        bias_correction2 = 1 - rho2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        np.sqrt(r, out=g)  # denom = (exp_avg_sq.sqrt() / bc2_sqrt).add_(eps)
        g /= bias_correction2_sqrt
        g += eps
        np.multiply(p, -step_size, out=tmp)  # param.addcdiv_(exp_avg, denom, value=-step_size)
        np.divide(tmp, g, out=g)
        return g

    return _transformation(AdamState, kernel, learning_rate, "adam",
                           (rho1, rho2, eps, weight, one_minus_weight, one_minus_rho2, small))


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class OptimizerSpec:
    """A race entry of the app.

    Attributes:
        key: the registry key, e.g. ``"adam"``.
        title: the display name, e.g. ``"Adam"``.
        factory: the function building the :class:`GradientTransformation`.
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
        dash: the dash pattern of its paths and curves, one of :data:`DASH_STYLES`: on, off,
            on, off… lengths in line widths; ``()`` is solid. Colour, marker and dash together
            tell the optimizers apart in greyscale and with a colour-vision deficiency; how
            repeated runs of one optimizer differ is :func:`optviz.look.run_looks`.
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

    def __post_init__(self) -> None:
        if self.batch not in ("full", "single", "mini"):
            raise ValueError(f"batch must be 'full', 'single' or 'mini', got {self.batch!r}")
        if set(self.hyperparameters) != set(self.defaults):
            raise ValueError(f"{self.key}: hyperparameters and defaults must name the same parameters")
        if not re.fullmatch(r"#[0-9A-F]{6}", self.color):
            raise ValueError(f"{self.key}: color must be \"#RRGGBB\" in capitals, got {self.color!r}")
        if self.dash not in DASH_STYLES.values():
            raise ValueError(f"{self.key}: dash must be one of DASH_STYLES, got {self.dash!r}")

    def make(self, **hyper) -> GradientTransformation:
        """The optimizer with ``hyper`` overriding :attr:`defaults` (see :func:`make_optimizer`)."""
        unknown = [name for name in hyper if name not in self.hyperparameters]
        if unknown:
            raise ValueError(
                f"unknown hyperparameter {unknown[0]!r} for {self.key!r}; valid: {', '.join(self.hyperparameters)}"
            )
        return self.factory(**{**self.defaults, **hyper})


def _spec(key, title, factory, batch="full", batch_size=None, *, look: tuple[str, str, str], **defaults) -> OptimizerSpec:
    color, marker, dash = look
    return OptimizerSpec(key, title, factory, dict(defaults), batch, batch_size, tuple(defaults), color, marker,
                         DASH_STYLES[dash])


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


#: The race entries by key. App defaults vs the factories' (torch's) defaults:
#:
#: ============  ===============  ==============================  ==============  =========
#: key           factory          app defaults                    torch α         batch
#: ============  ===============  ==============================  ==============  =========
#: gd            :func:`sgd`      α = 0.01                        1e-3            full (n)
#: sgd           :func:`sgd`      α = 0.01                        1e-3            single (1)
#: minibatch     :func:`sgd`      α = 0.01                        1e-3            mini (16)
#: momentum      :func:`momentum` α = 0.01, β = 0.9               1e-3            full
#: nesterov      :func:`nesterov` α = 0.01, β = 0.9               1e-3            full
#: adagrad       :func:`adagrad`  α = 0.1, ε = 1e-10              1e-2            full
#: rmsprop       :func:`rmsprop`  α = 0.01, ρ = 0.99, ε = 1e-8    1e-2 (same)     full
#: adam          :func:`adam`     α = 0.05, ρ₁ = 0.9, ρ₂ = 0.999, 1e-3            full
#:                                ε = 1e-8
#: ============  ===============  ==============================  ==============  =========
#:
#: Only the learning rates differ from torch: the 2-D surfaces span a few units, so the
#: sign-like steps of AdaGrad and Adam need a larger α to cross the view in a few hundred
#: steps, and the gradient methods a larger one than torch's 1e-3 to move visibly.
#:
#: Looks (``look=(colour, marker, dash)``): a colour-vision-deficiency-safe set chosen for a
#: white projector screen and the ice-to-slate map; the minimum pairwise CIEDE2000 under normal
#: vision, deuteranopia and protanopia and the contrast on white are pinned by tests/test_look.py.
#: Families: GD blue and its stochastic siblings SGD sky blue, mini-batch green; momentum
#: orange and Nesterov brown; AdaGrad purple, RMSProp crimson, Adam teal. Every pair of
#: optimizers differs in marker; the runs raced together most often differ in dash as well.
#: No head is a star (★ marks the minima), a cross (× saddles, diverged runs) or a ring (start).
OPTIMIZERS: dict[str, OptimizerSpec] = {
    spec.key: spec
    for spec in (
        _spec("gd", "GD", sgd, learning_rate=1e-2, look=("#0F2DFF", "o", "solid")),
        _spec("sgd", "SGD", sgd, "single", 1, learning_rate=1e-2, look=("#3A93FA", "t", "long-dash")),
        _spec("minibatch", "Mini-batch SGD", sgd, "mini", 16, learning_rate=1e-2,
              look=("#197D50", "d", "dash-dot-dot")),
        _spec("momentum", "Momentum", momentum, learning_rate=1e-2, beta=0.9, look=("#EC6A00", "s", "dash")),
        _spec("nesterov", "Nesterov", nesterov, learning_rate=1e-2, beta=0.9, look=("#6E4600", "t2", "dash-dot-dot")),
        _spec("adagrad", "AdaGrad", adagrad, learning_rate=1e-1, eps=1e-10, look=("#A0199B", "h", "long-dash")),
        _spec("rmsprop", "RMSProp", rmsprop, learning_rate=1e-2, rho=0.99, eps=1e-8, look=("#F0235F", "p", "dot")),
        _spec("adam", "Adam", adam, learning_rate=5e-2, rho1=0.9, rho2=0.999, eps=1e-8,
              look=("#00A28E", "t1", "dash-dot")),
    )
}


def make_optimizer(key: str, **hyper) -> GradientTransformation:
    """The race entry ``key`` as a :class:`GradientTransformation`.

    Hyperparameters not given take the entry's app defaults (:attr:`OptimizerSpec.defaults`,
    which may differ from the factory's torch defaults). ``learning_rate`` may be a schedule.
    Unknown keys or hyperparameter names raise ``ValueError`` listing the valid ones, e.g.
    ``make_optimizer("adam", learning_rate=0.05, rho1=0.8)``.
    """
    spec = OPTIMIZERS.get(key) if isinstance(key, str) else None
    if spec is None:
        raise ValueError(f"unknown optimizer {key!r}; choose from: {', '.join(OPTIMIZERS)}")
    return spec.make(**hyper)
