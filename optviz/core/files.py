"""Every file optviz reads or writes goes through here: one reader, one atomic writer.

Reading (:func:`read_file`): only a regular file is read, and at most a given number of
bytes. A named pipe, a socket, a device or a folder is refused *before* it is opened (opening
a named pipe blocks until someone writes to it); the path is then opened without blocking and
checked again, so a file swapped for a pipe between the check and the open is refused too.

Writing (:class:`AtomicWriter`, :func:`atomic_write`, :func:`write_file`): the bytes go to a
temporary file in the target's own folder, which is flushed, synced and renamed onto the
target only when the writing code returned normally; on any failure it is deleted and an
existing target is left as it was. Conventions:

* Symbolic links are written through, as most editors do: the link is resolved, the
  temporary file is made in the folder of the file it points to and renamed onto that file,
  so the link stays a link. A dangling link creates the file it points to; a link loop is
  refused with a message.
* The temporary file is ``.<name>.<pid>.<random>.part`` (``<name>`` shortened to a prefix and
  a hash of the full name when the whole would exceed the folder's file-name limit, 255 bytes
  on common file systems), so it is a legal name whenever the target's is. A process killed
  outright (SIGKILL, a power cut) leaves it behind: every write first deletes the partial
  files *of its own target* whose process no longer runs, and nothing else.
* A process that exits normally while a write is still open (the app quitting while an
  export runs in a worker thread, which nobody waits for) deletes that write's temporary file
  at exit (:mod:`atexit`): no partial file outlives a clean exit.
* A replaced file keeps its permission bits; a new file gets ``rw-r--r--``.

Every failure is a :class:`FileError`: an ``OSError`` whose ``str()`` is one line that names
the file and says what is wrong.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["FileError", "AtomicWriter", "PART_SUFFIX", "atomic_write", "describe_write_error", "partial_name_pattern",
           "read_file", "remove_stale_partials", "resolve_target", "write_file"]

PART_SUFFIX = ".part"
#: File-name limit assumed where the file system does not say (bytes; Linux, macOS, Windows).
NAME_MAX = 255
#: Decimal digits a process id may take in a temporary name (pid_max is at most 2**22 on Linux).
_PID_DIGITS = 10
#: Random characters :func:`tempfile.mkstemp` puts between prefix and suffix.
_RANDOM_CHARS = 8
_HASH_CHARS = 16
#: Links followed from one name before calling it a loop (as the kernel's MAXSYMLINKS).
_MAX_LINKS = 40

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class FileError(OSError):
    """A file cannot be read or written; ``str(err)`` is one line naming the file.

    ``errno`` is the underlying error's number when there is one (else None)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(code, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _kind(mode: int) -> str:
    """What a non-regular file is, in words ("a named pipe")."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "not a regular file"


def _display(path: os.PathLike | str) -> str:
    """The name a message shows: the file's own name (the full path when it has none)."""
    text = os.fspath(path)
    return os.path.basename(text.rstrip(os.sep)) or text


def _reason(err: OSError) -> str:
    """An OSError's cause in a few words, lower case."""
    code = getattr(err, "errno", None)
    words = {
        errno.ENOENT: "it does not exist",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ELOOP: "too many symbolic links (a link loop)",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.ENAMETOOLONG: "the name is too long",
        errno.EISDIR: "it is a folder",
        errno.ENXIO: "it is not a regular file",
    }.get(code)
    if words:
        return words
    reason = err.strerror or str(err) or type(err).__name__
    return reason[:1].lower() + reason[1:]


# --------------------------------------------------------------------------- reading


def read_file(path: os.PathLike | str, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    ``what`` names the kind of file in messages ("scenario": "p.json is not a regular file
    (a named pipe): a scenario must be a file").

    Raises:
        FileError: the file is missing or unreadable, is not a regular file (a named pipe,
            socket, device or folder: refused without blocking), or is larger than ``limit``.
    """
    name = _display(path)
    try:
        before = os.stat(path)
    except OSError as err:
        raise FileError(f"cannot read {name}: {_reason(err)}", err.errno) from None
    if not stat.S_ISREG(before.st_mode):
        raise FileError(f"{name} is not a regular file ({_kind(before.st_mode)}): a {what} must be a file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise FileError(f"cannot read {name}: {_reason(err)}", err.errno) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # swapped between the stat and the open
            raise FileError(f"{name} is not a regular file ({_kind(opened.st_mode)}): a {what} must be a file")
        if opened.st_size > limit:
            raise _too_large(name, opened.st_size, limit, what)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        if isinstance(err, FileError):
            raise
        raise FileError(f"cannot read {name}: {_reason(err)}", err.errno) from None
    finally:
        os.close(fd)
    if size > limit:  # it grew after the fstat, or reports no size (e.g. in /proc)
        raise _too_large(name, None, limit, what)
    return b"".join(chunks)


def _too_large(name: str, size: int | None, limit: int, what: str) -> FileError:
    told = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
    return FileError(f"{name} is too large ({told}; a {what} may have at most {limit:,})", errno.EFBIG)


# --------------------------------------------------------------------------- where a write goes


def resolve_target(target: os.PathLike | str) -> Path:
    """The file a write of ``target`` really replaces: symbolic links (of the folders and of
    the file itself, a dangling one included) followed; absolute.

    Raises:
        FileError: a link loop, a missing folder, or a file where a folder should be.
    """
    asked = os.path.abspath(os.path.expanduser(os.fspath(target)))
    path = asked
    for _ in range(_MAX_LINKS + 1):
        folder, name = os.path.split(path)
        try:
            folder = os.path.realpath(folder, strict=True)
        except OSError as err:
            raise FileError(_folder_problem(asked, path, folder, err), err.errno) from None
        if not os.path.isdir(folder):
            raise FileError(f"Cannot write to {asked}: {_reason(OSError(errno.ENOTDIR, ''))}", errno.ENOTDIR)
        path = os.path.join(folder, name)
        if not os.path.islink(path):
            return Path(path)
        try:
            path = os.path.join(folder, os.readlink(path))
        except OSError as err:
            raise FileError(f"Cannot write to {asked}: {_reason(err)}", err.errno) from None
    raise FileError(f"Cannot write to {asked}: it is a symbolic link that leads round in a loop", errno.ELOOP)


def _folder_problem(asked: str, path: str, folder: str, err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return f"Cannot write to {asked}: its folder is a symbolic link that leads round in a loop"
    if err.errno == errno.ENOENT:
        via = "" if path == asked else f" (the link leads to {path})"
        return f"Cannot write to {asked}: the folder {folder} does not exist{via}"
    return f"Cannot write to {asked}: {_reason(err)}"


def describe_write_error(err: OSError, path: os.PathLike | str) -> str:
    """One line for an OSError met while writing ``path``, e.g. "Disk full while writing race.mp4 (in /tmp)"."""
    if isinstance(err, FileError):
        return str(err)
    name = os.fspath(path)
    code = getattr(err, "errno", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
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
    if code == errno.ENAMETOOLONG:
        return f"Cannot write to {name}: the file name is too long"
    reason = err.strerror or str(err) or type(err).__name__
    return f"Writing {name} failed: {reason}"


# --------------------------------------------------------------------------- temporary names


def _name_max(folder: os.PathLike | str) -> int:
    """The folder's file-name limit in bytes (:data:`NAME_MAX` where it cannot be asked)."""
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return NAME_MAX
    return limit if isinstance(limit, int) and limit > 0 else NAME_MAX


def _partial_stem(name: str, name_max: int) -> str:
    """The target's name as the temporary name holds it: the name itself when the temporary
    name then fits ``name_max`` bytes, else its start (cut between characters), ``~`` and a
    hash of the whole name. Depends only on the name and the limit, so a later process
    finds the partial files an earlier one left."""
    budget = name_max - len(".") - len(".") - _PID_DIGITS - len(".") - _RANDOM_CHARS - len(PART_SUFFIX)
    raw = os.fsencode(name)
    if len(raw) <= budget:
        return name
    digest = hashlib.sha256(raw).hexdigest()[:_HASH_CHARS]
    head = name
    while head and len(os.fsencode(head)) > budget - 1 - _HASH_CHARS:
        head = head[:-1]
    return f"{head}~{digest}"


def partial_name_pattern(target: os.PathLike | str) -> re.Pattern:
    """Matches the temporary names of writes of ``target`` (a resolved path); group 1 is the
    writing process's id."""
    target = Path(target)
    stem = _partial_stem(target.name, _name_max(target.parent))
    return re.compile(rf"\.{re.escape(stem)}\.(\d{{1,{_PID_DIGITS}}})\.[A-Za-z0-9_]{{{_RANDOM_CHARS}}}"
                      rf"{re.escape(PART_SUFFIX)}")


def _process_running(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie does not; unknown counts as running)."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # another user's process, or a platform that cannot tell: keep its file
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:  # noqa: PTH123 - a kernel interface, not a user's file
            state = fh.read().rpartition(b")")[2].split()[:1]
    except OSError:
        return True
    return state != [b"Z"]


def remove_stale_partials(target: os.PathLike | str) -> list[Path]:
    """Delete the partial files of ``target`` (a resolved path) left by processes that no
    longer run; returns them. Files of live processes, of this process, of other targets and
    anything that is not a regular file are never touched. Never raises."""
    target = Path(target)
    pattern = partial_name_pattern(target)
    removed = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        match = pattern.fullmatch(name)
        if not match or int(match.group(1)) == os.getpid() or _process_running(int(match.group(1))):
            continue
        path = target.parent / name
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(path).st_mode):
                os.unlink(path)
                removed.append(path)
    return removed


# --------------------------------------------------------------------------- writing


#: Temporary files of writes still open in this process, deleted at exit (see the module's doc).
_OPEN_TEMPS: set[str] = set()
_OPEN_TEMPS_LOCK = threading.Lock()


def _track(temp: str | None, open_: bool) -> None:
    if temp is None:
        return
    with _OPEN_TEMPS_LOCK:
        (_OPEN_TEMPS.add if open_ else _OPEN_TEMPS.discard)(temp)


@atexit.register
def _delete_open_temps() -> None:
    with _OPEN_TEMPS_LOCK:
        temps = list(_OPEN_TEMPS)
        _OPEN_TEMPS.clear()
    for temp in temps:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _open_binary(path: str) -> BinaryIO:
    return open(path, "r+b")  # noqa: SIM115 - AtomicWriter closes it


class AtomicWriter:
    """A temporary file that becomes ``target`` on :meth:`commit` and vanishes on :meth:`discard`.

    For writes that span several calls; :func:`atomic_write` is the context-manager form.
    ``stream`` is the binary stream to write to (``opener(temp_path)`` makes it; tests pass
    one that fails). ``target`` is the path asked for, ``destination`` the file really
    replaced (see :func:`resolve_target`), ``temp`` the temporary file's path.

    Raises:
        FileError: from the constructor and :meth:`commit`, with a one-line message.
    """

    def __init__(self, target: os.PathLike | str, opener: Callable[[str], BinaryIO] | None = None) -> None:
        self.target = Path(os.path.abspath(os.path.expanduser(os.fspath(target))))
        self.destination = check_destination(self.target)
        self.stream: BinaryIO | None = None
        self.temp: str | None = None
        folder = self.destination.parent
        remove_stale_partials(self.destination)
        stem = _partial_stem(self.destination.name, _name_max(folder))
        try:
            fd, self.temp = tempfile.mkstemp(prefix=f".{stem}.{os.getpid()}.", suffix=PART_SUFFIX, dir=folder)
        except OSError as err:
            # Creating the file failed: say which folder refuses it.
            denied = err.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
            raise FileError(describe_write_error(err, folder if denied else self.target), err.errno) from None
        os.close(fd)
        _track(self.temp, True)
        try:
            self.stream = (opener or _open_binary)(self.temp)
        except OSError as err:
            self.discard()
            raise self.error_for(err) from None

    def error_for(self, err: OSError) -> FileError:
        """``err``, met while writing, as a FileError naming the target."""
        return err if isinstance(err, FileError) else FileError(describe_write_error(err, self.target), err.errno)

    def commit(self) -> Path:
        """Flush, sync and close the stream, then rename the file onto the destination
        (atomically replacing it). Returns ``target``, the path asked for."""
        try:
            self.stream.flush()
            with contextlib.suppress(OSError, AttributeError, ValueError):
                os.fsync(self.stream.fileno())  # a stream without a descriptor (a test's) is not synced
            self.stream.close()
            os.chmod(self.temp, _mode_for(self.destination))
            os.replace(self.temp, self.destination)
        except OSError as err:
            self.discard()
            raise self.error_for(err) from None
        _track(self.temp, False)
        self.temp = None
        return self.target

    def discard(self) -> None:
        """Close and delete the temporary file; never raises (it is the clean-up of a failure)."""
        if self.stream is not None:
            with contextlib.suppress(OSError, ValueError):
                self.stream.close()  # may fail again on a full disk; the file goes anyway
        if self.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temp)
            _track(self.temp, False)
            self.temp = None


def check_destination(target: os.PathLike | str) -> Path:
    """The file a write of ``target`` replaces (see :func:`resolve_target`), checked: not a
    folder or any other non-regular file, a name the folder can hold. Creates nothing.

    Raises:
        FileError: with a one-line message naming ``target``.
    """
    asked = Path(os.path.abspath(os.path.expanduser(os.fspath(target))))
    destination = resolve_target(asked)
    via = "" if destination == asked else f" (the link leads to {destination})"
    limit = _name_max(destination.parent)
    if len(os.fsencode(destination.name)) > limit:
        raise FileError(f"Cannot write to {asked}: the file name is longer than {limit} bytes{via}",
                        errno.ENAMETOOLONG)
    try:
        info = os.stat(destination)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise FileError(f"Cannot write to {asked}: {_reason(err)}{via}", err.errno) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise FileError(f"Cannot write to {asked}: it is a folder{via}", errno.EISDIR)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise FileError(f"Cannot write to {asked}: it is not a regular file ({_kind(info.st_mode)}){via}")
    return destination


def _mode_for(destination: Path) -> int:
    """The permission bits of the file being replaced; ``rw-r--r--`` for a new one."""
    try:
        return stat.S_IMODE(os.stat(destination).st_mode)
    except OSError:
        return 0o644


@contextlib.contextmanager
def atomic_write(target: os.PathLike | str, opener: Callable[[str], BinaryIO] | None = None) -> Iterator[BinaryIO]:
    """Yield a binary stream; on normal exit it becomes ``target``, on any error it vanishes.

    OSErrors become :class:`FileError`; other exceptions pass through after the clean-up.
    """
    file = AtomicWriter(target, opener)
    try:
        yield file.stream
    except OSError as err:
        file.discard()
        raise file.error_for(err) from None
    except BaseException:
        file.discard()
        raise
    file.commit()


def write_file(target: os.PathLike | str, data: bytes) -> Path:
    """Write ``data`` as ``target``, atomically (see :class:`AtomicWriter`); returns ``target``."""
    with atomic_write(target) as stream:
        stream.write(data)
    return Path(os.path.abspath(os.path.expanduser(os.fspath(target))))
