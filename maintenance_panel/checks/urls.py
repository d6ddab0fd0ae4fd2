"""Checks of the URLconf: the app's URLs for bypass links, and scopes that match no URL."""

from __future__ import annotations

import re
from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError, router
from django.urls import get_resolver

from maintenance_panel import conf, core, loading, setting_lists
from maintenance_panel.matching import split_lines
from maintenance_panel.models import BypassLink


@register(Tags.urls, Tags.database)
def check_urls_included(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """W004 (``check --database``): usable bypass links exist, but maintenance_panel.urls
    is not in the URLconf, so they lead nowhere.

    The include is optional: without bypass links nothing is broken, and a plain
    ``check`` (no database) stays quiet.
    """
    if core.urls_included():
        return []
    messages: list[CheckMessage] = []
    for alias in databases or ():
        if not router.allow_migrate_model(alias, BypassLink):
            continue
        try:
            count = BypassLink.objects.using(alias).usable().count()
        except DatabaseError:
            continue  # not migrated: W003 says it
        if count:
            messages.append(
                Warning(
                    f"{count} usable bypass link(s) in database {alias!r}, but "
                    "maintenance_panel.urls is not included in the URLconf: the links "
                    "lead nowhere.",
                    hint=f"Add {core.URLS_INCLUDE} to ROOT_URLCONF's urlpatterns, or "
                    "revoke the links (manage.py maintenance_mode bypass revoke NAME).",
                    id="maintenance_panel.W004",
                )
            )
    return messages


#: A sample value for each path converter, to turn a route into a path.
_CONVERTER_SAMPLES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}
_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_SPECIAL = set("\\.^$*+?{}[]|()")


def _literal_prefix(regex: str) -> str:
    """The literal start of a regular expression (``^shop/(?P<id>\\d+)/`` -> ``shop/``)."""
    prefix = []
    for char in regex.removeprefix("^"):
        if char in _REGEX_SPECIAL:
            break
        prefix.append(char)
    return "".join(prefix)


def url_samples(patterns: Any, prefix: str = "/") -> list[tuple[str, bool]]:
    """(path, exact) for every URL of ``patterns``: a path the route resolves (exact),
    or, for a regular-expression route, its literal start (not exact)."""
    samples: list[tuple[str, bool]] = []
    for entry in patterns:
        pattern = entry.pattern
        route = getattr(pattern, "_route", None)
        exact = route is not None
        if route is not None:
            part = _ROUTE_PARAMETER.sub(
                lambda m: _CONVERTER_SAMPLES.get(m.group("converter") or "str", "x"), route
            )
        else:
            regex = getattr(pattern, "_regex", None)
            part = _literal_prefix(regex) if isinstance(regex, str) else ""
            exact = isinstance(regex, str) and part == regex.removeprefix("^").removesuffix("$")
        nested = getattr(entry, "url_patterns", None)
        if nested is not None:
            samples.append((prefix + part, False))
            samples += url_samples(nested, prefix + part)
        else:
            samples.append((prefix + part, exact))
    return samples


def _may_match_a_url(pattern: re.Pattern[str], samples: list[tuple[str, bool]]) -> bool:
    literal = "/" + _literal_prefix(pattern.pattern).removeprefix("/")
    for path, exact in samples:
        if pattern.match(path):
            return True
        # A regular-expression route or an include: only its start is known.
        if not exact and (literal.startswith(path) or path.startswith(literal)):
            return True
    return False


def _scope_warnings(entries: list[tuple[str, str]]) -> list[CheckMessage]:
    if not entries:
        return []
    try:
        samples = url_samples(get_resolver().url_patterns)
    except ImportError:
        return []  # Django's own URL checks report a URLconf that does not import
    messages: list[CheckMessage] = []
    for where, entry in entries:
        try:
            pattern = re.compile(entry)
        except re.error:
            continue  # E006 (or the admin form) reports it
        if not _may_match_a_url(pattern, samples):
            messages.append(
                Warning(
                    f"{where}: {entry!r} matches no URL of the URLconf, so maintenance "
                    "with this scope holds nothing back.",
                    hint="Scope patterns are matched with re.match against the whole path, "
                    "which starts with a slash: write e.g. '^/checkout/' for the URLs "
                    "under checkout/.",
                    id="maintenance_panel.W006",
                )
            )
    return messages


@register(Tags.urls)
def check_scope_matches_urls(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W006: a pattern of MAINTENANCE_MODE_SCOPE_URLS that matches no URL of the
    URLconf, so maintenance with that scope holds nothing back."""
    return _scope_warnings(
        [(f"{conf.PREFIX}_SCOPE_URLS", entry) for entry in setting_lists.scope_url_entries()]
    )


@register(Tags.database, Tags.urls)
def check_stored_scope_matches_urls(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """W006 (``check --database``): the same for the scope the admin stored."""
    if not databases:
        return []
    try:
        stored = split_lines(loading.load_data().get("scope_urls", ""))
    except DatabaseError:
        return []  # W003 and the database's own checks say why
    return _scope_warnings([("the admin's scope", entry) for entry in stored])
