"""Which of the state's components (the database, the shared cache) are failing.

A failure is told to the log once per episode: again only after the component has been
seen working. What the reader does instead (read the database, keep the last known
state) is said with it.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("maintenance_panel")

#: What the state does while a component fails, for the log line.
INSTEAD = {
    "shared cache": "reading the database instead",
    "database": "keeping the last known state",
}

#: Components currently known to fail in this process.
_degraded: set[str] = set()


def report_unavailable(kind: str, exc: BaseException) -> None:
    """Log that ``kind`` (``"database"``, ``"shared cache"``) failed, once per episode."""
    if kind not in _degraded:
        _degraded.add(kind)
        logger.warning("maintenance_panel: %s unavailable, %s: %s", kind, INSTEAD[kind], exc)


def report_available(kind: str) -> None:
    """Log that ``kind`` works again, once, after :func:`report_unavailable`."""
    if kind in _degraded:
        _degraded.discard(kind)
        logger.info("maintenance_panel: %s available again", kind)


def forget() -> None:
    """Forget every episode (a fresh process state, for tests)."""
    _degraded.clear()
