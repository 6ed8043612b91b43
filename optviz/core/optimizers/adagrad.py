r"""AdaGrad (``torch.optim.Adagrad`` with ``lr_decay=0``, ``initial_accumulator_value=0``).

.. math::

    r_t &= r_{t-1} + g_t ⊙ g_t, \qquad r_0 = 0 \\
    W_{t+1} &= W_t - \frac{α_t}{\sqrt{r_t} + ε} ⊙ g_t
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .base import Buffer, Explained, GradientTransformation, LearningRate, Rule, eps, learning_rate


class AdaGradState(NamedTuple):
    """State of :func:`adagrad`.

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        r: the sum of squared gradients r_t = Σ_{s≤t} g_s ⊙ g_s (torch's ``sum``), shape of
            the params, r_0 = 0.
    """

    count: np.ndarray
    r: np.ndarray


def constants(hyper) -> tuple[float, ...]:
    return (hyper["eps"],)


def prepare(c, lr, t):
    return (lr,)


def kernel(g, w, bufs, c, q, t):
    (r,) = bufs
    tmp = np.multiply(g, g)  # torch: sum.addcmul_(g, g, value=1)
    r += tmp
    np.sqrt(r, out=tmp)  # torch: std = sum.sqrt().add_(eps)
    tmp += c[0]
    g *= -q[0]  # torch: param.addcdiv_(g, std, value=-lr) = W + (−α·g)/std
    g /= tmp
    return g


def step(g, w, r, c, q, t):
    rv = r + g * g
    return (g * -q[0]) / (math.sqrt(rv) + c[0]), rv


def plain_step_size(u, label="α/(ε+√r)") -> Explained:
    """α/(ε + √r) per axis (AdaGrad, RMSProp)."""
    if u.t == 0:
        return Explained()
    eps = float(u.hyper["eps"])
    with np.errstate(all="ignore"):
        per_axis = 1.0 / (eps + np.sqrt(u.buffers["r"]))
        step_size = u.alpha / (eps + np.sqrt(u.buffers["r"]))
    return Explained(per_axis=per_axis, step_size=step_size, step_size_label=label)


def step_size_rows(u, x, h, alpha, g):
    """The per-axis step size and the step of AdaGrad and RMSProp."""
    r = h.sub("r", u.t)
    return [(f"{alpha} / (ε + √{r})", h.vector(x.step_size), "step size per axis"),
            (f"ΔW = {h.minus}{alpha} / (ε + √{r}) ⊙ {g}", h.vector(u.step), "")]


def explain(u) -> Explained:
    return plain_step_size(u)


def rows(u, x, h, alpha, g):
    r, r_prev = h.sub("r", u.t), h.sub("r", u.t - 1)
    return [(f"{r} = {r_prev} + {g} ⊙ {g}", h.vector(u.buffers["r"]), ""), *step_size_rows(u, x, h, alpha, g)]


RULE = Rule("adagrad", "AdaGrad", "torch.optim.Adagrad(lr_decay=0, initial_accumulator_value=0)",
            (learning_rate(1e-2), eps(1e-10)), (Buffer("r", "sum of squares", "r", "r", 0.0, "sum"),),
            AdaGradState, constants, prepare, kernel, step, explain, rows)


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
    return RULE.transformation(learning_rate, eps=eps)
