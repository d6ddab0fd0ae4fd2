from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenancePanelConfig(AppConfig):
    """maintenance_panel: maintenance mode driven from the Django admin."""

    name = "maintenance_panel"
    verbose_name = _("Maintenance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Both import the models, which exist only once the apps are loaded.
        from maintenance_panel import (  # noqa: F401 - checks registers the checks
            changes,
            checks,
            fleet,
            staticpage,
        )

        changes.connect()
        fleet.connect()
        staticpage.connect()
