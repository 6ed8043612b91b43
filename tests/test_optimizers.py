"""The optimizers: scalar references, torch.optim parity, purity, in-place and chunked updates,
first-step conventions, validation, state layout and non-finite inputs.

Every test runs over the whole registry, so a new race entry must bring its reference.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optviz.core.optimizers import (
    OPTIMIZERS,
    AdamState,
    GradientTransformation,
    OptimizerSpec,
    adagrad,
    adam,
    make_optimizer,
    momentum,
    nesterov,
    rmsprop,
    sgd,
    state_vectors,
)
from optviz.core.schedules import Exponential, StepDecay

KEYS = list(OPTIMIZERS)

ADAM_DEFAULTS = {"rho1": 0.9, "rho2": 0.999, "eps": 1e-8}


@dataclass(frozen=True)
class Row:
    """One optimizer's test row (like torch's OptimizerInfo): everything the shared tests need
    that does not come from the code under test.

    custom: non-default hyperparameters, so swapped or ignored arguments show up.
    torch_defaults: the factory's (torch's) defaults besides α.
    state_fields: the state's fields.
    lecture: the scalar reference written from the formulas (filled in below the references).
    torch: builds the torch.optim optimizer (params, lr, hyperparameters).
    torch_lr: a rate that keeps 100 Rosenbrock steps from TORCH_STARTS stable and away from
        the axes, so a relative tolerance with atol = 0 is meaningful.
    buffer_rtol: how close the buffers come to torch's (an average of gradients of both signs
        cancels, so last-bit differences of the path show more there; AdamW's decay is one
        more rounding apart from torch's W·(1 − αλ)).
    """

    custom: dict
    torch_defaults: dict
    state_fields: tuple
    torch: Callable
    torch_lr: float
    buffer_rtol: float = 1e-12


def _sgd(torch, params, lr, h):
    return torch.optim.SGD(params, lr=lr, foreach=False)


ROWS = {
    "gd": Row({}, {}, ("count",), _sgd, 1e-3),
    "sgd": Row({}, {}, ("count",), _sgd, 1e-3),
    "minibatch": Row({}, {}, ("count",), _sgd, 1e-3),
    "momentum": Row({"beta": 0.8}, {"beta": 0.9}, ("count", "p"),
                    lambda torch, params, lr, h: torch.optim.SGD(params, lr=lr, momentum=h["beta"], foreach=False),
                    1e-4),
    "nesterov": Row({"beta": 0.7}, {"beta": 0.9}, ("count", "p"),
                    lambda torch, params, lr, h: torch.optim.SGD(params, lr=lr, momentum=h["beta"], nesterov=True,
                                                                 foreach=False), 1e-4),
    "adagrad": Row({"eps": 1e-3}, {"eps": 1e-10}, ("count", "r"),
                   lambda torch, params, lr, h: torch.optim.Adagrad(params, lr=lr, eps=h["eps"], foreach=False), 0.05),
    "rmsprop": Row({"rho": 0.9, "eps": 1e-4}, {"rho": 0.99, "eps": 1e-8}, ("count", "r"),
                   lambda torch, params, lr, h: torch.optim.RMSprop(params, lr=lr, alpha=h["rho"], eps=h["eps"],
                                                                    foreach=False), 1e-3),
    "adam": Row({"rho1": 0.8, "rho2": 0.95, "eps": 1e-5}, ADAM_DEFAULTS, ("count", "p", "r"),
                lambda torch, params, lr, h: torch.optim.Adam(params, lr=lr, betas=(h["rho1"], h["rho2"]), eps=h["eps"],
                                                              foreach=False), 5e-3),
    "adamw": Row({"rho1": 0.8, "rho2": 0.95, "eps": 1e-5, "weight_decay": 0.3},
                 {**ADAM_DEFAULTS, "weight_decay": 1e-2}, ("count", "p", "r"),
                 lambda torch, params, lr, h: torch.optim.AdamW(params, lr=lr, betas=(h["rho1"], h["rho2"]),
                                                                eps=h["eps"], weight_decay=h["weight_decay"],
                                                                foreach=False), 5e-3, 1e-11),
    "amsgrad": Row({"rho1": 0.8, "rho2": 0.95, "eps": 1e-5}, ADAM_DEFAULTS, ("count", "p", "r", "r_max"),
                   lambda torch, params, lr, h: torch.optim.Adam(params, lr=lr, betas=(h["rho1"], h["rho2"]),
                                                                 eps=h["eps"], amsgrad=True, foreach=False), 5e-3),
    "nadam": Row({"rho1": 0.8, "rho2": 0.95, "eps": 1e-5, "momentum_decay": 0.05},
                 {**ADAM_DEFAULTS, "momentum_decay": 4e-3}, ("count", "p", "r", "mu_product"),
                 lambda torch, params, lr, h: torch.optim.NAdam(params, lr=lr, betas=(h["rho1"], h["rho2"]),
                                                                eps=h["eps"], momentum_decay=h["momentum_decay"],
                                                                foreach=False), 5e-3),
}
# The columns, by key (the other test modules import these).
CUSTOM = {key: row.custom for key, row in ROWS.items()}
TORCH_DEFAULTS = {key: row.torch_defaults for key, row in ROWS.items()}
STATE_FIELDS = {key: row.state_fields for key, row in ROWS.items()}


# ------------------------------------------------------------------------------ test losses
# J(x, y) = ½(x² + 10y²) + c·Rosenbrock(x, y), gradient written out by hand twice: for
# arrays (fed to the optimizers) and for Python floats (fed to the scalar references).

C_ROSEN = 0.01


def grad_vec(W: np.ndarray) -> np.ndarray:
    x, y = W[..., 0], W[..., 1]
    gx = x + C_ROSEN * (-2.0 * (1.0 - x) - 400.0 * x * (y - x * x))
    gy = 10.0 * y + C_ROSEN * (200.0 * (y - x * x))
    return np.stack([gx, gy], axis=-1)


def grad_scalar(x: float, y: float) -> tuple[float, float]:
    gx = x + C_ROSEN * (-2.0 * (1.0 - x) - 400.0 * x * (y - x * x))
    gy = 10.0 * y + C_ROSEN * (200.0 * (y - x * x))
    return gx, gy


def rosenbrock_grad(W: np.ndarray) -> np.ndarray:
    """∇ of (1 − x)² + 100(y − x²)²."""
    x, y = W[..., 0], W[..., 1]
    return np.stack([-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)], axis=-1)


def run(opt: GradientTransformation, starts: np.ndarray, grad, steps: int) -> np.ndarray:
    """Positions W_0..W_steps, shape (steps + 1, N, 2), via the pure update."""
    W = np.array(starts, dtype=float)
    state = opt.init(W)
    out = [W.copy()]
    for _ in range(steps):
        step, state = opt.update(grad(W), state, W)
        W = W + step
        out.append(W.copy())
    return np.array(out)


# ------------------------------------------------------------------------------ lecture references
# Plain-Python loops for one point (math module only), written from the lecture's formulas.
# ``lr_at(t)`` is α for update t (0-based); each returns the positions W_0..W_steps.


def ref_sgd(w, steps, lr_at):
    x, y = w
    out = [(x, y)]
    for t in range(steps):
        gx, gy = grad_scalar(x, y)
        a = lr_at(t)
        x, y = x - a * gx, y - a * gy
        out.append((x, y))
    return out


def ref_momentum(w, steps, lr_at, beta=0.9, nesterov=False):
    x, y = w
    px = py = 0.0
    out = [(x, y)]
    for t in range(steps):
        gx, gy = grad_scalar(x, y)
        if t == 0:  # p_1 = g_1, as torch
            px, py = gx, gy
        else:
            px, py = beta * px + gx, beta * py + gy
        a = lr_at(t)
        if nesterov:
            x, y = x - a * (gx + beta * px), y - a * (gy + beta * py)
        else:
            x, y = x - a * px, y - a * py
        out.append((x, y))
    return out


def ref_nesterov(w, steps, lr_at, beta=0.9):
    return ref_momentum(w, steps, lr_at, beta, nesterov=True)


def ref_adagrad(w, steps, lr_at, eps=1e-10):
    x, y = w
    rx = ry = 0.0
    out = [(x, y)]
    for t in range(steps):
        gx, gy = grad_scalar(x, y)
        rx, ry = rx + gx * gx, ry + gy * gy
        a = lr_at(t)
        x, y = x - a / (eps + math.sqrt(rx)) * gx, y - a / (eps + math.sqrt(ry)) * gy
        out.append((x, y))
    return out


def ref_rmsprop(w, steps, lr_at, rho=0.99, eps=1e-8):
    x, y = w
    rx = ry = 0.0
    out = [(x, y)]
    for t in range(steps):
        gx, gy = grad_scalar(x, y)
        rx, ry = rho * rx + (1 - rho) * gx * gx, rho * ry + (1 - rho) * gy * gy
        a = lr_at(t)
        x, y = x - a / (eps + math.sqrt(rx)) * gx, y - a / (eps + math.sqrt(ry)) * gy
        out.append((x, y))
    return out


def ref_adam(w, steps, lr_at, rho1=0.9, rho2=0.999, eps=1e-8):
    x, y = w
    px = py = rx = ry = 0.0
    out = [(x, y)]
    for t in range(1, steps + 1):
        gx, gy = grad_scalar(x, y)
        px, py = rho1 * px + (1 - rho1) * gx, rho1 * py + (1 - rho1) * gy
        rx, ry = rho2 * rx + (1 - rho2) * gx * gx, rho2 * ry + (1 - rho2) * gy * gy
        phx, phy = px / (1 - rho1**t), py / (1 - rho1**t)
        rhx, rhy = rx / (1 - rho2**t), ry / (1 - rho2**t)
        a = lr_at(t - 1)
        x, y = x - a * phx / (eps + math.sqrt(rhx)), y - a * phy / (eps + math.sqrt(rhy))
        out.append((x, y))
    return out


def ref_adamw(w, steps, lr_at, rho1=0.9, rho2=0.999, eps=1e-8, weight_decay=1e-2):
    x, y = w
    px = py = rx = ry = 0.0
    out = [(x, y)]
    for t in range(1, steps + 1):
        gx, gy = grad_scalar(x, y)
        px, py = rho1 * px + (1 - rho1) * gx, rho1 * py + (1 - rho1) * gy
        rx, ry = rho2 * rx + (1 - rho2) * gx * gx, rho2 * ry + (1 - rho2) * gy * gy
        phx, phy = px / (1 - rho1**t), py / (1 - rho1**t)
        rhx, rhy = rx / (1 - rho2**t), ry / (1 - rho2**t)
        a = lr_at(t - 1)
        # decoupled: W shrinks by α λ W besides Adam's step (Loshchilov & Hutter)
        x, y = (x - a * weight_decay * x - a * phx / (eps + math.sqrt(rhx)),
                y - a * weight_decay * y - a * phy / (eps + math.sqrt(rhy)))
        out.append((x, y))
    return out


def ref_amsgrad(w, steps, lr_at, rho1=0.9, rho2=0.999, eps=1e-8):
    x, y = w
    px = py = rx = ry = mx = my = 0.0
    out = [(x, y)]
    for t in range(1, steps + 1):
        gx, gy = grad_scalar(x, y)
        px, py = rho1 * px + (1 - rho1) * gx, rho1 * py + (1 - rho1) * gy
        rx, ry = rho2 * rx + (1 - rho2) * gx * gx, rho2 * ry + (1 - rho2) * gy * gy
        mx, my = max(mx, rx), max(my, ry)  # the largest second moment so far
        phx, phy = px / (1 - rho1**t), py / (1 - rho1**t)
        a = lr_at(t - 1)
        x, y = (x - a * phx / (eps + math.sqrt(mx / (1 - rho2**t))),
                y - a * phy / (eps + math.sqrt(my / (1 - rho2**t))))
        out.append((x, y))
    return out


def ref_nadam(w, steps, lr_at, rho1=0.9, rho2=0.999, eps=1e-8, momentum_decay=4e-3):
    """Dozat's NAdam as torch documents it: μ_t = ρ₁(1 − ½·0.96^(tψ)), products of the μ."""
    x, y = w
    px = py = rx = ry = 0.0
    product = 1.0
    out = [(x, y)]
    for t in range(1, steps + 1):
        gx, gy = grad_scalar(x, y)
        mu = rho1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = rho1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        product *= mu
        px, py = rho1 * px + (1 - rho1) * gx, rho1 * py + (1 - rho1) * gy
        rx, ry = rho2 * rx + (1 - rho2) * gx * gx, rho2 * ry + (1 - rho2) * gy * gy
        a = lr_at(t - 1)
        dx = (1 - mu) * gx / (1 - product) + mu_next * px / (1 - product * mu_next)
        dy = (1 - mu) * gy / (1 - product) + mu_next * py / (1 - product * mu_next)
        x, y = (x - a * dx / (eps + math.sqrt(rx / (1 - rho2**t))),
                y - a * dy / (eps + math.sqrt(ry / (1 - rho2**t))))
        out.append((x, y))
    return out


LECTURE_REFERENCE = {
    "gd": ref_sgd,
    "sgd": ref_sgd,
    "minibatch": ref_sgd,
    "momentum": ref_momentum,
    "nesterov": ref_nesterov,
    "adagrad": ref_adagrad,
    "rmsprop": ref_rmsprop,
    "adam": ref_adam,
    "adamw": ref_adamw,
    "amsgrad": ref_amsgrad,
    "nadam": ref_nadam,
}


# ------------------------------------------------------------------------------ torch-order references
# The same rules in torch.optim's exact floating-point operation order (each line names the
# torch call it mirrors), without FMA and with a correctly rounded √: the NumPy kernels must
# reproduce these bit for bit. Returns the *steps* W_{t+1} − W_t of one coordinate sequence.


def torch_order_steps(key, g_seq, lr_seq, w=0.0, **h):
    """Steps for a sequence of scalar gradients of one coordinate, in torch's op order
    (``w``: the parameter, fixed: read only by decoupled weight decay)."""
    steps = []
    p = r = r_max = 0.0
    mu_product = 1.0
    for t, (g, lr) in enumerate(zip(g_seq, lr_seq)):
        if key in ("gd", "sgd", "minibatch"):
            steps.append(-lr * g)  # param.add_(grad, alpha=-lr)
        elif key in ("momentum", "nesterov"):
            p = g if t == 0 else p * h["beta"] + g  # buf.mul_(β).add_(g)
            d = g + h["beta"] * p if key == "nesterov" else p  # grad.add(buf, alpha=β)
            steps.append(-lr * d)
        elif key == "adagrad":
            r = r + g * g  # state_sum.addcmul_(g, g, value=1)
            steps.append((-lr * g) / (math.sqrt(r) + h["eps"]))  # addcdiv_(g, std, value=-lr)
        elif key == "rmsprop":
            r = r * h["rho"] + ((1 - h["rho"]) * g) * g  # mul_(ρ).addcmul_(g, g, value=1-ρ)
            steps.append((-lr * g) / (math.sqrt(r) + h["eps"]))
        elif key == "adam":
            w = 1 - h["rho1"]  # exp_avg.lerp_(g, 1-ρ₁)
            p = p + w * (g - p) if abs(w) < 0.5 else g - (g - p) * (1.0 - w)
            r = r * h["rho2"] + ((1 - h["rho2"]) * g) * g
            step = float(t + 1)
            bc1, bc2 = 1 - h["rho1"] ** step, 1 - h["rho2"] ** step
            step_size = lr / bc1
            denom = math.sqrt(r) / bc2**0.5 + h["eps"]
            steps.append((-step_size * p) / denom)  # param.addcdiv_(exp_avg, denom, value=-step_size)
        elif key in ("adamw", "amsgrad"):
            w1 = 1 - h["rho1"]
            p = p + w1 * (g - p) if abs(w1) < 0.5 else g - (g - p) * (1.0 - w1)
            r = r * h["rho2"] + ((1 - h["rho2"]) * g) * g
            step = float(t + 1)
            bc1, bc2 = 1 - h["rho1"] ** step, 1 - h["rho2"] ** step
            step_size = lr / bc1
            if key == "amsgrad":
                r_max = r if (r > r_max or r != r) and r_max == r_max else r_max  # torch.maximum: NaN wins
                denom = math.sqrt(r_max) / bc2**0.5 + h["eps"]
                steps.append((-step_size * p) / denom)
            else:  # param.mul_(1 − α λ), then Adam's addcdiv_; the step is the new W − W
                denom = math.sqrt(r) / bc2**0.5 + h["eps"]
                steps.append((w * (1 - lr * h["weight_decay"]) + (-step_size * p) / denom) - w)
        elif key == "nadam":
            step = float(t + 1)
            bc2 = 1 - h["rho2"] ** step
            mu = h["rho1"] * (1.0 - 0.5 * (0.96 ** (step * h["momentum_decay"])))
            mu_next = h["rho1"] * (1.0 - 0.5 * (0.96 ** ((step + 1) * h["momentum_decay"])))
            mu_product *= mu
            w1 = 1 - h["rho1"]
            p = p + w1 * (g - p) if abs(w1) < 0.5 else g - (g - p) * (1.0 - w1)
            r = r * h["rho2"] + ((1 - h["rho2"]) * g) * g
            denom = math.sqrt(r / bc2) + h["eps"]  # exp_avg_sq.div(bc2).sqrt().add_(eps)
            first = ((-lr * (1.0 - mu) / (1.0 - mu_product)) * g) / denom  # addcdiv_(grad, denom, value=…)
            second = (((-lr * mu_next) / (1.0 - mu_product * mu_next)) * p) / denom  # addcdiv_(exp_avg, …)
            steps.append(((w + first) + second) - w)  # two addcdiv_ on W; the step is the new W − W
        else:  # pragma: no cover
            raise KeyError(key)
    return steps


# ------------------------------------------------------------------------------ references


def test_every_entry_has_references():
    assert set(LECTURE_REFERENCE) == set(OPTIMIZERS) == set(ROWS)


@pytest.mark.parametrize("variant", ["torch_defaults", "custom", "schedule"])
@pytest.mark.parametrize("key", OPTIMIZERS)
def test_agrees_with_the_scalar_lecture_reference(key, variant):
    rng = np.random.default_rng(7)
    starts = rng.uniform(-1.5, 1.5, (5, 2))
    steps = 50
    hyper = CUSTOM[key] if variant == "custom" else TORCH_DEFAULTS[key]
    if variant == "schedule":
        schedule = Exponential(0.02, gamma=0.95)
        lr, lr_at = schedule, schedule
    else:
        lr = 0.02
        lr_at = lambda t: 0.02  # noqa: E731
    got = run(make_optimizer(key, learning_rate=lr, **hyper), starts, grad_vec, steps)
    assert np.isfinite(got).all()
    for i, w in enumerate(starts):
        want = np.array(LECTURE_REFERENCE[key](tuple(w), steps, lr_at, **hyper))
        # relative 1e-12, with an absolute floor for coordinates passing near 0
        np.testing.assert_allclose(got[:, i], want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_follows_torchs_operation_order_bit_for_bit(key):
    """Fed the same gradient sequence, the vectorized step equals the scalar torch-order loop."""
    rng = np.random.default_rng(3)
    steps, n = 30, 4
    grads = rng.standard_normal((steps, n, 2)) * rng.choice([1e-3, 1.0, 1e3], (steps, n, 2))
    lr_seq = [0.05 * 0.9**t for t in range(steps)]
    for hyper in (TORCH_DEFAULTS[key], CUSTOM[key], {"rho1": 0.3} if "rho1" in TORCH_DEFAULTS[key] else CUSTOM[key]):
        opt = make_optimizer(key, learning_rate=Exponential(0.05, 0.9), **hyper)
        full = {**TORCH_DEFAULTS[key], **hyper}
        W = rng.standard_normal((n, 2))  # read by decoupled weight decay only
        state = opt.init(W)
        got = []
        for t in range(steps):
            step, state = opt.update(grads[t], state, W)
            got.append(step)
        got = np.array(got)
        for i in range(n):
            for j in range(2):
                want = torch_order_steps(key, [float(v) for v in grads[:, i, j]], lr_seq, w=float(W[i, j]), **full)
                np.testing.assert_array_equal(got[:, i, j], want)


# ------------------------------------------------------------------------------ torch.optim


def torch_optimizer(torch, key, params, lr, hyper):
    return ROWS[key].torch(torch, params, lr, {**TORCH_DEFAULTS[key], **hyper})


TORCH_LR = {key: row.torch_lr for key, row in ROWS.items()}
TORCH_STARTS = np.array([(-1.2, 1.0), (0.5, 0.3), (1.3, 1.9), (1.6, 2.0), (-0.8, 0.9)])


@pytest.fixture
def torch64():
    """torch, computing in float64 (NAdam's mu_product and the step counts are tensors of the
    default dtype)."""
    torch = pytest.importorskip("torch")
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(old)


@pytest.mark.parametrize("variant", ["torch_defaults", "custom", "schedule"])
@pytest.mark.parametrize("key", OPTIMIZERS)
def test_matches_torch_optim(key, variant, torch64):
    torch = torch64
    hyper = CUSTOM[key] if variant == "custom" else TORCH_DEFAULTS[key]
    base = TORCH_LR[key]
    schedule = StepDecay(base, step_size=10, gamma=0.8) if variant == "schedule" else None
    ours = make_optimizer(key, learning_rate=schedule or base, **hyper)
    W = TORCH_STARTS.copy()
    state = ours.init(W)
    params = [torch.tensor(w, dtype=torch.float64) for w in TORCH_STARTS]
    theirs = torch_optimizer(torch, key, params, base, hyper)
    for t in range(100):
        if schedule is not None:
            for group in theirs.param_groups:
                group["lr"] = schedule(t)
        step, state = ours.update(rosenbrock_grad(W), state, W)
        W = W + step
        for p in params:
            p.grad = torch.from_numpy(rosenbrock_grad(p.detach().numpy().copy()))
        theirs.step()
        T = np.stack([p.detach().numpy() for p in params])
        # torch's CPU kernels fuse a + b·c into one FMA and its float64 √ is not always
        # correctly rounded, so the last bit may differ; NumPy rounds every operation.
        np.testing.assert_allclose(W, T, rtol=1e-14, atol=0, err_msg=f"step {t}")
    # the buffers too, by torch's names (an average of gradients of both signs cancels, so
    # the last-bit differences of the fused multiply-adds show more in p)
    names = {"p": ("momentum_buffer", "exp_avg"), "r": ("sum", "square_avg", "exp_avg_sq"),
             "r_max": ("max_exp_avg_sq",), "mu_product": ("mu_product",)}
    for name, buf in state_vectors(state).items():
        for i, p in enumerate(params):
            torch_state = theirs.state[p]
            (torch_name,) = [n for n in names[name] if n in torch_state]
            np.testing.assert_allclose(buf[i], torch_state[torch_name].numpy(), rtol=ROWS[key].buffer_rtol, atol=0)
    assert int(state.count) == 100


# ------------------------------------------------------------------------------ purity, in place, chunks


def _random_state(key, n=6, steps=3, seed=0):
    """An optimizer (with a schedule) and its state after a few updates, plus fresh inputs."""
    rng = np.random.default_rng(seed)
    opt = make_optimizer(key, learning_rate=Exponential(0.05, 0.97), **CUSTOM[key])
    W = rng.standard_normal((n, 2))
    state = opt.init(W)
    for _ in range(steps):
        _, state = opt.update(rng.standard_normal((n, 2)), state, W)
    return opt, state, W, rng.standard_normal((n, 2))


def _copy_state(state):
    return type(state)(*(np.array(x, copy=True) for x in state))


def _assert_states_equal(a, b):
    assert type(a) is type(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_pure_update_leaves_its_inputs_alone(key):
    opt, state, W, g = _random_state(key)
    g0, W0, s0 = g.copy(), W.copy(), _copy_state(state)
    count_obj = state.count
    step, new = opt.update(g, state, W)
    np.testing.assert_array_equal(g, g0)
    np.testing.assert_array_equal(W, W0)
    _assert_states_equal(state, s0)
    assert state.count is count_obj and int(state.count) == 3
    assert not np.shares_memory(step, g)
    for name, buf in state_vectors(new).items():
        assert not np.shares_memory(buf, getattr(state, name))
    # pure means repeatable
    step2, new2 = opt.update(g, state, W)
    np.testing.assert_array_equal(step, step2)
    _assert_states_equal(new, new2)


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_inplace_gives_the_same_numbers_and_updates_buffers_in_place(key):
    opt, state, W, _ = _random_state(key)
    rng = np.random.default_rng(11)
    pure_state, fast_state = state, _copy_state(state)
    for _ in range(6):
        g = rng.standard_normal(W.shape) * 3.0
        pure_step, pure_state = opt.update(g, pure_state, W)
        old_count = fast_state.count
        buffers = state_vectors(fast_state)
        fast_step, fast_state = opt.update(g.copy(), fast_state, W, inplace=True)
        np.testing.assert_array_equal(fast_step, pure_step)
        _assert_states_equal(fast_state, pure_state)
        for name, buf in state_vectors(fast_state).items():
            assert buf is buffers[name]  # the very same arrays, updated in place
        assert fast_state.count is not old_count and int(old_count) + 1 == int(fast_state.count)


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_inplace_refuses_to_scribble_on_unsuitable_gradients(key):
    """Non-writable or integer gradients are copied even with inplace=True."""
    opt, state, W, _ = _random_state(key)
    g = np.arange(W.size).reshape(W.shape)  # int
    want, _ = opt.update(g.astype(float), _copy_state(state), W)
    got, _ = opt.update(g, _copy_state(state), W, inplace=True)
    np.testing.assert_array_equal(got, want)
    assert g.dtype.kind == "i" and (g == np.arange(W.size).reshape(W.shape)).all()
    ro = g.astype(float)
    ro.flags.writeable = False
    got, _ = opt.update(ro, _copy_state(state), W, inplace=True)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_chunked_inplace_updates_on_row_views_equal_the_whole_update(key):
    opt = make_optimizer(key, learning_rate=Exponential(0.05, 0.97), **CUSTOM[key])
    rng = np.random.default_rng(5)
    W = rng.standard_normal((10, 2))
    whole, chunked = opt.init(W), opt.init(W)
    blocks = [(0, 3), (3, 4), (4, 9), (9, 10)]
    for _ in range(5):  # includes t = 0, where momentum's buffer starts at g
        g = rng.standard_normal(W.shape)
        want, whole = opt.update(g, whole, W)
        scratch = g.copy()
        step = np.empty_like(g)
        new_count = None
        for a, b in blocks:
            view = chunked._replace(**{name: buf[a:b] for name, buf in state_vectors(chunked).items()})
            s, new = opt.update(scratch[a:b], view, W[a:b], inplace=True)
            assert int(new.count) == int(chunked.count) + 1  # every block saw the old count
            step[a:b] = s
            new_count = new.count
        chunked = chunked._replace(count=new_count)
        np.testing.assert_array_equal(step, want)
        _assert_states_equal(chunked, whole)


@settings(max_examples=30, deadline=None)
@given(
    key=st.sampled_from(KEYS),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 9),
    scale=st.sampled_from([1e-8, 1.0, 1e6]),
    split=st.integers(0, 9),
)
def test_property_pure_inplace_and_chunked_agree(key, seed, n, scale, split):
    rng = np.random.default_rng(seed)
    opt = make_optimizer(key, **CUSTOM[key])
    W = rng.standard_normal((n, 2))
    a, b, c = opt.init(W), opt.init(W), opt.init(W)
    cut = min(split, n)
    for _ in range(4):
        g = rng.standard_normal((n, 2)) * scale
        s1, a = opt.update(g, a, W)
        s2, b = opt.update(g.copy(), b, W, inplace=True)
        gc = g.copy()
        parts = []
        for lo, hi in ((0, cut), (cut, n)):
            view = c._replace(**{k: v[lo:hi] for k, v in state_vectors(c).items()})
            s, new = opt.update(gc[lo:hi], view, W[lo:hi], inplace=True)
            parts.append(s)
        c = c._replace(count=new.count)
        np.testing.assert_array_equal(s1, s2)
        np.testing.assert_array_equal(s1, np.concatenate(parts))
    _assert_states_equal(a, b)
    _assert_states_equal(a, c)


# ------------------------------------------------------------------------------ behaviour


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_one_small_step_goes_down_the_bowl(key):
    rng = np.random.default_rng(2)
    W = rng.uniform(-2, 2, (20, 2))
    opt = make_optimizer(key, learning_rate=1e-3)
    step, _ = opt.update(W.copy(), opt.init(W), W)  # ∇ ½|W|² = W
    before = 0.5 * (W**2).sum(axis=-1)
    after = 0.5 * ((W + step) ** 2).sum(axis=-1)
    assert (after < before).all()


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_learning_rate_schedule_is_called_with_the_count(key):
    seen = []

    def schedule(count):
        seen.append((type(count), np.ndim(count), int(count)))
        return 0.1 * (int(count) + 1)

    opt = make_optimizer(key, learning_rate=schedule)
    W = np.array([[1.0, -2.0]])
    state = opt.init(W)
    for _ in range(3):
        _, state = opt.update(W, state, W)
    assert seen == [(np.ndarray, 0, 0), (np.ndarray, 0, 1), (np.ndarray, 0, 2)]
    if OPTIMIZERS[key].factory is sgd:  # the rate used for update t is schedule(t)
        step, _ = opt.update(W, state, W)
        np.testing.assert_array_equal(step, -0.4 * W)


def test_first_steps_follow_each_methods_convention():
    g = np.array([[3.0, -0.5], [1e-3, 2e4]])
    lr = 0.01

    def first(opt):
        return opt.update(g, opt.init(g))

    step, _ = first(sgd(lr))
    np.testing.assert_array_equal(step, -lr * g)
    # heavy ball: the buffer starts at the first gradient, so the first step is plain SGD's
    step, state = first(momentum(lr, beta=0.9))
    np.testing.assert_array_equal(state.p, g)
    np.testing.assert_array_equal(step, -lr * g)
    step, state = first(nesterov(lr, beta=0.9))
    np.testing.assert_array_equal(state.p, g)
    np.testing.assert_allclose(step, -lr * (1 + 0.9) * g, rtol=1e-15)
    # AdaGrad: r_1 = g², step −α g/(|g| + ε)
    step, state = first(adagrad(lr, eps=1e-10))
    np.testing.assert_array_equal(state.r, g * g)
    np.testing.assert_allclose(step, -lr * g / (np.abs(g) + 1e-10), rtol=1e-15)
    # RMSProp, no bias correction: |step| = α|g|/(√(1−ρ)|g| + ε) = α/√(1−ρ) · |g|/(|g| + ε/√(1−ρ))
    rho, eps = 0.99, 1e-8
    step, state = first(rmsprop(lr, rho=rho, eps=eps))
    np.testing.assert_allclose(state.r, (1 - rho) * g * g, rtol=1e-15)
    s = math.sqrt(1 - rho)
    np.testing.assert_allclose(np.abs(step), lr / s * np.abs(g) / (np.abs(g) + eps / s), rtol=1e-14)
    np.testing.assert_allclose(np.abs(step), 10 * lr, rtol=2e-4)  # ≈ α/√(1−ρ) = 10α
    assert (np.sign(step) == -np.sign(g)).all()
    # Adam, bias corrected: p̂ = g, r̂ = g², step −α g/(|g| + ε) ≈ −α·sign(g)
    step, state = first(adam(lr, eps=1e-8))
    np.testing.assert_allclose(state.p, 0.1 * g, rtol=1e-15)
    np.testing.assert_allclose(state.r, 0.001 * g * g, rtol=1e-12)
    np.testing.assert_allclose(step, -lr * g / (np.abs(g) + 1e-8), rtol=1e-13)
    np.testing.assert_allclose(step, -lr * np.sign(g), rtol=2e-5)


def test_momentum_accumulates_and_adam_bias_correction_fades():
    g = np.array([[1.0, -2.0]])
    opt = momentum(0.1, beta=0.5)
    state = opt.init(g)
    steps = []
    for _ in range(4):
        step, state = opt.update(g, state)
        steps.append(step[0, 0])
    # p = 1, 1.5, 1.75, 1.875 for a constant gradient 1
    np.testing.assert_allclose(steps, [-0.1, -0.15, -0.175, -0.1875], rtol=1e-15)
    # Adam with a constant gradient: p̂ = g and r̂ = g² at every step, so the step stays −α·sign(g)
    opt = adam(0.01)
    state = opt.init(g)
    for _ in range(20):
        step, state = opt.update(g, state)
        np.testing.assert_allclose(step, [[-0.01, 0.01]], rtol=1e-6)


def test_eps_zero_is_allowed_and_zero_gradient_then_gives_nan():
    """Like torch, ε = 0 is accepted; 0/0 where r = 0 is NaN (documented)."""
    for factory in (adagrad, rmsprop, adam):
        opt = factory(learning_rate=0.1, eps=0.0)
        g = np.array([[2.0, 0.0]])
        with np.errstate(all="ignore"):
            step, _ = opt.update(g, opt.init(g))
        assert np.isfinite(step[0, 0]) and np.isnan(step[0, 1])


# ------------------------------------------------------------------------------ validation

BAD = [
    ("gd", {"learning_rate": -1}, "learning rate must be > 0, got -1"),
    ("sgd", {"learning_rate": 0}, "learning rate must be > 0, got 0"),
    ("minibatch", {"learning_rate": -0.5}, "learning rate must be > 0, got -0.5"),
    ("adam", {"learning_rate": math.nan}, "learning rate must be finite and > 0, got nan"),
    ("momentum", {"learning_rate": math.inf}, "learning rate must be finite and > 0, got inf"),
    ("rmsprop", {"learning_rate": True}, "learning rate must be a real number, got True"),
    ("adagrad", {"learning_rate": "0.1"}, "learning rate must be a real number, got '0.1'"),
    ("momentum", {"beta": 1}, "beta must be in [0, 1), got 1"),
    ("momentum", {"beta": 1.5}, "beta must be in [0, 1), got 1.5"),
    ("nesterov", {"beta": -0.1}, "beta must be in [0, 1), got -0.1"),
    ("nesterov", {"beta": math.nan}, "beta must be in [0, 1), got nan"),
    ("momentum", {"beta": np.bool_(False)}, "beta must be a real number, got False"),
    ("rmsprop", {"rho": 1}, "rho must be in [0, 1), got 1"),
    ("rmsprop", {"rho": -0.01}, "rho must be in [0, 1), got -0.01"),
    ("adam", {"rho1": 1.0}, "rho1 must be in [0, 1), got 1.0"),
    ("adam", {"rho2": -0.5}, "rho2 must be in [0, 1), got -0.5"),
    ("adam", {"rho2": math.inf}, "rho2 must be in [0, 1), got inf"),
    ("adagrad", {"eps": -1}, "eps must be >= 0, got -1"),
    ("rmsprop", {"eps": -1e-8}, "eps must be >= 0, got -1e-08"),
    ("adam", {"eps": math.inf}, "eps must be finite and >= 0, got inf"),
    ("adam", {"eps": math.nan}, "eps must be >= 0, got nan"),
    ("adam", {"bogus": 1}, "unknown hyperparameter 'bogus' for 'adam'; valid: learning_rate, rho1, rho2, eps"),
    ("gd", {"beta": 0.9}, "unknown hyperparameter 'beta' for 'gd'; valid: learning_rate"),
    ("momentum", {"momentum": 0.9}, "unknown hyperparameter 'momentum' for 'momentum'; valid: learning_rate, beta"),
    ("lbfgs", {}, "unknown optimizer 'lbfgs'; choose from: " + ", ".join(OPTIMIZERS)),
    (None, {}, "unknown optimizer None"),
]


@pytest.mark.parametrize("key, kwargs, message", BAD)
def test_invalid_hyperparameters_raise_clear_errors(key, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_optimizer(key, **kwargs)


@pytest.mark.parametrize(
    "factory, kwargs, message",
    [
        (sgd, {"learning_rate": -1}, "learning rate must be > 0, got -1"),
        (momentum, {"beta": 1.0}, "beta must be in [0, 1)"),
        (nesterov, {"learning_rate": 0.0}, "learning rate must be > 0, got 0.0"),
        (adagrad, {"eps": -1}, "eps must be >= 0, got -1"),
        (rmsprop, {"rho": 1.0}, "rho must be in [0, 1), got 1.0"),
        (adam, {"rho1": 1}, "rho1 must be in [0, 1), got 1"),
    ],
)
def test_factories_validate_at_construction(factory, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        factory(**kwargs)


def test_gradient_shape_must_match_the_state():
    opt = adam()
    state = opt.init(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="gradient shape"):
        opt.update(np.zeros((2, 2)), state)


# ------------------------------------------------------------------------------ state layout


@pytest.mark.parametrize("shape", [(1, 2), (7, 2), (3, 4, 2)])
@pytest.mark.parametrize("key", OPTIMIZERS)
def test_state_fields_shapes_and_count(key, shape):
    opt = make_optimizer(key)
    assert isinstance(opt, GradientTransformation)
    W = np.ones(shape)
    state = opt.init(W)
    assert state._fields == STATE_FIELDS[key]
    assert type(state).__doc__ and "count" in type(state).__doc__
    assert isinstance(state.count, np.ndarray) and state.count.shape == () and state.count.dtype == np.int64
    assert int(state.count) == 0
    vectors = state_vectors(state)
    assert tuple(vectors) == STATE_FIELDS[key][1:]
    for name, buf in vectors.items():
        assert buf is getattr(state, name)
        assert buf.shape == shape and buf.dtype == np.float64
        assert (buf == (1.0 if name == "mu_product" else 0.0)).all()  # NAdam's product of the μ starts at 1
    for t in range(1, 4):
        old = state.count
        step, state = opt.update(np.full(shape, 0.5), state, W, inplace=t % 2 == 0)
        assert step.shape == shape
        assert int(old) == t - 1  # never mutated in place
        assert int(state.count) == t and state.count.shape == () and state.count.dtype == np.int64
        assert not np.shares_memory(old, state.count)


def test_init_accepts_lists_and_integer_params():
    opt = adam()
    state = opt.init([[1, 2], [3, 4]])
    assert state.p.dtype == np.float64 and state.p.shape == (2, 2)
    step, _ = opt.update([[1, 1], [1, 1]], state)
    assert step.dtype == np.float64


# ------------------------------------------------------------------------------ non-finite inputs


@pytest.mark.parametrize("value", [1e300, -1e300, math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("key", OPTIMIZERS)
def test_huge_or_non_finite_gradients_never_raise(key, value):
    opt = make_optimizer(key, learning_rate=1e3)
    W = np.array([[1.0, 2.0], [0.5, -0.5]])
    state = opt.init(W)
    g = np.array([[value, 1.0], [value, value]])
    with np.errstate(all="ignore"):
        for inplace in (False, True):
            step, new = opt.update(g.copy(), state, W, inplace=inplace)
            assert step.shape == W.shape and int(new.count) == 1
            if not math.isfinite(value):
                assert not np.isfinite(step[1]).any()
            assert np.isfinite(step[0, 1])  # the finite coordinate is untouched
            state2 = new
            for _ in range(3):  # and it keeps going
                step, state2 = opt.update(g.copy(), state2, W, inplace=inplace)


# ------------------------------------------------------------------------------ registry


def test_registry_entries():
    assert list(OPTIMIZERS) == ["gd", "sgd", "minibatch", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
                                "adamw", "amsgrad", "nadam"]
    for key, spec in OPTIMIZERS.items():
        assert isinstance(spec, OptimizerSpec) and spec.key == key and spec.title
        assert spec.hyperparameters[0] == "learning_rate"
        assert spec.hyperparameters == tuple(spec.defaults)
        assert all(isinstance(v, float) for v in spec.defaults.values())
    assert {k: OPTIMIZERS[k].factory for k in ("gd", "sgd", "minibatch")} == {"gd": sgd, "sgd": sgd, "minibatch": sgd}
    assert [(OPTIMIZERS[k].batch, OPTIMIZERS[k].default_batch_size) for k in ("gd", "sgd", "minibatch")] == [
        ("full", None), ("single", 1), ("mini", 16)]
    for key in ("momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "amsgrad", "nadam"):
        assert (OPTIMIZERS[key].batch, OPTIMIZERS[key].default_batch_size) == ("full", None)
    assert OPTIMIZERS["momentum"].hyperparameters == ("learning_rate", "beta")
    assert OPTIMIZERS["rmsprop"].hyperparameters == ("learning_rate", "rho", "eps")
    assert OPTIMIZERS["adam"].hyperparameters == ("learning_rate", "rho1", "rho2", "eps")
    assert OPTIMIZERS["adamw"].hyperparameters == ("learning_rate", "rho1", "rho2", "eps", "weight_decay")
    assert OPTIMIZERS["amsgrad"].hyperparameters == ("learning_rate", "rho1", "rho2", "eps")
    assert OPTIMIZERS["nadam"].hyperparameters == ("learning_rate", "rho1", "rho2", "eps", "momentum_decay")
    # besides α, the app's defaults are torch's
    for key, spec in OPTIMIZERS.items():
        assert {k: v for k, v in spec.defaults.items() if k != "learning_rate"} == TORCH_DEFAULTS[key]


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_make_optimizer_uses_the_entry_defaults(key):
    spec = OPTIMIZERS[key]
    W = np.array([[0.3, -1.2], [2.0, 0.1]])
    a = make_optimizer(key)
    b = spec.factory(**spec.defaults)
    np.testing.assert_array_equal(a.update(W, a.init(W), W)[0], b.update(W, b.init(W), W)[0])
    c = make_optimizer(key, learning_rate=0.123)
    d = spec.factory(**{**spec.defaults, "learning_rate": 0.123})
    np.testing.assert_array_equal(c.update(W, c.init(W), W)[0], d.update(W, d.init(W), W)[0])


def test_factory_defaults_are_torchs():
    import inspect

    defaults = {f.__name__: {k: p.default for k, p in inspect.signature(f).parameters.items()}
                for f in (sgd, momentum, nesterov, adagrad, rmsprop, adam)}
    assert defaults == {
        "sgd": {"learning_rate": 1e-3},
        "momentum": {"learning_rate": 1e-3, "beta": 0.9},
        "nesterov": {"learning_rate": 1e-3, "beta": 0.9},
        "adagrad": {"learning_rate": 1e-2, "eps": 1e-10},
        "rmsprop": {"learning_rate": 1e-2, "rho": 0.99, "eps": 1e-8},
        "adam": {"learning_rate": 1e-3, "rho1": 0.9, "rho2": 0.999, "eps": 1e-8},
    }


def test_docstrings_state_the_conventions():
    for f in (sgd, momentum, nesterov, adagrad, rmsprop, adam):
        doc = " ".join(f.__doc__.replace("**", "").split())
        assert "W_{t+1}" in doc and "learning_rate" in doc and "torch" in doc
    assert "first gradient" in momentum.__doc__
    assert "outside" in adagrad.__doc__ and "outside" in rmsprop.__doc__
    assert "no bias correction" in " ".join(rmsprop.__doc__.replace("**", "").split())
    assert "after the bias correction" in " ".join(adam.__doc__.replace("**", "").split())
    assert AdamState.__doc__ and "p" in AdamState.__doc__ and "r" in AdamState.__doc__


# ------------------------------------------------------------------------------ torch on the app's surfaces

# (surface, steps): the new rules (and Adam, their base) against torch.optim on the app's own
# surfaces, from six start points spread over each view. Chosen where the paths are stable:
# on a chaotic stretch (Himmelblau's ridges at α = 0.01) torch's fused multiply-adds grow
# to 1e-12 for Adam itself, which says nothing about the rule; and away from minima on an
# axis, where a relative tolerance with atol = 0 means nothing.
TORCH_SURFACES = [("rosenbrock", 100), ("beale", 300), ("booth", 300)]


@pytest.mark.parametrize("surface_key, steps", TORCH_SURFACES)
@pytest.mark.parametrize("key", ["adam", "adamw", "amsgrad", "nadam"])
def test_adam_family_matches_torch_on_the_app_surfaces(key, surface_key, steps, torch64):
    from optviz.core import get_surface

    torch = torch64
    surface = get_surface(surface_key)
    rng = np.random.default_rng(0)
    box = surface.view
    starts = np.column_stack([rng.uniform(box.xmin, box.xmax, 6), rng.uniform(box.ymin, box.ymax, 6)])
    ours = make_optimizer(key, learning_rate=0.01, **TORCH_DEFAULTS[key])
    W = starts.copy()
    state = ours.init(W)
    params = [torch.tensor(w) for w in starts]
    theirs = torch_optimizer(torch, key, params, 0.01, {})
    for t in range(steps):
        step, state = ours.update(surface.grad(W), state, W)
        W = W + step
        for p in params:
            p.grad = torch.from_numpy(surface.grad(p.detach().numpy()[None])[0].copy())
        theirs.step()
        np.testing.assert_allclose(W, np.stack([p.detach().numpy() for p in params]), rtol=1e-14, atol=0,
                                   err_msg=f"step {t}")
