"""Fixtures shared by the test suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from maintenance_panel.models import MaintenanceConfig


@pytest.fixture
def config(db: Any) -> MaintenanceConfig:
    """The stored singleton (created)."""
    return MaintenanceConfig.get_solo()


@pytest.fixture
def set_config(db: Any) -> Callable[..., MaintenanceConfig]:
    """Change fields of the singleton and save, as an operator would."""

    def change(**fields: Any) -> MaintenanceConfig:
        config = MaintenanceConfig.get_solo()
        groups = fields.pop("ignore_groups", None)
        users = fields.pop("ignore_users", None)
        for name, value in fields.items():
            setattr(config, name, value)
        config.save()
        if groups is not None:
            config.ignore_groups.set(groups)
        if users is not None:
            config.ignore_users.set(users)
        return config

    return change
