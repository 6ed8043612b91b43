"""Every optimizer's definition is complete, and every layer reads it: a half-added optimizer
fails here with a sentence saying what it lacks, not somewhere else with nothing on screen.

The numbers of each rule are checked against independent references in test_optimizers.py
(one row per optimizer); here the pieces and their wiring.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from optviz.core import compiled
from optviz.core.optimizers import OPTIMIZERS, RULES, Explained, rule_of
from optviz.core.optimizers.base import definition_problems
from optviz.core.optimizers.sgd import RULE as SGD
from optviz.core.recommended import recommended_learning_rate


@pytest.mark.parametrize("key", RULES)
def test_every_rule_is_completely_defined(key):
    assert definition_problems(RULES[key]) == []


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_every_race_entry_names_a_registered_rule_with_its_look(key):
    entry = OPTIMIZERS[key]
    assert entry.rule is RULES[entry.rule.key] and entry.hyperparameters == entry.rule.names
    assert entry.color and entry.marker
    assert compiled.kind(entry.rule.key) == list(RULES).index(entry.rule.key)


def test_the_compiled_dispatch_has_one_branch_per_rule_and_raises_otherwise():
    source = compiled.dispatch_source()
    for i, key in enumerate(RULES):
        assert f"_RULES[{key!r}].step" in source and f"kind == {i}:" in source
    assert source.count('raise ValueError("unknown optimizer kind")') == 2
    assert f"kind == {len(RULES)}:" not in source


def _stub(**changes):
    """SGD's rule under another name, with ``changes``: a half-written definition."""
    return dataclasses.replace(SGD, key="lion", title="Lion", **changes)


@pytest.mark.parametrize("changes, problem", [
    ({"rows": lambda u, x, h, alpha, g: []}, "rows() must give (formula, value, note) rows"),
    ({"rows": lambda u, x, h, alpha, g: [("p = g", "(1, 2)", "")]}, "rows() must end in the step ΔW"),
    ({"explain": lambda u: None}, "explain() must return an Explained"),
    ({"step": lambda g, w, c, q, t: g * -q[0] * 1.0000001}, "step() and kernel() differ"),
    ({"step": lambda g, w, c, q, t: (g, 0.0)}, "step() must return the step and every buffer"),
    ({"kernel": lambda g, w, bufs, c, q, t: g.__imul__(q[0]), "step": lambda g, w, c, q, t: g * q[0]},
     "does not go down the bowl"),
    ({"hyper": (dataclasses.replace(SGD.hyper[0], tooltip=""),)}, "'learning_rate' has no tooltip"),
    ({"torch": ""}, "no title or torch equivalent"),
])
def test_a_stub_rule_is_told_what_it_lacks(changes, problem):
    problems = definition_problems(_stub(**changes))
    assert any(problem in p for p in problems), problems


def test_a_rule_with_a_moment_must_explain_it():
    from optviz.core.optimizers.adam import RULE as ADAM

    problems = definition_problems(dataclasses.replace(ADAM, explain=lambda u: Explained()))
    assert any("no direction although 'p' is a first moment" in p for p in problems), problems
    assert any("no per-axis step size although 'r' is a second moment" in p for p in problems), problems


def test_an_unregistered_rule_has_no_compiled_kernel_and_says_so():
    with pytest.raises(ValueError, match="no compiled kernel for the update rule 'lion'"):
        compiled.kind("lion")


@pytest.mark.parametrize("key", ["adamw", "amsgrad", "nadam"])
def test_the_new_optimizers_have_tabled_rates_or_fall_back_to_the_default(key):
    rate = recommended_learning_rate("rosenbrock", key)
    assert rate is None or 0 < rate <= 10
    assert OPTIMIZERS[key].defaults["learning_rate"] > 0


# --------------------------------------------------------------------------- the app reads them


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_every_optimizer_gets_its_sliders_rows_and_overlays(qapp, key):
    from optviz.app.panels.equations import rows, update_numbers
    from optviz.app.panels.run_editor import hyper_info, hyper_names
    from optviz.core.visual_aids import head_glyphs
    from optviz.core import RunSpec, Simulation, get_surface

    rule = rule_of(key)
    assert hyper_names(key) == list(rule.names)
    for name in rule.names:
        label, tip, scale, lo, hi = hyper_info(key, name)
        assert label and tip and scale in ("log", "linear") and lo < hi
    surface = get_surface("rosenbrock")
    sim = Simulation(surface, [RunSpec(key, {"learning_rate": 1e-3})], surface.start, max_steps=20, backend="numpy")
    sim.step(5)
    body = rows(update_numbers(sim, 0))
    assert body[0][0].startswith("g<sub>5</sub>") and "ΔW" in body[-1][0]
    glyphs = head_glyphs(sim, 0, surface.view, reference=1.0)
    kinds = {b.role for b in rule.buffers}
    assert (glyphs.momentum_label != "" or glyphs.momentum_vanished) == bool(kinds & {"velocity", "first moment"})
    assert (glyphs.step_size is not None) == bool(kinds & {"second moment", "sum of squares", "max second moment"})


def test_a_stub_rule_in_the_registry_shows_a_message_not_an_empty_panel(qapp, monkeypatch):
    from optviz.app.panels.equations import rows, update_numbers
    from optviz.core import RunSpec, Simulation, get_surface
    from optviz.core.optimizers import base

    stub = _stub(rows=lambda u, x, h, alpha, g: [])
    entry = base.spec(stub, lambda **kw: stub.transformation(**kw), look=("#000000", "o", "solid"),
                      learning_rate=0.01)
    monkeypatch.setitem(OPTIMIZERS, "lion", entry)
    surface = get_surface("bowl")
    sim = Simulation(surface, [RunSpec("lion")], surface.start, max_steps=5, backend="numpy")
    sim.step(2)
    body = rows(update_numbers(sim, 0))
    assert any("Lion defines no update-rule rows" in formula for formula, _, _ in body)
