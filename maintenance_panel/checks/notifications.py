"""Checks of the notification settings: E014 (``MAINTENANCE_MODE_WEBHOOKS``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from maintenance_panel.notifications import webhooks

HINT = (
    'Make it a list of dicts such as {"url": "https://hooks.example.com/maintenance", '
    '"secret": "...", "format": "json"}; format is one of json, slack, teams '
    "(see docs/notifications.md)."
)


@register(Tags.compatibility)
def check_webhooks(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E014: an entry of MAINTENANCE_MODE_WEBHOOKS that cannot be used (it is skipped)."""
    return [
        Error(
            f"MAINTENANCE_MODE_WEBHOOKS {problem}; it is not sent to.",
            hint=HINT,
            id="maintenance_panel.E014",
        )
        for problem in webhooks.setting_problems()
    ]
