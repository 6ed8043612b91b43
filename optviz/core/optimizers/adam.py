r"""Adam (``torch.optim.Adam`` with ``betas=(ρ₁, ρ₂)``, ``amsgrad=False``, ``weight_decay=0``).

.. math::

    p_t &= ρ_1 p_{t-1} + (1 - ρ_1) g_t, \qquad p_0 = 0 \\
    r_t &= ρ_2 r_{t-1} + (1 - ρ_2) g_t ⊙ g_t, \qquad r_0 = 0 \\
    \hat p_t &= p_t / (1 - ρ_1^t), \qquad \hat r_t = r_t / (1 - ρ_2^t) \\
    W_{t+1} &= W_t - α_t \frac{\hat p_t}{\sqrt{\hat r_t} + ε}

The moment updates and the bias corrections here are shared by AdamW, AMSGrad and NAdam.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..scalar import scalar
from .base import Buffer, Explained, GradientTransformation, LearningRate, Rule, decay, eps, learning_rate

RHO1 = decay("rho1", "ρ₁", "ρ<sub>1</sub>", "ρ₁ (1st moment)", "ρ₁: decay of the running average p of gradients",
             0.9, "betas[0]")
RHO2 = decay("rho2", "ρ₂", "ρ<sub>2</sub>", "ρ₂ (2nd moment)",
             "ρ₂: decay of the running average r of squared gradients", 0.999, "betas[1]")
FIRST = Buffer("p", "first moment", "p", "p", 0.0, "exp_avg")
SECOND = Buffer("r", "second moment", "r", "r", 0.0, "exp_avg_sq")


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


def constants(hyper) -> tuple[float, ...]:
    """(ρ₁, ρ₂, ε, w, 1 − w, 1 − ρ₂, small) with w = 1 − ρ₁ the lerp weight; small (1.0 or 0.0):
    |w| < ½, where torch's lerp switches formula for accuracy."""
    rho1, rho2 = hyper["rho1"], hyper["rho2"]
    weight = 1 - rho1  # torch: exp_avg.lerp_(grad, 1 - beta1)
    return (rho1, rho2, hyper["eps"], weight, 1.0 - weight, 1 - rho2, 1.0 if abs(weight) < 0.5 else 0.0)


def prepare(c, lr, t):
    """(α_t / (1 − ρ₁^(t+1)), √(1 − ρ₂^(t+1))): torch's step_size and bias_correction2_sqrt."""
    step = float(t + 1)
    bias_correction1 = 1 - c[0] ** step
    bias_correction2 = 1 - c[1] ** step
    return (lr / bias_correction1, bias_correction2**0.5)


def moments(g, p, r, c):
    """p ← lerp(p, g, 1 − ρ₁), r ← ρ₂ r + ((1 − ρ₂) g) g, in torch's order; returns a scratch
    array of g's shape."""
    tmp = np.subtract(g, p)  # lerp: end − self
    if c[6]:
        tmp *= c[3]
        p += tmp  # p + w (g − p)
    else:
        tmp *= c[4]
        np.subtract(g, tmp, out=p)  # g − (g − p)(1 − w)
    r *= c[1]  # exp_avg_sq.mul_(ρ₂).addcmul_(g, g, value=1-ρ₂)
    np.multiply(g, c[5], out=tmp)
    tmp *= g
    r += tmp
    return tmp


def kernel(g, w, bufs, c, q, t):
    p, r = bufs
    tmp = moments(g, p, r, c)
    np.sqrt(r, out=g)  # denom = (exp_avg_sq.sqrt() / bc2_sqrt).add_(eps)
    g /= q[1]
    g += c[2]
    np.multiply(p, -q[0], out=tmp)  # param.addcdiv_(exp_avg, denom, value=-step_size)
    np.divide(tmp, g, out=g)
    return g


@scalar
def first_moment(g, p, c):
    """One coordinate of :func:`moments`' p."""
    if c[6] != 0.0:
        return p + (g - p) * c[3]
    return g - (g - p) * c[4]


@scalar
def second_moment(g, r, c):
    """One coordinate of :func:`moments`' r."""
    rv = r * c[1]
    return rv + (g * c[5]) * g


def step(g, w, p, r, c, q, t):
    pv = first_moment(g, p, c)
    rv = second_moment(g, r, c)
    den = math.sqrt(rv) / q[1] + c[2]
    return (pv * -q[0]) / den, pv, rv


def bias_corrected(u, second="r") -> Explained:
    """p̂ = p/(1 − ρ₁ᵗ), r̂ = r/(1 − ρ₂ᵗ) (of the buffer ``second``) and α/(√r̂ + ε)."""
    if u.t == 0:
        return Explained()
    t, hyper = u.t, u.hyper
    eps = float(hyper["eps"])
    bias1 = 1.0 - float(hyper["rho1"]) ** t
    bias2 = 1.0 - float(hyper["rho2"]) ** t
    with np.errstate(all="ignore"):
        p_hat = u.buffers["p"] / bias1
        r_hat = u.buffers[second] / bias2
        step_size = u.alpha / (np.sqrt(r_hat) + eps)
        per_axis = 1.0 / (np.sqrt(u.buffers[second] / (1.0 - hyper["rho2"] ** t)) + eps)
    return Explained(values={"p_hat": p_hat, "r_hat": r_hat, "bias1": bias1, "bias2": bias2}, direction=p_hat,
                     direction_label="−αp̂", per_axis=per_axis, step_size=step_size,
                     step_size_label="α/(√r̂+ε)")


def explain(u) -> Explained:
    return bias_corrected(u)


def moment_rows(u, h, g):
    t = u.t
    p, p_prev, r, r_prev = h.sub("p", t), h.sub("p", t - 1), h.sub("r", t), h.sub("r", t - 1)
    rho1, rho2 = RHO1.html, RHO2.html
    return [(f"{p} = {rho1} {p_prev} + (1 {h.minus} {rho1}) {g}", h.vector(u.buffers["p"]), ""),
            (f"{r} = {rho2} {r_prev} + (1 {h.minus} {rho2}) {g} ⊙ {g}", h.vector(u.buffers["r"]), "")]


def correction_rows(u, x, h, r="r", r_hat=None):
    """p̂ₜ and r̂ₜ (of the second-moment buffer with rich-text symbol ``r``; ``r_hat``: its
    symbol with the hat, when the hat goes on part of it, as for rᵐᵃˣ)."""
    t = u.t
    p = h.sub("p", t)
    rho1, rho2 = RHO1.html, RHO2.html
    ph, rh = h.sub(h.hat("p"), t), h.sub(r_hat or h.hat(r), t)
    return [(f"{ph} = {p} / (1 {h.minus} {rho1}<sup>{t}</sup>)", h.vector(x.values["p_hat"]),
             f"1 {h.minus} {rho1}<sup>{t}</sup> = {h.number(x.values['bias1'])}"),
            (f"{rh} = {h.sub(r, t)} / (1 {h.minus} {rho2}<sup>{t}</sup>)", h.vector(x.values["r_hat"]),
             f"1 {h.minus} {rho2}<sup>{t}</sup> = {h.number(x.values['bias2'])}")]


def adam_step_rows(u, x, h, alpha, r_hat=None):
    ph, rh = h.sub(h.hat("p"), u.t), h.sub(r_hat or h.hat("r"), u.t)
    return [(f"{alpha} / (√{rh} + ε)", h.vector(x.step_size), "step size per axis"),
            (f"ΔW = {h.minus}{alpha} {ph} / (√{rh} + ε)", h.vector(u.step), "")]


def rows(u, x, h, alpha, g):
    return [*moment_rows(u, h, g), *correction_rows(u, x, h), *adam_step_rows(u, x, h, alpha)]


RULE = Rule("adam", "Adam", "torch.optim.Adam(betas=(ρ₁, ρ₂), amsgrad=False, weight_decay=0)",
            (learning_rate(1e-3), RHO1, RHO2, eps(1e-8)), (FIRST, SECOND), AdamState, constants, prepare, kernel,
            step, explain, rows)


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

    Computed in torch's operation order (see :mod:`optviz.core.optimizers.base` on bit-level
    parity)::

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
    return RULE.transformation(learning_rate, rho1=rho1, rho2=rho2, eps=eps)
