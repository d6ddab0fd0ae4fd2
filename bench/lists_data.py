"""The data ``bench/lists.py`` measures with: exemption lists of a given length, written
through the models, and the snapshot of each configuration.

Not run by itself: ``bench/lists.py`` imports it, once Django is set up.
"""

from __future__ import annotations

from typing import Any

#: The lengths of the IP, URL and bypass-link lists, and of the listed groups.
SIZES = (10, 1_000, 10_000)
GROUP_SIZES = (1, 100, 1_000)


def networks(count: int) -> str:
    """``count`` distinct networks, three IPv4 for one IPv6, none containing 127.0.0.1."""
    lines = []
    for number in range(count):
        if number % 4 == 3:
            lines.append(f"2001:db8:{number // 256:x}:{number % 256:x}00::/56")
        else:
            lines.append(f"10.{number // 256 % 256}.{number % 256}.0/24")
    return "\n".join(lines)


def url_patterns(count: int) -> str:
    """``count`` patterns as a site with many sections lists them: every other one a
    regular expression, up to the limit of a list (the rest plain paths)."""
    from maintenance_panel.matching import limits

    return "\n".join(
        rf"^/api/v{number}/items/\d+$"
        if number % 2 and number // 2 < limits.MAX_EXPRESSIONS
        else f"^/section-{number}/"
        for number in range(count)
    )


def forget_links() -> None:
    """Delete every bypass link in one statement: deleting them through the ORM records
    (and publishes) each deletion on its own, which would dominate the run."""
    from django.db import connection

    from maintenance_panel.models import BypassLink

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(BypassLink._meta.db_table)}")


def write_links(count: int) -> None:
    """Exactly ``count`` bypass links."""
    from maintenance_panel.models import BypassLink, hash_token

    forget_links()
    BypassLink.objects.bulk_create(
        BypassLink(name=f"link {n}", token_hash=hash_token(f"secret {n}")) for n in range(count)
    )


def visitor_cookie() -> str:
    """The session cookie of a logged-in user who belongs to one group, not listed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    own = Group.objects.create(name="not listed")
    user = get_user_model().objects.create_user("visitor", password="x")
    user.groups.add(own)
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def snapshot_of(listable: list[Any], **fields: Any) -> Any:
    """The snapshot of a configuration with the lists in ``fields`` (``ip``, ``url``,
    ``bypass``: how many links, ``groups``: how many of the groups ``listable`` are
    listed)."""
    from maintenance_panel import state
    from maintenance_panel.models import MaintenanceConfig

    config = MaintenanceConfig.get_solo()
    config.ignore_ip_addresses = fields.get("ip", "")
    config.ignore_urls = fields.get("url", "")
    config.save()
    config.ignore_groups.set(listable[: fields.get("groups", 0)])
    write_links(fields.get("bypass", 0))
    state.reset()
    return state.get_snapshot()


def prepare() -> dict[str, Any]:
    """Write every configuration once and keep its snapshot, maintenance on."""
    from django.contrib.auth.models import Group
    from django.core import signing
    from django.core.management import call_command

    from maintenance_panel import decision
    from maintenance_panel.models import MaintenanceConfig

    call_command("migrate", verbosity=0, run_syncdb=True)
    config = MaintenanceConfig.get_solo()
    config.enabled = True
    config.save()

    groups = Group.objects.bulk_create(Group(name=f"listed {n}") for n in range(max(GROUP_SIZES)))
    session_cookie = visitor_cookie()
    snapshots: dict[tuple[str, int], Any] = {}
    for size in SIZES:
        snapshots["ip", size] = snapshot_of(groups, ip=networks(size))
        snapshots["url", size] = snapshot_of(groups, url=url_patterns(size))
        snapshots["bypass", size] = snapshot_of(groups, bypass=size)
    for size in GROUP_SIZES:
        snapshots["groups", size] = snapshot_of(groups, groups=size)
    # A link id no snapshot holds: signed as the bypass view signs it.
    stale = signing.dumps(10**9, salt=decision.BYPASS_SALT)
    return {
        "snapshots": snapshots,
        "cookies": {
            "bypass": f"maintenance_bypass={stale}",
            "groups": session_cookie,
        },
        "groups": groups,
    }


def fill_every_list(size: int) -> None:
    """``size`` entries in every list: IP networks, URL patterns, listed groups and
    users, bypass links."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from maintenance_panel.models import MaintenanceConfig

    config = MaintenanceConfig.get_solo()
    config.ignore_ip_addresses = networks(size)
    config.ignore_urls = url_patterns(size)
    config.save()
    more = size - Group.objects.count()
    Group.objects.bulk_create(Group(name=f"extra {n}") for n in range(more))
    config.ignore_groups.set(Group.objects.all())
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"listed {n}", password="!") for n in range(size)
    )
    config.ignore_users.set(users)
    write_links(size)
