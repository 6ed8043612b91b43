"""Every file optviz reads and writes goes through one reader and one atomic writer
(optviz.core.files): what is not a regular file is refused without blocking, sizes are bounded,
a legal file name can always be written, partial files of killed writers are cleaned up,
and symbolic links are written through.

A named pipe blocks whoever opens it for reading until a writer comes. Every test that opens
one runs under :func:`unblocked`: after a few seconds it opens the pipe's write end, which
releases a blocked reader, and records that the reader hung, so a regression fails the test
instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest

from optviz.core.scenario import MAX_FILE_BYTES, ScenarioError, builtin_scenarios, load_scenario, save_scenario

HANG_SECONDS = 5.0


@contextlib.contextmanager
def unblocked(fifo: Path, after: float = HANG_SECONDS):
    """Yields a list that gets an entry if the code inside was still blocked on ``fifo``
    after ``after`` seconds; the pipe is then released (its write end opened and closed)."""
    hung: list[bool] = []
    done = threading.Event()

    def watch():
        if done.wait(after):
            return
        hung.append(True)
        while not done.is_set():
            with contextlib.suppress(OSError):  # ENXIO: nobody is reading right now
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield hung
    finally:
        done.set()
        watcher.join()


def make_socket(path: Path) -> socket.socket:
    """A Unix socket file at ``path`` (bound from its folder: socket paths are short)."""
    sock = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        sock.bind(path.name)
    finally:
        os.chdir(here)
    return sock


def scenario_text() -> str:
    return builtin_scenarios()[0][1].read_text(encoding="utf-8")


# --------------------------------------------------------------------------- reading


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    from optviz.core.files import FileError, read_file

    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    for read in (lambda: read_file(fifo, 1000, "scenario"), lambda: load_scenario(fifo)):
        with unblocked(fifo) as hung, pytest.raises((FileError, ScenarioError)) as err:
            read()
        assert not hung, "opening the named pipe blocked"
        assert str(err.value) == "p.json is not a regular file (a named pipe): a scenario must be a file"


def test_a_socket_a_device_and_a_folder_are_refused(tmp_path):
    from optviz.core.files import FileError, read_file

    sock = make_socket(tmp_path / "s.json")
    try:
        with pytest.raises(ScenarioError) as err:
            load_scenario(tmp_path / "s.json")
        assert str(err.value) == "s.json is not a regular file (a socket): a scenario must be a file"
    finally:
        sock.close()
    if stat.S_ISCHR(os.stat("/dev/zero").st_mode):
        with pytest.raises(FileError, match=r"^zero is not a regular file \(a character device\): a scenario must"):
            read_file("/dev/zero", 1000, "scenario")
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(ScenarioError, match=r"^folder.json is not a regular file \(a folder\)"):
        load_scenario(tmp_path / "folder.json")


def test_a_file_swapped_for_a_pipe_after_the_check_is_refused_without_blocking(tmp_path, monkeypatch):
    """The path is checked, then (as an attacker could) replaced by a named pipe, then opened."""
    from optviz.core import files
    from optviz.core.files import FileError, read_file

    fifo, regular = tmp_path / "p.json", tmp_path / "ok.json"
    os.mkfifo(fifo)
    regular.write_text(scenario_text(), encoding="utf-8")
    real_stat = os.stat
    monkeypatch.setattr(files.os, "stat", lambda path, *a, **k: real_stat(regular if Path(path) == fifo else path,
                                                                              *a, **k))
    with unblocked(fifo) as hung, pytest.raises(FileError) as err:
        read_file(fifo, MAX_FILE_BYTES, "scenario")
    assert not hung, "opening the named pipe blocked"
    assert str(err.value) == "p.json is not a regular file (a named pipe): a scenario must be a file"


def test_sizes_are_bounded_and_both_are_told(tmp_path):
    from optviz.core.files import FileError, read_file

    path = tmp_path / "big.json"
    path.write_bytes(b" " * 1001)
    with pytest.raises(FileError) as err:
        read_file(path, 1000, "scenario")
    assert str(err.value) == "big.json is too large (1,001 bytes; a scenario may have at most 1,000)"
    path.write_bytes(b" " * 1000)
    assert read_file(path, 1000) == b" " * 1000
    # A file that does not tell its size (the kernel's) is still read only up to the limit + 1.
    status = Path("/proc/self/status")
    if status.exists() and os.stat(status).st_size == 0:
        with pytest.raises(FileError, match=r"^status is too large \(more than 10 bytes; a file may have at most 10\)"):
            read_file(status, 10)
    big = tmp_path / "huge.json"
    with open(big, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ScenarioError, match=r"^huge.json is too large \(1,000,001 bytes; a scenario may have at most "
                                            r"1,000,000\)$"):
        load_scenario(big)


def test_missing_and_unreadable_files_are_named(tmp_path):
    with pytest.raises(ScenarioError, match=r"^cannot read missing.json: it does not exist$"):
        load_scenario(tmp_path / "missing.json")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ScenarioError, match=r"^cannot read x.json: a part of the path is a file, not a folder$"):
        load_scenario(tmp_path / "file" / "x.json")
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    with pytest.raises(ScenarioError, match=r"^cannot read loop.json: too many symbolic links \(a link loop\)$"):
        load_scenario(loop)


def test_a_link_to_a_scenario_is_read_and_the_shipped_files_still_are(tmp_path):
    (tmp_path / "real.json").write_text(scenario_text(), encoding="utf-8")
    (tmp_path / "link.json").symlink_to("real.json")
    assert load_scenario(tmp_path / "link.json") == load_scenario(builtin_scenarios()[0][1])
    titles = [title for title, _ in builtin_scenarios()]
    assert all(title == json.loads(path.read_text(encoding="utf-8"))["title"]
               for title, path in zip(titles, (p for _, p in builtin_scenarios()), strict=True))
    from optviz.core.recommended import _table
    from optviz.paths import resource

    assert _table() == json.loads(resource("learning_rates.json").read_text()) != {}


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from optviz.app.window.main_window import MainWindow

    w = MainWindow(preset="narrow_valley", restore=False, enable_3d=False,
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w._errors = []
    monkeypatch.setattr(w.scenarios, "show_error", lambda title, text: w._errors.append((title, text)))
    return w


def test_file_open_in_the_app_refuses_a_pipe_and_a_socket_without_blocking(window, tmp_path):
    from optviz.app.window.saved_form import model_to_scenario

    before = model_to_scenario(window.model, "t")
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    with unblocked(fifo) as hung:
        opened = window.scenarios.open_file(str(fifo))
    assert not hung, "File → Open blocked on the named pipe"
    assert not opened
    assert window._errors[-1] == ("Cannot open the scenario",
                                  "p.json is not a regular file (a named pipe): a scenario must be a file")
    sock = make_socket(tmp_path / "s.json")
    try:
        assert not window.scenarios.open_file(str(tmp_path / "s.json"))
    finally:
        sock.close()
    assert window._errors[-1] == ("Cannot open the scenario",
                                  "s.json is not a regular file (a socket): a scenario must be a file")
    assert model_to_scenario(window.model, "t") == before


# --------------------------------------------------------------------------- temporary names


def long_name(suffix: str, char: str, size: int = 255) -> str:
    """A file name of exactly ``size`` bytes in UTF-8 made of ``char`` (1 to 4 bytes each)."""
    fill = size - len(suffix.encode())
    count = fill // len(char.encode())
    return char * count + "x" * (fill - count * len(char.encode())) + suffix


def _scenario():
    return load_scenario(builtin_scenarios()[0][1])


@pytest.fixture(scope="module")
def race():
    from optviz.app.window.model import RaceModel
    from optviz.export import Race

    return Race.from_model(RaceModel("rosenbrock", optimizers=("gd", "adam"), start=(-1.5, 2.0)), 40)


def _writers(race):
    """Every kind of file the app writes, as (suffix, write(path))."""
    from optviz.export import AnimationSettings, FrameSpec, export_animation, export_image, export_trajectories

    small = AnimationSettings(FrameSpec("contour", 160, 90), fps=10)
    return {
        ".json": lambda out: save_scenario(_scenario(), out),
        ".csv": lambda out: export_trajectories(race, out),
        ".npz": lambda out: export_trajectories(race, out),
        ".png": lambda out: export_image(race, out, FrameSpec("contour", 160, 90)),
        ".gif": lambda out: export_animation(race, out, small),
        ".mp4": lambda out: export_animation(race, out, small),
    }


@pytest.mark.parametrize("char", ["r", "é", "模", "🙂"])
@pytest.mark.parametrize("suffix", [".json", ".csv", ".npz", ".png", ".gif", ".mp4"])
def test_a_255_byte_name_is_saved_and_exported(qapp, tmp_path, race, monkeypatch, suffix, char):
    name = long_name(suffix, char)
    assert len(name.encode()) == 255
    temps = []
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        fd, temp = real(*args, **kwargs)
        temps.append(temp)
        return fd, temp

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    _writers(race)[suffix](tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert (tmp_path / name).stat().st_size > 0
    temp = os.path.basename(temps[0])
    assert len(temp.encode()) <= 255 and temp.startswith("." + name[:50]) and temp.endswith(".part")


def test_a_name_longer_than_the_folder_allows_gets_one_line(tmp_path):
    name = long_name(".json", "r", 256)
    with pytest.raises(OSError) as err:
        save_scenario(_scenario(), tmp_path / name)
    assert str(err.value) == f"Cannot write to {tmp_path / name}: the file name is longer than 255 bytes"
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- partial files

_WRITER = textwrap.dedent("""
    import sys, time
    from optviz.core.files import AtomicWriter
    writer = AtomicWriter(sys.argv[1])
    writer.stream.write(b"half a file")
    writer.stream.flush()
    print(writer.temp, flush=True)
    time.sleep(120)
""")


@contextlib.contextmanager
def writer_process(target: Path):
    """A process that is writing ``target`` (its partial file exists) until it is killed;
    yields (process, partial file)."""
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        temp = Path(proc.stdout.readline().strip())
        assert temp.exists() and temp.parent == target.parent
        yield proc, temp
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("suffix", [".json", ".csv", ".png"])
@pytest.mark.parametrize("length", ["short", "255 bytes"])
def test_a_write_deletes_what_a_killed_writer_of_its_target_left_and_nothing_else(qapp, tmp_path, race, suffix,
                                                                                    length):
    name = f"race{suffix}" if length == "short" else long_name(suffix, "é")
    target = tmp_path / name
    with writer_process(target) as (proc, left):
        proc.kill()
        proc.wait()
    assert left.exists()
    dead = proc.pid
    # Names like the leftover's that are not a partial file of this target, or not a file.
    head, _, _ = left.name.rsplit(".", 2)  # ".<name>.<pid>"
    decoys = [n for n in (f"{name}.part", f".{name}.part", f".{name}.{dead}.abcdefgh.part.old",
                          f".{name}.{dead}.abc.part", f"{left.name}x", f"x{left.name}", f"{head}x.abcdefgh.part")
              if len(n.encode()) <= 255]
    for decoy in decoys:
        (tmp_path / decoy).write_text("keep me")
    (tmp_path / f"{head}.folder00.part").mkdir()
    (tmp_path / "kept.txt").write_text("keep me")
    (tmp_path / f"{head}.linklink.part").symlink_to("kept.txt")
    with writer_process(target) as (zombie, zombie_left):
        zombie.kill()  # not yet waited for: a zombie, which os.kill(pid, 0) still finds
        time.sleep(0.2)
        with writer_process(target) as (_, live), writer_process(tmp_path / f"other{suffix}") as (other, others):
            other.kill()
            other.wait()
            _writers(race)[suffix](target)
            assert not left.exists() and not zombie_left.exists()
            assert live.exists(), "the partial file of a writer still running was deleted"
            assert others.exists(), "a partial file of another target was deleted"
            assert all((tmp_path / d).read_text() == "keep me" for d in decoys)
            assert (tmp_path / f"{head}.folder00.part").is_dir() and (tmp_path / f"{head}.linklink.part").is_symlink()
            assert target.stat().st_size > 0


def _long_export(out: Path) -> subprocess.Popen:
    """An MP4 export that runs long enough to be stopped midway (GD crawling along Rosenbrock's valley)."""
    return subprocess.Popen([sys.executable, "-m", "optviz", "export", "--preset", "rosenbrock", "--optimizers", "gd",
                             "--lr", "1e-4", "--steps", "20000", "--size", "640x360", "--quiet", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_partial(folder: Path, proc) -> list[Path]:
    deadline = time.time() + 90
    while time.time() < deadline and proc.poll() is None:
        found = [p for p in folder.iterdir() if p.name.endswith(".part")]
        if found:
            time.sleep(0.5)  # a few frames in
            return found
        time.sleep(0.05)
    pytest.fail(f"the export never started writing: {proc.stderr.read() if proc.poll() is not None else ''}")


def test_a_sigkilled_export_is_cleaned_up_by_the_next_export_of_its_target(tmp_path):
    out = tmp_path / "x.mp4"
    proc = _long_export(out)
    try:
        left = _wait_for_partial(tmp_path, proc)
        proc.kill()
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert all(p.exists() for p in left)  # SIGKILL cannot be caught: the file stays, for now
    done = subprocess.run([sys.executable, "-m", "optviz", "export", "--preset", "rosenbrock", "--steps", "30",
                           "--size", "320x180", "--quiet", "--out", str(out)], capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]


@pytest.mark.parametrize("name", ["SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGTERM"])
def test_a_stop_signal_deletes_the_partial_file_and_exits_128_plus_n(tmp_path, name):
    signum = getattr(signal, name, None)
    if signum is None:
        pytest.skip(f"no {name} here")
    proc = _long_export(tmp_path / "long.mp4")
    try:
        _wait_for_partial(tmp_path, proc)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1] == f"optviz export: stopped by {name}; no file was written"
    assert list(tmp_path.iterdir()) == []


def test_an_ignored_signal_stays_ignored(tmp_path):
    """Under nohup SIGHUP is ignored: the export must not turn it into a stop."""
    out = tmp_path / "long.mp4"
    proc = subprocess.Popen([sys.executable, "-c", "import signal, sys; signal.signal(signal.SIGHUP, signal.SIG_IGN); "
                             "from optviz.cli import main; sys.exit(main(sys.argv[1:]))", "export",
                             "--preset", "rosenbrock", "--optimizers", "gd", "--lr", "1e-4", "--steps", "20000",
                             "--size", "640x360", "--quiet", "--out", str(out)], stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_partial(tmp_path, proc)
        proc.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        assert proc.poll() is None, "SIGHUP stopped an export that ignores it"
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM and list(tmp_path.iterdir()) == []



def test_a_stop_signal_cancels_a_running_animation_job_instead_of_raising_inside_it():
    """The handler runs between any two bytecodes of the main thread, also inside the encoder's
    C extensions' callbacks: an exception raised there once came out as a SystemError ("bad
    argument to internal function") and the export failed with exit 1 instead of 128 + n. With
    a job running, a stop only cancels it; the job stops at its next frame."""
    from optviz.cli import _Stopped, _StopSignals

    class Job:
        cancels = 0

        def cancel(self):
            self.cancels += 1

    job = Job()
    before = signal.getsignal(signal.SIGUSR1)
    with _StopSignals() as stops:
        stops.job = job
        os.kill(os.getpid(), signal.SIGUSR1)
        for _ in range(1000):  # the handler runs at the next bytecode boundary
            pass
        os.kill(os.getpid(), signal.SIGUSR2)  # a second signal is not acted on again
        for _ in range(1000):
            pass
    assert job.cancels == 1 and stops.signum == signal.SIGUSR1
    assert signal.getsignal(signal.SIGUSR1) == before
    with pytest.raises(_Stopped) as stopped, _StopSignals():  # no job yet: the stop unwinds the export
        os.kill(os.getpid(), signal.SIGUSR1)
        for _ in range(1000):
            pass
    assert stopped.value.signum == signal.SIGUSR1

# --------------------------------------------------------------------------- symbolic links


@pytest.mark.parametrize("suffix", [".json", ".csv", ".png"])
def test_writing_onto_a_link_writes_through_to_the_file_it_points_to(qapp, tmp_path, race, suffix, monkeypatch):
    here, there = tmp_path / "slides", tmp_path / "store"
    here.mkdir()
    there.mkdir()
    real = there / f"race{suffix}"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = here / f"race{suffix}"
    link.symlink_to(os.path.relpath(real, here))
    temps = []
    made = tempfile.mkstemp
    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: temps.append(k["dir"]) or made(*a, **k))
    _writers(race)[suffix](link)
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(real, here)
    assert real.read_bytes() != b"old" and real.stat().st_size > 10
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # a replaced file keeps its permissions
    assert temps == [there], "the temporary file belongs in the folder of the file the link points to"
    assert sorted(p.name for p in here.iterdir()) == [link.name]
    assert sorted(p.name for p in there.iterdir()) == [real.name]


def test_a_dangling_link_creates_its_file_a_chain_is_followed_and_a_loop_is_refused(tmp_path):
    from optviz.core.files import write_file

    dangling = tmp_path / "new.json"
    dangling.symlink_to("made/by/link.json")
    with pytest.raises(OSError) as err:
        save_scenario(_scenario(), dangling)
    assert str(err.value) == (f"Cannot write to {dangling}: the folder {tmp_path / 'made' / 'by'} does not exist "
                              f"(the link leads to {tmp_path / 'made' / 'by' / 'link.json'})")
    (tmp_path / "made" / "by").mkdir(parents=True)
    save_scenario(_scenario(), dangling)
    assert dangling.is_symlink() and load_scenario(tmp_path / "made" / "by" / "link.json") == _scenario()
    assert stat.S_IMODE((tmp_path / "made" / "by" / "link.json").stat().st_mode) == 0o644
    # A link to a link to a file.
    (tmp_path / "second.json").symlink_to("new.json")
    write_file(tmp_path / "second.json", b"{}")
    assert (tmp_path / "made" / "by" / "link.json").read_bytes() == b"{}"
    assert (tmp_path / "second.json").is_symlink() and dangling.is_symlink()
    # Loops: a link to itself, two links to each other, a folder that is a loop.
    (tmp_path / "self.json").symlink_to("self.json")
    (tmp_path / "a.json").symlink_to("b.json")
    (tmp_path / "b.json").symlink_to("a.json")
    (tmp_path / "loop").symlink_to("loop")
    for path in ("self.json", "a.json"):
        with pytest.raises(OSError) as err:
            save_scenario(_scenario(), tmp_path / path)
        assert str(err.value) == f"Cannot write to {tmp_path / path}: it is a symbolic link that leads round in a loop"
    with pytest.raises(OSError) as err:
        write_file(tmp_path / "loop" / "x.csv", b"")
    assert str(err.value) == (f"Cannot write to {tmp_path / 'loop' / 'x.csv'}: its folder is a symbolic link that "
                              "leads round in a loop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json", "loop", "made", "new.json",
                                                          "second.json", "self.json"]


def test_an_export_onto_a_link_loop_or_a_pipe_says_so(qapp, tmp_path, race):
    from optviz.export import ExportError, export_trajectories

    (tmp_path / "loop.csv").symlink_to("loop.csv")
    with pytest.raises(ExportError, match="it is a symbolic link that leads round in a loop"):
        export_trajectories(race, tmp_path / "loop.csv")
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(ExportError, match=r"it is not a regular file \(a named pipe\)$"):
        export_trajectories(race, tmp_path / "pipe.csv")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe.csv").st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop.csv", "pipe.csv"]


def test_atomic_write_commits_only_on_success(tmp_path):
    from optviz.core.files import atomic_write

    out = tmp_path / "data.bin"
    with atomic_write(out) as stream:
        stream.write(b"complete")
    assert out.read_bytes() == b"complete" and stat.S_IMODE(out.stat().st_mode) == 0o644
    with pytest.raises(RuntimeError), atomic_write(out) as stream:
        stream.write(b"half")
        raise RuntimeError("boom")
    assert out.read_bytes() == b"complete" and [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_a_write_still_open_at_a_normal_exit_leaves_no_partial_file(tmp_path):
    """The app may quit while an export's worker is still writing (nobody waits for it): the
    writer's temporary file is deleted at exit."""
    script = textwrap.dedent(
        """
        import sys, threading, time
        from optviz.core.files import AtomicWriter
        started = threading.Event()
        def write():
            w = AtomicWriter(sys.argv[1])
            w.stream.write(b"x" * 100000)
            started.set()
            time.sleep(60)  # still writing when the process exits
        threading.Thread(target=write, daemon=True).start()
        started.wait(10)
        print("exiting", flush=True)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "movie.mp4")], capture_output=True,
                          text=True, timeout=60, cwd=str(Path(__file__).resolve().parents[1]))
    assert proc.returncode == 0 and "exiting" in proc.stdout, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
