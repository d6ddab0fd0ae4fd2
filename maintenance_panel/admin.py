"""The admin's maintenance page, built on django-solo's ``SingletonModelAdmin``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from solo.admin import SingletonModelAdmin

from maintenance_panel import changes, conf
from maintenance_panel.models import MaintenanceConfig


def fixed_fields() -> dict[str, str]:
    """Fields fixed by settings, with the reason shown in the admin."""
    fixed: dict[str, str] = {}
    if conf.forced_state() is not None:
        fixed["enabled"] = str(
            _("Fixed by the MAINTENANCE_MODE setting (%(value)s).")
            % {"value": conf.forced_state()}
        )
    for flag in conf.IGNORE_FLAGS:
        value = conf.forced_flag(flag)
        if value is not None:
            fixed[f"ignore_{flag.lower()}"] = str(
                _("Fixed by the MAINTENANCE_MODE_IGNORE_%(flag)s setting (%(value)s).")
                % {"flag": flag, "value": value}
            )
    return fixed


class MaintenanceConfigForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = MaintenanceConfig
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, reason in fixed_fields().items():
            field = self.fields.get(name)
            if field is not None:
                field.disabled = True
                field.help_text = reason


@admin.register(MaintenanceConfig)
class MaintenanceConfigAdmin(SingletonModelAdmin):
    form = MaintenanceConfigForm
    filter_horizontal = ("ignore_groups",)
    autocomplete_fields = ("ignore_users",)
    readonly_fields = ("changed_at", "changed_by", "changed_via")
    fieldsets = (
        (None, {"fields": ("enabled",)}),
        (_("What visitors see"), {"fields": ("title", "message")}),
        (_("Schedule"), {"fields": ("starts_at", "ends_at")}),
        (
            _("Who keeps using the site"),
            {
                "fields": (
                    "ignore_admin_site",
                    "ignore_staff",
                    "ignore_superuser",
                    "ignore_authenticated_user",
                    "ignore_anonymous_user",
                    "ignore_groups",
                    "ignore_users",
                    "ignore_ip_addresses",
                    "ignore_urls",
                )
            },
        ),
        (_("Last change"), {"fields": ("changed_at", "changed_by", "changed_via")}),
    )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # One history entry per admin save, covering the fields and the m2m lists.
        with changes.recording(source="admin", user=request.user):
            return super().changeform_view(request, object_id, form_url, extra_context)
