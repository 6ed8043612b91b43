"""The scenario is the saved form of a race: it alone makes the race (optviz.export.Race.from_scenario,
no app model involved), and that race is the one the app shows after opening the scenario."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.core.scenario import builtin_scenarios, load_scenario
from optviz.export import Race

SCENARIOS = builtin_scenarios()


@pytest.mark.parametrize("index", range(len(SCENARIOS)), ids=[t.split(" ")[0] for t, _ in SCENARIOS])
def test_a_scenario_makes_the_race_the_app_shows(qapp, index):
    from optviz.app.window.model import RaceModel
    from optviz.app.dialogs.scenarios import apply_scenario

    scenario = load_scenario(SCENARIOS[index][1])
    from_file = Race.from_scenario(scenario, 300)
    model = RaceModel()
    apply_scenario(model, scenario)
    in_app = Race.from_model(model, 300)
    assert [r.title for r in from_file.runs] == [r.title for r in in_app.runs]
    assert [r.color.lower() for r in from_file.runs] == [r.color.lower() for r in in_app.runs]
    assert [(tuple(r.dash), r.marker, r.visible) for r in from_file.runs] == \
        [(tuple(r.dash), r.marker, r.visible) for r in in_app.runs]
    np.testing.assert_array_equal(from_file.lengths, in_app.lengths)
    np.testing.assert_array_equal(from_file.positions, in_app.positions)
    np.testing.assert_array_equal(from_file.status, in_app.status)
    assert from_file.preset == in_app.preset and from_file.log_loss == in_app.log_loss


def test_building_a_race_from_a_scenario_needs_no_app():
    import subprocess
    import sys

    code = ("import sys; from optviz.core.scenario import builtin_scenarios, load_scenario; "
            "from optviz.export import Race; "
            "Race.from_scenario(load_scenario(builtin_scenarios()[0][1]), 20); "
            "print(sorted(m for m in sys.modules if m.startswith('optviz.app')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__('os').environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_optviz_export_scenario_writes_the_scenario_s_race_and_refuses_clashing_options(tmp_path):
    import subprocess
    import sys

    from PIL import Image

    path = SCENARIOS[2][1]
    out = tmp_path / "s.png"
    ok = subprocess.run([sys.executable, "-m", "optviz", "export", "--scenario", str(path), "-o", str(out),
                         "--size", "640x360", "-q"], capture_output=True, text=True, timeout=180)
    assert ok.returncode == 0, ok.stderr
    with Image.open(out) as im:
        assert im.size == (640, 360)
    clash = subprocess.run([sys.executable, "-m", "optviz", "export", "--scenario", str(path), "--optimizers", "gd",
                            "-o", str(tmp_path / "t.png")], capture_output=True, text=True, timeout=180)
    assert clash.returncode == 2 and "leave out --optimizers" in clash.stderr and "Traceback" not in clash.stderr
    assert not (tmp_path / "t.png").exists()


def test_a_scenario_s_race_is_titled_by_the_scenario():
    from optviz.export.race import first_sentence

    race = Race.from_scenario(load_scenario(SCENARIOS[2][1]), 10)
    assert race.shown_title == load_scenario(SCENARIOS[2][1]).title
    assert race.shown_caption.endswith(".") and "\n" not in race.shown_caption
    assert first_sentence("One. Two.") == "One." and first_sentence("α < 2/κ = 0.08. Next") == "α < 2/κ = 0.08."
    assert first_sentence("No end") == "No end" and first_sentence("") == ""
