"""``{% load maintenance_panel %}``: the ``{% maintenance_banner %}`` tag and the
``with_zone`` filter."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenance_panel import conf, decision, moments, state
from maintenance_panel.forms import describe_scope

register = template.Library()

REASONS = {
    "url": _("this address stays available during maintenance"),
    "ip": _("your network is on the exemption list"),
    "bypass": _("you opened a bypass link"),
    "anonymous": _("visitors who are not logged in are exempt"),
    "authenticated": _("logged-in users are exempt"),
    "staff": _("staff users are exempt"),
    "superuser": _("superusers are exempt"),
    "user": _("your account is on the exemption list"),
    "group": _("your group is on the exemption list"),
    "view": _("this page stays available during maintenance"),
}


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

    Before a scheduled window (within ``MAINTENANCE_MODE_ANNOUNCE_BEFORE``) everyone
    sees when it starts; during maintenance whoever still sees the site is told why;
    during read-only maintenance every reader is told that changes are paused (and an
    exempt one why they may still make them). With a scope it speaks only on the pages
    in the scope, and names it. Silent otherwise, and on the maintenance page itself.
    Needs ``request`` in the context (``django.template.context_processors.request``)
    to say why.
    """
    if context.get("maintenance_page"):
        return {"kind": None}
    snapshot = state.get_snapshot()
    request = context.get("request")
    if snapshot.active():
        scope = describe_scope(snapshot.scope())
        read_only = snapshot.level_is_read_only()
        kind = "read_only" if read_only else "on"
        if request is None:
            return {"kind": kind, "reason": None, "ends_at": snapshot.ends_at, "scope": scope}
        if not decision.under_maintenance(request, snapshot):
            # Outside the scope (or on a page that is always up): nothing to say.
            return {"kind": None}
        user = decision.request_user(request)
        reason = decision.exemption_reason(request, user, snapshot)
        if reason is None and not read_only:
            reason = "view"
        return {
            "kind": kind,
            "reason": REASONS[reason] if reason else None,
            "ends_at": snapshot.ends_at,
            "scope": scope,
        }
    starts_at = snapshot.starts_at
    if (
        conf.forced_state() is None
        and snapshot.enabled
        and starts_at is not None
        and timezone.now() < starts_at <= timezone.now() + timedelta(seconds=conf.announce_before())
    ):
        return {"kind": "scheduled", "starts_at": starts_at, "ends_at": snapshot.ends_at}
    return {"kind": None}
