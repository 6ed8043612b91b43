"""The session between two launches: the race as a scenario, the view preferences, the window.

The race is saved as a scenario file's text (:mod:`optviz.core.scenario`), so it is read back
with exactly the rules of a scenario file: the same types, ranges, run limit and size limit.
Whatever was saved, by this version, an older one or a hand-edited settings file, the app
starts: every value that cannot be used is dropped and :class:`Restored` says why, in one
status-bar message of at most :data:`MESSAGE_LIMIT` characters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from PySide6.QtCore import QByteArray, QSettings

from ...core.scenario import MAX_FILE_BYTES, Scenario, dump_scenario, loads_scenario, scenario_from_race_dict
from .model import RaceModel
from .view_prefs import view_from_dict, view_to_dict

#: The race, as the text of a scenario file.
SESSION_KEY = "session/scenario"
#: What older versions saved: the race as a plain dict (still read once, by the scenario rules).
LEGACY_RACE_KEY = "race/v1"
#: Theme, presentation scale, views and overlays (:data:`optviz.app.window.view_prefs.VIEW_FIELDS`).
VIEW_KEY = "view/v1"
GEOMETRY_KEY, STATE_KEY = "window/geometry", "window/state"
#: The title a session is saved under when no scenario was opened.
SESSION_TITLE = "Last session"
#: A status-bar message is cut to this many characters.
MESSAGE_LIMIT = 240
#: The view preferences are a few short fields: anything longer is not ours.
VIEW_BYTES = 4096


@dataclass
class Restored:
    """What was read back, and what was dropped (in plain words)."""

    scenario: Scenario | None = None
    problems: list[str] = field(default_factory=list)

    def message(self) -> str:
        """One status-bar line, or "" when everything came back."""
        if not self.problems:
            return ""
        return short(f"The last session could not be restored: {'; '.join(self.problems)}; starting fresh")


def short(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` on one line, cut at a word to at most ``limit`` characters."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _reason(err: BaseException) -> str:
    if isinstance(err, RecursionError):
        return "it is nested too deeply"
    if isinstance(err, MemoryError):
        return "it is too large"
    return short(str(err) or type(err).__name__, 120)


def _text(raw, what: str, limit: int) -> str:
    """A saved value that must be text of at most ``limit`` characters."""
    if isinstance(raw, QByteArray):
        raw = bytes(raw)
    if isinstance(raw, bytes):
        if len(raw) > limit:
            raise ValueError(f"{what} is too large ({len(raw):,} bytes)")
        raw = raw.decode("utf-8")
    if not isinstance(raw, str):
        raise ValueError(f"{what} is a {type(raw).__name__}, not text")
    if len(raw) > limit:
        raise ValueError(f"{what} is too large ({len(raw):,} characters)")
    return raw


def read_race(settings: QSettings) -> Restored:
    """The saved race as a scenario, checked by the scenario rules (nothing is applied)."""
    out = Restored()
    raw = settings.value(SESSION_KEY)
    try:
        if raw is not None:
            out.scenario = loads_scenario(_text(raw, "the saved race", MAX_FILE_BYTES), source="the saved race")
            return out
        legacy = settings.value(LEGACY_RACE_KEY)
        if legacy is not None:
            data = json.loads(_text(legacy, "the saved race", MAX_FILE_BYTES))
            out.scenario = scenario_from_race_dict(data, title=SESSION_TITLE)
    except Exception as err:  # noqa: BLE001 - whatever was saved, the app starts
        out.problems.append(f"the race ({_reason(err)})")
    return out


def read_view(settings: QSettings, model: RaceModel) -> list[str]:
    """Apply the saved view preferences to ``model``; a message per preference dropped."""
    raw = settings.value(VIEW_KEY)
    if raw is None:
        return []
    try:
        data = json.loads(_text(raw, "the view preferences", VIEW_BYTES))
    except Exception as err:  # noqa: BLE001
        return [f"the view preferences ({_reason(err)})"]
    try:
        return [f"the view preference {p}" for p in view_from_dict(model.view, data)]
    except Exception as err:  # noqa: BLE001
        return [f"the view preferences ({_reason(err)})"]


def restore_window(settings: QSettings, window) -> list[str]:
    """Restore the window's geometry and dock layout; False-y values are a first launch."""
    problems = []
    for key, restore, what in ((GEOMETRY_KEY, window.restoreGeometry, "the window's size and place"),
                               (STATE_KEY, window.restoreState, "the window's layout")):
        raw = settings.value(key)
        if raw is None:
            continue
        if not isinstance(raw, (QByteArray, bytes)):
            problems.append(f"{what} (not window data)")
            continue
        try:
            ok = restore(QByteArray(raw))
        except Exception as err:  # noqa: BLE001
            ok, _ = False, err
        if not ok:
            problems.append(f"{what} (unreadable)")
    return problems


def has_window(settings: QSettings) -> bool:
    return settings.value(GEOMETRY_KEY) is not None


def save(settings: QSettings, window, scenario: Scenario | None) -> None:
    """Save the session: the race as a scenario (when it can be one), the view preferences and
    the window."""
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
    settings.setValue(STATE_KEY, window.saveState())
    if scenario is not None:
        settings.setValue(SESSION_KEY, dump_scenario(scenario))
    else:
        settings.remove(SESSION_KEY)
    settings.remove(LEGACY_RACE_KEY)
    settings.setValue(VIEW_KEY, json.dumps(view_to_dict(window.model.view)))
    settings.sync()
