"""Background work during maintenance: may a task or a management command start now?

*Background work* is whatever runs outside a request: a task of a worker, a command run
by cron. Work is *held* when it must not start now and is to be tried again later: while
maintenance is on (settings, or the switch and its window), covers the whole site (no
scope) and is full (not read-only), unless its name matches
``MAINTENANCE_MODE_IGNORE_TASKS`` or the admin's ``ignore_tasks``. Under read-only
maintenance work runs under the write guard instead (:attr:`WorkState.guarded`).

:func:`is_held` answers from a snapshot, without I/O (``core.is_work_held`` is the
public question); :func:`work_state` says why, and until when; :func:`retry_delay` is
the one rule for when held work is tried again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from maintenance_panel import conf, setting_lists
from maintenance_panel.snapshot import Snapshot

#: Why work may run or is held (:attr:`WorkState.reason`).
OFF = "off"
SCOPED = "scoped"
READ_ONLY = "read_only"
EXEMPT = "exempt"
HELD = "held"


def is_exempt(snapshot: Snapshot, name: str) -> bool:
    """Whether work called ``name`` runs during maintenance: a pattern of
    ``MAINTENANCE_MODE_IGNORE_TASKS`` or of the admin's ``ignore_tasks`` matches the start
    of the name."""
    settings_patterns = setting_lists.ignored_task_patterns()
    if settings_patterns.sources and settings_patterns.match(name):
        return True
    return bool(snapshot.task_patterns.sources) and snapshot.task_patterns.match(name)


def is_held(snapshot: Snapshot | None, name: str = "") -> bool:
    """Whether work called ``name`` must not start now; ``snapshot`` is the state while
    maintenance is on (``state.active_snapshot()``), None while it is off."""
    if snapshot is None or snapshot.level_is_read_only() or not snapshot.covers_whole_site():
        return False
    return not is_exempt(snapshot, name)


@dataclass(frozen=True)
class WorkState:
    """What maintenance means for work called ``name`` now, and why."""

    name: str
    #: :data:`OFF`, :data:`SCOPED`, :data:`READ_ONLY`, :data:`EXEMPT` or :data:`HELD`.
    reason: str
    #: When the window ends (None: no end is set, or maintenance is off).
    ends_at: datetime | None = None
    #: ``MAINTENANCE_MODE`` forces the state.
    forced_by_settings: bool = False

    @property
    def held(self) -> bool:
        """The work must not start now."""
        return self.reason == HELD

    @property
    def guarded(self) -> bool:
        """The work runs under the write guard (read-only maintenance of the whole site,
        with ``MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES`` on)."""
        return self.reason == READ_ONLY and conf.block_writes()

    def retry_delay(self, now: datetime | None = None) -> int:
        """Seconds after which held work is tried again (see :func:`retry_delay`)."""
        return retry_delay(self.ends_at, now)


def hold_reason(snapshot: Snapshot | None) -> str:
    """Whether work that no exemption names is held: :data:`OFF`, :data:`SCOPED`,
    :data:`READ_ONLY` (it runs, under the write guard) or :data:`HELD`; ``snapshot`` as
    for :func:`is_held`."""
    if snapshot is None:
        return OFF
    if not snapshot.covers_whole_site():
        return SCOPED
    return READ_ONLY if snapshot.level_is_read_only() else HELD


def work_state(snapshot: Snapshot | None, name: str = "") -> WorkState:
    """The :class:`WorkState` of work called ``name``; ``snapshot`` as for
    :func:`is_held`."""
    if snapshot is None:
        return WorkState(name, OFF)
    reason = hold_reason(snapshot)
    if reason != SCOPED and is_exempt(snapshot, name):
        reason = EXEMPT
    forced = conf.forced_state() is not None
    return WorkState(name, reason, None if forced else snapshot.end_of_maintenance(), forced)


def retry_delay(ends_at: datetime | None = None, now: datetime | None = None) -> int:
    """Seconds after which held work is tried again: ``MAINTENANCE_MODE_WORK_RETRY``
    (default 60), or the seconds left until ``ends_at`` (the window's end) when that is
    sooner; at least 1."""
    delay = conf.work_retry()
    if ends_at is not None:
        left = (ends_at - (now or timezone.now())).total_seconds()
        delay = min(delay, max(1, math.ceil(left)))
    return delay
