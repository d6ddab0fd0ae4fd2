"""Stand-ins for the other processes of a site: a shared cache, a clock, their reports."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

from maintenance_panel import fleet, state
from maintenance_panel.fleet import writer as fleet_writer


class FakeSharedCache(BaseCache):
    """A cache shared by every "process" of the test (like Redis), that can fail."""

    store = LocMemCache("maintenance-panel-fake-shared", {})
    broken = False
    #: Calls block, as with a server that accepts connections and never answers, until
    #: ``released`` is set (then they fail as a client's socket timeout would).
    hanging = False
    released = threading.Event()
    calls: list[str] = []  # shared by every instance, like the store; reset per test

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        type(self).calls.append(name)
        if type(self).hanging:
            type(self).released.wait(timeout=30)
            raise TimeoutError("Timeout reading from socket (simulated)")
        if type(self).broken:
            raise ConnectionError("connection refused (simulated)")
        return getattr(self.store, name)(*args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def clear(self) -> None:
        self.store.clear()


#: ``CACHES`` with the fake shared cache as "shared" (``MAINTENANCE_MODE_CACHE``).
SHARED = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "tests.fakes.FakeSharedCache"},
}


class Clock:
    """Stands in for ``time.monotonic`` in :mod:`maintenance_panel.state`."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def other_process() -> Iterator[None]:
    """Run the block as another worker process would: with its own snapshot."""
    mine = state._holder
    state._holder = state._Holder()
    try:
        yield
    finally:
        state._holder = mine


def other(host: str = "web-2", pid: int = 4711, **fields: Any) -> dict[str, Any]:
    """What another process stores as its report."""
    return {
        "host": host,
        "pid": pid,
        "token": f"t{pid}",
        "version": "7",
        "active": False,
        "forced": False,
        "seen_at": time.time(),
        "ttl": 1.0,
        **fields,
    }


def free_slots(first: int = 100) -> Iterator[int]:
    """Slots for "other processes": never the one this process reports in (it would
    overwrite them)."""
    return (slot for slot in range(first, fleet.SLOTS) if slot != fleet_writer._writer.slot)


def store(*reports: dict[str, Any], cache_alias: str = "default") -> None:
    """Store the reports of other processes, as they would, in slots that hold none yet
    (one this process has just claimed included)."""
    cache = caches[cache_alias]
    empty = (slot for slot in free_slots() if cache.get(fleet.SLOT_KEY % slot) is None)
    for slot, report in zip(empty, reports, strict=False):
        cache.set(fleet.SLOT_KEY % slot, report, 60)
