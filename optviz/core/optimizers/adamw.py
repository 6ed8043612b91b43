r"""AdamW: Adam with decoupled weight decay (``torch.optim.AdamW(betas=(ρ₁, ρ₂), weight_decay=λ)``).

.. math::

    p_t, r_t, \hat p_t, \hat r_t &\text{ as in Adam} \\
    W_{t+1} &= W_t - α_t λ W_t - α_t \frac{\hat p_t}{\sqrt{\hat r_t} + ε}

The decay pulls W towards 0 by α λ W every step, apart from the adaptive step (Loshchilov &
Hutter): with Adam's L2 penalty instead, the pull would be divided by √r̂ like the gradient.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

import importlib

from .base import GradientTransformation, Hyper, LearningRate, Rule, eps, learning_rate

# the module (the package's attribute `adam` is the factory function)
_adam = importlib.import_module(__package__ + ".adam")

WEIGHT_DECAY = Hyper("weight_decay", "λ", "λ", "λ (weight decay)",
                     "λ: every step also pulls W towards 0 by α·λ·W, apart from the adaptive step", 1e-2, 1e-4, 10.0,
                     "log", "nonnegative", "weight_decay")


class AdamWState(NamedTuple):
    """State of :func:`adamw`: Adam's moments.

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        p: the first moment (torch's ``exp_avg``), p_0 = 0, uncorrected.
        r: the second moment (torch's ``exp_avg_sq``), r_0 = 0, uncorrected.
    """

    count: np.ndarray
    p: np.ndarray
    r: np.ndarray


def constants(hyper) -> tuple[float, ...]:
    """Adam's constants, then λ."""
    return (*_adam.constants(hyper), hyper["weight_decay"])


def prepare(c, lr, t):
    """Adam's (step_size, √(1 − ρ₂^(t+1))), then torch's 1 − α_t λ."""
    step = float(t + 1)
    bias_correction1 = 1 - c[0] ** step
    bias_correction2 = 1 - c[1] ** step
    return (lr / bias_correction1, bias_correction2**0.5, 1 - lr * c[7])


def kernel(g, w, bufs, c, q, t):
    p, r = bufs
    tmp = _adam.moments(g, p, r, c)
    np.sqrt(r, out=g)
    g /= q[1]
    g += c[2]
    np.multiply(p, -q[0], out=tmp)
    np.divide(tmp, g, out=g)  # Adam's step
    # torch: param.mul_(1 − α λ) and then param.addcdiv_(…): the new W, minus W as the step
    # (exact where the two are within a factor 2 of each other, Sterbenz), so W + step is
    # torch's W bit for bit up to its fused multiply-adds
    np.multiply(w, q[2], out=tmp)
    tmp += g
    np.subtract(tmp, w, out=g)
    return g


def step(g, w, p, r, c, q, t):
    pv = _adam.first_moment(g, p, c)
    rv = _adam.second_moment(g, r, c)
    den = math.sqrt(rv) / q[1] + c[2]
    return (w * q[2] + (pv * -q[0]) / den) - w, pv, rv


def explain(u):
    return _adam.bias_corrected(u)


def rows(u, x, h, alpha, g):
    ph, rh = h.sub(h.hat("p"), u.t), h.sub(h.hat("r"), u.t)
    w_prev = h.sub("W", u.t - 1)
    return [*_adam.moment_rows(u, h, g), *_adam.correction_rows(u, x, h),
            (f"{alpha} / (√{rh} + ε)", h.vector(x.step_size), "step size per axis"),
            (f"ΔW = {h.minus}{alpha} λ {w_prev} {h.minus} {alpha} {ph} / (√{rh} + ε)", h.vector(u.step),
             "decay apart from the adaptive step")]


RULE = Rule("adamw", "AdamW", "torch.optim.AdamW(betas=(ρ₁, ρ₂), weight_decay=λ, amsgrad=False)",
            (learning_rate(1e-3), _adam.RHO1, _adam.RHO2, eps(1e-8), WEIGHT_DECAY), (_adam.FIRST, _adam.SECOND),
            AdamWState, constants, prepare, kernel, step, explain, rows, uses_params=True)


def adamw(learning_rate: LearningRate = 1e-3, rho1: float = 0.9, rho2: float = 0.999, eps: float = 1e-8,
          weight_decay: float = 1e-2) -> GradientTransformation:
    r"""AdamW (``torch.optim.AdamW``): Adam with decoupled weight decay.

    .. math::

        W_{t+1} = W_t - α_t λ W_t - α_t \frac{\hat p_t}{\sqrt{\hat r_t} + ε}

    with p̂, r̂ Adam's bias-corrected moments (see :func:`~optviz.core.optimizers.adam.adam`,
    ε added after the bias correction). torch multiplies W by (1 − α λ) before Adam's
    step; here the returned step is that new W minus W_t, so ``update`` needs the parameters
    W_t. λ = 0 is Adam.

    Args:
        learning_rate: α (> 0), or a schedule t ↦ α_t (the decay follows it). Default 1e-3.
        rho1, rho2: the moments' decays in [0, 1); torch's ``betas``. Default 0.9, 0.999.
        eps: ε (>= 0). Default 1e-8.
        weight_decay: λ (>= 0). Default 1e-2 (torch's).

    State: :class:`AdamWState`, with the moments ``p`` and ``r`` (uncorrected).
    """
    return RULE.transformation(learning_rate, rho1=rho1, rho2=rho2, eps=eps, weight_decay=weight_decay)
