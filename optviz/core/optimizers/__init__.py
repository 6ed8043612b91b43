r"""The optimizers of the lecture: one module per update rule, and the registry.

Each rule module (``sgd.py``, ``momentum.py`` … ``nadam.py``) holds the rule's whole definition
(:class:`~.base.Rule`: hyperparameters, buffers, NumPy kernel, the scalar step numba compiles,
what the views show, the rows of the update rule); :mod:`.base` says what each piece is and the
conventions all rules share. Every other layer reads these definitions: the compiled kernels,
the simulation, the sliders, the update-rule panel, the overlays, the legends.

:data:`RULES` lists the rules (one line each; the compiled dispatch is generated from it) and
:data:`OPTIMIZERS` the race entries of the app (one line each: GD, SGD and mini-batch SGD are
the same :func:`sgd` rule fed gradients over batches of n, 1 and B samples), with their app
defaults and looks. :func:`make_optimizer` builds an optax-style pair by key::

    opt = make_optimizer("adam", learning_rate=0.05)
    state = opt.init(W)                       # W: shape (N, 2), N start points
    step, state = opt.update(grad(W), state, W)
    W = W + step                              # W_{t+1} = W_t + step
"""

from __future__ import annotations

from .adagrad import AdaGradState, adagrad
from .adam import AdamState, adam
from .adamw import AdamWState, adamw
from .amsgrad import AMSGradState, amsgrad
from .base import (
    DASH_STYLES,
    Buffer,
    Configured,
    Explained,
    GradientTransformation,
    Html,
    Hyper,
    OptimizerSpec,
    Rule,
    Update,
    spec,
    state_vectors,
)
from .momentum import MomentumState, momentum
from .nadam import NAdamState, nadam
from .nesterov import NesterovState, nesterov
from .rmsprop import RMSPropState, rmsprop
from .sgd import SGDState, sgd
from .adagrad import RULE as ADAGRAD
from .adam import RULE as ADAM
from .adamw import RULE as ADAMW
from .amsgrad import RULE as AMSGRAD
from .momentum import RULE as MOMENTUM
from .nadam import RULE as NADAM
from .nesterov import RULE as NESTEROV
from .rmsprop import RULE as RMSPROP
from .sgd import RULE as SGD

__all__ = [
    "GradientTransformation", "SGDState", "MomentumState", "NesterovState", "AdaGradState", "RMSPropState",
    "AdamState", "AdamWState", "AMSGradState", "NAdamState", "sgd", "momentum", "nesterov", "adagrad", "rmsprop",
    "adam", "adamw", "amsgrad", "nadam", "state_vectors", "OptimizerSpec",
    "OPTIMIZERS", "RULES", "DASH_STYLES", "make_optimizer", "rule_of", "Rule", "Hyper", "Buffer", "Update",
    "Explained", "Html", "Configured",
]

#: The update rules by key, in the compiled kernels' order (one line each).
RULES = {
    rule.key: rule
    for rule in (
        SGD,
        MOMENTUM,
        NESTEROV,
        ADAGRAD,
        RMSPROP,
        ADAM,
        ADAMW,
        AMSGRAD,
        NADAM,
    )
}

#: The race entries by key (one line each). App defaults vs the factories' (torch's) defaults:
#: only the learning rates differ from torch: the 2-D surfaces span a few units, so the
#: sign-like steps of AdaGrad and Adam need a larger α to cross the view in a few hundred
#: steps, and the gradient methods a larger one than torch's 1e-3 to move visibly.
#:
#: Looks (``look=(colour, marker, dash)``): a colour-vision-deficiency-safe set chosen for a
#: white projector screen and the ice-to-slate map; the minimum pairwise CIEDE2000 under normal
#: vision, deuteranopia and protanopia and the contrast on white are pinned by tests/test_look.py.
#: Families: GD blue and its stochastic siblings SGD sky blue, mini-batch green; momentum
#: orange and Nesterov brown; AdaGrad purple, RMSProp crimson, Adam teal; its variants dark:
#: AdamW black-green, AMSGrad black-plum, NAdam navy (with eleven colours, only very dark ones
#: stay far enough from all the others under red-green deficiency). Every pair of
#: optimizers differs in marker; the runs raced together most often differ in dash as well.
#: No head is a star (★ marks the minima), a cross (× saddles, diverged runs) or a ring (start).
#: The look belongs to the race entry, not the rule: GD, SGD and mini-batch share a rule.
OPTIMIZERS: dict[str, OptimizerSpec] = {
    entry.key: entry
    for entry in (
        spec(SGD, sgd, "gd", "GD", learning_rate=1e-2, look=("#0F2DFF", "o", "solid")),
        spec(SGD, sgd, "sgd", "SGD", "single", 1, learning_rate=1e-2, look=("#3A93FA", "t", "long-dash")),
        spec(SGD, sgd, "minibatch", "Mini-batch SGD", "mini", 16, learning_rate=1e-2,
             look=("#197D50", "d", "dash-dot-dot")),
        spec(MOMENTUM, momentum, learning_rate=1e-2, look=("#EC6A00", "s", "dash")),
        spec(NESTEROV, nesterov, learning_rate=1e-2, look=("#6E4600", "t2", "dash-dot-dot")),
        spec(ADAGRAD, adagrad, learning_rate=1e-1, look=("#A0199B", "h", "long-dash")),
        spec(RMSPROP, rmsprop, learning_rate=1e-2, look=("#F0235F", "p", "dot")),
        spec(ADAM, adam, learning_rate=5e-2, look=("#00A28E", "t1", "dash-dot")),
        spec(ADAMW, adamw, learning_rate=5e-2, look=("#002200", "t3", "dash")),
        spec(AMSGRAD, amsgrad, learning_rate=5e-2, look=("#220022", "arrow_up", "dot")),
        spec(NADAM, nadam, learning_rate=5e-2, look=("#000077", "arrow_down", "long-dash")),
    )
}


def rule_of(key: str) -> Rule:
    """The update rule behind the race entry ``key`` (GD, SGD and mini-batch: ``sgd``)."""
    return get_spec(key).rule


def get_spec(key: str) -> OptimizerSpec:
    """The race entry ``key``, or ValueError listing the valid keys."""
    entry = OPTIMIZERS.get(key) if isinstance(key, str) else None
    if entry is None:
        raise ValueError(f"unknown optimizer {key!r}; choose from: {', '.join(OPTIMIZERS)}")
    return entry


def make_optimizer(key: str, **hyper) -> GradientTransformation:
    """The race entry ``key`` as a :class:`GradientTransformation`.

    Hyperparameters not given take the entry's app defaults (:attr:`OptimizerSpec.defaults`,
    which may differ from the factory's torch defaults). ``learning_rate`` may be a schedule.
    Unknown keys or hyperparameter names raise ``ValueError`` listing the valid ones, e.g.
    ``make_optimizer("adam", learning_rate=0.05, rho1=0.8)``.
    """
    return get_spec(key).make(**hyper)
