"""The one colour map for loss values, shared by the contour map, the 3D mesh and exports.

Light and low-saturation ("ice" to slate), so the saturated run colours (optviz.look) stand out
on it and it survives a washed-out projector.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

# Low loss is light, high loss dark: the eye reads the minimum as the bright valley floor.
_STOPS = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
_COLORS = np.array(
    [
        (250, 250, 245),
        (212, 226, 232),
        (160, 186, 204),
        (104, 129, 158),
        (52, 66, 94),
    ],
    dtype=np.ubyte,
)

SURFACE_CMAP = pg.ColorMap(_STOPS, _COLORS)
NAN_RGBA = (255, 255, 255, 0)


def rgba(u: np.ndarray) -> np.ndarray:
    """Colours for scaled values u ∈ [0, 1] as float RGBA in [0, 1], shape u.shape + (4,).
    NaN (an undefined loss) is fully transparent."""
    u = np.asarray(u, dtype=float)
    out = np.empty(u.shape + (4,), dtype=float)
    flat = np.nan_to_num(u, nan=0.0).ravel()
    for c in range(3):
        out[..., c] = np.interp(flat, _STOPS, _COLORS[:, c] / 255.0).reshape(u.shape)
    out[..., 3] = np.where(np.isnan(u), 0.0, 1.0)
    return out


def lookup_table(size: int = 256) -> np.ndarray:
    """A (size, 4) uint8 table for ``pg.ImageItem.setLookupTable``."""
    return (rgba(np.linspace(0.0, 1.0, size)) * 255).round().astype(np.ubyte)
