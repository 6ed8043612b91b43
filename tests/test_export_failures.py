"""Nothing lost, nothing half-written: a cancelled export, an unwritable folder, a full disk
and an encoder error each leave no file (neither the target nor a temporary one) and say
what happened in one line; an existing file of the same name survives a failed export."""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from optviz.app.window.model import RaceModel  # noqa: E402
from optviz.export import (  # noqa: E402
    AnimationJob,
    AnimationSettings,
    ExportCancelled,
    ExportError,
    FrameSpec,
    Race,
    atomic,
    export_animation,
    export_image,
    export_trajectories,
    video,
)
from optviz.export.atomic import atomic_file  # noqa: E402
from optviz.export.job import QUEUE_DEPTH  # noqa: E402

SMALL = AnimationSettings(FrameSpec("contour", 320, 180), fps=30, steps_per_frame=1)


@pytest.fixture(scope="module")
def race() -> Race:
    return Race.from_model(RaceModel("rosenbrock", optimizers=("gd", "adam"), start=(-1.5, 2.0)), 120)


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


EXPORTS = {
    "mp4": lambda race, out: export_animation(race, out, SMALL),
    "gif": lambda race, out: export_animation(race, out, SMALL),
    "png": lambda race, out: export_image(race, out, FrameSpec("contour", 320, 180)),
    "csv": export_trajectories,
    "npz": export_trajectories,
}


# ---------------------------------------------------------------------------------- cancel


@pytest.mark.parametrize("suffix", ["mp4", "gif"])
def test_cancel_stops_within_a_few_frames_and_leaves_no_file(qapp, tmp_path, race, suffix):
    out = tmp_path / f"race.{suffix}"
    seen = []

    def progress(done, total):
        seen.append(done)
        if done == 5:
            job.cancel()
            seen.append(("rendered at cancel", job.rendered))

    job = AnimationJob(race, out, SMALL, progress=progress)
    with pytest.raises(ExportCancelled, match="cancelled"):
        job.run()
    at_cancel = next(v[1] for v in seen if isinstance(v, tuple))
    # The renderer was at most a queue ahead of the encoder, and stopped at the next frame.
    assert job.rendered <= at_cancel + 1 <= 5 + QUEUE_DEPTH + 2
    assert max(v for v in seen if isinstance(v, int)) <= 5 + 1
    assert job.total == 121 and leftovers(tmp_path) == []


def test_cancel_before_start_writes_nothing(qapp, tmp_path, race):
    job = AnimationJob(race, tmp_path / "race.mp4", SMALL)
    job.cancel()
    with pytest.raises(ExportCancelled):
        job.run()
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------------------------- folders


def _make_unwritable(folder) -> bool:
    """chmod works unless we are root; root is stopped by the immutable attribute (ext4 …)."""
    folder.chmod(0o500)
    if not os.access(folder, os.W_OK):
        return True
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        return True
    folder.chmod(0o700)
    return False


def _make_writable(folder) -> None:
    if shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    folder.chmod(0o700)


@pytest.mark.parametrize("suffix", sorted(EXPORTS))
def test_an_unwritable_folder_is_reported_and_left_empty(qapp, tmp_path, race, suffix):
    folder = tmp_path / "locked"
    folder.mkdir()
    if not _make_unwritable(folder):
        pytest.skip("cannot make a folder unwritable here (root without chattr)")
    try:
        with pytest.raises(ExportError) as err:
            EXPORTS[suffix](race, folder / f"race.{suffix}")
        message = str(err.value)
        assert "\n" not in message
        assert f"Cannot write to {folder}" in message
        assert "permission denied" in message or "not permitted" in message or "read-only" in message
    finally:
        _make_writable(folder)
    assert leftovers(folder) == []


def test_a_missing_folder_or_a_folder_as_target_is_reported(qapp, tmp_path, race):
    with pytest.raises(ExportError, match="does not exist"):
        export_animation(race, tmp_path / "nope" / "race.mp4", SMALL)
    (tmp_path / "runs.csv").mkdir()
    with pytest.raises(ExportError, match="it is a folder"):
        export_trajectories(race, tmp_path / "runs.csv")
    assert leftovers(tmp_path) == ["runs.csv"] and not list((tmp_path / "runs.csv").iterdir())


# ---------------------------------------------------------------------------------- full disk


@pytest.mark.parametrize("suffix", sorted(EXPORTS))
def test_a_full_disk_dev_full_leaves_no_file(qapp, tmp_path, race, monkeypatch, suffix):
    """Writes go to /dev/full (every write fails with ENOSPC); the temporary file exists meanwhile."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    temps = []

    def full(path):
        temps.append(path)
        assert os.path.exists(path)  # the temporary file is in the target folder
        return open("/dev/full", "r+b")  # noqa: SIM115

    monkeypatch.setattr(atomic, "_open", full)
    out = tmp_path / f"race.{suffix}"
    with pytest.raises(ExportError) as err:
        EXPORTS[suffix](race, out)
    assert str(err.value).startswith(f"Disk full while writing race.{suffix}")
    assert temps and os.path.dirname(temps[0]) == str(tmp_path)
    assert leftovers(tmp_path) == []


class _FillsUp(io.FileIO):
    """A real file that runs out of space after ``limit`` bytes."""

    limit = 4_000

    def write(self, data):
        if self.tell() + len(data) > self.limit:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


@pytest.mark.parametrize("suffix", ["mp4", "gif", "npz", "csv"])
def test_a_disk_that_fills_up_midway_keeps_the_old_file(qapp, tmp_path, race, monkeypatch, suffix):
    out = tmp_path / f"race.{suffix}"
    out.write_bytes(b"the lecture's old file")
    monkeypatch.setattr(atomic, "_open", lambda path: _FillsUp(path, "r+"))
    with pytest.raises(ExportError, match=f"Disk full while writing race.{suffix}"):
        EXPORTS[suffix](race, out)
    assert leftovers(tmp_path) == [f"race.{suffix}"]
    assert out.read_bytes() == b"the lecture's old file"


# ---------------------------------------------------------------------------------- encoder


def test_an_encoder_error_is_reported_and_leaves_no_file(qapp, tmp_path, race, monkeypatch):
    monkeypatch.setattr(video, "PRESET", "no-such-preset")  # x264 refuses to open
    with pytest.raises(ExportError) as err:
        export_animation(race, tmp_path / "race.mp4", SMALL)
    assert str(err.value).startswith("Video encoder failed")
    assert "\n" not in str(err.value)
    assert leftovers(tmp_path) == []


def test_an_encoder_error_midway_stops_the_renderer(qapp, tmp_path, race, monkeypatch):
    calls = []
    real = video.Mp4Writer.write

    def failing(self, frame):
        calls.append(1)
        if len(calls) == 10:
            raise ExportError("Video encoder failed at frame 10: simulated")
        return real(self, frame)

    monkeypatch.setattr(video.Mp4Writer, "write", failing)
    job = AnimationJob(race, tmp_path / "race.mp4", SMALL)
    with pytest.raises(ExportError, match="frame 10: simulated"):
        job.run()
    assert job.rendered <= 10 + QUEUE_DEPTH + 2
    assert leftovers(tmp_path) == []


def test_atomic_file_commits_only_on_success(tmp_path):
    out = tmp_path / "data.bin"
    with atomic_file(out) as stream:
        stream.write(b"complete")
        assert leftovers(tmp_path) != ["data.bin"]  # still the temporary file
    assert out.read_bytes() == b"complete" and leftovers(tmp_path) == ["data.bin"]
    with pytest.raises(RuntimeError):
        with atomic_file(out) as stream:
            stream.write(b"half")
            raise RuntimeError("boom")
    assert out.read_bytes() == b"complete" and leftovers(tmp_path) == ["data.bin"]
