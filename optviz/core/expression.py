"""Custom losses typed as text: ``x^2 + 10*y^2`` becomes a surface with exact gradients.

The text is untrusted (typed by a user or read from a scenario file), so it never runs as
Python. It is parsed with :mod:`ast` and checked node by node against a whitelist:

* the variables ``x`` and ``y``, the constants ``pi`` and ``e``;
* numbers: integers, decimals, scientific notation (``1.5e-3``);
* unary ``+`` and ``-``, binary ``+ - * /`` and powers ``^`` or ``**``;
* calls of the functions in :data:`FUNCTIONS` (``sin``, ``log``, ``sqrt``, ``abs``, ...),
  with positional arguments only.

``^`` means power, as in ordinary notation: before parsing every ``^`` is rewritten to
``**`` (so ``x^2*y`` is (x²)·y and ``2^3^2`` is 2^(3²), Python's precedence for ``**``);
error offsets are mapped back to the text as typed. Everything else (attribute access,
indexing, unknown names, keyword arguments, comprehensions, lambdas, strings, comparisons,
``__import__``, ...) is rejected with an :class:`ExpressionError` that points at the
offending part.

The checked tree is turned into a sympy expression node by node (never ``sympify`` or
``eval`` of text), differentiated symbolically (no simplification or expansion), and the
value and both partial derivatives are compiled with ``sympy.lambdify`` into vectorized
NumPy functions. Real NumPy functions make undefined points NaN (``log`` of a negative
number, ``sqrt`` of a negative, 0/0) and overflow gives ±inf; neither raises, so such
points are gaps in the views, and a run that steps onto one has a non-finite loss, which
:class:`~optviz.core.simulation.Simulation` reports as diverged.

Limits keep hostile input cheap: at most :data:`MAX_LENGTH` characters, :data:`MAX_NODES`
syntax nodes, :data:`MAX_DEPTH` levels of nesting as typed, :data:`MAX_SYMBOLIC_DEPTH` levels
once functions are expanded (``sigmoid(z)`` is four: 1/(1 + exp(−z))), constant exponents of
magnitude at most :data:`MAX_EXPONENT` and numbers within ±:data:`MAX_MAGNITUDE`.

sympy differentiates and prints recursively, about 10 Python frames per level of the expanded
tree (measured in fresh processes: sin nested n deep needs 7n + 40 frames, sigmoid 33n + 30,
x^x^…^x 7n + 35), so :data:`MAX_SYMBOLIC_DEPTH` keeps every accepted expression within
:data:`STACK_ROOM` frames, which the symbolic stages are given above the caller's depth
whatever it is. Every stage (read, build, differentiate, compile, first evaluation) still turns
any failure (RecursionError, MemoryError, an arithmetic or sympy error) into an
:class:`ExpressionError` that names the stage, e.g. "the expression nests too deeply to
differentiate".

:mod:`optviz.core.expression_surface` makes the parsed expression a surface.

Example::

    expr = parse_expression("sin(x)*cos(y) + 0.1*(x^2 + y^2)")
    expr.value(np.array([0.0]), np.array([0.0]))   # array([0.])
"""

from __future__ import annotations

import ast
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .expression_text import one_line

__all__ = [
    "MAX_LENGTH", "MAX_NODES", "MAX_DEPTH", "MAX_SYMBOLIC_DEPTH", "STACK_ROOM", "MAX_EXPONENT", "MAX_MAGNITUDE", "FUNCTIONS", "CONSTANTS",
    "VARIABLES", "ExpressionError", "Expression", "parse_expression", "stage", "sympy_module",
]

MAX_LENGTH = 1000  #: characters of text
MAX_NODES = 250  #: syntax-tree nodes; bounds the size of the symbolic derivative
MAX_DEPTH = 40  #: nesting levels of the syntax tree
#: levels of the sympy tree of f, functions expanded; bounds sympy's recursion (module docstring)
MAX_SYMBOLIC_DEPTH = 60
#: Python frames the symbolic stages get above their caller: 10 per level of MAX_SYMBOLIC_DEPTH
#: and twice the measured overhead
STACK_ROOM = 10 * MAX_SYMBOLIC_DEPTH + 100
MAX_EXPONENT = 1000  #: largest |p| of a constant exponent in a^p
MAX_MAGNITUDE = 1e300  #: largest |number| (and rational denominator) in the expression

VARIABLES = ("x", "y")
CONSTANTS = ("pi", "e")

#: Allowed functions: name → (number of arguments, description). Aliases share a sympy function.
FUNCTIONS: dict[str, tuple[int, str]] = {
    "sin": (1, "sine"),
    "cos": (1, "cosine"),
    "tan": (1, "tangent"),
    "sinh": (1, "hyperbolic sine"),
    "cosh": (1, "hyperbolic cosine"),
    "tanh": (1, "hyperbolic tangent"),
    "asin": (1, "inverse sine"),
    "arcsin": (1, "inverse sine"),
    "acos": (1, "inverse cosine"),
    "arccos": (1, "inverse cosine"),
    "atan": (1, "inverse tangent"),
    "arctan": (1, "inverse tangent"),
    "exp": (1, "exponential"),
    "log": (1, "natural logarithm"),
    "ln": (1, "natural logarithm"),
    "sqrt": (1, "square root"),
    "abs": (1, "absolute value"),
    "sigmoid": (1, "logistic function 1/(1 + exp(-z))"),
}

# Typed characters that mean an ASCII operator or name.
_UNICODE = {"−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "∗": "*", "÷": "/", "π": "pi", "²": "^2", "³": "^3"}
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
_REFUSED_OPERATORS = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
                      ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}
_REFUSED_NODES = {
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "indexing with [...] is not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and' / 'or' are not allowed",
    ast.IfExp: "conditional expressions (... if ... else ...) are not allowed",
    ast.Lambda: "lambda functions are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.NamedExpr: "assignments (:=) are not allowed",
    ast.Tuple: "tuples (a, b) are not allowed: write a single expression",
    ast.List: "lists are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Starred: "starred arguments (*a) are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Slice: "slices are not allowed",
}


class ExpressionError(ValueError):
    """A refused expression: why, and where in the text as typed.

    Attributes:
        reason: what is wrong, e.g. ``"unknown function 'foo'"``.
        text: the text as given.
        offset: 0-based column of the offending part in ``text`` (``len(text)`` for "at the end").
        length: number of characters of the offending part (at least 1).

    ``str(err)`` is the reason followed by the 1-based column, e.g.
    ``unknown function 'foo' at column 5``; :meth:`pointer` underlines the part.
    """

    def __init__(self, reason: str, text: str, offset: int, length: int = 1) -> None:
        self.reason = reason
        self.text = text
        self.offset = max(0, min(int(offset), len(text)))
        self.length = max(1, int(length))
        where = "at the end" if self.offset >= len(text) and text else f"at column {self.offset + 1}"
        super().__init__(f"{reason} {where}" if text else reason)

    def pointer(self) -> str:
        """The text and a line of carets under the offending part::

            x + foo(y)
                ^^^
        """
        line = self.text.replace("\n", " ").replace("\t", " ").replace("\r", " ")
        return f"{line}\n{' ' * self.offset}{'^' * self.length}"


# --------------------------------------------------------------------------- text → tree


def _translate(text: str) -> tuple[str, str, list[int]]:
    """The ASCII form of ``text`` for display (``^`` kept), the Python form (``^`` → ``**``)
    and, for every character of the Python form, its column in ``text`` (plus one entry for
    the end)."""
    shown: list[str] = []
    python: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch in "\t\n\r":
            ch = " "  # one line: keeps every node on line 1 and columns one-to-one
        rep = _UNICODE.get(ch, ch)
        if not rep.isascii() or any(not c.isprintable() for c in rep):
            raise ExpressionError(f"character {ch!r} is not allowed", text, i)
        shown.append(rep)
        py = rep.replace("^", "**")
        python.append(py)
        where.extend([i] * len(py))
    where.append(len(text))
    return "".join(shown), "".join(python), where


class _Checker:
    """Checks the parsed tree against the whitelist, then builds the sympy expression.

    :meth:`check_syntax` refuses every node that is not whitelisted, reporting the leftmost
    one; :meth:`convert` then only meets allowed nodes and refuses values: undefined or
    non-real constants (``1/0``, ``sqrt(-1)``) and numbers out of range.
    """

    def __init__(self, text: str, python: str, where: list[int]) -> None:
        self.text = text
        self.python = python
        self.where = where

    # ---- positions

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Columns [start, end) of the Python text as (offset, length) in the typed text."""
        start = max(0, min(start, len(self.python)))
        end = max(start, min(end, len(self.python)))
        a = self.where[start]
        b = self.where[end - 1] + 1 if end > start else a + 1
        return a, max(1, b - a)

    def node_span(self, node: ast.AST) -> tuple[int, int]:
        end = getattr(node, "end_col_offset", None)
        start = node.col_offset
        return self.span(start, end if end is not None else start + 1)

    def fail(self, reason: str, span: tuple[int, int]):
        raise ExpressionError(reason, self.text, *span)

    def source(self, node: ast.AST) -> str:
        offset, length = self.node_span(node)
        return self.text[offset : offset + length]

    # ---- the whitelist

    def check_syntax(self, tree: ast.Expression) -> None:
        """Raise for the leftmost node that is not allowed, or for nesting deeper than MAX_DEPTH."""
        problems = []
        stack = [(tree.body, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                reason = f"the expression is nested too deeply (more than {MAX_DEPTH} levels)"
                problems.append((self.node_span(node), reason))
                continue
            problem = self.problem(node)
            if problem is not None:
                problems.append(problem[::-1])
                continue  # the inside of a refused node need not be reported
            # A call's name was checked with the call; only its arguments are expressions.
            children = node.args if isinstance(node, ast.Call) else ast.iter_child_nodes(node)
            stack.extend((child, depth + _nesting(node, child)) for child in children
                         if not isinstance(child, (ast.operator, ast.unaryop, ast.expr_context)))
        if problems:
            span, reason = min(problems, key=lambda item: (item[0][0], -item[0][1]))
            self.fail(reason, span)

    def problem(self, node: ast.AST) -> tuple[str, tuple[int, int]] | None:
        """(reason, span) if ``node`` itself is not allowed, else None."""
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or value is None or value is Ellipsis:
                return f"'{self.source(node)}' is not allowed", self.node_span(node)
            if isinstance(value, complex):
                return "complex numbers are not allowed", self.node_span(node)
            if isinstance(value, (str, bytes)):
                return "text strings are not allowed", self.node_span(node)
            if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > MAX_MAGNITUDE:
                return f"number too large (at most {MAX_MAGNITUDE:g})", self.node_span(node)
            return None
        if isinstance(node, ast.Name):
            name = node.id
            if name in VARIABLES or name in CONSTANTS:
                return None
            if name in FUNCTIONS:
                return f"'{name}' is a function: write {name}(...)", self.node_span(node)
            return f"unknown name '{name}' (use x, y, pi, e)", self.node_span(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, (ast.UAdd, ast.USub)):
                return None
            symbol = {ast.Not: "not", ast.Invert: "~"}.get(type(node.op), type(node.op).__name__)
            return f"operator '{symbol}' is not allowed", self.span(node.col_offset, node.operand.col_offset)
        if isinstance(node, ast.BinOp):
            if type(node.op) in _BINARY:
                return None
            symbol = _REFUSED_OPERATORS.get(type(node.op), type(node.op).__name__)
            return f"operator '{symbol}' is not allowed", self._operator_span(node, symbol)
        if isinstance(node, ast.Call):
            return self._call_problem(node)
        reason = _REFUSED_NODES.get(type(node), f"'{type(node).__name__}' syntax is not allowed")
        if isinstance(node, (ast.Attribute, ast.Subscript)) and node.value.end_col_offset is not None:
            # Point at ".name" or "[...]" rather than at the whole expression before it; what
            # comes before is checked on its own.
            problem = self.problem(node.value)
            return problem if problem else (reason, self.span(node.value.end_col_offset, node.end_col_offset))
        return reason, self.node_span(node)

    def _call_problem(self, node: ast.Call) -> tuple[str, tuple[int, int]] | None:
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute):
                return self.problem(func)
            return "only the named functions can be called", self.node_span(func)
        name = func.id
        if name not in FUNCTIONS:
            if name in VARIABLES:
                return f"'{name}' is a variable, not a function", self.node_span(func)
            if name in CONSTANTS:
                return f"'{name}' is a constant, not a function", self.node_span(func)
            return f"unknown function '{name}'", self.node_span(func)
        if node.keywords:
            return f"keyword arguments are not allowed in {name}(...)", self.node_span(node.keywords[0])
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                return "starred arguments (*a) are not allowed", self.node_span(arg)
        arity = FUNCTIONS[name][0]
        if len(node.args) != arity:
            return (f"{name}() takes {arity} argument{'s' if arity != 1 else ''}, got {len(node.args)}",
                    self.node_span(node))
        return None

    def _operator_span(self, node: ast.BinOp, symbol: str) -> tuple[int, int]:
        between = self.python[node.left.end_col_offset : node.right.col_offset]
        found = between.find(symbol)
        if found < 0:
            return self.node_span(node)
        start = node.left.end_col_offset + found
        return self.span(start, start + len(symbol))

    # ---- tree → sympy

    def convert(self, tree: ast.Expression):
        sp = sympy_module()
        self.sp = sp
        self.symbols = {name: sp.Symbol(name, real=True) for name in VARIABLES}
        self.constants = {"pi": sp.pi, "e": sp.E}

        def sigmoid(z):  # built from exp, so sympy differentiates it without a custom class
            return 1 / (1 + sp.exp(-z))

        self.functions: dict[str, Callable] = {
            "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
            "asin": sp.asin, "arcsin": sp.asin, "acos": sp.acos, "arccos": sp.acos, "atan": sp.atan,
            "arctan": sp.atan, "exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs,
            "sigmoid": sigmoid,
        }
        return self._build(tree.body)

    def _build(self, node: ast.AST):
        sp = self.sp
        if isinstance(node, ast.Constant):
            result = sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)
        elif isinstance(node, ast.Name):
            result = self.symbols.get(node.id, self.constants.get(node.id))
        elif isinstance(node, ast.UnaryOp):
            operand = self._build(node.operand)
            result = -operand if isinstance(node.op, ast.USub) else operand
        elif isinstance(node, ast.BinOp):
            left, right = self._build(node.left), self._build(node.right)
            op = type(node.op)
            if op is ast.Add:
                result = left + right
            elif op is ast.Sub:
                result = left - right
            elif op is ast.Mult:
                result = left * right
            elif op is ast.Div:
                result = left / right
            else:
                result = self._power(node, left, right)
        elif isinstance(node, ast.Call):
            result = self.functions[node.func.id](*(self._build(arg) for arg in node.args))
        else:  # check_syntax refused everything else
            raise AssertionError(f"unchecked node {type(node).__name__}")
        self.check_value(result, node)
        return result

    def _power(self, node: ast.BinOp, base, exponent):
        # Constant exponents are bounded so that sympy's eager evaluation of number powers
        # (10**10**10) and the symbolic derivative stay cheap.
        if exponent.is_Number:
            if abs(exponent) > MAX_EXPONENT:
                self.fail(f"exponent too large (at most {MAX_EXPONENT})", self.node_span(node.right))
            if base.is_Number and base != 0:
                magnitude = float(exponent) * math.log10(abs(float(base)))
                if abs(magnitude) > math.log10(MAX_MAGNITUDE):
                    self.fail("number out of the floating-point range", self.node_span(node))
        return base**exponent

    def check_value(self, result, node: ast.AST) -> None:
        """Refuse a sub-expression that is undefined or complex everywhere, or has numbers
        NumPy cannot hold."""
        sp = self.sp
        if result.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            self.fail(f"'{self.source(node)}' is undefined", self.node_span(node))
        if result.has(sp.I) or (not result.free_symbols and result.is_extended_real is False):
            self.fail(f"'{self.source(node)}' is not a real number", self.node_span(node))
        for atom in result.atoms(sp.Number):
            if abs(atom) > MAX_MAGNITUDE or (atom.is_Rational and atom.q > MAX_MAGNITUDE):
                self.fail("number out of the floating-point range", self.node_span(node))
        for power in result.atoms(sp.Pow):
            base, exponent = power.args
            # (-8)^(1/3) is complex in sympy but NaN in NumPy; refuse rather than disagree.
            if base.is_Number and base.is_negative and not exponent.is_integer:
                self.fail(f"'{self.source(node)}' is not a real number", self.node_span(node))


def _family(node: ast.AST) -> str | None:
    if isinstance(node, ast.BinOp):
        return {ast.Add: "sum", ast.Sub: "sum", ast.Mult: "product", ast.Div: "product"}.get(type(node.op))
    if isinstance(node, ast.UnaryOp):
        return "sign"
    return None


def _nesting(parent: ast.AST, child: ast.AST) -> int:
    """How much deeper ``child`` is than ``parent``: a chain a + b − c + ... or a·b/c·... is
    one level however long (the parser nests it, sympy flattens it), and so is ---x."""
    family = _family(parent)
    return 0 if family is not None and family == _family(child) else 1


@lru_cache(maxsize=1)
def sympy_module():
    """sympy, imported on first use: it takes a few tenths of a second to load."""
    import sympy

    return sympy


@lru_cache(maxsize=1)
def _printer_class():
    from sympy.printing.numpy import NumPyPrinter

    class _Printer(NumPyPrinter):
        """NumPy code with floats printed exactly (sympy's default keeps 15 digits)."""

        def _print_Float(self, expr):
            return repr(float(expr))

    return _Printer


# --------------------------------------------------------------------------- parsed expression


@dataclass(frozen=True, eq=False)
class Expression:
    """A checked expression f(x, y) with its exact gradient, compiled for NumPy.

    Attributes:
        text: the normalised text: stripped, typed Unicode operators (−, ×, ·, ÷, π, ², ³)
            written in ASCII, ``^`` kept as typed.
        sympy_expr: f as a sympy expression in the real symbols x and y.
        gradient_exprs: (∂f/∂x, ∂f/∂y) as sympy expressions.
    """

    text: str
    sympy_expr: object
    gradient_exprs: tuple[object, object]
    _value: Callable
    _gradient: Callable

    def value(self, x: np.ndarray, y: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """f at the coordinate arrays ``x``, ``y`` (same shape): a float64 array of that shape."""
        return _real(self._value, x, y, out)

    def gradient(self, x: np.ndarray, y: np.ndarray, gx: np.ndarray | None = None,
                 gy: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(∂f/∂x, ∂f/∂y) at ``x``, ``y``: float64 arrays of their shape, written into ``gx``/``gy`` if given."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if gx is not None and (np.may_share_memory(gx, x) or np.may_share_memory(gx, y)):
            x, y = x.copy(), y.copy()  # ∂f/∂x is written before ∂f/∂y is computed
        return _real(self._gradient[0], x, y, gx), _real(self._gradient[1], x, y, gy)

    def latex(self) -> str:
        """f in LaTeX, for the equation display."""
        return sympy_module().latex(self.sympy_expr)

    def pretty(self) -> str:
        """f as one line of Unicode text, e.g. ``x² + 10·y² + sin(3·x)`` (see :mod:`.expression_text`)."""
        return one_line(self.sympy_expr)


def _real(fn: Callable, x, y, out: np.ndarray | None) -> np.ndarray:
    """``fn(x, y)`` as a real float64 array of the shape of ``x`` (constants broadcast);
    NaN where it is complex or the arithmetic failed, never an exception."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    with np.errstate(all="ignore"):
        try:
            r = np.asarray(fn(x, y))
        except ArithmeticError:  # overflow in Python-level constant arithmetic
            r = np.asarray(np.nan)
        if r.dtype.kind == "c":
            r = np.where(r.imag == 0, r.real, np.nan)
        if out is None:
            out = np.empty(np.broadcast_shapes(x.shape, y.shape), dtype=float)
        out[...] = r
    return out


def parse_expression(text: str) -> Expression:
    """Check ``text`` against the whitelist and compile f and its gradient.

    Raises:
        ExpressionError: anything not allowed, with the offending part's position.
        TypeError: ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"the expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is too long ({len(text)} characters, at most {MAX_LENGTH})",
                              text, MAX_LENGTH, len(text) - MAX_LENGTH)
    shown, python, where = _translate(text)
    if not python.strip():
        raise ExpressionError("the expression is empty", text, 0, len(text))
    # Leading blanks would be an IndentationError; parse without them and shift the columns.
    lead = len(python) - len(python.lstrip())
    body = python.strip()
    where = where[lead:]
    with _stack_room():
        try:
            # Python's own warnings about the text (an invalid escape in a string) mean nothing to
            # the user: anything but the whitelist is refused below with a clear message.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", (SyntaxWarning, DeprecationWarning))
                tree = ast.parse(body, mode="eval")
        except SyntaxError as exc:
            raise _syntax_error(exc, text, body, where) from None
        except (RecursionError, MemoryError, ValueError):
            raise ExpressionError("the expression is nested too deeply to read", text, 0, len(text)) from None
        nodes = sum(1 for node in ast.walk(tree) if isinstance(node, ast.expr))
        if nodes > MAX_NODES:
            raise ExpressionError(f"the expression is too complex ({nodes} parts, at most {MAX_NODES})",
                                  text, 0, len(text))
        checker = _Checker(text, body, where)
        checker.check_syntax(tree)
        with stage(text, "simplify"):  # sympy evaluates (flattens, folds numbers) as it builds
            f = checker.convert(tree)
        depth = _symbolic_depth(f)
        if depth > MAX_SYMBOLIC_DEPTH:
            raise ExpressionError(f"the expression nests too deeply ({depth} levels once its functions are "
                                  f"expanded, at most {MAX_SYMBOLIC_DEPTH})", text, 0, len(text))
        sp = checker.sp
        x, y = checker.symbols["x"], checker.symbols["y"]
        with stage(text, "differentiate"):
            grad = (sp.diff(f, x), sp.diff(f, y))
        with stage(text, "compile"):
            printer = _printer_class()
            value_fn = sp.lambdify((x, y), f, modules="numpy", printer=printer, cse=True)
            grad_fns = tuple(sp.lambdify((x, y), g, modules="numpy", printer=printer, cse=True) for g in grad)
    return Expression(shown.strip(), f, grad, value_fn, grad_fns)


def _symbolic_depth(expr) -> int:
    """Levels of the sympy tree of ``expr`` (a symbol or number is 1), without recursion."""
    depth: dict[int, int] = {}
    stack = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if done:
            depth[id(node)] = 1 + max((depth[id(arg)] for arg in node.args), default=0)
        elif id(node) not in depth:
            stack.append((node, True))
            stack.extend((arg, False) for arg in node.args if id(arg) not in depth)
    return depth[id(expr)]


def _frames_in_use() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        frame, count = frame.f_back, count + 1
    return count


@contextmanager
def _stack_room(frames: int = STACK_ROOM) -> Iterator[None]:
    """At least ``frames`` Python frames of room above the current depth while inside, so an
    expression is accepted or refused the same way however deep the caller is (a Qt slot, a
    test runner). The limit is raised only as needed and restored on exit."""
    limit = sys.getrecursionlimit()
    needed = _frames_in_use() + frames
    if needed > limit:
        sys.setrecursionlimit(needed)
    try:
        yield
    finally:
        if needed > limit:
            sys.setrecursionlimit(limit)


@contextmanager
def stage(text: str, verb: str) -> Iterator[None]:
    """Turn any failure of one symbolic stage into an ExpressionError naming the stage."""
    try:
        yield
    except ExpressionError:
        raise
    except RecursionError:
        raise ExpressionError(f"the expression nests too deeply to {verb}", text, 0, len(text)) from None
    except MemoryError:
        raise ExpressionError(f"the expression is too large to {verb}", text, 0, len(text)) from None
    except Exception as exc:  # noqa: BLE001 - sympy and NumPy raise many kinds; the text is untrusted
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ExpressionError(f"cannot {verb} the expression ({detail})", text, 0, len(text)) from None


def _syntax_error(exc: SyntaxError, text: str, body: str, where: list[int]) -> ExpressionError:
    msg = exc.msg or "invalid syntax"
    if "invalid decimal literal" in msg:
        msg = "a number directly followed by a name: write 2*x, not 2x"
    elif "Exceeds the limit" in msg:
        msg = "number too long"
    elif msg.startswith("invalid syntax"):
        msg = "invalid syntax"
    if exc.lineno is None or exc.offset is None or exc.offset <= 0 or exc.lineno != 1:
        return ExpressionError(msg, text, len(text))
    start = min(exc.offset - 1, len(body))
    end = exc.end_offset - 1 if exc.end_offset and exc.end_lineno == 1 and exc.end_offset > exc.offset else start + 1
    end = min(end, len(body))
    if msg.startswith("a number directly followed"):
        end = start  # underline the whole token: "2y", "3.5e"
        while end < len(body) and (body[end].isalnum() or body[end] in "._"):
            end += 1
        end = max(end, start + 1)
    offset = where[start] if start < len(where) else len(text)
    last = where[end - 1] + 1 if end > start and end - 1 < len(where) else offset + 1
    return ExpressionError(msg, text, offset, last - offset)
