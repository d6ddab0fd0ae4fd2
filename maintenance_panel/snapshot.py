"""The snapshot: an immutable, pre-digested copy of the stored state.

Built from plain data (what the database holds, as the shared cache carries it), once
per change per process; every request then reads it without I/O. Patterns are
compiled, networks parsed and id lists turned into sets here, so that the decision
only looks things up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from maintenance_panel import conf
from maintenance_panel.conf import IPNetwork
from maintenance_panel.validators import split_lines
from maintenance_panel.windows import window_open


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
    ignore_admin_site: bool = True
    ignore_staff: bool = False
    ignore_superuser: bool = False
    ignore_authenticated_user: bool = False
    ignore_anonymous_user: bool = False
    group_ids: frozenset[int] = frozenset()
    user_ids: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    url_patterns: tuple[re.Pattern[str], ...] = ()
    #: The stored level (``read_only``); :meth:`is_read_only` applies the setting.
    read_only: bool = False
    #: The admin's scope (``scope_urls``), compiled; ``MAINTENANCE_MODE_SCOPE_URLS`` adds.
    scope_patterns: tuple[re.Pattern[str], ...] = ()
    #: Usable bypass links: id -> expiry (or None).
    bypass_links: dict[int, datetime | None] = field(default_factory=dict)
    changed_at: datetime | None = None
    changed_via: str = ""
    #: True when built from nothing (no table, no row, nothing reachable).
    is_fallback: bool = False
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def window_active(self, now: datetime | None = None) -> bool:
        """The switch and the window (settings not considered)."""
        return window_open(self.enabled, self.starts_at, self.ends_at, now)

    def flag(self, name: str) -> bool:
        """Effective ``ignore_<name>``: the setting when set, else the stored value."""
        return conf.flag_value(name, getattr(self, f"ignore_{name}"))

    def is_read_only(self) -> bool:
        """The effective level: ``MAINTENANCE_MODE_READ_ONLY`` when set, else the stored
        ``read_only`` (whether maintenance is on is not considered)."""
        return conf.read_only_value(self.read_only)

    def in_scope(self, path: str) -> bool:
        """Whether ``path`` (``request.path_info``) is under maintenance when it is on:
        always without a scope, else when a scope pattern (settings' or admin's)
        matches its start."""
        settings_patterns = conf.scope_url_patterns()
        if not (self.scope_patterns or settings_patterns):
            return True
        # Plain loops: cheaper than any() over a generator, on every request in scope.
        for pattern in settings_patterns:
            if pattern.match(path):
                return True
        for pattern in self.scope_patterns:  # noqa: SIM110
            if pattern.match(path):
                return True
        return False

    def scope(self) -> list[str]:
        """The scope's patterns as written, settings' first; empty for the whole site."""
        return [
            *(pattern.pattern for pattern in conf.scope_url_patterns()),
            *split_lines(self.data.get("scope_urls", "")),
        ]

    @classmethod
    def from_data(cls, data: dict[str, Any], stamp: str) -> Snapshot:
        """Build from the plain data that the shared cache carries."""
        return cls(
            stamp=stamp,
            enabled=bool(data.get("enabled")),
            title=data.get("title", ""),
            message=data.get("message", ""),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            ignore_admin_site=data.get("ignore_admin_site", True),
            ignore_staff=data.get("ignore_staff", False),
            ignore_superuser=data.get("ignore_superuser", False),
            ignore_authenticated_user=data.get("ignore_authenticated_user", False),
            ignore_anonymous_user=data.get("ignore_anonymous_user", False),
            group_ids=frozenset(data.get("group_ids", ())),
            user_ids=frozenset(str(pk) for pk in data.get("user_ids", ())),
            networks=conf.usable_networks(split_lines(data.get("ignore_ip_addresses", ""))),
            url_patterns=conf.usable_patterns(split_lines(data.get("ignore_urls", ""))),
            read_only=bool(data.get("read_only", False)),
            scope_patterns=conf.usable_patterns(split_lines(data.get("scope_urls", ""))),
            bypass_links=dict(data.get("bypass_links", {})),
            changed_at=data.get("changed_at"),
            changed_via=data.get("changed_via", ""),
            is_fallback=bool(data.get("is_fallback")),
            data=data,
        )
