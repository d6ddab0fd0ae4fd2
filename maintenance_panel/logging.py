"""Logging filter that keeps the maintenance page out of the error log and mails."""

from __future__ import annotations

import logging


class RequireNotMaintenanceMode503(logging.Filter):
    """Drop 503 records while maintenance mode is on.

    Use it on the ``mail_admins`` handler (or any handler of ``django.request``) so a
    planned maintenance window does not mail ADMINS for every visitor.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 503:
            return True
        # LOGGING is configured before the apps are loaded, when the store (which
        # imports models) cannot be imported yet.
        from maintenance_panel.core import get_maintenance_mode

        return not get_maintenance_mode()
