"""The limits of a list: refused on save through every way in, saying which limit and by
how much; stored or set past them anyway, the request path uses what fits and says so
once; and each process builds a list's matcher once per change."""

from __future__ import annotations

import logging
import threading
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import translation

from maintenance_panel import core, setting_lists, state
from maintenance_panel import snapshot as snapshot_module
from maintenance_panel.matching import expressions, limits
from maintenance_panel.matching import patterns as patterns_module
from maintenance_panel.models import MaintenanceChange, MaintenanceConfig
from tests.helpers import PANEL, form_data, found, logged_in, text

pytestmark = pytest.mark.django_db

#: One past the limit on regular expressions (plain paths do not count).
TOO_MANY_EXPRESSIONS = [rf"^/e{n}/\d+$" for n in range(limits.MAX_EXPRESSIONS + 1)]
#: One line RE2 compiles to more than a whole list may have.
TOO_LARGE = r"^/u/\p{L}{0,50}$"
#: Lines whose program sizes add up to more than the limit, each fine alone.
TOO_COMPLEX = [f"^/x{n:03}a{{1000}}" for n in range(limits.MAX_PROGRAM_SIZE // 1000 + 1)]


def count(value: int) -> str:
    return f"{value:,}"


def save_through_admin(operator, **fields):
    client = logged_in(operator)
    page = client.get(PANEL)
    return client.post(PANEL, {**form_data(page), **fields, "_save": "Save"})


# -- refused on save -------------------------------------------------------------------


def test_the_admin_names_the_limit_and_the_excess_and_saves_nothing(operator):
    response = save_through_admin(
        operator, title="Half a change", ignore_urls="\n".join(TOO_MANY_EXPRESSIONS)
    )

    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["ignore_urls"]
    assert error == (
        f"This list has {count(limits.MAX_EXPRESSIONS + 1)} regular expressions; at most "
        f"{count(limits.MAX_EXPRESSIONS)} are allowed (1 too many). Plain paths such as "
        "^/shop/ or ^/healthz$ do not count."
    )
    assert error in text(response)
    stored = MaintenanceConfig.get_solo()
    assert (stored.title, stored.ignore_urls) == ("", "")
    assert not MaintenanceChange.objects.exists()


def test_the_admin_says_by_how_much_the_program_size_is_over_and_which_line_is_largest(
    operator,
):
    response = save_through_admin(operator, scope_urls="^/shop/\n" + "\n".join(TOO_COMPLEX))

    (error,) = response.context["adminform"].form.errors["scope_urls"]
    total = sum(map(expressions.program_size, TOO_COMPLEX))
    assert error.startswith(
        f"Together the regular expressions compile to {count(total)} RE2 instructions; at "
        f"most {count(limits.MAX_PROGRAM_SIZE)} are allowed "
        f"({count(total - limits.MAX_PROGRAM_SIZE)} too many). The largest is line 2 "
    )
    assert "Unicode classes such as \\p{L}" in error
    assert MaintenanceConfig.get_solo().scope_urls == ""


def test_the_admin_refuses_a_line_too_large_alone_and_one_too_long(operator):
    long_line = "^/" + "a" * limits.MAX_LINE_LENGTH
    response = save_through_admin(operator, ignore_urls=f"^/fine/\n{TOO_LARGE}\n{long_line}")

    errors = response.context["adminform"].form.errors["ignore_urls"]
    assert errors == [
        f"Line 2: “{TOO_LARGE}” compiles to more RE2 instructions than a whole list may "
        f"have ({count(limits.MAX_PROGRAM_SIZE)}). Large repetition counts such as "
        ".{0,100} and Unicode classes such as \\p{L} compile to the most instructions; "
        "plain paths such as ^/shop/ compile to none.",
        f"Line 3 is {count(len(long_line))} characters long; a URL pattern may have at most "
        f"{count(limits.MAX_LINE_LENGTH)} (2 too many).",
    ]


def test_the_admin_refuses_too_many_networks(operator):
    networks = "\n".join(f"10.{n // 256}.{n % 256}.0/24" for n in range(limits.MAX_LINES + 1))
    response = save_through_admin(operator, ignore_ip_addresses=networks)

    assert response.context["adminform"].form.errors["ignore_ip_addresses"] == [
        f"This list has {count(limits.MAX_LINES + 1)} lines; at most "
        f"{count(limits.MAX_LINES)} are allowed (1 too many)."
    ]


def test_the_refusal_speaks_the_operators_language(operator):
    with translation.override("de"):
        response = save_through_admin(operator, ignore_urls="\n".join(TOO_MANY_EXPRESSIONS))
    (error,) = response.context["adminform"].form.errors["ignore_urls"]
    assert error.startswith("Diese Liste hat 501 reguläre Ausdrücke; höchstens 500 sind erlaubt")


def test_the_command_refuses_a_scope_past_a_limit_and_changes_nothing():
    with pytest.raises(CommandError) as caught:
        call_command("maintenance_mode", "on", "--scope", TOO_LARGE, stdout=StringIO())

    assert str(caught.value).startswith(
        f"Nothing changed: scope_urls: Line 1: “{TOO_LARGE}” compiles to more RE2 "
        f"instructions than a whole list may have ({count(limits.MAX_PROGRAM_SIZE)})."
    )
    assert not MaintenanceConfig.objects.filter(enabled=True).exists()


def test_the_command_counts_every_scope_option():
    options = [option for pattern in TOO_MANY_EXPRESSIONS for option in ("--scope", pattern)]
    with pytest.raises(CommandError, match="This list has 501 regular expressions"):
        call_command("maintenance_mode", "on", *options, stdout=StringIO())


def test_the_python_api_raises_a_validation_error_naming_the_limit():
    with pytest.raises(ValidationError) as caught:
        core.set_maintenance_mode(True, scope=TOO_COMPLEX)

    (message,) = caught.value.message_dict["scope_urls"]
    assert "RE2 instructions; at most" in message
    assert caught.value.error_dict["scope_urls"][0].code == "too_complex"
    assert not core.get_maintenance_mode()


def literal_of_size(size: int) -> str:
    """A pattern RE2 compiles to exactly ``size`` instructions (in a set)."""
    letters = size - expressions.program_size("^/x")
    return "^/x" + "a{1000}" * (letters // 1000) + f"b{{{letters % 1000}}}"


@pytest.mark.parametrize("over", [0, 1])
def test_a_list_at_every_limit_at_once_is_accepted_and_one_instruction_more_is_not(over):
    small = [rf"^/e{n}/\d" for n in range(limits.MAX_EXPRESSIONS - 1)]
    room = limits.MAX_PROGRAM_SIZE - sum(map(expressions.program_size, small))
    lines = [*small, literal_of_size(room + over)]
    assert expressions.program_size(lines[-1]) == room + over
    lines += [f"^/p{n}/" for n in range(limits.MAX_LINES - len(lines))]

    if over:
        with pytest.raises(ValidationError, match=r"\(1 too many\)"):
            core.set_maintenance_mode(True, scope=lines)
        return
    core.set_maintenance_mode(True, scope=lines)
    assert len(state.get_snapshot().scope_patterns) == limits.MAX_LINES


# -- settings --------------------------------------------------------------------------


@override_settings(MAINTENANCE_MODE_IGNORE_URLS=TOO_MANY_EXPRESSIONS)
def test_the_check_says_which_setting_is_past_which_limit_and_by_how_much():
    message = found()["maintenance_panel.E013"]
    assert message.msg == (
        f"MAINTENANCE_MODE_IGNORE_URLS has {count(limits.MAX_EXPRESSIONS + 1)} regular "
        f"expressions; at most {count(limits.MAX_EXPRESSIONS)} are used (1 too many) (plain "
        "paths do not count). The entries past the limit are ignored."
    )
    assert "plain paths such as '^/shop/' cost nothing" in message.hint


@override_settings(MAINTENANCE_MODE_SCOPE_URLS=["^/shop/", TOO_LARGE])
def test_the_check_names_a_setting_entry_too_large_alone():
    message = found()["maintenance_panel.E013"]
    assert message.msg.startswith(
        f"MAINTENANCE_MODE_SCOPE_URLS: {TOO_LARGE!r} compiles to more RE2 instructions"
    )


def test_the_check_counts_the_networks_setting():
    networks = [f"10.{n // 256}.{n % 256}.1" for n in range(limits.MAX_LINES + 2)]
    with override_settings(MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=networks):
        message = found()["maintenance_panel.E013"]
    assert message.msg.startswith(
        f"MAINTENANCE_MODE_IGNORE_IP_ADDRESSES has {count(limits.MAX_LINES + 2)} entries; at "
        f"most {count(limits.MAX_LINES)} are used (2 too many)"
    )


def test_a_setting_past_a_limit_is_cut_to_what_fits_and_logged_once(set_config, caplog):
    set_config(enabled=True)
    with override_settings(MAINTENANCE_MODE_IGNORE_URLS=[*TOO_MANY_EXPRESSIONS, "^/plain/"]):
        visitor = Client()
        assert visitor.get("/e0/1").status_code == 404  # exempt: served as usual
        assert visitor.get(f"/e{limits.MAX_EXPRESSIONS - 1}/1").status_code == 404
        assert visitor.get(f"/e{limits.MAX_EXPRESSIONS}/1").status_code == 503  # past it
        assert visitor.get("/plain/").status_code == 404  # plain paths always fit
        visitor.get("/e0/1")
    logged = [r for r in caplog.records if "MAINTENANCE_MODE_IGNORE_URLS" in r.getMessage()]
    assert len(logged) == 1
    assert logged[0].levelno == logging.ERROR
    assert "1 entry(ies) of MAINTENANCE_MODE_IGNORE_URLS are past the limits of a list" in (
        logged[0].getMessage()
    )
    assert "maintenance_panel.E013" in logged[0].getMessage()


# -- stored around the form ------------------------------------------------------------


def test_stored_text_past_the_limits_is_cut_to_what_fits_and_logged_once(set_config, caplog):
    # Saved by code that skipped validation, or before these limits existed.
    set_config(enabled=True, ignore_urls="\n".join([TOO_LARGE, "^/fine/", "^/after/\\d"]))
    visitor = Client()
    assert visitor.get("/fine/").status_code == 404  # exempt: served as usual
    assert visitor.get("/after/1").status_code == 503  # after the line that did not fit
    assert visitor.get("/u/x").status_code == 503
    state.expire()
    visitor.get("/fine/")
    logged = [r for r in caplog.records if "stored URL pattern" in r.getMessage()]
    assert len(logged) == 1
    assert "2 stored URL pattern(s) are past the limits of a list" in logged[0].getMessage()
    assert "RE2 program size of" in logged[0].getMessage()


# -- built once ------------------------------------------------------------------------


@pytest.fixture
def set_builds(monkeypatch):
    """How many RE2 sets were built, by their patterns."""
    built: list[tuple[str, ...]] = []
    compiled_sets = patterns_module._compiled_sets

    def counting(patterns):
        if patterns:
            built.append(tuple(patterns))
        return compiled_sets(patterns)

    monkeypatch.setattr(patterns_module, "_compiled_sets", counting)
    snapshot_module.forget_built()
    return built


def test_a_change_builds_each_changed_list_once_in_the_saving_process(set_builds):
    core.set_maintenance_mode(True, scope=[r"^/shop/\d+"])
    visitor = Client()
    for _ in range(3):
        assert visitor.get("/shop/1").status_code == 503
        state.expire()  # re-validated on the next request: the same text, not built again
    assert set_builds == [(r"^/shop/\d+",)]

    core.set_maintenance_mode(True, title="Another title")
    visitor.get("/shop/1")
    assert set_builds == [(r"^/shop/\d+",)]  # the list did not change


def test_saving_through_the_admin_checks_the_list_without_building_it_twice(operator, set_builds):
    response = save_through_admin(operator, enabled="on", ignore_urls=r"^/api/v\d+/")
    assert response.status_code == 302
    Client().get("/api/v1/")
    assert set_builds == [(r"^/api/v\d+/",)]


def test_threads_asking_at_once_build_a_setting_once(set_builds):
    start = threading.Barrier(4)
    found_patterns = []

    def ask() -> None:
        start.wait()
        found_patterns.append(setting_lists.ignored_url_patterns())

    with override_settings(MAINTENANCE_MODE_IGNORE_URLS=[r"^/api/v\d+/"]):
        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert set_builds == [(r"^/api/v\d+/",)]
    assert len({id(patterns) for patterns in found_patterns}) == 1
