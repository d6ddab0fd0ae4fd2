"""Moving over from django-maintenance-mode: what its users write, and what they get.

Each test does what a project written for the older library does (its settings, its
calls, the exceptions it catches, its URLs) with the two strings changed as
docs/migrating.md says, and checks what the visitor, the deploy script or the calling
code gets.
"""

from __future__ import annotations

import builtins
from datetime import datetime, timedelta
from io import StringIO

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import AsyncClient, Client, RequestFactory, override_settings
from django.urls import include, path
from django.utils import timezone
from django.views import View

from maintenance_panel.core import InvalidValue, get_maintenance_mode, set_maintenance_mode
from maintenance_panel.decorators import force_maintenance_mode_on
from maintenance_panel.models import MaintenanceConfig
from maintenance_panel.testing import reset_maintenance_state
from tests.factories import UserFactory
from tests.fakes import SHARED, FakeSharedCache
from tests.helpers import found, logged_in, text

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_migrating")]


@force_maintenance_mode_on
def down(request):
    return HttpResponse("the view ran")


@force_maintenance_mode_on
async def async_down(request):
    return HttpResponse("the view ran")


@force_maintenance_mode_on
class DownView(View):
    def get(self, request):
        return HttpResponse("the view ran")


@force_maintenance_mode_on
class AsyncDownView(View):
    async def get(self, request):
        return HttpResponse("the view ran")


def whoami(request):
    return HttpResponse(request.user.get_username() or "anonymous")


urlpatterns = [
    path("", lambda request: HttpResponse("home")),
    path("down/", down),
    path("async-down/", async_down),
    path("class-down/", DownView.as_view()),
    path("async-class-down/", AsyncDownView.as_view()),
    path("whoami/", whoami),
    path("admin/", admin.site.urls),
    path("maintenance/", include("maintenance_panel.urls")),
]

OUR_MIDDLEWARE = "maintenance_panel.middleware.MaintenanceModeMiddleware"
WITHOUT_OUR_MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != OUR_MIDDLEWARE]


def stored() -> MaintenanceConfig:
    return MaintenanceConfig.objects.get()


def in_an_hour() -> str:
    return (timezone.localtime() + timedelta(hours=1)).replace(microsecond=0).isoformat()


# -- GET /admin without its slash ---------------------------------------------------------


def test_admin_without_its_slash_is_redirected_to_the_exempt_admin(set_config):
    set_config(enabled=True)  # the admin is exempt by default
    response = Client().get("/admin")
    assert response.status_code == 301
    assert response["Location"] == "/admin/"
    assert Client().get("/admin/login/").status_code == 200


def test_admin_without_its_slash_keeps_the_query_string(set_config):
    set_config(enabled=True)
    assert Client().get("/admin?next=x")["Location"] == "/admin/?next=x"


def test_a_held_back_admin_without_its_slash_gets_the_maintenance_page(set_config):
    set_config(enabled=True, ignore_admin_site=False)
    assert Client().get("/admin").status_code == 503


@pytest.mark.parametrize("address", ["/nowhere", "/down", "/whoami"])
def test_other_paths_without_their_slash_stay_held_back(set_config, address):
    set_config(enabled=True)
    assert Client().get(address).status_code == 503


@override_settings(APPEND_SLASH=False)
def test_without_append_slash_the_admin_without_its_slash_is_held_back(set_config):
    set_config(enabled=True)
    assert Client().get("/admin").status_code == 503


@override_settings(MAINTENANCE_MODE_IGNORE_URLS=[r"^/whoami/$"])
def test_an_ignored_url_without_its_slash_is_redirected_too(set_config):
    set_config(enabled=True)
    assert Client().get("/whoami")["Location"] == "/whoami/"


@pytest.mark.django_db(transaction=True)
async def test_admin_without_its_slash_on_the_async_path(set_config):
    await sync_to_async(set_config)(enabled=True)
    response = await AsyncClient().get("/admin")
    assert response.status_code == 301
    assert response["Location"] == "/admin/"


# -- times as the older library takes them -------------------------------------------------


def test_command_with_end_as_a_keyword_option():
    end = in_an_hour()
    call_command("maintenance_mode", "on", end=end, stdout=StringIO())
    assert stored().enabled
    assert stored().ends_at == datetime.fromisoformat(end)


def test_command_with_start_and_end_as_keyword_options():
    start = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    end = start + timedelta(hours=2)
    call_command(
        "maintenance_mode", "on", start=start.isoformat(), end=end.isoformat(), stdout=StringIO()
    )
    assert (stored().starts_at, stored().ends_at) == (start, end)
    assert get_maintenance_mode() is False  # scheduled, not open yet


def test_command_with_datetimes_as_keyword_options():
    end = timezone.now() + timedelta(hours=1)
    call_command("maintenance_mode", "on", end=end.replace(tzinfo=None), stdout=StringIO())
    assert stored().ends_at is not None


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"end": "tomorrow"}, "--end: 'tomorrow' is not a time"),
        ({"end": "2001-01-01T00:00"}, "is in the past"),
        ({"timeout": "soon", "wait": True}, "--timeout: 'soon' is not a number of seconds"),
    ],
)
def test_command_keyword_options_are_checked_as_typed_ones(options, said):
    with pytest.raises(CommandError, match=said):
        call_command("maintenance_mode", "on", **options, stdout=StringIO())
    assert not MaintenanceConfig.objects.filter(enabled=True).exists()


def test_set_maintenance_mode_with_iso_times():
    start = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    set_maintenance_mode(
        True, start=start.isoformat(), end=(start + timedelta(hours=1)).isoformat()
    )
    assert stored().starts_at == start
    assert stored().ends_at == start + timedelta(hours=1)


def test_set_maintenance_mode_with_a_naive_iso_time_reads_the_current_zone():
    end = in_an_hour()
    set_maintenance_mode(True, end=end[:19])  # without its offset
    assert stored().ends_at == datetime.fromisoformat(end)
    assert get_maintenance_mode() is True


# -- what the older library's callers catch -------------------------------------------------


@pytest.mark.parametrize(
    "window",
    [
        {"end": "2001-01-01T00:00:00+00:00"},  # in the past
        {"start": "2030-01-02T00:00", "end": "2030-01-01T00:00"},  # ends before it starts
        {"end": "next tuesday"},  # not a time
        {"end": "2030-02-30T00:00"},  # no such day
        {"end": timezone.now() - timedelta(minutes=1)},
    ],
)
def test_a_bad_window_raises_what_old_callers_catch(window):
    # As written for django-maintenance-mode:
    with pytest.raises(ValueError, match=r"in the past|after the start|not a time") as caught:
        set_maintenance_mode(True, **window)
    assert isinstance(caught.value, ValidationError)  # and as written for this app
    assert isinstance(caught.value, InvalidValue)
    assert not MaintenanceConfig.objects.filter(enabled=True).exists()


def test_a_value_that_is_not_a_bool_is_a_type_error_as_before():
    with pytest.raises(TypeError):
        set_maintenance_mode("on")  # type: ignore[arg-type]


def test_a_bad_window_still_says_which_field():
    with pytest.raises(InvalidValue) as caught:
        set_maintenance_mode(True, start="2030-01-02T00:00", end="2030-01-01T00:00")
    assert "ends_at" in caught.value.message_dict


# -- force_maintenance_mode_on without the middleware ----------------------------------------


@override_settings(MIDDLEWARE=WITHOUT_OUR_MIDDLEWARE)
@pytest.mark.parametrize("address", ["/down/", "/class-down/"])
def test_forced_on_view_answers_itself_without_the_middleware(address):
    response = Client().get(address)
    assert response.status_code == 503
    assert "the view ran" not in text(response)
    assert response["Retry-After"] == "3600"


@pytest.mark.django_db(transaction=True)
@override_settings(MIDDLEWARE=WITHOUT_OUR_MIDDLEWARE)
@pytest.mark.parametrize("address", ["/async-down/", "/async-class-down/"])
async def test_forced_on_async_view_answers_itself_without_the_middleware(address):
    response = await AsyncClient().get(address)
    assert response.status_code == 503
    assert b"the view ran" not in response.content


def test_forced_on_view_called_directly_answers_the_maintenance_page():
    response = down(RequestFactory().get("/down/"))
    assert response.status_code == 503


#: The requests ``counting_context`` was asked about: one per maintenance page rendered.
RENDERED: list[str] = []


def counting_context(request):
    RENDERED.append(request.path)
    return {"message": "Counted."}


@override_settings(MAINTENANCE_MODE_GET_CONTEXT="tests.test_migrating.counting_context")
@pytest.mark.parametrize(
    "middleware", [settings.MIDDLEWARE, WITHOUT_OUR_MIDDLEWARE], ids=["installed", "not"]
)
def test_forced_on_view_is_answered_once_with_or_without_the_middleware(middleware):
    RENDERED.clear()
    with override_settings(MIDDLEWARE=middleware):
        response = Client().get("/down/")
    assert response.status_code == 503
    assert "Counted." in text(response)
    assert RENDERED == ["/down/"]


# -- logging out a visitor the anonymous exemption then serves --------------------------------


@override_settings(
    MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER=True, MAINTENANCE_MODE_IGNORE_ANONYMOUS_USER=True
)
def test_logged_out_user_is_served_as_the_anonymous_visitor_they_are(set_config):
    set_config(enabled=True)
    client = logged_in(UserFactory(username="carol"))
    response = client.get("/whoami/")
    assert response.status_code == 200
    assert response.content == b"anonymous"
    assert "_auth_user_id" not in client.session


@override_settings(MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER=True)
def test_logged_out_user_is_held_back_when_anonymous_visitors_are(set_config):
    set_config(enabled=True)
    client = logged_in(UserFactory())
    assert client.get("/whoami/").status_code == 503
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
@override_settings(
    MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER=True, MAINTENANCE_MODE_IGNORE_ANONYMOUS_USER=True
)
async def test_logged_out_user_is_served_on_the_async_path(set_config):
    user = await sync_to_async(UserFactory)()
    await sync_to_async(set_config)(enabled=True)
    client = AsyncClient()
    await client.aforce_login(user)
    assert (await client.get("/")).status_code == 200
    assert "_auth_user_id" not in await client.asession()


# -- the command's --interactive --------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "switched"), [("y", True), ("yes", True), ("n", False), ("", False)]
)
def test_interactive_asks_before_switching(monkeypatch, answer, switched):
    asked = []
    monkeypatch.setattr(builtins, "input", lambda prompt: asked.append(prompt) or answer)
    out = StringIO()
    call_command("maintenance_mode", "on", interactive=True, stdout=out)
    assert asked == ["Switch maintenance mode on? (y/N) "]
    assert MaintenanceConfig.objects.filter(enabled=True).exists() is switched
    if not switched:
        assert "Nothing changed." in out.getvalue()


def test_interactive_as_a_deploy_script_types_it(monkeypatch):
    set_maintenance_mode(True)
    monkeypatch.setattr(builtins, "input", lambda prompt: "y")
    call_command("maintenance_mode", "off", "--interactive", stdout=StringIO())
    assert get_maintenance_mode() is False


def test_interactive_without_a_terminal_changes_nothing(monkeypatch):
    def no_input(prompt):
        raise EOFError

    monkeypatch.setattr(builtins, "input", no_input)
    call_command("maintenance_mode", "on", "--interactive", stdout=StringIO())
    assert get_maintenance_mode() is False


# -- MAINTENANCE_MODE_CACHE_BACKEND --------------------------------------------------------


@override_settings(CACHES=SHARED, MAINTENANCE_MODE_CACHE_BACKEND="shared")
def test_cache_backend_names_the_cache_the_state_is_shared_through(
    django_capture_on_commit_callbacks,
):
    FakeSharedCache.store.clear()
    FakeSharedCache.calls = []
    assert "maintenance_panel.W001" not in found()
    with django_capture_on_commit_callbacks(execute=True):
        set_maintenance_mode(True)
    assert "incr" in FakeSharedCache.calls  # the change was announced through it
    assert Client().get("/").status_code == 503
    FakeSharedCache.store.clear()


@override_settings(MAINTENANCE_MODE_CACHE_BACKEND="nowhere")
def test_cache_backend_naming_an_unknown_cache_is_a_check_error():
    error = found()["maintenance_panel.E007"]
    assert "MAINTENANCE_MODE_CACHE_BACKEND" in error.msg


# -- settings assigned at run time ------------------------------------------------------------


def test_a_setting_assigned_at_the_start_of_a_test_takes_effect():
    """The older library's tests assign settings; the test helpers start each test with
    settings read afresh, so an assignment before the first request counts."""
    assert Client().get("/").status_code == 200  # an earlier test read the settings
    reset_maintenance_state()  # what the pytest plugin and the unittest mixin do
    settings.MAINTENANCE_MODE = True
    try:
        assert Client().get("/").status_code == 503
    finally:
        del settings.MAINTENANCE_MODE
        reset_maintenance_state()
    assert Client().get("/").status_code == 200


def test_override_settings_takes_effect_at_any_time():
    assert Client().get("/").status_code == 200
    with override_settings(MAINTENANCE_MODE=True):
        assert Client().get("/").status_code == 503
    assert Client().get("/").status_code == 200
