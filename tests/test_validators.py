"""The one-entry-per-line fields: every bad line is named, with why."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from maintenance_panel.validators import (
    parse_ip_lines,
    parse_url_patterns,
    split_lines,
    validate_regex_lines,
    validate_url_patterns,
)


def test_split_lines_drops_blanks_and_spaces():
    assert split_lines("  a \n\n b\r\n") == ["a", "b"]
    assert split_lines("") == []


def test_ip_lines_accept_addresses_and_networks():
    networks = parse_ip_lines("203.0.113.7\n10.0.0.0/8\n2001:db8::/32\n")
    assert networks.entries == ("203.0.113.7", "10.0.0.0/8", "2001:db8::/32")
    assert networks.contains("10.1.2.3")
    assert networks.contains("2001:db8::1")
    assert not networks.contains("203.0.113.8")


def test_ip_lines_name_each_bad_line():
    with pytest.raises(ValidationError) as caught:
        parse_ip_lines("10.0.0.1\n127.0.0.*\nexample.com")
    messages = caught.value.messages
    assert len(messages) == 2
    assert "Line 2" in messages[0]
    assert "127.0.0.*" in messages[0]
    assert "Line 3" in messages[1]
    assert "example.com" in messages[1]


def test_line_numbers_count_blank_lines_as_the_operator_sees_them():
    with pytest.raises(ValidationError) as caught:
        parse_ip_lines("10.0.0.1\r\n\r\n\r\nnope")
    assert caught.value.messages[0].startswith("Line 4:")


def test_a_null_character_is_refused_by_line():
    with pytest.raises(ValidationError) as caught:
        parse_ip_lines("10.0.0.1\n10.0.0.2\x00")
    assert caught.value.messages == ["Line 2 contains a null character; remove it."]
    with pytest.raises(ValidationError) as caught:
        validate_url_patterns("^/ok\n^/a\x00b")
    assert caught.value.messages == ["Line 2 contains a null character; remove it."]


def test_url_patterns_compile():
    assert parse_url_patterns("^/healthz$\n^/api/").sources == ("^/healthz$", "^/api/")


def test_url_patterns_name_the_bad_one():
    with pytest.raises(ValidationError) as caught:
        parse_url_patterns("^/ok$\n^/broken(")
    assert caught.value.messages == [
        "Line 2: “^/broken(” is not a valid regular expression (missing ): ^/broken()."
    ]


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [
        (r"^/(?=admin)", "a lookahead, (?=…) or (?!…)"),
        (r"^/(?!admin)", "a lookahead, (?=…) or (?!…)"),
        (r"^/x(?<=x)", "a lookbehind, (?<=…) or (?<!…)"),
        (r"^/(a)\1", r"a backreference, \1 or (?P=name)"),
        (r"^/(?P<x>a)(?P=x)", r"a backreference, \1 or (?P=name)"),
        (r"^/(?>a+)", "an atomic group, (?>…)"),
        (r"^/a*+", "a possessive quantifier, such as *+ or ++"),
        (r"^/(a)?(?(1)b|c)", "a conditional group, (?(1)…|…)"),
        (r"^/x\Z", r"\Z (write \z or $ instead)"),
        (r"^/a{1001}", "a repetition count above 1000"),
        (r"(?x)^/ a", "this flag (only i, m, s and U are supported)"),
    ],
)
def test_constructs_that_need_backtracking_are_refused_by_name(pattern, construct):
    with pytest.raises(ValidationError) as caught:
        validate_url_patterns(f"^/fine/\n{pattern}")
    (message,) = caught.value.messages
    assert message.startswith(f"Line 2: “{pattern}” uses {construct}, which is not supported")
    assert "linear time" in message
    assert caught.value.error_list[0].code == "unsupported_regex"


def test_every_bad_line_is_reported_at_once():
    with pytest.raises(ValidationError) as caught:
        validate_url_patterns("(?=a)\n^/ok\n(\n(a)\\1")
    assert [m.split(":")[0] for m in caught.value.messages] == ["Line 1", "Line 3", "Line 4"]


def test_the_migrations_validator_is_the_same_rule():
    with pytest.raises(ValidationError):
        validate_regex_lines("^/(?=x)")
    validate_regex_lines("^/(a+)+$")  # harmless in linear time: accepted


def test_the_refusal_speaks_the_operators_language():
    with translation.override("de"), pytest.raises(ValidationError) as caught:
        validate_url_patterns("^/(?=x)")
    assert caught.value.messages[0].startswith(
        "Zeile 1: „^/(?=x)“ verwendet eine Vorausschau, (?=…) oder (?!…), was nicht unterstützt"
    )


def test_a_repetition_without_lower_bound_is_refused_rather_than_read_differently():
    # Python's re reads {,2} as "0 to 2 times", RE2 as the text "{,2}".
    with pytest.raises(ValidationError) as caught:
        validate_url_patterns("^/a{,2}$")
    assert "{,n} (write {0,n})" in caught.value.messages[0]
    validate_url_patterns("^/a{0,2}$\n^/a\\{,2}")
