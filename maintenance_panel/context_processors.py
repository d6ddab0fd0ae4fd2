"""Template context processor: ``maintenance_mode`` is the site's state (a bool)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from maintenance_panel import state


def maintenance_mode(request: HttpRequest) -> dict[str, Any]:
    """Add ``maintenance_mode``: whether the site is under maintenance now."""
    return {"maintenance_mode": state.is_active()}
