"""Logging filter that keeps the maintenance page out of the error log and mails."""

from __future__ import annotations

import logging


class RequireNotMaintenanceMode503(logging.Filter):
    """Drop the records of requests answered with the maintenance page: 503 records
    while maintenance mode is on, and the error of a request whose write the read-only
    guard refused (a view that caught the refusal and went on, then failed; the visitor
    got the read-only maintenance page, not a 500).

    Use it on the ``mail_admins`` handler (or any handler of ``django.request``) so a
    planned maintenance window does not mail ADMINS for every visitor.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or status < 500:
            return True
        # LOGGING is configured before the apps are loaded, when the modules below
        # (which import models) cannot be imported yet.
        from maintenance_panel import guarding
        from maintenance_panel.core import get_maintenance_mode

        request = getattr(record, "request", None)
        guarded = guarding.guarded(request) if request is not None else None
        if guarded is not None and guarded.guard.refused is not None:
            return False
        return status != 503 or not get_maintenance_mode()
