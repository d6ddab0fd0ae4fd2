"""The snapshot: an immutable, pre-digested copy of the stored state.

Built from plain data (what the database holds, as the shared cache carries it), once
per change per process; every request then reads it without I/O. Patterns are
compiled, networks parsed and id lists turned into sets here, so that the decision
only looks things up. Networks and patterns become flat matchers
(:mod:`maintenance_panel.matching`), rebuilt only when their text changes: a change of
the title does not parse ten thousand networks again. The limits of a list bound what a
build costs (:mod:`maintenance_panel.matching.limits`); text stored around the form's
validation is cut to what fits them, never built whole.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.utils import timezone

from maintenance_panel import conf, recurrence, setting_lists
from maintenance_panel.matching import NetworkSet, PatternSet, split_lines
from maintenance_panel.recurrence import Schedule
from maintenance_panel.windows import Window, one_off, window_phase

logger = logging.getLogger("maintenance_panel")

#: The matchers of an empty list, shared.
NO_NETWORKS = NetworkSet()
NO_PATTERNS = PatternSet()


#: Held while a matcher is built, so that threads that ask for the same new text at
#: once (a request re-validating, the panel reading what is stored) build it once.
_BUILDING = threading.Lock()


def networks_of(text: str) -> NetworkSet:
    """The usable networks of stored text (bad lines skipped: the form refuses them),
    built once per text per process."""
    with _BUILDING:
        return _networks_of(text)


def patterns_of(text: str) -> PatternSet:
    """The usable URL patterns of stored text, built once per text per process: lines
    RE2 refuses, and lines past the limits of a list, are left out (the form refuses
    them, so only text saved around the form can hold them), and logged."""
    with _BUILDING:
        return _patterns_of(text)


def forget_built() -> None:
    """Forget the matchers built so far (the next snapshot builds its own again)."""
    with _BUILDING:
        _networks_of.cache_clear()
        _patterns_of.cache_clear()


# A few entries: the current text and the one before it, which a process may still read
# back (a rolled-back change, or the stale state kept during an outage).
@lru_cache(maxsize=2)
def _networks_of(text: str) -> NetworkSet:
    if not text.strip():
        return NO_NETWORKS
    networks = NetworkSet.from_lines(text, skip_invalid=True)
    if networks.left_out:
        logger.warning(
            "maintenance_panel: %s; open the maintenance page in the admin and save it to "
            "see which",
            networks.left_out.describe(
                "stored IP address(es) or network(s)", "are not addresses or networks"
            ),
        )
    return networks


# Every field of patterns shares this cache: two texts for each of up to three fields.
@lru_cache(maxsize=6)
def _patterns_of(text: str) -> PatternSet:
    if not text.strip():
        return NO_PATTERNS
    patterns = PatternSet.from_lines(text, skip_invalid=True)
    if patterns.left_out:
        logger.warning(
            "maintenance_panel: %s; open the maintenance page in the admin and save it to "
            "see which",
            patterns.left_out.describe("stored URL pattern(s)", "are not RE2 syntax"),
        )
    return patterns


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An immutable, pre-digested copy of the stored state."""

    #: Identifies the data: the shared version, or a per-process unique value.
    stamp: str = ""
    enabled: bool = False
    title: str = ""
    message: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    #: The occurrences of the repeated window (``recurrence``), or None.
    schedule: Schedule | None = None
    #: Switched on with no window and no rule: on whatever the time (spares the hot
    #: path the clock).
    on_without_window: bool = False
    ignore_admin_site: bool = True
    ignore_staff: bool = False
    ignore_superuser: bool = False
    ignore_authenticated_user: bool = False
    ignore_anonymous_user: bool = False
    group_ids: frozenset[int] = frozenset()
    user_ids: frozenset[str] = frozenset()
    networks: NetworkSet = NO_NETWORKS
    url_patterns: PatternSet = NO_PATTERNS
    #: The stored level (``read_only``); :meth:`level_is_read_only` applies the setting.
    read_only: bool = False
    #: The admin's scope (``scope_urls``); ``MAINTENANCE_MODE_SCOPE_URLS`` adds.
    scope_patterns: PatternSet = NO_PATTERNS
    #: The admin's exempt background work (``ignore_tasks``); ``MAINTENANCE_MODE_IGNORE_TASKS``
    #: adds.
    task_patterns: PatternSet = NO_PATTERNS
    #: Usable bypass links: id -> expiry (or None).
    bypass_links: dict[int, datetime | None] = field(default_factory=dict)
    changed_at: datetime | None = None
    changed_via: str = ""
    #: When the switch was last turned on (None while it is off).
    switched_on_at: datetime | None = None
    #: True when built from nothing (no table, no row, nothing reachable).
    is_fallback: bool = False
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def stored_active(self, now: datetime | None = None) -> bool:
        """Whether the switch and the windows hold the site now (settings not
        considered): see :func:`maintenance_panel.recurrence.stored_active`."""
        return recurrence.stored_active(
            self.enabled, self.starts_at, self.ends_at, self.schedule, now
        )

    def _one_off(self, now: datetime, phase: str) -> Window | None:
        window = one_off(self.starts_at, self.ends_at)
        if window is not None and window_phase(self.starts_at, self.ends_at, now) == phase:
            return window
        return None

    def window_at(self, now: datetime) -> Window | None:
        """The window open at ``now`` (switch aside): the one-off window or an
        occurrence, or None."""
        window = self._one_off(now, "open")
        if window is None and self.schedule is not None:
            return self.schedule.window_at(now)
        return window

    def window_before(self, now: datetime) -> Window | None:
        """The latest window that closed at or before ``now``, or None."""
        windows = [self._one_off(now, "ended")]
        if self.schedule is not None:
            windows.append(self.schedule.window_before(now))
        closed = [w for w in windows if w is not None and w.ends_at is not None]
        return max(closed, key=lambda w: w.ends_at, default=None)  # type: ignore[arg-type,return-value]

    def window_after(self, now: datetime) -> Window | None:
        """The next window that opens after ``now``, or None."""
        windows = [self._one_off(now, "scheduled")]
        if self.schedule is not None:
            windows.append(self.schedule.window_after(now))
        ahead = [w for w in windows if w is not None and w.starts_at is not None]
        return min(ahead, key=lambda w: w.starts_at, default=None)  # type: ignore[arg-type,return-value]

    def end_of_maintenance(self, now: datetime | None = None) -> datetime | None:
        """When the maintenance on now ends by itself: the end of the open occurrence
        with a rule, else the one-off window's end (None: when switched off)."""
        if self.schedule is None:
            return self.ends_at
        window = self.window_at(now or timezone.now())
        return window.ends_at if window is not None else None

    def announce_before(self) -> float:
        """Seconds before a window opens during which the banner announces it: the
        stored ``announce_before``, else ``MAINTENANCE_MODE_ANNOUNCE_BEFORE``."""
        stored = self.data.get("announce_before")
        return stored.total_seconds() if stored is not None else conf.announce_before()

    def active(self, now: datetime | None = None) -> bool:
        """Whether maintenance is on now: ``MAINTENANCE_MODE`` when set, else the switch
        and the window. Any level, whatever the scope."""
        forced = conf.forced_state()
        if forced is not None:
            return forced
        return self.on_without_window or self.stored_active(now)

    def flag(self, name: str) -> bool:
        """Effective ``ignore_<name>``: the setting when set, else the stored value."""
        return conf.flag_value(name, getattr(self, f"ignore_{name}"))

    def level_is_read_only(self) -> bool:
        """Whether the level is read-only rather than full: ``MAINTENANCE_MODE_READ_ONLY``
        when set, else the stored ``read_only``. Says nothing of whether maintenance is
        on (see :meth:`read_only_in_force`)."""
        return conf.read_only_value(self.read_only)

    def read_only_in_force(self, now: datetime | None = None) -> bool:
        """Whether read-only maintenance is in force: on now, at the read-only level."""
        return self.active(now) and self.level_is_read_only()

    def in_scope(self, path: str) -> bool:
        """Whether ``path`` (``request.path_info``) is under maintenance when it is on:
        always without a scope, else when a scope pattern (settings' or admin's)
        matches its start."""
        # ``.sources`` rather than truth tests: this runs on every request while
        # maintenance is on, and a Python-level __bool__ costs as much as a match.
        settings_patterns = setting_lists.scope_url_patterns()
        if settings_patterns.sources:
            if settings_patterns.match(path):
                return True
            return bool(self.scope_patterns.sources) and self.scope_patterns.match(path)
        return not self.scope_patterns.sources or self.scope_patterns.match(path)

    def covers_whole_site(self) -> bool:
        """Whether maintenance, when on, covers the whole site (no scope, settings' or
        admin's)."""
        return not setting_lists.scope_url_patterns().sources and not self.scope_patterns.sources

    def scope(self) -> list[str]:
        """The scope's patterns as written, settings' first; empty for the whole site."""
        return [
            *setting_lists.scope_url_entries(),
            *split_lines(self.data.get("scope_urls", "")),
        ]

    @classmethod
    def from_data(cls, data: dict[str, Any], stamp: str) -> Snapshot:
        """Build from the plain data that the shared cache carries."""
        schedule = recurrence.schedule_of(
            data.get("recurrence") or "", data.get("recurrence_duration"), conf.time_zone()
        )
        return cls(
            stamp=stamp,
            enabled=bool(data.get("enabled")),
            title=data.get("title", ""),
            message=data.get("message", ""),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            schedule=schedule,
            on_without_window=bool(data.get("enabled"))
            and data.get("starts_at") is None
            and data.get("ends_at") is None
            and schedule is None,
            ignore_admin_site=data.get("ignore_admin_site", True),
            ignore_staff=data.get("ignore_staff", False),
            ignore_superuser=data.get("ignore_superuser", False),
            ignore_authenticated_user=data.get("ignore_authenticated_user", False),
            ignore_anonymous_user=data.get("ignore_anonymous_user", False),
            group_ids=frozenset(data.get("group_ids", ())),
            user_ids=frozenset(str(pk) for pk in data.get("user_ids", ())),
            networks=networks_of(data.get("ignore_ip_addresses") or ""),
            url_patterns=patterns_of(data.get("ignore_urls") or ""),
            read_only=bool(data.get("read_only", False)),
            scope_patterns=patterns_of(data.get("scope_urls") or ""),
            task_patterns=patterns_of(data.get("ignore_tasks") or ""),
            bypass_links=dict(data.get("bypass_links", {})),
            changed_at=data.get("changed_at"),
            changed_via=data.get("changed_via", ""),
            switched_on_at=data.get("switched_on_at"),
            is_fallback=bool(data.get("is_fallback")),
            data=data,
        )
