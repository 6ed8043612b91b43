"""Bad command-line input of every kind: one line on stderr, exit code 2, no traceback, no file
(issue 11, item 4); the limits are those of scenario files (optviz.core.limits)."""

import subprocess
import sys

import numpy as np
import pytest

from optviz import cli
from optviz.core import limits
from optviz.core.scenario import ScenarioError, parse_scenario
from optviz.core.simulation import History


def run_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "optviz", *args], capture_output=True, text=True, timeout=timeout)


def assert_one_line(proc, code: int, message: str) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert proc.returncode == code, proc.stderr
    assert message in lines[0], lines[0]


THOUSAND = ",".join(["gd"] * 1000)

EXPORT_CASES = [
    (["--seed", "-1"], "--seed must be a whole number in [0, 9223372036854775807], got -1"),
    (["--seed", str(2**63)], "--seed must be a whole number in [0, 9223372036854775807]"),
    (["--seed", "1" * 5000], "--seed"),  # more digits than int() reads
    (["--optimizers", THOUSAND, "--steps", "100000"], "--optimizers has 1,000 entries, at most 16"),
    (["--optimizers", ""], "--optimizers needs at least one name"),
    (["--optimizers", " , "], "--optimizers needs at least one name"),
    (["--optimizers", "gd,,adam"], "--optimizers has an empty name"),
    (["--start", ""], "--start must be two numbers"),
    (["--lr", ""], "--lr must be numbers"),
    (["--preset", ""], "unknown preset ''"),
    (["--start", "1e9,1e9"], "--start (1e+09, 1e+09) is outside the view box"),
    (["--start", "1e400,0"], "--start must be finite"),
    (["--start", "inf,0"], "--start must be finite"),
    (["--start", "nan,nan"], "--start must be finite"),
    (["--start", "1,2,3"], "--start must be two numbers"),
    (["--lr", "nan"], "--lr must be finite"),
    (["--lr", "-inf"], "--lr must be finite"),
    (["--lr", "1e400"], "--lr must be finite"),
    (["--lr", "0"], "--lr: learning rate must be in [1e-05, 10]"),
    (["--lr", "-1e-3"], "--lr: learning rate must be in [1e-05, 10]"),
    (["--steps", "0"], "--steps must be in [1, 100000]"),
    (["--steps", str(10**30)], "--steps must be in [1, 100000]"),
    (["--steps", "-5"], "--steps must be in [1, 100000]"),
    (["--steps", "1e3"], "argument --steps: invalid int value"),
    (["--steps", ""], "argument --steps: invalid int value"),
    (["--steps-per-frame", "0"], "--steps-per-frame must be in [1, 100000]"),
    (["--steps-per-frame", str(10**12)], "--steps-per-frame must be in [1, 100000]"),
    (["--fps", "0"], "--fps must be in [1, 240]"),
    (["--fps", "-30"], "--fps must be in [1, 240]"),
    (["--fps", "100000"], "--fps must be in [1, 240]"),
    (["--size", "0x0"], "--size must be within 64…8192 pixels a side"),
    (["--size", "-5x5"], "--size must be WIDTHxHEIGHT"),
    (["--size", "99999999999999999999x1080"], "--size must be within 64…8192"),
    (["--size", ""], "--size must be WIDTHxHEIGHT"),
    (["--tolerance", "nan"], "--tolerance must be a number >= 0"),
    (["--tolerance", "-1"], "--tolerance must be a number >= 0"),
    (["--tolerance", "inf"], "--tolerance must be a number >= 0"),
    (["--view", ""], "argument --view: invalid choice"),
    (["--bogus"], "unrecognized arguments: --bogus"),
]


@pytest.mark.parametrize("args, message", EXPORT_CASES, ids=[" ".join(a)[:40] for a, _ in EXPORT_CASES])
def test_bad_export_values_give_one_line_and_exit_code_2(tmp_path, args, message):
    proc = run_cli("export", *args, "--out", str(tmp_path / "race.png"))
    assert_one_line(proc, 2, message)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, message", [
    ("a" * 252 + ".png", "the file name is 256 bytes long, at most 255"),
    ("é" * 126 + ".png", "the file name is 256 bytes long, at most 255"),  # bytes, not characters
    ("", "--out must end in"),
])
def test_bad_output_names_give_one_line_and_exit_code_2(tmp_path, name, message):
    proc = run_cli("export", "--out", str(tmp_path / name) if name else "")
    assert_one_line(proc, 2, message)
    assert list(tmp_path.iterdir()) == []


def test_a_too_long_path_gives_one_line(tmp_path):
    deep = "/".join(["d" * 200] * 25) + "/race.png"
    proc = run_cli("export", "--out", str(tmp_path / deep))
    assert_one_line(proc, 2, "--out: the path is too long")


@pytest.mark.parametrize("args, message", [
    (["--start", "1e9,1e9"], "--start (1e+09, 1e+09) is outside the view box"),
    (["--preset", "rosenbrock", "--start", "100,0"], "--start (100, 0) is outside the view box x in [-2, 2]"),
    (["--start", ""], "--start must be two numbers"),
    (["--optimizers", ""], "--optimizers needs at least one name"),
    (["--optimizers", THOUSAND], "--optimizers has 1,000 entries, at most 16"),
    (["--preset", ""], "unknown preset ''"),
    (["--max-steps", ""], "argument --max-steps: invalid int value"),
    (["--max-steps", "-1"], "--max-steps must be in [1, 100000]"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_app_values_give_one_line_and_exit_code_2(args, message):
    proc = run_cli(*args)
    assert_one_line(proc, 2, message)


def test_a_start_the_scenario_loader_refuses_is_refused_by_the_cli_too():
    # The same rule: the narrow valley's view box is [-5, 5]².
    scenario = {"version": 1, "title": "t", "surface": {"preset": "narrow_valley"}, "runs": [{"optimizer": "gd"}]}
    parse_scenario({**scenario, "start": [4.5, -4.5]})
    with pytest.raises(ScenarioError, match="outside the view box"):
        parse_scenario({**scenario, "start": [1e9, 1e9]})
    assert cli.check_start((4.5, -4.5), "narrow_valley") == (4.5, -4.5)
    with pytest.raises(cli.CliError, match="outside the view box"):
        cli.check_start((1e9, 1e9), "narrow_valley")


def test_an_unexpected_failure_is_one_line_and_exit_code_1(tmp_path, monkeypatch, capsys):
    from optviz.export import Race

    def broken(*args, **kwargs):
        raise RuntimeError("something\nunexpected")

    monkeypatch.setattr(Race, "from_model", broken)
    code = cli.main(["export", "--steps", "5", "--out", str(tmp_path / "race.csv")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err == "optviz export: internal error: RuntimeError: something unexpected\n"
    monkeypatch.setattr(Race, "from_model", lambda *a, **k: (_ for _ in ()).throw(MemoryError()))
    assert cli.main(["export", "--steps", "5", "--out", str(tmp_path / "race.csv")]) == 1
    assert capsys.readouterr().err == "optviz export: error: out of memory\n"


def test_the_recording_estimate_matches_the_simulation_history():
    # The budget check's bytes per step, against the arrays a History really allocates
    # (two optimizer buffers, as Adam has: the most of any optimizer).
    for steps, runs, points in ((10, 1, 1), (100, 3, 1), (50, 16, 2)):
        history = History(steps, runs, points, ("p", "r"))
        actual = sum(a.nbytes for a in (history.positions, history.loss, history.grad_norm, history.full_grad,
                                         history.grad, history.lr, history.status, history.minimum,
                                         *history.state.values()))
        assert limits.recording_bytes(steps, runs, points) == actual
    cloud = History(10, 2, 1, (), cloud=100).cloud
    assert limits.recording_bytes(10, 2, 1, 100) - limits.recording_bytes(10, 2, 1) >= cloud.nbytes
    assert np.float32 == cloud.dtype


def test_races_over_the_memory_budget_are_refused():
    # 16 runs × 100,000 steps fit (about 190 MiB); a thousand runs would not.
    assert limits.recording_problem(limits.MAX_STEPS_LIMIT, limits.MAX_RUNS) is None
    problem = limits.recording_problem(100_000, 1000)
    assert problem and "more than the 400 MiB budget" in problem
    args = cli.build_export_parser().parse_args(["--out", "x.csv", "--steps", "100000"])
    args.optimizers = ",".join(["gd"] * 16)
    cli._export_options(args)  # within the limits
    monkey = limits.RECORDING_MEMORY_BUDGET
    try:
        cli.recording_problem.__globals__["RECORDING_MEMORY_BUDGET"] = 2**20
        with pytest.raises(cli.CliError, match="more than the 1 MiB budget"):
            cli._export_options(args)
    finally:
        cli.recording_problem.__globals__["RECORDING_MEMORY_BUDGET"] = monkey
