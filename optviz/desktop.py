"""Install the Linux launcher entry (.desktop file and icon) for the current user."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .paths import resource


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def install_desktop_entry(target: Path | None = None) -> list[Path]:
    """Copy optviz.desktop into applications/ and the icon into the hicolor theme.

    Returns the written paths. Raises OSError with the path in the message if a folder is not
    writable.
    """
    base = target or data_home()
    written = []
    for src, dst in (
        (resource("optviz.desktop"), base / "applications" / "optviz.desktop"),
        (resource("icons", "optviz.svg"), base / "icons" / "hicolor" / "scalable" / "apps" / "optviz.svg"),
        (resource("icons", "optviz-256.png"), base / "icons" / "hicolor" / "256x256" / "apps" / "optviz.png"),
        (resource("icons", "optviz-48.png"), base / "icons" / "hicolor" / "48x48" / "apps" / "optviz.png"),
    ):
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        written.append(dst)
    return written
