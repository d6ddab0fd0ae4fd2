"""The preview: the maintenance page exactly as a visitor would get it, before saving."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers

from maintenance_panel import conf, pages
from maintenance_panel.admin.forms import PreviewForm
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.status import retry_after_seconds

if TYPE_CHECKING:
    from maintenance_panel.admin.config import MaintenanceConfigAdmin


def preview_view(panel: MaintenanceConfigAdmin, request: HttpRequest) -> HttpResponse:
    """The maintenance page as an anonymous visitor would get it, with the posted
    (unsaved) title, message and window."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    config = panel.current_config()
    if not panel.has_view_or_change_permission(request, config):
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
    body = pages.render_page(visitor, snapshot, retry_after_seconds(snapshot), read_only=read_only)
    response = HttpResponse(body)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response
