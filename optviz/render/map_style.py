"""What the contour map draws the same way live and in an export (one definition for both
renderers: optviz.app.views.contour_view and optviz.export.contour)."""

from __future__ import annotations

#: Iso-lines over the colour map (at the value scale's levels).
ISO_LEVELS = 14
#: A run with more line than this many view widths (bouncing all over the map) is drawn with
#: thin lines: bold, it would bury the map (an export knows it from the first frame).
HEAVY_WIDTHS = 25
#: Paths are drawn up to where they leave the view grown by this fraction on every side.
DRAW_MARGIN = 1.5
#: A diverged run that flew off the map is marked where it leaves, this fraction inside the edge.
MARKER_INSET = 0.03
#: Minimum labels ("min 1" …) are only drawn when there are few enough not to clutter the map.
MAX_MINIMUM_LABELS = 6
