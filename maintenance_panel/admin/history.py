"""The history in the admin: each change as an operator reads it, and the list of all.

:class:`HistoryRow` turns a stored :class:`~maintenance_panel.models.MaintenanceChange`
into lines of "field: before -> after" in the reader's language; the panel shows the
latest, :class:`MaintenanceChangeAdmin` lists them all (read-only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime, parse_duration
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from maintenance_panel import moments, rule_words
from maintenance_panel.models import MaintenanceChange, MaintenanceConfig
from maintenance_panel.models.history import actor_display

#: Pseudo-fields that the history records besides the model's fields.
EXTRA_LABELS = {"bypass_link": _("bypass link"), "api_token": _("API token")}


def field_label(name: str) -> str:
    """The human name of a tracked field."""
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    try:
        model_field = MaintenanceConfig._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(model_field, "verbose_name", name))


#: Tracked fields that hold a duration (stored in the history as ISO 8601).
DURATION_FIELDS = frozenset({"recurrence_duration", "announce_before"})


def display_value(name: str, value: Any) -> str:
    """A stored (JSON-able) value of field ``name`` as an operator reads it."""
    if name == "read_only" and isinstance(value, bool):
        return gettext("read-only") if value else gettext("full")
    if name == "scope_urls" and value == "":
        return gettext("the whole site")
    if value is None or value == "" or value == []:
        return gettext("(empty)")
    if isinstance(value, bool):
        if name == "enabled":
            return gettext("on") if value else gettext("off")
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(str(entry) for entry in value)
    if name in DURATION_FIELDS and isinstance(value, str):
        duration = parse_duration(value)
        if duration is not None:
            return rule_words.duration_text(duration)
    if name in {"starts_at", "ends_at"} and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return moments.as_text(moment)
    text = " ".join(str(value).split())
    return text if len(text) <= 80 else text[:79] + "…"


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    """One history entry, ready to show: when, who, through which door, what."""

    changed_at: datetime
    actor: str
    source: str
    lines: list[ChangeLine] = field(default_factory=list)

    @classmethod
    def from_change(cls, change: MaintenanceChange) -> HistoryRow:
        return cls(
            changed_at=change.changed_at,
            actor=actor_display(change.actor) if change.actor else gettext("unknown"),
            source=change.get_source_display(),
            lines=[
                ChangeLine(
                    field_label(name), display_value(name, pair[0]), display_value(name, pair[1])
                )
                for name, pair in (change.changes or {}).items()
                if isinstance(pair, list | tuple) and len(pair) == 2
            ],
        )


@admin.register(MaintenanceChange)
class MaintenanceChangeAdmin(admin.ModelAdmin):
    """Every change to maintenance mode, from any source; read-only."""

    list_display = ("when", "actor", "source", "summary")
    list_filter = ("source", "changed_at")
    search_fields = ("actor",)
    date_hierarchy = "changed_at"
    fields = ("when", "actor", "user", "source", "summary")
    readonly_fields = fields

    @admin.display(
        description=MaintenanceChange._meta.get_field("changed_at").verbose_name,
        ordering="changed_at",
    )
    def when(self, change: MaintenanceChange) -> str:
        # With the zone, as everywhere else the app shows a time.
        return moments.as_html(change.changed_at)

    @admin.display(description=_("what changed"))
    def summary(self, change: MaintenanceChange) -> str:
        return "; ".join(
            f"{capfirst(line.label)}: {line.before} → {line.after}"
            for line in HistoryRow.from_change(change).lines
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[MaintenanceChange]:
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
