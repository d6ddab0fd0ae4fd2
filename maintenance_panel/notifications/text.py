"""An event in words: the subject and body of the e-mail, and of a Slack or Teams message.

Written from the webhook document (:func:`~maintenance_panel.notifications.events.build_payload`)
in the active language, times in the current time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Each event as the subject line says it.
HEADLINES = {
    "switched_on": gettext_lazy("Maintenance switched on"),
    "switched_off": gettext_lazy("Maintenance switched off"),
    "changed": gettext_lazy("Maintenance changed"),
    "window_opened": gettext_lazy("Maintenance window opened"),
    "window_closed": gettext_lazy("Maintenance window closed"),
    "still_on": gettext_lazy("Maintenance still on"),
}


def _when(value: str | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def subject(payload: dict[str, Any]) -> str:
    """One line: what happened, on which site ("example.com: Maintenance switched on")."""
    event = payload.get("event", "")
    headline = str(HEADLINES.get(event, event))
    site = payload.get("site")
    return _("%(site)s: %(event)s") % {"site": site, "event": headline} if site else headline


def body(payload: dict[str, Any]) -> str:
    """A few lines: whether maintenance is on, its level, scope, window, text, and who
    changed it."""
    lines = [
        _("Maintenance is on.") if payload.get("active") else _("Maintenance is off."),
        _("Level: read-only") if payload.get("read_only") else _("Level: full"),
    ]
    scope = payload.get("scope") or []
    lines.append(
        _("Scope: %(patterns)s") % {"patterns": ", ".join(scope)}
        if scope
        else _("Scope: whole site")
    )
    starts, ends = _when(payload.get("starts_at")), _when(payload.get("ends_at"))
    if starts or ends:
        lines.append(
            _("Window: %(starts)s to %(ends)s") % {"starts": starts or "…", "ends": ends or "…"}
        )
    if payload.get("title"):
        lines.append(_("Title: %(title)s") % {"title": payload["title"]})
    if payload.get("message"):
        lines.append(_("Message: %(message)s") % {"message": payload["message"]})
    if payload.get("changed_by"):
        lines.append(_("Changed by: %(actor)s") % {"actor": payload["changed_by"]})
    lines.append(_("At: %(when)s") % {"when": _when(payload.get("at"))})
    return "\n".join(lines)
