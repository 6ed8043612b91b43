"""Tests for the surface catalogue: exact gradients, literature minima, metadata and the registry.

Expected values for the classic functions are literal numbers from the literature
(shared/reference/test-functions.md), never read back from the surface objects.
"""

import math
import re
import tracemalloc
import warnings

import numpy as np
import pytest

from optviz.core.geometry import CriticalPoint, ViewBox
from optviz.core.surface import Category, Family, Surface
from optviz.core.surfaces import DEFINITIONS, SURFACES, get_surface, surface_keys, two_wells

KEYS = surface_keys()
REQUIRED_KEYS = {
    "bowl", "narrow_valley", "rosenbrock", "ravine", "beale", "himmelblau", "rastrigin", "ackley",
    "booth", "goldstein_price", "six_hump_camel", "saddle", "monkey_saddle", "two_wells", "plateau",
}
# Surfaces with parameters are also checked away from their defaults.
CASES = [(key, {}) for key in KEYS] + [
    ("narrow_valley", {"condition": 40.0, "angle": 30.0}),
    ("narrow_valley", {"condition": 1.0}),
    ("narrow_valley", {"condition": 1e4, "angle": -75.0}),
]
CASE_IDS = [key + "".join(f"-{k}={v:g}" for k, v in params.items()) for key, params in CASES]


def random_points_in(view: ViewBox, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(view.xmin, view.xmax, n), rng.uniform(view.ymin, view.ymax, n)])


def hessian_norm(surface: Surface, point) -> float:
    return float(np.abs(np.linalg.eigvalsh(surface.hessian(np.asarray(point, dtype=float)))).max())


def assert_stationary(surface: Surface, point) -> None:
    """|∇J| ≤ 1e-7·(1 + ‖H‖): the point is within ~1e-7 of a true stationary point."""
    g = np.linalg.norm(surface.grad(np.asarray(point, dtype=float)))
    assert g <= 1e-7 * (1.0 + hessian_norm(surface, point)), f"|grad| = {g:.3g} at {point}"


# --- registry ---------------------------------------------------------------------------


def test_registry_has_the_required_surfaces():
    assert REQUIRED_KEYS <= set(KEYS)
    assert KEYS == list(SURFACES)
    for key in KEYS:
        surface = get_surface(key)
        assert isinstance(surface, Surface)
        assert surface.key == key


@pytest.mark.parametrize("key", KEYS)
def test_each_surface_module_holds_its_whole_definition(key):
    """One module per surface: its factory, NumPy value and gradient and scalar twins side by
    side, and a definition whose key is the built surface's; a half-defined surface fails here."""
    import importlib

    definition = DEFINITIONS[key]
    module = importlib.import_module(f"optviz.core.surfaces.{key}")
    assert module.DEFINITION is definition and definition.key == key
    assert definition.build is getattr(module, key) and SURFACES[key] is definition.build
    for piece in ("scalar_value", "scalar_gradient"):
        assert getattr(definition, piece) is getattr(module, piece), piece
    surface = definition.build()
    assert surface.key == key
    assert isinstance(definition.exact, bool)


@pytest.mark.parametrize("key, params", CASES, ids=CASE_IDS)
def test_scalar_twins_compute_the_numpy_value_and_gradient(key, params):
    """The twins, run as plain Python on floats, agree with the vectorized NumPy forms (numba
    compiles exactly these functions; test_basins checks the compiled ones bit for bit)."""
    surface = get_surface(key, **params)
    definition = DEFINITIONS[key]
    sp = np.array(surface.twin_params)
    points = random_points_in(surface.view, 50, seed=3)
    values = surface.f(points)
    grads = surface.grad(points)
    for (x, y), v, g in zip(points, values, grads):
        assert definition.scalar_value(sp, float(x), float(y)) == pytest.approx(v, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(definition.scalar_gradient(sp, float(x), float(y)), g, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("condition, angle", [(25.0, 0.0), (40.0, 30.0), (1e4, -75.0)])
def test_narrow_valley_twin_parameters_are_its_hessian(condition, angle):
    """The parameters computed once by the factory are the Hessian Rᵀdiag(1, κ)R, built here
    with matrices."""
    t = math.radians(angle)
    rot = np.array([[math.cos(t), math.sin(t)], [-math.sin(t), math.cos(t)]])
    hess = rot.T @ np.diag([1.0, condition]) @ rot
    surface = get_surface("narrow_valley", condition=condition, angle=angle)
    np.testing.assert_allclose(surface.twin_params, (hess[0, 0], hess[0, 1], hess[1, 1]), rtol=1e-12, atol=1e-12)
    assert get_surface("bowl").twin_params == ()


def test_unknown_key_is_a_value_error_listing_the_choices():
    with pytest.raises(ValueError, match=r"unknown surface 'nope'; choose from: .*rosenbrock") as info:
        get_surface("nope")
    assert not isinstance(info.value, KeyError)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"condition": 0.5}, "condition"),
        ({"condition": 0.0}, "condition"),
        ({"condition": -3.0}, "condition"),
        ({"condition": math.inf}, "condition"),
        ({"condition": math.nan}, "condition"),
        ({"condition": 1e5}, "condition"),
        ({"condition": "steep"}, "condition"),
        ({"angle": math.nan}, "angle"),
        ({"angle": math.inf}, "angle"),
        ({"conditon": 10.0}, "conditon"),
    ],
)
def test_parameter_validation_names_the_parameter(params, name):
    with pytest.raises(ValueError, match=name):
        get_surface("narrow_valley", **params)


def test_parameter_errors_give_the_allowed_range():
    with pytest.raises(ValueError, match=r"condition number must be .*\[1, 10000\], got 0\.5"):
        get_surface("narrow_valley", condition=0.5)


def test_surfaces_without_parameters_reject_parameters():
    with pytest.raises(ValueError, match="condition"):
        get_surface("bowl", condition=3.0)


def test_parameters_are_recorded():
    surface = get_surface("narrow_valley", condition=40, angle=30)
    assert surface.params == {"condition": 40.0, "angle": 30.0}
    assert get_surface("narrow_valley").params["condition"] >= 20


# --- gradients ---------------------------------------------------------------------------


@pytest.mark.parametrize("key, params", CASES, ids=CASE_IDS)
def test_gradient_matches_central_differences(key, params):
    surface = get_surface(key, **params)
    points = random_points_in(surface.view, 400, seed=len(key))
    if key == "ackley":  # the origin is a cusp, not differentiable
        points = points[np.linalg.norm(points, axis=1) > 1e-3]
    exact = surface.grad(points)
    value = np.abs(surface.f(points))
    for j in range(2):
        h = 1e-6 * np.maximum(1.0, np.abs(points[:, j]))
        step = np.zeros_like(points)
        step[:, j] = h
        central = (surface.f(points + step) - surface.f(points - step)) / (2.0 * h)
        # Truncation error is relative to the gradient; rounding error grows like eps·|J|/h.
        allowed = 1e-6 * (1.0 + np.abs(exact[:, j])) + 1e3 * np.finfo(float).eps * value / h
        err = np.abs(central - exact[:, j])
        worst = np.argmax(err / allowed)
        assert np.all(err <= allowed), f"∂{'xy'[j]} off by {err[worst]:.3g} at {points[worst]}"


def test_ackley_gradient_at_the_origin_cusp_is_zero_without_warnings():
    ackley = get_surface("ackley")
    with np.errstate(all="raise"):
        g = ackley.grad(np.array([[0.0, 0.0], [0.5, -0.25]]))
        f0 = ackley.f(np.zeros(2))
    assert np.array_equal(g[0], [0.0, 0.0])
    assert np.all(np.isfinite(g[1]))
    assert f0 == 0.0


def test_rosenbrock_gradient_makes_no_large_temporaries():
    rosenbrock = get_surface("rosenbrock")
    points = random_points_in(rosenbrock.view, 32768)
    out = np.empty_like(points)
    rosenbrock.grad(points, out=out)  # warm-up
    tracemalloc.start()
    try:
        rosenbrock.grad(points, out=out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < points.shape[0] * 8 // 4, f"peak {peak} bytes: a temporary array was allocated"


# --- literature values ---------------------------------------------------------------------

# (key, x, y, value) from shared/reference/test-functions.md.
LITERATURE_GLOBAL_MINIMA = [
    ("rosenbrock", 1.0, 1.0, 0.0),
    ("beale", 3.0, 0.5, 0.0),
    ("himmelblau", 3.0, 2.0, 0.0),
    ("himmelblau", -2.805118086952745, 3.131312518250573, 0.0),
    ("himmelblau", -3.779310253377747, -3.283185991286170, 0.0),
    ("himmelblau", 3.584428340330492, -1.848126526964404, 0.0),
    ("rastrigin", 0.0, 0.0, 0.0),
    ("ackley", 0.0, 0.0, 0.0),
    ("booth", 1.0, 3.0, 0.0),
    ("goldstein_price", 0.0, -1.0, 3.0),
    ("six_hump_camel", 0.08984201368301331, -0.7126564032704135, -1.031628453489877),
    ("six_hump_camel", -0.08984201368301331, 0.7126564032704135, -1.031628453489877),
    ("three_hump_camel", 0.0, 0.0, 0.0),
]


@pytest.mark.parametrize("key, x, y, value", LITERATURE_GLOBAL_MINIMA)
def test_literature_global_minimum(key, x, y, value):
    surface = get_surface(key)
    point = np.array([x, y])
    assert surface.f(point) == pytest.approx(value, abs=1e-12)
    if key != "ackley":  # a cusp: no gradient at its minimum
        assert_stationary(surface, point)
    # The surface lists it as a global minimum with the literature value. The literature's
    # camel location is 6e-10 off the true stationary point, hence the 1e-8 location tolerance.
    listed = [m for m in surface.minima if math.hypot(m.x - x, m.y - y) < 1e-8]
    assert len(listed) == 1, f"{key} does not list the minimum ({x}, {y})"
    assert listed[0].value == pytest.approx(value, abs=1e-12)
    assert surface.minima[0].value == pytest.approx(value, abs=1e-12)


def test_himmelblau_local_maximum_is_not_listed():
    himmelblau = get_surface("himmelblau")
    peak = np.array([-0.270845, -0.923039])
    assert himmelblau.f(peak) == pytest.approx(181.617, abs=1e-3)
    assert np.all(np.linalg.eigvalsh(himmelblau.hessian(peak)) < 0)
    for point in himmelblau.minima + himmelblau.saddles:
        assert math.hypot(point.x - peak[0], point.y - peak[1]) > 0.1
    assert len(himmelblau.minima) == 4 and len(himmelblau.saddles) == 4


# The formulas of the reference table, transcribed literally.
LITERATURE_FORMULAS = {
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "rastrigin": lambda x, y: 20 + (x**2 - 10 * np.cos(2 * np.pi * x)) + (y**2 - 10 * np.cos(2 * np.pi * y)),
    "ackley": lambda x, y: (
        -20 * np.exp(-0.2 * np.sqrt(0.5 * (x**2 + y**2)))
        - np.exp(0.5 * (np.cos(2 * np.pi * x) + np.cos(2 * np.pi * y)))
        + np.e
        + 20
    ),
    "booth": lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
    "goldstein_price": lambda x, y: (
        (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2))
        * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2))
    ),
    "six_hump_camel": lambda x, y: (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2,
    "three_hump_camel": lambda x, y: 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2,
    "monkey_saddle": lambda x, y: x**3 - 3 * x * y**2,
    "saddle": lambda x, y: x**2 - y**2,
}


@pytest.mark.parametrize("key", sorted(LITERATURE_FORMULAS))
def test_value_matches_the_literature_formula(key):
    surface = get_surface(key)
    points = random_points_in(surface.view, 500, seed=1)
    expected = LITERATURE_FORMULAS[key](points[:, 0], points[:, 1])
    np.testing.assert_allclose(surface.f(points), expected, rtol=1e-12, atol=1e-12)


def test_reference_formula_gives_goldstein_price_3_at_its_minimum():
    assert LITERATURE_FORMULAS["goldstein_price"](0.0, -1.0) == 3.0


# --- critical points -----------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_listed_minima_are_stationary_and_positive_definite(key):
    surface = get_surface(key)
    for m in surface.minima:
        assert isinstance(m, CriticalPoint)
        assert surface.f(m.location) == pytest.approx(m.value, rel=1e-12, abs=1e-12)
        if key == "ackley" and (m.x, m.y) == (0.0, 0.0):
            continue  # cusp: the Hessian does not exist
        assert_stationary(surface, m.location)
        eig = np.linalg.eigvalsh(surface.hessian(m.location))
        assert eig.min() > 1e-6 * (1.0 + abs(eig).max()), f"Hessian at {m} has eigenvalues {eig}"
    if surface.minima:
        assert surface.minima[0].value == min(m.value for m in surface.minima), "global minimum first"


@pytest.mark.parametrize("key", KEYS)
def test_listed_saddles_are_stationary_and_not_extrema(key):
    surface = get_surface(key)
    for s in surface.saddles:
        assert surface.f(s.location) == pytest.approx(s.value, rel=1e-12, abs=1e-12)
        assert_stationary(surface, s.location)
        eig = np.linalg.eigvalsh(surface.hessian(s.location))
        tol = 1e-6 * (1.0 + abs(eig).max())
        indefinite = eig.min() < -tol and eig.max() > tol
        degenerate = np.all(np.abs(eig) <= tol)
        assert indefinite or degenerate, f"Hessian at {s} has eigenvalues {eig}"


def test_saddles_of_the_saddle_surfaces():
    plain = get_surface("saddle")
    assert plain.minima == ()
    assert [(s.x, s.y) for s in plain.saddles] == [(0.0, 0.0)]
    np.testing.assert_allclose(np.linalg.eigvalsh(plain.hessian(np.zeros(2))), [-2.0, 2.0], rtol=1e-8)
    monkey = get_surface("monkey_saddle")
    assert monkey.minima == ()
    assert [(s.x, s.y) for s in monkey.saddles] == [(0.0, 0.0)]
    np.testing.assert_allclose(monkey.hessian(np.zeros(2)), np.zeros((2, 2)), atol=1e-9)


@pytest.mark.parametrize("key", [k for k in KEYS if get_surface(k).minima])
def test_no_grid_point_is_below_the_global_minimum(key):
    surface = get_surface(key)
    global_min = surface.minima[0].value
    _, _, z = surface.grid(401, 401)
    assert z.min() >= global_min - 1e-9 * max(1.0, abs(global_min))


# --- metadata -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_metadata(key):
    surface = get_surface(key)
    assert isinstance(surface.category, Category)
    assert isinstance(surface.family, Family)
    assert surface.family in (Family.TEACHING, Family.CLASSIC)
    assert surface.title.strip()
    assert isinstance(surface.view, ViewBox)
    start = np.array(surface.start)
    assert surface.view.contains(start), "start outside the view"
    for point in surface.minima + surface.saddles:
        assert surface.view.contains(point.location), f"{point} outside the view"
        assert np.linalg.norm(start - point.location) > 0.02 * surface.view.diagonal, "start at a critical point"
    assert np.linalg.norm(surface.grad(start)) > 1e-3, "start at a critical point"
    # One sentence: a capital first letter, one final full stop, no sentence break inside.
    assert re.fullmatch(r"[A-Z][^.!?]*(\.\d[^.!?]*)*\.", surface.caption), surface.caption


def test_families_and_categories():
    classic = {"rosenbrock", "beale", "himmelblau", "rastrigin", "ackley", "booth", "goldstein_price",
               "six_hump_camel", "three_hump_camel"}
    for key in KEYS:
        expected = Family.CLASSIC if key in classic else Family.TEACHING
        assert get_surface(key).family is expected, key
    expected_categories = {
        "bowl": Category.CONVEX,
        "narrow_valley": Category.NARROW_VALLEY,
        "rosenbrock": Category.NARROW_VALLEY,
        "ravine": Category.NARROW_VALLEY,
        "saddle": Category.SADDLE,
        "monkey_saddle": Category.SADDLE,
        "two_wells": Category.LOCAL_MINIMA,
        "plateau": Category.PLATEAU,
        "booth": Category.CONVEX,
    }
    for key, category in expected_categories.items():
        assert get_surface(key).category is category, key


@pytest.mark.parametrize("key", ["rosenbrock", "beale", "goldstein_price", "himmelblau"])
def test_wide_ranges_use_log_colour(key):
    assert get_surface(key).log_color


def test_rosenbrock_view():
    assert get_surface("rosenbrock").view == ViewBox(-2.0, 2.0, -1.0, 3.0)


# --- array handling -----------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_shapes_and_out(key):
    surface = get_surface(key)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 3)), axis=-1)
    assert grid.shape == (3, 5, 2)
    assert surface.f(grid).shape == (3, 5)
    assert surface.grad(grid).shape == (3, 5, 2)
    flat = grid.reshape(-1, 2)
    assert surface.f(flat).shape == (15,)
    np.testing.assert_array_equal(surface.f(grid).ravel(), surface.f(flat))
    single = surface.f(np.array([0.3, -0.2]))
    assert np.shape(single) == ()
    np.testing.assert_array_equal(surface.grad(np.array([0.3, -0.2])), surface.grad(np.array([[0.3, -0.2]]))[0])

    expected = surface.grad(flat)
    out = np.full_like(flat, np.nan)
    assert surface.grad(flat, out=out) is out
    np.testing.assert_array_equal(out, expected)
    # A strided output (every other row of a bigger buffer) and an output aliasing the input.
    buffer = np.zeros((30, 2))
    assert surface.grad(flat, out=buffer[::2]) is not None
    np.testing.assert_array_equal(buffer[::2], expected)
    aliased = flat.copy()
    assert surface.grad(aliased, out=aliased) is aliased
    np.testing.assert_array_equal(aliased, expected)
    with pytest.raises(ValueError, match="shape"):
        surface.grad(flat, out=np.empty((14, 2)))
    with pytest.raises(ValueError, match="shape"):
        surface.f(np.zeros((4, 3)))


NON_FINITE = np.array([[1e200, 1e200], [-1e200, 3.0], [np.inf, -np.inf], [np.nan, 0.0], [0.5, np.nan], [1e154, -1e154]])


@pytest.mark.parametrize("key", KEYS)
def test_huge_and_non_finite_points_do_not_raise(key):
    surface = get_surface(key)
    with np.errstate(all="ignore"):
        values = surface.f(NON_FINITE)
        grads = surface.grad(NON_FINITE)
    assert values.shape == (len(NON_FINITE),) and grads.shape == NON_FINITE.shape
    assert np.isnan(values[3]) and np.isnan(values[4])
    assert np.isnan(grads[3]).any() and np.isnan(grads[4]).any()
    # Under NumPy's default policy overflow only warns.
    with np.errstate(all="warn"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        surface.f(NON_FINITE)
        surface.grad(NON_FINITE)


# --- teaching behaviour -------------------------------------------------------------------


@pytest.mark.parametrize("condition, angle", [(25.0, 0.0), (1.0, 0.0), (40.0, 30.0), (300.0, -110.0)])
def test_narrow_valley_condition_number(condition, angle):
    surface = get_surface("narrow_valley", condition=condition, angle=angle)
    points = random_points_in(surface.view, 20)
    eig = np.linalg.eigvalsh(surface.hessian(points))
    np.testing.assert_allclose(eig[:, 1] / eig[:, 0], condition, rtol=1e-6)
    np.testing.assert_allclose(eig[:, 0], 1.0, rtol=1e-6)


def test_narrow_valley_start_turns_with_the_valley():
    level = get_surface("narrow_valley", angle=0.0)
    turned = get_surface("narrow_valley", angle=90.0)
    np.testing.assert_allclose(turned.start, (-level.start[1], level.start[0]), atol=1e-12)


def descend(surface: Surface, lr: float, beta: float, steps: int) -> np.ndarray:
    """Heavy-ball p ← βp + ∇J, W ← W − lr·p from the default start; β = 0 is plain GD."""
    w = np.array(surface.start)
    p = np.zeros(2)
    for _ in range(steps):
        p = beta * p + surface.grad(w)
        w = w - lr * p
    return w


def test_two_wells_gd_stays_shallow_and_momentum_reaches_the_deep_well():
    wells = get_surface("two_wells")
    deep, shallow = wells.minima
    assert deep.value < shallow.value < wells.saddles[0].value
    gd_end = descend(wells, two_wells.TWO_WELLS_GD_LR, 0.0, 1000)
    momentum_end = descend(wells, two_wells.TWO_WELLS_MOMENTUM_LR, two_wells.TWO_WELLS_MOMENTUM_BETA, 1000)
    np.testing.assert_allclose(gd_end, shallow.location, atol=1e-6)
    np.testing.assert_allclose(momentum_end, deep.location, atol=1e-6)
