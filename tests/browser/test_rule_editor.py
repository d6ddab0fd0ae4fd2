"""The rule editor in a real browser: an operator types a repeat rule and reads it back
in words with its next five windows, or reads what is wrong with it; the error looks
like the admin's own field errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from tests.browser.conftest import require_playwright
from tests.browser.pages import GROUP_FORM, PANEL, furnish

require_playwright()

STYLE = """(selector) => {
    const element = document.querySelector(selector);
    if (!element) {
        return null;
    }
    const style = getComputedStyle(element);
    const found = {};
    for (const name of ["color", "font-size", "font-weight", "font-family", "list-style-type"]) {
        found[name] = style.getPropertyValue(name);
    }
    return found;
}"""


@pytest.fixture
def panel(new_page: Any, log_in: Any, transactional_db: Any) -> Any:
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, furnish(), PANEL)
    return page


def type_rule(page: Any, rule: str, duration: str = "1:00:00") -> None:
    page.get_by_label("Each time for").fill(duration)
    page.get_by_label("Repeats").fill(rule)


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_rule_typed_is_read_back_with_its_next_five_windows(panel):
    type_rule(panel, "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2")
    preview = panel.locator("#id_recurrence_preview")
    preview.get_by_text("Every Sunday at 02:00 for 1 hour").wait_for()
    assert "The next windows, in Europe/Berlin:" in preview.inner_text()
    windows = preview.locator("li")
    assert windows.count() == 5
    for index in range(5):
        line = windows.nth(index).inner_text()
        assert line.startswith("Sunday ")
        assert "02:00 to 03:00 CE" in line  # CET or CEST: the zone is named


def test_a_bad_rule_typed_says_what_is_wrong_then_a_fixed_one_is_read(panel):
    type_rule(panel, "FREQ=WEEKLY;BYHOUR=25")
    error = panel.locator("#id_recurrence_preview .errorlist")
    error.get_by_text("BYHOUR=25: 25 is out of range (0 to 23).").wait_for()
    panel.get_by_label("Repeats").fill("FREQ=MINUTELY")
    error.get_by_text("FREQ=MINUTELY repeats too often for maintenance").wait_for()
    panel.get_by_label("Repeats").fill("FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=22")
    panel.get_by_text("On the last Friday of every month at 22:00 for 1 hour").wait_for()
    assert panel.locator("#id_recurrence_preview .errorlist").count() == 0


def test_the_error_looks_like_the_admins_own_field_errors(panel):
    type_rule(panel, "FREQ=WEEKLY;BYDAY=XX")
    panel.locator("#id_recurrence_preview .errorlist li").wait_for()
    ours = panel.evaluate(STYLE, "#id_recurrence_preview .errorlist li")
    panel.goto(GROUP_FORM)
    panel.get_by_role("button", name="Save", exact=True).click()
    panel.locator(".errorlist li").first.wait_for()
    stock = panel.evaluate(STYLE, ".form-row .errorlist li")
    assert ours == stock


def test_saving_a_bad_rule_shows_the_error_under_the_field(panel):
    type_rule(panel, "FREQ=WEEKLY;COUNT=3")
    panel.get_by_role("button", name="Save", exact=True).click()
    panel.locator(".field-recurrence .errorlist").get_by_text(
        "COUNT cannot be used: the rule has no start date of its own."
    ).wait_for()
