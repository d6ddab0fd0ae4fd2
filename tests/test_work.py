"""Background work during maintenance: ``core.is_work_held``, why, until when, and the
retry delay, seen from a project's code; the settings and the field that exempt work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.utils import timezone

from maintenance_panel import work
from maintenance_panel.core import (
    is_work_held,
    set_maintenance_mode,
    work_retry_delay,
    work_state,
)
from maintenance_panel.models import MaintenanceChange, MaintenanceConfig

pytestmark = pytest.mark.django_db


# -- the rule ----------------------------------------------------------------------------


def test_nothing_is_held_while_maintenance_is_off() -> None:
    assert is_work_held("clearsessions") is False
    assert is_work_held() is False
    assert work_state("clearsessions").reason == "off"


def test_full_maintenance_of_the_whole_site_holds_work() -> None:
    set_maintenance_mode(True)

    assert is_work_held("clearsessions") is True
    assert is_work_held() is True
    state = work_state("clearsessions")
    assert (state.held, state.reason, state.ends_at) == (True, "held", None)


def test_switching_off_releases_work_at_once() -> None:
    set_maintenance_mode(True)
    assert is_work_held("export") is True

    set_maintenance_mode(False)

    assert is_work_held("export") is False


def test_a_scoped_maintenance_holds_no_work() -> None:
    set_maintenance_mode(True, scope=["^/checkout/"])

    assert is_work_held("export") is False
    assert work_state("export").reason == "scoped"


def test_a_scope_from_settings_holds_no_work_either(settings: Any) -> None:
    set_maintenance_mode(True)
    settings.MAINTENANCE_MODE_SCOPE_URLS = ["^/api/"]

    assert is_work_held("export") is False


def test_read_only_maintenance_runs_work_under_the_write_guard() -> None:
    set_maintenance_mode(True, read_only=True)

    assert is_work_held("export") is False
    state = work_state("export")
    assert (state.reason, state.guarded) == ("read_only", True)


def test_read_only_without_blocking_writes_does_not_guard_work(settings: Any) -> None:
    set_maintenance_mode(True, read_only=True)
    settings.MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES = False

    assert work_state("export").guarded is False


def test_maintenance_forced_by_settings_holds_work(settings: Any) -> None:
    settings.MAINTENANCE_MODE = True

    assert is_work_held("export") is True
    assert work_state("export").forced_by_settings is True


def test_maintenance_forced_off_by_settings_holds_nothing(settings: Any) -> None:
    set_maintenance_mode(True)
    settings.MAINTENANCE_MODE = False

    assert is_work_held("export") is False


def test_work_named_in_the_setting_keeps_running(settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = [r"^clearsessions$", r"^billing\."]
    set_maintenance_mode(True)

    assert is_work_held("clearsessions") is False
    assert is_work_held("billing.tasks.charge") is False
    assert is_work_held("clearsessions_now") is True
    assert is_work_held("myapp.billing.tasks") is True  # re.match: from the start
    assert work_state("clearsessions").reason == "exempt"


def test_work_named_in_the_admin_field_keeps_running(set_config: Any) -> None:
    set_config(ignore_tasks="^reports\\.\n^healthcheck$")
    set_maintenance_mode(True)

    assert is_work_held("reports.nightly") is False
    assert is_work_held("healthcheck") is False
    assert is_work_held("export") is True


def test_the_setting_and_the_field_add_up(settings: Any, set_config: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = ["^a$"]
    set_config(ignore_tasks="^b$")
    set_maintenance_mode(True)

    assert (is_work_held("a"), is_work_held("b"), is_work_held("c")) == (False, False, True)


def test_a_scheduled_window_holds_work_only_while_open() -> None:
    set_maintenance_mode(True, start=timedelta(hours=1), end=timedelta(hours=2))
    assert is_work_held("export") is False

    set_maintenance_mode(True, start=timedelta(hours=-1), end=timedelta(minutes=30))
    assert is_work_held("export") is True
    assert work_state("export").ends_at == MaintenanceConfig.get_solo().ends_at


def test_the_answer_needs_no_query(django_assert_num_queries: Any, settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = ["^a$"]
    set_maintenance_mode(True)
    is_work_held("warm")

    with django_assert_num_queries(0):
        for _ in range(100):
            is_work_held("export")


# -- the retry delay ------------------------------------------------------------------


def test_held_work_is_retried_after_the_setting(settings: Any) -> None:
    set_maintenance_mode(True)
    assert work_retry_delay("export") == 60

    settings.MAINTENANCE_MODE_WORK_RETRY = 300
    assert work_retry_delay("export") == 300


def test_held_work_is_retried_at_the_window_end_when_sooner() -> None:
    set_maintenance_mode(True, end=timedelta(seconds=20))
    assert 1 <= work_retry_delay("export") <= 20

    set_maintenance_mode(True, end=timedelta(hours=2))
    assert work_retry_delay("export") == 60


def test_the_delay_rule_on_its_own() -> None:
    now = timezone.now()
    assert work.retry_delay(None, now) == 60
    assert work.retry_delay(now + timedelta(seconds=9.2), now) == 10
    assert work.retry_delay(now - timedelta(seconds=5), now) == 1  # never zero


# -- the field --------------------------------------------------------------------------


def test_the_field_refuses_a_pattern_that_could_hang_a_worker(config: MaintenanceConfig) -> None:
    config.ignore_tasks = "^ok$\n(?=lookahead)"

    with pytest.raises(ValidationError) as raised:
        config.full_clean()

    [message] = raised.value.message_dict["ignore_tasks"]
    assert message.startswith("Line 2: “(?=lookahead)” uses a lookahead")
    assert "names of background work are matched in linear time" in message


def test_the_field_refuses_a_broken_pattern(config: MaintenanceConfig) -> None:
    config.ignore_tasks = "reports.("

    with pytest.raises(ValidationError) as raised:
        config.full_clean()

    assert "is not a valid regular expression" in raised.value.message_dict["ignore_tasks"][0]


def test_the_history_records_a_change_of_the_field(set_config: Any) -> None:
    set_config(ignore_tasks="^reports\\.")

    assert MaintenanceChange.objects.get().changes["ignore_tasks"] == ["", "^reports\\."]


# -- the settings' checks -----------------------------------------------------------------


def test_a_string_instead_of_a_list_is_an_error(settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = "^clearsessions$"

    [message] = [m for m in run_checks() if m.id == "maintenance_panel.E004"]
    assert "MAINTENANCE_MODE_IGNORE_TASKS must be a list or tuple" in message.msg
    assert message.hint == "Write MAINTENANCE_MODE_IGNORE_TASKS = ['^clearsessions$']."


def test_a_broken_pattern_is_an_error_naming_the_name(settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = ["reports.("]

    [message] = [m for m in run_checks() if m.id == "maintenance_panel.E006"]
    assert "MAINTENANCE_MODE_IGNORE_TASKS: 'reports.(' is not a regular expression" in message.msg
    assert message.hint == "Fix the pattern; it is matched with re.match against the name."


def test_a_backtracking_pattern_is_a_warning(settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = [r"^(\w+)\1$"]

    [message] = [m for m in run_checks() if m.id == "maintenance_panel.W008"]
    assert message.msg.startswith("MAINTENANCE_MODE_IGNORE_TASKS:")
    assert "hostile name" in message.hint


def test_a_list_past_the_limits_is_an_error(settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = [f"^task{n}" for n in range(20_000)]

    messages = [m for m in run_checks() if m.id == "maintenance_panel.E013"]
    assert messages
    assert messages[0].msg.startswith("MAINTENANCE_MODE_IGNORE_TASKS has ")


@pytest.mark.parametrize("value", ["60", 0, -5, None, True])
def test_a_bad_retry_delay_is_an_error(settings: Any, value: Any) -> None:
    settings.MAINTENANCE_MODE_WORK_RETRY = value

    [message] = [m for m in run_checks() if m.id == "maintenance_panel.E008"]
    assert message.msg == (
        f"MAINTENANCE_MODE_WORK_RETRY is {value!r}; it must be a number of seconds, 1 or more."
    )
    assert message.hint.endswith("or remove it to use the default (60).")


def test_the_new_settings_are_known_names(settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = []
    settings.MAINTENANCE_MODE_WORK_RETRY = 30
    settings.MAINTENANCE_MODE_WORK_RETRIES = 30  # a typo

    [message] = [m for m in run_checks() if m.id == "maintenance_panel.W001"]
    assert message.hint == "Did you mean MAINTENANCE_MODE_WORK_RETRY?"
