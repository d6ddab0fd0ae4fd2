"""The app's pages as an operator and a visitor reach them, for the look, accessibility
and screenshot tests: one place that knows how to get to each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.browser.conftest import PASSWORD, wait_for_status

PANEL = "/admin/maintenance_panel/maintenanceconfig/"
ADMIN_LOG = f"{PANEL}history/"
BYPASS_ADD = f"{PANEL}bypass-links/add/"
ALL_CHANGES = "/admin/maintenance_panel/maintenancechange/"
DELIVERIES = "/admin/maintenance_panel/delivery/"
API_TOKENS = "/admin/maintenance_panel/apitoken/"
API_TOKEN_ADD = f"{API_TOKENS}add/"
#: Stock admin pages of the same Django, to compare with.
USER_LIST = "/admin/auth/user/"
GROUP_FORM = "/admin/auth/group/add/"
PASSWORD_CHANGE = "/admin/password_change/"


def furnish() -> Any:
    """A site with something on every page: a message, an exempt group, a bypass link
    and a few history entries. Returns the superuser who operates it."""
    from maintenance_panel import core
    from maintenance_panel.models import MaintenanceConfig, history
    from tests.factories import GroupFactory, SuperuserFactory, UserFactory

    operator = SuperuserFactory(username="alice", first_name="Alice", password=PASSWORD)
    UserFactory(username="bob")
    with history.recording(source="admin", user=operator):
        config = MaintenanceConfig.get_solo()
        config.title = "We are upgrading the database"
        config.message = (
            "The shop is back in about an hour; your basket is kept.\n"
            "Questions? Write to help@example.com."
        )
        config.save()
        config.ignore_groups.set([GroupFactory(name="Beta testers")])
    core.create_bypass_link("QA team", expires_at=timezone.now() + timedelta(days=2), user=operator)
    core.set_maintenance_mode(True, label="command line (deploy)", source="command")
    core.set_maintenance_mode(False, label="command line (deploy)", source="command")
    return operator


def open_confirm(page: Any) -> Any:
    """The confirmation page, reached from the panel's switch."""
    page.goto(PANEL)
    page.get_by_role("button", name="Turn maintenance on").click()
    page.get_by_role("heading", name="Turn maintenance mode on?").wait_for()
    return page


def open_preview(page: Any) -> Any:
    """The preview of the maintenance page, in the tab the panel opens."""
    page.goto(PANEL)
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview the maintenance page").click()
    preview = opened.value
    preview.wait_for_load_state()
    return preview


def open_bypass_created(page: Any) -> Any:
    """The page that shows a new bypass link once."""
    page.goto(BYPASS_ADD)
    page.get_by_role("textbox", name="Name").fill("Support desk")
    page.get_by_role("button", name="Create link").click()
    page.get_by_role("heading", name="Bypass link created").wait_for()
    return page


def furnish_tokens() -> None:
    """A few API tokens: one used from a pipeline's address, a read-only one, a revoked
    one (once per test)."""
    from maintenance_panel import core, tokens
    from maintenance_panel.models import ApiToken

    if ApiToken.objects.exists():
        return
    raw = core.create_api_token("GitHub Actions deploy", expires_at=timedelta(days=90))
    tokens.note_use(tokens.authenticate(raw).token, "203.0.113.24")
    core.create_api_token("Status page", scopes=("read",))
    core.create_api_token("Old chat bot")
    core.revoke_api_token("Old chat bot")


def furnish_deliveries() -> None:
    """One event sent to two webhooks: delivered to one, failing at the other."""
    from maintenance_panel.models import Delivery, Notification

    notification = Notification.objects.create(key="k", event="switched_on", payload={})
    Delivery.objects.create(
        notification=notification,
        channel="webhook",
        target="https://ok.example.com/in",
        status="delivered",
        attempts=1,
        delivered_at=timezone.now(),
    )
    Delivery.objects.create(
        notification=notification,
        channel="webhook",
        target="https://hooks.example.com/in",
        status="pending",
        attempts=2,
        last_error="502 from hooks.example.com",
        next_attempt_at=timezone.now(),
    )


def open_api_tokens(page: Any) -> Any:
    """The list of API tokens."""
    furnish_tokens()
    page.goto(API_TOKENS)
    page.wait_for_load_state()
    return page


def open_api_token_created(page: Any) -> Any:
    """The page that shows a new API token once."""
    page.goto(API_TOKEN_ADD)
    page.get_by_role("textbox", name="Name").fill("GitLab CI deploy")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("heading", name="API token created").wait_for()
    return page


def open_path(path: str) -> Callable[[Any], Any]:
    def opener(page: Any) -> Any:
        page.goto(path)
        page.wait_for_load_state()
        return page

    return opener


#: The app's admin pages, by name: how to open each in a logged-in page.
ADMIN_PAGES: dict[str, Callable[[Any], Any]] = {
    "panel": open_path(PANEL),
    "confirm": open_confirm,
    "admin-log": open_path(ADMIN_LOG),
    "all-changes": open_path(ALL_CHANGES),
    "deliveries": open_path(DELIVERIES),
    "bypass-add": open_path(BYPASS_ADD),
    "bypass-created": open_bypass_created,
    "preview": open_preview,
    "api-tokens": open_api_tokens,
    "api-token-add": open_path(API_TOKEN_ADD),
    "api-token-created": open_api_token_created,
}


def open_demo_503(page: Any) -> Any:
    """The demo's maintenance page, as a visitor gets it while maintenance is on."""
    from maintenance_panel import core

    core.set_maintenance_mode(True)
    wait_for_status(page, "/", 503)
    return page
