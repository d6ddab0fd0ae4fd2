"""IP networks: sorted, merged integer ranges, searched with :mod:`bisect`.

Asking whether an address is in the list takes time that does not grow with the list.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence
from functools import lru_cache

from maintenance_panel.matching.limits import (
    NOTHING_LEFT_OUT,
    LeftOut,
    text_overrun,
    within_text_limits,
)
from maintenance_panel.matching.lines import InvalidLines, LineError, entries_of

_MAPPED_PREFIX = 0xFFFF  # ::ffff:a.b.c.d, an IPv4 address written as IPv6
#: A character no address or network has outside a scope (``fe80::1%eth0``).
_NOT_IN_AN_ADDRESS = re.compile(r"[^0-9A-Fa-f:./%]")


def _address_value(text: str) -> tuple[int, int]:
    """(version, integer) of an address; raise ``ValueError`` when it is not one.

    ``inet_pton`` parses the usual forms ten times faster than :mod:`ipaddress` (a scoped
    IPv6 address without its scope, which does not change the value); what it refuses
    :mod:`ipaddress` decides, so the two never disagree on what is accepted (tests
    compare them).
    """
    family, version = (socket.AF_INET6, 6) if ":" in text else (socket.AF_INET, 4)
    address, percent, scope = text.partition("%")
    if percent and scope and "%" not in scope and ":" in address:
        text = address  # ipaddress's rule for a scope: not empty, no second "%"
    try:
        return version, int.from_bytes(socket.inet_pton(family, text), "big")
    except (OSError, ValueError):
        parsed = ipaddress.ip_address(text)
        return parsed.version, int(parsed)


@lru_cache(maxsize=64)
def _ipv4_mask_length(mask: str) -> int:
    """The prefix length of an IPv4 netmask or hostmask (``255.255.255.0``,
    ``0.0.0.255``) as :mod:`ipaddress` reads it; a list repeats a few masks."""
    return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen


def parse_network(entry: str) -> tuple[int, int, int]:
    """(version, first, last) of an address or CIDR network (host bits are ignored, as
    ``ip_network(strict=False)`` ignores them); raise ``ValueError`` for anything else."""
    entry = entry.strip()
    if "%" not in entry and _NOT_IN_AN_ADDRESS.search(entry):
        raise ValueError(f"{entry!r} is not an address or network")
    address, slash, prefix = entry.partition("/")
    mask = slash and "." in prefix and ":" not in address
    if (
        slash
        and not mask
        and not (prefix.isdigit() and prefix.isascii() and (prefix[0] != "0" or prefix == "0"))
    ):
        # Something odd: ipaddress decides.
        network = ipaddress.ip_network(entry, strict=False)
        return network.version, int(network.network_address), int(network.broadcast_address)
    version, value = _address_value(address)
    bits = 32 if version == 4 else 128
    length = _ipv4_mask_length(prefix) if mask else (int(prefix) if slash else bits)
    if length > bits:
        raise ValueError(f"{entry!r}: prefix length above {bits}")
    host = (1 << (bits - length)) - 1
    first = value & ~host
    return version, first, first | host


def parse_address(text: str) -> tuple[int, int] | None:
    """(version, integer) of a client's address, IPv4-mapped IPv6 as IPv4; None when
    ``text`` is not an address."""
    try:
        version, value = _address_value(text.strip())
    except ValueError:
        return None
    if version == 6 and value >> 32 == _MAPPED_PREFIX:
        return 4, value & 0xFFFFFFFF
    return version, value


def _merged(ranges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sorted starts and ends of ``ranges`` with overlapping or touching ones merged."""
    starts: list[int] = []
    ends: list[int] = []
    for first, last in sorted(ranges):
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return starts, ends


class NetworkSet:
    """IPv4 and IPv6 networks, asked in O(log n) whether they contain an address."""

    __slots__ = ("_ranges", "entries", "left_out")

    def __init__(
        self,
        networks: Iterable[tuple[int, int, int]] = (),
        entries: Sequence[str] = (),
        left_out: LeftOut = NOTHING_LEFT_OUT,
    ):
        by_version: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for version, first, last in networks:
            by_version[version].append((first, last))
        self._ranges = {version: _merged(ranges) for version, ranges in by_version.items()}
        #: The entries as written (the usable ones), for display.
        self.entries = tuple(entries)
        #: What of the list given was not used, and why.
        self.left_out = left_out

    @classmethod
    def from_lines(cls, lines: str | Iterable[str], *, skip_invalid: bool = False) -> NetworkSet:
        """Parse a one-per-line text (or a list of entries).

        Raise :class:`InvalidLines` naming every entry that is not an address or
        network, or the limit the list is past (then no entry is read), unless
        ``skip_invalid`` (the request path never raises): then those are left out, as
        :attr:`left_out` says, and so are the entries past the limits.
        """
        numbered = entries_of(lines)
        overrun = text_overrun(numbered)
        if overrun is not None and not skip_invalid:
            raise InvalidLines([], [overrun])
        kept = within_text_limits(numbered)
        networks, entries, errors = [], [], []
        for number, entry in kept:
            try:
                if "\x00" in entry:
                    errors.append(LineError(number, entry, "null_character"))
                    continue
                networks.append(parse_network(entry))
                entries.append(entry)
            except ValueError:
                errors.append(LineError(number, entry, "not_an_address"))
        if errors and not skip_invalid:
            raise InvalidLines(errors)
        limits = () if overrun is None else (overrun.limit,)
        return cls(networks, entries, LeftOut(len(errors), len(numbered) - len(kept), limits))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NetworkSet) and self.entries == other.entries

    def __hash__(self) -> int:
        return hash(self.entries)

    def __repr__(self) -> str:
        return f"NetworkSet({list(self.entries)!r})"

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def contains_address(self, address: tuple[int, int]) -> bool:
        """Whether an address from :func:`parse_address` is in one of the networks."""
        version, value = address
        starts, ends = self._ranges[version]
        index = bisect.bisect_right(starts, value) - 1
        return index >= 0 and value <= ends[index]

    def contains(self, text: str) -> bool:
        """Whether address ``text`` is in one of the networks (False for a non-address)."""
        address = parse_address(text)
        return address is not None and self.contains_address(address)
