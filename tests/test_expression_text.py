"""The one-line Unicode echo of a custom loss: readable, one line, and it reads back as f."""

import re

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings

from optviz.core.expression import ExpressionError, parse_expression
from optviz.core.expression_text import one_line
from test_expression import VALUE_REASONS, expression_trees

_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ˣʸ", "0123456789-xy"))
_SUPER_RUN = re.compile(f"[{''.join(_SUPER)}]+")


def from_display(text: str) -> str:
    """The parser's ASCII for a displayed line, written independently of the printer:
    superscript runs → ^(…), √a / √(…) → sqrt(…), |…| → abs(…), · → *, − → -, π → pi."""
    text = _SUPER_RUN.sub(lambda m: "^(" + "".join(_SUPER[c] for c in m.group()) + ")", text)
    text = text.replace("·", "*").replace("−", "-").replace("π", "pi")
    text = re.sub(r"√([A-Za-z0-9.]+)", r"sqrt(\1)", text).replace("√(", "sqrt(")
    out, opened = [], []
    for ch in text:
        if ch != "|":
            out.append(ch)
            continue
        before = "".join(out).rstrip()
        # A bar opens after an operator, "(" or an opening bar, and closes after an operand.
        if not before or before[-1] in "(+-*/^," or (before[-1] == "|" and opened and opened[-1] == len(before) - 1):
            opened.append(len("".join(out)))
            out.append("abs(")
        else:
            opened.pop()
            out.append(")")
    return "".join(out)


def reads_back_equal(original, shown: str) -> bool:
    """sympy finds the read-back expression equal to the original; floats (1.5·10⁻¹⁰ reads
    back as 1.5 times 10⁻¹⁰) may differ in the last bits, so where the difference has floats
    it must vanish to 1e-12 relative at a few points."""
    back = parse_expression(from_display(shown)).sympy_expr
    difference = sp.simplify(original - back)
    if difference == 0:
        return True
    if not difference.has(sp.Float):
        return False
    x, y = sp.symbols("x y", real=True)
    for point in ({x: 0.3, y: -0.7}, {x: 1.7, y: 0.4}, {x: -0.9, y: 2.2}):
        size = abs(complex(original.evalf(subs=point))) + abs(complex(back.evalf(subs=point)))
        if abs(complex(difference.evalf(subs=point))) > 1e-12 * max(size, 1.0):
            return False
    return True


SHOWN = [
    # the issue's example
    ("x**2 + 10*y**2 + sin(3*x)", "x² + 10·y² + sin(3·x)"),
    # powers: superscripts for integers and the variables, ^ for the rest
    ("x^10 + y^3", "x¹⁰ + y³"),
    ("x^y", "xʸ"),
    ("x^-y", "x⁻ʸ"),
    ("x^(y+1)", "x^(y + 1)"),
    ("x^(3/2)", "x^(3/2)"),
    ("x^pi", "x^π"),
    ("x^0.5", "x^0.5"),
    ("3^(x^2)", "3^(x²)"),
    ("sin(x)^2", "sin(x)²"),
    ("(x + 1)^2", "(x + 1)²"),
    ("-x^2", "−x²"),
    # reciprocals and roots
    ("x^-1", "1/x"),
    ("x^-2", "1/x²"),
    ("(x+1)^-2", "1/(x + 1)²"),
    ("x^(1/2)", "√x"),
    ("sqrt(x^2 + y^2 + 1)", "√(x² + y² + 1)"),
    ("x^(-1/2)", "1/√x"),
    ("x/sqrt(y)", "x/√y"),
    ("sqrt(2)*x", "√2·x"),
    ("sqrt(-x)", "√(−x)"),
    # fractions
    ("x/(y+1)", "x/(y + 1)"),
    ("2*x/3", "2·x/3"),
    ("(x - 1)/(y + 2)", "(x − 1)/(y + 2)"),
    ("1/x/y", "1/(x·y)"),
    ("x - 1/2", "x − 1/2"),
    # exp: eᶻ for a single term, exp(…) otherwise
    ("exp(x)", "eˣ"),
    ("exp(-y)", "e⁻ʸ"),
    ("e^x", "eˣ"),
    ("exp(-x^2/2)", "exp(−x²/2)"),
    ("exp(x*y)", "exp(x·y)"),
    # sums open with a positive term
    ("1 - x", "1 − x"),
    ("(1 - x)^2 + 100*(y - x^2)^2", "(1 − x)² + 100·(y − x²)²"),
    ("-x - y", "−x − y"),
    # numbers, constants, abs
    ("0.1*x + 2.0*y", "0.1·x + 2.0·y"),
    ("1.5e-10*x + 1e20", "1.5·10⁻¹⁰·x + 10²⁰"),
    ("(1.5e-10)^x", "(1.5·10⁻¹⁰)ˣ"),
    ("pi*e*x", "e·π·x"),
    ("abs(x - 1) + abs(y)", "|y| + |x − 1|"),
]


@pytest.mark.parametrize("text, shown", SHOWN, ids=[s[0] for s in SHOWN])
def test_one_line_forms(text, shown):
    expr = parse_expression(text).sympy_expr
    assert one_line(expr) == shown
    assert reads_back_equal(expr, shown)


def test_the_issues_example_is_one_line_with_superscripts():
    shown = parse_expression("x**2 + 10*y**2 + sin(3*x)").pretty()
    assert shown == "x² + 10·y² + sin(3·x)"
    assert "\n" not in shown and "**" not in shown and "*" not in shown


MORE = [
    "sin(x)*cos(y) + 0.1*(x^2 + y^2)", "log(1 + exp(x*y))", "sqrt(x^2 + y^2 + 1) + tanh(x) - atan(y) + sigmoid(x - y)",
    "exp(-x^2/2) * cosh(y/3) - pi*e*sinh(x/4)", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "x^4 - 2*x^2 + y^2 + 0.3*x",
    "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)", "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2",
    "abs(abs(x) - 1) + abs(y)^3", "x^(x^2)", "(x^2)^y", "sqrt(x)^y", "x*y^-2", "3*x^-y", "1/(x*y + 1)",
    "-1/(x + 1)", "x^(2/3) + y^(-3/2)", "sqrt(x*y) / (1 + sqrt(3))", "exp(-1)*x", "2^3^2 * x", "(-x)^3 - (-y)^4",
    "asin(x/4) + acos(y/4)", "tan(x)/(1 + tan(y)^2)", "x^1000 - y^-1000", "0.000123*x + 123456.789*y",
]


@pytest.mark.parametrize("text", MORE)
def test_more_expressions_read_back_equal(text):
    expr = parse_expression(text).sympy_expr
    shown = one_line(expr)
    assert "\n" not in shown and "*" not in shown and "-" not in shown, shown
    assert reads_back_equal(expr, shown), shown


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=expression_trees)
def test_fuzz_random_trees_read_back_equal(text):
    try:
        expr = parse_expression(text).sympy_expr
    except ExpressionError as err:
        assert any(reason in err.reason for reason in VALUE_REASONS), str(err)
        return
    shown = one_line(expr)
    assert "\n" not in shown and "**" not in shown, shown
    try:
        same = reads_back_equal(expr, shown)
    except ExpressionError as err:
        # sympy folds (x^2)^(5^4) into x^1250: the shown form is right, but typed back it meets
        # the parser's exponent limit (at most 1000). A known gap, not a wrong display.
        assert "exponent too large" in err.reason, f"{text!r} shown as {shown!r}: {err}"
        return
    assert same, f"{text!r} shown as {shown!r}"
