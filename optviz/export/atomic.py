"""Write a file completely or not at all.

:func:`atomic_file` hands out a temporary file in the target's own folder (so the final
rename never crosses file systems) and renames it onto the target only when the writing code
returned normally. On any exception (a cancel, a full disk, an encoder error) the temporary
file is closed and deleted, and an existing target is left untouched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import ExportError, describe_os_error

TEMP_SUFFIX = ".part"


def _open(path: str) -> BinaryIO:
    """The stream the exporters write to (tests replace it to simulate a full disk)."""
    return open(path, "r+b")  # noqa: SIM115 - closed by atomic_file


def check_target(target: os.PathLike | str) -> Path:
    """``target`` as an absolute path; ExportError if it names a folder or its folder is missing."""
    path = Path(target).expanduser().absolute()
    if path.is_dir():
        raise ExportError(f"Cannot write to {path}: it is a folder")
    if not path.parent.is_dir():
        raise ExportError(f"Cannot write to {path}: the folder {path.parent} does not exist")
    return path


class AtomicFile:
    """A temporary file next to ``target`` that becomes ``target`` on :meth:`commit` and is
    deleted on :meth:`discard`. For exports that span several calls (an event-loop driven
    3D export); :func:`atomic_file` is the context-manager form.

    OSErrors while creating, closing or renaming become :class:`ExportError` with a one-line
    message (:meth:`error_for` words one met while writing).
    """

    def __init__(self, target: os.PathLike | str) -> None:
        self.target = check_target(target)
        try:
            fd, self.temp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=TEMP_SUFFIX,
                                             dir=self.target.parent)
        except OSError as err:
            # Creating the file failed: say which folder refuses it.
            denied = err.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
            raise ExportError(describe_os_error(err, self.target.parent if denied else self.target)) from err
        os.close(fd)
        try:
            self.stream: BinaryIO | None = _open(self.temp)
        except OSError as err:
            self.stream = None
            self.discard()
            raise ExportError(describe_os_error(err, self.target)) from err

    def error_for(self, err: OSError) -> ExportError:
        return ExportError(describe_os_error(err, self.target))

    def commit(self) -> Path:
        """Close the stream and rename the file onto the target (replacing it atomically)."""
        try:
            self.stream.flush()
            self.stream.close()
            os.chmod(self.temp, 0o644)  # mkstemp makes 0600; an exported video is meant to be shared
            os.replace(self.temp, self.target)
        except OSError as err:
            self.discard()
            raise self.error_for(err) from err
        return self.target

    def discard(self) -> None:
        """Close and delete the temporary file; never raises (it is the clean-up of a failure)."""
        if self.stream is not None:
            with contextlib.suppress(OSError):
                self.stream.close()  # may fail again on a full disk; the file goes anyway
        with contextlib.suppress(OSError):
            os.unlink(self.temp)


@contextlib.contextmanager
def atomic_file(target: os.PathLike | str) -> Iterator[BinaryIO]:
    """Yield a binary stream; on normal exit it becomes ``target``, on any error it vanishes.

    OSErrors become :class:`ExportError`; other exceptions pass through after the clean-up.
    """
    file = AtomicFile(target)
    try:
        yield file.stream
    except OSError as err:
        file.discard()
        raise file.error_for(err) from err
    except BaseException:
        file.discard()
        raise
    file.commit()
