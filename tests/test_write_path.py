"""The write path: history, version, conflict detection, refresh of this process."""

from __future__ import annotations

import pytest
from django.db import transaction

from maintenance_panel import state
from maintenance_panel.models import ConflictError, MaintenanceChange, MaintenanceConfig, history
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_plain_save_is_recorded_as_code(config):
    config.enabled = True
    config.title = "Down"
    config.save()
    change = MaintenanceChange.objects.get()
    assert change.source == "code"
    assert change.changes == {"enabled": [False, True], "title": ["", "Down"]}


def test_save_without_changes_records_nothing(config):
    config.save()
    assert not MaintenanceChange.objects.exists()


def test_every_save_bumps_the_version(config):
    before = config.version
    config.save()
    config.save()
    assert MaintenanceConfig.objects.get().version == before + 2


def test_recording_groups_fields_and_lists_into_one_entry(config):
    alice = UserFactory(username="alice")
    testers = GroupFactory(name="Beta testers")
    with history.recording(source="admin", user=alice):
        config.enabled = True
        config.save()
        config.ignore_groups.add(testers)
    change = MaintenanceChange.objects.get()
    assert change.user == alice
    assert change.actor == "alice"
    assert change.changes == {
        "enabled": [False, True],
        "ignore_groups": [[], ["Beta testers"]],
    }
    config.refresh_from_db()
    assert config.changed_by == alice
    assert config.changed_via == "alice"


def test_list_change_outside_recording_is_its_own_entry(config):
    config.ignore_users.add(UserFactory(username="bob"))
    assert MaintenanceChange.objects.get().changes == {"ignore_users": [[], ["bob"]]}


def test_change_undone_inside_one_recording_leaves_no_entry(config):
    with history.recording(source="api"):
        config.enabled = True
        config.save()
        config.enabled = False
        config.save()
    assert not MaintenanceChange.objects.exists()


def test_command_line_actor_names_the_os_user(monkeypatch):
    monkeypatch.setattr(history.getpass, "getuser", lambda: "deploy")
    assert history.command_line_actor().describe() == "command line (deploy)"


def test_command_line_actor_without_os_user(monkeypatch):
    def no_user():
        raise OSError("no user")

    monkeypatch.setattr(history.getpass, "getuser", no_user)
    assert history.command_line_actor().describe() == "command line"


def test_stale_editor_gets_conflict_error(config):
    mine = MaintenanceConfig.objects.get()
    theirs = MaintenanceConfig.objects.get()
    theirs.title = "Theirs"
    theirs.save()
    mine.expected_version = mine.version
    mine.title = "Mine"
    with pytest.raises(ConflictError) as caught:
        mine.save()
    assert caught.value.current.title == "Theirs"
    assert MaintenanceConfig.objects.get().title == "Theirs"


def test_save_takes_effect_in_this_process_at_once(client, config):
    assert not state.get_snapshot().enabled
    config.enabled = True
    config.save()
    assert state.get_snapshot().enabled


def test_rolled_back_save_changes_nothing(transactional_db, client):
    MaintenanceConfig.get_solo()
    assert client.get("/").status_code == 200
    with pytest.raises(RuntimeError), transaction.atomic():
        config = MaintenanceConfig.get_solo()
        config.enabled = True
        config.save()
        raise RuntimeError("abort")
    assert client.get("/").status_code == 200
    assert not MaintenanceChange.objects.exists()
    assert not MaintenanceConfig.objects.get().enabled


def test_committed_save_publishes_after_commit(transactional_db, client):
    MaintenanceConfig.get_solo()
    with transaction.atomic():
        config = MaintenanceConfig.get_solo()
        config.enabled = True
        config.save()
    assert client.get("/").status_code == 503


def test_save_with_update_fields_still_bumps_version_and_records(config):
    before = config.version
    config.enabled = True
    config.save(update_fields=["enabled"])
    stored = MaintenanceConfig.objects.get()
    assert stored.enabled
    assert stored.version == before + 1
    assert stored.changed_at is not None
    assert MaintenanceChange.objects.get().changes == {"enabled": [False, True]}


def test_deleting_a_listed_group_is_recorded_and_takes_effect(client, config):
    testers = GroupFactory(name="Beta testers")
    GroupFactory(name="Staff")
    config.ignore_groups.add(testers)
    MaintenanceChange.objects.all().delete()
    state.get_snapshot()
    testers.delete()
    assert MaintenanceChange.objects.get().changes == {"ignore_groups": [["Beta testers"], []]}
    assert state.get_snapshot().group_ids == frozenset()


def test_deleting_a_listed_user_is_recorded(config):
    carol = UserFactory(username="carol")
    config.ignore_users.add(carol, UserFactory(username="dave"))
    MaintenanceChange.objects.all().delete()
    carol.delete()
    assert MaintenanceChange.objects.get().changes == {
        "ignore_users": [["carol", "dave"], ["dave"]]
    }


def test_deleting_an_unlisted_group_records_nothing(config):
    GroupFactory(name="Other").delete()
    assert not MaintenanceChange.objects.exists()


def test_history_before_is_what_the_save_replaced_even_from_a_stale_copy(config):
    """Two copies read at the same time, saved one after the other (no editor's version,
    as from code): each history entry's "before" is what was stored, and the versions
    count on."""
    first = MaintenanceConfig.objects.get()
    second = MaintenanceConfig.objects.get()
    first.title = "First"
    first.save()
    second.message = "Second"
    second.save()  # saves its stale title too: the history says so
    entries = list(MaintenanceChange.objects.order_by("changed_at", "id"))
    assert entries[-2].changes["title"] == ["", "First"]
    assert entries[-1].changes == {"title": ["First", ""], "message": ["", "Second"]}
    assert MaintenanceConfig.objects.get().version == first.version + 1 == second.version


def test_update_fields_records_only_those_fields(config):
    stale = MaintenanceConfig.objects.get()
    MaintenanceConfig.objects.get().save()  # someone else saves meanwhile
    stale.title = "Only this"
    stale.save(update_fields=["title"])
    assert MaintenanceChange.objects.first().changes == {"title": ["", "Only this"]}
