"""A sympy expression as one line of Unicode text, readable on a projected slide.

``x**2 + 10*y**2 + sin(3*x)`` becomes ``x² + 10·y² + sin(3·x)``. The conventions:

* products use ``·``, differences and negative signs the minus sign ``−``;
* small exponents are superscripts: integers (``x²``, ``x¹⁰``), the variables and their
  negatives (``xʸ``, ``x⁻ʸ``); a negative rational exponent is a fraction (``1/x²``,
  ``1/√x``); any other exponent is written after ``^``, parenthesised unless it is a single
  number or name (``x^(y + 1)``, ``x^(3/2)``, ``x^0.5``, ``x^π``);
* ``x^(1/2)`` is ``√x`` (``√(x² + 1)`` for more than a name or a number);
* ``exp(z)`` is ``eᶻ`` when z is one superscript-able term (``eˣ``, ``e⁻ʸ``, ``e²``), else
  ``exp(…)``, which stays legible for long arguments (``exp(−x²/2)``);
* sums in sympy's order (highest degree first), opened by a positive term where there is one
  (``1 − x``, ``y − x²``);
* fractions are ``a/b`` with sympy's parentheses (``x/(y + 1)``); ``abs`` is ``|…|``;
* numbers print as short as they round-trip (``0.1``, not ``0.100000000000000``); ``pi`` is
  ``π`` and ``e`` is ``e``.

Reading the text back after mapping superscripts to ``^(…)``, ``√`` to ``sqrt``, ``|…|`` to
``abs``, ``·`` to ``*``, ``−`` to ``-`` and ``π`` to ``pi`` gives an expression equal to the
original (the tests check this over many expressions).

sympy is imported on the first call (it takes a few tenths of a second to load).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["SUPERSCRIPTS", "one_line"]

#: ASCII character → its superscript, for the characters an exponent may be written with.
SUPERSCRIPTS = {**dict(zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")), "-": "⁻", "x": "ˣ", "y": "ʸ"}


def one_line(expr) -> str:
    """``expr`` (a sympy expression) as one line of Unicode text; see the module docstring."""
    return _printer_class()().doprint(expr).replace("-", "−")


def _superscript(text: str) -> str | None:
    """``text`` in superscript characters, or None if one of them has none."""
    if not text or any(c not in SUPERSCRIPTS for c in text):
        return None
    return "".join(SUPERSCRIPTS[c] for c in text)


@lru_cache(maxsize=1)
def _printer_class():
    import sympy as sp
    from sympy.printing.precedence import PRECEDENCE, precedence
    from sympy.printing.str import StrPrinter

    class OneLinePrinter(StrPrinter):
        """sympy's ``str`` form with the display conventions of :func:`one_line`.

        Minus signs stay ASCII here and become ``−`` in :func:`one_line`, so sympy's own
        sign handling (``x - y``, ``-x/2``) keeps working.
        """

        def _exponent(self, exponent) -> str | None:
            """A superscript for an integer, a variable or a negated variable; else None."""
            if exponent.is_Integer:
                return _superscript(str(exponent))
            if exponent.is_Symbol:
                return _superscript(exponent.name)
            if exponent.is_Mul and exponent.args[0] is sp.S.NegativeOne and len(exponent.args) == 2 \
                    and exponent.args[1].is_Symbol:
                return _superscript("-" + exponent.args[1].name)
            return None

        def _root(self, base) -> str:
            inner = self._print(base)
            return "√" + inner if base.is_Symbol or (base.is_Number and not base.is_negative) else f"√({inner})"

        def _print_Pow(self, expr, rational=False):
            base, exponent = expr.base, expr.exp
            level = PRECEDENCE["Pow"]
            if exponent is sp.S.Half:
                return self._root(base)
            if exponent.is_Rational and exponent.is_negative:
                # A reciprocal reads better as a fraction: 1/x², 1/√x, 1/(x + 1).
                positive = sp.Pow(base, -exponent, evaluate=False)
                denominator = self.parenthesize(positive, PRECEDENCE["Mul"], strict=True) if -exponent != 1 \
                    else self.parenthesize(base, PRECEDENCE["Mul"], strict=False)
                return "1/" + denominator
            shown_base = self.parenthesize(base, level, strict=False)
            sup = self._exponent(exponent)
            if sup is not None:
                return shown_base + sup
            return shown_base + "^" + self.parenthesize(exponent, level, strict=False)

        def _print_exp(self, expr):
            sup = self._exponent(expr.args[0])
            return "e" + sup if sup is not None else f"exp({self._print(expr.args[0])})"

        def _as_ordered_terms(self, expr, order=None):
            # sympy's order (highest degree first), except that a sum does not open with a
            # minus when it has a positive term: 1 − x, y − x², not −x + 1, −x² + y.
            terms = list(super()._as_ordered_terms(expr, order=order))
            if terms and terms[0].could_extract_minus_sign():
                positive = next((t for t in terms if not t.could_extract_minus_sign()), None)
                if positive is not None:
                    terms.remove(positive)
                    terms.insert(0, positive)
            return terms

        def _print_Mul(self, expr):
            return super()._print_Mul(expr).replace("*", "·")

        def _print_Float(self, expr):
            # As short as round-trips; 1.5e-10 as 1.5·10⁻¹⁰ (an "e" would read as Euler's number).
            text = repr(float(expr))
            if "e" not in text:
                return text
            mantissa, power = text.split("e")
            power = _superscript(str(int(power)))
            return "10" + power if mantissa in ("1", "1.0") else f"{mantissa}·10{power}"

        def _print_Abs(self, expr):
            return f"|{self._print(expr.args[0])}|"

        def _print_Pi(self, expr):
            return "π"

        def _print_Exp1(self, expr):
            return "e"

        def _print_Rational(self, expr):
            return f"{expr.p}/{expr.q}" if expr.q != 1 else str(expr.p)

        def parenthesize(self, item, level, strict=False):
            # A float in scientific notation (1.5·10⁻¹⁰) is a product: keep it together in a power.
            if item.is_Float and "e" in repr(float(item)) and level >= PRECEDENCE["Pow"]:
                return f"({self._print(item)})"
            return super().parenthesize(item, level, strict)

    del precedence
    return OneLinePrinter
