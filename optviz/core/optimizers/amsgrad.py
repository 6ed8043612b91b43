r"""AMSGrad (``torch.optim.Adam(betas=(ρ₁, ρ₂), amsgrad=True)``): Adam whose step size never grows.

.. math::

    p_t, r_t &\text{ as in Adam}, \qquad r^{max}_t = \max(r^{max}_{t-1}, r_t) \\
    W_{t+1} &= W_t - α_t \frac{\hat p_t}{\sqrt{r^{max}_t / (1 - ρ_2^t)} + ε}
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

import importlib

from .base import Buffer, Explained, GradientTransformation, LearningRate, Rule, eps, learning_rate

# the module (the package's attribute `adam` is the factory function)
_adam = importlib.import_module(__package__ + ".adam")

MAX_SECOND = Buffer("r_max", "max second moment", "rᵐᵃˣ", "r<sup>max</sup>", 0.0, "max_exp_avg_sq")


class AMSGradState(NamedTuple):
    """State of :func:`amsgrad`.

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        p: the first moment (torch's ``exp_avg``), p_0 = 0, uncorrected.
        r: the second moment (torch's ``exp_avg_sq``), r_0 = 0, uncorrected.
        r_max: the largest second moment so far, r^max_t = max(r^max_{t−1}, r_t) per coordinate
            (torch's ``max_exp_avg_sq``), r^max_0 = 0.
    """

    count: np.ndarray
    p: np.ndarray
    r: np.ndarray
    r_max: np.ndarray


constants = _adam.constants
prepare = _adam.prepare


def kernel(g, w, bufs, c, q, t):
    p, r, r_max = bufs
    tmp = _adam.moments(g, p, r, c)
    np.maximum(r_max, r, out=r_max)  # torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    np.sqrt(r_max, out=g)  # denom = (max_exp_avg_sq.sqrt() / bc2_sqrt).add_(eps)
    g /= q[1]
    g += c[2]
    np.multiply(p, -q[0], out=tmp)
    np.divide(tmp, g, out=g)
    return g


def step(g, w, p, r, r_max, c, q, t):
    pv = _adam.first_moment(g, p, c)
    rv = _adam.second_moment(g, r, c)
    if r_max != r_max or not rv > r_max and rv == rv:  # np.maximum: NaN wins
        mv = r_max
    else:
        mv = rv
    den = math.sqrt(mv) / q[1] + c[2]
    return (pv * -q[0]) / den, pv, rv, mv


def explain(u) -> Explained:
    return _adam.bias_corrected(u, second="r_max")


def rows(u, x, h, alpha, g):
    t = u.t
    rm, rm_prev = h.sub(MAX_SECOND.html, t), h.sub(MAX_SECOND.html, t - 1)
    r_hat = h.hat("r") + "<sup>max</sup>"
    return [*_adam.moment_rows(u, h, g),
            (f"{rm} = max({rm_prev}, {h.sub('r', t)})", h.vector(u.buffers["r_max"]), "the largest r so far"),
            *_adam.correction_rows(u, x, h, r=MAX_SECOND.html, r_hat=r_hat),
            *_adam.adam_step_rows(u, x, h, alpha, r_hat=r_hat)]


RULE = Rule("amsgrad", "AMSGrad", "torch.optim.Adam(betas=(ρ₁, ρ₂), amsgrad=True, weight_decay=0)",
            (learning_rate(1e-3), _adam.RHO1, _adam.RHO2, eps(1e-8)), (_adam.FIRST, _adam.SECOND, MAX_SECOND),
            AMSGradState, constants, prepare, kernel, step, explain, rows)


def amsgrad(learning_rate: LearningRate = 1e-3, rho1: float = 0.9, rho2: float = 0.999,
            eps: float = 1e-8) -> GradientTransformation:
    r"""AMSGrad (``torch.optim.Adam(amsgrad=True)``): Adam with the largest second moment so far.

    .. math::

        r^{max}_t &= \max(r^{max}_{t-1}, r_t) \\
        W_{t+1} &= W_t - α_t \frac{\hat p_t}{\sqrt{r^{max}_t / (1 - ρ_2^t)} + ε}

    with p_t, r_t and p̂_t as in :func:`~optviz.core.optimizers.adam.adam` (ε added after the
    bias correction, torch's operation order). Since r^max never shrinks, a coordinate's step
    size α/(√r̂ + ε) can only shrink until the bias correction fades (Reddi et al.).

    Args:
        learning_rate: α (> 0), or a schedule t ↦ α_t. Default 1e-3 (torch's).
        rho1, rho2: the moments' decays in [0, 1); torch's ``betas``. Default 0.9, 0.999.
        eps: ε (>= 0). Default 1e-8.

    State: :class:`AMSGradState`, with ``p``, ``r`` and ``r_max`` (uncorrected).
    """
    return RULE.transformation(learning_rate, rho1=rho1, rho2=rho2, eps=eps)
