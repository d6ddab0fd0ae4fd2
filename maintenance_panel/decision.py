"""The decision: how one request is answered while maintenance is on.

:func:`decide` is the one place that knows the order of the rules, cheapest first: a
decorated view, the state, the scope, a read during read-only maintenance, the test
run, the URL, the client's address, the bypass cookie, and only then the user. The
middleware asks it for every request (sync and async alike), the banner and the
context processor ask it what a change from this visitor would get.

The user may cost queries (the session, the user, their groups, their permissions), so
:func:`decide` reads them through a :class:`RequestUser`, which reads each only when a
rule asks. Called with ``user=None`` it answers without any I/O, or returns
:data:`ASK_USER` when the rules need the user: the async middleware then decides again
in a thread, with a :class:`RequestUser`.

A :class:`Decision` says what to do: serve the request as usual (:data:`SERVE`, with the
reason it is exempt), answer with the maintenance page (:data:`HOLD`, logging the user
out first if the settings say so), answer with the read-only page (:data:`REFUSE`: a
change during read-only maintenance), or serve it under the write guard (:data:`GUARD`: a
read during read-only maintenance, whose writes are refused).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.db import DatabaseError
from django.urls import NoReverseMatch, Resolver404, is_valid_path, resolve, reverse
from django.utils import timezone

from maintenance_panel import conf, setting_lists
from maintenance_panel.health import report_available, report_unavailable
from maintenance_panel.matching import parse_address
from maintenance_panel.snapshot import Snapshot

if TYPE_CHECKING:
    from django.http import HttpRequest

SERVE = "serve"
HOLD = "hold"
REFUSE = "refuse"
GUARD = "guard"

#: The attribute ``force_maintenance_mode_on`` / ``_off`` (:mod:`maintenance_panel.
#: decorators`) set on a view (or its class): True or False.
FORCED_ATTRIBUTE = "maintenance_mode_forced"
BYPASS_SALT = "maintenance_panel.bypass"
#: Methods that read: served to everyone during read-only maintenance.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: The URL names of the admin that stay reachable with ``ignore_admin_site`` off, so
#: that whoever may change the switch can always switch it off.
ADMIN_LOGIN_URL_NAMES = frozenset({"login", "logout", "jsi18n", "password_change"})
#: The URL names of the admin's maintenance pages (the panel) start with this.
PANEL_URL_PREFIX = "maintenance_panel_maintenanceconfig_"
#: The admin's pages of this app: the panel and the lists it links to (every change,
#: every notification delivery).
_APP_URL_PREFIXES = (
    PANEL_URL_PREFIX,
    "maintenance_panel_maintenancechange_",
    "maintenance_panel_delivery_",
)
#: What the URL rules say of a panel page while the admin is held back: it depends on
#: whether the user may use the panel.
_PANEL_PAGE = "panel page"


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a request (see the module docstring)."""

    action: str
    #: Why it is served as usual: "view", "off", "scope", "read", "tests", "url", "ip",
    #: "bypass", "anonymous", "authenticated", "staff", "superuser", "user", "group".
    reason: str = ""
    #: Log the user out before answering (``MAINTENANCE_MODE_LOGOUT_*``).
    logout: bool = False


#: :func:`decide`'s answer when it needs the user and was given none.
ASK_USER = Decision("ask", "user")
#: A user not read yet (None is a user that is unknown).
_UNREAD = object()


def in_test_run() -> bool:
    """Whether Django's test environment is set up (no ``sys.argv`` sniffing).

    ``setup_test_environment()`` lives in ``django.test.utils``: a process that never
    imported it is not running tests, and a site need not import it to find out.
    """
    utils = sys.modules.get("django.test.utils")
    return utils is not None and hasattr(utils._TestState, "saved_data")


def forced_by_view(view_func: Any) -> bool | None:
    """``force_maintenance_mode_on``/``_off`` on a view (function or class-based)."""
    value = getattr(view_func, FORCED_ATTRIBUTE, None)
    if value is None:
        view_class = getattr(view_func, "view_class", None)
        if view_class is not None:
            value = getattr(view_class, FORCED_ATTRIBUTE, None)
    return value


def decide(
    request: HttpRequest,
    snapshot: Snapshot,
    *,
    view_forced: bool | None = None,
    answered: bool = False,
    user: RequestUser | None = None,
    method: str | None = None,
) -> Decision:
    """How to answer ``request`` (its ``method`` unless another is given), ``snapshot``
    being the state now and ``view_forced`` what a decorator on its view says.
    ``answered``: the response was made without reaching a view (nothing left to guard).
    Without ``user``, returns :data:`ASK_USER` when the rules need the user."""
    if view_forced is not None:
        return Decision(HOLD) if view_forced else Decision(SERVE, "view")
    if not snapshot.active():
        return Decision(SERVE, "off")
    if not snapshot.in_scope(request.path_info):
        return Decision(SERVE, "scope")
    read_only = snapshot.level_is_read_only()
    reads = (method or request.method) in SAFE_METHODS
    if read_only and reads and (answered or not conf.block_writes()):
        return Decision(SERVE, "read")
    if conf.ignore_tests() and in_test_run():
        return Decision(SERVE, "tests")
    reason = reason_before_user(request, snapshot)
    if reason is not None and reason != _PANEL_PAGE:
        return Decision(SERVE, reason)
    if user is None:
        return ASK_USER
    if reason == _PANEL_PAGE:
        if user.may_use_panel():
            return Decision(SERVE, "url")
    elif (reason := user.exemption(snapshot)) is not None:
        return Decision(SERVE, reason)
    if read_only:
        return Decision(GUARD if reads else REFUSE)
    if user.should_log_out():
        # Logged out, the visitor is anonymous, and served if anonymous visitors are.
        return (
            Decision(SERVE, "anonymous", logout=True)
            if snapshot.flag("anonymous_user")
            else Decision(HOLD, logout=True)
        )
    return Decision(HOLD)


def decide_change(request: HttpRequest, snapshot: Snapshot) -> Decision:
    """How a change (a POST) from ``request``'s visitor would be answered now, whatever
    its view (the banner and the context processor tell the visitor)."""
    return decide(request, snapshot, user=RequestUser(request), method="POST")


# -- before the user: URL, address, bypass cookie ---------------------------------------


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the configured proxy setup."""
    function = conf.client_ip_function()
    if function is not None:
        return function(request)
    proxies = conf.trusted_proxy_count()
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        # Each trusted proxy appends the address it saw; the rightmost entries are the
        # trustworthy ones, anything further left may be forged by the client.
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def _ip_exempt(ip: str | None, snapshot: Snapshot) -> bool:
    settings_networks = setting_lists.ignored_networks()
    if not ip or not (snapshot.networks or settings_networks):
        return False  # nothing to match: skip parsing the address
    address = parse_address(ip)
    if address is None:
        return False
    return settings_networks.contains_address(address) or snapshot.networks.contains_address(
        address
    )


def _url_reason(request: HttpRequest, snapshot: Snapshot) -> str | None:
    match = getattr(request, "resolver_match", None)
    reason = _path_reason(request.path_info, match, snapshot)
    if reason is None and match is None:
        slashed = with_appended_slash(request)
        if slashed is not None:
            reason = _path_reason(*slashed, snapshot)
    return reason


def with_appended_slash(request: HttpRequest) -> tuple[str, Any] | None:
    """(the path with a slash appended, its URL match) when Django's ``APPEND_SLASH``
    would redirect there: the path ends without one, does not resolve, and does with
    one. Such a request is judged as the path it is redirected to, so that ``/admin``
    reaches ``CommonMiddleware``'s redirect to an exempt ``/admin/`` (the older library
    exempted it by prefix). Asked only of a request that resolved to no view."""
    path = request.path_info
    if path.endswith("/") or not settings.APPEND_SLASH:
        return None
    urlconf = getattr(request, "urlconf", None)
    if is_valid_path(path, urlconf):
        return None  # resolved, but an earlier middleware answered: no redirect
    try:
        return path + "/", resolve(path + "/", urlconf)
    except Resolver404:
        return None


def _path_reason(path: str, match: Any, snapshot: Snapshot) -> str | None:
    if setting_lists.ignored_url_patterns().match(path) or snapshot.url_patterns.match(path):
        return "url"
    redirect = redirect_path()
    if redirect is not None and path == redirect:
        return "url"
    if match is not None:
        if "maintenance_panel" in match.app_names:
            return "url"
        if "admin" in match.app_names:
            if snapshot.flag("admin_site") or match.url_name in ADMIN_LOGIN_URL_NAMES:
                return "url"
            if _links_from_the_panel(match):
                return _PANEL_PAGE
    return None


def _links_from_the_panel(match: Any) -> bool:
    """Whether ``match`` is the panel or a page it links to (its history, the list of
    all changes, the app's page in the admin): reachable during a lock-out for whoever
    may use the panel."""
    name = match.url_name or ""
    if name.startswith(_APP_URL_PREFIXES):
        return True
    return name == "app_list" and match.kwargs.get("app_label") == "maintenance_panel"


def redirect_path() -> str | None:
    """The local path of ``MAINTENANCE_MODE_REDIRECT_URL`` (a path or URL name)."""
    target = conf.redirect_url()
    if not target:
        return None
    if target.startswith(("/", "http://", "https://")):
        return target if target.startswith("/") else None
    try:
        return reverse(target)
    except NoReverseMatch:
        return None


def bypass_cookie_valid(request: HttpRequest, snapshot: Snapshot) -> bool:
    """Whether the request carries a bypass cookie of a usable link."""
    raw = request.COOKIES.get(conf.bypass_cookie_name())
    if not raw or not snapshot.bypass_links:
        return False
    try:
        link_id = signing.loads(raw, salt=BYPASS_SALT)
    except signing.BadSignature:
        return False
    if link_id not in snapshot.bypass_links:
        return False
    expires = snapshot.bypass_links[link_id]
    return expires is None or timezone.now() < expires


def reason_before_user(request: HttpRequest, snapshot: Snapshot) -> str | None:
    """``"url"``, ``"ip"``, ``"bypass"``, the panel page (the user decides), or None."""
    reason = _url_reason(request, snapshot)
    if reason is not None:
        return reason
    if _ip_exempt(client_ip(request), snapshot):
        return "ip"
    if bypass_cookie_valid(request, snapshot):
        return "bypass"
    return None


# -- the user ---------------------------------------------------------------------------


def may_use_panel(user: Any) -> bool:
    """Whether ``user`` may reach the admin's maintenance page during a lock-out."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and (
            user.has_perm("maintenance_panel.change_maintenanceconfig")
            or user.has_perm("maintenance_panel.view_maintenanceconfig")
        )
    )


class RequestUser:
    """The request's user, read only when a rule asks: ``request.user`` (or
    ``MAINTENANCE_MODE_GET_AUTHENTICATED_USER``) may read the session and the user, and
    the groups and permissions are queries. A database that cannot answer makes the
    visitor anonymous rather than the maintenance page a 500.

    ``user``: the user, already read (the async path reads it natively). Nothing about
    an anonymous visitor then needs the database.
    """

    def __init__(self, request: HttpRequest, user: Any = _UNREAD) -> None:
        self.request = request
        if user is not _UNREAD:
            self.__dict__["user"] = evaluated_user(user)

    @cached_property
    def user(self) -> Any:
        """The user, evaluated; None when unknown or unreadable."""
        function = conf.authenticated_user_function()
        if function is not None:
            return evaluated_user(function(self.request))
        return evaluated_user(getattr(self.request, "user", None))

    def _group_ids(self) -> set[int]:
        # The user's own groups are few, the listed ones may be thousands: reading the
        # former keeps the query the same size however long the list grows.
        try:
            return set(self.user.groups.values_list("pk", flat=True))
        except DatabaseError as exc:
            report_unavailable("database", exc)
            return set()

    def exemption(self, snapshot: Snapshot) -> str | None:
        """Why the user is exempt (``"anonymous"``, ``"authenticated"``, ``"staff"``,
        ``"superuser"``, ``"user"``, ``"group"``), or None."""
        user = self.user
        if user is None or not user.is_authenticated:
            return "anonymous" if snapshot.flag("anonymous_user") else None
        if snapshot.flag("authenticated_user"):
            return "authenticated"
        if user.is_staff and snapshot.flag("staff"):
            return "staff"
        if user.is_superuser and snapshot.flag("superuser"):
            return "superuser"
        if str(user.pk) in snapshot.user_ids:
            return "user"
        if snapshot.group_ids and not snapshot.group_ids.isdisjoint(self._group_ids()):
            return "group"
        return None

    def may_use_panel(self) -> bool:
        """Whether the user may reach the admin's maintenance page during a lock-out."""
        return may_use_panel(self.user)

    def should_log_out(self) -> bool:
        """Whether the held-back user is logged out (``MAINTENANCE_MODE_LOGOUT_*``)."""
        user = self.user
        if user is None or not user.is_authenticated:
            return False
        authenticated, staff, superuser = conf.logout_policy()
        if user.is_superuser:
            return superuser
        if user.is_staff:
            return staff
        return authenticated


def evaluated_user(user: Any) -> Any:
    """``user`` evaluated (a lazy ``request.user`` reads the session and the user now),
    or None when that needs the database and it is unreachable."""
    if user is None:
        return None
    try:
        authenticated = user.is_authenticated
    except DatabaseError as exc:
        report_unavailable("database", exc)
        return None
    if authenticated:
        report_available("database")  # the session and the user were just read
    return user
