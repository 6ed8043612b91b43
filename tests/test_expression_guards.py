"""Expressions nested past the guard, through every entry point: each is refused with an
ExpressionError that names the problem, never a RecursionError (issue 11, item 3).

The guard counts the levels of f's sympy tree with its functions expanded (sigmoid(z) is
1/(1 + exp(−z)): four levels); sympy's recursion needs about 10 frames a level."""

import json
import sys

import numpy as np
import pytest
import sympy
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from optviz.app.dialogs.expression_dialog import ExpressionDialog
from optviz.app.window.main_window import MainWindow
from optviz.app.window.saved_form import model_to_scenario
from optviz.core import expression as expression_module
from optviz.core.expression import MAX_SYMBOLIC_DEPTH, ExpressionError, parse_expression
from optviz.core.expression_surface import expression_surface
from optviz.core.scenario import ScenarioError, load_scenario


def nested(function: str, times: int, inner: str = "x") -> str:
    return f"{function}(" * times + inner + ")" * times


#: Nested past the guard, each in its own way; sigmoid(… 30 deep) raised RecursionError.
TOO_DEEP = [
    nested("sigmoid", 30),
    nested("sigmoid", 15),
    nested("sigmoid", 12, nested("tanh", 12)),
    nested("exp", 8, nested("sigmoid", 14, "x*y")),
]


def height(expr) -> int:
    """Levels of a sympy tree, counted independently of the module (plain recursion)."""
    return 1 + max((height(arg) for arg in expr.args), default=0)


@pytest.mark.parametrize("text", TOO_DEEP)
def test_expressions_nested_past_the_guard_are_refused_by_name(text):
    with pytest.raises(ExpressionError, match="nests too deeply"):
        expression_surface(text)


def test_the_guard_counts_expanded_functions():
    # sigmoid(x) is Pow(Add(1, exp(Mul(-1, x))), -1): four levels above x, so n sigmoids are 4n + 1.
    sympy.core.cache.clear_cache()
    for n in (1, 5, 14):
        assert height(parse_expression(nested("sigmoid", n)).sympy_expr) == 4 * n + 1
    assert 4 * 14 + 1 <= MAX_SYMBOLIC_DEPTH < 4 * 15 + 1
    with pytest.raises(ExpressionError, match=f"61 levels once its functions are expanded, at most {MAX_SYMBOLIC_DEPTH}"):
        parse_expression(nested("sigmoid", 15))


#: The deepest accepted expressions of several kinds: the guard's margin is measured on these.
DEEPEST = [
    nested("sigmoid", 14, "sin(sin(sin(x)))"),
    nested("sin(x*", 20, "y").replace("sin(x*(", "sin(x*"),
    "^".join(["x"] * 40),
    nested("atan", 39),
]


@pytest.mark.parametrize("text", DEEPEST)
def test_the_deepest_accepted_expressions_work_from_a_caller_near_the_recursion_limit(text):
    # In a fresh cache (the worst case) and with only 20 frames left below the limit: the
    # symbolic stages make the room they need, so acceptance does not depend on the caller.
    sympy.core.cache.clear_cache()
    limit = sys.getrecursionlimit()

    def frames() -> int:
        frame, count = sys._getframe(), 0
        while frame is not None:
            frame, count = frame.f_back, count + 1
        return count

    def call_at_depth(room: int):
        if limit - frames() > room:
            return call_at_depth(room)
        return expression_surface(text, view=(0.5, 1.5, 0.5, 1.5))

    surface = call_at_depth(20)
    assert sys.getrecursionlimit() == limit  # put back
    # The exact gradient agrees with central differences of f (computed apart from sympy's derivative).
    p = np.array([[0.9, 1.1]])
    h = 1e-6
    numeric = [(surface.f(p + d) - surface.f(p - d))[0] / (2 * h) for d in (np.array([h, 0.0]), np.array([0.0, h]))]
    np.testing.assert_allclose(surface.grad(p)[0], numeric, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "stage, target, failure",
    [
        ("simplify", "_Checker.convert", RecursionError),
        ("differentiate", "diff", RecursionError),
        ("differentiate", "diff", MemoryError),
        ("differentiate", "diff", sympy.PolynomialError("sympy could not")),
        ("compile", "lambdify", RecursionError),
        ("compile", "lambdify", SyntaxError("too many nested parentheses")),
        ("evaluate", "_real", OverflowError("math range error")),
        ("evaluate", "_real", ZeroDivisionError("division by zero")),
    ],
)
def test_every_stage_turns_any_failure_into_an_expression_error_naming_it(monkeypatch, stage, target, failure):
    def fail(*args, **kwargs):
        raise failure

    if target == "_Checker.convert":
        monkeypatch.setattr(expression_module._Checker, "convert", fail)
    elif target == "_real":
        monkeypatch.setattr(expression_module, "_real", fail)
    else:
        monkeypatch.setattr(sympy, target, fail)
    with pytest.raises(ExpressionError) as caught:
        expression_surface("x^2 + y^2")
    message = str(caught.value)
    assert stage in message
    if failure is RecursionError:
        assert f"nests too deeply to {stage}" in message
    if failure is MemoryError:
        assert f"too large to {stage}" in message


def test_load_scenario_refuses_a_deep_custom_expression_naming_the_field(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({
        "version": 1, "title": "Deep", "start": [0.5, 0.5], "runs": [{"optimizer": "gd"}],
        "surface": {"expression": nested("sigmoid", 30), "view": {"xmin": -1, "xmax": 1, "ymin": -1, "ymax": 1}},
    }), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.field == "surface.expression" and "nests too deeply" in caught.value.reason


@pytest.mark.parametrize("text", TOO_DEEP[:2])
def test_the_custom_function_dialog_shows_the_error_and_does_not_accept(qtbot, text):
    dialog = ExpressionDialog(text, (-2, 2, -2, 2))
    qtbot.addWidget(dialog)
    assert not dialog.check()
    assert "nests too deeply" in dialog.message.text() and "✗" in dialog.message.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dialog.accept()
    assert dialog.result() != ExpressionDialog.DialogCode.Accepted and dialog.surface is None


def test_file_open_of_a_deep_custom_expression_shows_the_error_and_keeps_the_race(qtbot, tmp_path, monkeypatch):
    window = MainWindow(preset="narrow_valley", restore=False, enable_3d=False,
                        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    errors = []
    monkeypatch.setattr(window.scenarios, "show_error", lambda title, text: errors.append((title, text)))
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({
        "version": 1, "title": "Deep", "start": [0.5, 0.5], "runs": [{"optimizer": "gd"}],
        "surface": {"expression": nested("sigmoid", 30), "view": {"xmin": -1, "xmax": 1, "ymin": -1, "ymax": 1}},
    }), encoding="utf-8")
    before = model_to_scenario(window.model, "t")
    assert window.scenarios.open_file(path) is False
    (title, text), = errors
    assert "surface.expression" in text and "nests too deeply" in text
    assert model_to_scenario(window.model, "t") == before
