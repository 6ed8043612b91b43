"""The app's two looks: ``normal`` (the everyday one) and ``projector`` (high contrast for
lecture halls), as plain values the views read in their ``set_look(theme, scale)``.

The normal theme holds exactly the constants the views were built with, so going back to it
(leaving presentation mode) restores every pen width, font size and colour. Sizes are design
values at scale 1; presentation mode multiplies them by ``ui_scale`` (fonts, line widths,
markers alike).

Kept apart from :mod:`optviz.app.classroom.presentation` (the mode itself, its keys and strip), so the
views can import it without pulling in the window-level machinery.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    name: str
    #: Axes, tick labels, axis titles, legend text.
    text: tuple[int, int, int]
    axis_width: float
    #: The contour map's iso-lines (RGBA) and their width.
    iso_color: tuple[int, int, int, int]
    iso_width: float
    #: Paths on the map: line width, the light casing's extra width and its opacity.
    path_width: float
    casing_extra: float
    casing_opacity: float
    head_size: float
    #: The loss / |∇J| curves.
    curve_width: float
    #: Major and minor grid line alphas of the history plots.
    grid_alphas: tuple[int, int]
    #: The 3D view: background, label colour, path widths (ghost, casing, line), ball size.
    gl_background: tuple[int, int, int]
    gl_text: tuple[int, int, int]
    gl_widths: tuple[float, float, float]
    gl_ball: float


NORMAL = Theme(
    name="normal",
    text=(45, 50, 60),
    axis_width=1.0,
    iso_color=(40, 44, 52, 100),
    iso_width=1.0,
    path_width=2.5,
    casing_extra=3.0,
    casing_opacity=0.55,
    head_size=11.0,
    curve_width=2.0,
    grid_alphas=(45, 22),
    gl_background=(236, 239, 243),
    gl_text=(70, 78, 92),
    gl_widths=(2.0, 6.0, 3.0),
    gl_ball=13.0,
)

#: White and near-black, thicker lines and an opaque casing: a projector washes out light
#: tints and thin lines, so everything the eye needs is drawn darker and wider.
PROJECTOR = Theme(
    name="projector",
    text=(0, 0, 0),
    axis_width=1.5,
    iso_color=(20, 24, 32, 150),
    iso_width=1.2,
    path_width=3.0,
    casing_extra=3.5,
    casing_opacity=0.85,
    head_size=12.0,
    curve_width=2.5,
    grid_alphas=(70, 35),
    gl_background=(255, 255, 255),
    gl_text=(0, 0, 0),
    gl_widths=(2.0, 6.5, 3.5),
    gl_ball=14.0,
)

THEMES = {theme.name: theme for theme in (NORMAL, PROJECTOR)}


def get_theme(name: str) -> Theme:
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {name!r}") from None


def hex_color(rgb) -> str:
    return "#%02x%02x%02x" % tuple(int(c) for c in rgb[:3])
