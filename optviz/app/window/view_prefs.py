"""How the race is shown: the user's view preferences (theme, presentation mode, which views
and overlays), an evented model apart from the race itself.

The race (:class:`~optviz.app.window.model.RaceModel`) is what a scenario saves; these are the
user's, kept between sessions in QSettings (:func:`view_to_dict`, :func:`view_from_dict`), except
``log_loss`` and the overlays, which a scenario also states, and ``presentation``, which is not
kept (the app opens normal).
"""

from __future__ import annotations

from ...look import projector_color
from .events import Observable, flag_validator, in_range

#: The two looks of the app: the everyday one and the high-contrast one for projectors.
THEMES = ("normal", "projector")
#: Presentation mode scales fonts, lines and markers by ``ui_scale`` (adjustable in this range).
UI_SCALE_MIN, UI_SCALE_MAX, UI_SCALE_DEFAULT = 1.0, 3.0, 1.75


def display_color(color: str, theme: str) -> str:
    """The colour a run is drawn in under ``theme``: its model colour, darkened in the
    projector theme only where it lacks contrast on white (:func:`optviz.look.projector_color`;
    no optimizer colour does)."""
    if theme == "projector":
        return projector_color(color)
    return color


class ViewPrefs(Observable):
    """The view preferences, one event per field.

    Fields: ``presentation`` (full screen, projector theme, everything scaled by ``ui_scale``),
    ``theme``, ``ui_scale``, ``panels_collapsed`` (side panel and readouts hidden, the compact
    strip shown), ``show_3d`` / ``show_contour`` (at least one stays visible),
    ``show_equations`` (the live update rule of the selected run), ``log_loss`` (the loss plot's
    axis), and the visual aids at the head of the selected run: ``overlay_gradient`` (−∇J),
    ``overlay_momentum`` (−αp: momentum, Nesterov; Adam's first moment), ``overlay_step_size``
    (α/(ε + √r) per axis: AdaGrad, RMSProp, Adam) and ``overlay_field`` (the field of −∇J
    directions over the map).
    """

    _fields = ("presentation", "theme", "ui_scale", "panels_collapsed", "show_3d", "show_contour",
               "show_equations", "log_loss", "overlay_gradient", "overlay_momentum", "overlay_step_size",
               "overlay_field")

    def __init__(self) -> None:
        super().__init__()
        self.presentation = False
        self.theme = "normal"
        self.ui_scale = UI_SCALE_DEFAULT
        self.panels_collapsed = False
        self.show_3d = True
        self.show_contour = True
        self.show_equations = True
        self.log_loss = True
        self.overlay_gradient = False
        self.overlay_momentum = False
        self.overlay_step_size = False
        self.overlay_field = False
        # How many physical pixels a design pixel takes on the screen the window is on
        # (set by presentation mode; ``ui_scale`` is meant for a 1080-line screen).
        self.display_factor = 1.0

    @property
    def scale(self) -> float:
        """The scale in effect: in presentation mode ``ui_scale`` times the screen's
        ``display_factor``, 1 otherwise."""
        if not self.presentation:
            return 1.0
        return self.ui_scale * self.display_factor

    def _validate_theme(self, v):
        if v not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {v!r}")
        return v

    def _validate_ui_scale(self, v):
        return in_range("presentation scale", v, UI_SCALE_MIN, UI_SCALE_MAX)

    def _validate_show_3d(self, v):
        v = flag_validator("show_3d")(self, v)
        if not v and not self.__dict__.get("show_contour", True):
            raise ValueError("at least one view must stay visible: show the contour map before hiding the 3D view")
        return v

    def _validate_show_contour(self, v):
        v = flag_validator("show_contour")(self, v)
        if not v and not self.__dict__.get("show_3d", True):
            raise ValueError("at least one view must stay visible: show the 3D view before hiding the contour map")
        return v


for _name in ("presentation", "panels_collapsed", "show_equations", "log_loss", "overlay_gradient",
              "overlay_momentum", "overlay_step_size", "overlay_field"):
    setattr(ViewPrefs, f"_validate_{_name}", flag_validator(_name))
del _name

#: The view preferences kept between sessions (QSettings), apart from the race. Presentation
#: mode itself is not kept: the app opens normal. ``log_loss`` travels with the scenario.
VIEW_FIELDS = ("theme", "ui_scale", "show_3d", "show_contour", "show_equations", "overlay_gradient",
               "overlay_momentum", "overlay_step_size", "overlay_field")


def view_to_dict(view: ViewPrefs) -> dict:
    """The view preferences (:data:`VIEW_FIELDS`) as plain JSON-able data."""
    return {name: getattr(view, name) for name in VIEW_FIELDS}


def view_from_dict(view: ViewPrefs, data) -> list[str]:
    """Apply view preferences to ``view``. Tolerant: missing keys keep the current values and
    bad ones are skipped; returns a message per skipped key. (Old settings files have none.)"""
    problems = []
    if not isinstance(data, dict):
        return [f"view settings must be a dict, got {type(data).__name__}"]
    # The views first shown, then the one hidden: "at least one view" holds at every step.
    names = sorted((n for n in VIEW_FIELDS if n in data), key=lambda n: n in ("show_3d", "show_contour")
                   and not data[n])
    for name in names:
        try:
            setattr(view, name, data[name])
        except (TypeError, ValueError) as err:
            problems.append(f"{name}: {err}")
    return problems
