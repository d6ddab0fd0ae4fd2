"""The snapshot store: this process's snapshot, and whether maintenance is on now.

Reading the state must cost next to nothing, so each process keeps an immutable
:class:`~maintenance_panel.snapshot.Snapshot` and re-validates it at most every
``MAINTENANCE_MODE_STATE_TTL`` seconds. Reads fall back: snapshot -> shared cache ->
database -> the last snapshot known -> ``MAINTENANCE_MODE_FALLBACK``.

The shared cache holds two kinds of keys: a version counter, which every committed
write increments, and the state's data stored under the version it was read for.
Re-validating costs one cache ``get`` of the counter; only when it moved does a
process fetch the data (from the cache, or from the database when no process has
stored it yet). Data is only ever stored under a version observed *before* the
database was read, so a slow reader can never overwrite newer state with older.

A process-local cache (LocMem, Dummy) cannot tell one worker about another's writes,
so with one the snapshot re-reads the database on expiry instead (check
``maintenance_panel.I001`` says so).

Who is held back while it is on is :mod:`maintenance_panel.decision`'s question.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import DatabaseError, connections, router, transaction
from django.dispatch import Signal, receiver

from maintenance_panel import conf, health
from maintenance_panel.models import BypassLink, MaintenanceConfig
from maintenance_panel.snapshot import Snapshot

#: The clock of the TTL (a module global: one lookup on the hot path; tests replace it).
monotonic = time.monotonic

#: Shared-cache key of the version counter (an integer; never expires).
VERSION_KEY = "maintenance_panel:state:version"
#: Shared-cache key of the data read for one version (``% version``).
DATA_KEY = "maintenance_panel:state:data:%d"
#: Stored data outlives any plausible gap between writes; a reader re-stores it.
DATA_TIMEOUT = 24 * 60 * 60

#: The shared cache may fail with any backend's own exception types (redis, pymemcache,
#: OSError...); what they have in common is that they are not Django's.
#: A failure is logged (once per episode), so it is not hidden.
CACHE_ERRORS: tuple[type[BaseException], ...] = (Exception,)


def load_data() -> dict[str, Any]:
    """Read the stored state from the database as plain data (three or four queries)."""
    config = MaintenanceConfig.objects.filter(pk=MaintenanceConfig.singleton_instance_id).first()
    if config is None:
        config = MaintenanceConfig()
        group_ids: list[int] = []
        user_ids: list[Any] = []
    else:
        group_ids = list(config.ignore_groups.values_list("pk", flat=True))
        user_ids = list(config.ignore_users.values_list("pk", flat=True))
    links = dict(BypassLink.objects.usable().values_list("pk", "expires_at"))
    return {
        "enabled": config.enabled,
        "title": config.title,
        "message": config.message,
        "starts_at": config.starts_at,
        "ends_at": config.ends_at,
        "ignore_admin_site": config.ignore_admin_site,
        "ignore_staff": config.ignore_staff,
        "ignore_superuser": config.ignore_superuser,
        "ignore_authenticated_user": config.ignore_authenticated_user,
        "ignore_anonymous_user": config.ignore_anonymous_user,
        "ignore_ip_addresses": config.ignore_ip_addresses,
        "ignore_urls": config.ignore_urls,
        "read_only": config.read_only,
        "scope_urls": config.scope_urls,
        "group_ids": sorted(group_ids),
        "user_ids": sorted(str(pk) for pk in user_ids),
        "bypass_links": links,
        "changed_at": config.changed_at,
        "changed_via": config.changed_via,
    }


class _Holder:
    """This process's snapshot and how long it may be trusted."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        #: ``monotonic()`` until which :func:`get_snapshot` answers without I/O.
        #: Zero while dirty or provisional, so the hot path tests one number.
        self.trusted_until = 0.0
        #: When the TTL runs out (also for a provisional snapshot).
        self.expires_at = 0.0
        #: Until when maintenance is known to be off (the switch is off, no setting
        #: forces it on): the hot path's one test while the site is up.
        self.off_until = 0.0
        #: A write happened in this process: read the database, not the shared cache.
        self.dirty = False
        #: The snapshot was read inside a transaction: re-read once it has ended.
        self.provisional = False
        #: The savepoints open when the provisional snapshot was read: once one of them
        #: has ended (perhaps rolled back), the snapshot is read again.
        self.savepoints: tuple[str | None, ...] = ()
        #: Writes seen (:func:`invalidate`) and the last one already published.
        self.writes = 0
        self.published = 0
        self.lock = threading.Lock()


_holder = _Holder()

#: Sent when this process drops its snapshot (a write, or a reset): whatever a higher
#: layer derived from it (the rendered maintenance pages) is stale.
snapshot_dropped = Signal()

#: Sent each time this process installs a re-validated snapshot (at most once per
#: ``MAINTENANCE_MODE_STATE_TTL``, and after each write it made), with ``snapshot``,
#: ``ttl`` (seconds it is trusted) and ``provisional`` (read inside a transaction).
#: The fleet reports listen; a receiver must be cheap: it runs on a request's path.
snapshot_revalidated = Signal()

#: Sent in the writing process after a committed change has been published (the
#: shared version bumped and the new state installed here), with ``snapshot``.
state_published = Signal()


def reset() -> None:
    """Forget this process's snapshot (tests; the pytest plugin calls it around each)."""
    global _holder
    _holder = _Holder()
    health.forget()
    snapshot_dropped.send(sender=Snapshot)


def forget_shared() -> None:
    """Drop the version counter from the shared cache, so that every process reads the
    database next (tests: the database is reset between tests, the shared cache is not).
    The counter restarts from the clock, above any version whose data is still stored."""
    try:
        shared = _shared_cache()
        if shared is not None:
            shared.delete(VERSION_KEY)
    except CACHE_ERRORS:
        pass  # unreachable or unusable: there is nothing of it to forget


def expire() -> None:
    """Re-validate the snapshot on the next read (no write happened)."""
    holder = _holder
    holder.trusted_until = holder.expires_at = holder.off_until = 0.0


def _shared_cache() -> Any:
    """The shared cache, or None when it is process-local (and so cannot be trusted)."""
    cache = caches[conf.cache_alias()]
    if isinstance(cache, LocMemCache | DummyCache):
        return None
    return cache


def cache_is_shared() -> bool:
    """Whether the configured cache is shared between processes (checked by the checks)."""
    return _shared_cache() is not None


def shared_version() -> int | None:
    """The state's version in the shared cache now (None with a process-local cache).

    Every process that re-validated after the latest write installed this version.
    Raises the cache backend's error when the shared cache is unreachable.
    """
    shared = _shared_cache()
    return None if shared is None else _current_version(shared)


def _db_alias() -> str:
    return router.db_for_read(MaintenanceConfig) or "default"


def _in_transaction() -> bool:
    return bool(connections[_db_alias()].in_atomic_block)


def _savepoints() -> tuple[str | None, ...]:
    return tuple(connections[_db_alias()].savepoint_ids)


def _local_stamp() -> str:
    # Never equal to a shared version: a body cached for it can never be served for
    # other data.
    return f"local-{uuid.uuid4().hex}"


def _install(snapshot: Snapshot, *, provisional: bool = False) -> Snapshot:
    holder = _holder
    holder.snapshot = snapshot
    holder.dirty = False
    holder.provisional = provisional
    holder.savepoints = _savepoints() if provisional else ()
    holder.expires_at = monotonic() + conf.state_ttl()
    holder.trusted_until = 0.0 if provisional else holder.expires_at
    forced = conf.forced_state()
    off = forced is False or (forced is None and not snapshot.enabled)
    holder.off_until = holder.trusted_until if off else 0.0
    snapshot_revalidated.send(
        sender=Snapshot, snapshot=snapshot, ttl=conf.state_ttl(), provisional=provisional
    )
    return snapshot


def get_snapshot() -> Snapshot:
    """The current snapshot; no I/O unless it is older than the TTL or invalidated."""
    holder = _holder
    snapshot = holder.snapshot
    if snapshot is not None and monotonic() < holder.trusted_until:
        return snapshot
    return _get_snapshot_slowly(holder)


def _get_snapshot_slowly(holder: _Holder) -> Snapshot:
    snapshot = holder.snapshot
    if (
        snapshot is not None
        and holder.provisional
        and not holder.dirty
        and monotonic() < holder.expires_at
        and _in_transaction()
        and _savepoints()[: len(holder.savepoints)] == holder.savepoints
    ):
        return snapshot
    return refresh()


def snapshot_is_fresh() -> bool:
    """Whether :func:`get_snapshot` would answer without I/O (for the async path)."""
    holder = _holder
    return holder.snapshot is not None and monotonic() < holder.trusted_until


def refresh() -> Snapshot:
    """Re-validate the snapshot: shared cache first, then the database."""
    holder = _holder
    with holder.lock:
        snapshot = holder.snapshot
        if snapshot is not None and monotonic() < holder.trusted_until:
            return snapshot  # another thread re-validated it while this one waited
        shared = None if holder.dirty else _shared_cache()
        if shared is not None:
            try:
                version = _current_version(shared)
                if (
                    snapshot is not None
                    and snapshot.stamp == str(version)
                    and not holder.provisional
                ):
                    health.report_available("shared cache")
                    return _install(snapshot)
                entry = shared.get(DATA_KEY % version)
            except CACHE_ERRORS as exc:
                health.report_unavailable("shared cache", exc)
                return _load_from_database(snapshot, shared=None, version=None)
            health.report_available("shared cache")
            if entry is not None:
                return _install(Snapshot.from_data(entry, str(version)))
            return _load_from_database(snapshot, shared=shared, version=version)
        return _load_from_database(snapshot, shared=None, version=None)


def _current_version(shared: Any) -> int:
    version = shared.get(VERSION_KEY)
    if version is None:
        # Lost (a flushed or restarted cache) or never set. Start from the clock, so that
        # a restarted counter never meets a version whose data may still be stored.
        shared.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = shared.get(VERSION_KEY)
        if version is None:
            raise LookupError("the shared cache does not keep the version key")
    return int(version)


def _bump_version(shared: Any) -> int:
    try:
        return int(shared.incr(VERSION_KEY))
    except ValueError:  # the key is missing: Django's incr() contract
        _current_version(shared)
        return int(shared.incr(VERSION_KEY))


def _read_database() -> dict[str, Any]:
    if _in_transaction():
        # A savepoint, so that a failed read (no table yet) cannot break the caller's
        # transaction (a test's, or ATOMIC_REQUESTS on PostgreSQL).
        with transaction.atomic(using=_db_alias()):
            return load_data()
    return load_data()


def _load_from_database(previous: Snapshot | None, *, shared: Any, version: int | None) -> Snapshot:
    try:
        data = _read_database()
    except DatabaseError as exc:
        health.report_unavailable("database", exc)
        if previous is not None and not previous.is_fallback:
            return _install(previous)
        return _install(Snapshot(enabled=conf.fallback_state(), stamp="fallback", is_fallback=True))
    health.report_available("database")
    # Data read inside a transaction may still be rolled back: use it here only, until
    # the transaction ends, and never share it.
    provisional = _in_transaction()
    if shared is not None and version is not None and not provisional:
        snapshot = Snapshot.from_data(data, str(version))
        _store_shared(shared, version, data)
        return _install(snapshot)
    if previous is not None and not previous.is_fallback and previous.data == data:
        return _install(previous, provisional=provisional)
    return _install(Snapshot.from_data(data, _local_stamp()), provisional=provisional)


def _store_shared(shared: Any, version: int, data: dict[str, Any]) -> None:
    try:
        # add, not set: whoever stored data for this version read it after the version
        # was current, so either copy is right; keep the first.
        shared.add(DATA_KEY % version, data, timeout=DATA_TIMEOUT)
    except CACHE_ERRORS as exc:
        health.report_unavailable("shared cache", exc)


def publish() -> None:
    """After a committed write: tell every process, and install the new state here."""
    holder = _holder
    with holder.lock:
        holder.published = holder.writes
        holder.dirty = True
        holder.trusted_until = holder.off_until = 0.0
        shared = _shared_cache()
        version = None
        if shared is not None:
            try:
                version = _bump_version(shared)
            except CACHE_ERRORS as exc:
                # Other processes learn of the change only once the cache is back (or
                # at once, if they read the database because the cache is down too).
                health.report_unavailable("shared cache", exc)
                shared = None
        snapshot = _load_from_database(holder.snapshot, shared=shared, version=version)
    state_published.send(sender=Snapshot, snapshot=snapshot)


def invalidate(using: str | None = None) -> None:
    """A write happened: stop trusting the snapshot now, publish after commit."""
    holder = _holder
    holder.dirty = True
    holder.trusted_until = holder.off_until = 0.0
    holder.writes += 1
    write = holder.writes
    snapshot_dropped.send(sender=Snapshot)

    def publish_once() -> None:
        # A save and its m2m changes commit together: the first callback reads all of
        # it, the others have nothing left to tell.
        if _holder.published < write:
            publish()

    transaction.on_commit(publish_once, using=using or _db_alias())


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"CACHES", "DATABASES"} or setting == f"{conf.PREFIX}_CACHE":
        reset()
    elif setting == f"{conf.PREFIX}_STATE_TTL":
        expire()
    elif setting == conf.PREFIX:  # MAINTENANCE_MODE: the snapshot stays valid
        _holder.off_until = 0.0


# -- the hot path -------------------------------------------------------------------


def active_snapshot() -> Snapshot | None:
    """The snapshot when maintenance is on now (settings, switch, window), else None.

    ``get_snapshot().active()`` for the middleware's hot path: one call, no I/O while the snapshot
    is trusted.
    """
    holder = _holder
    now = monotonic()
    if now < holder.off_until:
        return None
    forced = conf.forced_state()
    snapshot = holder.snapshot
    if snapshot is None or now >= holder.trusted_until:
        # Also when settings force maintenance off: the process still re-validates once
        # per TTL, so that it reports (and a deploy's --wait learns that it never
        # switches).
        snapshot = _get_snapshot_slowly(holder)
    if forced is False:
        return None
    if forced is None and not (snapshot.on_without_window or snapshot.stored_active()):
        return None
    return snapshot
