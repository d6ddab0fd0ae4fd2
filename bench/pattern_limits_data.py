"""The lists ``bench/pattern_limits.py`` builds: the worst ones the limits of a list admit,
and ones just past them or far past them.

Not run by itself: ``bench/pattern_limits.py`` imports it. Every case is a function that
returns the list as the stored text (or, for ``settings`` cases, the setting's list).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from maintenance_panel.matching import limits
from maintenance_panel.matching.expressions import program_size


@dataclass(frozen=True)
class Case:
    """A list to build, and what it is."""

    name: str
    #: ``"urls"`` (stored URL patterns), ``"ips"`` (stored networks), ``"settings"``
    #: (a setting's URL patterns) or ``"snapshot"`` (the three stored lists at once).
    kind: str
    make: Callable[[], str | list[str]]
    #: Whether the limits admit it (the form saves it as it is).
    admitted: bool


def plain(number: int, length: int = 0) -> str:
    """A plain path, padded to ``length`` characters."""
    line = f"^/section-{number}/"
    return line + "x" * max(0, length - len(line))


def filled(expression: Callable[[int], str], *, count: int = limits.MAX_EXPRESSIONS) -> str:
    """As many ``expression(n)`` as the program size and expression limits admit, then
    plain paths up to the lines and characters limits: the worst list of that shape."""
    lines, total = [], 0
    while len(lines) < count:
        line = expression(len(lines))
        try:
            size = program_size(line)
        except ValueError:
            size = 0  # RE2 refuses it: in a setting, Python's re compiles it
        if size is None or total + size > limits.MAX_PROGRAM_SIZE:
            break
        lines.append(line)
        total += size
    room = limits.MAX_CHARACTERS - sum(map(len, lines))
    padding = limits.MAX_LINES - len(lines)
    lines += [plain(n, min(limits.MAX_LINE_LENGTH, room // padding)) for n in range(padding)]
    return "\n".join(lines)


def past(text: str, extra: str) -> str:
    """``text`` with ``extra`` in place of its last plain path: one step past a limit
    (of expressions, of program size) and no other."""
    lines = text.split("\n")
    last = max(n for n, line in enumerate(lines) if line.startswith("^/section-"))
    lines[last] = extra
    return "\n".join(lines)


def networks(line: Callable[[int], str]) -> Callable[[], str]:
    return lambda: "\n".join(line(n) for n in range(limits.MAX_LINES))


ADMITTED = [
    Case("plain paths only", "urls", lambda: filled(lambda n: "", count=0), True),
    Case("500 small expressions", "urls", lambda: filled(lambda n: rf"^/{n}\.\d"), True),
    Case(
        "500 expressions like ^/api/vN/items/\\d+/[a-z]+$",
        "urls",
        lambda: filled(lambda n: rf"^/api/v{n}/items/\d+/[a-z]+$"),
        True,
    ),
    Case("a{1000}", "urls", lambda: filled(lambda n: f"^/x{n}a{{1000}}"), True),
    Case(".{0,100}$", "urls", lambda: filled(lambda n: f"^/s{n}/.{{0,100}}$"), True),
    Case("\\p{L}{0,10}", "urls", lambda: filled(lambda n: f"^/u{n}/\\p{{L}}{{0,10}}$"), True),
    Case(
        "unanchored (?s).{0,1000}",
        "urls",
        lambda: filled(lambda n: f"(?s).{{0,1000}}{n}"),
        True,
    ),
    Case(
        "[\\x{80}-\\x{10FFFF}]{0,100}",
        "urls",
        lambda: filled(lambda n: f"^/w{n}/[\\x{{80}}-\\x{{10FFFF}}]{{0,100}}"),
        True,
    ),
    Case(
        "(?i)[^/]{0,200}",
        "urls",
        lambda: filled(lambda n: f"^/(?i)k{n}[^/]{{0,200}}"),
        True,
    ),
    Case(
        "settings: 500 only Python's re accepts",
        "settings",
        lambda: filled(lambda n: f"^/p{n}/(?!admin)").splitlines(),
        True,
    ),
    Case("IPv4 networks", "ips", networks(lambda n: f"10.{n // 256}.{n % 256}.0/24"), True),
    Case(
        "IPv4 with netmasks",
        "ips",
        networks(lambda n: f"10.{n // 256}.{n % 256}.0/255.255.255.0"),
        True,
    ),
    Case(
        "IPv6 written in full",
        "ips",
        networks(lambda n: f"2001:0db8:{n:04x}:ffff:ffff:ffff:ffff:ffff/128"),
        True,
    ),
    Case("IPv6 with a scope", "ips", networks(lambda n: f"fe80::{n:x}%eth0"), True),
]

#: The worst stored state: both URL fields and the networks at their worst.
SNAPSHOT = Case(
    "ignore_urls + scope_urls + networks",
    "snapshot",
    lambda: "",
    True,
)


def _small() -> str:
    return filled(lambda n: rf"^/{n}\.\d")


REFUSED = [
    Case(
        "10,001 lines",
        "urls",
        lambda: filled(lambda n: "", count=0).replace("x\n", "x\n^/one-more/\n", 1),
        False,
    ),
    Case(
        "500,001 characters",
        "urls",
        lambda: filled(lambda n: "", count=0).replace("x", "xy", 1),
        False,
    ),
    Case("a line of 1,001 characters", "urls", lambda: "^/" + "a" * 999, False),
    Case("501 expressions", "urls", lambda: past(_small(), r"^/one\.more"), False),
    Case(
        "program size just past 30,000",
        "urls",
        lambda: past(filled(lambda n: f"^/x{n}a{{1000}}"), "^/y{1000}"),
        False,
    ),
    Case(
        "2,000 x ^/xNa{1000} (3 s before the limits)",
        "urls",
        lambda: "\n".join(f"^/x{n}a{{1000}}" for n in range(2000)),
        False,
    ),
    Case(
        "10,000 x ^/sN/.{0,100}$ (35 s and 710 MB before)",
        "urls",
        lambda: "\n".join(f"^/s{n}/.{{0,100}}$" for n in range(10_000)),
        False,
    ),
    Case(
        "500 x ^/sN/.{0,100}$",
        "urls",
        lambda: "\n".join(f"^/s{n}/.{{0,100}}$" for n in range(500)),
        False,
    ),
    Case(
        "500 x \\p{L}{0,50}",
        "urls",
        lambda: "\n".join(f"^/u{n}/\\p{{L}}{{0,50}}$" for n in range(500)),
        False,
    ),
    Case(
        "500 lines of 1,000 characters of a{1000}",
        "urls",
        lambda: "\n".join(f"^/{n}" + "a{1000}" * 141 for n in range(500)),
        False,
    ),
    Case(
        "10,001 networks",
        "ips",
        lambda: networks(lambda n: f"10.{n // 256}.{n % 256}.0/24")() + "\n10.99.0.0/16",
        False,
    ),
]

CASES = {case.name: case for case in [*ADMITTED, SNAPSHOT, *REFUSED]}
