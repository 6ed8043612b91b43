r"""SGD with Nesterov momentum (``torch.optim.SGD(momentum=β, nesterov=True)``).

.. math::

    p_{t+1} &= β p_t + g_t \\
    W_{t+1} &= W_t - α_t (g_t + β p_{t+1})
"""

from __future__ import annotations


import numpy as np

from .base import Explained, GradientTransformation, LearningRate, Rule, learning_rate
from .momentum import BETA, VELOCITY, MomentumState, buffer_row, constants, heavy_ball_buffer, prepare


#: Nesterov keeps heavy-ball momentum's state (the velocity p), its constants (β) and its
#: per-step values (α); only the step taken from them differs.
NesterovState = MomentumState


def kernel(g, w, bufs, c, q, t):
    (p,) = bufs
    beta = c[0]
    heavy_ball_buffer(g, p, beta, t)
    g += np.multiply(p, beta)  # torch: grad.add(buf, alpha=β) = g + β·p
    g *= -q[0]  # torch: param.add_(grad, alpha=-lr)
    return g


def step(g, w, p, c, q, t):
    beta = c[0]
    if t == 0:
        pv = g
    else:
        pv = p * beta
        pv = pv + g
    return (g + pv * beta) * -q[0], pv


def explain(u) -> Explained:
    if u.t == 0:
        return Explained()
    return Explained(direction=u.buffers["p"], direction_label="−αp")


def rows(u, x, h, alpha, g):
    p = h.sub("p", u.t)
    return [buffer_row(u, h, g), (f"ΔW = {h.minus}{alpha} ({g} + β {p})", h.vector(u.step), "")]


RULE = Rule("nesterov", "Nesterov", "torch.optim.SGD(momentum=β, dampening=0, nesterov=True)",
            (learning_rate(1e-3), BETA), (VELOCITY,), NesterovState, constants, prepare, kernel, step, explain,
            rows)


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
    return RULE.transformation(learning_rate, beta=beta)
