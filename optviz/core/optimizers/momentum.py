r"""SGD with momentum, the stochastic heavy ball method
(``torch.optim.SGD(momentum=β, dampening=0, nesterov=False)``).

.. math::

    p_{t+1} &= β p_t + g_t \\
    W_{t+1} &= W_t - α_t p_{t+1}

The buffer starts at the **first gradient**, p_1 = g_1 (torch's convention).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Buffer, Explained, GradientTransformation, LearningRate, Rule, decay, learning_rate

BETA = decay("beta", "β", "β", "β (momentum)", "β: how much of the previous velocity p is kept (heavy ball)", 0.9,
             "momentum")
VELOCITY = Buffer("p", "velocity", "p", "p", 0.0, "momentum_buffer")


class MomentumState(NamedTuple):
    """State of :func:`momentum` (heavy ball).

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
        p: the velocity p_t (torch's ``momentum_buffer``), shape of the params. Zeros before
            the first update, then p_1 = g_1 and p_{t+1} = β p_t + g_{t+1}.
    """

    count: np.ndarray
    p: np.ndarray


def constants(hyper) -> tuple[float, ...]:
    return (hyper["beta"],)


def prepare(c, lr, t):
    return (lr,)


def heavy_ball_buffer(g: np.ndarray, p: np.ndarray, beta: float, t: int) -> None:
    """p ← g on the first update, else p ← β p + g (torch: buf.mul_(β).add_(g))."""
    if t == 0:
        np.copyto(p, g)
    else:
        p *= beta
        p += g


def kernel(g, w, bufs, c, q, t):
    (p,) = bufs
    heavy_ball_buffer(g, p, c[0], t)
    np.multiply(p, -q[0], out=g)  # torch: param.add_(buf, alpha=-lr)
    return g


def step(g, w, p, c, q, t):
    if t == 0:
        pv = g
    else:
        pv = p * c[0]
        pv = pv + g
    return pv * -q[0], pv


def explain(u) -> Explained:
    if u.t == 0:
        return Explained()
    return Explained(direction=u.buffers["p"], direction_label="−αp")


def buffer_row(u, h, g):
    """p_t = β p_{t−1} + g_t (p_1 = g_1), shared with Nesterov."""
    t = u.t
    p, p_prev = h.sub("p", t), h.sub("p", t - 1)
    if t == 1:
        return (f"{p} = {g}", h.vector(u.buffers["p"]), "the buffer starts at the first gradient")
    return (f"{p} = β {p_prev} + {g}", h.vector(u.buffers["p"]), "")


def rows(u, x, h, alpha, g):
    return [buffer_row(u, h, g), (f"ΔW = {h.minus}{alpha} {h.sub('p', u.t)}", h.vector(u.step), "")]


RULE = Rule("momentum", "Momentum", "torch.optim.SGD(momentum=β, dampening=0, nesterov=False)",
            (learning_rate(1e-3), BETA), (VELOCITY,), MomentumState, constants, prepare, kernel, step, explain,
            rows)


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
    return RULE.transformation(learning_rate, beta=beta)
