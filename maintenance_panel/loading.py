"""Reading the stored state from the database, as the plain data a snapshot is built from.

The same data travels through the shared cache (:mod:`maintenance_panel.versions`), so it
is plain: values, id lists and the bypass links' expiries, no model instances.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router, transaction

from maintenance_panel import conf
from maintenance_panel.models import TRACKED_FIELDS, BypassLink, MaintenanceConfig
from maintenance_panel.snapshot import Snapshot

#: The stored fields a snapshot is built from, as they are: what the history tracks,
#: who changed them last, and since when the switch is on.
CONFIG_FIELDS = (*TRACKED_FIELDS, "changed_at", "changed_via", "switched_on_at")


def database_alias() -> str:
    """The database the state is read from."""
    return router.db_for_read(MaintenanceConfig) or "default"


def in_transaction() -> bool:
    """Whether that database's connection is inside an atomic block now."""
    return bool(connections[database_alias()].in_atomic_block)


def load_data() -> dict[str, Any]:
    """The stored state as plain data (three or four queries)."""
    config = MaintenanceConfig.objects.filter(pk=MaintenanceConfig.singleton_instance_id).first()
    if config is None:
        config = MaintenanceConfig()
        group_ids: list[int] = []
        user_ids: list[Any] = []
    else:
        group_ids = list(config.ignore_groups.values_list("pk", flat=True))
        user_ids = list(config.ignore_users.values_list("pk", flat=True))
    data = {name: getattr(config, name) for name in CONFIG_FIELDS}
    data["group_ids"] = sorted(group_ids)
    data["user_ids"] = sorted(str(pk) for pk in user_ids)
    data["bypass_links"] = dict(BypassLink.objects.usable().values_list("pk", "expires_at"))
    return data


def read_data() -> dict[str, Any]:
    """:func:`load_data`, inside a savepoint when a transaction is open, so that a failed
    read (no table yet) cannot break the caller's transaction (a test's, or
    ``ATOMIC_REQUESTS`` on PostgreSQL). Raises ``DatabaseError``."""
    if in_transaction():
        with transaction.atomic(using=database_alias()):
            return load_data()
    return load_data()


def read_snapshot(stamp: str = "read") -> Snapshot:
    """What is stored now, as a snapshot of its own, read from the database (the panel
    and the command show what is stored, even before this process re-validates)."""
    return Snapshot.from_data(read_data(), stamp)


def expected_active() -> bool:
    """Whether maintenance is on as this process would apply it: its settings (a fleet
    deployed with one settings file agrees with them), else the stored switch and
    window. What waiting for the fleet (``--wait``, the API's ``wait``) waits for."""
    forced = conf.forced_state()
    if forced is not None:
        return forced
    return read_snapshot("wait").stored_active()
