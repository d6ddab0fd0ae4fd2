"""The stored state: the singleton config, bypass links and the change history.

- :mod:`~maintenance_panel.models.config`: :class:`MaintenanceConfig`, the one row that
  says whether the site is under maintenance and for whom not, and the write path every
  change takes (its ``save``);
- :mod:`~maintenance_panel.models.lists`: the lists of groups and users, recorded in
  the history (receivers of ``m2m_changed`` and ``pre_delete``);
- :mod:`~maintenance_panel.models.links`: :class:`BypassLink`;
- :mod:`~maintenance_panel.models.history`: :class:`MaintenanceChange`, and who is making
  changes now (:func:`~maintenance_panel.models.history.recording`);
- :mod:`~maintenance_panel.models.notifications`: :class:`Notification` (events to tell
  the team about, stored before they are sent) and each :class:`Delivery` of them.
"""

from __future__ import annotations

from maintenance_panel.models import lists  # noqa: F401  (connects its receivers)
from maintenance_panel.models.config import (
    BOOKKEEPING_FIELDS,
    LEVEL_FIELDS,
    TRACKED_FIELDS,
    TRACKED_M2M,
    ConflictError,
    MaintenanceConfig,
    field_default,
)
from maintenance_panel.models.history import MaintenanceChange
from maintenance_panel.models.links import BypassLink, hash_token
from maintenance_panel.models.notifications import Delivery, Notification

__all__ = [
    "BOOKKEEPING_FIELDS",
    "LEVEL_FIELDS",
    "TRACKED_FIELDS",
    "TRACKED_M2M",
    "BypassLink",
    "ConflictError",
    "Delivery",
    "MaintenanceChange",
    "MaintenanceConfig",
    "Notification",
    "field_default",
    "hash_token",
]
