"""Template context processor: ``maintenance_mode``, ``maintenance_read_only`` and
``maintenance_upcoming``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from maintenance_panel import decision, state, status
from maintenance_panel.snapshot import Snapshot


def maintenance_mode(request: HttpRequest) -> dict[str, Any]:
    """Add ``maintenance_mode`` and ``maintenance_read_only`` (bools), and
    ``maintenance_upcoming``.

    ``maintenance_mode``: whether maintenance is on for this request's own path (on
    now, and the path in the scope when there is one). ``maintenance_read_only``:
    whether this request's visitor cannot change anything now (read-only maintenance
    for this path, and the visitor is not exempt), so that a template can hide its
    forms. Neither reads the user unless read-only maintenance applies to the path.
    ``maintenance_upcoming``: the window announced now (``starts_at``, ``ends_at`` and
    ``text``, "Maintenance on Sunday 7 December from 02:00 to 03:00 CET."), or None.
    """
    snapshot = state.get_snapshot()
    on = snapshot.active() and snapshot.in_scope(request.path_info)
    read_only = on and snapshot.level_is_read_only() and _changes_refused(request, snapshot)
    return {
        "maintenance_mode": on,
        "maintenance_read_only": read_only,
        "maintenance_upcoming": None if on else status.announced(snapshot),
    }


def _changes_refused(request: HttpRequest, snapshot: Snapshot) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is not None and decision.forced_by_view(match.func) is False:
        return False  # the view serves changes as usual
    return decision.decide_change(request, snapshot).action == decision.REFUSE
