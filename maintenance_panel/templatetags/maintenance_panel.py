"""``{% load maintenance_panel %}``: the ``{% maintenance_banner %}`` tag and the
``with_zone`` filter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.http import HttpRequest

from maintenance_panel import decision, moments, state, status, wording
from maintenance_panel.snapshot import Snapshot

register = template.Library()


@register.filter
def with_zone(value: object, format_name: str = "DATETIME_FORMAT") -> object:
    """``{{ moment|with_zone }}``: a ``<time datetime>`` element whose text names the
    zone ("Dec. 2, 2026, 6:01 p.m. UTC"). Takes a format name as argument
    (``{{ moment|with_zone:"SHORT_DATETIME_FORMAT" }}``); anything but a datetime
    (``None``, an empty string) is left as it is."""
    if not isinstance(value, datetime):
        return value
    return moments.as_html(value, format_name)


@register.inclusion_tag("maintenance_panel/banner.html", takes_context=True)
def maintenance_banner(context: template.Context) -> dict[str, Any]:
    """Announce an upcoming window, or tell an exempt user that maintenance is on.

    Before a window or an occurrence opens (within its ``announce_before``, else
    ``MAINTENANCE_MODE_ANNOUNCE_BEFORE``) everyone sees when it starts and ends; during
    maintenance whoever still sees the site is told why; during read-only maintenance
    every reader is told that changes are paused (and an exempt one why they may still
    make them). With a scope it speaks only on the pages in the scope, and names it.
    Silent otherwise, and on the maintenance page itself. Needs ``request`` in the
    context (``django.template.context_processors.request``) to say why.
    """
    if context.get("maintenance_page"):
        return {"kind": None}
    snapshot = state.get_snapshot()
    described = status.describe(snapshot)
    if described.active:
        return _during_maintenance(context.get("request"), snapshot, described)
    if status.upcoming(described) and described.starts_at is not None:
        return {
            "kind": "scheduled",
            "starts_at": described.starts_at,
            "ends_at": described.ends_at,
            "announcement": moments.announcement(described.starts_at, described.ends_at),
        }
    return {"kind": None}


def _during_maintenance(
    request: HttpRequest | None, snapshot: Snapshot, described: status.Status
) -> dict[str, Any]:
    kind = "read_only" if described.read_only else "on"
    scope = wording.scope_phrase(described.scope)
    if request is None:
        return {"kind": kind, "reason": None, "ends_at": described.ends_at, "scope": scope}
    if not snapshot.in_scope(request.path_info):
        # Outside the scope (or on a page that is always up): nothing to say.
        return {"kind": None}
    reason: str | None = decision.decide_change(request, snapshot).reason
    if reason not in wording.EXEMPTION_REASONS:
        # Not exempt: during full maintenance the page was served for another reason
        # (a decorated view); during read-only maintenance the visitor reads only.
        reason = None if described.read_only else "view"
    return {
        "kind": kind,
        "reason": wording.EXEMPTION_REASONS[reason] if reason else None,
        "ends_at": described.ends_at,
        "scope": scope,
    }
