"""Per-sample decomposition of analytic surfaces and mini-batch sampling statistics."""

import numpy as np
import pytest

from optviz.core.geometry import ViewBox
from optviz.core.risk import AnalyticRisk, BatchSampler
from optviz.core.surface import Category, Surface


class Quadratic(Surface):
    """0.5·(x² + 4y²), written here so these tests do not depend on the catalogue."""

    def __init__(self):
        super().__init__(key="q", title="q", category=Category.CONVEX, view=ViewBox(-2, 2, -2, 2),
                         start=(1.0, 1.0), caption="A bowl.")

    def f(self, p):
        p = np.asarray(p, float)
        return 0.5 * (p[..., 0] ** 2 + 4 * p[..., 1] ** 2)

    def grad(self, p, out=None):
        p = np.asarray(p, float)
        out = np.empty_like(p) if out is None else out
        out[..., 0] = p[..., 0]
        out[..., 1] = 4 * p[..., 1]
        return out


def test_offsets_sum_to_zero_and_have_the_requested_spread():
    r = AnalyticRisk(Quadratic(), noise_scale=0.7, n=50, seed=4)
    assert np.abs(r.offsets.sum(axis=0)).max() < 1e-12
    np.testing.assert_allclose(np.sqrt((r.offsets**2).mean(axis=0)), [0.7, 0.7], rtol=1e-12)


def test_mean_of_the_samples_is_the_surface():
    s = Quadratic()
    r = AnalyticRisk(s, noise_scale=1.0, n=20, seed=0)
    p = np.array([[0.5, -1.0], [1.5, 0.25]])
    terms = np.stack([s.f(p) + p @ r.offsets[i] for i in range(r.n)])
    np.testing.assert_allclose(terms.mean(axis=0), s.f(p), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(r.batch_grad(p, np.arange(r.n)), s.grad(p), atol=1e-13)
    np.testing.assert_allclose(r.batch_loss(p, [3]), s.f(p) + p @ r.offsets[3], rtol=1e-13)


def test_minibatch_noise_shrinks_with_batch_size():
    """Var of the mean of B offsets drawn without replacement is σ²/B·(n−B)/(n−1): check it
    statistically, and that it falls monotonically to exactly 0 at B = n."""
    n, sigma = 64, 1.0
    r = AnalyticRisk(Quadratic(), noise_scale=sigma, n=n, seed=7)
    p = np.zeros((1, 2))
    variances = []
    for B in (1, 2, 4, 8, 16, 32, 64):
        sampler = BatchSampler(n, B, np.random.default_rng(B))
        draws = np.array([r.batch_grad(p, sampler.next() if B < n else np.arange(n))[0] for _ in range(4000)])
        var = draws.var(axis=0).mean()
        expected = sigma**2 / B * (n - B) / (n - 1)
        if B < n:
            assert var == pytest.approx(expected, rel=0.12), B
        else:
            assert var < 1e-28
        variances.append(var)
    assert all(a > b for a, b in zip(variances, variances[1:]))


def test_sampler_draws_without_replacement_within_an_epoch():
    s = BatchSampler(10, 3, np.random.default_rng(0))
    epoch = np.concatenate([s.next() for _ in range(3)])  # 9 of 10; the remainder is dropped
    assert len(set(epoch.tolist())) == 9
    nxt = s.next()
    assert len(nxt) == 3  # a fresh permutation starts
    full = BatchSampler(10, 10, np.random.default_rng(0))
    assert full.full and full.next() is None


def test_sampler_is_deterministic_per_seed():
    a = BatchSampler(30, 4, np.random.default_rng(5))
    b = BatchSampler(30, 4, np.random.default_rng(5))
    for _ in range(20):
        np.testing.assert_array_equal(a.next(), b.next())


@pytest.mark.parametrize("bad", [0, 11, 2.5, True])
def test_sampler_rejects_bad_batch_sizes(bad):
    with pytest.raises(ValueError, match="batch size"):
        BatchSampler(10, bad, np.random.default_rng(0))


@pytest.mark.parametrize("kwargs, match", [({"noise_scale": -1.0}, "noise scale"), ({"n": 1}, "number of samples")])
def test_risk_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AnalyticRisk(Quadratic(), **{"noise_scale": 1.0, **kwargs})
