"""Helpers for tests that drive the site and the admin the way a browser would."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from django.core.checks import Tags, run_checks
from django.forms import BoundField, MultiWidget
from django.http import HttpResponse
from django.test import Client


def form_data(response: HttpResponse, form_key: str = "adminform") -> dict[str, Any]:
    """The POST data a browser would send back for the form on ``response``, unchanged."""
    form = response.context[form_key].form  # type: ignore[attr-defined]
    data: dict[str, Any] = {}
    for name in form.fields:
        bound: BoundField = form[name]
        if form.fields[name].disabled:
            continue
        value = bound.value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
            continue
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):  # the admin's split date and time
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = widget.widgets[index].format_value(part)
            continue
        formatted = widget.format_value(value)
        data[bound.html_name] = "" if formatted is None else formatted
    return data


def logged_in(user: Any, **options: Any) -> Client:
    """A test client with ``user`` logged in."""
    client = Client(**options)
    client.force_login(user)
    return client


def text(response: Any) -> str:
    """What a reader sees: the page without its tags, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def panel_url(view: str = "change", *args: Any) -> str:
    """URL of one of the panel's admin views: change, toggle, preview, bypass_add, ..."""
    from django.urls import reverse

    return reverse(f"admin:maintenance_panel_maintenanceconfig_{view}", args=args)


PANEL = "/admin/maintenance_panel/maintenanceconfig/"


def found(**kwargs: Any) -> dict[str, Any]:
    """The app's system-check findings, by id (``run_checks`` options as keywords)."""
    return {
        message.id: message
        for message in run_checks(**kwargs)
        if (message.id or "").startswith("maintenance_panel.")
    }


#: ``found()`` options that run the checks that need the database.
WITH_DATABASE = {"tags": [Tags.database], "databases": ["default"]}


def save_config(**fields: Any) -> Any:
    """Change fields of the singleton and save it (its own transaction's rules apply)."""
    from maintenance_panel.models import MaintenanceConfig

    config = MaintenanceConfig.get_solo()
    for name, value in fields.items():
        setattr(config, name, value)
    config.save()
    return config
