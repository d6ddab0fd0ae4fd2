"""``{% load maintenance_panel_admin %}``: the admin's maintenance banner and the
breadcrumbs of the panel's pages."""

from __future__ import annotations

from typing import Any

import django
from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from maintenance_panel import decision, state, status, wording
from maintenance_panel.models.history import actor_display
from maintenance_panel.notifications.boundaries import on_since

register = template.Library()

PANEL_URL_NAME = f"{decision.PANEL_URL_PREFIX}change"


@register.filter
def actor_name(label: str) -> str:
    """A stored "changed by" label in the reader's language (``{{ label|actor_name }}``)."""
    return actor_display(label or "")


@register.inclusion_tag("maintenance_panel/admin/banner.html", takes_context=True)
def maintenance_admin_banner(context: template.Context) -> dict[str, Any]:
    """While maintenance is on: say so on every admin page, since when, with a link to
    the panel for those who may open it. Reads the process snapshot, so it costs no
    query."""
    snapshot = state.get_snapshot()
    now = timezone.now()
    described = status.describe(snapshot, now)
    if not described.active:
        return {"show": False}
    request = context.get("request")
    user = getattr(request, "user", None)
    panel_url = None
    match = getattr(request, "resolver_match", None)
    on_panel = match is not None and match.url_name == PANEL_URL_NAME
    if not on_panel and decision.may_use_panel(user):
        current_app = getattr(request, "current_app", None) or (
            match.namespace if match is not None else None
        )
        try:
            panel_url = reverse(f"admin:{PANEL_URL_NAME}", current_app=current_app)
        except NoReverseMatch:
            panel_url = None
    return {
        "show": True,
        # For the banner's stylesheet, under a nonce-based Content-Security-Policy.
        "csp_nonce": context.get("csp_nonce"),
        "forced": described.forced_by_settings,
        "since": None if described.forced_by_settings else on_since(snapshot, now),
        "panel_url": panel_url,
        "read_only": described.read_only,
        "scope": wording.scope_phrase(described.scope),
    }


def _admin_held_back() -> bool:
    """Whether maintenance is on for the admin too (a lock-out: ``ignore_admin_site``
    off)."""
    snapshot = state.get_snapshot()
    return snapshot.active() and not snapshot.flag("admin_site")


@register.simple_tag(takes_context=True)
def maintenance_login_next(context: template.Context) -> str:
    """Where the admin login sends the user: during a lock-out (maintenance on and the
    admin held back) the default, the admin index, would answer 503, so send them to
    the panel instead. A ``next`` the user came with is kept."""
    next_url = str(context.get("next") or "")
    request = context.get("request")
    if request is None or "next" in request.GET or "next" in request.POST:
        return next_url
    if not _admin_held_back():
        return next_url
    current_app = getattr(request, "current_app", None)
    try:
        return reverse(f"admin:{PANEL_URL_NAME}", current_app=current_app)
    except NoReverseMatch:
        return next_url


#: Django 6.1 marks breadcrumbs up as ``<ol class="breadcrumbs">``; the admin CSS of
#: earlier versions styles only ``<div class="breadcrumbs">`` with ``&rsaquo;`` between.
BREADCRUMBS_AS_LIST = django.VERSION >= (6, 1)


@register.inclusion_tag("maintenance_panel/admin/breadcrumbs.html", takes_context=True)
def maintenance_breadcrumbs(context: template.Context, page: str = "") -> dict[str, Any]:
    """Home, the app, Maintenance mode (and ``page``), in the markup of the admin the
    project runs on, so the bar looks like every other admin page's.

    Without ``page`` the panel itself is the current page; with it, the panel is a link
    and ``page`` (e.g. the confirmation page's title) is the current one.
    """
    opts = context["opts"]
    request = context.get("request")
    current_app = getattr(request, "current_app", None)
    # During a lock-out the admin's index answers 503: "Home" is then no link.
    home = None if _admin_held_back() else reverse("admin:index", current_app=current_app)
    crumbs: list[tuple[str, str | None]] = [
        (_("Home"), home),
        (
            str(opts.app_config.verbose_name),
            reverse(
                "admin:app_list", kwargs={"app_label": opts.app_label}, current_app=current_app
            ),
        ),
    ]
    panel = capfirst(opts.verbose_name)
    if page:
        panel_url = context.get("panel_url") or reverse(
            f"admin:{PANEL_URL_NAME}", current_app=current_app
        )
        crumbs += [(panel, panel_url), (page, None)]
    else:
        crumbs.append((panel, None))
    return {"crumbs": crumbs, "as_list": BREADCRUMBS_AS_LIST}


@register.inclusion_tag("maintenance_panel/admin/breadcrumbs.html", takes_context=True)
def token_breadcrumbs(context: template.Context, page: str) -> dict[str, Any]:
    """Home, the app, API tokens and ``page``, in the markup of the admin the project
    runs on (the pages of :mod:`maintenance_panel.admin.tokens`)."""
    opts = context["opts"]
    request = context.get("request")
    current_app = getattr(request, "current_app", None)
    crumbs: list[tuple[str, str | None]] = [
        (_("Home"), reverse("admin:index", current_app=current_app)),
        (
            str(opts.app_config.verbose_name),
            reverse(
                "admin:app_list", kwargs={"app_label": opts.app_label}, current_app=current_app
            ),
        ),
        (
            capfirst(opts.verbose_name_plural),
            reverse("admin:maintenance_panel_apitoken_changelist", current_app=current_app),
        ),
        (page, None),
    ]
    return {"crumbs": crumbs, "as_list": BREADCRUMBS_AS_LIST}
