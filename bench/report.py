"""What the benchmarks' reports share: a scenario's figures against its reference, the
first line of an in-process run, and the targets each one met or missed.

Not run by itself: the benchmarks in ``bench/`` import it.
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass
from functools import cached_property

#: As the first line of a run names it (``3.13.0``).
PYTHON_VERSION = sys.version.split()[0]


def low_quantile(values: list[float]) -> float:
    """The lowest tenth's upper bound: interference from other processes only ever adds
    time, so the fastest rounds show the cost itself best."""
    return statistics.quantiles(values, n=10)[0]


def quartiles(values: list[float]) -> tuple[float, float]:
    """The lower and upper quartile of ``values``."""
    low, _, high = statistics.quantiles(values, n=4)
    return low, high


@dataclass(frozen=True)
class Comparison:
    """A scenario's per-round figures against those of its reference, measured in the
    same rounds: the differences and ratios are taken round by round."""

    values: list[float]
    reference: list[float]

    @cached_property
    def differences(self) -> list[float]:
        return [a - b for a, b in zip(self.values, self.reference, strict=True)]

    @cached_property
    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.values, self.reference, strict=True)]

    @property
    def median(self) -> float:
        """The median of the scenario's own figures."""
        return statistics.median(self.values)

    @property
    def difference(self) -> float:
        """The median of the per-round differences."""
        return statistics.median(self.differences)

    @property
    def difference_quartiles(self) -> tuple[float, float]:
        return quartiles(self.differences)

    @property
    def ratio(self) -> float:
        """The median of the per-round ratios."""
        return statistics.median(self.ratios)

    @property
    def ratio_quartiles(self) -> tuple[float, float]:
        return quartiles(self.ratios)

    @property
    def floor(self) -> float:
        """The difference of the fastest tenths (see ``low_quantile``)."""
        return low_quantile(self.values) - low_quantile(self.reference)


def print_header(runs: str, *, wall: bool, cpu: str = "CPU") -> None:
    """The first line of an in-process run: ``runs`` per scenario, the Python, and the
    time measured (``cpu`` names the CPU time when not ``wall``)."""
    print(
        f"{runs} per scenario, Python {PYTHON_VERSION}, interleaved in random "
        f"order, {'wall-clock' if wall else cpu} time per request\n"
    )


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def print_target(label: str, met: bool) -> None:
    """One line: ``met`` or ``MISSED``, then what the target is."""
    print(f"{verdict(met):<4}  {label}")


def print_targets(targets: list[tuple[str, bool]]) -> bool:
    """The targets after a blank line, one a line; whether every one was met."""
    print()
    for label, met in targets:
        print_target(label, met)
    return all(met for _, met in targets)
