"""ViewBox's path geometry, shared by the live map and the exported one (hand-computed values)."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.core.geometry import ViewBox

BOX = ViewBox(0.0, 1.0, 0.0, 1.0)


@pytest.mark.parametrize("b, expected", [
    ((1.5, 0.5), (1.0, 0.5)),  # straight out through x = 1
    ((2.0, 1.5), (1.0, 0.5 + 0.5 / 1.5 * 1.0)),  # x = 1 reached first: t = 0.5 / 1.5
    ((0.5, -1.5), (0.5, 0.0)),  # out through y = 0 at t = 0.25
    ((-0.5, 2.5), (0.25, 1.0)),  # y = 1 at t = 0.25 before x = 0 at t = 0.5
    ((np.inf, 0.2), (0.5, 0.5)),  # no direction to follow: the last finite point
    ((np.nan, 0.2), (0.5, 0.5)),
])
def test_the_exit_point_is_where_the_segment_crosses_the_edge(b, expected):
    assert BOX.exit_point(np.array([0.5, 0.5]), np.array(b)) == pytest.approx(np.array(expected))


def test_a_path_is_cut_where_it_first_leaves_and_ends_on_the_edge():
    pts = np.array([[0.5, 0.5], [0.6, 0.6], [2.0, 0.6], [0.5, 0.5]])
    assert BOX.clip_path(pts) == pytest.approx(np.array([[0.5, 0.5], [0.6, 0.6], [1.0, 0.6]]))
    assert len(BOX.clip_path(np.array([[2.0, 2.0], [0.5, 0.5]]))) == 0
    inside = np.array([[0.1, 0.1], [0.9, 0.9]])
    assert BOX.clip_path(inside) is inside


def test_a_diverged_run_is_marked_inside_the_inset_map():
    finite = np.array([[0.5, 0.5], [0.7, 0.5], [5.0, 0.5]])
    # The inner box (inset 0.1) ends at x = 0.9: the path leaves it between 0.7 and 5.
    assert BOX.divergence_spot(finite, 0.1) == pytest.approx(np.array([0.9, 0.5]))
    assert BOX.divergence_spot(finite[:2], 0.1) == pytest.approx(np.array([0.7, 0.5]))


def test_a_label_goes_up_and_right_unless_it_would_leave_the_box():
    box = ViewBox(-5.0, 5.0, -5.0, 5.0)
    assert box.label_side(0.0, 0.0, 1.0, 1.0) == (1, 1)  # room everywhere: up and right
    assert box.label_side(3.5, 3.5, 2.0, 1.0) == (-1, 1)  # 3.5 + 2 > 5: left; 3.5 + 1 <= 5: above
    assert box.label_side(4.5, 4.5, 1.0, 1.0) == (-1, -1)
    assert box.label_side(-4.9, 4.9, 0.5, 0.5) == (1, -1)
    assert box.label_side(1.0, -1.0, 5.5, 5.5) == (-1, 1)  # right fails (6.5 > 5), left fits? -4.5 >= -5: yes
    assert box.label_side(0.5, 0.0, 8.0, 1.0) == (-1, 1)  # fits on neither side: the roomier (left, 5.5 > 4.5)
