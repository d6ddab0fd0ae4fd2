"""The one-entry-per-line fields: every bad line is named."""

from __future__ import annotations

import ipaddress

import pytest
from django.core.exceptions import ValidationError

from maintenance_panel.validators import parse_ip_lines, parse_regex_lines, split_lines


def test_split_lines_drops_blanks_and_spaces():
    assert split_lines("  a \n\n b\r\n") == ["a", "b"]
    assert split_lines("") == []


def test_ip_lines_accept_addresses_and_networks():
    assert parse_ip_lines("203.0.113.7\n10.0.0.0/8\n2001:db8::/32\n") == [
        ipaddress.ip_network("203.0.113.7/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("2001:db8::/32"),
    ]


def test_ip_lines_name_each_bad_line():
    with pytest.raises(ValidationError) as caught:
        parse_ip_lines("10.0.0.1\n127.0.0.*\nexample.com")
    messages = caught.value.messages
    assert len(messages) == 2
    assert "Line 2" in messages[0]
    assert "127.0.0.*" in messages[0]
    assert "example.com" in messages[1]


def test_regex_lines_compile():
    assert [p.pattern for p in parse_regex_lines("^/healthz$\n^/api/")] == ["^/healthz$", "^/api/"]


def test_regex_lines_name_the_bad_one():
    with pytest.raises(ValidationError) as caught:
        parse_regex_lines("^/ok$\n^/broken(")
    assert caught.value.messages == [
        "Line 2: “^/broken(” is not a valid regular expression "
        "(missing ), unterminated subpattern at position 8)."
    ]
