"""The admin: the control panel and the list of every change.

- :mod:`~maintenance_panel.admin.config`: the control panel (the admin of
  :class:`~maintenance_panel.models.MaintenanceConfig`), with its views in
  :mod:`~maintenance_panel.admin.switch`, :mod:`~maintenance_panel.admin.preview` and
  :mod:`~maintenance_panel.admin.bypass`;
- :mod:`~maintenance_panel.admin.presentation`: the status box and the servers, read
  off the state's description;
- :mod:`~maintenance_panel.admin.forms`: the panel's forms;
- :mod:`~maintenance_panel.admin.history`: each change as an operator reads it, and the
  admin of :class:`~maintenance_panel.models.MaintenanceChange`;
- :mod:`~maintenance_panel.admin.deliveries`: the read-only list of notification
  deliveries (:class:`~maintenance_panel.models.Delivery`).

Importing this package registers the three model admins with the default admin site.
"""

from __future__ import annotations

from maintenance_panel.admin.config import HISTORY_ON_PANEL, MaintenanceConfigAdmin
from maintenance_panel.admin.deliveries import DeliveryAdmin
from maintenance_panel.admin.forms import MaintenanceConfigForm
from maintenance_panel.admin.history import MaintenanceChangeAdmin

__all__ = [
    "HISTORY_ON_PANEL",
    "DeliveryAdmin",
    "MaintenanceChangeAdmin",
    "MaintenanceConfigAdmin",
    "MaintenanceConfigForm",
]
