"""The admin's maintenance page, built on django-solo's ``SingletonModelAdmin``.

One page shows the state (ON / OFF / SCHEDULED, since when, by whom), the switch, the
form for the text, the window and the exemptions, the bypass links and the history.
The extra views (switch, preview, bypass links) live under this model admin's URLs and
are named ``maintenance_panel_maintenanceconfig_*``, so that they stay reachable during
maintenance for whoever may use the panel, even with ``ignore_admin_site`` off.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import django
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from solo.admin import SingletonModelAdmin

from maintenance_panel import changes, conf, core, fleet, moments, responses, state
from maintenance_panel.decision import PANEL_URL_PREFIX
from maintenance_panel.forms import (
    BypassLinkForm,
    MaintenanceConfigForm,
    PreviewForm,
    SwitchOnForm,
    describe_scope,
    display_value,
    field_label,
    fixed_fields,
)
from maintenance_panel.models import (
    BypassLink,
    MaintenanceChange,
    MaintenanceConfig,
)
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.validators import split_lines
from maintenance_panel.windows import window_phase

__all__ = [
    "MaintenanceChangeAdmin",
    "MaintenanceConfigAdmin",
    "MaintenanceConfigForm",
    "fixed_fields",
]

#: URL names of the panel's views start with this (see ``decision.PANEL_URL_PREFIX``).
PANEL = PANEL_URL_PREFIX.rstrip("_")
#: How many history entries the panel shows; the full list has its own page.
HISTORY_ON_PANEL = 10
BYPASS_PREFIX = "bypass"


# -- what the panel shows ----------------------------------------------------------------


@dataclass(frozen=True)
class PanelStatus:
    """The state as the panel's status box tells it."""

    kind: str  # "on", "off" or "scheduled"
    forced: bool
    reason: str
    since: datetime | None
    since_by: str
    starts_at: datetime | None
    ends_at: datetime | None
    #: The switch is on but the window is over.
    ended: bool
    #: The level: read-only rather than full maintenance (settings included).
    read_only: bool = False
    #: "only /checkout/ and /api/v1/", or "" for the whole site.
    scope: str = ""

    @property
    def level_fixed(self) -> bool:
        """The level is fixed by ``MAINTENANCE_MODE_READ_ONLY``."""
        return conf.forced_read_only() is not None

    @property
    def label(self) -> str:
        if self.kind == "on" and self.read_only:
            return gettext("READ-ONLY")
        return {"on": gettext("ON"), "off": gettext("OFF"), "scheduled": gettext("SCHEDULED")}[
            self.kind
        ]


def panel_status(config: MaintenanceConfig, now: datetime | None = None) -> PanelStatus:
    """What the status box says about ``config`` (and the settings) at ``now``."""
    now = now or timezone.now()
    forced = conf.forced_state()
    last_switch = (
        MaintenanceChange.objects.filter(changes__has_key="enabled")
        .only("changed_at", "actor")
        .first()
    )
    since = last_switch.changed_at if last_switch else None
    since_by = changes.actor_display(last_switch.actor) if last_switch else ""
    ended = False
    if forced is not None:
        kind = "on" if forced else "off"
        reason = fixed_fields()["enabled"]
        since, since_by = None, ""
    elif not config.enabled:
        kind = "off"
        reason = ""
    elif (phase := window_phase(config.starts_at, config.ends_at, now)) == "scheduled":
        kind, reason = "scheduled", ""
    elif phase == "ended":
        kind, reason, ended = "off", "", True
        since, since_by = config.ends_at, ""
    else:
        kind, reason = "on", ""
        if config.starts_at is not None and (since is None or since < config.starts_at):
            since = config.starts_at
    scope = [*conf.scope_url_entries(), *split_lines(config.scope_urls)]
    return PanelStatus(
        read_only=conf.read_only_value(config.read_only),
        scope=describe_scope(scope),
        kind=kind,
        forced=forced is not None,
        reason=reason,
        since=since,
        since_by=since_by,
        starts_at=config.starts_at,
        ends_at=config.ends_at,
        ended=ended,
    )


@dataclass(frozen=True)
class ServersSummary:
    """The fleet as the panel's "Servers" section tells it."""

    processes: list[fleet.ProcessReport]
    #: "4 processes on 2 hosts have this state."
    agreeing: str
    #: (process, why) for each process that applies another state.
    differing: list[tuple[fleet.ProcessReport, str]]
    shared: bool
    error: str = ""
    seen_recently: float = 60.0


def servers_summary(config: MaintenanceConfig) -> ServersSummary:
    """Which processes apply the state the status box shows, and which do not, and why."""
    shared = fleet.reports_are_shared()
    window = fleet.seen_recently()
    try:
        processes = core.fleet()
    except fleet.ReportsUnavailable as exc:
        return ServersSummary([], "", [], shared, error=str(exc), seen_recently=window)
    forced = conf.forced_state()
    expected = config.stored_active() if forced is None else forced
    agreeing = [process for process in processes if process.active == expected]
    differing = []
    now = timezone.now()
    for process in processes:
        if process.active == expected:
            continue
        why = process.forced_text or gettext(
            "has not read the new state yet (seen %(seconds).1f s ago)"
        ) % {"seconds": (now - process.seen_at).total_seconds()}
        differing.append((process, why))
    count = len(agreeing)
    sentence = ngettext(
        "%(processes)s on %(hosts)s has this state.",
        "%(processes)s on %(hosts)s have this state.",
        count,
    ) % {
        "processes": ngettext("%(count)d process", "%(count)d processes", count) % {"count": count},
        "hosts": ngettext("%(count)d host", "%(count)d hosts", len(fleet.hosts(agreeing)))
        % {"count": len(fleet.hosts(agreeing))},
    }
    return ServersSummary(processes, sentence, differing, shared, seen_recently=window)


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
            actor=changes.actor_display(change.actor) if change.actor else gettext("unknown"),
            source=change.get_source_display(),
            lines=[
                ChangeLine(
                    field_label(name), display_value(name, pair[0]), display_value(name, pair[1])
                )
                for name, pair in (change.changes or {}).items()
                if isinstance(pair, list | tuple) and len(pair) == 2
            ],
        )


def _as_text(value: Any) -> Any:
    """``value`` with every lazy string made text (in the language active now)."""
    if isinstance(value, dict):
        return {key: _as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    return value if isinstance(value, str | int | float | bool | None) else str(value)


def exemptions(config: MaintenanceConfig) -> list[str]:
    """Who keeps using the site during maintenance, in words (settings included)."""

    def flag(name: str) -> bool:
        return conf.flag_value(name, getattr(config, f"ignore_{name}"))

    lines = []
    if flag("admin_site"):
        lines.append(gettext("The Django admin."))
    else:
        lines.append(
            gettext(
                "Not the Django admin; only its login and this page stay reachable "
                "for people who may use it."
            )
        )
    for name, text in (
        ("anonymous_user", gettext("Visitors who are not logged in.")),
        ("authenticated_user", gettext("Every logged-in user.")),
        ("staff", gettext("Staff users.")),
        ("superuser", gettext("Superusers.")),
    ):
        if flag(name):
            lines.append(text)
    if config.pk is not None:
        groups = sorted(str(group) for group in config.ignore_groups.all())
        if groups:
            lines.append(gettext("Members of: %(groups)s.") % {"groups": ", ".join(groups)})
        users = config.ignore_users.count()
        if users:
            lines.append(
                ngettext("%(count)d listed user.", "%(count)d listed users.", users)
                % {"count": users}
            )
    networks = len(conf.ignored_networks()) + len(
        [line for line in config.ignore_ip_addresses.splitlines() if line.strip()]
    )
    if networks:
        lines.append(
            ngettext(
                "%(count)d IP address or network.", "%(count)d IP addresses or networks.", networks
            )
            % {"count": networks}
        )
    patterns = len(conf.ignored_url_patterns()) + len(
        [line for line in config.ignore_urls.splitlines() if line.strip()]
    )
    if patterns:
        lines.append(
            ngettext("%(count)d URL pattern.", "%(count)d URL patterns.", patterns)
            % {"count": patterns}
        )
    links = BypassLink.objects.usable().count()
    if links:
        lines.append(
            ngettext(
                "Whoever opened the active bypass link.",
                "Whoever opened one of the %(count)d active bypass links.",
                links,
            )
            % {"count": links}
        )
    return lines


def admin_held_back() -> bool:
    """Whether maintenance is on for the admin too (``ignore_admin_site`` off)."""
    snapshot = state.get_snapshot()
    return snapshot.active() and not snapshot.flag("admin_site")


def _future(moment: datetime | None) -> datetime | None:
    return moment if moment is not None and moment > timezone.now() else None


def _add_errors(form: Form, error: ValidationError) -> None:
    """Attach an error from the write path to the form's fields where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# -- the model admins --------------------------------------------------------------------


@admin.register(MaintenanceConfig)
class MaintenanceConfigAdmin(SingletonModelAdmin):
    """The control panel: status, switch, text, window, exemptions, links, history."""

    form = MaintenanceConfigForm
    change_form_template = "maintenance_panel/admin/panel.html"
    object_history_template = "maintenance_panel/admin/object_history.html"
    filter_horizontal = ("ignore_groups",)
    autocomplete_fields = ("ignore_users",)
    fieldsets = (
        (
            _("What visitors see"),
            {"fields": ("title", "message"), "classes": ("mp-message",)},
        ),
        (
            _("Switch and schedule"),
            {
                "fields": ("enabled", "starts_at", "ends_at"),
                "description": _(
                    "The button at the top switches at once. Here you can switch and set a "
                    "window in one save: before the start visitors still see the site, after "
                    "the end they see it again."
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
    )

    class Media:
        css = {"all": ("maintenance_panel/admin/panel.css",)}
        js = ("maintenance_panel/admin/panel.js",)

    # -- URLs ----------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("toggle/", wrap(self.toggle_view), name=f"{PANEL}_toggle"),
            path("preview/", wrap(self.preview_view), name=f"{PANEL}_preview"),
            path("bypass-links/add/", wrap(self.bypass_add_view), name=f"{PANEL}_bypass_add"),
            path(
                "bypass-links/<int:link_id>/revoke/",
                wrap(self.bypass_revoke_view),
                name=f"{PANEL}_bypass_revoke",
            ),
            *super().get_urls(),
        ]

    def _panel_url(self, anchor: str = "") -> str:
        url = reverse(f"admin:{PANEL}_change", current_app=self.admin_site.name)
        return f"{url}#{anchor}" if anchor else url

    def _config(self) -> MaintenanceConfig:
        config = (
            MaintenanceConfig.objects.select_related("changed_by")
            .filter(pk=self.singleton_instance_id)
            .first()
        )
        return config or MaintenanceConfig.get_solo()

    def _page(
        self, request: HttpRequest, template: str, title: str, **context: Any
    ) -> TemplateResponse:
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
                "panel_url": self._panel_url(),
                "media": media,
                **context,
            },
        )

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
                with changes.recording(source="admin", user=request.user):
                    return super().changeform_view(request, object_id, form_url, extra_context)
            except changes.ConflictError:
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
        self.message_user(
            request,
            gettext("Maintenance mode was saved."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._panel_url())

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
        # Before 6.1 the admin puts the object tools (History) at the top of the content
        # block, beside the title; the status box goes below them, as on a stock page.
        context["object_tools_in_content"] = django.VERSION < (6, 1)
        # One page, one heading: "Maintenance mode" rather than "Change maintenance mode".
        context["title"] = capfirst(self.opts.verbose_name)
        context["subtitle"] = None
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _panel_context(self, request: HttpRequest) -> dict[str, Any]:
        config = self._config()
        can_change = self.has_change_permission(request, config)
        changes_url = None
        change_admin = (
            self.admin_site.get_model_admin(MaintenanceChange)
            if (self.admin_site.is_registered(MaintenanceChange))
            else None
        )
        if change_admin is not None and change_admin.has_view_permission(request):
            changes_url = reverse(
                "admin:maintenance_panel_maintenancechange_changelist",
                current_app=self.admin_site.name,
            )
        return {
            "config": config,
            "status": panel_status(config),
            "servers": servers_summary(config),
            "can_change": can_change,
            "history": [
                HistoryRow.from_change(change)
                for change in MaintenanceChange.objects.all()[:HISTORY_ON_PANEL]
            ],
            "changes_url": changes_url,
            "bypass_links": BypassLink.objects.select_related("created_by")[:50],
            # Without the app's URLs a new link would lead nowhere: say what to add
            # instead of offering the form.
            "urls_missing": None if core.urls_included() else core.urls_missing_message(),
            "bypass_form": BypassLinkForm(
                prefix=BYPASS_PREFIX,
                initial={"expires_at": timezone.now() + timedelta(days=1)},
            )
            if can_change and core.urls_included()
            else None,
        }

    # -- the switch ------------------------------------------------------------------

    def toggle_view(self, request: HttpRequest) -> HttpResponse:
        """POST ``enabled=0`` turns maintenance off; ``enabled=1`` asks for confirmation
        (the window to apply) and, with ``confirm``, turns it on."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        config = self._config()
        if not self.has_change_permission(request, config):
            raise PermissionDenied
        if conf.forced_state() is not None:
            self.message_user(request, fixed_fields()["enabled"], messages.ERROR)
            return HttpResponseRedirect(self._panel_url())
        if request.POST.get("enabled") == "1":
            return self._switch_on(request, config, self._chosen_level(request, config))
        return self._switch_off(request, config)

    def _log(self, request: HttpRequest, obj: Any, message: list[dict[str, Any]]) -> None:
        # The admin log stores the message's names as text: store them untranslated, as
        # Django's own admin does, so each reader sees them in their own language.
        with translation.override(None):
            self.log_change(request, obj, _as_text(message))

    def _log_switch(self, request: HttpRequest) -> None:
        self._log(
            request,
            self._config(),
            [{"changed": {"fields": [MaintenanceConfig._meta.get_field("enabled").verbose_name]}}],
        )

    @staticmethod
    def _chosen_level(request: HttpRequest, config: MaintenanceConfig) -> bool:
        """The level the operator chose with the button: read-only or full (a level
        fixed by settings wins; no choice keeps the stored one)."""
        forced = conf.forced_read_only()
        if forced is not None:
            return forced
        chosen = request.POST.get("read_only")
        if chosen is None:
            return config.read_only
        return chosen == "1"

    def _switch_off(self, request: HttpRequest, config: MaintenanceConfig) -> HttpResponse:
        if not config.enabled:
            self.message_user(request, gettext("Maintenance mode was already off."), messages.INFO)
            return HttpResponseRedirect(self._panel_url())
        core.set_maintenance_mode(False, user=request.user, source="admin")
        self._log_switch(request)
        self.message_user(
            request,
            gettext("Maintenance mode is off: visitors see the site again."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._panel_url())

    def _switch_on(
        self, request: HttpRequest, config: MaintenanceConfig, read_only: bool
    ) -> HttpResponse:
        if "confirm" in request.POST:
            form = SwitchOnForm(request.POST)
            if form.is_valid():
                start, end = form.cleaned_data["starts_at"], form.cleaned_data["ends_at"]
                try:
                    core.set_maintenance_mode(
                        True,
                        start=start,
                        end=end,
                        read_only=None if conf.forced_read_only() is not None else read_only,
                        user=request.user,
                        source="admin",
                    )
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    self._log_switch(request)
                    self.message_user(
                        request,
                        self._switched_on_message(start, end, read_only),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(self._panel_url())
        else:
            start_now = "start_now" in request.POST
            form = SwitchOnForm(
                initial={
                    "starts_at": None if start_now else _future(config.starts_at),
                    "ends_at": _future(config.ends_at),
                }
            )
        default_title, default_message = responses.default_text(read_only)
        return self._page(
            request,
            "maintenance_panel/admin/confirm_on.html",
            gettext("Turn read-only maintenance on?")
            if read_only
            else gettext("Turn maintenance mode on?"),
            form=form,
            config=config,
            read_only=read_only,
            status=panel_status(config),
            exemptions=exemptions(config),
            page_title=config.title or default_title,
            page_message=config.message or default_message,
        )

    @staticmethod
    def _switched_on_message(
        start: datetime | None, end: datetime | None, read_only: bool = False
    ) -> str:
        def when(moment: datetime) -> str:
            return moments.as_text(moment)

        if read_only and (start is None or start <= timezone.now()):
            if end is not None:
                return gettext(
                    "Read-only maintenance is on until %(end)s: visitors can read the site, "
                    "changes get the maintenance page."
                ) % {"end": when(end)}
            return gettext(
                "Read-only maintenance is on: visitors can read the site, changes get the "
                "maintenance page."
            )

        if start is not None and start > timezone.now():
            if end is not None:
                return gettext("Maintenance is scheduled from %(start)s to %(end)s.") % {
                    "start": when(start),
                    "end": when(end),
                }
            return gettext("Maintenance is scheduled from %(start)s.") % {"start": when(start)}
        if end is not None:
            return gettext(
                "Maintenance mode is on until %(end)s: visitors get the maintenance page."
            ) % {"end": when(end)}
        return gettext("Maintenance mode is on: visitors get the maintenance page.")

    # -- the preview -----------------------------------------------------------------

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The maintenance page as an anonymous visitor would get it, with the posted
        (unsaved) title, message and window."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        config = self._config()
        if not self.has_view_or_change_permission(request, config):
            raise PermissionDenied
        form = PreviewForm(request.POST)
        form.is_valid()
        posted = form.cleaned_data

        def value(name: str) -> Any:
            # Fields not posted (a view-only page) or not valid show what is saved.
            if name in posted and (name in request.POST or f"{name}_0" in request.POST):
                return posted[name]
            return getattr(config, name)

        snapshot = Snapshot(
            enabled=True,
            title=value("title"),
            message=value("message"),
            starts_at=value("starts_at"),
            ends_at=value("ends_at"),
        )
        # The level chosen in the form (an unticked box is not posted: the form's own
        # fields tell whether it was shown), else the stored one; settings win.
        chosen = bool(posted.get("read_only")) if "title" in request.POST else config.read_only
        read_only = conf.read_only_value(chosen)
        # The visitor is not logged in (matters only to MAINTENANCE_MODE_GET_CONTEXT).
        visitor = copy.copy(request)
        visitor.user = AnonymousUser()
        body = responses.render_page(
            visitor, snapshot, responses.retry_after_seconds(snapshot), read_only=read_only
        )
        response = HttpResponse(body)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        return response

    # -- bypass links ----------------------------------------------------------------

    def bypass_add_view(self, request: HttpRequest) -> HttpResponse:
        """Make a bypass link and show its URL, this once."""
        if not self.has_change_permission(request, None):
            raise PermissionDenied
        form = BypassLinkForm(
            request.POST if request.method == "POST" else None,
            prefix=BYPASS_PREFIX,
            initial={"expires_at": timezone.now() + timedelta(days=1)},
        )
        if request.method == "POST" and form.is_valid():
            name = form.cleaned_data["name"]
            expires_at = form.cleaned_data["expires_at"]
            try:
                link_path = core.create_bypass_link(
                    name, expires_at=expires_at, user=request.user, source="admin"
                )
            except ValidationError as error:
                _add_errors(form, error)
            except ImproperlyConfigured as error:
                form.add_error(None, str(error))
            else:
                self._log(
                    request,
                    self._config(),
                    [{"added": {"name": BypassLink._meta.verbose_name, "object": name}}],
                )
                response = self._page(
                    request,
                    "maintenance_panel/admin/bypass_created.html",
                    gettext("Bypass link created"),
                    name=name,
                    expires_at=expires_at,
                    link_url=request.build_absolute_uri(link_path),
                )
                # The secret is on this page only: keep it out of every cache.
                add_never_cache_headers(response)
                response["Cache-Control"] += ", no-store"
                return response
        return self._page(
            request,
            "maintenance_panel/admin/bypass_add.html",
            gettext("New bypass link"),
            form=form,
        )

    def bypass_revoke_view(self, request: HttpRequest, link_id: int) -> HttpResponse:
        """End a bypass link (and every cookie made from it)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, None):
            raise PermissionDenied
        link = get_object_or_404(BypassLink, pk=link_id)
        if link.revoked_at is None:
            core.revoke_bypass_link(link.name, user=request.user, source="admin")
            self._log(
                request,
                self._config(),
                [
                    {
                        "changed": {
                            "name": BypassLink._meta.verbose_name,
                            "object": link.name,
                            "fields": [BypassLink._meta.get_field("revoked_at").verbose_name],
                        }
                    }
                ],
            )
        self.message_user(
            request,
            gettext("Bypass link “%(name)s” is revoked: it no longer lets anyone in.")
            % {"name": link.name},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._panel_url("bypass-links"))


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
