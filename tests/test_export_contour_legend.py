"""Where a legend box over the map goes: the corner that hides least, a marked point (a
minimum, a saddle, the start) weighing as much as a long stretch of path
(:func:`optviz.render.contour_painter.corner_cost`, used by the exported frames)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QRectF  # noqa: E402

from optviz.render.contour_painter import corner_cost  # noqa: E402


def test_a_box_hides_a_stretch_of_path_rather_than_a_minimum_or_the_start():
    rng = np.random.default_rng(1)
    left, right = QRectF(0, 0, 100, 60), QRectF(300, 0, 100, 60)
    path = np.column_stack([rng.uniform(310, 390, 120), rng.uniform(10, 50, 120)])  # 120 steps under the right box
    star = np.array([[50.0, 30.0]])  # a minimum under the left box
    assert corner_cost(right, [path], star) == 120  # counted by hand: every path point, no mark
    assert corner_cost(left, [path], star) > corner_cost(right, [path], star)  # 50 each hid the ★ (until issue 12)
    start = np.array([[20.0, 20.0]])
    assert corner_cost(left, [path], start) > corner_cost(right, [path], start)  # the start counts too
    assert corner_cost(QRectF(150, 100, 50, 50), [path], np.concatenate([star, start])) == 0
