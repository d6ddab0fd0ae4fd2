"""Flat matchers for the exemption lists and the scope: IP networks and URL patterns.

Both answer in time that does not grow with the list: networks
(:mod:`~maintenance_panel.matching.networks`) are merged integer ranges searched with
:mod:`bisect`; URL patterns (:mod:`~maintenance_panel.matching.patterns`) are one RE2
set plus set lookups for plain paths. Both read one-per-line text the same way
(:mod:`~maintenance_panel.matching.lines`) and obey the same limits of a list
(:mod:`~maintenance_panel.matching.limits`), so that building them stays cheap. Pure:
the standard library and google-re2 only, so that every layer may use them.
"""

from __future__ import annotations

from maintenance_panel.matching import limits
from maintenance_panel.matching.expressions import check_pattern, compile_python
from maintenance_panel.matching.limits import LeftOut, Overrun
from maintenance_panel.matching.lines import (
    InvalidLines,
    LineError,
    numbered_lines,
    split_lines,
)
from maintenance_panel.matching.networks import NetworkSet, parse_address, parse_network
from maintenance_panel.matching.pattern_lists import check_patterns
from maintenance_panel.matching.patterns import PatternSet

__all__ = [
    "InvalidLines",
    "LeftOut",
    "LineError",
    "NetworkSet",
    "Overrun",
    "PatternSet",
    "check_pattern",
    "check_patterns",
    "compile_python",
    "limits",
    "numbered_lines",
    "parse_address",
    "parse_network",
    "split_lines",
]
