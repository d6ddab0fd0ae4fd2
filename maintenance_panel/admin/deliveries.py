"""The admin of :class:`~maintenance_panel.models.Delivery`: every notification sent to
each webhook and e-mail address, with its attempts and last error; read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from maintenance_panel import moments
from maintenance_panel.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Each notification to each webhook and address: status, attempts, last error."""

    # No channel column: the address says it (a URL or an e-mail), and the filter has it.
    list_display = ("when", "event", "target", "status", "attempts", "last_error")
    list_filter = ("status", "channel", "notification__event")
    search_fields = ("target", "last_error")
    fields = (
        "event",
        "channel",
        "target",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "updated_at",
    )
    readonly_fields = fields

    class Media:
        # The long columns (address, error) wrap instead of pushing the list sideways.
        css = {"all": ("maintenance_panel/admin/panel.css",)}

    @admin.display(
        description=Delivery._meta.get_field("updated_at").verbose_name, ordering="updated_at"
    )
    def when(self, delivery: Delivery) -> str:
        # With the zone, as everywhere else the app shows a time.
        return moments.as_html(delivery.updated_at)

    @admin.display(description=_("event"), ordering="notification__event")
    def event(self, delivery: Delivery) -> str:
        return str(delivery.notification.get_event_display())

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        return super().get_queryset(request).select_related("notification")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
