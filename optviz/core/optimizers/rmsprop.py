r"""RMSProp (``torch.optim.RMSprop`` with ``alpha=ρ``, ``centered=False``, ``momentum=0``).

.. math::

    r_t &= ρ r_{t-1} + (1 - ρ) g_t ⊙ g_t, \qquad r_0 = 0 \\
    W_{t+1} &= W_t - \frac{α_t}{\sqrt{r_t} + ε} ⊙ g_t
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .adagrad import plain_step_size, step_size_rows
from .base import Buffer, GradientTransformation, LearningRate, Rule, decay, eps, learning_rate


class RMSPropState(NamedTuple):
    """State of :func:`rmsprop`.

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        r: the running mean of squared gradients r_t = ρ r_{t−1} + (1 − ρ) g_t ⊙ g_t
            (torch's ``square_avg``), shape of the params, r_0 = 0.
    """

    count: np.ndarray
    r: np.ndarray


def constants(hyper) -> tuple[float, ...]:
    rho = hyper["rho"]
    return (rho, hyper["eps"], 1 - rho)


def prepare(c, lr, t):
    return (lr,)


def kernel(g, w, bufs, c, q, t):
    (r,) = bufs
    rho, eps, one_minus_rho = c[0], c[1], c[2]
    r *= rho  # torch: square_avg.mul_(ρ).addcmul_(g, g, value=1-ρ) = ρr + ((1-ρ)·g)·g
    tmp = np.multiply(g, one_minus_rho)
    tmp *= g
    r += tmp
    np.sqrt(r, out=tmp)  # torch: avg = square_avg.sqrt().add_(eps)
    tmp += eps
    g *= -q[0]  # torch: param.addcdiv_(g, avg, value=-lr)
    g /= tmp
    return g


def step(g, w, r, c, q, t):
    rv = r * c[0]
    rv = rv + (g * c[2]) * g
    return (g * -q[0]) / (math.sqrt(rv) + c[1]), rv


def explain(u):
    return plain_step_size(u)


def rows(u, x, h, alpha, g):
    r, r_prev = h.sub("r", u.t), h.sub("r", u.t - 1)
    return [(f"{r} = ρ {r_prev} + (1 {h.minus} ρ) {g} ⊙ {g}", h.vector(u.buffers["r"]), ""),
            *step_size_rows(u, x, h, alpha, g)]


RHO = decay("rho", "ρ", "ρ", "ρ (decay)", "ρ: decay of the running average r of squared gradients", 0.99, "alpha")

RULE = Rule("rmsprop", "RMSProp", "torch.optim.RMSprop(alpha=ρ, centered=False, momentum=0)",
            (learning_rate(1e-2), RHO, eps(1e-8)), (Buffer("r", "second moment", "r", "r", 0.0, "square_avg"),),
            RMSPropState, constants, prepare, kernel, step, explain, rows)


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
    return RULE.transformation(learning_rate, rho=rho, eps=eps)
