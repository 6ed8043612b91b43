"""Dataset landscapes: the loss of a two-parameter model over a small generated dataset.

The plane is the model's parameters (w, b). The surface is the full-batch loss
J(w, b) = (1/n) Σᵢ L(y⁽ⁱ⁾, ŷ⁽ⁱ⁾), and SGD / mini-batch runs see the per-sample terms, so the
stochastic gradients are the real ones of the lecture.

* :class:`LinearRegression`, ŷ = w·x + b, under MSE, MAE or the L2 (Euclidean) loss.
* :class:`LogisticRegression`, ŷ = σ(w·x + b), under binary cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .geometry import CriticalPoint, ViewBox
from .risk import EmpiricalRisk
from .run import RunSpec
from .surface import Category, Family, Surface

REGRESSION_LOSSES = ("mse", "mae", "l2")


@dataclass(frozen=True)
class Dataset:
    """Inputs ``x`` and targets ``y``, both of shape (n,)."""

    x: np.ndarray
    y: np.ndarray

    @property
    def n(self) -> int:
        return int(self.x.size)


def make_regression_data(n: int = 32, w: float = 1.5, b: float = -0.5, noise: float = 0.4, seed: int = 0) -> Dataset:
    """Noisy samples of the line y = w·x + b. x is not centred (x ∈ [0, 2]) so w and b are
    coupled and the loss surface is a tilted valley, as in real unnormalised data."""
    _check_n(n)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0, n)
    y = w * x + b + noise * rng.standard_normal(n)
    return Dataset(x, y)


def make_classification_data(n: int = 40, w: float = 2.0, b: float = -1.0, seed: int = 0) -> Dataset:
    """Two overlapping classes on a line: y⁽ⁱ⁾ ~ Bernoulli(σ(w·x⁽ⁱ⁾ + b)). The overlap keeps the
    cross-entropy minimum finite (separable data would push |w| to infinity)."""
    _check_n(n)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 3.0, n)
    p = 1.0 / (1.0 + np.exp(-(w * x + b)))
    y = (rng.uniform(size=n) < p).astype(float)
    # Guarantee overlap regardless of the draw, so no threshold separates the classes in either
    # direction: a 1 left of a 0 (the extreme points flipped against the trend) and a 0 left
    # of a 1 (if the draw has none, the second-outermost points are set so).
    order = np.argsort(x, kind="stable")
    y[order[0]] = 1.0
    y[order[-1]] = 0.0
    inner = y[order]
    zeros, ones = np.flatnonzero(inner == 0.0), np.flatnonzero(inner == 1.0)
    if not zeros[0] < ones[-1]:
        y[order[1]] = 0.0
        y[order[-2]] = 1.0
    return Dataset(x, y)


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"number of samples n must be an integer >= 2, got {n!r}")


class DatasetSurface(Surface, EmpiricalRisk):
    """A surface that is the mean of per-sample losses over a :class:`Dataset`.

    Subclasses implement :meth:`_sample_terms`, giving per-sample losses ``ℓ`` and the
    derivative of each with respect to the model output before the (x, 1) chain factor.
    """

    def __init__(self, data: Dataset, **meta):
        self.data = data
        self.n = data.n
        self.surface = self
        super().__init__(family=Family.DATASET, axis_labels=("w", "b"), **meta)

    def predict(self, points: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The model's raw output w·x + b for every point and input: shape (..., len(x))."""
        p = np.asarray(points, dtype=float)
        return p[..., 0:1] * x + p[..., 1:2]

    def _linear(self, points, idx):
        x = self.data.x if idx is None else self.data.x[idx]
        y = self.data.y if idx is None else self.data.y[idx]
        return x, y, self.predict(points, x)

    def _sample_terms(self, z: np.ndarray, y: np.ndarray):
        """Per-sample losses ℓ and dℓ/dz for raw outputs ``z`` (..., B) and targets ``y``."""
        raise NotImplementedError

    def batch_loss(self, points, idx):
        x, y, z = self._linear(points, idx)
        return self._sample_terms(z, y)[0].mean(axis=-1)

    def batch_grad(self, points, idx, out=None):
        x, y, z = self._linear(points, idx)
        dz = self._sample_terms(z, y)[1]
        if out is None:
            out = np.empty(np.shape(points), dtype=float)
        out[..., 0] = (dz * x).mean(axis=-1)
        out[..., 1] = dz.mean(axis=-1)
        return out

    def f(self, points):
        return self.batch_loss(points, None)

    def grad(self, points, out=None):
        return self.batch_grad(points, None, out)


#: The default races of the regression losses, the runs each caption speaks of.
REGRESSION_RACES = {
    # One α for all three: only the batch size B differs.
    "mse": (RunSpec("gd", {"learning_rate": 0.05}, label="GD (B = n)"),
            RunSpec("minibatch", {"learning_rate": 0.05}, batch_size=8, label="Mini-batch (B = 8)"),
            RunSpec("sgd", {"learning_rate": 0.05}, label="SGD (B = 1)")),
    # The decaying run starts at the constant run's α: αₜ = α/(1 + 0.01t), as in scenario 7.
    "mae": (RunSpec("gd", {"learning_rate": 0.1}, label="GD, α = 0.1"),
            RunSpec("gd", {"learning_rate": 0.1}, schedule="inverse_time", schedule_params={"decay": 0.01},
                    label="GD, decaying αₜ"),
            RunSpec("adam", {"learning_rate": 0.05}, label="Adam, α = 0.05")),
    "l2": (RunSpec("gd", {"learning_rate": 0.05}, label="GD, α = 0.05"),
           RunSpec("adam", {"learning_rate": 0.05}, label="Adam, α = 0.05")),
}


class LinearRegression(DatasetSurface):
    """Linear regression ŷ = w·x + b on generated data, as a surface over (w, b).

    Losses, with residual rᵢ = ŷ⁽ⁱ⁾ − y⁽ⁱ⁾:

    * ``"mse"``: J = (1/n) Σ rᵢ², per-sample ℓᵢ = rᵢ².
    * ``"mae"``: J = (1/n) Σ |rᵢ|, per-sample ℓᵢ = |rᵢ|; the gradient uses sign(0) = 0.
    * ``"l2"``: the lecture's Euclidean distance J = ‖ŷ − y‖₂ = √(Σ rᵢ²). It is not a mean of
      per-sample terms; its mini-batch estimate is √(n · (1/B) Σ_{i∈batch} rᵢ²), which equals J
      at B = n. The gradient at J = 0 is taken as 0.

    Args:
        loss: one of ``"mse"``, ``"mae"``, ``"l2"``.
        n: number of samples; ``seed``: seed of the data generator.
    """

    def __init__(self, loss: str = "mse", n: int = 32, seed: int = 0):
        if loss not in REGRESSION_LOSSES:
            raise ValueError(f"regression loss must be one of {', '.join(REGRESSION_LOSSES)}; got {loss!r}")
        data = make_regression_data(n=n, seed=seed)
        self.loss = loss
        w_opt, b_opt = self._fit(data, loss)
        titles = {"mse": "Linear regression, MSE", "mae": "Linear regression, MAE",
                  "l2": "Linear regression, L2 distance"}
        captions = {
            "mse": "The squared error of a line fit is a smooth tilted bowl in (w, b); SGD's "
                   "per-sample gradients make its path jitter around GD's full-batch route, and a "
                   "mini-batch of B = 8 jitters much less.",
            "mae": "The absolute error is a faceted, non-smooth valley whose gradient does not fade "
                   "near the fit, so at a constant α GD and Adam rattle around the kink at the "
                   "bottom and never settle, while a decaying αₜ lets GD settle.",
            "l2": "The Euclidean distance has the same minimiser as MSE but grows only linearly, "
                  "so far from the fit its gradient keeps its size instead of fading and GD strides "
                  "in at a steady pace, slowing down only close to the fit.",
        }
        view = ViewBox(w_opt - 3.0, w_opt + 3.0, b_opt - 3.0, b_opt + 3.0)
        super().__init__(
            data, key=f"linreg_{loss}", title=titles[loss], category=Category.NARROW_VALLEY
            if loss != "mae" else Category.CONVEX, view=view, start=(w_opt - 2.4, b_opt + 2.2),
            caption=captions[loss], minima=(), params={"n": float(n), "seed": float(seed)}, log_color=False,
            race=REGRESSION_RACES[loss])
        self.minima = (CriticalPoint(w_opt, b_opt, float(self.f(np.array([w_opt, b_opt])))),)

    @staticmethod
    def _fit(data: Dataset, loss: str) -> tuple[float, float]:
        design = np.column_stack([data.x, np.ones(data.n)])
        if loss in ("mse", "l2"):
            sol = np.linalg.lstsq(design, data.y, rcond=None)[0]
            return float(sol[0]), float(sol[1])
        # Least absolute deviations: an optimum passes through two data points, so try every pair.
        best, best_val = (0.0, 0.0), np.inf
        for i, j in combinations(range(data.n), 2):
            if data.x[i] == data.x[j]:
                continue
            w = (data.y[j] - data.y[i]) / (data.x[j] - data.x[i])
            b = data.y[i] - w * data.x[i]
            val = np.abs(w * data.x + b - data.y).sum()
            if val < best_val:
                best, best_val = (float(w), float(b)), val
        return best

    def _sample_terms(self, z, y):
        r = z - y
        if self.loss == "mse":
            return r * r, 2.0 * r
        if self.loss == "mae":
            return np.abs(r), np.sign(r)
        raise AssertionError("l2 is handled in batch_loss/batch_grad")

    def batch_loss(self, points, idx):
        if self.loss != "l2":
            return super().batch_loss(points, idx)
        _, y, z = self._linear(points, idx)
        r = z - y
        return np.sqrt(self.n * (r * r).mean(axis=-1))

    def batch_grad(self, points, idx, out=None):
        if self.loss != "l2":
            return super().batch_grad(points, idx, out)
        x, y, z = self._linear(points, idx)
        r = z - y
        norm = np.sqrt(self.n * (r * r).mean(axis=-1, keepdims=True))
        # d/dW √(n·m) = n·(1/B)Σ rᵢ(xᵢ, 1) / √(n·m); 0 at the (measure-zero) exact fit.
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(norm > 0, self.n / norm, 0.0)
        dz = scale * r
        if out is None:
            out = np.empty(np.shape(points), dtype=float)
        out[..., 0] = (dz * x).mean(axis=-1)
        out[..., 1] = dz.mean(axis=-1)
        return out


class LogisticRegression(DatasetSurface):
    """Logistic regression ŷ = σ(w·x + b) on two overlapping classes, under binary cross-entropy.

    J = −(1/n) Σ [y⁽ⁱ⁾ log ŷ⁽ⁱ⁾ + (1 − y⁽ⁱ⁾) log(1 − ŷ⁽ⁱ⁾)], computed stably as
    ℓᵢ = softplus(zᵢ) − y⁽ⁱ⁾ zᵢ with zᵢ = w·x⁽ⁱ⁾ + b, whose derivative is σ(zᵢ) − y⁽ⁱ⁾.

    Args:
        n: number of samples; ``seed``: seed of the data generator.
    """

    def __init__(self, n: int = 40, seed: int = 0):
        _check_n(n)
        if n < 4:  # fewer points cannot overlap in both directions: the minimum would be at infinity
            raise ValueError(f"logistic regression needs n >= 4 samples, got {n}")
        data = make_classification_data(n=n, seed=seed)
        w_opt, b_opt = self._fit(data)
        view = ViewBox(w_opt - 4.0, w_opt + 4.0, b_opt - 4.0, b_opt + 4.0)
        super().__init__(
            data, key="logreg_bce", title="Logistic regression, cross-entropy", category=Category.CONVEX,
            # The start is on the flat side, where the model is confidently right on most points.
            view=view, start=(w_opt + 3.0, b_opt - 3.0),
            caption="Cross-entropy of a logistic classifier is convex, but where the model is "
                    "confidently right the sigmoid saturates and the surface flattens out, so GD "
                    "crawls there while Adam, which rescales small gradients, does not.",
            params={"n": float(n), "seed": float(seed)}, log_color=False,
            race=(RunSpec("gd", {"learning_rate": 0.1}, label="GD, α = 0.1"),
                  RunSpec("adam", {"learning_rate": 0.05}, label="Adam, α = 0.05")))
        self.minima = (CriticalPoint(w_opt, b_opt, float(self.f(np.array([w_opt, b_opt])))),)

    @staticmethod
    def _fit(data: Dataset) -> tuple[float, float]:
        """Newton's method on the convex cross-entropy; converges in a few iterations."""
        design = np.column_stack([data.x, np.ones(data.n)])
        theta = np.zeros(2)
        for _ in range(100):
            p = 1.0 / (1.0 + np.exp(-(design @ theta)))
            g = design.T @ (p - data.y) / data.n
            h = (design * (p * (1 - p))[:, None]).T @ design / data.n
            delta = np.linalg.solve(h, g)
            theta -= delta
            if np.abs(delta).max() < 1e-15:
                break
        return float(theta[0]), float(theta[1])

    def _sample_terms(self, z, y):
        loss = np.logaddexp(0.0, z) - y * z
        # σ(z) via tanh: no overflow warning for large |z|.
        return loss, 0.5 * (1.0 + np.tanh(0.5 * z)) - y

    def probability(self, points: np.ndarray, x: np.ndarray) -> np.ndarray:
        """ŷ = σ(w·x + b) for every point and input."""
        z = self.predict(points, x)
        return 0.5 * (1.0 + np.tanh(0.5 * z))


DATASET_SURFACES = {
    "linreg_mse": lambda **kw: LinearRegression("mse", **kw),
    "linreg_mae": lambda **kw: LinearRegression("mae", **kw),
    "linreg_l2": lambda **kw: LinearRegression("l2", **kw),
    "logreg_bce": lambda **kw: LogisticRegression(**kw),
}
