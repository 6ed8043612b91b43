"""Playback of the race: playing or paused, its speed, and the step the timeline shows; an
evented model beside the race (:class:`~optviz.app.window.model.RaceModel`), which it never
changes."""

from __future__ import annotations

from ...core.limits import STEPS_PER_FRAME_MAX
from .events import Observable, in_range


class Playback(Observable):
    """``playing``: the race advances on every frame; ``steps_per_frame``: how many steps a
    frame takes (saved with a scenario, since it sets a race's pace on the projector);
    ``timeline``: the step the views show while scrubbing back through the race, None to
    follow it live."""

    _fields = ("playing", "steps_per_frame", "timeline")

    def __init__(self) -> None:
        super().__init__()
        self.playing = False
        self.steps_per_frame = 2
        self.timeline = None

    def _validate_steps_per_frame(self, v):
        return int(in_range("steps per frame", v, 1, STEPS_PER_FRAME_MAX))

    def _validate_timeline(self, v):
        if v is None:
            return None
        if isinstance(v, bool) or int(v) != v or v < 0:
            raise ValueError(f"timeline step must be a whole number >= 0, got {v!r}")
        return int(v)
