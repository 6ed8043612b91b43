"""The 3D view's pure helpers: round ticks and their labels, the drag gain, paths cut to the box,
the camera framing (optviz.render.surface_axes, surface_camera, surface_runs; no GL context).

Expected values are derived here by hand (what a round number is, where a segment crosses a
line, where a perspective camera puts a point), never read back from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optviz.core.scale import ValueScale

SUPERSCRIPT_DIGITS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def parse_label(text: str) -> float:
    """A tick label back to its number: '−2.5', '0.001', '10⁻⁵', '5×10⁴'."""
    text = text.replace("\u2212", "-")
    if "10" in text and any(c in text for c in "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"):
        mantissa, _, power = text.rpartition("10")
        sign = -1.0 if mantissa.startswith("-") else 1.0
        mantissa = mantissa.lstrip("-").rstrip("×") or "1"
        return sign * float(mantissa) * 10.0 ** int(power.translate(SUPERSCRIPT_DIGITS))
    return float(text)


def round_mantissa(v: float) -> float:
    """m in [1, 10) with v = m × 10ᵏ."""
    k = math.floor(math.log10(abs(v)) + 1e-12)
    return abs(v) / 10.0**k


# Ranges seen on screen: the linear-regression boxes (ends like 4.469 and −3.353 that were
# printed as "4.47-3.35"), symmetric boxes, tiny and huge spans, one not containing 0.
RANGES = [(-1.5309338046759768, 4.469066195324023), (-3.3526946447876838, 2.6473053552123162), (-5.0, 5.0),
          (-5.12, 5.12), (-2.0, 2.0), (-1.0, 3.0), (-10, 10), (0.001, 0.0037), (12_000.0, 97_000.0),
          (-4.5, 4.5), (3.0, 1e5), (-2.992046184695954, 5.007953815304046)]


@pytest.mark.parametrize("lo, hi", RANGES)
def test_axis_ticks_are_multiples_of_a_round_step_and_labelled_exactly(lo, hi):
    from optviz.core.ticks import round_ticks, tick_label as tick_text

    ticks, step = round_ticks(lo, hi, 6)
    assert 3 <= len(ticks) <= 8, (lo, hi, ticks)
    assert min(abs(round_mantissa(step) - m) for m in (1, 2, 2.5, 5)) < 1e-9, step
    assert np.allclose(ticks / step, np.round(ticks / step), atol=1e-9)  # multiples of the step
    assert np.allclose(np.diff(ticks), step)
    assert ticks[0] >= lo - 1e-12 * abs(lo) and ticks[-1] <= hi + 1e-12 * abs(hi)
    assert ticks[0] - step < lo and ticks[-1] + step > hi  # none missing at the ends
    for v in ticks:
        text = tick_text(v, step)
        assert "-" not in text  # a true minus sign
        assert parse_label(text) == pytest.approx(v, abs=step * 1e-9), (v, text)
        assert len(text) <= 7, text


@pytest.mark.parametrize("scale", [ValueScale(0.0, 3800.0, True), ValueScale(-1.0847, 52.0, True),
                                   ValueScale(3.0, 1.0e6, True), ValueScale(0.0, 2.5e-3, True),
                                   ValueScale(-1.0316, 5.7, False), ValueScale(0.148, 38.0, False)])
def test_loss_ticks_are_round_and_spread_over_the_height(scale):
    from optviz.core.ticks import tick_label as tick_text
    from optviz.render.surface_axes import loss_ticks

    ticks, step = loss_ticks(scale)
    assert 3 <= len(ticks) <= 6, ticks
    assert (ticks >= scale.lo - 1e-12).all() and (ticks <= scale.hi).all()
    for v in ticks:
        if v != 0:
            if scale.log:  # 1, 2 or 5 × 10ᵏ
                assert min(abs(round_mantissa(v) - m) for m in (1, 2, 5)) < 1e-9, v
            else:
                assert abs(v / step - round(v / step)) < 1e-9
        assert parse_label(tick_text(v, step)) == pytest.approx(v, rel=1e-9, abs=1e-300)
    # Spread: the scaled heights (the scale's own formula, written out here) are apart.
    lo, hi = scale.lo, scale.hi
    if scale.log:
        delta = (hi - lo) * 1e-4
        u = np.log1p((ticks - lo) / delta) / np.log1p((hi - lo) / delta)
    else:
        u = (ticks - lo) / (hi - lo)
    assert np.diff(np.sort(u)).min() > 0.08
    assert u.max() - u.min() > 0.5  # they cover the axis, not a corner of it


def test_tick_text_small_and_large_values():
    from optviz.core.ticks import tick_label as tick_text

    assert tick_text(1e-5) == "10⁻⁵"
    assert tick_text(5e-5) == "5×10⁻⁵"
    assert tick_text(-2e4) == "\u22122×10⁴"
    assert tick_text(0.001) == "0.001"
    assert tick_text(0.0) == "0"
    assert tick_text(-2.5, 2.5) == "\u22122.5"
    assert tick_text(7.5, 2.5) == "7.5"
    assert tick_text(4.0, 2.0) == "4"


def test_a_drag_across_the_view_turns_half_round_and_a_drag_down_it_tilts_the_elevation_range():
    from optviz.render.surface_camera import ELEVATION_MAX, ELEVATION_MIN, clamp_elevation, drag_to_orbit

    turn, tilt = drag_to_orbit(1000.0, 0.0, 1000.0, 600.0)
    assert abs(turn) == pytest.approx(180.0) and tilt == 0.0
    turn, tilt = drag_to_orbit(0.0, -600.0 * 0.9, 1000.0, 600.0)  # 90 % of the height upwards
    assert abs(tilt) >= ELEVATION_MAX - ELEVATION_MIN - 1e-9
    turn, tilt = drag_to_orbit(70.0, -70.0, 1000.0, 600.0)  # what used to flip the camera
    assert abs(turn) < 15 and abs(tilt) < 15
    assert clamp_elevation(-40) == 5.0 and clamp_elevation(120) == 85.0 and clamp_elevation(30) == 30


def test_paths_are_cut_at_the_box_and_the_cuts_are_marked():
    from optviz.render.surface_runs import clip_to_box

    path = np.array([[0, 0, 0], [0.5, 0, 1], [3, 0, 2], [3, 3, 3], [0, 0.5, 4], [0.2, 0.2, 5]], dtype=float)
    seg, cut = clip_to_box(path, 1.0)
    # By hand: (0.5, 0) → (3, 0) crosses x = 1 at t = 0.2 (z = 1.2); (3, 3) → (0, 0.5) crosses
    # y = 1 at t = 0.8 (x = 0.6, z = 3.8).
    np.testing.assert_allclose(seg, [[0, 0, 0], [0.5, 0, 1],
                                     [0.5, 0, 1], [1, 0, 1.2],
                                     [0.6, 1, 3.8], [0, 0.5, 4],
                                     [0, 0.5, 4], [0.2, 0.2, 5]])
    assert cut.tolist() == [False, False, False, True, True, False, False, False]
    assert np.abs(seg[:, :2]).max() <= 1.0
    for empty in (path[:1], np.array([[2.0, 2, 0], [3, 3, 0]])):
        s, c = clip_to_box(empty, 1.0)
        assert s.shape == (0, 3) and c.shape == (0,)


def test_default_camera_frames_the_box_inside_the_margins():
    from optviz.render.surface_camera import box_corners, fit_camera

    height, floor = 0.9, -0.02
    corners = box_corners(height, floor)
    assert corners.shape == (8, 3)
    for elevation, azimuth in ((32, -60), (45, 30), (45, 120)):
        for aspect in (4 / 3, 16 / 9, 0.7):
            for margins in ((0, 0, 0, 0), (0.2, 0.1, 0.3, 0.05)):
                centre, distance = fit_camera(elevation, azimuth, aspect, 45, corners, margins)
                # Project by hand: camera on a sphere round the centre, horizontal fov 45°.
                el, az = np.radians(elevation), np.radians(azimuth)
                eye = np.array(centre) + distance * np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az),
                                                              np.sin(el)])
                fwd = (np.array(centre) - eye) / distance
                right = np.cross(fwd, (0, 0, 1.0))
                right /= np.linalg.norm(right)
                up = np.cross(right, fwd)
                d = corners - eye
                tx = np.tan(np.radians(22.5))
                x = (d @ right) / (d @ fwd) / tx
                y = (d @ up) / (d @ fwd) / (tx / aspect)
                ml, mr, mb, mt = margins
                assert x.min() >= -1 + ml - 1e-3 and x.max() <= 1 - mr + 1e-3
                assert y.min() >= -1 + mb - 1e-3 and y.max() <= 1 - mt + 1e-3
                # Fills: touches the free area on both sides of one direction.
                fill_x = (x.max() - x.min()) / (2 - ml - mr)
                fill_y = (y.max() - y.min()) / (2 - mb - mt)
                assert max(fill_x, fill_y) == pytest.approx(1.0, abs=0.01)
