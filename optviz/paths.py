"""Where optviz finds its shipped resources, installed or run from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The resources folder: ``optviz/resources`` in a wheel, ``resources/`` in a checkout."""
    installed = _PACKAGE_DIR / "resources"
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / "resources"


def resource(*parts: str) -> Path:
    """Path of one shipped resource, e.g. ``resource("icons", "optviz.svg")``."""
    return resources_dir().joinpath(*parts)
