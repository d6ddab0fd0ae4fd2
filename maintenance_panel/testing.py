"""Test helpers for projects that use maintenance_panel.

Installed as a pytest plugin (entry point ``maintenance_panel``): every test starts
with a fresh process snapshot, so state never leaks from one test into the next. It
also provides the ``maintenance_mode_on`` and ``maintenance_mode_off`` fixtures.

With unittest, call :func:`reset_maintenance_state` in ``setUp`` or use
:class:`MaintenanceStateResetMixin`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


def reset_maintenance_state() -> None:
    """Forget the process snapshot and the rendered pages of maintenance_panel."""
    from django.apps import apps

    if apps.ready:
        from maintenance_panel import state

        state.reset()


class MaintenanceStateResetMixin:
    """unittest mixin: a fresh maintenance state around each test."""

    def setUp(self) -> None:
        reset_maintenance_state()
        super().setUp()  # type: ignore[misc]

    def tearDown(self) -> None:
        super().tearDown()  # type: ignore[misc]
        reset_maintenance_state()


@pytest.fixture(autouse=True)
def _maintenance_panel_reset() -> Iterator[None]:
    reset_maintenance_state()
    yield
    reset_maintenance_state()


@pytest.fixture
def maintenance_mode_on() -> Iterator[Any]:
    """Maintenance mode forced on for the test."""
    from maintenance_panel.core import override_maintenance_mode

    with override_maintenance_mode(True) as value:
        yield value


@pytest.fixture
def maintenance_mode_off() -> Iterator[Any]:
    """Maintenance mode forced off for the test."""
    from maintenance_panel.core import override_maintenance_mode

    with override_maintenance_mode(False) as value:
        yield value
