"""What the contour map draws the same way live and in an export: one set of constants for
the one renderer of the map's content (:mod:`optviz.render.contour_painter`), read by the
live map (optviz.app.views.contour_view) and by exported frames (optviz.export.contour).

Sizes are pixels at scale 1 (the app's normal look); a view multiplies them by its scale:
the app by its UI scale (presentation mode), an export by :data:`EXPORT_SCALE` × the frame's
unit (its shorter side over 1080). Colours are RGB(A) tuples; the theme
(:mod:`optviz.render.theme`) gives the path, casing, head and iso-line sizes and colours.
"""

from __future__ import annotations

#: Iso-lines over the colour map (at the value scale's levels).
ISO_LEVELS = 14
#: A run with more line than this many map widths (bouncing all over the map) is drawn with
#: thin lines from then on: bold, it would bury the map.
HEAVY_WIDTHS = 25
#: Paths are drawn up to where they leave the view grown by this fraction on every side.
DRAW_MARGIN = 1.5
#: A diverged run that flew off the map is marked where it leaves, this fraction inside the
#: edge; so is the point where a run left the view.
MARKER_INSET = 0.03
#: Minimum labels ("min 1" …) are only drawn when there are few enough not to clutter the map.
MAX_MINIMUM_LABELS = 6

#: An exported frame draws the map as the app does at this scale per 1080 rows: its frames are
#: projected, like the app in presentation mode.
EXPORT_SCALE = 1.6

#: A path's line when the run scribbles all over the map (see HEAVY_WIDTHS).
THIN_WIDTH = 1.0
#: Heads: the run's marker (sized by the theme) with a dark rim of this width outside it.
HEAD_RIM = 1.5
HEAD_RIM_COLOR = (25, 25, 30)
#: A diverged run: a × filled with its colour, rimmed in red.
DIVERGED_SIZE = 22.0
DIVERGED_RIM = 2.0
DIVERGED_COLOR = (200, 0, 0)
#: A run that left the view: an arrowhead in its colour on the map's edge, pointing the way it went.
EXIT_SIZE = 16.0
#: Minima: white ★ with a black rim; saddles: a dark × with a white rim.
MINIMUM_SIZE = 22.0
MINIMUM_RIM = 1.5
SADDLE_SIZE = 15.0
SADDLE_RIM = 1.2
#: Labels on the map ("min 1", "start"): letters in pixels, padding; a minimum's label starts
#: LABEL_GAP beside its star and LABEL_RISE above (or below) its centre, close enough to read
#: as its label and to fit beside a star near the edge of a small map.
LABEL_PIXELS = 14.0
LABEL_PAD = 3.0
LABEL_GAP = 7.0
LABEL_RISE = 1.0
LABEL_FILL = (255, 255, 255, 150)
#: The start point: pyqtgraph's crosshair target of this size.
START_SIZE = 18.0
START_WIDTH = 2.5
START_COLOR = (20, 20, 20)
START_FILL = (255, 255, 255, 140)
#: The start's label: beside it on the right, its left edge this far from the start's centre.
START_LABEL_OFFSET = 12.0
START_LABEL_FILL = (255, 255, 255, 170)
#: A legend box over the map goes to the corner where it hides least: a path point under it
#: costs 1, a marked point (a minimum, a saddle, the start) this much.
MARKER_WEIGHT = 200
