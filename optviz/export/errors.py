"""What can go wrong in an export, worded for the person who asked for it."""

from __future__ import annotations

import errno
import os


class ExportError(Exception):
    """An export failed; ``str(err)`` is one line to show as it is. No partial file is left."""


class ExportCancelled(ExportError):
    """The user cancelled the export; no file was written."""

    def __init__(self, message: str = "Export cancelled; no file was written.") -> None:
        super().__init__(message)


def describe_os_error(err: OSError, path: os.PathLike | str) -> str:
    """One line for an OSError met while writing ``path``, e.g. "Disk full while writing race.mp4"."""
    name = os.fspath(path)
    code = getattr(err, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"Disk full while writing {os.path.basename(name)} (in {os.path.dirname(name) or '.'})"
    if code in (errno.EACCES, errno.EPERM):
        return f"Cannot write to {name}: permission denied"
    if code == errno.EROFS:
        return f"Cannot write to {name}: the folder is on a read-only file system"
    if code == errno.ENOENT:
        return f"Cannot write to {name}: the folder does not exist"
    if code == errno.ENOTDIR:
        return f"Cannot write to {name}: a part of the path is a file, not a folder"
    if code == errno.EISDIR:
        return f"Cannot write to {name}: it is a folder"
    reason = err.strerror or str(err) or type(err).__name__
    return f"Writing {name} failed: {reason}"
