"""Plain Python objects with change events (no Qt): what the app's models are made of.

Widgets bind both ways (napari's layer controls): they set attributes (``run.learning_rate =
0.1``) and listen to ``events`` to update themselves, with their signals blocked while they do.
"""

from __future__ import annotations

import inspect
import weakref
from collections import defaultdict
from collections.abc import Callable
from typing import Any


class Connection:
    """One callback connected to one event; :meth:`disconnect` removes it (idempotent)."""

    __slots__ = ("_events", "name", "_ref", "_strong", "__weakref__")

    def __init__(self, events: Events, name: str, callback: Callable[[Any], None]) -> None:
        self._events, self.name = events, name
        # A bound method is held weakly (its object's lifetime is its owner's business);
        # a function or lambda strongly (nothing else would keep it).
        if inspect.ismethod(callback):
            self._ref, self._strong = weakref.WeakMethod(callback), None
        else:
            self._ref, self._strong = None, callback

    def callback(self) -> Callable[[Any], None] | None:
        return self._strong if self._ref is None else self._ref()

    def disconnect(self) -> None:
        self._events._drop(self)


class Events:
    """Named events of an :class:`Observable`: ``events.connect("learning_rate", fn)`` calls
    ``fn(value)`` on each change (``"*"``: every event, as ``fn((name, value))``).

    Like napari's EventedModel, and unlike a plain list of callbacks:

    * only the model's own event names may be connected (a typo raises ValueError at once);
    * bound methods are held by weak reference: a listener that is gone is dropped, not
      called;
    * ``owner`` ties a connection to a QObject (a widget): when Qt destroys it, every callback
      it connected is disconnected, so no closure keeps calling into a deleted widget;
    * :meth:`connect` returns a :class:`Connection` whose ``disconnect()`` removes it.
    """

    def __init__(self, names: tuple[str, ...] | None = None) -> None:
        self._names = None if names is None else frozenset(names) | {"*"}
        self._callbacks: dict[str, list[Connection]] = defaultdict(list)

    def _check(self, name: str) -> None:
        if self._names is not None and name not in self._names:
            raise ValueError(f"no event {name!r}; the events are: {', '.join(sorted(self._names))}")

    def connect(self, name: str, callback: Callable[[Any], None], *, owner=None) -> Connection:
        self._check(name)
        connection = Connection(self, name, callback)
        self._callbacks[name].append(connection)
        if owner is not None:
            # Qt's destroyed signal: the owner's C++ object is going; the weak reference to the
            # connection lets the owner live or die without the model keeping it.
            ref = weakref.ref(connection)
            owner.destroyed.connect(lambda *_: ref() is not None and ref().disconnect())
        return connection

    def disconnect(self, name: str, callback: Callable[[Any], None]) -> None:
        for connection in list(self._callbacks.get(name, ())):
            if connection.callback() == callback:
                self._drop(connection)

    def _drop(self, connection: Connection) -> None:
        listeners = self._callbacks.get(connection.name)
        if listeners and connection in listeners:
            listeners.remove(connection)

    def listeners(self, name: str) -> int:
        """How many live callbacks ``name`` has (tests)."""
        self._check(name)
        return sum(c.callback() is not None for c in self._callbacks.get(name, ()))

    def emit(self, name: str, value: Any = None) -> None:
        for connection in list(self._callbacks.get(name, ())):
            self._call(connection, value)
        for connection in list(self._callbacks.get("*", ())):
            self._call(connection, (name, value))

    def _call(self, connection: Connection, value: Any) -> None:
        callback = connection.callback()
        if callback is None:  # its object is gone
            self._drop(connection)
        else:
            callback(value)


class Observable:
    """Attributes listed in ``_fields`` emit an event named after them when they change.

    ``_validate_<name>(value)`` may check and normalise a value; it raises ValueError with a
    clear message for bad input, which leaves the old value in place.
    """

    _fields: tuple[str, ...] = ()
    #: Events besides one per field.
    _extra_events: tuple[str, ...] = ()

    def __init__(self) -> None:
        object.__setattr__(self, "events", Events(self._fields + self._extra_events))

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._fields:
            check = getattr(self, f"_validate_{name}", None)
            if check is not None:
                value = check(value)
            old = self.__dict__.get(name, _MISSING)
            object.__setattr__(self, name, value)
            if old is _MISSING or not _same(old, value):
                self.events.emit(name, value)
        else:
            object.__setattr__(self, name, value)


_MISSING = object()


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # e.g. arrays
        return a is b


def in_range(name: str, value: float, low: float, high: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not low <= v <= high:
        raise ValueError(f"{name} must be in [{low:g}, {high:g}], got {v:g}")
    return v




def flag_validator(name: str):
    """A ``_validate_<name>`` for a true/false field (0 and 1 are taken; anything else is refused)."""
    def validate(self, v):
        if isinstance(v, bool) or (isinstance(v, int) and v in (0, 1)):
            return bool(v)
        raise ValueError(f"{name.replace('_', ' ')} must be true or false, got {v!r}")

    return validate
