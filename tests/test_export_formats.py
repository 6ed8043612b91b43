"""Exported PNG, MP4 and GIF files, decoded back (PyAV for MP4, Pillow for GIF and PNG).

The expectations come from outside the exporter: trajectories from a Simulation built here,
colours from the app's colour map and the optimizers' own colours, frame counts from the step
counts of that simulation. Pixels are read where the simulation says a run's head is.
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import av  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from optviz.render import colormap  # noqa: E402
from optviz.app.window.model import RaceModel  # noqa: E402
from optviz.core import Simulation, get_surface  # noqa: E402
from optviz.core.scale import value_scale  # noqa: E402
from optviz.export import (  # noqa: E402
    AnimationSettings,
    ExportError,
    FrameRenderer,
    FrameSpec,
    Race,
    export_animation,
    export_image,
)
from optviz.export.job import image_array  # noqa: E402

STEPS = 60
OPTIMIZERS = ("gd", "momentum", "adam")


#: Fixed here, not the preset's tabled rates (tuned for its own start): every run stays on the map.
RATES = (1e-3, 1e-3, 0.32)


def scenario() -> RaceModel:
    model = RaceModel("rosenbrock", optimizers=OPTIMIZERS, start=(-1.5, 2.0))
    for run, rate in zip(model.runs, RATES, strict=True):
        run.learning_rate = rate
    return model


@pytest.fixture(scope="module")
def race() -> Race:
    return Race.from_model(scenario(), STEPS)


@pytest.fixture(scope="module")
def sim() -> Simulation:
    """The same race, simulated here independently of the exporter."""
    model = scenario()
    surface = get_surface("rosenbrock")
    return Simulation(surface, [r.spec for r in model.runs], (-1.5, 2.0), max_steps=STEPS, seed=model.seed,
                      noise_scale=model.noise_scale).run()


def rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])


def decode_mp4(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return frames, stream.average_rate, stream.codec_context.width, stream.codec_context.height


def decode_gif(path):
    with Image.open(path) as im:
        frames, durations = [], []
        for i in range(im.n_frames):
            im.seek(i)
            frames.append(np.asarray(im.convert("RGB")).copy())
            durations.append(im.info["duration"])
        return frames, durations, im.size, im.info.get("loop")


def head_pixel(renderer: FrameRenderer, point) -> tuple[int, int]:
    """(row, column) of a surface point in the renderer's map."""
    x, y = renderer.contour.to_px([point])[0]
    return int(round(y)), int(round(x))


def patch(frame: np.ndarray, rc, radius=2) -> np.ndarray:
    r, c = rc
    return frame[r - radius : r + radius + 1, c - radius : c + radius + 1].reshape(-1, 3).astype(int)


def separated_heads(sim, step, renderer, min_px=30):
    """Runs whose head at ``step`` is at least ``min_px`` from every other head (readable colour)."""
    heads = {k: np.array(head_pixel(renderer, sim.history.positions[min(step, sim.length(k) - 1), k, 0]))
             for k in range(sim.K)}
    return [k for k in heads if all(np.hypot(*(heads[k] - heads[j])) >= min_px for j in heads if j != k)]


def test_mp4_has_the_frames_size_and_rate_asked_for_and_heads_in_run_colours(qapp, tmp_path, race, sim):
    spf, fps, size = 2, 24, (960, 540)  # heads of 10 px: enough for 4:2:0 chroma
    out = tmp_path / "race.mp4"
    export_animation(race, out, AnimationSettings(FrameSpec("contour", *size), fps=fps, steps_per_frame=spf))
    frames, rate, w, h = decode_mp4(out)
    last = max(sim.length(k) for k in range(sim.K)) - 1
    assert len(frames) == math.ceil(last / spf) + 1
    assert rate == fps and (w, h) == size and frames[0].shape == (size[1], size[0], 3)
    renderer = FrameRenderer(race, FrameSpec("contour", *size))
    model = scenario()
    separated = separated_heads(sim, last, renderer)
    assert separated, "the scenario should keep some heads apart"
    for k in separated:
        at = head_pixel(renderer, sim.history.positions[sim.length(k) - 1, k, 0])
        centre = patch(frames[-1], at, 1).mean(axis=0)
        assert np.abs(centre - rgb(model.runs[k].color)).max() < 40, (k, centre, model.runs[k].color)


def test_pixels_change_where_paths_move_and_nowhere_else(qapp, tmp_path, race, sim):
    out = tmp_path / "race.mp4"
    size = (640, 360)
    export_animation(race, out, AnimationSettings(FrameSpec("contour", *size), fps=30, steps_per_frame=3))
    frames, *_ = decode_mp4(out)
    renderer = FrameRenderer(race, FrameSpec("contour", *size))
    first, final = frames[0].astype(int), frames[-1].astype(int)
    moved = 0
    for k in range(sim.K):
        end = sim.history.positions[sim.length(k) - 1, k, 0]
        if np.hypot(*(end - sim.history.positions[0, k, 0])) > 0.3:  # the run went somewhere
            assert np.abs(patch(final, head_pixel(renderer, end)) - patch(first, head_pixel(renderer, end))).max() > 60
            moved += 1
    assert moved >= 2
    # A corner of the map far from every path looks the same in the first and last frame.
    plot = renderer.contour.plot
    corner = (plot.top() + 12, plot.right() - 12)  # (x, y) ≈ (2, 3): no run goes there
    assert np.abs(patch(final, corner, 4) - patch(first, corner, 4)).max() <= 6
    # ... and so do the axes labels (static part painted once).
    assert np.abs(final[plot.bottom() + 5 :, : plot.left()] - first[plot.bottom() + 5 :, : plot.left()]).max() <= 8


def test_gif_has_the_frames_timing_and_exact_run_colours(qapp, tmp_path, race, sim):
    spf, fps, size = 3, 30, (480, 270)
    out = tmp_path / "race.gif"
    export_animation(race, out, AnimationSettings(FrameSpec("contour", *size), fps=fps, steps_per_frame=spf))
    frames, durations, gif_size, loop = decode_gif(out)
    last = max(sim.length(k) for k in range(sim.K)) - 1
    n = math.ceil(last / spf) + 1
    assert len(frames) == n and gif_size == size and loop == 0
    # Delays are whole centiseconds; their running sum stays within 10 ms of n / fps.
    assert all(d % 10 == 0 and d in (30, 40) for d in durations)
    assert abs(sum(durations) - 1000 * n / fps) <= 10
    renderer = FrameRenderer(race, FrameSpec("contour", *size))
    model = scenario()
    for k in separated_heads(sim, last, renderer, min_px=20):
        at = head_pixel(renderer, sim.history.positions[sim.length(k) - 1, k, 0])
        # The run colours are in the global palette exactly; the head's centre is pure colour.
        assert (frames[-1][at] == rgb(model.runs[k].color)).all(), (k, frames[-1][at])
    assert np.abs(frames[-1].astype(int) - frames[0]).max() > 100  # the paths moved


def test_gif_frames_match_the_rendered_frames(qapp, tmp_path, race):
    """One global palette, no dithering: every decoded frame is its rendered frame to within
    the palette's quantization, and regions that did not change stay exactly the same."""
    size = (320, 180)
    out = tmp_path / "race.gif"
    settings = AnimationSettings(FrameSpec("contour", *size), fps=20, steps_per_frame=6)
    export_animation(race, out, settings)
    frames, *_ = decode_gif(out)
    renderer = FrameRenderer(race, settings.frame)
    for frame, step in zip(frames, race.frame_steps(6)):
        image = renderer.render(int(step))
        rendered = image_array(image)[..., 2::-1].astype(int)
        assert np.abs(rendered - frame).mean() < 4.0
    plot = renderer.contour.plot
    assert (frames[0][: plot.top() - 2] == frames[-1][: plot.top() - 2]).all()


def test_png_is_rendered_at_its_size_with_the_apps_colours(qapp, tmp_path, race, sim):
    out = tmp_path / "race.png"
    export_image(race, out, FrameSpec("contour", 1920, 1080))
    with Image.open(out) as im:
        assert im.format == "PNG" and im.size == (1920, 1080)
        png = np.asarray(im.convert("RGB")).astype(int)
    renderer = FrameRenderer(race, FrameSpec("contour", 1920, 1080))
    # The colour map: the app's colours of the app's value scale (log for Rosenbrock).
    surface = get_surface("rosenbrock")
    _, _, z = surface.grid(200, 200)
    scale = value_scale(surface, z)
    for point in ((-1.8, -0.8), (0.0, 2.5), (1.5, 0.5), (1.9, -0.9)):  # off every path and iso-line
        want = colormap.rgba(scale(surface.f(np.array(point))))[:3] * 255
        got = png[head_pixel(renderer, point)]
        assert np.abs(got - want).max() < 4, (point, got, want)
    model = scenario()
    for k in separated_heads(sim, sim.length(0) - 1, renderer):
        at = head_pixel(renderer, sim.history.positions[sim.length(k) - 1, k, 0])
        assert (png[at] == rgb(model.runs[k].color)).all()


def test_4k_png_draws_lines_and_dots_twice_as_large_not_upscaled(qapp, tmp_path, race, sim):
    sizes = {}
    for w, h in ((1920, 1080), (3840, 2160)):
        out = tmp_path / f"race_{h}.png"
        export_image(race, out, FrameSpec("contour", w, h))
        with Image.open(out) as im:
            assert im.size == (w, h)
            png = np.asarray(im.convert("RGB")).astype(int)
        renderer = FrameRenderer(race, FrameSpec("contour", w, h))
        k = 2  # Adam's head ends alone in the valley
        r, c = head_pixel(renderer, sim.history.positions[sim.length(k) - 1, k, 0])
        win = png[r - 60 : r + 61, c - 60 : c + 61]
        mask = np.abs(win - rgb(scenario().runs[k].color)).max(axis=-1) < 10
        sizes[h] = int(mask.sum())
        # Crisp: at 4K there are pixels of the exact run colour, as at 1080p (an upscaled
        # image would blur the dot's edge into mixed colours, not keep a solid core).
        assert mask[60, 60]
    ratio = sizes[2160] / sizes[1080]
    assert 2.5 < ratio < 6.0, sizes  # an area: ~4x when line widths and dots double


def test_same_scenario_twice_gives_identical_decoded_frames(qapp, tmp_path):
    settings = AnimationSettings(FrameSpec("contour", 320, 180), fps=15, steps_per_frame=4)
    paths = []
    for i in range(2):
        race = Race.from_model(scenario(), 40)  # a fresh simulation each time
        out = tmp_path / f"run{i}.mp4"
        export_animation(race, out, settings)
        paths.append(out)
    a, b = decode_mp4(paths[0])[0], decode_mp4(paths[1])[0]
    assert len(a) == len(b) == 11
    assert all((x == y).all() for x, y in zip(a, b))
    gifs = []
    for i in range(2):
        out = tmp_path / f"run{i}.gif"
        export_animation(Race.from_model(scenario(), 40), out, settings)
        gifs.append(out.read_bytes())
    assert gifs[0] == gifs[1]


def test_frames_do_not_depend_on_what_was_rendered_before(qapp, race):
    """The GIF palette renders the last frame first; the frames after must be as if it had not."""
    spec = FrameSpec("contour", 320, 180)
    fresh = FrameRenderer(race, spec)
    reused = FrameRenderer(race, spec)
    reused.render(race.last_step)
    for step in range(0, 20, 3):
        a, b = fresh.render(step), reused.render(step)
        assert (image_array(a) == image_array(b)).all(), step


def test_unsuitable_video_settings_are_refused_with_a_clear_message(qapp, tmp_path, race):
    with pytest.raises(ExportError, match="even width and height"):
        export_animation(race, tmp_path / "odd.mp4", AnimationSettings(FrameSpec("contour", 641, 360)))
    with pytest.raises(ExportError, match=r"\[1, 50\]"):
        export_animation(race, tmp_path / "fast.gif", AnimationSettings(FrameSpec("contour", 640, 360), fps=60))
    with pytest.raises(ExportError, match="unknown view"):
        FrameSpec("polar", 640, 360)
    assert not list(tmp_path.iterdir())


def test_layouts_for_wide_tall_and_square_frames_keep_the_map_square(qapp, race):
    for w, h in ((1920, 1080), (1080, 1920), (1080, 1080), (1280, 720)):
        renderer = FrameRenderer(race, FrameSpec("contour", w, h))
        plot = renderer.contour.plot
        assert abs(plot.width() - plot.height()) <= 1  # Rosenbrock's box is square
        assert plot.left() >= 0 and plot.right() < w and plot.top() >= 0 and plot.bottom() < h
        assert plot.height() >= 0.5 * min(w, h)
        frame = renderer.render(race.last_step)
        assert (frame.width(), frame.height()) == (w, h)
