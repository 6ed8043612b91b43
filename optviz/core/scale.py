"""How loss values map to colour and height: linear, or logarithmic for wide value ranges.

The contour map, the 3D mesh and the exported frames all use one :class:`ValueScale`, so a
colour means the same loss everywhere and the paths ride exactly on the rendered surface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .surface import Surface


@dataclass(frozen=True)
class ValueScale:
    """Maps a loss J to u ∈ [0, 1].

    Linear: u = (J − lo) / (hi − lo). Log: u = log(1 + (J − lo)/δ) / log(1 + (hi − lo)/δ),
    with δ = (hi − lo)·10⁻⁴, which spreads colours over four decades above the minimum. Values
    outside [lo, hi] are clipped; NaN stays NaN (rendered as a gap).
    """

    lo: float
    hi: float
    log: bool

    @property
    def _delta(self) -> float:
        return max(self.hi - self.lo, 1e-300) * 1e-4

    def __call__(self, values) -> np.ndarray:
        z = np.asarray(values, dtype=float)
        with np.errstate(all="ignore"):
            d = np.clip(z, self.lo, self.hi) - self.lo
            if self.log:
                u = np.log1p(d / self._delta) / np.log1p((self.hi - self.lo) / self._delta)
            else:
                u = d / max(self.hi - self.lo, 1e-300)
        return u

    def inverse(self, u) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self.log:
            return self.lo + self._delta * np.expm1(u * np.log1p((self.hi - self.lo) / self._delta))
        return self.lo + u * (self.hi - self.lo)

    def levels(self, count: int = 14) -> np.ndarray:
        """Iso-line values evenly spaced in u (so log-spaced for log scales), excluding the ends."""
        return self.inverse(np.linspace(0.0, 1.0, count + 2)[1:-1])


def value_scale(surface: Surface, z: np.ndarray) -> ValueScale:
    """The scale for ``z`` sampled over the surface's view.

    The low end is the lowest sampled value (or a known lower minimum); the high end is the
    99.5th percentile for linear scales so that one extreme corner does not flatten the rest.
    """
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return ValueScale(0.0, 1.0, surface.log_color)
    lo = float(finite.min())
    known = [m.value for m in surface.minima if np.isfinite(m.value)]
    if known:
        lo = min(lo, min(known))
    hi = float(finite.max() if surface.log_color else np.percentile(finite, 99.5))
    if not hi > lo:
        hi = lo + 1.0
    return ValueScale(lo, hi, surface.log_color)
