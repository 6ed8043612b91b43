"""Empirical risk: a surface written as a mean of per-sample losses, and mini-batch sampling.

The lecture defines the objective as J(W) = (1/n) Σᵢ L(y⁽ⁱ⁾, f(x⁽ⁱ⁾, W)). GD uses the
full mean (B = n), SGD one sample (B = 1) and mini-batch SGD the mean over B samples drawn
without replacement within an epoch. :class:`EmpiricalRisk` is that structure;
:class:`AnalyticRisk` gives it to an analytic surface, and dataset surfaces
(:mod:`optviz.core.datasets`) have it naturally.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from .surface import Surface

DEFAULT_SAMPLES = 64


class EmpiricalRisk(ABC):
    """J(W) = (1/n) Σᵢ ℓᵢ(W) over ``n`` samples, with mini-batch gradients.

    ``surface.f`` / ``surface.grad`` are the full-batch loss and gradient.
    """

    surface: Surface
    n: int

    @abstractmethod
    def batch_grad(self, points: np.ndarray, idx: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """(1/B) Σ_{i ∈ idx} ∇ℓᵢ(W) at ``points`` of shape (N, 2); ``idx`` holds B sample indices."""

    @abstractmethod
    def batch_loss(self, points: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """(1/B) Σ_{i ∈ idx} ℓᵢ(W) at ``points`` of shape (N, 2)."""


class AnalyticRisk(EmpiricalRisk):
    """An analytic surface f as the mean of n per-sample terms ℓᵢ(W) = f(W) + aᵢᵀW.

    The offsets aᵢ ∈ ℝ² are drawn once from a seeded normal distribution, centred so that
    Σᵢ aᵢ = 0 exactly in exact arithmetic, and scaled so their root-mean-square per
    coordinate is ``noise_scale``. Hence the mean of the ℓᵢ is f, the full-batch gradient is
    ∇f, and a mini-batch gradient is ∇f(W) + mean_{i∈batch} aᵢ, whose noise shrinks as the
    batch size B grows (variance σ²/B · (n − B)/(n − 1) per coordinate) and vanishes at B = n.

    Args:
        surface: the analytic surface f.
        noise_scale: σ, the spread of the per-sample gradient offsets (>= 0).
        n: the number of samples (>= 2).
        seed: seed of the ``numpy.random.Generator`` that draws the offsets.
    """

    def __init__(self, surface: Surface, noise_scale: float | None = None, n: int = DEFAULT_SAMPLES, seed: int = 0):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise ValueError(f"number of samples n must be an integer >= 2, got {n!r}")
        if noise_scale is None:
            noise_scale = default_noise_scale(surface)
        if not np.isfinite(noise_scale) or noise_scale < 0:
            raise ValueError(f"noise scale must be a finite number >= 0, got {noise_scale}")
        self.surface = surface
        self.n = int(n)
        self.noise_scale = float(noise_scale)
        self.seed = seed
        a = np.random.default_rng(seed).standard_normal((self.n, 2))
        a -= a.mean(axis=0)
        rms = np.sqrt((a * a).mean(axis=0))
        self.offsets = a * (self.noise_scale / rms)
        self.offsets.setflags(write=False)  # noise() hands out views of it

    def noise(self, idx: np.ndarray) -> np.ndarray:
        """The batch's gradient offset mean_{i∈idx} aᵢ, shape (2,)."""
        if len(idx) == 1:  # SGD: the sample's own offset (the mean of one, exactly)
            return self.offsets[idx[0]]
        return np.add.reduce(self.offsets[idx], axis=0) / len(idx)  # .mean(), minus its overhead

    def batch_grad(self, points, idx, out=None):
        out = self.surface.grad(points, out=out)
        out += self.noise(idx)
        return out

    def batch_loss(self, points, idx):
        return self.surface.f(points) + np.asarray(points) @ self.offsets[idx].mean(axis=0)


def default_noise_scale(surface: Surface, spread: float = 0.04) -> float:
    """A noise scale that is clearly visible yet lets SGD settle near the minimum.

    SGD with step α near a minimum with Hessian eigenvalues λ₁ ≤ λ₂ jitters with a standard
    deviation of about σ·√(α/(2λ₁)) along the flattest direction. Taking the natural GD step
    α = 1/λ₂ and asking for a jitter of ``spread`` view diagonals gives
    σ = spread · diagonal · √(2 λ₁ λ₂). It is capped at 30 % of the median gradient norm over
    the view, which is also the fallback without a usable curvature (no listed point, or a
    degenerate Hessian), so that a sharp minimum (Rastrigin, Ackley's cusp) does not drown the
    rest of the landscape in noise.
    """
    typical = 0.3 * _median_gradient_norm(surface)
    points = [*surface.minima, *surface.saddles]
    if points:
        with np.errstate(all="ignore"):
            eig = np.abs(np.linalg.eigvalsh(surface.hessian(points[0].location[None])[0]))
        lo, hi = float(eig.min()), float(eig.max())
        if np.isfinite(lo) and lo > 1e-9 * max(hi, 1.0):
            return float(min(spread * surface.view.diagonal * np.sqrt(2.0 * lo * hi), typical))
    return typical


def _median_gradient_norm(surface: Surface) -> float:
    xs = np.linspace(surface.view.xmin, surface.view.xmax, 41)
    ys = np.linspace(surface.view.ymin, surface.view.ymax, 41)
    pts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    with np.errstate(all="ignore"):
        g = np.linalg.norm(surface.grad(pts), axis=-1)
    g = g[np.isfinite(g)]
    return float(np.median(g)) if g.size else 0.0


def as_risk(problem: Surface | EmpiricalRisk, noise_scale: float | None = None, n: int = DEFAULT_SAMPLES,
            seed: int = 0) -> EmpiricalRisk:
    """The empirical risk behind ``problem``: itself if it already is one, else an :class:`AnalyticRisk`."""
    if isinstance(problem, EmpiricalRisk):
        return problem
    return AnalyticRisk(problem, noise_scale=noise_scale, n=n, seed=seed)


class BatchSampler:
    """Draws mini-batches without replacement within an epoch, like a shuffling DataLoader.

    Each epoch is a fresh permutation of the n samples, cut into consecutive batches of B.
    A remainder smaller than B is dropped (``drop_last=True``) so every batch has exactly B
    distinct samples and the same noise level. B = n means the full batch: ``next()``
    returns ``None`` and no randomness is consumed.

    Args:
        n: number of samples.
        batch_size: B, in 1..n.
        rng: the seeded ``numpy.random.Generator`` to draw permutations from.
    """

    def __init__(self, n: int, batch_size: int, rng: np.random.Generator):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise ValueError(f"batch size must be an integer, got {batch_size!r}")
        if not 1 <= batch_size <= n:
            raise ValueError(f"batch size must be in [1, {n}] (the number of samples), got {batch_size}")
        self.n = n
        self.batch_size = int(batch_size)
        self.rng = rng
        self._order = np.empty(0, dtype=np.intp)
        self._pos = 0

    @property
    def full(self) -> bool:
        return self.batch_size == self.n

    def next(self) -> np.ndarray | None:
        if self.full:
            return None
        if self._pos + self.batch_size > self._order.size:
            self._order = self.rng.permutation(self.n)
            self._pos = 0
        idx = self._order[self._pos : self._pos + self.batch_size]
        self._pos += self.batch_size
        return idx
