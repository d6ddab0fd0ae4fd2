from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from maintenance_panel import guard


class MaintenancePanelConfig(AppConfig):
    """maintenance_panel: maintenance mode driven from the Django admin."""

    name = "maintenance_panel"
    verbose_name = _("Maintenance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here because they need the models, which exist only once the apps
        # are loaded: importing checks registers the system checks, importing state
        # connects the receivers through which every process learns of a change, and
        # importing notifications.switches the one that tells the team of it (their
        # module docstrings name them).
        from maintenance_panel import checks, state  # noqa: F401
        from maintenance_panel.notifications import switches  # noqa: F401

        # The write guard's execute wrapper goes on every database connection as it
        # opens (see maintenance_panel.guard).
        connection_created.connect(guard.install, dispatch_uid="maintenance_panel.guard")
