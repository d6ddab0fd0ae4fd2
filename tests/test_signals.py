"""``maintenance_mode_changed``: once per effective change, after commit, never on rollback."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.models import MaintenanceConfig
from maintenance_panel.signals import maintenance_mode_changed
from tests.factories import GroupFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    calls: list[dict] = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    maintenance_mode_changed.connect(receiver)
    yield calls
    maintenance_mode_changed.disconnect(receiver)


def test_sent_once_after_commit_with_old_new_and_source(
    received, django_capture_on_commit_callbacks
):
    staff = StaffFactory(username="ops")
    with django_capture_on_commit_callbacks() as callbacks:
        set_maintenance_mode(True, user=staff)
        assert received == []  # not before the commit
    for callback in callbacks:
        callback()
    assert len(received) == 1
    call = received[0]
    assert call["old"] is False
    assert call["new"] is True
    assert call["enabled"] is True
    assert call["source"] == "api"
    assert call["actor"] == "ops"
    assert call["user"] == staff
    assert isinstance(call["config"], MaintenanceConfig)


def test_switching_off(received, django_capture_on_commit_callbacks, set_config):
    set_config(enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        set_maintenance_mode(False)
    assert [(c["old"], c["new"]) for c in received] == [(True, False)]


def test_not_sent_on_rollback(received, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        set_maintenance_mode(True)
        raise RuntimeError("deploy failed")
    assert received == []
    assert MaintenanceConfig.objects.filter(enabled=True).exists() is False


def test_not_sent_when_nothing_effective_changes(
    received, django_capture_on_commit_callbacks, set_config
):
    set_config(enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        set_maintenance_mode(True)  # already on
        set_maintenance_mode(True, title="New title", message="New text")
        config = MaintenanceConfig.get_solo()
        config.ignore_groups.add(GroupFactory())
    assert received == []


def test_every_change_in_a_transaction_counts(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        set_maintenance_mode(True)
        set_maintenance_mode(False)
    assert [(c["old"], c["new"]) for c in received] == [(False, True), (True, False)]


def test_sent_by_the_command(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("maintenance_mode", "on", stdout=StringIO())
    assert len(received) == 1
    assert received[0]["source"] == "command"
    assert received[0]["actor"].startswith("command line")


def test_sent_when_an_operator_saves_the_model(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        config = MaintenanceConfig.get_solo()
        config.enabled = True
        config.save()
    assert [(c["old"], c["new"], c["source"]) for c in received] == [(False, True, "code")]


def test_window_that_ends_now_is_an_effective_change(
    received, django_capture_on_commit_callbacks, set_config
):
    set_config(enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        config = MaintenanceConfig.get_solo()
        config.ends_at = timezone.now() - timedelta(seconds=1)
        config.save()
    assert [(c["old"], c["new"]) for c in received] == [(True, False)]


def test_switching_on_for_a_later_window(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_maintenance_mode(True, start=timedelta(hours=1), end=timedelta(hours=2))
    assert [(c["old"], c["new"], c["enabled"]) for c in received] == [(False, False, True)]


def test_carries_the_level_and_scope(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_maintenance_mode(True, read_only=True, scope=["^/checkout/"])
    assert received[0]["read_only"] is True
    assert received[0]["scope"] == ["^/checkout/"]


def test_sent_when_the_level_or_scope_changes_while_on(
    received, django_capture_on_commit_callbacks, set_config
):
    set_config(enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        set_maintenance_mode(True, read_only=True)
        set_maintenance_mode(True, scope=["^/checkout/"])
    assert [(c["old"], c["new"], c["read_only"], c["scope"]) for c in received] == [
        (True, True, True, []),
        (True, True, True, ["^/checkout/"]),
    ]


def test_not_sent_for_a_level_change_while_off(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_maintenance_mode(False, read_only=True, scope=["^/checkout/"])
    assert received == []
