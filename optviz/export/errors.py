"""What can go wrong in an export, worded for the person who asked for it."""

from __future__ import annotations

import os

from ..core.files import describe_write_error


class ExportError(Exception):
    """An export failed; ``str(err)`` is one line to show as it is. No partial file is left."""


class ExportCancelled(ExportError):
    """The user cancelled the export; no file was written."""

    def __init__(self, message: str = "Export cancelled; no file was written.") -> None:
        super().__init__(message)


def describe_os_error(err: OSError, path: os.PathLike | str) -> str:
    """One line for an OSError met while writing ``path``, e.g. "Disk full while writing race.mp4"
    (the core's wording: :func:`optviz.core.files.describe_write_error`)."""
    return describe_write_error(err, path)
