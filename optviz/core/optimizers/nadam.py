r"""NAdam (``torch.optim.NAdam(betas=(ρ₁, ρ₂), momentum_decay=ψ)``): Adam with Nesterov momentum.

.. math::

    μ_t &= ρ_1 (1 - ½ · 0.96^{t ψ}), \qquad Π_t = \prod_{s \le t} μ_s \\
    p_t, r_t &\text{ as in Adam}, \qquad \hat r_t = r_t / (1 - ρ_2^t) \\
    W_{t+1} &= W_t - α_t \left( \frac{(1 - μ_t)\, g_t}{1 - Π_t} + \frac{μ_{t+1}\, p_t}{1 - Π_{t+1}} \right) / (\sqrt{\hat r_t} + ε)

Dozat's schedule μ_t warms the momentum up from ρ₁/2 towards ρ₁ (torch's ``momentum_decay``
ψ = 0.004); Π_t is torch's ``mu_product``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

import importlib

from .base import Buffer, Explained, GradientTransformation, Hyper, LearningRate, Rule, eps, learning_rate

# the module (the package's attribute `adam` is the factory function)
_adam = importlib.import_module(__package__ + ".adam")

MOMENTUM_DECAY = Hyper("momentum_decay", "ψ", "ψ", "ψ (momentum decay)",
                       "ψ: how fast the momentum μₜ = ρ₁(1 − ½·0.96^(tψ)) warms up from ρ₁/2 to ρ₁", 4e-3, 1e-4, 1.0,
                       "log", "nonnegative", "momentum_decay")
PRODUCT = Buffer("mu_product", "momentum schedule product", "Π", "Π", 1.0, "mu_product")


class NAdamState(NamedTuple):
    """State of :func:`nadam`.

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        p: the first moment (torch's ``exp_avg``), p_0 = 0, uncorrected.
        r: the second moment (torch's ``exp_avg_sq``), r_0 = 0, uncorrected.
        mu_product: Π_t = μ_1 ⋯ μ_t, the same in every coordinate (torch's ``mu_product``,
            one number per parameter there), Π_0 = 1.
    """

    count: np.ndarray
    p: np.ndarray
    r: np.ndarray
    mu_product: np.ndarray


def constants(hyper) -> tuple[float, ...]:
    """Adam's constants, then ψ."""
    return (*_adam.constants(hyper), hyper["momentum_decay"])


def prepare(c, lr, t):
    """(α_t, 1 − ρ₂^(t+1), μ_(t+1), μ_(t+2)) as torch computes them (step = t + 1)."""
    step = float(t + 1)
    bias_correction2 = 1 - c[1] ** step
    mu = c[0] * (1.0 - 0.5 * (0.96 ** (step * c[7])))
    mu_next = c[0] * (1.0 - 0.5 * (0.96 ** ((step + 1) * c[7])))
    return (lr, bias_correction2, mu, mu_next)


def kernel(g, w, bufs, c, q, t):
    p, r, mu_product = bufs
    lr, bias_correction2, mu, mu_next = q
    mu_product *= mu  # torch: mu_product *= mu
    tmp = _adam.moments(g, p, r, c)
    den = np.divide(r, bias_correction2)  # denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
    np.sqrt(den, out=den)
    den += c[2]
    # torch: param.addcdiv_(grad, denom, value=(-lr * (1 - mu) / (1 - mu_product)))
    #        param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1 - mu_product * mu_next))
    value = np.subtract(1.0, mu_product)
    np.divide(-lr * (1.0 - mu), value, out=value)
    g *= value
    g /= den
    g += w  # torch adds the two terms to W one after the other
    np.multiply(mu_product, mu_next, out=value)
    np.subtract(1.0, value, out=value)
    np.divide(-lr * mu_next, value, out=value)
    np.multiply(value, p, out=tmp)
    tmp /= den
    g += tmp
    g -= w  # the new W minus W as the step: exact where they are within a factor 2 (Sterbenz)
    return g


def step(g, w, p, r, mu_product, c, q, t):
    lr, bias_correction2, mu, mu_next = q[0], q[1], q[2], q[3]
    mp = mu_product * mu
    pv = _adam.first_moment(g, p, c)
    rv = _adam.second_moment(g, r, c)
    den = math.sqrt(rv / bias_correction2) + c[2]
    a = (((-lr * (1.0 - mu)) / (1.0 - mp)) * g) / den
    b = (((-lr * mu_next) / (1.0 - mp * mu_next)) * pv) / den
    return ((w + a) + b) - w, pv, rv, mp


def mu(hyper, t: int) -> float:
    """μ_t of update t (1-based)."""
    return float(hyper["rho1"]) * (1.0 - 0.5 * (0.96 ** (float(t) * float(hyper["momentum_decay"]))))


def explain(u) -> Explained:
    if u.t == 0:
        return Explained()
    t, hyper = u.t, u.hyper
    eps = float(hyper["eps"])
    bias2 = 1.0 - float(hyper["rho2"]) ** t
    mu_t, mu_next = mu(hyper, t), mu(hyper, t + 1)
    product = float(np.ravel(u.buffers["mu_product"])[0])  # the same in every coordinate
    with np.errstate(all="ignore"):
        r_hat = u.buffers["r"] / bias2
        a = (1.0 - mu_t) / (1.0 - product)
        b = mu_next / (1.0 - product * mu_next)
        direction = a * u.g + b * u.buffers["p"]
        per_axis = 1.0 / (np.sqrt(r_hat) + eps)
        step_size = u.alpha / (np.sqrt(r_hat) + eps)
    return Explained(values={"mu": mu_t, "mu_next": mu_next, "r_hat": r_hat, "bias2": bias2, "p_bar": direction,
                             "a": a, "b": b},
                     direction=direction, direction_label="−αp̄", per_axis=per_axis, step_size=step_size,
                     step_size_label="α/(√r̂+ε)")


def rows(u, x, h, alpha, g):
    t = u.t
    rho1, rho2 = _adam.RHO1.html, _adam.RHO2.html
    mu_t, mu_next = h.sub("μ", t), h.sub("μ", t + 1)
    p, rh = h.sub("p", t), h.sub(h.hat("r"), t)
    pbar, a, b = h.sub("p̄", t), h.sub("a", t), h.sub("b", t)
    pi_t, pi_next = h.sub("Π", t), h.sub("Π", t + 1)
    return [*_adam.moment_rows(u, h, g),
            (f"{rh} = {h.sub('r', t)} / (1 {h.minus} {rho2}<sup>{t}</sup>)", h.vector(x.values["r_hat"]),
             f"1 {h.minus} {rho2}<sup>{t}</sup> = {h.number(x.values['bias2'])}"),
            (f"{mu_t} = {rho1} (1 {h.minus} ½·0.96<sup>tψ</sup>)", h.number(x.values["mu"]),
             f"{mu_next} = {h.number(x.values['mu_next'])},&nbsp; {pi_t} = {h.sub('μ', 1)}⋯{mu_t}"),
            (f"{pbar} = {a} {g} + {b} {p}", h.vector(x.values["p_bar"]),
             f"{a} = (1 {h.minus} {mu_t}) / (1 {h.minus} {pi_t}) = {h.number(x.values['a'])}<br>"
             f"{b} = {mu_next} / (1 {h.minus} {pi_next}) = {h.number(x.values['b'])}"),
            (f"{alpha} / (√{rh} + ε)", h.vector(x.step_size), "step size per axis"),
            (f"ΔW = {h.minus}{alpha} {pbar} / (√{rh} + ε)", h.vector(u.step), "")]


RULE = Rule("nadam", "NAdam", "torch.optim.NAdam(betas=(ρ₁, ρ₂), momentum_decay=ψ, weight_decay=0)",
            (learning_rate(2e-3), _adam.RHO1, _adam.RHO2, eps(1e-8), MOMENTUM_DECAY),
            (_adam.FIRST, _adam.SECOND, PRODUCT), NAdamState, constants, prepare, kernel, step, explain, rows,
            uses_params=True)


def nadam(learning_rate: LearningRate = 2e-3, rho1: float = 0.9, rho2: float = 0.999, eps: float = 1e-8,
          momentum_decay: float = 4e-3) -> GradientTransformation:
    r"""NAdam (``torch.optim.NAdam``): Adam with Nesterov momentum and Dozat's momentum schedule.

    .. math::

        μ_t &= ρ_1 (1 - ½ · 0.96^{t ψ}), \qquad Π_t = μ_1 ⋯ μ_t \\
        W_{t+1} &= W_t - α_t \left( \frac{(1 - μ_t) g_t}{1 - Π_t}
                   + \frac{μ_{t+1} p_t}{1 - Π_{t+1}} \right) / (\sqrt{r_t / (1 - ρ_2^t)} + ε)

    with p_t, r_t Adam's moments (torch's operation order; ε added after the bias correction)
    and t the 1-based update number. The first term is the gradient's own share of the
    Nesterov look-ahead, the second the momentum's, each bias-corrected by its Π. torch adds
    the two terms to W one after the other; the returned step is that new W minus W_t, so
    ``update`` needs the parameters W_t.

    Args:
        learning_rate: α (> 0), or a schedule t ↦ α_t. Default 2e-3 (torch's).
        rho1, rho2: the moments' decays in [0, 1); torch's ``betas``. Default 0.9, 0.999.
        eps: ε (>= 0). Default 1e-8.
        momentum_decay: ψ (>= 0), torch's ``momentum_decay``. Default 4e-3.

    State: :class:`NAdamState`, with ``p``, ``r`` and ``mu_product``.
    """
    return RULE.transformation(learning_rate, rho1=rho1, rho2=rho2, eps=eps, momentum_decay=momentum_decay)
