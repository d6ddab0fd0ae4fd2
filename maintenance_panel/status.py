"""The state, described: is maintenance on, why, at which level, for which pages, for whom.

One place answers "what is the state, and why?". :func:`describe` turns a snapshot and
the settings into a :class:`Status` (no query), and everything that tells the state
renders from it: the admin panel, ``maintenance_mode status`` and its ``--json``, the
status endpoint, the banners, the maintenance page and the web server's copy of it.
:func:`names` adds what only the database knows (the names of the listed groups and
users, the bypass links) for the panel and the command. The sentences that put a status
into words are in :mod:`maintenance_panel.wording`.

Terms used below: the *cause* is what decides the state now (``"settings"``: the
``MAINTENANCE_MODE`` setting; ``"switch"``: the switch alone; ``"window"``: the switch and
its window); the *phase* is where now stands against the window (``"none"``,
``"scheduled"``, ``"open"``, ``"ended"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from maintenance_panel import conf, moments, rule_words, setting_lists, work
from maintenance_panel.models import BypassLink
from maintenance_panel.recurrence import Schedule
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.windows import Window, window_phase

#: The exemption flags, in the order they are shown: ``ignore_<name>``.
FLAGS = ("admin_site", "anonymous_user", "authenticated_user", "staff", "superuser")


@dataclass(frozen=True)
class Entries:
    """A list of entries of which the settings give some and the admin the rest."""

    settings: tuple[str, ...] = ()
    admin: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.settings) + len(self.admin)

    def as_dict(self) -> dict[str, list[str]]:
        return {"settings": list(self.settings), "admin": list(self.admin)}


@dataclass(frozen=True)
class Exemptions:
    """Who keeps using the site during maintenance (settings applied)."""

    #: Effective ``ignore_<name>`` for each name of :data:`FLAGS`.
    flags: dict[str, bool]
    #: The flags a ``MAINTENANCE_MODE_IGNORE_*`` setting fixes.
    fixed: frozenset[str]
    group_ids: frozenset[int]
    user_ids: frozenset[str]
    networks: Entries
    urls: Entries
    #: The usable bypass links: id -> expiry (or None).
    bypass_links: dict[int, datetime | None]


@dataclass(frozen=True)
class WorkStatus:
    """What maintenance means for background work now (:mod:`maintenance_panel.work`)."""

    #: Work that no exemption names must not start now.
    held: bool
    #: ``"off"``, ``"scoped"``, ``"read_only"`` (it runs, under the write guard when
    #: writes are blocked) or ``"held"``.
    reason: str
    #: Seconds after which held work is tried again (while held), else None.
    retry_after: int | None
    #: Names (regular expressions) of the work that keeps running.
    exempt: Entries


@dataclass(frozen=True)
class Repeats:
    """The repeated window: its rule, the rule in words, each window's length, the zone."""

    schedule: Schedule

    @property
    def rule(self) -> str:
        return self.schedule.rule.text

    @property
    def reading(self) -> str:
        """The rule in words, in the active language (put into words when asked: a
        banner that describes the state never pays for it)."""
        return rule_words.reading(self.schedule.rule, self.schedule.duration)

    @property
    def duration(self) -> timedelta:
        return self.schedule.duration

    @property
    def time_zone(self) -> str:
        return str(self.schedule.zone)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "reading": self.reading,
            "duration_seconds": int(self.duration.total_seconds()),
            "time_zone": self.time_zone,
        }


@dataclass(frozen=True)
class Status:
    """What maintenance is doing now, and why (see the module docstring for the terms)."""

    active: bool
    #: The switch, or the ``MAINTENANCE_MODE`` setting when it fixes the state.
    enabled: bool
    forced_by_settings: bool
    cause: str
    #: The window that matters now: the open one (one-off or occurrence), else the next
    #: one, else the one-off window; ``phase`` is where now stands against it.
    phase: str
    starts_at: datetime | None
    ends_at: datetime | None
    #: Seconds a held-back visitor is told to wait (while active), else None.
    retry_after: int | None
    #: The level: read-only rather than full (settings applied), whether on or not.
    read_only: bool
    #: ``MAINTENANCE_MODE_READ_ONLY`` fixes the level.
    level_fixed: bool
    #: The patterns of the URLs under maintenance, the settings' first; empty for the
    #: whole site.
    scope: tuple[str, ...]
    scope_from_settings: tuple[str, ...]
    #: The title and message as the operator wrote them (empty: the defaults).
    title: str
    message: str
    changed_at: datetime | None
    changed_via: str
    exemptions: Exemptions
    work: WorkStatus
    #: The next window to open (one-off or occurrence), whether the switch is on or not.
    next_window: Window | None = None
    #: The repeated window, or None.
    repeats: Repeats | None = None
    #: Seconds before a window during which the banner announces it.
    announce_before: float = 0.0

    @property
    def kind(self) -> str:
        """``"on"``, ``"scheduled"`` (switched on, the window not open yet) or ``"off"``."""
        if self.active:
            return "on"
        if self.enabled and not self.forced_by_settings and self.phase == "scheduled":
            return "scheduled"
        return "off"

    @property
    def ended(self) -> bool:
        """The switch is on, but its window is over."""
        return not self.forced_by_settings and self.enabled and self.phase == "ended"


def retry_after_seconds(snapshot: Snapshot, now: datetime | None = None) -> int | None:
    """Seconds left until the end of the open window (the occurrence's with a rule, else
    ``ends_at``) when there is one, else ``MAINTENANCE_MODE_RETRY_AFTER``."""
    if snapshot.enabled:
        now = now or timezone.now()
        end = snapshot.end_of_maintenance(now)
        if end is not None:
            return max(1, int((end - now).total_seconds() + 0.999))
    return conf.retry_after()


def _repeats(schedule: Schedule | None) -> Repeats | None:
    if schedule is None:
        return None
    return Repeats(schedule)


def _window_now(snapshot: Snapshot, now: datetime) -> tuple[str, Window | None]:
    """The phase and the window that matters now (see :attr:`Status.phase`)."""
    phase = window_phase(snapshot.starts_at, snapshot.ends_at, now)
    if snapshot.schedule is None:
        return phase, Window(snapshot.starts_at, snapshot.ends_at)
    for phase, window in (
        ("open", snapshot.window_at(now)),
        ("scheduled", snapshot.window_after(now)),
    ):
        if window is not None:
            return phase, window
    return "ended", None


def _cause(snapshot: Snapshot, phase: str) -> str:
    if conf.forced_state() is not None:
        return "settings"
    if not snapshot.enabled or phase == "none":
        return "switch"
    return "window"


def _exemptions(snapshot: Snapshot) -> Exemptions:
    return Exemptions(
        flags={name: snapshot.flag(name) for name in FLAGS},
        fixed=frozenset(name for name in FLAGS if conf.forced_flag(name.upper()) is not None),
        group_ids=snapshot.group_ids,
        user_ids=snapshot.user_ids,
        networks=Entries(setting_lists.ignored_networks().entries, snapshot.networks.entries),
        urls=Entries(setting_lists.ignored_url_patterns().sources, snapshot.url_patterns.sources),
        bypass_links=dict(snapshot.bypass_links),
    )


def _work(snapshot: Snapshot, active: bool, now: datetime) -> WorkStatus:
    reason = work.hold_reason(snapshot if active else None)
    held = reason == work.HELD
    ends_at = snapshot.end_of_maintenance(now) if conf.forced_state() is None else None
    return WorkStatus(
        held=held,
        reason=reason,
        retry_after=work.retry_delay(ends_at, now) if held else None,
        exempt=Entries(
            setting_lists.ignored_task_patterns().sources, snapshot.task_patterns.sources
        ),
    )


def describe(snapshot: Snapshot, now: datetime | None = None) -> Status:
    """The state of ``snapshot`` at ``now`` (default: now), settings applied."""
    now = now or timezone.now()
    forced = conf.forced_state()
    phase, window = _window_now(snapshot, now)
    active = snapshot.active(now)
    scope_from_settings = tuple(setting_lists.scope_url_entries())
    return Status(
        active=active,
        enabled=snapshot.enabled if forced is None else forced,
        forced_by_settings=forced is not None,
        cause=_cause(snapshot, phase),
        phase=phase,
        starts_at=window.starts_at if window is not None else None,
        ends_at=window.ends_at if window is not None else None,
        retry_after=retry_after_seconds(snapshot, now) if active else None,
        read_only=snapshot.level_is_read_only(),
        level_fixed=conf.forced_read_only() is not None,
        scope=tuple(snapshot.scope()),
        scope_from_settings=scope_from_settings,
        title=snapshot.title,
        message=snapshot.message,
        changed_at=snapshot.changed_at,
        changed_via=snapshot.changed_via,
        exemptions=_exemptions(snapshot),
        work=_work(snapshot, active, now),
        next_window=snapshot.window_after(now),
        repeats=_repeats(snapshot.schedule),
        announce_before=snapshot.announce_before(),
    )


def upcoming(status: Status, now: datetime | None = None) -> bool:
    """Whether a window opens within the advance notice (``announce_before``, else
    ``MAINTENANCE_MODE_ANNOUNCE_BEFORE``): the banner announces it then."""
    if status.kind != "scheduled" or status.starts_at is None:
        return False
    now = now or timezone.now()
    return now < status.starts_at <= now + timedelta(seconds=status.announce_before)


def announced(snapshot: Snapshot, now: datetime | None = None) -> dict[str, Any] | None:
    """The window the banner announces now, for templates (``maintenance_upcoming``):
    ``starts_at``, ``ends_at`` and ``text``; None while nothing is announced. Cheap:
    no rule is expanded."""
    if not snapshot.enabled or conf.forced_state() is not None:
        return None
    now = now or timezone.now()
    if snapshot.stored_active(now):
        return None
    window = snapshot.window_after(now)
    if window is None or window.starts_at is None:
        return None
    if window.starts_at > now + timedelta(seconds=snapshot.announce_before()):
        return None
    return {
        "starts_at": window.starts_at,
        "ends_at": window.ends_at,
        "text": moments.announcement(window.starts_at, window.ends_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def as_json(status: Status) -> dict[str, Any]:
    """The state for status pages, probes and scripts (the status endpoint's document,
    which ``status --json`` extends): ``enabled``, ``active``, ``forced_by_settings``,
    ``window`` (``starts_at``, ``ends_at``, ``phase``: the window that matters now),
    ``next_window`` (``starts_at``, ``ends_at``, ISO 8601, or None), ``recurrence``
    (``rule``, ``reading``, ``duration_seconds``, ``time_zone``, or None), ``upcoming``
    (the window the banner announces: ``starts_at``, ``ends_at``, ``text``, or None),
    ``retry_after`` (while active), ``read_only`` (the level) and ``scope``. The
    window's datetimes as they are."""
    announced = upcoming(status)
    return {
        "enabled": status.enabled,
        "active": status.active,
        "forced_by_settings": status.forced_by_settings,
        "window": {
            "starts_at": status.starts_at,
            "ends_at": status.ends_at,
            "phase": status.phase,
        },
        "next_window": {
            "starts_at": _iso(status.next_window.starts_at),
            "ends_at": _iso(status.next_window.ends_at),
        }
        if status.next_window is not None
        else None,
        "recurrence": status.repeats.as_dict() if status.repeats is not None else None,
        "upcoming": {
            "starts_at": _iso(status.starts_at),
            "ends_at": _iso(status.ends_at),
            "text": moments.announcement(status.starts_at, status.ends_at),
        }
        if announced and status.starts_at is not None
        else None,
        "retry_after": status.retry_after,
        "read_only": status.read_only,
        "scope": list(status.scope),
    }


@dataclass(frozen=True)
class Names:
    """What the database adds to a status's exemptions, for people to read."""

    groups: list[str]
    users: list[str]
    #: The usable bypass links: (name, expiry or None), by name.
    bypass_links: list[tuple[str, datetime | None]]


def names(exemptions: Exemptions) -> Names:
    """The names of the listed groups and users and of the usable bypass links (three
    queries)."""
    user_model = get_user_model()
    users = user_model._default_manager.filter(pk__in=list(exemptions.user_ids))
    links = BypassLink.objects.usable().order_by("name").values_list("name", "expires_at")
    return Names(
        groups=sorted(
            Group.objects.filter(pk__in=exemptions.group_ids).values_list("name", flat=True)
        ),
        users=sorted(str(user.get_username()) for user in users),
        bypass_links=list(links),
    )
