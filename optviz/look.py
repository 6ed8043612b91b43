"""How runs look wherever they are drawn: colour, head marker and dash pattern.

Shared by the app and the exports, so it imports neither (nor Qt). Each optimizer owns a look
(:attr:`OptimizerSpec.color <optviz.core.optimizers.OptimizerSpec>`, ``marker``, ``dash``);
:func:`run_looks` gives every run of a race its look, and :func:`dash_segments` cuts a path into
dashes for views that draw it piece by piece.

Conventions:
    * colours are ``"#RRGGBB"`` strings in sRGB;
    * markers are pyqtgraph symbol names (``"o"``, ``"s"``, ``"t1"``, ``"star"``…);
    * dash patterns are on, off, on, off… lengths in *line widths* (Qt's
      ``QPen.setDashPattern`` convention), ``()`` for a solid line.

Repeated runs of one optimizer (scenario 1 races four GD runs): the k-th run of an optimizer in
race order (k = 0 for the first) keeps its marker, takes the k-th shade of its colour (see
:func:`shade`) and the dash k places further along :data:`~optviz.core.optimizers.DASH_STYLES`.
The first run of every optimizer looks exactly like its definition.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .core.optimizers import DASH_STYLES, OPTIMIZERS

__all__ = [
    "RunLook", "optimizer_look", "repeat_look", "run_looks", "shade", "contrast_on_white", "projector_color",
    "MIN_CONTRAST_ON_WHITE", "SHADE_STEP", "DARKEST_SHADE", "MARKER_GLYPHS", "marker_glyph", "dash_segments",
]

#: WCAG 2.1's minimum contrast for graphics (success criterion 1.4.11): every run colour,
#: every shade of it and the projector theme's colours reach it on white.
MIN_CONTRAST_ON_WHITE = 3.0
#: OKLab lightness between the shades of repeated runs (OKLab keeps a blue blue as it lightens,
#: where CIELAB turns it violet), and the darkest shade's relative luminance: CIELAB L* = 25,
#: below which a shade reads as black on a projector.
SHADE_STEP = 0.08
DARKEST_SHADE = 0.0452
_SHADE_TRIES = 6  # ±1…±6 steps: enough to find every shade the band holds


@dataclass(frozen=True)
class RunLook:
    """How one run is drawn: ``color`` "#RRGGBB", head ``marker`` (pyqtgraph symbol name) and
    line ``dash`` (on/off lengths in line widths, ``()`` solid)."""

    color: str
    marker: str
    dash: tuple[float, ...]


def optimizer_look(key: str) -> RunLook:
    """The look of the first (or only) run of optimizer ``key``."""
    spec = OPTIMIZERS.get(key)
    if spec is None:
        raise ValueError(f"unknown optimizer {key!r}; choose from: {', '.join(OPTIMIZERS)}")
    return RunLook(spec.color, spec.marker, tuple(spec.dash))


def repeat_look(key: str, repeat: int) -> RunLook:
    """The look of the run ``repeat`` (0-based) among the runs of optimizer ``key`` in a race."""
    base = optimizer_look(key)
    if isinstance(repeat, bool) or int(repeat) != repeat or repeat < 0:
        raise ValueError(f"repeat must be a whole number >= 0, got {repeat!r}")
    repeat = int(repeat)
    if repeat == 0:
        return base
    cycle = list(DASH_STYLES.values())
    dash = cycle[(cycle.index(base.dash) + repeat) % len(cycle)]
    return RunLook(shade(base.color, repeat), base.marker, tuple(dash))


def run_looks(optimizer_keys: Sequence[str]) -> list[RunLook]:
    """The look of every run of a race, given its runs' optimizer keys in race order: the k-th
    run of an optimizer gets :func:`repeat_look` ``(key, k)``, so a run's look depends only on
    its optimizer and on how many runs of the same optimizer come before it."""
    seen: dict[str, int] = {}
    looks = []
    for key in optimizer_keys:
        k = seen.get(key, 0)
        seen[key] = k + 1
        looks.append(repeat_look(key, k))
    return looks


#: A text character for each head marker (tables and labels that name a run in its colour).
MARKER_GLYPHS = {"o": "\u25cf", "s": "\u25a0", "d": "\u25c6", "t": "\u25bc", "t1": "\u25b2", "t2": "\u25b6",
                 "t3": "\u25c0", "h": "\u2b22", "p": "\u2b1f", "star": "\u2605", "+": "+", "x": "\u00d7",
                 "arrow_up": "\u2b06", "arrow_down": "\u2b07"}


def marker_glyph(marker: str) -> str:
    """The character that looks like head ``marker`` (● for one without a glyph)."""
    return MARKER_GLYPHS.get(marker, MARKER_GLYPHS["o"])


# --------------------------------------------------------------------------- colour arithmetic
# sRGB (IEC 61966-2-1) ⇄ linear RGB ⇄ OKLab (Ottosson 2020), written out for a handful of colours.

_LMS = ((0.4122214708, 0.5363325363, 0.0514459929), (0.2119034982, 0.6806995451, 0.1073969566),
        (0.0883024619, 0.2817188376, 0.6299787005))
_LAB = ((0.2104542553, 0.7936177850, -0.0040720468), (1.9779984951, -2.4285922050, 0.4505937099),
        (0.0259040371, 0.7827717662, -0.8086757660))
_LMS_INV = ((1.0, 0.3963377774, 0.2158037573), (1.0, -0.1055613458, -0.0638541728),
            (1.0, -0.0894841775, -1.2914855480))
_RGB_INV = ((4.0767416621, -3.3077115913, 0.2309699292), (-1.2684380046, 2.6097574011, -0.3413193965),
            (-0.0041960863, -0.7034186147, 1.7076147010))


def _parse(color: str) -> tuple[float, float, float]:
    text = str(color)
    try:
        if len(text) != 7 or text[0] != "#":
            raise ValueError
        return tuple(int(text[i:i + 2], 16) / 255 for i in (1, 3, 5))
    except ValueError:
        raise ValueError(f"a colour is \"#RRGGBB\", got {color!r}") from None


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _from_linear(c: float) -> float:
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def _mul(matrix, v):
    return [sum(m * c for m, c in zip(row, v)) for row in matrix]


def _oklab(color: str) -> list[float]:
    return _mul(_LAB, [math.cbrt(c) for c in _mul(_LMS, [_to_linear(c) for c in _parse(color)])])


def _linear_from_oklab(lab) -> list[float]:
    return _mul(_RGB_INV, [c ** 3 for c in _mul(_LMS_INV, lab)])


def _luminance(color: str) -> float:
    """WCAG 2.1 relative luminance Y of an sRGB colour."""
    r, g, b = (_to_linear(c) for c in _parse(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _with_lightness(color: str, lightness: float) -> str:
    """``color`` at OKLab lightness ``lightness``, same hue; its chroma is reduced only as far
    as needed to stay inside sRGB."""
    _, a, b = _oklab(color)

    def inside(f: float) -> bool:
        return all(-1e-9 <= c <= 1 + 1e-9 for c in _linear_from_oklab((lightness, a * f, b * f)))

    lo, hi = (1.0, 1.0) if inside(1.0) else (0.0, 1.0)
    for _ in range(40 if lo < hi else 0):  # bisection on the chroma factor
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if inside(mid) else (lo, mid)
    rgb = (_from_linear(min(max(c, 0.0), 1.0)) for c in _linear_from_oklab((lightness, a * lo, b * lo)))
    return "#" + "".join(f"{round(c * 255):02X}" for c in rgb)


def shade(color: str, repeat: int) -> str:
    """The ``repeat``-th shade of ``color`` (0: the colour itself).

    The shades keep the hue and step the OKLab lightness by :data:`SHADE_STEP`: lighter, darker,
    two steps lighter, two darker… skipping those below :data:`MIN_CONTRAST_ON_WHITE` on white
    or darker than :data:`DARKEST_SHADE`, and starting over when none is left (a 5th run of
    GD takes the 1st shade again, with another dash).
    """
    L0 = _oklab(color)[0]
    ladder = [str(color).upper()]
    for n in range(1, _SHADE_TRIES + 1):
        for sign in (1, -1):
            c = _with_lightness(color, L0 + sign * n * SHADE_STEP)
            if contrast_on_white(c) >= MIN_CONTRAST_ON_WHITE and _luminance(c) >= DARKEST_SHADE:
                ladder.append(c)
    return ladder[repeat % len(ladder)]


def contrast_on_white(color: str) -> float:
    """WCAG 2.1 contrast ratio of ``color`` against white, (1 + 0.05)/(Y + 0.05)."""
    return 1.05 / (_luminance(color) + 0.05)


def projector_color(color: str) -> str:
    """``color`` as the projector theme (white, washed out) draws it: unchanged if it reaches
    :data:`MIN_CONTRAST_ON_WHITE` on white, else darkened (same hue) until it does. Every
    optimizer colour and shade already does, so the projector shows the legend's colours."""
    if contrast_on_white(color) >= MIN_CONTRAST_ON_WHITE:
        return color
    L = _oklab(color)[0]
    lo, hi = 0.0, L
    for _ in range(40):  # the lightest OKLab lightness that reaches the contrast
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if contrast_on_white(_with_lightness(color, mid)) >= MIN_CONTRAST_ON_WHITE else (lo, mid)
    return _with_lightness(color, lo)


# --------------------------------------------------------------------------- dashes


def dash_segments(points, dash: Sequence[float], width: float, phase: float = 0.0, *,
                  round_caps: bool = False) -> tuple[np.ndarray, float]:
    """The "on" pieces of the polyline ``points`` under the dash pattern ``dash``.

    Args:
        points: (n, 2) vertices in pixels; a non-finite row breaks the line there (no piece
            spans it, and the pattern does not advance across it).
        dash: on, off, on, off… lengths in line widths (an even number of them, as in
            :data:`~optviz.core.optimizers.DASH_STYLES`); ``()`` gives every segment.
        width: the line width in pixels (the pattern's unit).
        phase: how far into the pattern (in pixels of arc length) ``points[0]`` lies: 0 for a
            new line, or the phase returned by the previous call for the next piece of the same
            line, whose first point is the previous piece's last, so the dashes run on across
            pieces drawn separately (Qt's own dashing restarts on every piece).
        round_caps: shorten every dash by ``width``/2 at both ends, so that drawn with round caps
            it covers exactly its length (a 1-width dot becomes a round dot); leave False
            for flat caps.

    Returns:
        ``(segments, phase)``: the line segments to draw, float array (m, 2, 2) of
        ``[[x0, y0], [x1, y1]]`` (a dash bending at a vertex is several segments), and the phase
        at the last point, to pass to the next call.
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    pattern = np.asarray([float(d) for d in dash], dtype=float) * float(width)
    if len(pattern) % 2 or np.any(~np.isfinite(pattern)) or np.any(pattern < 0):
        raise ValueError(f"a dash pattern is an even number of lengths >= 0, got {tuple(dash)!r}")
    if len(pts) < 2:
        return np.empty((0, 2, 2)), float(phase)
    d = np.diff(pts, axis=0)
    lengths = np.hypot(d[:, 0], d[:, 1])
    valid = np.isfinite(lengths)
    lengths = np.where(valid, lengths, 0.0)
    period = float(pattern.sum())
    if period <= 0 or len(pattern) == 0:  # solid
        keep = valid & (lengths > 0)
        return np.stack([pts[:-1][keep], pts[1:][keep]], axis=1), float(phase)

    # On intervals of one period [starts[i], ends[i]) in pattern coordinates.
    edges = np.concatenate([[0.0], np.cumsum(pattern)])
    starts, ends = edges[0:-1:2], edges[1::2]
    if round_caps:
        half = width / 2
        mid = (starts + ends) / 2
        tiny = 0.01 * width  # a zero-length dash would draw nothing; this one draws a round dot
        starts, ends = np.minimum(starts + half, mid - tiny), np.maximum(ends - half, mid + tiny)

    phase = float(phase) % period
    s = np.concatenate([[0.0], np.cumsum(lengths)])  # arc length at each vertex
    total = float(s[-1])
    # Every dash boundary within [0, total] in arc length along this piece.
    first = math.floor(phase / period)
    last = math.floor((phase + total) / period)
    k = np.arange(first, last + 1, dtype=float)[:, None] * period - phase
    bounds = np.concatenate([(k + starts).ravel(), (k + ends).ravel()])
    bounds = bounds[(bounds > 0) & (bounds < total)]
    t = np.unique(np.concatenate([s, bounds]))
    a, b = t[:-1], t[1:]
    m = (a + b) / 2
    r = (m + phase) % period
    i = np.searchsorted(starts, r, side="right") - 1
    on = (i >= 0) & (r < ends[np.clip(i, 0, None)])
    seg = np.clip(np.searchsorted(s, m, side="right") - 1, 0, len(lengths) - 1)
    on &= valid[seg] & (lengths[seg] > 0) & (b > a)
    a, b, seg = a[on], b[on], seg[on]
    unit = d[seg] / lengths[seg][:, None]
    p0 = pts[seg] + unit * (a - s[seg])[:, None]
    p1 = pts[seg] + unit * (b - s[seg])[:, None]
    return np.stack([p0, p1], axis=1), float((phase + total) % period)
