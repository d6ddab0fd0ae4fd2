"""Fleet reports: what one process says about itself, and how long it counts.

Every process that serves requests reports to the shared cache each time it
re-validates its snapshot (:mod:`maintenance_panel.fleet.writer` writes it). A report
holds the ``host``, the ``pid``, the ``version`` of the state it installed, whether it
applies maintenance (``active``), whether its own settings fix the state (``forced``),
when (``seen_at``) and its TTL. "Seen recently" means re-validated within
:func:`seen_recently` seconds (60, or three TTLs if that is longer): each report is
stored with that timeout, so a process that stops or idles drops out of the list by
itself. Reports live in :data:`SLOTS` cache keys, one per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from maintenance_panel import conf, versions

#: How many processes can report at once (one cache key each).
SLOTS = 1024
#: Cache key of one slot (``% slot``).
SLOT_KEY = "maintenance_panel:fleet:v1:%d"
#: Longest time from a re-validation until its report is in the cache (the background
#: write): a wait never trusts the absence of a newer report before it has passed.
REPORT_DELAY = 0.25
#: Tolerated difference between the clocks of the hosts (seconds).
CLOCK_TOLERANCE = 0.25


def seen_recently() -> float:
    """Seconds a report stays listed: 60, or three TTLs when that is longer."""
    return max(60.0, 3 * conf.state_ttl())


def reports_are_shared() -> bool:
    """Whether processes can read each other's reports (the cache is shared)."""
    return versions.cache_is_shared()


# -- what a process reports ----------------------------------------------------------


@dataclass(frozen=True)
class ProcessReport:
    """One process's report: who it is and what state it applies."""

    host: str
    pid: int
    #: The version (stamp) of the state it installed: the shared version number, or
    #: ``local-...`` when it read the database itself.
    version: str
    #: Whether it holds requests back (its settings, the switch and the window).
    active: bool
    #: Whether its own ``MAINTENANCE_MODE`` setting fixes the state.
    forced: bool
    seen_at: datetime
    #: Its ``MAINTENANCE_MODE_STATE_TTL``: how long it trusts what it installed.
    ttl: float
    #: Tells apart two processes that had the same host and pid one after the other.
    token: str = ""

    @property
    def label(self) -> str:
        """``web-2, pid 4711``."""
        return _("%(host)s, pid %(pid)s") % {"host": self.host, "pid": self.pid}

    @property
    def forced_text(self) -> str:
        """``forced on/off by its settings`` (empty when its settings do not fix it)."""
        if not self.forced:
            return ""
        return _("forced on by its settings") if self.active else _("forced off by its settings")

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (``seen_at`` in ISO 8601)."""
        return {
            "host": self.host,
            "pid": self.pid,
            "version": self.version,
            "active": self.active,
            "forced": self.forced,
            "seen_at": self.seen_at.isoformat(),
            "ttl": self.ttl,
        }

    @classmethod
    def from_stored(cls, stored: Any) -> ProcessReport | None:
        """A report from what a slot holds (None for anything else)."""
        try:
            return cls(
                host=str(stored["host"]),
                pid=int(stored["pid"]),
                version=str(stored["version"]),
                active=bool(stored["active"]),
                forced=bool(stored["forced"]),
                seen_at=datetime.fromtimestamp(float(stored["seen_at"]), tz=UTC),
                ttl=float(stored["ttl"]),
                token=str(stored.get("token", "")),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def same_process(a: Any, b: dict[str, Any]) -> bool:
    return isinstance(a, dict) and all(a.get(k) == b[k] for k in ("host", "pid", "token"))
