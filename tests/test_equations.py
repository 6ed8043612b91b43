"""The live equations (optviz.app.panels.equations): the numbers of the selected run's last update,
read from the recorded history, against hand computations from that history; the rich text;
the panel following the model."""

import html as html_lib
import re

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from optviz.app.panels.equations import (
    EquationsPanel,
    format_number,
    format_vector,
    hat_html,
    render_html,
    rows,
    update_numbers,
)
from optviz.app.window.model import RaceModel
from optviz.core import RunSpec, Simulation, get_surface

def _plain(rich: str) -> str:
    """The text a reader sees: tags dropped, entities decoded (values may be split into
    no-wrap spans so a narrow panel breaks them after a comma)."""
    return html_lib.unescape(re.sub(r"<[^>]+>", "", rich))


KEYS = ("gd", "sgd", "minibatch", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
T = 7


@pytest.fixture(scope="module")
def race():
    surface = get_surface("himmelblau")
    specs = [RunSpec(key) for key in KEYS]
    sim = Simulation(surface, specs, surface.start, max_steps=50, seed=3)
    sim.step(T)
    return sim


def _last(sim, k):
    """The raw recorded quantities of run k's last update (t = T)."""
    h = sim.history
    t = sim.length(k) - 1
    state = {name: (arr[t, k, 0], arr[t - 1, k, 0]) for name, arr in h.state.items()}
    return t, h.grad[t - 1, k, 0], h.lr[t - 1, k], h.positions[t, k, 0] - h.positions[t - 1, k, 0], state


@pytest.mark.parametrize("key", KEYS)
def test_numbers_match_hand_computation_from_history(race, key):
    sim = race
    k = KEYS.index(key)
    nums = update_numbers(sim, k)
    t, g, alpha, step, state = _last(sim, k)
    hyper = sim.specs[k].hyperparameters()
    assert nums.t == t == T
    np.testing.assert_array_equal(nums.g, g)
    assert nums.alpha == alpha == hyper["learning_rate"]
    np.testing.assert_array_equal(nums.step, step)
    np.testing.assert_array_equal(nums.W, sim.history.positions[T, k, 0])
    # The displayed formula reproduces the step the core took (the rule is the core's).
    if key in ("gd", "sgd", "minibatch"):
        np.testing.assert_allclose(step, -alpha * g, rtol=1e-12)
        assert nums.p is None and nums.r is None and nums.step_size is None
    elif key in ("momentum", "nesterov"):
        p, p_prev = state["p"]
        np.testing.assert_array_equal(nums.p, p)
        np.testing.assert_allclose(p, hyper["beta"] * p_prev + g, rtol=1e-12)
        expected = -alpha * p if key == "momentum" else -alpha * (g + hyper["beta"] * p)
        np.testing.assert_allclose(step, expected, rtol=1e-12)
    elif key in ("adagrad", "rmsprop"):
        r, r_prev = state["r"]
        np.testing.assert_array_equal(nums.r, r)
        if key == "adagrad":
            np.testing.assert_allclose(r, r_prev + g * g, rtol=1e-12)
        else:
            rho = hyper["rho"]
            np.testing.assert_allclose(r, rho * r_prev + (1 - rho) * g * g, rtol=1e-12)
        size = alpha / (hyper["eps"] + np.sqrt(r))
        np.testing.assert_allclose(nums.step_size, size, rtol=1e-12)
        np.testing.assert_allclose(step, -size * g, rtol=1e-12)
    else:  # adam
        (p, p_prev), (r, r_prev) = state["p"], state["r"]
        rho1, rho2, eps = hyper["rho1"], hyper["rho2"], hyper["eps"]
        np.testing.assert_allclose(p, rho1 * p_prev + (1 - rho1) * g, rtol=1e-12)
        np.testing.assert_allclose(r, rho2 * r_prev + (1 - rho2) * g * g, rtol=1e-12)
        p_hat = p / (1 - rho1**T)
        r_hat = r / (1 - rho2**T)
        np.testing.assert_allclose(nums.p_hat, p_hat, rtol=1e-14)
        np.testing.assert_allclose(nums.r_hat, r_hat, rtol=1e-14)
        assert nums.bias1 == pytest.approx(1 - rho1**T) and nums.bias2 == pytest.approx(1 - rho2**T)
        size = alpha / (np.sqrt(r_hat) + eps)
        np.testing.assert_allclose(nums.step_size, size, rtol=1e-14)
        np.testing.assert_allclose(step, -size * p_hat, rtol=1e-10)


@pytest.mark.parametrize("key", KEYS)
def test_rendered_rows_show_the_numbers_in_the_lecture_notation(race, key):
    sim = race
    k = KEYS.index(key)
    nums = update_numbers(sim, k)
    html = render_html(nums)
    text = _plain(html)
    assert f"t = {T}" in text
    assert f"g<sub>{T}</sub>" in html
    t, g, alpha, step, state = _last(sim, k)
    for vector in (g, step, sim.history.positions[T, k, 0]):
        assert _plain(format_vector(vector)) in text
    formulas = " ".join(formula for formula, _, _ in rows(nums))
    if key in ("momentum", "nesterov", "adam"):
        assert _plain(format_vector(state["p"][0])) in text
        assert f"p<sub>{T - 1}</sub>" in formulas
    if key in ("adagrad", "rmsprop", "adam"):
        assert _plain(format_vector(state["r"][0])) in text
        assert _plain(format_vector(nums.step_size)) in text
        assert "step size per axis" in html
    if key == "adam":
        assert _plain(format_vector(nums.p_hat)) in text and _plain(format_vector(nums.r_hat)) in text
        assert f"ρ<sub>1</sub><sup>{T}</sup>" in formulas and f"ρ<sub>2</sub><sup>{T}</sup>" in formulas
        assert "ˆ" in formulas  # the hats of p̂ and r̂
    if key == "rmsprop":
        assert "(1 − ρ)" in formulas
    if key == "nesterov":
        assert "β p<sub>7</sub>" in formulas


def test_the_batch_behind_the_gradient_is_named(race):
    notes = {key: rows(update_numbers(race, KEYS.index(key)))[0] for key in ("gd", "sgd", "minibatch")}
    n = race.risk.n
    assert notes["gd"][0].endswith("∇J(W)") and f"B = n = {n}" in notes["gd"][2]
    assert "∇ℓ<sup>(i)</sup>" in notes["sgd"][0] and "B = 1" in notes["sgd"][2]
    assert "(1/B)" in notes["minibatch"][0] and f"B = 16 of n = {n}" in notes["minibatch"][2]


def test_first_momentum_update_starts_the_buffer_at_the_gradient():
    surface = get_surface("bowl")
    sim = Simulation(surface, [RunSpec("momentum")], surface.start, max_steps=5)
    sim.step(1)
    nums = update_numbers(sim, 0)
    assert nums.t == 1
    np.testing.assert_array_equal(nums.p, nums.g)
    formula, value, note = rows(nums)[1]
    assert formula == "p<sub>1</sub> = g<sub>1</sub>" and "first gradient" in note


def test_before_the_first_step_there_is_no_update():
    surface = get_surface("bowl")
    sim = Simulation(surface, [RunSpec("adam")], surface.start, max_steps=5)
    nums = update_numbers(sim, 0)
    assert nums.t == 0 and nums.g is None and rows(nums) == []
    html = render_html(nums)
    assert "no update yet" in html and _plain(format_vector(surface.start)) in _plain(html)


def test_a_scheduled_learning_rate_shows_alpha_t_from_the_record():
    surface = get_surface("bowl")
    spec = RunSpec("gd", {"learning_rate": 0.1}, schedule="exponential", schedule_params={"gamma": 0.5})
    sim = Simulation(surface, [spec], surface.start, max_steps=10)
    sim.step(4)
    nums = update_numbers(sim, 0)
    assert nums.scheduled
    assert nums.alpha == sim.history.lr[3, 0] == pytest.approx(0.1 * 0.5**3)
    formula = rows(nums)[1][0]
    assert "α<sub>4</sub>" in formula
    np.testing.assert_allclose(nums.step, -nums.alpha * nums.g, rtol=1e-12)


def test_number_format_is_four_significant_digits_with_real_minus_signs():
    assert format_number(-1.23456) == "−1.235"
    assert format_number(0.05600) == "0.056"
    assert format_number(1e-8) == "1×10<sup>−8</sup>"
    assert format_number(-2.5e6) == "−2.5×10<sup>6</sup>"
    assert format_number(0.0) == "0"
    assert format_number(float("nan")) == "—"
    assert format_number(float("-inf")) == "−∞"
    assert format_vector([-1.23456, 0.056]) == "(−1.235, 0.056)"


def test_hat_is_drawn_with_a_modifier_letter_not_a_combining_mark():
    html = hat_html("p")
    assert "\u0302" not in html and "ˆ" in html and "letter-spacing:-" in html


# ------------------------------------------------------------------------------------ the panel


@pytest.fixture
def window(qtbot, tmp_path):
    from optviz.app.window.main_window import MainWindow

    w = MainWindow(restore=False, enable_3d=False,
                   settings=QSettings(str(tmp_path / "optviz.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.resize(1600, 950)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_panel_shows_the_selected_run_and_follows_the_race(window):
    panel = window.classroom.equations
    assert panel.isVisible()
    window.model.add_run("adam")  # after the launch race's GD, momentum and RMSProp
    window.model.selected = 3
    window.controller.sim.step(5)
    window.controller.advanced.emit()
    text = panel.toPlainText()
    assert "Adam" in text and "t = 5" in text
    nums = update_numbers(window.controller.sim, 3)
    for vector in (nums.g, nums.p_hat, nums.step):
        shown = format_vector(vector)
        assert "<sup>" not in shown and shown in text
    window.model.selected = 1  # momentum: the panel switches at once
    assert "Momentum" in panel.toPlainText() and "β" in panel.toPlainText()


def test_panel_text_grows_with_the_scale_and_returns(window):
    panel = window.classroom.equations
    base = panel.font().pointSizeF()
    panel.set_look("projector", 1.75)
    assert panel.font().pointSizeF() == pytest.approx(base * 1.75)
    assert panel.document().defaultFont().pointSizeF() == pytest.approx(base * 1.75)
    panel.set_look("normal", 1.0)
    assert panel.font().pointSizeF() == base


def test_panel_standalone_reads_only_the_history(qtbot):
    model = RaceModel("rosenbrock", optimizers=("adam",))
    panel = EquationsPanel(model)
    qtbot.addWidget(panel)
    surface = get_surface("rosenbrock")
    sim = Simulation(surface, [RunSpec("adam")], surface.start, max_steps=20)
    sim.step(3)
    panel.update_runs(sim)
    sim.positions[:] = 123.0  # the live state is not read: only the history
    panel.refresh()
    text = panel.toPlainText()
    assert "123" not in text and "t = 3" in text
    assert _plain(format_vector(sim.history.positions[3, 0, 0])) in text
