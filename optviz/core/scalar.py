"""Plain-float helpers that the generated numba module compiles.

A rule's scalar ``step`` (:mod:`optviz.core.optimizers`) or a surface's scalar twin
(:mod:`optviz.core.surfaces`) may call a helper of its own module; marking the helper with
:func:`scalar` lists it in :data:`SCALAR_HELPERS`, and the generated module
(:mod:`optviz.core.compiled`) hands every listed helper to numba's ``register_jitable`` before it
compiles anything. Nothing here imports numba: the NumPy paths never need it.
"""

from __future__ import annotations

from collections.abc import Callable

#: The helpers marked with :func:`scalar`, in the order their modules were imported.
SCALAR_HELPERS: list[Callable] = []


def scalar(function: Callable) -> Callable:
    """Mark a plain-float helper that a compiled step or twin calls; returns it unchanged."""
    SCALAR_HELPERS.append(function)
    return function
