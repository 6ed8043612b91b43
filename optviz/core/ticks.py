"""Round tick values and their labels, for every axis and colour bar the app and exports draw.

Ticks sit at 1, 2, 2.5 or 5 × 10ᵏ apart (:func:`nice_ticks`); a log-scaled loss gets one tick
per decade above its floor (:func:`decade_ticks`). Labels use a true minus sign and, for very
small or large values, 10 with a Unicode superscript exponent (:func:`tick_label`). Pure Python
and NumPy, so the core, the app and the exports share them.
"""

from __future__ import annotations

import math

import numpy as np

MINUS = "\u2212"
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def nice_step(span: float, target: int = 6) -> float:
    """The round spacing (1, 2, 2.5 or 5 × 10ᵏ) that cuts ``span`` into about ``target`` parts."""
    raw = span / max(target - 1, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * 0.999)


def round_ticks(lo: float, hi: float, target: int = 6) -> tuple[np.ndarray, float]:
    """(ticks, step): the multiples of a round step (:func:`nice_step`) inside [lo, hi], about
    ``target`` of them. A span that is empty or not finite gives ``[lo]`` (if finite) and step 0."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return (np.array([float(lo)]) if math.isfinite(lo) else np.zeros(0)), 0.0
    step = nice_step(span, target)
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return np.arange(first, last + 1) * step, step  # whole multiples: no 0.30000000000000004


def nice_ticks(lo: float, hi: float, target: int = 6) -> np.ndarray:
    """Round tick values inside [lo, hi], about ``target`` of them (see :func:`round_ticks`)."""
    return round_ticks(lo, hi, target)[0]


def tick_step(ticks: np.ndarray) -> float | None:
    """The spacing of evenly spaced ``ticks`` (None for fewer than two)."""
    return float(np.min(np.diff(ticks))) if len(ticks) > 1 else None


def decade_ticks(lo: float, hi: float, floor: float, most: int = 6) -> np.ndarray:
    """Values ``lo + 10ᵏ`` for the decades 10ᵏ in [floor, hi − lo], thinned to at most ``most``
    (every 2nd, 3rd … decade), always with ``lo`` itself first: the ticks of a loss shown on a
    log scale above its minimum ``lo``."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0 and floor > 0):
        return np.array([lo])
    k0, k1 = math.ceil(math.log10(floor) - 1e-9), math.floor(math.log10(span) + 1e-9)
    decades = np.arange(k0, k1 + 1)
    if decades.size > max(most - 1, 1):
        every = math.ceil(decades.size / max(most - 1, 1))
        decades = decades[decades % every == k1 % every]
    return np.concatenate([[lo], lo + 10.0 ** decades.astype(float)])


def tick_label(value: float, step: float | None = None) -> str:
    """A tick label: as many decimals as ``step`` needs (none for whole steps), 10ⁿ notation for
    powers of ten outside [10⁻³, 10⁴], a short mantissa otherwise, and a true minus sign."""
    if not math.isfinite(value):
        return "∞" if value > 0 else (MINUS + "∞" if value < 0 else "—")
    if value == 0:
        return "0"
    if step is not None and step > 0 and 1e-3 <= abs(step) and abs(value) < 1e5:
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        if abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
            decimals += 1  # 2.5 spacing
        text = f"{value:.{decimals}f}"
        return (text.lstrip("-") if float(text) == 0 else text).replace("-", MINUS)
    exponent = math.floor(math.log10(abs(value)) + 1e-12)
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.4g}".replace("-", MINUS)
    mantissa = value / 10.0**exponent
    power = "10" + str(exponent).translate(SUPERSCRIPT)
    if abs(abs(mantissa) - 1) < 1e-9:
        return (MINUS if value < 0 else "") + power
    return f"{mantissa:.2g}".replace("-", MINUS) + "×" + power
