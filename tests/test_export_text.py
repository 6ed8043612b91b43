"""No text of an exported frame is cut off, elided or drawn over other text.

Every shipped scenario and every preset's default race is laid out as the contour, 3D and
side-by-side views at 1920×1080 and 1280×720 (the 3D picture itself is replaced by a blank
image: the text around it is 2D painting, and this test needs no OpenGL). Every text the
frame paints goes through ``style.draw_text``; the test records each call and measures with
QFontMetricsF, independently of the layout code, that the text fits its rectangle (wrapped
where the call asks for wrapping), that it is not elided ("…"), and that no two texts of the
title strip, legend and axes overlap.
"""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage

from optviz.app.window.model import RaceModel
from optviz.app.window.saved_form import apply_scenario
from optviz.core import surface_keys
from optviz.core.scenario import builtin_scenarios, load_scenario
from optviz.export import frames as frames_module
from optviz.export import legend as legend_module
from optviz.export import style as st
from optviz.export.frames import FrameRenderer, FrameSpec
from optviz.export.race import Race

SIZES = [(1920, 1080), (1280, 720)]
VIEWS = ["contour", "3d", "side"]
STEPS = 600  # enough for every run to reach its final status in most races; statuses differ little


class _BlankSurface:
    """Stands in for gl3d.SurfacePanel: a blank picture of the right size."""

    def __init__(self, rect: QRectF) -> None:
        self.rect = rect

    def image(self, step: int) -> QImage:
        image = QImage(int(self.rect.width()), int(self.rect.height()), QImage.Format.Format_RGB32)
        image.fill(frames_module.BACKGROUND_3D)
        return image

    def close(self) -> None:
        pass


def _races():
    for _, path in builtin_scenarios():
        model = RaceModel()
        apply_scenario(model, load_scenario(path))
        yield path.stem, model
    for key in surface_keys():
        yield f"preset {key}", RaceModel(key)


@pytest.fixture(scope="module")
def races(qapp):
    return [(name, Race.from_model(model, steps=min(model.max_steps, STEPS))) for name, model in _races()]


def _text_box(call) -> QRectF:
    """Where the text of a draw_text call lands (Qt's layout with the call's flags)."""
    rect, text, font, flags = call
    return QFontMetricsF(font).boundingRect(rect, int(flags), text)


def _render(race, view, size, monkeypatch):
    calls, counters = [], []
    original = st.draw_text

    def draw_text(painter, rect, text, font, color=st.TEXT, flags=None):
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter if flags is None else flags
        calls.append((QRectF(rect), text, font, flags))
        original(painter, rect, text, font, color, flags)

    def paint_counter(painter, style, rect, step, total, *args, **kwargs):
        counters.append(QRectF(rect))
        return legend_paint_counter(painter, style, rect, step, total, *args, **kwargs)

    legend_paint_counter = legend_module.paint_counter
    monkeypatch.setattr(st, "draw_text", draw_text)
    monkeypatch.setattr(frames_module, "paint_counter", paint_counter)
    monkeypatch.setattr(legend_module, "paint_counter", paint_counter)

    def make_surface(self, rect):
        self.surface_rect = QRectF(rect.toRect())
        self.surface = _BlankSurface(self.surface_rect)

    monkeypatch.setattr(FrameRenderer, "_make_surface", make_surface)
    renderer = FrameRenderer(race, FrameSpec(view=view, width=size[0], height=size[1]))
    frames = []  # per frame: the texts painted once and those of the frame
    static = list(calls)
    try:
        for step in (0, race.last_step):
            del calls[:], counters[:]
            renderer.render(step)
            frames.append((static + calls, list(counters)))
    finally:
        renderer.close()
    return renderer, frames


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", VIEWS)
def test_every_text_of_every_scenario_fits(races, view, size, monkeypatch):
    problems = []
    for name, race in races:
        renderer, frames = _render(race, view, size, monkeypatch)
        problems += _check(name, renderer, frames, size)
    assert not problems, "\n".join(sorted(set(problems))[:40])


def _check(name, renderer, frames, size) -> list[str]:
    problems = []
    frame = QRectF(0, 0, *size)
    for calls, counters in frames:
        for call in calls:
            rect, text, font, flags = call
            box = _text_box(call)
            if "…" in text or "..." in text:
                problems.append(f"{name}: elided {text!r}")
            if box.width() > rect.width() + 1 or box.height() > rect.height() + 1:
                problems.append(f"{name}: {text!r} needs {box.width():.0f}×{box.height():.0f} px, "
                                f"has {rect.width():.0f}×{rect.height():.0f}")
            if not frame.contains(box.adjusted(1, 1, -1, -1)):
                problems.append(f"{name}: {text!r} runs off the frame")
        # No two texts over each other (the labels on the map itself, start and min k, excepted).
        plot = QRectF(renderer.contour.plot) if renderer.contour else QRectF()
        boxes = [(_text_box(c), c[1]) for c in calls if c[1].strip() and not plot.contains(_text_box(c).center())]
        boxes += [(r, "step counter") for r in counters]
        for (a, ta), (b, tb) in itertools.combinations(boxes, 2):
            overlap = a.adjusted(1, 1, -1, -1).intersected(b.adjusted(1, 1, -1, -1))
            if not overlap.isEmpty():
                problems.append(f"{name}: {ta!r} and {tb!r} overlap")
    return problems
