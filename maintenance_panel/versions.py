"""The state's version in the shared cache: how one process learns of another's change.

The shared cache (``MAINTENANCE_MODE_CACHE``) holds two kinds of keys: a version
counter, which every committed write increments, and the state's data stored under the
version it was read for. Re-validating a snapshot costs one cache ``get`` of the
counter; only when it moved does a process fetch the data (from the cache, or from the
database when no process has stored it yet). Data is only ever stored under a version
observed *before* the database was read, so a slow reader can never overwrite newer
state with older.

A process-local cache (LocMem, Dummy) cannot tell one worker about another's writes:
:func:`shared_cache` returns None for one, and :mod:`maintenance_panel.state` re-reads the
database instead (check ``maintenance_panel.I001`` says so).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

from maintenance_panel import conf

#: Shared-cache key of the version counter (an integer; never expires).
VERSION_KEY = "maintenance_panel:state:version"
#: Shared-cache key of the data read for one version (``% version``).
DATA_KEY = "maintenance_panel:state:data:%d"
#: Stored data outlives any plausible gap between writes; a reader re-stores it.
DATA_TIMEOUT = 24 * 60 * 60

#: The shared cache may fail with any backend's own exception types (redis, pymemcache,
#: OSError...); what they have in common is that they are not Django's. Callers log a
#: failure (once per episode, see :mod:`maintenance_panel.health`), so it is not hidden.
CACHE_ERRORS: tuple[type[BaseException], ...] = (Exception,)


def shared_cache() -> Any:
    """The shared cache, or None when it is process-local (and so cannot be trusted)."""
    cache = caches[conf.cache_alias()]
    if isinstance(cache, LocMemCache | DummyCache):
        return None
    return cache


def cache_is_shared() -> bool:
    """Whether the configured cache is shared between processes."""
    return shared_cache() is not None


def current_version(shared: Any) -> int:
    """The version counter in ``shared``; started (from the clock) when missing."""
    version = shared.get(VERSION_KEY)
    if version is None:
        # Lost (a flushed or restarted cache) or never set. Start from the clock, so that
        # a restarted counter never meets a version whose data may still be stored.
        shared.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = shared.get(VERSION_KEY)
        if version is None:
            raise LookupError("the shared cache does not keep the version key")
    return int(version)


def bump_version(shared: Any) -> int:
    """Increment the version counter (a committed write); return the new version."""
    try:
        return int(shared.incr(VERSION_KEY))
    except ValueError:  # the key is missing: Django's incr() contract
        current_version(shared)
        return int(shared.incr(VERSION_KEY))


def stored_data(shared: Any, version: int) -> dict[str, Any] | None:
    """The state's data stored for ``version``, or None when no process stored it yet."""
    data: dict[str, Any] | None = shared.get(DATA_KEY % version)
    return data


def store_data(shared: Any, version: int, data: dict[str, Any]) -> None:
    """Store the data read from the database after ``version`` was current."""
    # add, not set: whoever stored data for this version read it after the version was
    # current, so either copy is right; keep the first.
    shared.add(DATA_KEY % version, data, timeout=DATA_TIMEOUT)


def shared_version() -> int | None:
    """The state's version in the shared cache now (None with a process-local cache).

    Every process that re-validated after the latest write installed this version.
    Raises the cache backend's error when the shared cache is unreachable.
    """
    shared = shared_cache()
    return None if shared is None else current_version(shared)


def forget_shared() -> None:
    """Drop the version counter from the shared cache, so that every process reads the
    database next (tests: the database is reset between tests, the shared cache is not).
    The counter restarts from the clock, above any version whose data is still stored."""
    try:
        shared = shared_cache()
        if shared is not None:
            shared.delete(VERSION_KEY)
    except CACHE_ERRORS:
        pass  # unreachable or unusable: there is nothing of it to forget
