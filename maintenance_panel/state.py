"""The process snapshot of the state, and the decision "is this request held back?".

Reading the state must cost next to nothing, so each process keeps an immutable
:class:`Snapshot` and re-validates it at most every ``MAINTENANCE_MODE_STATE_TTL``
seconds against a version stamp in the shared cache. Reads fall back: snapshot ->
shared cache -> database -> the last snapshot known -> ``MAINTENANCE_MODE_FALLBACK``.

The decision is split so that the sync and async middleware run the very same code:
:func:`decide_before_user` answers from the URL, the client's address and the bypass
cookie; only when that is not enough does the caller fetch the user (sync or async)
and ask :func:`decide_for_user`.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import DatabaseError, connections, router, transaction
from django.dispatch import receiver
from django.utils import timezone

from maintenance_panel import conf
from maintenance_panel.conf import IPNetwork

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.urls import ResolverMatch

logger = logging.getLogger("maintenance_panel")

CACHE_KEY = "maintenance_panel:state:v1"
BYPASS_SALT = "maintenance_panel.bypass"
#: The URL names of the admin that stay reachable with ``ignore_admin_site`` off, so
#: that whoever may change the switch can always switch it off.
ADMIN_LOGIN_URL_NAMES = frozenset({"login", "logout", "jsi18n", "password_change"})
PANEL_URL_PREFIX = "maintenance_panel_maintenanceconfig_"


# -- the snapshot ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An immutable, pre-digested copy of the stored state."""

    stamp: str = ""
    enabled: bool = False
    title: str = ""
    message: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    ignore_admin_site: bool = True
    ignore_staff: bool = False
    ignore_superuser: bool = False
    ignore_authenticated_user: bool = False
    ignore_anonymous_user: bool = False
    group_ids: frozenset[int] = frozenset()
    user_ids: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    url_patterns: tuple[re.Pattern[str], ...] = ()
    #: Usable bypass links: id -> expiry (or None).
    bypass_links: dict[int, datetime | None] = field(default_factory=dict)
    changed_at: datetime | None = None
    changed_via: str = ""
    version: int = 0
    #: True when built from nothing (no table, no row, nothing reachable).
    is_fallback: bool = False
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def window_active(self, now: datetime | None = None) -> bool:
        """The switch and the window (settings not considered)."""
        if not self.enabled:
            return False
        if self.starts_at is None and self.ends_at is None:
            return True
        now = now or timezone.now()
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or now < self.ends_at
        )

    def flag(self, name: str) -> bool:
        """Effective ``ignore_<name>``: the setting when set, else the stored value."""
        forced = conf.forced_flag(name.upper())
        return bool(getattr(self, f"ignore_{name}")) if forced is None else forced

    @classmethod
    def from_data(cls, data: dict[str, Any], stamp: str) -> Snapshot:
        """Build from the plain data that the shared cache carries."""
        from maintenance_panel.validators import split_lines

        networks = []
        for line in split_lines(data.get("ignore_ip_addresses", "")):
            try:
                networks.append(conf.parse_network(line))
            except ValueError:
                continue  # the form refuses these; never crash a request on one
        patterns = []
        for line in split_lines(data.get("ignore_urls", "")):
            try:
                patterns.append(re.compile(line))
            except re.error:
                continue
        return cls(
            stamp=stamp,
            enabled=bool(data.get("enabled")),
            title=data.get("title", ""),
            message=data.get("message", ""),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            ignore_admin_site=data.get("ignore_admin_site", True),
            ignore_staff=data.get("ignore_staff", False),
            ignore_superuser=data.get("ignore_superuser", False),
            ignore_authenticated_user=data.get("ignore_authenticated_user", False),
            ignore_anonymous_user=data.get("ignore_anonymous_user", False),
            group_ids=frozenset(data.get("group_ids", ())),
            user_ids=frozenset(str(pk) for pk in data.get("user_ids", ())),
            networks=tuple(networks),
            url_patterns=tuple(patterns),
            bypass_links=dict(data.get("bypass_links", {})),
            changed_at=data.get("changed_at"),
            changed_via=data.get("changed_via", ""),
            version=data.get("version", 0),
            is_fallback=bool(data.get("is_fallback")),
            data=data,
        )


def load_data() -> dict[str, Any]:
    """Read the stored state from the database as plain data (three or four queries)."""
    from maintenance_panel.models import BypassLink, MaintenanceConfig

    config = MaintenanceConfig.objects.filter(pk=MaintenanceConfig.singleton_instance_id).first()
    if config is None:
        config = MaintenanceConfig()
        group_ids: list[int] = []
        user_ids: list[Any] = []
    else:
        group_ids = list(config.ignore_groups.values_list("pk", flat=True))
        user_ids = list(config.ignore_users.values_list("pk", flat=True))
    links = dict(BypassLink.objects.usable().values_list("pk", "expires_at"))
    return {
        "enabled": config.enabled,
        "title": config.title,
        "message": config.message,
        "starts_at": config.starts_at,
        "ends_at": config.ends_at,
        "ignore_admin_site": config.ignore_admin_site,
        "ignore_staff": config.ignore_staff,
        "ignore_superuser": config.ignore_superuser,
        "ignore_authenticated_user": config.ignore_authenticated_user,
        "ignore_anonymous_user": config.ignore_anonymous_user,
        "ignore_ip_addresses": config.ignore_ip_addresses,
        "ignore_urls": config.ignore_urls,
        "group_ids": sorted(group_ids),
        "user_ids": sorted(str(pk) for pk in user_ids),
        "bypass_links": links,
        "changed_at": config.changed_at,
        "changed_via": config.changed_via,
        "version": config.version,
    }


class _Holder:
    """This process's snapshot and when it was last checked."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.checked_at = 0.0
        self.dirty = False
        #: The snapshot was read inside a transaction: re-read once it has ended.
        self.provisional = False
        self.degraded: set[str] = set()
        self.lock = threading.Lock()


_holder = _Holder()


def reset() -> None:
    """Forget this process's snapshot (tests; the pytest plugin calls it around each)."""
    global _holder
    _holder = _Holder()
    from maintenance_panel import responses

    responses.clear_cache()


def _shared_cache() -> Any:
    """The shared cache, or None when it is process-local (and so cannot be trusted)."""
    cache = caches[conf.cache_alias()]
    if isinstance(cache, LocMemCache | DummyCache):
        return None
    return cache


def cache_is_shared() -> bool:
    """Whether the configured cache is shared between processes (checked by the checks)."""
    return _shared_cache() is not None


def _db_alias() -> str:
    from maintenance_panel.models import MaintenanceConfig

    return router.db_for_read(MaintenanceConfig) or "default"


def _degrade(kind: str, exc: BaseException) -> None:
    if kind not in _holder.degraded:
        _holder.degraded.add(kind)
        logger.warning("maintenance_panel: %s unavailable, using fallback: %s", kind, exc)


def _recover(kind: str) -> None:
    if kind in _holder.degraded:
        _holder.degraded.discard(kind)
        logger.warning("maintenance_panel: %s available again", kind)


def _install(snapshot: Snapshot, provisional: bool = False) -> Snapshot:
    holder = _holder
    holder.snapshot = snapshot
    holder.checked_at = time.monotonic()
    holder.dirty = False
    holder.provisional = provisional
    return snapshot


def get_snapshot() -> Snapshot:
    """The current snapshot; no I/O unless it is older than the TTL or invalidated."""
    holder = _holder
    snapshot = holder.snapshot
    if (
        snapshot is not None
        and not holder.dirty
        and time.monotonic() - holder.checked_at < conf.state_ttl()
        and not (holder.provisional and not connections[_db_alias()].in_atomic_block)
    ):
        return snapshot
    return refresh()


def snapshot_is_fresh() -> bool:
    """Whether :func:`get_snapshot` would answer without I/O (for the async path)."""
    holder = _holder
    return (
        holder.snapshot is not None
        and not holder.dirty
        and time.monotonic() - holder.checked_at < conf.state_ttl()
        and not holder.provisional
    )


def refresh() -> Snapshot:
    """Re-validate the snapshot: shared cache first, then the database."""
    holder = _holder
    with holder.lock:
        previous = holder.snapshot
        shared = None if holder.dirty else _shared_cache()
        if shared is not None:
            try:
                entry = shared.get(CACHE_KEY)
            except Exception as exc:  # noqa: BLE001 - any backend's connection error
                _degrade("shared cache", exc)
                entry = None
            else:
                _recover("shared cache")
            if entry is not None:
                if previous is not None and entry["stamp"] == previous.stamp:
                    return _install(previous)
                return _install(Snapshot.from_data(entry["data"], entry["stamp"]))
        return _load_from_database(previous, shared)


def _load_from_database(previous: Snapshot | None, shared: Any) -> Snapshot:
    alias = _db_alias()
    try:
        data = load_data()
    except DatabaseError as exc:
        _degrade("database", exc)
        if previous is not None and not previous.is_fallback:
            return _install(previous)
        return _install(
            Snapshot(enabled=conf.fallback_state(), stamp="fallback", is_fallback=True)
        )
    _recover("database")
    in_transaction = connections[alias].in_atomic_block
    if previous is not None and previous.data == data and not previous.is_fallback:
        return _install(previous, provisional=in_transaction)
    snapshot = Snapshot.from_data(data, uuid.uuid4().hex)
    if shared is not None and not in_transaction:
        _store_shared(shared, snapshot, add_only=True)
    return _install(snapshot, provisional=in_transaction)


def _store_shared(shared: Any, snapshot: Snapshot, *, add_only: bool) -> None:
    entry = {"stamp": snapshot.stamp, "data": snapshot.data}
    try:
        if add_only:
            shared.add(CACHE_KEY, entry, timeout=None)
        else:
            shared.set(CACHE_KEY, entry, timeout=None)
    except Exception as exc:  # noqa: BLE001 - any backend's connection error
        _degrade("shared cache", exc)


def publish() -> None:
    """After a committed write: re-read the database, share it, install it here."""
    holder = _holder
    with holder.lock:
        try:
            data = load_data()
        except DatabaseError as exc:
            _degrade("database", exc)
            holder.dirty = True
            return
        snapshot = Snapshot.from_data(data, uuid.uuid4().hex)
        shared = _shared_cache()
        if shared is not None:
            _store_shared(shared, snapshot, add_only=False)
        _install(snapshot, provisional=connections[_db_alias()].in_atomic_block)


def invalidate(using: str | None = None) -> None:
    """A write happened: stop trusting the snapshot now, publish after commit."""
    _holder.dirty = True
    from maintenance_panel import responses

    responses.clear_cache()
    transaction.on_commit(publish, using=using or _db_alias())


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"CACHES", "DATABASES"} or setting == f"{conf.PREFIX}_CACHE":
        reset()


# -- the decision ----------------------------------------------------------------------


class Verdict(Enum):
    """What the request-level rules say."""

    PASS = "pass"
    HOLD = "hold"
    ASK_USER = "ask_user"
    ASK_PANEL_USER = "ask_panel_user"


def is_active(snapshot: Snapshot | None = None) -> bool:
    """Effective state: the settings force, else the switch and the window."""
    forced = conf.forced_state()
    if forced is not None:
        return forced
    return (snapshot or get_snapshot()).window_active()


def in_test_run() -> bool:
    """Whether Django's test environment is set up (no ``sys.argv`` sniffing)."""
    from django.test.utils import _TestState  # type: ignore[attr-defined]

    return hasattr(_TestState, "saved_data")


def forced_by_view(view_func: Any) -> bool | None:
    """``force_maintenance_mode_on``/``_off`` on a view (function or class-based)."""
    from maintenance_panel.decorators import ATTRIBUTE

    value = getattr(view_func, ATTRIBUTE, None)
    if value is None:
        value = getattr(getattr(view_func, "view_class", None), ATTRIBUTE, None)
    return value


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the configured proxy setup."""
    function = conf.client_ip_function()
    if function is not None:
        return function(request)  # type: ignore[no-any-return]
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
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(
        address in network
        for network in (*conf.ignored_networks(), *snapshot.networks)
        if network.version == address.version
    )


def _url_exempt(path: str, match: ResolverMatch | None, snapshot: Snapshot) -> Verdict | None:
    if any(pattern.match(path) for pattern in conf.ignored_url_patterns()):
        return Verdict.PASS
    if any(pattern.match(path) for pattern in snapshot.url_patterns):
        return Verdict.PASS
    redirect = redirect_path()
    if redirect is not None and path == redirect:
        return Verdict.PASS
    if match is not None:
        if "maintenance_panel" in match.app_names:
            return Verdict.PASS
        if "admin" in match.app_names:
            if snapshot.flag("admin_site"):
                return Verdict.PASS
            if match.url_name in ADMIN_LOGIN_URL_NAMES:
                return Verdict.PASS
            if (match.url_name or "").startswith(PANEL_URL_PREFIX):
                return Verdict.ASK_PANEL_USER
    return None


def redirect_path() -> str | None:
    """The local path of ``MAINTENANCE_MODE_REDIRECT_URL`` (a path or URL name)."""
    target = conf.redirect_url()
    if not target:
        return None
    return _resolve_redirect(target)


def _resolve_redirect(target: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

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


def decide_before_user(
    request: HttpRequest, match: ResolverMatch | None, snapshot: Snapshot
) -> Verdict:
    """URL rules, client IP and bypass cookie; ``ASK_USER`` when the user decides."""
    verdict = _url_exempt(request.path_info, match, snapshot)
    if verdict is not None:
        return verdict
    if _ip_exempt(client_ip(request), snapshot):
        return Verdict.PASS
    if bypass_cookie_valid(request, snapshot):
        return Verdict.PASS
    return Verdict.ASK_USER


def user_needs_groups(user: Any, snapshot: Snapshot) -> bool:
    """Whether :func:`decide_for_user` needs the user's group ids (one query)."""
    return bool(snapshot.group_ids) and user is not None and user.is_authenticated


def decide_for_user(
    user: Any, snapshot: Snapshot, group_ids: frozenset[int] | set[int] = frozenset()
) -> Verdict:
    """User rules: anonymous, authenticated, staff, superuser, listed users, groups."""
    if user is None or not user.is_authenticated:
        return Verdict.PASS if snapshot.flag("anonymous_user") else Verdict.HOLD
    if snapshot.flag("authenticated_user"):
        return Verdict.PASS
    if user.is_staff and snapshot.flag("staff"):
        return Verdict.PASS
    if user.is_superuser and snapshot.flag("superuser"):
        return Verdict.PASS
    if str(user.pk) in snapshot.user_ids:
        return Verdict.PASS
    if snapshot.group_ids & set(group_ids):
        return Verdict.PASS
    return Verdict.HOLD


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


def exemption_reason(request: HttpRequest, user: Any, snapshot: Snapshot) -> str | None:
    """Why ``request`` sees the site during maintenance, for the banner; None if it does
    not (or maintenance is off)."""
    if not is_active(snapshot):
        return None
    verdict = _url_exempt(request.path_info, getattr(request, "resolver_match", None), snapshot)
    if verdict is Verdict.PASS:
        return "url"
    if _ip_exempt(client_ip(request), snapshot):
        return "ip"
    if bypass_cookie_valid(request, snapshot):
        return "bypass"
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
    if snapshot.group_ids and user.groups.filter(pk__in=snapshot.group_ids).exists():
        return "group"
    return None
