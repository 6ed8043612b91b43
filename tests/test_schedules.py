"""Learning-rate schedules: closed forms, torch.optim.lr_scheduler parity, validation, registry."""

from __future__ import annotations

import dataclasses
import inspect
import math
import re

import numpy as np
import pytest

from optviz.core.schedules import (
    SCHEDULES,
    Constant,
    Cosine,
    Exponential,
    InverseTime,
    StepDecay,
    make_schedule,
)

T = range(0, 301)


# ------------------------------------------------------------------------------ closed forms
# Written independently of the implementation (exp/log instead of powers, etc.).


@pytest.mark.parametrize(
    "schedule, formula",
    [
        (Constant(0.3), lambda t: 0.3),
        (StepDecay(0.1, step_size=7, gamma=0.5), lambda t: 0.1 * math.exp(math.floor(t / 7) * math.log(0.5))),
        (StepDecay(2.0, step_size=1, gamma=0.9), lambda t: 2.0 * math.exp(t * math.log(0.9))),
        (StepDecay(0.1, step_size=50, gamma=1.0), lambda t: 0.1),
        (Exponential(0.05, gamma=0.99), lambda t: 0.05 * math.exp(t * math.log(0.99))),
        (InverseTime(0.2, decay=0.1), lambda t: 0.2 / (1.0 + 0.1 * t)),
        (InverseTime(0.2, decay=0.0), lambda t: 0.2),
        (Cosine(0.1, total_steps=120), lambda t: 0.05 * (1 + math.cos(math.pi * min(t, 120) / 120))),
        (
            Cosine(0.1, total_steps=80, lr_min=0.01),
            lambda t: 0.01 + 0.5 * 0.09 * (1 + math.cos(math.pi * min(t, 80) / 80)),
        ),
    ],
)
def test_matches_its_closed_form(schedule, formula):
    got = [schedule(t) for t in T]
    assert all(type(v) is float for v in got)
    np.testing.assert_allclose(got, [formula(t) for t in T], rtol=1e-12, atol=1e-18)
    assert schedule(0) == schedule.lr


def test_landmarks():
    assert [StepDecay(1.0, 10, 0.5)(t) for t in (0, 9, 10, 19, 20, 35)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.125]
    assert Exponential(1.0, 0.5)(3) == 0.125
    assert InverseTime(1.0, 0.5)(2) == 0.5  # halved after 1/decay updates
    cos = Cosine(0.2, 100, lr_min=0.02)
    assert cos(0) == 0.2 and cos(100) == 0.02 and cos(10_000) == 0.02  # clipped at T
    assert cos(50) == pytest.approx(0.11, rel=1e-15)
    assert all(cos(t) >= cos(t + 1) for t in range(150))


def test_accepts_numpy_counts_and_integral_floats():
    s = StepDecay(0.1, 3, 0.5)
    for t in (np.int64(7), np.array(7), np.array(7, dtype=np.int32), np.uint8(7), 7.0, np.array(7.0)):
        assert s(t) == s(7) == 0.025
        assert type(s(t)) is float


@pytest.mark.parametrize("bad", [-1, np.array(-2), 1.5, math.nan, math.inf])
def test_rejects_negative_or_fractional_counts(bad):
    with pytest.raises(ValueError, match="step count"):
        Exponential(0.1)(bad)


@pytest.mark.parametrize("bad", ["3", None, True, np.array([1, 2])])
def test_rejects_non_numeric_counts(bad):
    with pytest.raises((TypeError, ValueError)):
        InverseTime(0.1)(bad)


# ------------------------------------------------------------------------------ torch


def _torch_lrs(torch, make_scheduler, lr, steps):
    """torch's learning rate before each of ``steps`` updates, and its closed form then."""
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = make_scheduler(optimizer)
    chained, closed = [], []
    for _ in range(steps):
        chained.append(optimizer.param_groups[0]["lr"])
        if hasattr(scheduler, "_get_closed_form_lr"):
            closed.append(scheduler._get_closed_form_lr()[0])
        optimizer.step()
        scheduler.step()
    return chained, closed


@pytest.mark.parametrize(
    "name, ours, theirs",
    [
        ("StepLR", StepDecay(0.1, step_size=7, gamma=0.5), lambda s, o: s.StepLR(o, step_size=7, gamma=0.5)),
        ("StepLR-1", StepDecay(0.3, step_size=1, gamma=0.93), lambda s, o: s.StepLR(o, step_size=1, gamma=0.93)),
        ("ExponentialLR", Exponential(0.1, gamma=0.97), lambda s, o: s.ExponentialLR(o, gamma=0.97)),
        ("CosineAnnealingLR", Cosine(0.1, total_steps=100), lambda s, o: s.CosineAnnealingLR(o, T_max=100)),
        (
            "CosineAnnealingLR-min",
            Cosine(0.05, total_steps=60, lr_min=1e-3),
            lambda s, o: s.CosineAnnealingLR(o, T_max=60, eta_min=1e-3),
        ),
    ],
)
def test_matches_torch_lr_scheduler(name, ours, theirs):
    torch = pytest.importorskip("torch")
    # up to T for the cosine: stepped past T_max, torch's rate climbs back up, ours stays
    steps = ours.total_steps + 1 if isinstance(ours, Cosine) else 100
    chained, closed = _torch_lrs(torch, lambda o: theirs(torch.optim.lr_scheduler, o), ours.lr, steps)
    mine = [ours(t) for t in range(steps)]
    # torch's default mode multiplies the previous rate by a factor each step: a few ulp apart
    np.testing.assert_allclose(mine, chained, rtol=1e-14, atol=1e-17)
    # its closed form (used by scheduler.step(epoch)) is evaluated in the same order as ours
    if closed:
        assert mine == closed


def test_a_schedule_drives_an_optimizer():
    from optviz.core.optimizers import make_optimizer

    schedule = make_schedule("step", 0.1, step_size=2, gamma=0.5)
    opt = make_optimizer("gd", learning_rate=schedule)
    W = np.array([[1.0, -1.0]])
    state = opt.init(W)
    steps = []
    for _ in range(5):
        step, state = opt.update(np.ones_like(W), state, W)
        steps.append(step[0, 0])
    assert steps == [-0.1, -0.1, -0.05, -0.05, -0.025]


# ------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "kind, lr, kwargs, message",
    [
        ("constant", 0.0, {}, "learning rate must be > 0, got 0.0"),
        ("constant", -1, {}, "learning rate must be > 0, got -1"),
        ("step", math.nan, {}, "learning rate must be finite and > 0, got nan"),
        ("exponential", math.inf, {}, "learning rate must be finite and > 0, got inf"),
        ("cosine", True, {}, "learning rate must be a real number, got True"),
        ("step", 0.1, {"step_size": 0}, "step_size must be an integer >= 1, got 0"),
        ("step", 0.1, {"step_size": 2.5}, "step_size must be an integer >= 1, got 2.5"),
        ("step", 0.1, {"step_size": True}, "step_size must be an integer >= 1, got True"),
        ("step", 0.1, {"gamma": 0.0}, "gamma must be in (0, 1], got 0.0"),
        ("step", 0.1, {"gamma": 1.5}, "gamma must be in (0, 1], got 1.5"),
        ("exponential", 0.1, {"gamma": -0.5}, "gamma must be in (0, 1], got -0.5"),
        ("exponential", 0.1, {"gamma": math.nan}, "gamma must be in (0, 1], got nan"),
        ("inverse_time", 0.1, {"decay": -1}, "decay must be >= 0, got -1"),
        ("inverse_time", 0.1, {"decay": math.inf}, "decay must be finite and >= 0, got inf"),
        ("cosine", 0.1, {"total_steps": 0}, "total_steps must be an integer >= 1, got 0"),
        ("cosine", 0.1, {"total_steps": math.inf}, "total_steps must be an integer >= 1, got inf"),
        ("cosine", 0.1, {"lr_min": -0.01}, "lr_min must be in [0, lr] = [0, 0.1], got -0.01"),
        ("cosine", 0.1, {"lr_min": 0.2}, "lr_min must be in [0, lr] = [0, 0.1], got 0.2"),
        ("cosine", 0.1, {"lr_min": "0"}, "lr_min must be a real number, got '0'"),
        ("step", 0.1, {"bogus": 1}, "unknown parameter 'bogus' for the 'step' schedule; valid: step_size, gamma"),
        ("constant", 0.1, {"gamma": 0.5}, "unknown parameter 'gamma' for the 'constant' schedule; valid: none"),
        ("warmup", 0.1, {}, "unknown schedule 'warmup'; choose from: " + ", ".join(SCHEDULES)),
    ],
)
def test_invalid_arguments_raise_value_errors_naming_the_parameter(kind, lr, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_schedule(kind, lr, **kwargs)


def test_direct_construction_validates_too():
    with pytest.raises(ValueError, match=re.escape("gamma must be in (0, 1], got 2")):
        Exponential(0.1, 2)
    with pytest.raises(ValueError, match="learning rate must be > 0"):
        Cosine(-0.1, 10)


# ------------------------------------------------------------------------------ registry


def test_registry_and_make_schedule():
    assert list(SCHEDULES) == ["constant", "step", "exponential", "inverse_time", "cosine"]
    assert SCHEDULES["step"] is StepDecay and SCHEDULES["cosine"] is Cosine
    s = make_schedule("cosine", 0.1, total_steps=500, lr_min=1e-3)
    assert s == Cosine(0.1, 500, 1e-3)
    assert make_schedule("step", 0.1, step_size=7.0).step_size == 7  # integral floats become ints
    assert isinstance(make_schedule("step", 0.1, step_size=np.int64(7)).step_size, int)
    assert make_schedule("constant", 1) == Constant(1.0) and isinstance(Constant(1).lr, float)


@pytest.mark.parametrize("kind", SCHEDULES)
def test_extra_parameters_have_valid_defaults_in_the_signature(kind):
    """A GUI builds its inputs from the signature: every parameter but lr has a default."""
    params = list(inspect.signature(SCHEDULES[kind]).parameters.values())
    assert params[0].name == "lr" and params[0].default is inspect.Parameter.empty
    extra = {p.name: p.default for p in params[1:]}
    assert all(v is not inspect.Parameter.empty for v in extra.values())
    assert bool(extra) == (kind != "constant")
    schedule = make_schedule(kind, 0.1, **extra)
    assert 0 < schedule(0) == 0.1 and schedule(10**6) >= 0.0
    assert SCHEDULES[kind].__doc__ and "α" in SCHEDULES[kind].__doc__


def test_schedules_are_frozen_and_hashable():
    s = StepDecay(0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.gamma = 0.9
    assert hash(s) == hash(StepDecay(0.1)) and {s: 1}[StepDecay(0.1, 100, 0.5)] == 1


@pytest.mark.parametrize("kind", list(SCHEDULES))
def test_every_schedule_parameter_is_defined_for_the_panels(kind):
    """A schedule's extra parameters (its signature after ``lr``) each have a definition the
    panels read (label, tooltip, integer?, range), and the default lies in that range."""
    import dataclasses

    cls = SCHEDULES[kind]
    names = [f.name for f in dataclasses.fields(cls) if f.name != "lr"]
    assert sorted(cls.params) == sorted(names), kind
    for name in names:
        param, default = cls.params[name], next(f.default for f in dataclasses.fields(cls) if f.name == name)
        assert param.label and param.tooltip and param.low <= default <= param.high, (kind, name)
        assert param.integer == (type(default) is int), (kind, name)
