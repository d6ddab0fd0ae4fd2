"""Noticing window events and the reminder once for the whole fleet, off the request path.

Each boundary (:mod:`.boundaries`) is told once: the first process that notices it
claims it in the shared cache with an atomic ``add`` (:data:`CLAIM_KEY`, held for
:data:`LEASE` seconds), reads the stored state from the database to confirm it is still
due, and stores it in the outbox (:func:`.events.store`, whose unique key refuses a
second row), which hands it to delivery. It then marks the claim done, so the others
stop asking. A process that dies between the claim and the store leaves a claim that
runs out after the lease; the processes that saw it held look again every
:data:`RETRY` seconds (and ``maintenance_mode tick`` does when it runs), and the next
one to find it free stores it. Once stored, :func:`.delivery.deliver_due` sends what
was not sent.

Who notices: the thread of :mod:`.watcher` in each process that serves requests, and
``maintenance_mode tick`` (:func:`notice_now`) from cron for a site without traffic.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DatabaseError
from django.utils import timezone

from maintenance_panel import cache_calls, loading, versions
from maintenance_panel.notifications import events
from maintenance_panel.notifications.boundaries import GRACE, Boundary, due
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.versions import CACHE_ERRORS

logger = logging.getLogger("maintenance_panel")

#: Shared-cache key of the claim on one boundary (``% boundary key``).
CLAIM_KEY = "maintenance_panel:v1:boundary:%s"
#: Seconds a claim holds before another process may take the boundary over.
LEASE = 30
#: Seconds after which a process looks again at a boundary another process holds.
RETRY = 5.0
#: The claim's value once the boundary is stored (kept as long as it could be due).
DONE = "done"
#: How long the noticing thread waits for the shared cache.
CACHE_LIMIT = 2.0

#: What :func:`notice` did with a boundary.
STORED = "stored"  # this process stored it: delivery is on its way
ALREADY = "already stored"  # another process (or an earlier try) stored it
HELD = "held by another process"  # claimed and not stored yet: looked at again
GONE = "no longer due"  # the stored state says otherwise (this process was behind)
FAILED = "failed"  # the database failed: the claim runs out and it is tried again


@dataclass(frozen=True, slots=True)
class Noticed:
    """A boundary and what became of it."""

    boundary: Boundary
    outcome: str


def _cache_call(work: Any) -> Any:
    """``work(cache)`` with the shared cache; None without one (a process-local cache
    cannot claim for the fleet: the outbox's unique key alone keeps an event once)."""
    cache = versions.shared_cache()
    if cache is None:
        return None
    return cache_calls.call(work, limit=CACHE_LIMIT, back_off=False)


def _claim(boundary: Boundary) -> str | None:
    """Claim ``boundary``: None when this process holds it now, else why not."""
    key = CLAIM_KEY % boundary.key
    token = uuid.uuid4().hex

    def claim(cache: Any) -> str | None:
        if cache.add(key, token, LEASE):
            return None
        return ALREADY if cache.get(key) == DONE else HELD

    try:
        return _cache_call(claim)
    except CACHE_ERRORS as exc:
        # The unique key in the database still keeps the event once.
        logger.warning("maintenance_panel: cannot claim %s in the cache: %s", boundary.key, exc)
        return None


def _mark(boundary: Boundary, value: str | None) -> None:
    key = CLAIM_KEY % boundary.key
    lasting = GRACE.total_seconds() + LEASE

    def mark(cache: Any) -> None:
        if value is None:
            cache.delete(key)
        else:
            cache.set(key, value, lasting)

    try:
        _cache_call(mark)
    except CACHE_ERRORS as exc:
        logger.warning("maintenance_panel: cannot mark %s in the cache: %s", boundary.key, exc)


def _store(boundary: Boundary, now: datetime) -> str:
    """Confirm ``boundary`` against the stored state and store it (this process holds
    its claim)."""
    stored = loading.read_snapshot("boundary")
    confirmed = next((b for b in due(stored, now) if b.key == boundary.key), None)
    if confirmed is None:
        return GONE
    payload = events.build_payload(
        confirmed.event,
        stored,
        at=confirmed.at,
        changed_by=stored.changed_via,
        window=confirmed.window,
    )
    notification = events.store(confirmed.key, confirmed.event, payload)
    return STORED if notification is not None else ALREADY


def notice_one(boundary: Boundary, now: datetime) -> str:
    """Claim, confirm and store one due boundary; what became of it."""
    refused = _claim(boundary)
    if refused is not None:
        return refused
    try:
        outcome = _store(boundary, now)
    except DatabaseError as exc:
        logger.warning("maintenance_panel: cannot store %s: %s", boundary.key, exc)
        # Nothing was stored (the failed transaction is rolled back): the claim is given
        # back at once, so that the next try (here or elsewhere) need not wait for the
        # lease; the unique key still keeps the event once.
        _mark(boundary, None)
        return FAILED
    _mark(boundary, None if outcome == GONE else DONE)
    return outcome


def notice(
    snapshot: Snapshot, now: datetime | None = None, skip: frozenset[str] = frozenset()
) -> list[Noticed]:
    """Claim and store each boundary due for ``snapshot`` at ``now`` (but those whose
    key is in ``skip``)."""
    now = now or timezone.now()
    return [Noticed(b, notice_one(b, now)) for b in due(snapshot, now) if b.key not in skip]


def notice_now() -> list[Noticed]:
    """Notice what the stored state makes due now (``maintenance_mode tick``)."""
    return notice(loading.read_snapshot("tick"))
