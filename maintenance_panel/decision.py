"""The decision: while maintenance is on, is this request held back, and if not, why?

Pure rules over a :class:`~maintenance_panel.snapshot.Snapshot` and the request, cheapest
first. They are split in two so that the sync and async middleware run the very same
code: :func:`reason_before_user` answers from the URL, the client's address and the
bypass cookie; only when it has no answer does the caller fetch the user (sync or
async) and ask :func:`reason_for_user`. The banner asks :func:`exemption_reason`,
which runs the same rules.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db import DatabaseError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from maintenance_panel import conf
from maintenance_panel.decorators import ATTRIBUTE as FORCED_ATTRIBUTE
from maintenance_panel.health import report_available, report_unavailable
from maintenance_panel.matching import parse_address
from maintenance_panel.snapshot import Snapshot

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.urls import ResolverMatch

BYPASS_SALT = "maintenance_panel.bypass"
#: The URL names of the admin that stay reachable with ``ignore_admin_site`` off, so
#: that whoever may change the switch can always switch it off.
ADMIN_LOGIN_URL_NAMES = frozenset({"login", "logout", "jsi18n", "password_change"})
PANEL_URL_PREFIX = "maintenance_panel_maintenanceconfig_"

#: :func:`reason_before_user`'s answer for the admin's maintenance page during a
#: lock-out: it depends on whether the user may use the panel.
PANEL = "panel"


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
    settings_networks = conf.ignored_networks()
    if not ip or not (snapshot.networks or settings_networks):
        return False  # nothing to match: skip parsing the address
    address = parse_address(ip)
    if address is None:
        return False
    return settings_networks.contains_address(address) or snapshot.networks.contains_address(
        address
    )


def _url_reason(path: str, match: ResolverMatch | None, snapshot: Snapshot) -> str | None:
    if conf.ignored_url_patterns().match(path) or snapshot.url_patterns.match(path):
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
            if (match.url_name or "").startswith(PANEL_URL_PREFIX):
                return PANEL
    return None


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


def reason_before_user(
    request: HttpRequest, match: ResolverMatch | None, snapshot: Snapshot
) -> str | None:
    """``"url"``, ``"ip"``, ``"bypass"``, :data:`PANEL` (ask :func:`may_use_panel`), or
    None: the user decides."""
    reason = _url_reason(request.path_info, match, snapshot)
    if reason is not None:
        return reason
    if _ip_exempt(client_ip(request), snapshot):
        return "ip"
    if bypass_cookie_valid(request, snapshot):
        return "bypass"
    return None


# -- the user ---------------------------------------------------------------------------


def request_user(request: HttpRequest) -> Any:
    """The request's user: ``MAINTENANCE_MODE_GET_AUTHENTICATED_USER`` if set, else
    ``request.user`` (lazy; not evaluated here)."""
    function = conf.authenticated_user_function()
    if function is not None:
        return function(request)
    return getattr(request, "user", None)


def guarded_user(user: Any) -> Any:
    """``user`` evaluated, or None when that needs the database and it is unreachable.

    ``request.user`` is lazy; with a session cookie it reads the session and the user
    from the database, which must not turn the maintenance page into a 500.
    """
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


def user_needs_groups(user: Any, snapshot: Snapshot) -> bool:
    """Whether :func:`reason_for_user` needs the user's group ids (one query)."""
    return bool(snapshot.group_ids) and user is not None and user.is_authenticated


def member_group_ids(user: Any, snapshot: Snapshot) -> set[int]:
    """The ids of ``user``'s groups: one query, none when not needed.

    The user's own groups are few; the listed ones may be thousands. Reading the
    former and intersecting them with the snapshot's set keeps the query and the
    check the same size however long the list grows.
    """
    if not user_needs_groups(user, snapshot):
        return set()
    try:
        return set(user.groups.values_list("pk", flat=True))
    except DatabaseError as exc:
        report_unavailable("database", exc)
        return set()


async def amember_group_ids(user: Any, snapshot: Snapshot) -> set[int]:
    """:func:`member_group_ids` for the async path."""
    if not user_needs_groups(user, snapshot):
        return set()
    try:
        return {pk async for pk in user.groups.values_list("pk", flat=True)}
    except DatabaseError as exc:
        report_unavailable("database", exc)
        return set()


def reason_for_user(
    user: Any, snapshot: Snapshot, group_ids: frozenset[int] | set[int] = frozenset()
) -> str | None:
    """Why ``user`` is exempt (``"anonymous"``, ``"authenticated"``, ``"staff"``,
    ``"superuser"``, ``"user"``, ``"group"``), or None: held back."""
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
    if not snapshot.group_ids.isdisjoint(group_ids):
        return "group"
    return None


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


def under_maintenance(request: HttpRequest, snapshot: Snapshot) -> bool:
    """Whether maintenance is on for ``request``'s own path: on now, and the path is in
    the scope when there is one."""
    return snapshot.active() and snapshot.in_scope(request.path_info)


def changes_refused(request: HttpRequest, user: Any, snapshot: Snapshot) -> bool:
    """Whether ``request``'s visitor may not change anything now: read-only maintenance
    for this path, its view not decorated with ``force_maintenance_mode_off``, and the
    visitor not exempt."""
    if not (under_maintenance(request, snapshot) and snapshot.level_is_read_only()):
        return False
    match = getattr(request, "resolver_match", None)
    if match is not None and forced_by_view(match.func) is False:
        return False
    return exemption_reason(request, user, snapshot) is None


def exemption_reason(request: HttpRequest, user: Any, snapshot: Snapshot) -> str | None:
    """Why ``request`` sees the site during maintenance, for the banner; None if it does
    not (or maintenance is off)."""
    if not snapshot.active():
        return None
    reason = reason_before_user(request, getattr(request, "resolver_match", None), snapshot)
    if reason == PANEL:
        return "url" if may_use_panel(user) else None
    if reason is not None:
        return reason
    user = guarded_user(user)
    return reason_for_user(user, snapshot, member_group_ids(user, snapshot))
