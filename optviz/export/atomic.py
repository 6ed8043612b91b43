"""Write an export completely or not at all: the core's atomic writer
(:mod:`optviz.core.files`) with its failures worded as :class:`~.errors.ExportError`.

:func:`atomic_file` hands out a temporary file in the target's folder (the folder of the file
a symbolic link points to: links are written through) and renames it onto the target only
when the writing code returned normally. On any exception (a cancel, a full disk, an encoder
error) the temporary file is closed and deleted, and an existing target is left untouched.
Partial files of the same target left by a killed process are deleted first.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..core.files import PART_SUFFIX, AtomicWriter, FileError, check_destination, describe_write_error
from .errors import ExportError

TEMP_SUFFIX = PART_SUFFIX


def _open(path: str) -> BinaryIO:
    """The stream the exporters write to (tests replace it to simulate a full disk)."""
    return open(path, "r+b")  # noqa: SIM115 - closed by atomic_file


def check_target(target: os.PathLike | str) -> Path:
    """``target`` as an absolute path; ExportError if it names a folder (or anything but a
    file), its folder is missing, or it is a link that leads nowhere a file can be written."""
    path = Path(target).expanduser().absolute()
    try:
        check_destination(path)
    except FileError as err:
        raise ExportError(str(err)) from None
    return path


class AtomicFile:
    """A temporary file that becomes ``target`` on :meth:`commit` and is deleted on
    :meth:`discard`. For exports that span several calls (an event-loop driven 3D export);
    :func:`atomic_file` is the context-manager form.

    OSErrors while creating, closing or renaming become :class:`ExportError` with a one-line
    message (:meth:`error_for` words one met while writing).
    """

    def __init__(self, target: os.PathLike | str) -> None:
        try:
            self._file = AtomicWriter(target, lambda path: _open(path))
        except OSError as err:
            raise ExportError(describe_write_error(err, target)) from None
        self.target = self._file.target
        self.temp = self._file.temp
        self.stream: BinaryIO | None = self._file.stream

    def error_for(self, err: OSError) -> ExportError:
        return ExportError(str(self._file.error_for(err)))

    def commit(self) -> Path:
        """Close the stream and rename the file onto the target (replacing it atomically)."""
        try:
            return self._file.commit()
        except OSError as err:
            raise self.error_for(err) from None

    def discard(self) -> None:
        """Close and delete the temporary file; never raises (it is the clean-up of a failure)."""
        self._file.discard()


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
