r"""Gradient descent: GD, SGD and mini-batch SGD (``torch.optim.SGD`` with ``momentum=0``).

.. math::

    W_{t+1} = W_t - α_t g_t

The three race entries differ only in the gradient g_t fed in: the mean over all n samples
(GD), over one sample (SGD) or over a mini-batch of B samples.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Explained, GradientTransformation, LearningRate, Rule, learning_rate


class SGDState(NamedTuple):
    """State of :func:`sgd` (GD, SGD, mini-batch SGD).

    Attributes:
        count: 0-d int64 array, the number of updates done so far.
    """

    count: np.ndarray


def constants(hyper) -> tuple[float, ...]:
    return ()


def prepare(c, lr, t):
    return (lr,)


def kernel(g, w, bufs, c, q, t):
    g *= -q[0]  # torch: param.add_(grad, alpha=-lr) = W + (−α)·g
    return g


def step(g, w, c, q, t):
    return g * -q[0]


def explain(u) -> Explained:
    return Explained()


def rows(u, x, h, alpha, g):
    return [(f"ΔW = {h.minus}{alpha} {g}", h.vector(u.step), "")]


RULE = Rule("sgd", "SGD", "torch.optim.SGD(momentum=0)", (learning_rate(1e-3),), (), SGDState, constants,
            prepare, kernel, step, explain, rows)


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
    return RULE.transformation(learning_rate)
