"""Patterns that hang a backtracking engine: harmless through every way in, or refused.

Each request below would take minutes with Python's ``re`` (the time doubles with
every letter of the path). A guard turns such a hang into a failure after a few
seconds instead of a stuck test run; it is not a timing assertion.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.test import AsyncClient, Client, override_settings

from maintenance_panel.models import MaintenanceChange, MaintenanceConfig
from tests.helpers import PANEL, form_data, logged_in, text

pytestmark = pytest.mark.django_db

HOSTILE = [r"^/(a+)+$", r"^/(a|aa)+$", r"^/(a|a?)+$", r"^/(.*a){12}$", r"^/([a-z]+)*\d$"]
#: 50 characters that almost match each hostile pattern.
PATH = "/" + "a" * 48 + "!"


class Hung(Exception):
    pass


@pytest.fixture(autouse=True)
def hang_guard() -> Iterator[None]:
    def hung(*args: Any) -> None:
        raise Hung("a request took more than 10 seconds: a backtracking match?")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, 10)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def save_through_admin(operator: Any, **fields: str) -> Any:
    client = logged_in(operator)
    page = client.get(PANEL)
    return client.post(PANEL, {**form_data(page), **fields, "_save": "Save"})


@pytest.mark.parametrize("pattern", HOSTILE)
def test_saved_in_the_admin_and_harmless_for_a_visitor(operator, pattern):
    response = save_through_admin(operator, enabled="on", ignore_urls=f"^/fine/\n{pattern}")
    assert response.status_code == 302
    assert MaintenanceConfig.get_solo().ignore_urls == f"^/fine/\n{pattern}"

    visitor = Client()
    assert visitor.get(PATH).status_code == 503
    # Exempt paths are served as usual: these ones by Django's "not found" page.
    assert visitor.get("/fine/").status_code == 404
    exempt = "/" + "a" * 12 + ("1" if pattern.endswith(r"\d$") else "")
    assert visitor.get(exempt).status_code == 404


@pytest.mark.django_db(transaction=True)
async def test_harmless_on_the_async_path():
    def store(pattern: str) -> None:
        config = MaintenanceConfig.get_solo()
        config.enabled = True
        config.ignore_urls = pattern
        config.save()

    for pattern in HOSTILE:
        await sync_to_async(store)(pattern)
        assert (await AsyncClient().get(PATH)).status_code == 503


@override_settings(MAINTENANCE_MODE_IGNORE_URLS=HOSTILE)
def test_in_settings_as_strings_they_are_matched_in_linear_time_too(set_config):
    set_config(enabled=True)
    assert Client().get(PATH).status_code == 503
    assert Client().get("/" + "a" * 12).status_code == 404  # exempt: served as usual


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [
        (r"^/(?=admin)", "a lookahead"),
        (r"^/(\w+)/\1$", "a backreference"),
        (r"^/(?>a+)b", "an atomic group"),
        (r"^/a++b", "a possessive quantifier"),
        (r"^/x(?<!y)", "a lookbehind"),
    ],
)
def test_what_re2_cannot_match_is_refused_in_the_admin_naming_line_and_construct(
    operator, pattern, construct
):
    response = save_through_admin(
        operator, title="Half a change", ignore_urls=f"^/fine/\n\n{pattern}"
    )

    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["ignore_urls"]
    assert error.startswith(f"Line 3: “{pattern}” uses {construct}")
    assert "linear time" in text(response)
    stored = MaintenanceConfig.get_solo()
    assert (stored.title, stored.ignore_urls) == ("", "")  # nothing saved, not even the title
    assert not MaintenanceChange.objects.exists()


def test_refused_by_the_models_validation_that_the_python_api_runs(config):
    config.ignore_urls = "^/(?!admin)"
    with pytest.raises(ValidationError) as caught:
        config.full_clean(exclude=["ignore_groups", "ignore_users"])
    assert "lookahead" in caught.value.message_dict["ignore_urls"][0]


def test_a_refused_line_stored_around_the_form_is_skipped_not_raised(set_config, caplog):
    # Saved by code that skipped validation, or before this rule existed.
    set_config(enabled=True, ignore_urls="^/(?=x)\n^/fine/")
    assert Client().get("/fine/").status_code == 404  # exempt: served as usual
    assert Client().get("/x").status_code == 503
    assert "1 stored URL pattern(s) are not RE2 syntax and are ignored" in caplog.text
