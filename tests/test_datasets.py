"""Dataset landscapes: per-sample losses written out by hand, minima from independent fits."""

import math

import numpy as np
import pytest

from optviz.core.datasets import DATASET_SURFACES, LinearRegression, LogisticRegression

KEYS = list(DATASET_SURFACES)


def central_diff(f, p, h=1e-6):
    g = np.empty(2)
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        g[j] = (f(p + e) - f(p - e)) / (2 * h)
    return g


def hand_loss(surface, w, b, idx=None):
    """The lecture's J(W) = (1/n) Σ L(y, ŷ), written as a plain loop."""
    x, y = surface.data.x, surface.data.y
    idx = range(len(x)) if idx is None else idx
    terms = []
    for i in idx:
        z = w * x[i] + b
        if isinstance(surface, LogisticRegression):
            # log σ(z) = −log(1 + e^−z) and log(1 − σ(z)) = −log(1 + e^z), without cancellation.
            log_p, log_not_p = -math.log1p(math.exp(-z)), -math.log1p(math.exp(z))
            terms.append(-(y[i] * log_p + (1 - y[i]) * log_not_p))
        elif surface.loss == "mse":
            terms.append((z - y[i]) ** 2)
        elif surface.loss == "mae":
            terms.append(abs(z - y[i]))
        else:
            terms.append((z - y[i]) ** 2)
    if not isinstance(surface, LogisticRegression) and surface.loss == "l2":
        return math.sqrt(len(x) * sum(terms) / len(terms))
    return sum(terms) / len(terms)


@pytest.mark.parametrize("key", KEYS)
def test_loss_matches_hand_written_formula(key):
    s = DATASET_SURFACES[key]()
    rng = np.random.default_rng(1)
    pts = rng.uniform([s.view.xmin, s.view.ymin], [s.view.xmax, s.view.ymax], (20, 2))
    got = s.f(pts)
    want = [hand_loss(s, w, b) for w, b in pts]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    idx = rng.choice(s.n, 5, replace=False)
    np.testing.assert_allclose(s.batch_loss(pts, idx), [hand_loss(s, w, b, idx) for w, b in pts], rtol=1e-12)


@pytest.mark.parametrize("key", KEYS)
def test_gradients_match_finite_differences(key):
    s = DATASET_SURFACES[key]()
    rng = np.random.default_rng(2)
    pts = rng.uniform([s.view.xmin, s.view.ymin], [s.view.xmax, s.view.ymax], (30, 2))
    idx = rng.choice(s.n, 7, replace=False)
    for p in pts:
        np.testing.assert_allclose(s.grad(p[None])[0], central_diff(lambda q: hand_loss(s, *q), p), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            s.batch_grad(p[None], idx)[0], central_diff(lambda q: hand_loss(s, *q, idx), p), rtol=1e-5, atol=1e-6
        )


@pytest.mark.parametrize("key", KEYS)
def test_full_batch_is_the_mean_of_the_samples(key):
    s = DATASET_SURFACES[key]()
    pts = np.array([[0.3, -0.2], [2.0, 1.0]])
    everything = np.arange(s.n)
    np.testing.assert_allclose(s.batch_loss(pts, everything), s.f(pts), rtol=1e-13)
    np.testing.assert_allclose(s.batch_grad(pts, everything), s.grad(pts), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("loss", ["mse", "l2"])
def test_least_squares_minimum_matches_polyfit(loss):
    s = LinearRegression(loss)
    w, b = np.polyfit(s.data.x, s.data.y, 1)
    m = s.minima[0]
    assert (m.x, m.y) == pytest.approx((w, b), abs=1e-10)
    residual = ((w * s.data.x + b - s.data.y) ** 2).sum()
    expected = residual / s.n if loss == "mse" else math.sqrt(residual)
    assert m.value == pytest.approx(expected, rel=1e-12)


def test_mae_minimum_is_not_beaten_on_a_fine_grid():
    s = LinearRegression("mae")
    m = s.minima[0]
    ws, bs = np.meshgrid(np.linspace(m.x - 0.5, m.x + 0.5, 301), np.linspace(m.y - 0.5, m.y + 0.5, 301))
    grid = np.abs(ws[..., None] * s.data.x + bs[..., None] - s.data.y).mean(axis=-1)
    assert grid.min() >= m.value - 1e-12


def test_logistic_minimum_has_zero_finite_difference_gradient():
    s = LogisticRegression()
    m = s.minima[0]
    g = central_diff(lambda q: hand_loss(s, *q), m.location, h=1e-5)
    assert np.abs(g).max() < 1e-8


def test_same_seed_same_data_and_bad_arguments():
    a, b = LinearRegression("mse", seed=3), LinearRegression("mse", seed=3)
    np.testing.assert_array_equal(a.data.x, b.data.x)
    with pytest.raises(ValueError, match="regression loss"):
        LinearRegression("huber")
    with pytest.raises(ValueError, match="number of samples"):
        LogisticRegression(n=1)


def test_logistic_regression_has_a_finite_minimum_even_for_tiny_data_sets():
    """Small draws used to be separable (the minimum at infinity, a singular Newton step)."""
    from optviz.core.datasets import LogisticRegression

    for n in range(4, 9):
        for seed in range(100):
            s = LogisticRegression(n=n, seed=seed)
            x, y = s.data.x, s.data.y
            order = np.argsort(x)
            labels = y[order]
            # both orders of the classes occur, so no threshold separates them
            zeros, ones = np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)
            assert ones[0] < zeros[-1] and zeros[0] < ones[-1]
            m = s.minima[0]
            assert np.abs(s.grad(np.array([m.x, m.y]))).max() < 1e-8
    with pytest.raises(ValueError, match="n >= 4"):
        LogisticRegression(n=3)
