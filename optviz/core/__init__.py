"""The numeric core of optviz: pure NumPy, no Qt.

Surfaces (:mod:`.surfaces`, :mod:`.datasets`), optimizers (:mod:`.optimizers`),
learning-rate schedules (:mod:`.schedules`), per-sample noise (:mod:`.risk`) and the race
itself (:mod:`.simulation`). Everything here works from a script or a notebook.
"""

from .datasets import DATASET_SURFACES, LinearRegression, LogisticRegression
from .expression import ExpressionError, parse_expression
from .expression_surface import ExpressionSurface, expression_surface
from .geometry import CriticalPoint, ViewBox
from .optimizers import OPTIMIZERS, make_optimizer
from .risk import AnalyticRisk, BatchSampler, EmpiricalRisk
from .scenario import (
    SCENARIO_VERSION,
    Overlays,
    Scenario,
    ScenarioError,
    SurfaceRef,
    ViewSettings,
    builtin_scenarios,
    dump_scenario,
    load_scenario,
    loads_scenario,
    parse_scenario,
    save_scenario,
    scenario_from_race_dict,
)
from .schedules import SCHEDULES, make_schedule
from .run import RunSpec
from .simulation import FINAL, Simulation, Status, Tolerances, describe_status, simulate
from .surface import Category, Family, Surface
from .timeline import RaceFrame, Recording, latest_step, recent_cloud
from .surfaces import SURFACES, get_surface as _get_analytic_surface, surface_keys as _analytic_keys


def surface_keys() -> list[str]:
    """Every surface key: the analytic catalogue, then the dataset losses."""
    return [*_analytic_keys(), *DATASET_SURFACES]


def get_surface(key: str, **params) -> Surface:
    """A surface by key, analytic (``"rosenbrock"``) or dataset loss (``"linreg_mse"``)."""
    if key in DATASET_SURFACES:
        return DATASET_SURFACES[key](**params)
    if key in SURFACES:
        return _get_analytic_surface(key, **params)
    raise ValueError(f"unknown surface {key!r}; choose from: {', '.join(surface_keys())}")


__all__ = [
    "AnalyticRisk", "BatchSampler", "Category", "CriticalPoint", "DATASET_SURFACES", "EmpiricalRisk",
    "FINAL", "Family", "LinearRegression", "LogisticRegression", "OPTIMIZERS", "RunSpec", "SCHEDULES",
    "SURFACES", "Simulation", "Status", "Surface", "Tolerances", "ViewBox", "describe_status",
    "get_surface", "make_optimizer", "make_schedule", "simulate", "surface_keys",
    # custom loss expressions (optviz.core.expression)
    "ExpressionError", "ExpressionSurface", "expression_surface", "parse_expression",
    # scenario files (optviz.core.scenario)
    "SCENARIO_VERSION", "Overlays", "Scenario", "ScenarioError", "SurfaceRef", "ViewSettings",
    "builtin_scenarios", "dump_scenario", "load_scenario", "loads_scenario", "parse_scenario", "save_scenario",
    "scenario_from_race_dict",
    # looking back at a recorded race (optviz.core.timeline)
    "RaceFrame", "Recording", "latest_step", "recent_cloud",
]
