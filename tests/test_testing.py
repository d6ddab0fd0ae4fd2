"""maintenance_panel.testing: the pytest plugin, its fixtures and the unittest helper."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import unittest
from pathlib import Path

import pytest
from django.test import TestCase

from maintenance_panel import state
from maintenance_panel.core import get_maintenance_mode
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.testing import MaintenanceStateResetMixin, reset_maintenance_state

ROOT = Path(__file__).resolve().parent.parent


def test_plugin_is_registered(pytestconfig):
    """Users get the plugin from its entry point; this project's own run loads the same
    module from the root conftest.py, so that coverage sees it (see that file)."""
    from importlib.metadata import entry_points

    import maintenance_panel.testing

    [entry_point] = entry_points(group="pytest11", name="maintenance_panel")
    assert entry_point.value == "maintenance_panel.testing"
    assert pytestconfig.pluginmanager.is_registered(maintenance_panel.testing)


# Two tests in a row: the first leaves a snapshot behind that says "on" without any
# database row behind it; the plugin must not let the second one see it.


def test_leaves_a_snapshot_behind():
    state._install(Snapshot(enabled=True, stamp="left-over"))
    assert state.get_snapshot().active() is True


@pytest.mark.django_db
def test_starts_without_the_previous_snapshot(client):
    assert state._holder.snapshot is None
    assert get_maintenance_mode() is False
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_maintenance_mode_on_fixture(maintenance_mode_on, client):
    assert get_maintenance_mode() is True
    assert client.get("/").status_code == 503


@pytest.mark.django_db
def test_maintenance_mode_off_fixture(maintenance_mode_off, set_config, client):
    set_config(enabled=True)
    assert get_maintenance_mode() is False
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.urls("tests.readonly_urls")
def test_maintenance_mode_read_only_fixture(maintenance_mode_read_only, client):
    from maintenance_panel.core import is_read_only

    assert is_read_only()
    assert client.get("/read/").status_code == 200
    assert client.post("/sign/").status_code == 503
    assert client.get("/count/").status_code == 503  # the view counter is refused
    assert client.get("/read/").status_code == 200  # and the test's transaction is fine


@pytest.mark.django_db
@pytest.mark.urls("tests.readonly_urls")
def test_override_with_level_and_scope(client):
    from maintenance_panel.core import override_maintenance_mode

    with override_maintenance_mode(True, read_only=True, scope=["^/sign/"]):
        assert client.post("/sign/").status_code == 503
        assert client.post("/checkout/").status_code == 200
    with override_maintenance_mode(True, scope=["^/checkout/"]):
        assert client.get("/checkout/").status_code == 503
        assert client.get("/read/").status_code == 200
    with pytest.raises(TypeError, match="read_only must be True or False"):
        override_maintenance_mode(True, read_only="yes")  # type: ignore[arg-type]


@pytest.mark.django_db
def test_fixture_state_does_not_leak(client):
    assert client.get("/").status_code == 200


def test_reset_forgets_the_snapshot():
    state._install(Snapshot(enabled=True, stamp="x"))
    reset_maintenance_state()
    assert state._holder.snapshot is None


class LeakyCase(MaintenanceStateResetMixin, TestCase):
    """A user's unittest case: each test starts from a fresh snapshot."""

    def test_a(self):
        assert state._holder.snapshot is None
        assert get_maintenance_mode() is False  # what the test sees: the other's state is gone
        state._install(Snapshot(enabled=True, stamp="from-a"))

    def test_b(self):
        assert state._holder.snapshot is None
        assert get_maintenance_mode() is False  # what the test sees: the other's state is gone
        state._install(Snapshot(enabled=True, stamp="from-b"))


@pytest.mark.django_db
def test_unittest_mixin_resets_between_tests():
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(LeakyCase).run(result)
    assert result.testsRun == 2
    assert result.wasSuccessful(), result.errors + result.failures
    assert state._holder.snapshot is None


def test_importable_without_pytest():
    """unittest users need not install pytest to import the helper."""
    code = textwrap.dedent(
        """
        import builtins, sys
        real_import = builtins.__import__
        def no_pytest(name, *args, **kwargs):
            if name == "pytest" or name.startswith("pytest."):
                raise ImportError(name)
            return real_import(name, *args, **kwargs)
        builtins.__import__ = no_pytest
        from maintenance_panel.testing import MaintenanceStateResetMixin, reset_maintenance_state
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr
