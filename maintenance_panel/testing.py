"""Test helpers for projects that use maintenance_panel.

pytest: installed as a plugin (entry point ``maintenance_panel``), so every test
starts and ends with a fresh maintenance state (the process snapshot and the state in
the shared cache), so it never leaks from one test into the next. It also provides
the ``maintenance_mode_on``, ``maintenance_mode_read_only`` and ``maintenance_mode_off``
fixtures.

unittest / Django's test runner: add :class:`MaintenanceStateResetMixin` to your test
case classes (before ``TestCase``), or call :func:`reset_maintenance_state` in
``setUp``. Importing this module does not need pytest.

In both, :func:`maintenance_panel.core.override_maintenance_mode` (and
``maintenance_mode_on()`` / ``maintenance_mode_off()``) force the state for a block,
a test function (sync or async) or a test class.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps

from maintenance_panel.overrides import override_maintenance_mode

try:
    import pytest
except ImportError:  # unittest users need not install pytest
    pytest = None  # type: ignore[assignment]


def reset_maintenance_state() -> None:
    """Forget the process snapshot, the rendered pages and the state kept in the shared
    cache (the test database is reset between tests; Redis, say, is not), that this
    process served requests (it reports to the fleet again after its next one), and the
    settings read so far (a setting assigned before a test's first request counts).
    Window events are not noticed, and notifications not sent, in the background
    during tests (the test's data is not the site's to announce): ``maintenance_mode
    tick`` notices and sends them, or
    :func:`maintenance_panel.notifications.watcher.watch_in_background` and
    :func:`maintenance_panel.notifications.delivery.send_in_background` turn the
    background back on for a test."""
    if apps.ready and apps.is_installed("maintenance_panel"):
        # pytest loads this plugin before Django is set up, when the store (which
        # imports models) cannot be imported yet.
        from maintenance_panel import conf, fleet, responses, setting_lists, state, versions
        from maintenance_panel.notifications import delivery, watcher

        conf.clear_memoized()
        setting_lists.clear_memoized()
        state.reset()
        versions.forget_shared()
        responses.forget_bodies()
        fleet.reset()
        watcher.reset()
        delivery.stop_sending_in_background()


class MaintenanceStateResetMixin:
    """unittest mixin: a fresh maintenance state around each test."""

    def setUp(self) -> None:
        reset_maintenance_state()
        super().setUp()  # type: ignore[misc]

    def tearDown(self) -> None:
        super().tearDown()  # type: ignore[misc]
        reset_maintenance_state()


if pytest is not None:

    @pytest.fixture(autouse=True)
    def _maintenance_panel_reset() -> Iterator[None]:
        reset_maintenance_state()
        yield
        reset_maintenance_state()

    @pytest.fixture
    def maintenance_mode_on() -> Iterator[Any]:
        """Maintenance mode forced on for the test (as ``MAINTENANCE_MODE = True``)."""
        with override_maintenance_mode(True) as value:
            yield value

    @pytest.fixture
    def maintenance_mode_read_only() -> Iterator[Any]:
        """Read-only maintenance forced on for the test (as ``MAINTENANCE_MODE = True``
        and ``MAINTENANCE_MODE_READ_ONLY = True``): reads are served, changes refused."""
        with override_maintenance_mode(True, read_only=True) as value:
            yield value

    @pytest.fixture
    def maintenance_mode_off() -> Iterator[Any]:
        """Maintenance mode forced off for the test (as ``MAINTENANCE_MODE = False``)."""
        with override_maintenance_mode(False) as value:
            yield value
