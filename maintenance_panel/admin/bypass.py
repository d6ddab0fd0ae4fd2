"""Bypass links in the panel: make one (its URL is shown this once), or revoke one."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from maintenance_panel import core
from maintenance_panel.admin.forms import BypassLinkForm, add_errors
from maintenance_panel.models import BypassLink

if TYPE_CHECKING:
    from maintenance_panel.admin.config import MaintenanceConfigAdmin

#: The prefix of the link form's fields (it shares the panel with the config form).
PREFIX = "bypass"


def new_link_form(request: HttpRequest | None = None) -> BypassLinkForm:
    """The form for a new link (bound to ``request``'s POST when given)."""
    return BypassLinkForm(
        request.POST if request is not None else None,
        prefix=PREFIX,
        initial={"expires_at": timezone.now() + timedelta(days=1)},
    )


def add_view(panel: MaintenanceConfigAdmin, request: HttpRequest) -> HttpResponse:
    """Make a bypass link and show its URL, this once."""
    if not panel.has_change_permission(request, None):
        raise PermissionDenied
    form = new_link_form(request if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        expires_at = form.cleaned_data["expires_at"]
        try:
            link_path = core.create_bypass_link(
                name, expires_at=expires_at, user=request.user, source="admin"
            )
        except ValidationError as error:
            add_errors(form, error)
        except ImproperlyConfigured as error:
            form.add_error(None, str(error))
        else:
            verbose_name = BypassLink._meta.verbose_name
            panel.log(request, [{"added": {"name": verbose_name, "object": name}}])
            response = panel.page(
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
    return panel.page(
        request, "maintenance_panel/admin/bypass_add.html", gettext("New bypass link"), form=form
    )


def revoke_view(panel: MaintenanceConfigAdmin, request: HttpRequest, link_id: int) -> HttpResponse:
    """End a bypass link (and every cookie made from it)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not panel.has_change_permission(request, None):
        raise PermissionDenied
    link = get_object_or_404(BypassLink, pk=link_id)
    if link.revoked_at is None:
        core.revoke_bypass_link(link.name, user=request.user, source="admin")
        revoked = BypassLink._meta.get_field("revoked_at").verbose_name
        panel.log(
            request,
            [
                {
                    "changed": {
                        "name": BypassLink._meta.verbose_name,
                        "object": link.name,
                        "fields": [revoked],
                    }
                }
            ],
        )
    panel.message_user(
        request,
        gettext("Bypass link “%(name)s” is revoked: it no longer lets anyone in.")
        % {"name": link.name},
        messages.SUCCESS,
    )
    return HttpResponseRedirect(panel.panel_url("bypass-links"))
