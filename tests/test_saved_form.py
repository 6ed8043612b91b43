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
    from optviz.app.model import RaceModel
    from optviz.app.scenarios import apply_scenario

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
