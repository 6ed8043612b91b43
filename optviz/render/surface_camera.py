"""The 3D view's camera: how a mouse drag orbits it, and the default framing (pure NumPy).

Conventions are GLViewWidget's 'euler' camera: it looks at ``centre`` from ``distance`` away,
``elevation`` degrees above the horizontal plane, at ``azimuth`` degrees around +z from +x;
the field of view ``fov`` is horizontal. Display coordinates: the surface's box is
[-1, 1]² × [0, height] (see :class:`optviz.render.surface_view.DisplayMap`).
"""

from __future__ import annotations

import numpy as np

#: A drag orbits the camera: a drag across the whole width turns it this many degrees, one
#: over the whole height tilts it this many (so the elevation range fits in one drag).
DRAG_TURN = 180.0
DRAG_TILT = 90.0
#: The elevation a drag or the arrow keys may reach: never under the surface, never quite
#: straight down (where azimuth stops meaning anything).
ELEVATION_MIN, ELEVATION_MAX = 5.0, 85.0
#: The default camera's horizontal field of view.
CAMERA_FOV = 45
#: Room left around the box for the labels, in pixels at look scale 1: left/right (the loss
#: axis' tick labels), bottom (tick labels and titles of x and y), top.
LABEL_ROOM = (64.0, 64.0, 56.0, 12.0)


def drag_to_orbit(dx: float, dy: float, width: float, height: float) -> tuple[float, float]:
    """(azimuth, elevation) change in degrees for a drag of (dx, dy) pixels in a view of
    ``width`` × ``height``: the picture follows the mouse sideways, dragging up lowers the eye."""
    return -dx * DRAG_TURN / max(width, 1.0), dy * DRAG_TILT / max(height, 1.0)


def clamp_elevation(elevation: float) -> float:
    return float(min(max(elevation, ELEVATION_MIN), ELEVATION_MAX))


def eye(centre, distance: float, elevation: float, azimuth: float) -> np.ndarray:
    """The camera's position in display coordinates."""
    el, az = np.radians(elevation), np.radians(azimuth)
    return np.asarray(centre, dtype=float) + distance * np.array(
        [np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])


def project(points: np.ndarray, centre, distance: float, elevation: float, azimuth: float,
            aspect: float, fov: float) -> np.ndarray:
    """Normalised device x, y (each in [-1, 1] on screen, y up) of display points."""
    camera = eye(centre, distance, elevation, azimuth)
    forward = np.asarray(centre, dtype=float) - camera
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, (0.0, 0.0, 1.0))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    d = np.asarray(points, dtype=float) - camera
    depth = d @ forward
    tx = np.tan(np.radians(fov / 2))
    return np.column_stack([(d @ right) / depth / tx, (d @ up) / depth / (tx / aspect)])


def box_corners(height: float, floor: float) -> np.ndarray:
    """The eight corners of the box the view frames: the mesh's square from ``floor`` to
    ``height`` (the panes behind the mesh reach the top)."""
    return np.array([(sx, sy, z) for sx in (-1, 1) for sy in (-1, 1) for z in (floor, height)], dtype=float)


def fit_camera(elevation: float, azimuth: float, aspect: float, fov: float, points: np.ndarray,
               margins=(0.0, 0.0, 0.0, 0.0)) -> tuple[tuple[float, float, float], float]:
    """(centre, distance): the point to look at and the distance at which ``points`` fill the
    view up to ``margins`` (left, right, bottom, top, as fractions of the half-width/height
    in normalised device units), touching it on at least one side, centred in what is left."""
    pts = np.asarray(points, dtype=float)
    ml, mr, mb, mt = margins
    target_x, target_y = (ml - mr) / 2, (mb - mt) / 2  # the middle of the free area
    half_x, half_y = 1 - (ml + mr) / 2, 1 - (mb + mt) / 2
    el, az = np.radians(elevation), np.radians(azimuth)
    right = np.array([-np.sin(az), np.cos(az), 0.0])  # the screen's x direction, horizontal
    centre = np.array([0.0, 0.0, pts[:, 2].mean()])
    distance = 5.0
    tx = np.tan(np.radians(fov / 2))
    for _ in range(12):
        xy = project(pts, centre, distance, elevation, azimuth, aspect, fov)
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        # Move the target so the points' middle lands on the free area's middle, then set the
        # distance so they fill it.
        centre = centre + right * (0.5 * (x0 + x1) - target_x) * distance * tx
        centre[2] += (0.5 * (y0 + y1) - target_y) * distance * tx / aspect / np.cos(el)
        distance *= max((x1 - x0) / 2 / half_x, (y1 - y0) / 2 / half_y)
    return tuple(float(c) for c in centre), float(distance)
