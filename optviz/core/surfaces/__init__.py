"""The catalogue of named analytic loss surfaces: one module per surface, and the registry.

Each surface module (``bowl.py``, ``narrow_valley.py`` … ``three_hump_camel.py``) holds the
surface's whole definition side by side: its parameters (computed once by its factory), the
closed-form value and exact gradient vectorized over points, their scalar twins that the
compiled basin kernel runs, and the teaching metadata (view, minima, saddles, start, caption,
default race). :mod:`.base` states the conventions all of them follow.

:data:`DEFINITIONS` lists the surfaces (one line each; the compiled kernel's surface dispatch
is generated from it), :data:`SURFACES` maps each key to its factory, and :func:`get_surface`
builds one by key, passing parameters (e.g. ``get_surface("narrow_valley", condition=50)``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping

from ..surface import Surface
from . import (
    ackley,
    beale,
    booth,
    bowl,
    goldstein_price,
    himmelblau,
    monkey_saddle,
    narrow_valley,
    plateau,
    rastrigin,
    ravine,
    rosenbrock,
    saddle,
    six_hump_camel,
    three_hump_camel,
    two_wells,
)
from .base import AnalyticSurface, SurfaceDefinition

__all__ = ["AnalyticSurface", "DEFINITIONS", "SURFACES", "SurfaceDefinition", "get_surface", "surface_keys",
           "surface_parameters"]

#: The surface definitions by key, teaching surfaces first (one line each); the order is the
#: picker's and the compiled kernel's surface ids.
DEFINITIONS: dict[str, SurfaceDefinition] = {
    module.DEFINITION.key: module.DEFINITION
    for module in (
        bowl,
        narrow_valley,
        ravine,
        saddle,
        monkey_saddle,
        two_wells,
        plateau,
        rosenbrock,
        beale,
        booth,
        himmelblau,
        rastrigin,
        ackley,
        goldstein_price,
        six_hump_camel,
        three_hump_camel,
    )
}

#: The factories by key: ``SURFACES[key](**params)`` builds the surface.
SURFACES: dict[str, Callable[..., Surface]] = {key: d.build for key, d in DEFINITIONS.items()}


def surface_keys() -> list[str]:
    """The registered surface keys, teaching surfaces first."""
    return list(SURFACES)


def surface_parameters(key: str) -> Mapping[str, float]:
    """The parameters the surface ``key`` accepts, with their defaults."""
    factory = _factory(key)
    return {name: p.default for name, p in inspect.signature(factory).parameters.items()}


def get_surface(key: str, **params: float) -> Surface:
    """Build the surface registered as ``key`` with the given parameters.

    Raises:
        ValueError: for an unknown key, an unknown parameter, or a parameter out of range.
    """
    factory = _factory(key)
    accepted = surface_parameters(key)
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ValueError(
            f"surface {key!r} has no parameter {unknown[0]!r}; "
            f"its parameters: {', '.join(accepted) or 'none'}"
        )
    return factory(**params)


def _factory(key: str) -> Callable[..., Surface]:
    try:
        return SURFACES[key]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {key!r}; choose from: {', '.join(SURFACES)}") from None
