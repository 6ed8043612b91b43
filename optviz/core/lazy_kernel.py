"""A numba kernel built once, on first use: the plumbing shared by the compiled optimizer
update (:mod:`optviz.core.compiled`) and the compiled basin maps
(:mod:`optviz.core.basins_compiled`).

numba is optional and compiling takes seconds, so nothing compiles at import: :meth:`get`
builds on first call (numba's ``cache=True`` makes later runs load it in a fraction of a
second), :meth:`warm_up` does that on a background thread, and :meth:`available`,
:meth:`ready` and :meth:`error` report the state without waiting.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from typing import Any


class LazyKernel:
    """What ``build()`` returns, built once and thread-safely; a failing build (numba missing,
    an LLVM error) is remembered as :meth:`error` and never retried.

    Args:
        build: makes the kernel; may raise anything.
        thread_name: the name of :meth:`warm_up`'s thread.
    """

    def __init__(self, build: Callable[[], Any], thread_name: str) -> None:
        self._build = build
        self._thread_name = thread_name
        self._lock = threading.Lock()
        self.value: Any = None
        self.failure: str | None = None

    def available(self) -> bool:
        """Whether numba is installed and has not failed here (cheap: it does not import it)."""
        try:
            return self.failure is None and importlib.util.find_spec("numba") is not None
        except (ImportError, ValueError):  # e.g. sys.modules["numba"] = None
            return False

    def ready(self) -> bool:
        """Whether the kernel is built (or loaded from cache) and runs without waiting."""
        return self.value is not None

    def error(self) -> str | None:
        """Why the kernel is unavailable (numba missing or compilation failed), else None."""
        return self.failure

    def get(self):
        """The kernel, building it on first call; None, with :meth:`error` saying why, when
        numba is missing or fails."""
        with self._lock:
            if self.value is None and self.failure is None:
                try:
                    self.value = self._build()
                except Exception as exc:  # ImportError, or a numba/LLVM failure on this machine
                    self.failure = f"{type(exc).__name__}: {exc}"
            return self.value

    def warm_up(self) -> threading.Thread:
        """Build (or load) the kernel on a daemon thread; returns the thread."""
        thread = threading.Thread(target=self.get, name=self._thread_name, daemon=True)
        thread.start()
        return thread
