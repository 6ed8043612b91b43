"""What a view is given to draw: each run's style and the sampled surface.

Plain data, built by the app's controller from its model and by the exports from a recorded
race, so the views (optviz.render) need neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.run import RunSpec
from ..core.scale import ValueScale
from ..look import RunLook


@dataclass(frozen=True)
class RunStyle:
    """How a view draws one run (see :mod:`optviz.look`).

    Attributes:
        title: the legend text.
        color: "#RRGGBB" as the current theme shows it.
        visible: False hides the run everywhere.
        dash: the line's dash pattern, on/off lengths in line widths (Qt's
            ``QPen.setDashPattern`` convention); ``()`` solid. Paths drawn piece by piece
            dash with :func:`optviz.look.dash_segments`, so the pattern runs on across pieces.
        marker: the head marker, a pyqtgraph symbol name.
    """

    title: str
    color: str
    visible: bool
    dash: tuple[float, ...] = ()
    marker: str = "o"


def run_style(run: RunSpec, look: RunLook, color: str | None = None) -> RunStyle:
    """How a view draws ``run`` with ``look``: its title, colour (``color`` when the theme shows
    it otherwise), visibility, dash and marker. The one place a style is made, for the window
    and for the exports."""
    return RunStyle(run.title, color or look.color, bool(run.visible), tuple(look.dash), look.marker)


@dataclass(frozen=True)
class SurfaceGrid:
    """The surface sampled for drawing: ``z[iy, ix] = J(xs[ix], ys[iy])``."""

    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray
    scale: ValueScale
