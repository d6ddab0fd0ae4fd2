"""Validation of the one-entry-per-line fields (IP networks, URL patterns).

The parsing is :mod:`maintenance_panel.matching`'s, so that what a form accepts is
exactly what the request path matches; this module words its refusals for an operator,
one message per bad line, naming the line. Any field of URL patterns (``ignore_urls``,
and any other list of patterns matched against the path) uses
:func:`validate_url_patterns`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from maintenance_panel.matching import (
    InvalidLines,
    LineError,
    NetworkSet,
    PatternSet,
    split_lines,
)

__all__ = [
    "parse_ip_lines",
    "parse_url_patterns",
    "split_lines",
    "validate_ip_lines",
    "validate_regex_lines",
    "validate_url_patterns",
]

#: What each construct RE2 refuses is called in an error message.
CONSTRUCT_NAMES = {
    "lookahead": pgettext_lazy("regex construct", "a lookahead, (?=…) or (?!…)"),
    "lookbehind": pgettext_lazy("regex construct", "a lookbehind, (?<=…) or (?<!…)"),
    "backreference": pgettext_lazy("regex construct", "a backreference, \\1 or (?P=name)"),
    "atomic_group": pgettext_lazy("regex construct", "an atomic group, (?>…)"),
    "possessive": pgettext_lazy("regex construct", "a possessive quantifier, such as *+ or ++"),
    "conditional": pgettext_lazy("regex construct", "a conditional group, (?(1)…|…)"),
    "comment": pgettext_lazy("regex construct", "a comment group, (?#…)"),
    "end_of_text": pgettext_lazy("regex construct", "\\Z (write \\z or $ instead)"),
    "unicode_escape": pgettext_lazy(
        "regex construct", "a \\u, \\U or \\N escape (write \\x{…} or the character itself)"
    ),
    "no_lower_bound": pgettext_lazy(
        "regex construct", "a repetition without its lower bound, {,n} (write {0,n})"
    ),
    "repetition_count": pgettext_lazy("regex construct", "a repetition count above 1000"),
    "too_large": pgettext_lazy("regex construct", "a pattern this large"),
    "flag": pgettext_lazy("regex construct", "this flag (only i, m, s and U are supported)"),
    "other": pgettext_lazy("regex construct", "a construct that needs backtracking"),
}


def _null_error(error: LineError) -> ValidationError:
    return ValidationError(
        _("Line %(number)s contains a null character; remove it."),
        code="null_character",
        params={"number": error.number},
    )


def _ip_error(error: LineError) -> ValidationError:
    if error.reason == "null_character":
        return _null_error(error)
    return ValidationError(
        _(
            "Line %(number)s: “%(entry)s” is not an IP address or network "
            "(examples: 203.0.113.7, 10.0.0.0/8, 2001:db8::/32)."
        ),
        code="invalid_ip",
        params={"number": error.number, "entry": error.entry},
    )


def _pattern_error(error: LineError) -> ValidationError:
    if error.reason == "null_character":
        return _null_error(error)
    if error.reason == "syntax":
        return ValidationError(
            _("Line %(number)s: “%(entry)s” is not a valid regular expression (%(error)s)."),
            code="invalid_regex",
            params={"number": error.number, "entry": error.entry, "error": error.detail},
        )
    return ValidationError(
        _(
            "Line %(number)s: “%(entry)s” uses %(construct)s, which is not supported: URL "
            "patterns are matched in linear time (RE2 syntax), so that no pattern can hang "
            "the site.%(detail)s"
        ),
        code="unsupported_regex",
        params={
            "number": error.number,
            "entry": error.entry,
            "construct": str(CONSTRUCT_NAMES.get(error.construct, CONSTRUCT_NAMES["other"])),
            "detail": (" " + _("RE2 says: %(error)s.") % {"error": error.detail})
            if error.detail
            else "",
        },
    )


def parse_ip_lines(text: str) -> NetworkSet:
    """The networks of a one-per-line text; raise ``ValidationError`` naming each bad line."""
    try:
        return NetworkSet.from_lines(text)
    except InvalidLines as exc:
        raise ValidationError([_ip_error(error) for error in exc.errors]) from None


def parse_url_patterns(text: str) -> PatternSet:
    """The patterns of a one-per-line text; raise ``ValidationError`` naming each line
    that is not a regular expression RE2 matches in linear time, and why."""
    try:
        return PatternSet.from_lines(text)
    except InvalidLines as exc:
        raise ValidationError([_pattern_error(error) for error in exc.errors]) from None


def validate_ip_lines(text: str) -> None:
    """Model-field validator for ``ignore_ip_addresses``."""
    parse_ip_lines(text)


def validate_url_patterns(text: str) -> None:
    """Model-field validator for any field of URL patterns, one per line."""
    parse_url_patterns(text)


def validate_regex_lines(text: str) -> None:
    """Model-field validator for ``ignore_urls`` (the name the migrations know)."""
    validate_url_patterns(text)
