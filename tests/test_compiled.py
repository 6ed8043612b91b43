"""The compiled optimizer kernel: bit for bit the scalar torch-order reference and the NumPy
backend, for every optimizer, on every surface, and a clear fallback without numba."""

import subprocess
import sys

import numpy as np
import pytest
from test_optimizers import CUSTOM, TORCH_DEFAULTS, torch_order_steps

from optviz.core import OPTIMIZERS, RunSpec, Simulation, compiled, get_surface, surface_keys

pytestmark = pytest.mark.skipif(not compiled.available(), reason="numba is not installed")


@pytest.fixture(scope="module")
def kernel():
    fused = compiled.kernel()
    assert fused is not None, compiled.error()
    return fused


def tables(keys, hyper=None, n=3):
    """The compiled kernel's per-run tables for the race entries ``keys``: kinds, constants,
    the buffer stack B (one row per buffer name, zeros) and each run's slots into it."""
    confs = [OPTIMIZERS[k].configure(learning_rate=0.1, **(hyper or {}).get(k, {})) for k in keys]
    names = sorted({b.name for c in confs for b in c.rule.buffers})
    kinds = np.array([compiled.kind(c.rule.key) for c in confs], dtype=np.int8)
    constants = np.stack([compiled.constants_row(c) for c in confs])
    slots = np.zeros((len(keys), compiled.MAX_BUFFERS), dtype=np.int64)
    B = np.zeros((len(names), len(keys), n, 2))
    for k, c in enumerate(confs):
        for j, b in enumerate(c.rule.buffers):
            slots[k, j] = names.index(b.name)
            B[names.index(b.name), k] = b.start
    return kinds, constants, B, slots, names


@pytest.mark.parametrize("variant", ["torch_defaults", "custom"])
def test_every_kind_matches_the_scalar_torch_order_reference_bit_for_bit(kernel, variant):
    """All eight optimizers as one batch of runs, 60 updates of random gradients with a
    changing learning rate: each step equals the plain-Python reference exactly."""
    keys = list(OPTIMIZERS)
    hyper = {k: (CUSTOM if variant == "custom" else TORCH_DEFAULTS)[k] for k in keys}
    kinds, constants, B, slots, _ = tables(keys, hyper)
    K, N, T = len(keys), 3, 60
    rng = np.random.default_rng(1)
    grads = rng.standard_normal((T, K, N, 2)) * np.logspace(-3, 2, N)[None, None, :, None]
    lrs = 0.05 * (1 + rng.random((T, K)))
    W = rng.standard_normal((K, N, 2))
    got = np.empty_like(grads)
    act = np.arange(K)
    for t in range(T):
        g = grads[t].copy()
        kernel(act, kinds, constants, lrs[t], np.full(K, t), g, W, B, slots)
        got[t] = g
    for k, key in enumerate(keys):
        for i in range(N):
            for d in range(2):
                want = torch_order_steps(key, grads[:, k, i, d].tolist(), lrs[:, k].tolist(), w=W[k, i, d],
                                         **hyper[key])
                assert got[:, k, i, d].tolist() == want, (key, i, d)


def test_only_the_listed_runs_change(kernel):
    kinds, constants, B, slots, names = tables(("adam", "momentum", "rmsprop"), n=2)
    p, r = B[names.index("p")], B[names.index("r")]
    g = np.ones((3, 2, 2))
    kernel(np.array([1]), kinds, constants, np.array([0.1]), np.array([0]), g, np.zeros((3, 2, 2)), B, slots)
    assert g[0].tolist() == g[2].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert (p[0] == 0).all() and (r == 0).all() and (p[1] == 1).all()
    assert (g[1] == -0.1).all()


def test_an_unknown_kind_raises_instead_of_running_another_rule(kernel):
    kinds, constants, B, slots, _ = tables(("adam",), n=1)
    g = np.ones((1, 1, 2))
    with pytest.raises(ValueError, match="unknown optimizer kind"):
        kernel(np.array([0]), np.array([len(compiled.KINDS)], dtype=np.int8), constants, np.array([0.1]),
               np.array([0]), g, np.zeros((1, 1, 2)), B, slots)
    with pytest.raises(ValueError, match="no compiled kernel for the update rule 'lion'"):
        compiled.kind("lion")


def _race(surface_key: str) -> list[RunSpec]:
    """Every optimizer, two of them on schedules, the stochastic ones with their noise."""
    specs = [RunSpec(k, {"learning_rate": 0.3 * OPTIMIZERS[k].defaults["learning_rate"]}) for k in OPTIMIZERS]
    specs.append(RunSpec("adam", {"learning_rate": 0.02}, schedule="cosine", schedule_params={"total_steps": 150}))
    specs.append(RunSpec("sgd", {"learning_rate": 0.01}, schedule="step", schedule_params={"step_size": 20}, seed=4))
    return specs


def _assert_same_history(a: Simulation, b: Simulation) -> None:
    ha, hb = a.history, b.history
    for name in ("positions", "loss", "grad_norm", "grad", "lr"):
        np.testing.assert_array_equal(getattr(ha, name), getattr(hb, name), err_msg=name)
    for name in ha.state:
        np.testing.assert_array_equal(ha.state[name], hb.state[name], err_msg=name)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.minimum, b.minimum)
    np.testing.assert_array_equal(a.steps, b.steps)


@pytest.mark.parametrize("surface_key", surface_keys())
def test_compiled_and_numpy_simulations_are_bit_identical_on_every_surface(kernel, surface_key):
    s = get_surface(surface_key)
    sims = [Simulation(s, _race(surface_key), s.start, max_steps=150, seed=2, backend=b) for b in ("numpy", "compiled")]
    for sim in sims:
        sim.step(40)
        sim.restart(3)  # runs at different step counts from here on
        sim.restart(9, RunSpec("sgd", {"learning_rate": 0.02}, batch_size=4, seed=1))
        sim.run()
    _assert_same_history(*sims)


def test_compiled_chunked_unrecorded_swarm_equals_numpy(kernel):
    s = get_surface("himmelblau")
    starts = np.random.default_rng(3).uniform(-5, 5, (700, 2))
    runs = [RunSpec(k) for k in ("momentum", "adagrad", "rmsprop", "adam")]
    a, b = (Simulation(s, runs, starts, max_steps=80, record=False, chunk_rows=128, check_every=9, backend=x)
            for x in ("numpy", "compiled"))
    a.run()
    b.run()
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.status, b.status)


def test_auto_uses_the_compiled_kernel_only_once_it_is_ready(kernel, monkeypatch):
    s = get_surface("bowl")
    sim = Simulation(s, [RunSpec("adam")], s.start, max_steps=5)
    assert sim._compiled_kernel() is kernel
    monkeypatch.setattr(compiled._KERNEL, "value", None)
    monkeypatch.setattr(compiled._KERNEL, "failure", "ImportError: no numba here")
    assert sim._compiled_kernel() is None  # auto: NumPy, no waiting
    sim.run()
    assert sim.steps[0] == 5
    with pytest.raises(RuntimeError, match="compiled backend is unavailable.*no numba here.*backend='numpy'"):
        Simulation(s, [RunSpec("adam")], s.start, backend="compiled")
    with pytest.raises(ValueError, match="backend must be"):
        Simulation(s, [RunSpec("adam")], s.start, backend="gpu")


def test_without_numba_everything_falls_back_to_numpy():
    code = (
        "import sys; sys.modules['numba'] = None\n"
        "from optviz.core import compiled, simulate, RunSpec, get_surface\n"
        "s = get_surface('rosenbrock')\n"
        "assert not compiled.available()\n"
        "assert compiled.kernel() is None and 'numba' in compiled.error()\n"
        "sim = simulate(s, [RunSpec('adam')], s.start, steps=20)\n"
        "print(sim.steps[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "20"


@pytest.mark.parametrize("kind", ["adagrad", "rmsprop", "adam"])
def test_zero_eps_at_a_stationary_point_gives_nan_like_numpy(kind):
    # 0 / (0 + √0): NumPy gives NaN (the run is reported diverged); the compiled kernel must
    # not raise ZeroDivisionError instead.
    if compiled.kernel() is None:
        pytest.skip(f"numba unavailable: {compiled.error()}")
    surface = get_surface("bowl")
    m = surface.minima[0]
    out = []
    for backend in ("numpy", "compiled"):
        sim = Simulation(surface, [RunSpec(kind, {"eps": 0.0})], (m.x, m.y), max_steps=5, backend=backend)
        sim.step(2)
        out.append((sim.positions.copy(), sim.status.copy()))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    assert np.isnan(out[1][0]).all() and (out[0][1] == out[1][1]).all()


def test_generated_modules_of_other_versions_are_removed_once_stale(tmp_path, monkeypatch):
    """Every change of a rule writes a new generated module; those nothing has touched for a
    week go (with numba's cache of them), the one in use and recent ones of other versions stay."""
    import os
    import time

    monkeypatch.setenv("OPTVIZ_KERNEL_DIR", str(tmp_path))
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    week = compiled.STALE_SECONDS
    old, recent = tmp_path / "kernels_aaaaaaaaaaaaaaaaaaaa.py", tmp_path / "kernels_bbbbbbbbbbbbbbbbbbbb.py"
    for path, age in ((old, week + 3600), (recent, week - 3600)):
        path.write_text("# another version\n")
        (cache / f"{path.stem}.update_runs-10.py311.nbi").write_text("x")
        stamp = time.time() - age
        os.utime(path, (stamp, stamp))
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("mine")
    os.utime(unrelated, (0, 0))
    current = compiled._write("# sources test\n")
    assert current.exists() and recent.exists() and unrelated.exists()
    assert not old.exists() and not list(cache.glob(f"{old.stem}.*"))
    assert list(cache.glob(f"{recent.stem}.*"))
    os.utime(current, (0, 0))  # an old module in use is touched again when written
    assert compiled._write("# sources test\n") == current and current.stat().st_mtime > time.time() - 60
