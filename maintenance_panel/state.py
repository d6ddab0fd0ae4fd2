"""This process's snapshot of the state, and whether maintenance is on now.

Reading the state must cost next to nothing, so each process keeps an immutable
:class:`~maintenance_panel.snapshot.Snapshot` and re-validates it at most every
``MAINTENANCE_MODE_STATE_TTL`` seconds against the version in the shared cache
(:mod:`maintenance_panel.versions`). Reads fall back: snapshot -> shared cache ->
database (:mod:`maintenance_panel.loading`) -> the last snapshot known ->
``MAINTENANCE_MODE_FALLBACK``. The shared cache is asked through
:mod:`maintenance_panel.cache_calls`: a re-validation waits for it at most
``cache_calls.REQUEST_LIMIT``, and after a failure the process reads the database
instead until its back-off delay has run out, so a cache that hangs cannot hold
requests up.

Writes reach it through Django's model signals, received at the end of this module:
a saved config, a changed list of groups or users, a deleted listed group or user, a
saved or deleted bypass link each call :func:`invalidate`. This process stops trusting
its snapshot at once (also inside the transaction: the writer sees its own change), and
once the transaction commits :func:`publish` bumps the shared version, so every other
process re-reads within the TTL, installs the new state here and rewrites the web
server's copy of the page (:func:`maintenance_panel.pages.rewrite_static_page`).
Each installed snapshot is reported to the fleet
(:func:`maintenance_panel.fleet.writer.report_installed`) and handed to the thread that
notices window events (:func:`maintenance_panel.notifications.watcher.watch`).

Who is held back while it is on is :mod:`maintenance_panel.decision`'s question.
"""

from __future__ import annotations

import enum
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, overload

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.signals import setting_changed
from django.db import DatabaseError, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from maintenance_panel import cache_calls, conf, health, loading, pages, versions
from maintenance_panel.fleet import writer as fleet_writer
from maintenance_panel.models import BypassLink, MaintenanceConfig
from maintenance_panel.notifications import watcher
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.versions import CACHE_ERRORS

#: The clock of the TTL (a module global: one lookup on the hot path; tests replace it).
monotonic = time.monotonic


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
        #: The database holds a change the shared version does not announce yet (the
        #: cache failed): the next re-validation that reaches the cache bumps it.
        self.bump_owed = False
        self.lock = threading.Lock()


_holder = _Holder()


def reset() -> None:
    """Forget this process's snapshot (tests; the pytest plugin calls it around each)."""
    global _holder
    _holder = _Holder()
    health.forget()
    cache_calls.reset()


def expire() -> None:
    """Re-validate the snapshot on the next read (no write happened)."""
    holder = _holder
    holder.trusted_until = holder.expires_at = holder.off_until = 0.0


def _savepoints() -> tuple[str | None, ...]:
    return tuple(connections[loading.database_alias()].savepoint_ids)


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
    ttl = conf.state_ttl()
    holder.expires_at = monotonic() + ttl
    holder.trusted_until = 0.0 if provisional else holder.expires_at
    forced = conf.forced_state()
    off = forced is False or (forced is None and not snapshot.enabled)
    holder.off_until = holder.trusted_until if off else 0.0
    fleet_writer.report_installed(snapshot, ttl)
    watcher.watch(snapshot)
    return snapshot


class _Stale(enum.Enum):
    STALE = "stale"


#: What :func:`get_snapshot` and :func:`active_snapshot` answer with ``io=False`` when
#: only I/O (a cache or database read) could answer: call them again where I/O may block.
STALE = _Stale.STALE


@overload
def get_snapshot() -> Snapshot: ...
@overload
def get_snapshot(*, io: bool) -> Snapshot | _Stale: ...
def get_snapshot(*, io: bool = True) -> Snapshot | _Stale:
    """The current snapshot; no I/O unless it is older than the TTL or invalidated (with
    ``io=False``, :data:`STALE` then)."""
    holder = _holder
    snapshot = holder.snapshot
    if snapshot is not None and monotonic() < holder.trusted_until:
        return snapshot
    if not io:
        return STALE
    return _get_snapshot_slowly(holder)


def _get_snapshot_slowly(holder: _Holder) -> Snapshot:
    snapshot = holder.snapshot
    if (
        snapshot is not None
        and holder.provisional
        and not holder.dirty
        and monotonic() < holder.expires_at
        and loading.in_transaction()
        and _savepoints()[: len(holder.savepoints)] == holder.savepoints
    ):
        return snapshot
    return refresh()


def _ask_shared(known: str | None, bump: bool) -> Callable[[Any], tuple[int, Any]]:
    """The re-validation's cache calls, as one piece of work for the cache caller: the
    version (bumped first when this process owes it), and its data unless ``known``."""

    def work(shared: Any) -> tuple[int, Any]:
        version = versions.bump_version(shared) if bump else versions.current_version(shared)
        if known == str(version):
            return version, None
        return version, versions.stored_data(shared, version)

    return work


def refresh() -> Snapshot:
    """Re-validate the snapshot: shared cache first, then the database.

    The cache is asked through :mod:`maintenance_panel.cache_calls`: a request waits for
    it at most ``cache_calls.REQUEST_LIMIT``, and after a failure the process reads the
    database instead until the back-off delay has run out.
    """
    holder = _holder
    with holder.lock:
        snapshot = holder.snapshot
        if snapshot is not None and monotonic() < holder.trusted_until:
            return snapshot  # another thread re-validated it while this one waited
        if holder.dirty or not versions.cache_is_shared():
            return _load_from_database(snapshot, shared=False, version=None)
        known = None if snapshot is None or holder.provisional else snapshot.stamp
        try:
            version, entry = cache_calls.call(_ask_shared(known, holder.bump_owed))
        except CACHE_ERRORS as exc:
            health.report_unavailable("shared cache", exc)
            return _load_from_database(snapshot, shared=False, version=None, cache_failed=True)
        holder.bump_owed = False
        health.report_available("shared cache")
        if snapshot is not None and known == str(version):
            return _install(snapshot)
        if entry is not None:
            return _install(Snapshot.from_data(entry, str(version)))
        return _load_from_database(snapshot, shared=True, version=version)


def _load_from_database(
    previous: Snapshot | None, *, shared: bool, version: int | None, cache_failed: bool = False
) -> Snapshot:
    try:
        data = loading.read_data()
    except DatabaseError as exc:
        health.report_unavailable("database", exc)
        if previous is not None and not previous.is_fallback:
            return _install(previous)
        return _install(Snapshot(enabled=conf.fallback_state(), stamp="fallback", is_fallback=True))
    health.report_available("database")
    # Data read inside a transaction may still be rolled back: use it here only, until
    # the transaction ends, and never share it.
    provisional = loading.in_transaction()
    if shared and version is not None and not provisional:
        snapshot = Snapshot.from_data(data, str(version))
        try:
            cache_calls.call(lambda cache: versions.store_data(cache, version, data))
        except CACHE_ERRORS as exc:
            health.report_unavailable("shared cache", exc)
        return _install(snapshot)
    if previous is not None and not previous.is_fallback and previous.data == data:
        return _install(previous, provisional=provisional)
    if cache_failed and not provisional:
        # The database moved on while the cache could not say so (a change made while
        # it failed, perhaps by a process that has exited since): once the cache
        # answers again, bump its version, or every process would take the data it
        # still holds for the old version back.
        _holder.bump_owed = True
    return _install(Snapshot.from_data(data, _local_stamp()), provisional=provisional)


def publish() -> None:
    """After a committed write: tell every process, install the new state here, and
    rewrite the web server's copy of the page."""
    holder = _holder
    with holder.lock:
        holder.published = holder.writes
        holder.dirty = True
        holder.trusted_until = holder.off_until = 0.0
        version = None
        if versions.cache_is_shared():
            try:
                # Tried even while backing off: the others must learn of the change.
                version = cache_calls.call(versions.bump_version, back_off=False)
            except CACHE_ERRORS as exc:
                # Processes that read the database while the cache fails see the change
                # at once; this one bumps the version once the cache answers again.
                health.report_unavailable("shared cache", exc)
                holder.bump_owed = True
        snapshot = _load_from_database(holder.snapshot, shared=version is not None, version=version)
    pages.rewrite_static_page(snapshot)


def invalidate(using: str | None = None) -> None:
    """A write happened: stop trusting the snapshot now, publish after commit."""
    holder = _holder
    holder.dirty = True
    holder.trusted_until = holder.off_until = 0.0
    holder.writes += 1
    write = holder.writes

    def publish_once() -> None:
        # A save and its m2m changes commit together: the first callback reads all of
        # it, the others have nothing left to tell.
        if _holder.published < write:
            publish()

    transaction.on_commit(publish_once, using=using or loading.database_alias())


# -- the hot path -------------------------------------------------------------------


@overload
def active_snapshot() -> Snapshot | None: ...
@overload
def active_snapshot(*, io: bool) -> Snapshot | _Stale | None: ...
def active_snapshot(*, io: bool = True) -> Snapshot | _Stale | None:
    """The snapshot when maintenance is on now (settings, switch, window), else None.

    ``get_snapshot().active()`` for the middleware's hot path: one call and one reading
    of the clock, no I/O while the snapshot is trusted. With ``io=False`` (the async
    path, on the event loop) it answers :data:`STALE` instead of re-validating.
    """
    holder = _holder
    now = monotonic()
    if now < holder.off_until:
        return None
    forced = conf.forced_state()
    snapshot = holder.snapshot
    if snapshot is None or now >= holder.trusted_until:
        if not io:
            return STALE
        # Also when settings force maintenance off: the process still re-validates once
        # per TTL, so that it reports (and a deploy's --wait learns that it never
        # switches).
        snapshot = _get_snapshot_slowly(holder)
    if forced is False:
        return None
    if forced is None and not (snapshot.on_without_window or snapshot.stored_active()):
        return None
    return snapshot


# -- receivers: settings and writes ----------------------------------------------------


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"CACHES", "DATABASES"} or setting == f"{conf.PREFIX}_CACHE":
        reset()
    elif setting in {"TIME_ZONE", f"{conf.PREFIX}_TIME_ZONE"}:
        reset()  # a repeated window's occurrences are read in the zone
    elif setting == f"{conf.PREFIX}_STATE_TTL":
        expire()
    elif setting == conf.PREFIX:  # MAINTENANCE_MODE: the snapshot stays valid
        _holder.off_until = 0.0


@receiver(post_save, sender=MaintenanceConfig, dispatch_uid="maintenance_panel_config_saved")
@receiver(post_save, sender=BypassLink, dispatch_uid="maintenance_panel_link_saved")
@receiver(post_delete, sender=BypassLink, dispatch_uid="maintenance_panel_link_deleted")
def _on_saved(*, using: str, **kwargs: Any) -> None:
    invalidate(using)


@receiver(m2m_changed, sender=MaintenanceConfig.ignore_groups.through)
@receiver(m2m_changed, sender=MaintenanceConfig.ignore_users.through)
def _on_list_changed(*, action: str, using: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        invalidate(using)


@receiver(pre_delete, sender=Group, dispatch_uid="maintenance_panel_group_deleted")
@receiver(
    pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="maintenance_panel_user_deleted"
)
def _on_member_deleted(*, sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
    # A deleted group or user leaves the exemption lists without an m2m signal.
    snapshot = _holder.snapshot
    listed = snapshot is None or (
        instance.pk in snapshot.group_ids
        if issubclass(sender, Group)
        else str(instance.pk) in snapshot.user_ids
    )
    if listed:
        invalidate(using)
