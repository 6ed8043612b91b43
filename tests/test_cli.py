"""The command line: help, one-line errors with exit code 2, negative pairs, desktop entry."""

import os
import subprocess
import sys

import pytest

from optviz import cli


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "optviz", *args], capture_output=True, text=True, timeout=60,
                          env=env)


def test_help_lists_the_start_options():
    proc = run_cli("--help")
    assert proc.returncode == 0
    for option in ("--preset", "--optimizers", "--start", "examples:"):
        assert option in proc.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--preset", "nope"], "unknown preset 'nope'"),
        (["--optimizers", "gd,lbfgs"], "unknown optimizer 'lbfgs'"),
        (["--start", "1,two"], "--start must be two numbers"),
        (["--start", "nan,1"], "--start must be finite"),
        (["--max-steps", "0"], "--max-steps must be in [1, 100000]"),
        (["--max-steps", "5000000"], "--max-steps must be in [1, 100000]"),
    ],
)
def test_bad_values_give_one_line_and_exit_code_2(args, message):
    proc = run_cli(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr


def test_negative_pairs_are_values_not_options():
    assert cli.glue_negative_values(["--start", "-1.5,2", "--preset", "saddle"]) == [
        "--start=-1.5,2", "--preset", "saddle"]
    args = cli.build_parser().parse_args(cli.glue_negative_values(["--start", "-1.5,-2"]))
    assert cli.parse_pair(args.start, "--start") == (-1.5, -2.0)


def test_install_desktop_writes_entry_and_icon(tmp_path):
    import os

    proc = run_cli("--install-desktop", env={**os.environ, "XDG_DATA_HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    entry = (tmp_path / "applications" / "optviz.desktop").read_text()
    assert "Exec=optviz" in entry and "Icon=optviz" in entry
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "optviz.svg").stat().st_size > 0


def test_resources_ship_with_the_installed_package():
    from optviz.paths import resources_dir

    import optviz

    for name in ("optviz.desktop", "learning_rates.json", "icons/optviz.svg", "icons/optviz-256.png"):
        assert (resources_dir() / name).is_file(), name
    if os.environ.get("OPTVIZ_INSTALLED_TEST"):  # CI: the wheel, not the checkout, is under test
        assert "site-packages" in optviz.__file__
        assert resources_dir().parent.name == "optviz"


