"""The control panel: the admin's maintenance page, built on django-solo's
``SingletonModelAdmin``.

One page shows the state (ON / OFF / SCHEDULED, since when, by whom), the servers,
background work, the switch, the form for the text, the window and the exemptions, the
bypass links and the history. Its extra views live in modules of their own, under this
model admin's URLs (named ``maintenance_panel_maintenanceconfig_*``, so that they stay
reachable during maintenance for whoever may use the panel, even with
``ignore_admin_site`` off):
:mod:`~maintenance_panel.admin.switch` (turning maintenance on and off),
:mod:`~maintenance_panel.admin.preview` (the page as a visitor gets it) and
:mod:`~maintenance_panel.admin.bypass` (bypass links).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import django
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from solo.admin import SingletonModelAdmin

from maintenance_panel import core, loading, state, status
from maintenance_panel.admin import bypass, preview, schedule, switch
from maintenance_panel.admin.forms import MaintenanceConfigForm
from maintenance_panel.admin.history import HistoryRow
from maintenance_panel.admin.presentation import (
    notifications_summary,
    panel_status,
    servers_summary,
    work_summary,
)
from maintenance_panel.decision import PANEL_URL_PREFIX
from maintenance_panel.models import (
    BypassLink,
    ConflictError,
    Delivery,
    MaintenanceChange,
    MaintenanceConfig,
)
from maintenance_panel.models.history import recording

#: The panel's URL names are this and a suffix: ``_change``, ``_toggle``...
URL_NAME = PANEL_URL_PREFIX.rstrip("_")
#: How many history entries the panel shows; the full list has its own page.
HISTORY_ON_PANEL = 10


def _as_text(value: Any) -> Any:
    """``value`` with every lazy string made text (in the language active now)."""
    if isinstance(value, dict):
        return {key: _as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    return value if isinstance(value, str | int | float | bool | None) else str(value)


def admin_held_back() -> bool:
    """Whether maintenance is on for the admin too (``ignore_admin_site`` off)."""
    snapshot = state.get_snapshot()
    return snapshot.active() and not snapshot.flag("admin_site")


#: The panel's form, section by section, as the operator reads it.
FIELDSETS: tuple[Any, ...] = (
    (
        _("What visitors see"),
        {"fields": ("title", "message"), "classes": ("mp-message",)},
    ),
    (
        _("Schedule"),
        {
            "fields": (
                "enabled",
                "starts_at",
                "ends_at",
                "recurrence",
                "recurrence_duration",
                "announce_before",
            ),
            "description": _(
                "The button at the top switches at once. Here you can switch and set a "
                "window in one save: before the start visitors still see the site, after "
                "the end they see it again. A repeated window opens by its rule while "
                "maintenance is switched on."
            ),
        },
    ),
    (
        _("Level and scope"),
        {
            "fields": ("read_only", "scope_urls"),
            "description": _(
                "Read-only keeps the site readable and refuses changes; a scope puts only "
                "some pages under maintenance and leaves the rest of the site up."
            ),
        },
    ),
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
    (
        _("Who is told"),
        {
            "fields": ("notify_groups",),
            "description": _(
                "The members of these groups get an e-mail when maintenance is switched "
                "on or off, or changes while it is on; the webhooks of the "
                "MAINTENANCE_MODE_WEBHOOKS setting get the same events."
            ),
        },
    ),
    (
        _("Background work"),
        {
            "fields": ("ignore_tasks",),
            "description": _(
                "While the whole site is under full maintenance, tasks and scheduled "
                "commands that check for it wait and are tried again later; the ones "
                "listed here keep running. Under read-only maintenance they run, but "
                "cannot write to the database."
            ),
        },
    ),
)


@admin.register(MaintenanceConfig)
class MaintenanceConfigAdmin(SingletonModelAdmin):
    """The control panel: status, switch, text, window, exemptions, links, history."""

    form = MaintenanceConfigForm
    change_form_template = "maintenance_panel/admin/panel.html"
    object_history_template = "maintenance_panel/admin/object_history.html"
    filter_horizontal = ("ignore_groups", "notify_groups")
    autocomplete_fields = ("ignore_users",)
    fieldsets = FIELDSETS

    class Media:
        css = {"all": ("maintenance_panel/admin/panel.css",)}
        js = ("maintenance_panel/admin/panel.js",)

    # -- the extra views and what they share --------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        def view(function: Any) -> Any:
            return self.admin_site.admin_view(partial(function, self))

        return [
            path("toggle/", view(switch.toggle_view), name=f"{URL_NAME}_toggle"),
            path("preview/", view(preview.preview_view), name=f"{URL_NAME}_preview"),
            path(
                "rule-preview/", view(schedule.rule_preview_view), name=f"{URL_NAME}_rule_preview"
            ),
            path("bypass-links/add/", view(bypass.add_view), name=f"{URL_NAME}_bypass_add"),
            path(
                "bypass-links/<int:link_id>/revoke/",
                view(bypass.revoke_view),
                name=f"{URL_NAME}_bypass_revoke",
            ),
            *super().get_urls(),
        ]

    def panel_url(self, anchor: str = "") -> str:
        """The panel's URL (with ``#anchor``)."""
        url = reverse(f"admin:{URL_NAME}_change", current_app=self.admin_site.name)
        return f"{url}#{anchor}" if anchor else url

    def current_config(self) -> MaintenanceConfig:
        """The stored config, read now."""
        config = (
            MaintenanceConfig.objects.select_related("changed_by")
            .filter(pk=self.singleton_instance_id)
            .first()
        )
        return config or MaintenanceConfig.get_solo()

    def page(
        self, request: HttpRequest, template: str, title: str, **context: Any
    ) -> TemplateResponse:
        """One of the panel's own pages, in the admin's frame."""
        request.current_app = self.admin_site.name
        form = context.get("form")
        media = self.media + form.media if form is not None else self.media
        if form is not None:
            # Rendered with the admin's own fieldset template, as on any change form.
            context["adminform"] = helpers.AdminForm(
                form, [(None, {"fields": list(form.fields)})], {}
            )
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "panel_url": self.panel_url(),
                "media": media,
                **context,
            },
        )

    def log(self, request: HttpRequest, message: list[dict[str, Any]]) -> None:
        """Record a change in the admin's own log (its History page)."""
        # The admin log stores the message's names as text: store them untranslated, as
        # Django's own admin does, so each reader sees them in their own language.
        with translation.override(None):
            self.log_change(request, self.current_config(), _as_text(message))

    # -- the change form -------------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        while True:
            try:
                # One history entry per admin save, covering the fields and the m2m lists.
                with recording(source="admin", user=request.user):
                    return super().changeform_view(request, object_id, form_url, extra_context)
            except ConflictError:
                # Someone saved between this form's validation and its save (the save was
                # rolled back). Validating again reports the conflict with the input kept;
                # only yet another save in that instant brings us round again.
                continue

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.expected_version = form.cleaned_data.get("version")
        super().save_model(request, obj, form, change)

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str] | tuple[str, ...]:
        fields = super().get_autocomplete_fields(request)
        if admin_held_back():
            # The autocomplete view belongs to the part of the admin that is held back
            # now; a plain list of users works without it.
            return [name for name in fields if name != "ignore_users"]
        return fields

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponseRedirect:
        # The panel is where the state is shown: stay on it after saving.
        self.message_user(request, gettext("Maintenance mode was saved."), messages.SUCCESS)
        return HttpResponseRedirect(self.panel_url())

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        context["panel"] = self._panel_context(request)
        rule_field = context["adminform"].form.fields.get("recurrence")
        if rule_field is not None and isinstance(rule_field.widget, schedule.RuleInput):
            rule_field.widget.preview_url = reverse(
                f"admin:{URL_NAME}_rule_preview", current_app=self.admin_site.name
            )
        # Before 6.1 the admin puts the object tools (History) at the top of the content
        # block, beside the title; the status box goes below them, as on a stock page.
        context["object_tools_in_content"] = django.VERSION < (6, 1)
        # One page, one heading: "Maintenance mode" rather than "Change maintenance mode".
        context["title"] = capfirst(self.opts.verbose_name)
        context["subtitle"] = None
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _changes_url(self, request: HttpRequest) -> str | None:
        if not self.admin_site.is_registered(MaintenanceChange):
            return None
        if not self.admin_site.get_model_admin(MaintenanceChange).has_view_permission(request):
            return None
        return reverse(
            "admin:maintenance_panel_maintenancechange_changelist",
            current_app=self.admin_site.name,
        )

    def _deliveries_url(self, request: HttpRequest) -> str | None:
        if not self.admin_site.is_registered(Delivery):
            return None
        if not self.admin_site.get_model_admin(Delivery).has_view_permission(request):
            return None
        return reverse(
            "admin:maintenance_panel_delivery_changelist", current_app=self.admin_site.name
        )

    def _panel_context(self, request: HttpRequest) -> dict[str, Any]:
        config = self.current_config()
        described = status.describe(loading.read_snapshot("panel"))
        can_change = self.has_change_permission(request, config)
        urls_included = core.urls_included()
        return {
            "config": config,
            "status": panel_status(described),
            "servers": servers_summary(described),
            "work": work_summary(described),
            "notifications": notifications_summary(),
            "deliveries_url": self._deliveries_url(request),
            "can_change": can_change,
            "history": [
                HistoryRow.from_change(change)
                for change in MaintenanceChange.objects.all()[:HISTORY_ON_PANEL]
            ],
            "changes_url": self._changes_url(request),
            "bypass_links": BypassLink.objects.select_related("created_by")[:50],
            # Without the app's URLs a new link would lead nowhere: say what to add
            # instead of offering the form.
            "urls_missing": None if urls_included else core.urls_missing_message(),
            "bypass_form": bypass.new_link_form() if can_change and urls_included else None,
        }
