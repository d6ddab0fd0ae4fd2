"""Helpers shared by the admin tests (no tests here)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from django.test import Client


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
