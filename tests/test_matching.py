"""The flat matchers: the same answers as the one-by-one scan they replace."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from maintenance_panel import matching
from maintenance_panel.matching import InvalidLines, NetworkSet, PatternSet, expressions, limits
from maintenance_panel.matching import patterns as patterns_module

#: Quick and steady: modest example counts, no deadline (the machine is shared).
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ipv4_networks = st.builds(
    lambda address, length: ipaddress.IPv4Network((address, length), strict=False),
    st.integers(0, 2**32 - 1),
    st.integers(0, 32),
)
ipv6_networks = st.builds(
    lambda address, length: ipaddress.IPv6Network((address, length), strict=False),
    st.integers(0, 2**128 - 1),
    st.integers(0, 128),
)
addresses = st.one_of(
    st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address),
    st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address),
)


def scan(networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network], text: str) -> bool:
    """The old rule, entry by entry: IPv4-mapped IPv6 addresses count as IPv4."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in n for n in networks if n.version == address.version)


# -- networks ---------------------------------------------------------------------------


def test_networks_contain_their_addresses_and_nothing_else():
    networks = NetworkSet.from_lines("10.0.0.0/8\n203.0.113.7\n2001:db8::/32\n10.1.0.0/16")
    assert networks.contains("10.255.255.255")
    assert networks.contains("203.0.113.7")
    assert not networks.contains("203.0.113.8")
    assert not networks.contains("11.0.0.0")
    assert networks.contains("2001:db8:ffff::1")
    assert not networks.contains("2001:db9::")
    assert not networks.contains("not an address")
    assert len(networks) == 4


def test_ipv4_mapped_addresses_count_as_ipv4():
    assert NetworkSet.from_lines("10.0.0.0/8").contains("::ffff:10.1.2.3")


def test_a_regex_in_place_of_an_address_never_matches_a_neighbour():
    # The older library's regexes matched 127.0.0.10 for 127.0.0.1.
    networks = NetworkSet.from_lines("127.0.0.1")
    assert not networks.contains("127.0.0.10")


def test_netmask_and_hostmask_forms_are_read_as_ipaddress_reads_them():
    networks = NetworkSet.from_lines("10.0.0.0/255.255.0.0\n192.168.0.0/0.0.0.255")
    assert networks.contains("10.0.9.9")
    assert networks.contains("192.168.0.200")
    assert not networks.contains("192.168.1.1")


def test_each_bad_line_is_named_with_its_number():
    with pytest.raises(InvalidLines) as caught:
        NetworkSet.from_lines("10.0.0.1\n\n10.0.0.0/33\nexample.com\n1.2.3.4\x00")
    assert [(e.number, e.entry, e.reason) for e in caught.value.errors] == [
        (3, "10.0.0.0/33", "not_an_address"),
        (4, "example.com", "not_an_address"),
        (5, "1.2.3.4\x00", "null_character"),
    ]


def test_bad_lines_can_be_skipped():
    assert NetworkSet.from_lines("nope\n10.0.0.1", skip_invalid=True).entries == ("10.0.0.1",)


@QUICK
@given(st.lists(st.one_of(ipv4_networks, ipv6_networks), max_size=30), addresses)
def test_the_same_answer_as_a_scan_of_every_network(networks, address):
    flat = NetworkSet.from_lines([str(n) for n in networks])
    for candidate in (address, *(n.network_address for n in networks[:3])):
        assert flat.contains(str(candidate)) == scan(networks, str(candidate))


@QUICK
@given(st.text(alphabet="0123456789abcdefABCDEF:./% x", max_size=45))
@example("1.2.3.04")
@example("::1.2.3.4")
@example("fe80::1%eth0")
@example("fe80::1%eth0/64")
@example("fe80::1%")
@example("1.2.3.4%x")
@example("10.0.0.0/024")
@example("10.0.0.5/255.255.255.0")
@example("10.0.0.5/0.0.0.255")
@example("10.0.0.5/255.0.255.0")
@example("::/ffff::")
def test_parsing_accepts_exactly_what_ipaddress_accepts(text):
    try:
        expected = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        expected = None
    try:
        version, first, last = matching.parse_network(text)
    except ValueError:
        assert expected is None
        return
    assert expected is not None
    assert (version, first, last) == (
        expected.version,
        int(expected.network_address),
        int(expected.broadcast_address),
    )


# -- patterns ---------------------------------------------------------------------------


def test_patterns_match_the_start_of_the_path_like_re_match():
    patterns = PatternSet.from_lines("^/healthz$\n/api/\n(?i)^/Static/")
    assert patterns.match("/healthz")
    assert not patterns.match("/healthz/x")
    assert patterns.match("/api/v1")  # anchored at the start without a caret
    assert not patterns.match("/v1/api/")  # not a search
    assert patterns.match("/STATIC/app.css")
    assert not patterns.match("/")


def test_no_patterns_match_nothing():
    assert not PatternSet().match("/")
    assert not PatternSet.from_lines("").match("")


@pytest.mark.parametrize(
    "pattern", [r"^/(a+)+$", r"^/(a|aa)+$", r"^/(a|a?)+$", r"^/(.*a){12}$", r"^/([a-z]+)*\d$"]
)
def test_hostile_patterns_are_accepted_and_match_in_one_pass(pattern):
    # With Python's re each of these takes exponential time on this path.
    patterns = PatternSet.from_lines(pattern)
    assert not patterns.match("/" + "a" * 48 + "!")
    assert patterns.match("/" + "a" * 12 + ("1" if pattern.endswith(r"\d$") else ""))


def test_each_refused_line_names_the_construct():
    with pytest.raises(InvalidLines) as caught:
        PatternSet.from_lines("^/ok\n^/(?=x)\n(\n^/(a)\\1\n^/x\x00")
    assert [(e.number, e.reason, e.construct) for e in caught.value.errors] == [
        (2, "unsupported", "lookahead"),
        (3, "syntax", ""),
        (4, "unsupported", "backreference"),
        (5, "null_character", ""),
    ]


def test_stored_lines_re2_refuses_are_skipped_on_the_request_path():
    patterns = PatternSet.from_lines("^/a\n^/(?=b)\n^/c", skip_invalid=True)
    assert patterns.sources == ("^/a", "^/c")
    assert patterns.match("/c")


def test_settings_strings_re2_refuses_fall_back_to_python():
    patterns = PatternSet.from_settings(["^/api/", r"^/(?!admin)x", "(broken", ""])
    assert patterns.sources == ("^/api/", r"^/(?!admin)x")
    assert patterns.python_sources == (r"^/(?!admin)x",)
    assert patterns.match("/xyz")
    assert patterns.match("/api/1")
    assert not patterns.match("/adminx")


def test_settings_compiled_python_patterns_keep_their_flags():
    patterns = PatternSet.from_settings([re.compile("^/old/", re.IGNORECASE)])
    assert patterns.match("/OLD/page")
    assert patterns.python_sources == ("^/old/",)


def test_a_path_that_is_not_valid_utf8_matches_nothing_rather_than_raising():
    assert not PatternSet.from_lines("^/x$").match("/x\ud800")


def test_many_patterns_split_into_several_sets_when_one_does_not_fit(monkeypatch):
    small = patterns_module.re2.Options()
    small.log_errors = False
    small.max_mem = 1 << 18  # too small for these patterns in one set
    monkeypatch.setattr(patterns_module, "_SET_OPTIONS", small)
    lines = [rf"^/s{n}/(?:[a-z]+/)*p\d+$" for n in range(400)]
    patterns = PatternSet.from_lines(lines)
    assert len(patterns._sets) > 1
    assert len(patterns) == 400
    assert patterns.match("/s399/a/b/p7")
    assert patterns.match("/s0/p1")
    assert not patterns.match("/s400/p1")


python_compatible = st.from_regex(r"\^?/[a-z]{0,3}(\[a-c\]|\.|[a-z]{1,3})[*+?]?\$?", fullmatch=True)


@QUICK
@given(st.lists(python_compatible, min_size=1, max_size=8), st.text("abc/xyz", max_size=12))
def test_the_same_answer_as_python_re_match_one_by_one(lines, path):
    path = "/" + path
    flat = PatternSet.from_lines(lines)
    assert flat.match(path) == any(re.match(line, path) for line in lines)


@QUICK
@given(st.text(max_size=40))
def test_any_text_either_compiles_or_is_refused_with_a_line(text):
    errors: list[matching.LineError] = []
    try:
        patterns = PatternSet.from_lines(text)
    except InvalidLines as exc:
        errors = exc.errors
    else:
        patterns.match("/" + text)
        return
    assert errors
    assert all(error.number >= 1 and error.entry for error in errors)


def test_plain_paths_need_no_regular_expression_engine():
    patterns = PatternSet.from_lines("^/healthz$\n^/shop/\n/api/v1/\n$")
    assert patterns._sets == []
    assert patterns.match("/healthz")
    assert not patterns.match("/healthz/")
    assert patterns.match("/shop/cart")
    assert patterns.match("/api/v1/x")
    assert patterns.match("")  # "$" matches the empty path only
    assert not patterns.match("/sho")
    assert patterns.sources == ("^/healthz$", "^/shop/", "/api/v1/", "$")


plain_patterns = st.from_regex(r"\^?/[a-c/_-]{0,4}\$?", fullmatch=True)


@QUICK
@given(
    st.lists(st.one_of(plain_patterns, python_compatible), min_size=1, max_size=10),
    st.text("abc/_-x", max_size=8),
)
def test_plain_and_regular_patterns_together_answer_as_python_re_match(lines, path):
    path = "/" + path
    assert PatternSet.from_lines(lines).match(path) == any(re.match(p, path) for p in lines)


# -- the limits of a list -----------------------------------------------------------------


def test_networks_past_the_lines_limit_are_refused_or_left_out():
    text = "\n".join(f"10.0.{n // 256}.{n % 256}" for n in range(limits.MAX_LINES + 3))
    with pytest.raises(InvalidLines) as caught:
        NetworkSet.from_lines(text)
    assert caught.value.errors == []
    assert caught.value.overruns == [
        limits.Overrun("lines", limits.MAX_LINES, limits.MAX_LINES + 3)
    ]

    networks = NetworkSet.from_lines(text + "\nnonsense", skip_invalid=True)
    assert len(networks) == limits.MAX_LINES
    assert networks.left_out == limits.LeftOut(0, 4, ("lines",))
    assert networks.contains(f"10.0.{(limits.MAX_LINES - 1) // 256}.{(limits.MAX_LINES - 1) % 256}")
    assert not networks.contains(f"10.0.{limits.MAX_LINES // 256}.{limits.MAX_LINES % 256}")


def test_the_request_path_keeps_the_expressions_before_the_first_that_does_not_fit():
    large = "^/a" + "a{1000}" * (limits.MAX_PROGRAM_SIZE // 2000)  # half the room
    patterns = PatternSet.from_lines(
        [r"^/one\d", large, "^/plain/", large.replace("^/a", "^/b"), "^/c.", "^/later/"],
        skip_invalid=True,
    )
    assert patterns.sources == (r"^/one\d", large, "^/plain/", "^/later/")
    assert patterns.left_out == limits.LeftOut(0, 2, ("program_size",))


def test_a_line_too_long_is_left_out_alone():
    patterns = PatternSet.from_lines(
        ["^/" + "a" * limits.MAX_LINE_LENGTH, "^/b\\d"], skip_invalid=True
    )
    assert patterns.sources == ("^/b\\d",)
    assert patterns.left_out == limits.LeftOut(0, 1, ("line_length",))


def test_refusing_a_heavy_list_compiles_a_bounded_part_of_it(monkeypatch):
    compiled: list[str] = []
    compile_one = expressions._compiled

    def counting(pattern: str) -> object:
        compiled.append(pattern)
        return compile_one(pattern)

    monkeypatch.setattr(expressions, "_compiled", counting)
    heavy = [rf"^/u{n}/\p{{L}}{{0,10}}$" for n in range(limits.MAX_EXPRESSIONS)]
    with pytest.raises(InvalidLines) as caught:
        matching.check_patterns(heavy)
    (overrun,) = caught.value.overruns
    assert overrun.limit == "program_size"
    assert not overrun.exact
    assert overrun.actual > limits.COUNT_PROGRAM_SIZE_UP_TO
    # About 12,000 instructions each: counting stopped after a dozen lines, compiled
    # twice each (checked, then measured), of the 500.
    assert len(compiled) < 40

    compiled.clear()
    PatternSet.from_lines(heavy, skip_invalid=True)
    assert len(compiled) < 10  # the request path stops at the first that does not fit


def test_a_pattern_as_large_as_a_whole_list_may_be_compiles_alone():
    # RE2's budget for one pattern is derived from its max_mem: it must leave room for a
    # pattern of the whole limit, or the form would call a fitting line too large.
    pattern = "^/x" + "a{1000}" * (limits.MAX_PROGRAM_SIZE // 1000 - 1)
    assert matching.check_pattern(pattern) is None
    assert expressions.program_size(pattern) <= limits.MAX_PROGRAM_SIZE
