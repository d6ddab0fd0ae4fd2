"""Reading the fleet reports: the processes seen recently, newest first."""

from __future__ import annotations

import time
from collections.abc import Iterable

from maintenance_panel import cache_calls
from maintenance_panel.fleet import writer
from maintenance_panel.fleet.reports import (
    CLOCK_TOLERANCE,
    SLOT_KEY,
    SLOTS,
    ProcessReport,
    seen_recently,
)
from maintenance_panel.versions import CACHE_ERRORS


class ReportsUnavailable(Exception):
    """The cache that holds the reports cannot be read."""


def read_reports(*, limit: float | None = None, back_off: bool = True) -> list[ProcessReport]:
    """Processes seen recently, newest first (one ``get_many`` of every slot; this
    process's own report as it handed it over, even before it is written).

    The cache is given ``limit`` seconds to answer (default ``REQUEST_LIMIT``); with
    ``back_off`` it is not asked while this process backs off from it
    (:mod:`maintenance_panel.cache_calls`).
    Raises :class:`ReportsUnavailable` when the cache cannot be read.
    """
    keys = [SLOT_KEY % slot for slot in range(SLOTS)]
    try:
        stored = cache_calls.call(
            lambda cache: cache.get_many(keys), limit=limit, back_off=back_off
        )
    except CACHE_ERRORS as exc:
        raise ReportsUnavailable(str(exc) or type(exc).__name__) from exc
    horizon = time.time() - seen_recently() - CLOCK_TOLERANCE
    newest: dict[tuple[str, int], ProcessReport] = {}
    for value in [*stored.values(), writer.own_report()]:
        report = ProcessReport.from_stored(value)
        if report is None or report.seen_at.timestamp() < horizon:
            continue
        key = (report.host, report.pid)
        if key not in newest or newest[key].seen_at < report.seen_at:
            newest[key] = report
    return sorted(newest.values(), key=lambda r: (r.seen_at, r.host, r.pid), reverse=True)


def hosts(reports: Iterable[ProcessReport]) -> set[str]:
    """The hosts among ``reports``."""
    return {report.host for report in reports}
