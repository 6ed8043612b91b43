"""The limits every entry point shares: scenario files, saved sessions, the app's inputs and the
command line accept the same values and refuse the rest, each for the same reason.

Numbers are bounds of what optviz can compute, record, draw and save; the rules are functions
that return the problem as words (or None), so each entry point words its own message around
them (a scenario names the JSON field, the CLI the option, the app the input):

* :func:`text_problem`: text must be writable as UTF-8 (no lone surrogates) and hold no control
  characters; a note may hold line breaks.
* :func:`view_box_problem`: a view box has finite corners within ±:data:`COORDINATE_BOUND` and
  is at least :data:`MIN_VIEW_SPAN` × max(1, |centre|) wide and tall, so its ticks are short
  round numbers and its contour grid has distinct points (a box 5e-324 wide made "math domain
  error" in every export, 1e-300 drew tick labels of 300 digits).
* :func:`start_problem`: a start point lies in the view box.
* :func:`recording_bytes`: what a race's recorded history takes; races beyond
  :data:`RECORDING_MEMORY_BUDGET` are refused (the CLI) or shortened (the app's swarms).
"""

from __future__ import annotations

import math
import unicodedata

__all__ = [
    "MAX_RUNS", "MAX_STEPS_LIMIT", "STEPS_PER_FRAME_MAX", "LEARNING_RATE_RANGE", "NOISE_SCALE_MAX",
    "MAX_BATCH_SIZE", "MAX_SEED", "MAX_TITLE", "MAX_NOTE", "MAX_LABEL", "COORDINATE_BOUND", "MIN_VIEW_SPAN",
    "MAX_SWARM_POINTS", "RECORDING_MEMORY_BUDGET", "text_problem", "view_box_problem", "start_problem",
    "recording_bytes", "recording_problem",
]

MAX_RUNS = 16  #: runs in a race
MAX_STEPS_LIMIT = 100_000  #: the step limit T of a run (its history is preallocated to it)
STEPS_PER_FRAME_MAX = 100  #: playback speed
LEARNING_RATE_RANGE = (1e-5, 10.0)  #: α, as the slider and every file accept it
NOISE_SCALE_MAX = 1e6  #: σ of the per-sample gradient noise
MAX_BATCH_SIZE = 1_000_000
MAX_SEED = 2**63 - 1  #: seeds are whole numbers in [0, MAX_SEED]
MAX_TITLE = 200  #: characters
MAX_NOTE = 4000  #: characters
MAX_LABEL = 80  #: characters
COORDINATE_BOUND = 1e15  #: largest |coordinate| of a view box or start point
MIN_VIEW_SPAN = 1e-6  #: smallest width (and height) of a view box, relative to max(1, |centre|)
MAX_SWARM_POINTS = 10_000
#: Bytes a race's recording may take (positions, losses, gradients, optimizer state per step).
RECORDING_MEMORY_BUDGET = 400 * 2**20

# Line breaks a note may hold; everything else of Unicode category Cc, and the line and
# paragraph separators, is refused (it cannot be shown on one line or typed back).
_NOTE_BREAKS = "\n"
_SEPARATORS = "\u2028\u2029"


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be saved or shown, or None: a character that UTF-8 cannot encode
    (a lone surrogate) or a control character (``multiline`` allows a newline)."""
    for index, char in enumerate(text):
        if "\ud800" <= char <= "\udfff":
            return f"character {index + 1} (U+{ord(char):04X}, half of a surrogate pair) cannot be written as UTF-8"
        if multiline and char in _NOTE_BREAKS:
            continue
        if unicodedata.category(char) == "Cc" or char in _SEPARATORS:
            return f"character {index + 1} (U+{ord(char):04X}) is a control character"
    return None


def view_box_problem(xmin: float, xmax: float, ymin: float, ymax: float) -> tuple[str, str] | None:
    """(bound, reason) for the first bound of a view box that cannot be drawn, or None.
    ``bound`` is one of "xmin", "xmax", "ymin", "ymax"."""
    for name, value in zip(("xmin", "xmax", "ymin", "ymax"), (xmin, xmax, ymin, ymax), strict=True):
        if not math.isfinite(value):
            return name, f"must be a finite number, got {value!r}"
        if abs(value) > COORDINATE_BOUND:
            return name, f"must be within ±{COORDINATE_BOUND:g}, got {value:g}"
    for low_name, high_name, low, high in (("xmin", "xmax", xmin, xmax), ("ymin", "ymax", ymin, ymax)):
        if not low < high:
            return high_name, f"must be greater than {low_name} = {low:g}, got {high:g}"
        smallest = MIN_VIEW_SPAN * max(1.0, abs(low / 2 + high / 2))
        if high - low < smallest:
            axis = high_name[0]
            return high_name, (f"the view box is too narrow in {axis} to draw ({high - low:.3g} wide, at least "
                               f"{smallest:.3g}: {MIN_VIEW_SPAN:g} × max(1, |centre|))")
    return None


def start_problem(x: float, y: float, box) -> str | None:
    """Why (x, y) cannot be a start point in ``box`` (a :class:`~optviz.core.geometry.ViewBox`), or None."""
    if not (math.isfinite(x) and math.isfinite(y)):
        return f"must be finite, got ({x!r}, {y!r})"
    if not (box.xmin <= x <= box.xmax and box.ymin <= y <= box.ymax):
        return (f"({x:g}, {y:g}) is outside the view box x in [{box.xmin:g}, {box.xmax:g}], "
                f"y in [{box.ymin:g}, {box.ymax:g}]")
    return None


# float64 positions, full gradient, used gradient and two optimizer buffers (2 each), loss and
# |∇J| (1 each), int8 status, int16 minimum index: optviz.core.simulation.History per recorded
# point and step, and the learning rate α_t per run and step.
_BYTES_PER_POINT_STEP = 8 * (2 + 2 + 2 + 2 * 2 + 1 + 1) + 1 + 2
_BYTES_PER_RUN_STEP = 8
_BYTES_PER_CLOUD_POINT_STEP = 2 * 4  # float32 positions of a swarm's other points


def recording_bytes(steps: int, runs: int, points: int = 1, cloud: int = 0) -> int:
    """Bytes of the history a race of ``runs`` runs records over ``steps`` steps, with full
    histories for ``points`` start points and positions only for ``cloud`` more (a swarm)."""
    per_step = runs * (points * _BYTES_PER_POINT_STEP + _BYTES_PER_RUN_STEP + cloud * _BYTES_PER_CLOUD_POINT_STEP)
    return (int(steps) + 1) * per_step


def recording_problem(steps: int, runs: int, points: int = 1, cloud: int = 0) -> str | None:
    """Why the recording of such a race does not fit :data:`RECORDING_MEMORY_BUDGET`, or None."""
    needed = recording_bytes(steps, runs, points, cloud)
    if needed <= RECORDING_MEMORY_BUDGET:
        return None
    return (f"{runs:,} run{'s' if runs != 1 else ''} × {steps:,} steps would record {needed / 2**20:,.0f} MiB, "
            f"more than the {RECORDING_MEMORY_BUDGET / 2**20:,.0f} MiB budget: use fewer runs or steps")
