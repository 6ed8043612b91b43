"""One look per optimizer (optviz.look and the OptimizerSpec look fields).

The colour checks simulate colour-vision deficiency with the matrices of Machado, Oliveira &
Fernandes, "A Physiologically-based Model for Simulation of Color Vision Deficiency", IEEE
TVCG 15(6), 2009, severity 1.0, copied from the paper's published table and applied to linear
RGB, and measure colour differences with CIEDE2000 (checked below against the test data of
Sharma, Wu & Dalal, Color Res. Appl. 30(1), 2005). Contrast is WCAG 2.1's. Nothing here is
computed with the code under test.
"""

import itertools

import numpy as np
import pytest

from optviz.core.optimizers import DASH_STYLES, OPTIMIZERS
from optviz.look import RunLook, dash_segments, optimizer_look, projector_color, repeat_look, run_looks, shade

# Machado et al. 2009, table of simulation matrices, severity 1.0 (rows map linear RGB).
PROTANOPIA = np.array([[0.152286, 1.052583, -0.204868],
                       [0.114503, 0.786281, 0.099216],
                       [-0.003882, -0.048116, 1.051998]])
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                         [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
VISIONS = {"normal": np.eye(3), "deuteranopia": DEUTERANOPIA, "protanopia": PROTANOPIA}

#: What the set must reach (CIEDE2000; ~2 is "just noticeable", >10 "a different colour at a glance").
MIN_DELTA_E = {"normal": 15.0, "deuteranopia": 12.0, "protanopia": 12.0}
MIN_CONTRAST = 3.0  # WCAG 2.1 SC 1.4.11, non-text graphics, against the white projector theme
MIN_DELTA_E_ON_MAP = 10.0  # against every stop of the contour colour map, in every vision


def srgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0


def linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(lin: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of linear sRGB, IEC 61966-2-1 matrix."""
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = np.clip(lin, 0, 1) @ m.T / m.sum(axis=1)
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference (Sharma et al. 2005, equations 1–22)."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, float), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, float), -1, 0)
    Cbar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    G = 0.5 * (1 - np.sqrt(Cbar**7 / (Cbar**7 + 25.0**7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dLp, dCp = L2 - L1, C2p - C1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(C1p * C2p == 0, 0, dh)
    dHp = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dh / 2))
    Lbp, Cbp = (L1 + L2) / 2, (C1p + C2p) / 2
    hsum = h1p + h2p
    hbp = np.where(C1p * C2p == 0, hsum,
                   np.where(np.abs(h1p - h2p) <= 180, hsum / 2, np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2)))
    T = (1 - 0.17 * np.cos(np.radians(hbp - 30)) + 0.24 * np.cos(np.radians(2 * hbp))
         + 0.32 * np.cos(np.radians(3 * hbp + 6)) - 0.20 * np.cos(np.radians(4 * hbp - 63)))
    dtheta = 30 * np.exp(-(((hbp - 275) / 25) ** 2))
    Rc = 2 * np.sqrt(Cbp**7 / (Cbp**7 + 25.0**7))
    Sl = 1 + 0.015 * (Lbp - 50) ** 2 / np.sqrt(20 + (Lbp - 50) ** 2)
    Sc, Sh = 1 + 0.045 * Cbp, 1 + 0.015 * Cbp * T
    Rt = -np.sin(np.radians(2 * dtheta)) * Rc
    return np.sqrt((dLp / Sl) ** 2 + (dCp / Sc) ** 2 + (dHp / Sh) ** 2 + Rt * (dCp / Sc) * (dHp / Sh))


def seen(hex_colors, vision: str) -> np.ndarray:
    """CIELAB of the colours as seen with ``vision``."""
    lin = linear(np.array([srgb(c) for c in hex_colors]))
    return lab(lin @ VISIONS[vision].T)


def contrast_on_white(hex_color: str) -> float:
    y = float(linear(srgb(hex_color)) @ np.array([0.2126, 0.7152, 0.0722]))
    return 1.05 / (y + 0.05)


# --------------------------------------------------------------------------- the tools themselves


@pytest.mark.parametrize("lab1, lab2, expected", [
    # Sharma, Wu & Dalal 2005, table 1: pairs 1, 7, 17, 18, 19, 20, 25.
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
])
def test_ciede2000_matches_sharmas_test_data(lab1, lab2, expected):
    assert ciede2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(np.array(lab2), np.array(lab1)) == pytest.approx(expected, abs=1e-4)


def test_dichromat_matrices_keep_white_and_grey():
    # The paper's matrices map white to white (rows sum to 1): greys are seen as greys.
    for m in (PROTANOPIA, DEUTERANOPIA):
        assert m.sum(axis=1) == pytest.approx(np.ones(3), abs=2e-6)
    # …and they do lose red–green: Okabe–Ito's orange and yellow come closer under both.
    pair = ["#E69F00", "#F0E442"]
    normal = ciede2000(*seen(pair, "normal"))
    assert ciede2000(*seen(pair, "deuteranopia")) < normal and ciede2000(*seen(pair, "protanopia")) < normal


# --------------------------------------------------------------------------- the colour set


def test_optimizer_colours_are_told_apart_with_normal_and_red_green_deficient_vision():
    colors = [spec.color for spec in OPTIMIZERS.values()]
    assert len(colors) == len(OPTIMIZERS) == 11
    for vision, threshold in MIN_DELTA_E.items():
        labs = seen(colors, vision)
        for (i, a), (j, b) in itertools.combinations(enumerate(OPTIMIZERS), 2):
            d = float(ciede2000(labs[i], labs[j]))
            assert d >= threshold, f"{a} vs {b} under {vision}: ΔE00 = {d:.1f} < {threshold}"


@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_every_colour_and_shade_stands_out_on_white(key):
    for k in range(6):
        color = repeat_look(key, k).color
        assert contrast_on_white(color) >= MIN_CONTRAST, (key, k, color)


def test_every_colour_stands_out_on_both_ends_of_the_colour_map():
    from optviz.render.colormap import _COLORS

    stops = ["#%02X%02X%02X" % tuple(int(c) for c in rgb) for rgb in _COLORS]
    colors = [spec.color for spec in OPTIMIZERS.values()]
    for vision in VISIONS:
        runs, cmap = seen(colors, vision), seen(stops, vision)
        for i, key in enumerate(OPTIMIZERS):
            d = ciede2000(runs[i][None, :], cmap)
            assert d.min() >= MIN_DELTA_E_ON_MAP, (key, vision, np.round(d, 1))


def test_every_pair_of_optimizers_differs_in_marker_or_dash():
    from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols

    for spec in OPTIMIZERS.values():
        assert spec.marker in Symbols and spec.dash in DASH_STYLES.values()
    for a, b in itertools.combinations(OPTIMIZERS.values(), 2):
        assert (a.marker, a.dash) != (b.marker, b.dash), (a.key, b.key)
    # The markers alone tell all of them apart (a head in greyscale), and the races shipped most
    # often (the launch race, GD against its stochastic siblings) differ in dash too.
    assert len({s.marker for s in OPTIMIZERS.values()}) == len(OPTIMIZERS)
    # No head can be taken for a minimum (★), a saddle or a diverged run (×, +), or the start.
    assert not {s.marker for s in OPTIMIZERS.values()} & {"star", "x", "+", "crosshair"}
    for race in (("gd", "momentum", "rmsprop", "adam"), ("gd", "sgd", "minibatch"), ("momentum", "nesterov"),
                 ("adagrad", "rmsprop", "adam")):
        assert len({OPTIMIZERS[k].dash for k in race}) == len(race), race


def test_projector_keeps_the_run_colours_and_darkens_a_light_one():
    for k in range(6):
        for key in OPTIMIZERS:
            c = repeat_look(key, k).color
            assert projector_color(c) == c
    dark = projector_color("#F0E442")  # Okabe–Ito's yellow, 1.3:1 on white
    assert 3.0 <= contrast_on_white(dark) < 3.2
    # The same hue: CIELAB hue angle within a few degrees.
    h = [np.degrees(np.arctan2(v[2], v[1])) for v in seen(["#F0E442", dark], "normal")]
    assert abs(h[0] - h[1]) < 6


# --------------------------------------------------------------------------- repeated runs


def test_first_runs_look_like_their_optimizer():
    looks = run_looks(list(OPTIMIZERS))
    assert looks == [RunLook(s.color, s.marker, s.dash) for s in OPTIMIZERS.values()]
    assert optimizer_look("adam") == looks[list(OPTIMIZERS).index("adam")]


def test_repeats_get_shades_and_dashes_of_their_optimizer():
    keys = ["gd", "adam", "gd", "gd", "adam", "gd"]
    looks = run_looks(keys)
    gd = [look for key, look in zip(keys, looks) if key == "gd"]
    assert [look.marker for look in gd] == ["o"] * 4
    assert len({look.color for look in gd}) == 4 and len({look.dash for look in gd}) == 4
    # Shades of one colour: each far enough from the others to see, none far in hue.
    labs = seen([look.color for look in gd], "normal")
    for i, j in itertools.combinations(range(4), 2):
        assert ciede2000(labs[i], labs[j]) >= 5
    hue = np.degrees(np.arctan2(labs[:, 2], labs[:, 1]))
    assert np.ptp(hue) < 20
    # Deterministic from the race order: a run's look depends on its optimizer and on the runs
    # of that optimizer before it, not on the others.
    assert run_looks(["adam", "gd", "gd"])[2] == run_looks(["gd", "gd"])[1] == looks[2]
    cycle = list(DASH_STYLES.values())
    assert gd[1].dash == cycle[(cycle.index(OPTIMIZERS["gd"].dash) + 1) % len(cycle)]


def test_shades_cycle_when_the_band_is_used_up():
    assert shade("#6E4600", 0) == "#6E4600"
    ladder = [shade("#6E4600", k) for k in range(12)]
    n = len(set(ladder))
    assert 3 <= n <= 12 and ladder[n] == ladder[0]


def test_bad_look_requests_are_refused_with_a_message():
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        run_looks(["gd", "lbfgs"])
    with pytest.raises(ValueError, match="repeat must be a whole number"):
        repeat_look("gd", -1)
    with pytest.raises(ValueError, match="#RRGGBB"):
        shade("red", 1)


# --------------------------------------------------------------------------- the app model


def test_run_colours_follow_the_optimizers_as_the_race_changes():
    from optviz.app.window.model import RaceModel, RunModel

    m = RaceModel("bowl", optimizers=("gd", "adam", "gd"))
    assert [r.color for r in m.runs] == [OPTIMIZERS["gd"].color, OPTIMIZERS["adam"].color,
                                         repeat_look("gd", 1).color]
    assert [r.marker for r in m.runs] == ["o", OPTIMIZERS["adam"].marker, "o"] and m.runs[2].dash != m.runs[0].dash
    changed = []
    m.events.connect("run", changed.append)
    m.remove_run(0)  # the second GD is now the first: it takes GD's own look
    assert (m.runs[1].color, m.runs[1].dash) == (OPTIMIZERS["gd"].color, OPTIMIZERS["gd"].dash)
    m.runs[0].optimizer = "gd"  # Adam becomes GD: the first GD, and the other one the second
    assert m.runs[0].color == OPTIMIZERS["gd"].color and m.runs[1].color == repeat_look("gd", 1).color
    assert (1, "color") in changed  # the views hear of it
    m.add_run("gd")
    assert m.runs[2].color == repeat_look("gd", 2).color
    m.replace_runs([RunModel("momentum"), RunModel("momentum")])
    assert [r.color for r in m.runs] == [OPTIMIZERS["momentum"].color, repeat_look("momentum", 1).color]
    # Adding or removing a run tells the views once, by the "runs" event: no look event about a
    # run the simulation does not have yet (or no longer has) comes before it.
    m = RaceModel("bowl", optimizers=("gd", "gd", "gd"))
    heard = []
    m.events.connect("*", heard.append)
    m.add_run("gd")
    m.remove_run(0)
    assert [name for name, _ in heard if name in ("runs", "run")] == ["runs", "runs"]
    assert [r.color for r in m.runs] == [repeat_look("gd", k).color for k in range(3)]
    # Old settings that carry a colour: ignored.
    assert RunModel.from_dict({"optimizer": "adam", "color": "#123456"}).color == OPTIMIZERS["adam"].color


# --------------------------------------------------------------------------- dashes


def _covered(segments: np.ndarray) -> float:
    return float(np.hypot(*(segments[:, 1] - segments[:, 0]).T).sum())


def test_dashes_along_a_straight_line():
    # Width 2, pattern (4, 2.5) line widths: 8 px on, 5 px off, period 13, along 0…100.
    segs, phase = dash_segments([[0, 0], [100, 0]], (4, 2.5), 2)
    starts = np.arange(0, 100, 13.0)
    expected = [[s, min(s + 8, 100)] for s in starts]
    assert segs[:, :, 1] == pytest.approx(0)
    np.testing.assert_allclose(segs[:, :, 0], expected, atol=1e-9)
    assert phase == pytest.approx(100 % 13)
    # Solid: every segment, phase kept.
    segs, phase = dash_segments([[0, 0], [3, 4], [3, 4], [6, 8]], (), 2, 1.5)
    assert segs.tolist() == [[[0, 0], [3, 4]], [[3, 4], [6, 8]]] and phase == 1.5


def test_dashes_run_on_across_pieces_drawn_separately():
    rng = np.random.default_rng(3)
    pts = np.cumsum(rng.normal(size=(200, 2)) * 7, axis=0)
    whole, end = dash_segments(pts, (4, 2, 1, 2), 3)
    pieces, phase = [], 0.0
    for a, b in [(0, 17), (17, 18), (18, 90), (90, 199)]:  # consecutive pieces share a point
        segs, phase = dash_segments(pts[a:b + 1], (4, 2, 1, 2), 3, phase)
        pieces.append(segs)
    np.testing.assert_allclose(np.concatenate(pieces), whole, atol=1e-9)
    assert phase == pytest.approx(end)
    # Coverage: the "on" share of the arc length, 5/9 of it up to one period at the end.
    length = np.hypot(*np.diff(pts, axis=0).T).sum()
    assert abs(_covered(whole) - length * 5 / 9) <= 27


def test_dash_round_caps_and_breaks():
    # A corner inside a dash: the dash bends with the line (two segments).
    segs, _ = dash_segments([[0, 0], [5, 0], [5, 10]], (4, 1), 2)  # 8 on, 2 off
    np.testing.assert_allclose(segs[:2], [[[0, 0], [5, 0]], [[5, 0], [5, 3]]], atol=1e-9)
    # Round caps: each dash shortened by half a width at both ends; a dot becomes a dot.
    segs, _ = dash_segments([[0, 0], [30, 0]], (1, 2), 4, round_caps=True)  # 4 on, 8 off
    centres = segs[:, :, 0].mean(axis=1)
    assert centres.tolist() == pytest.approx([2, 14, 26]) and _covered(segs) < 3 * 0.1 * 4
    # A non-finite point breaks the line: nothing is drawn across it, the pattern holds still.
    segs, phase = dash_segments([[0, 0], [10, 0], [np.nan, np.nan], [50, 0], [60, 0]], (100, 1), 1)
    assert segs.tolist() == [[[0, 0], [10, 0]], [[50, 0], [60, 0]]] and phase == pytest.approx(20)
    with pytest.raises(ValueError, match="even number"):
        dash_segments([[0, 0], [1, 1]], (4, 2, 1), 2)
