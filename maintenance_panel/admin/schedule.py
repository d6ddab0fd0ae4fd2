"""The rule editor of the panel: the rule in words and its next five windows.

The ``recurrence`` field is drawn by :class:`RuleInput`: the admin's text input, and
under it the preview (``maintenance_panel/admin/rule_preview.html``), computed from the
form's values when the page is drawn. While the operator types, the panel's script
(``panel.js``) asks :func:`rule_preview_view` for the same fragment with the values
typed so far, so the page and the script show one rendering.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_duration
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maintenance_panel import conf, moments, recurrence, rule_words, validators
from maintenance_panel.windows import Window

if TYPE_CHECKING:
    from maintenance_panel.admin.config import MaintenanceConfigAdmin

#: How many windows the preview lists.
PREVIEWED = 5
PREVIEW_TEMPLATE = "maintenance_panel/admin/rule_preview.html"


def _when(window: Window) -> str:
    """A window in its zone (the current one): "Sunday 13 December 2026, 02:00 to 03:00
    CET", both days named when it spans midnight."""
    assert window.starts_at is not None
    assert window.ends_at is not None
    start, end = moments.local(window.starts_at), moments.local(window.ends_at)
    day_format = pgettext("announced day", "l j F") + " Y"
    ends = date_format(end, "H:i")
    if end.date() != start.date():
        ends = f"{date_format(end, day_format)}, {ends}"
    return _("%(day)s, %(start)s to %(end)s %(zone)s") % {
        "day": date_format(start, day_format),
        "start": date_format(start, "H:i"),
        "end": ends,
        "zone": moments.zone_name(end),
    }


def preview_context(
    rule_text: str, duration_value: Any, now: datetime | None = None
) -> dict[str, Any]:
    """What the preview shows for these values: ``error`` (what is wrong, for the
    field named in ``error_field``), or ``reading`` and ``windows``; empty without a
    rule."""
    if not rule_text.strip():
        return {}
    duration = duration_value if isinstance(duration_value, timedelta) else None
    if isinstance(duration_value, str) and duration_value.strip():
        duration = parse_duration(duration_value.strip())
        if duration is None:
            return {"error": _("Enter a valid duration."), "error_field": "recurrence_duration"}
    zone = conf.time_zone()
    text, errors = validators.schedule_errors(rule_text, duration, None, zone)
    for name in ("recurrence", "recurrence_duration"):
        if name in errors:
            return {"error": " ".join(errors[name].messages), "error_field": name}
    rule = recurrence.parse(text)
    assert duration is not None
    with timezone.override(zone):
        windows = recurrence.occurrences(rule, duration, zone, now or timezone.now(), PREVIEWED)
        return {
            "reading": rule_words.reading(rule, duration),
            "windows": [
                {
                    "when": _when(window),
                    "iso": window.starts_at.isoformat() if window.starts_at else "",
                }
                for window in windows
            ],
            "zone": str(zone),
        }


class RuleInput(forms.TextInput):
    """The admin's text input for a rule, with the preview under it."""

    template_name = "maintenance_panel/admin/rule_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": "vLargeTextField", "spellcheck": "false", **(attrs or {})})
        #: Set by the form (the values it shows) and the panel (the view's address).
        self.preview: dict[str, Any] = {}
        self.preview_url = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["preview"] = self.preview
        context["preview_url"] = self.preview_url
        context["preview_template"] = PREVIEW_TEMPLATE
        return context


def rule_preview_view(panel: MaintenanceConfigAdmin, request: HttpRequest) -> HttpResponse:
    """The preview fragment for ``?rule=...&duration=...`` (GET; the panel's script asks
    it while the operator types). Nothing is saved."""
    if not panel.has_view_or_change_permission(request, panel.current_config()):
        raise PermissionDenied
    context = preview_context(request.GET.get("rule", ""), request.GET.get("duration", ""))
    response = HttpResponse(render_to_string(PREVIEW_TEMPLATE, {"preview": context}, request))
    add_never_cache_headers(response)
    return response
