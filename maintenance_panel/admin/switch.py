"""The panel's switch: turning maintenance off at once, or on after a confirmation.

``toggle_view`` takes the POST of the buttons on top of the panel: ``enabled=0`` turns
maintenance off; ``enabled=1`` shows the confirmation page (what visitors will read,
who keeps using the site, an optional window), and with ``confirm`` turns it on, at the
level of the button pressed (``read_only``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext

from maintenance_panel import conf, core, loading, moments, status, wording
from maintenance_panel.admin.forms import SwitchOnForm, add_errors
from maintenance_panel.admin.presentation import panel_status
from maintenance_panel.models import MaintenanceConfig

if TYPE_CHECKING:
    from maintenance_panel.admin.config import MaintenanceConfigAdmin


def toggle_view(panel: MaintenanceConfigAdmin, request: HttpRequest) -> HttpResponse:
    """POST ``enabled=0`` turns maintenance off; ``enabled=1`` asks for confirmation
    (the window to apply) and, with ``confirm``, turns it on."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    config = panel.current_config()
    if not panel.has_change_permission(request, config):
        raise PermissionDenied
    if conf.forced_state() is not None:
        panel.message_user(request, wording.fixed_reasons()["enabled"], messages.ERROR)
        return HttpResponseRedirect(panel.panel_url())
    if request.POST.get("enabled") == "1":
        return _switch_on(panel, request, config, _chosen_level(request, config))
    return _switch_off(panel, request, config)


def _log_switch(panel: MaintenanceConfigAdmin, request: HttpRequest) -> None:
    enabled = MaintenanceConfig._meta.get_field("enabled").verbose_name
    panel.log(request, [{"changed": {"fields": [enabled]}}])


def _chosen_level(request: HttpRequest, config: MaintenanceConfig) -> bool:
    """The level the operator chose with the button: read-only or full (a level fixed
    by settings wins; no choice keeps the stored one)."""
    forced = conf.forced_read_only()
    if forced is not None:
        return forced
    chosen = request.POST.get("read_only")
    if chosen is None:
        return config.read_only
    return chosen == "1"


def _switch_off(
    panel: MaintenanceConfigAdmin, request: HttpRequest, config: MaintenanceConfig
) -> HttpResponse:
    if not config.enabled:
        panel.message_user(request, gettext("Maintenance mode was already off."), messages.INFO)
        return HttpResponseRedirect(panel.panel_url())
    core.set_maintenance_mode(False, user=request.user, source="admin")
    _log_switch(panel, request)
    panel.message_user(
        request,
        gettext("Maintenance mode is off: visitors see the site again."),
        messages.SUCCESS,
    )
    return HttpResponseRedirect(panel.panel_url())


def _future(moment: datetime | None) -> datetime | None:
    return moment if moment is not None and moment > timezone.now() else None


def _switch_on(
    panel: MaintenanceConfigAdmin, request: HttpRequest, config: MaintenanceConfig, read_only: bool
) -> HttpResponse:
    if "confirm" not in request.POST:
        start_now = "start_now" in request.POST
        form = SwitchOnForm(
            initial={
                "starts_at": None if start_now else _future(config.starts_at),
                "ends_at": _future(config.ends_at),
            }
        )
        return _confirmation(panel, request, config, form, read_only)
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
            add_errors(form, error)
        else:
            _log_switch(panel, request)
            panel.message_user(
                request, switched_on_message(start, end, read_only), messages.SUCCESS
            )
            return HttpResponseRedirect(panel.panel_url())
    return _confirmation(panel, request, config, form, read_only)


def _confirmation(
    panel: MaintenanceConfigAdmin,
    request: HttpRequest,
    config: MaintenanceConfig,
    form: SwitchOnForm,
    read_only: bool,
) -> HttpResponse:
    described = status.describe(loading.read_snapshot("panel"))
    default_title, default_message = wording.default_page_text(read_only)
    return panel.page(
        request,
        "maintenance_panel/admin/confirm_on.html",
        gettext("Turn read-only maintenance on?")
        if read_only
        else gettext("Turn maintenance mode on?"),
        form=form,
        config=config,
        read_only=read_only,
        status=panel_status(described),
        exemptions=wording.exemption_lines(described, status.names(described.exemptions)),
        page_title=config.title or default_title,
        page_message=config.message or default_message,
    )


def switched_on_message(
    start: datetime | None, end: datetime | None, read_only: bool = False
) -> str:
    """What the panel says once maintenance is on (or scheduled)."""
    when = moments.as_text
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
