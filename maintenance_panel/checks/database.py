"""Checks of the database: the maintenance tables exist."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError, connections, router

from maintenance_panel.models import MaintenanceConfig


# A deployment check: ``migrate`` runs the database checks before it creates the
# tables, and would otherwise warn about the very thing it is about to fix.
@register(Tags.database, deploy=True)
def check_tables(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """W003 (``check --deploy --database``): the maintenance tables are missing: not
    migrated."""
    messages: list[CheckMessage] = []
    table = MaintenanceConfig._meta.db_table
    for alias in databases or ():
        if not router.allow_migrate_model(alias, MaintenanceConfig):
            continue
        connection = connections[alias]
        try:
            with connection.cursor() as cursor:
                tables = connection.introspection.table_names(cursor)
        except DatabaseError:
            continue  # the database's own checks and connection errors say it
        if table not in tables:
            messages.append(
                Warning(
                    f"Table {table!r} does not exist in database {alias!r}: "
                    "maintenance_panel is not migrated, so the admin cannot switch "
                    "maintenance mode (the site runs with MAINTENANCE_MODE_FALLBACK).",
                    hint="run migrate: python manage.py migrate maintenance_panel",
                    id="maintenance_panel.W003",
                )
            )
    return messages
