"""Validation of the one-entry-per-line fields (IP networks, URL patterns)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from maintenance_panel.conf import IPNetwork, parse_network


def split_lines(text: str) -> list[str]:
    """Non-empty, stripped lines of ``text``."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_ip_lines(text: str) -> list[IPNetwork]:
    """Networks of a one-per-line text; raise ``ValidationError`` naming each bad line."""
    networks, errors = [], []
    for number, line in enumerate(split_lines(text), start=1):
        try:
            networks.append(parse_network(line))
        except ValueError:
            errors.append(
                ValidationError(
                    _(
                        "Line %(number)s: “%(entry)s” is not an IP address or network "
                        "(examples: 203.0.113.7, 10.0.0.0/8, 2001:db8::/32)."
                    ),
                    code="invalid_ip",
                    params={"number": number, "entry": line},
                )
            )
    if errors:
        raise ValidationError(errors)
    return networks


def parse_regex_lines(text: str) -> list[re.Pattern[str]]:
    """Compiled patterns of a one-per-line text; raise ``ValidationError`` naming each bad one."""
    patterns, errors = [], []
    for number, line in enumerate(split_lines(text), start=1):
        try:
            patterns.append(re.compile(line))
        except re.error as exc:
            errors.append(
                ValidationError(
                    _(
                        "Line %(number)s: “%(entry)s” is not a valid regular expression "
                        "(%(error)s)."
                    ),
                    code="invalid_regex",
                    params={"number": number, "entry": line, "error": exc},
                )
            )
    if errors:
        raise ValidationError(errors)
    return patterns


def validate_ip_lines(text: str) -> None:
    """Model-field validator for ``ignore_ip_addresses``."""
    parse_ip_lines(text)


def validate_regex_lines(text: str) -> None:
    """Model-field validator for ``ignore_urls``."""
    parse_regex_lines(text)
