"""What building the matcher of a list costs a process, at the limits of a list and past them.

Run from the repository root::

    .venv/bin/python bench/pattern_limits.py [--repeat 5] [--only NAME]

Each list is built in a fresh Python process (RE2's memory is C++'s, which tracemalloc
does not see, so memory is the growth of the process's resident set, read from
``/proc/self/status``), ``--repeat`` times; the report gives the median and the largest
CPU time of the build and the largest memory growth: what it keeps (RSS after minus
before) and its peak (the high-water mark, reset just before the build).

- *Admitted*: the worst lists of each shape the limits let through: as many
  expressions as fit the program size and the expression limits, then plain paths up to
  the lines and characters limits. Built as a process builds stored text on its first
  request after a change (``snapshot.patterns_of`` / ``networks_of``); the ``settings``
  case as the settings' list is built. Goal: at most 100 ms and 50 MB each. Then, for
  information, a change of all three stored lists at once, each at its worst; and the
  first matches: 200 distinct paths of 4,000 characters against the worst lists, where
  RE2 builds its DFA (bounded by the set's memory budget).
- *Refused*: lists just past each limit, and heavy lists that stalled every worker
  before these limits. The form's check (``check_patterns``, what a save runs) must
  refuse each, naming the limit; the request path, given such text stored around the
  form, builds only what fits: within the same goal.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pattern_limits_data import ADMITTED, CASES, REFUSED, SNAPSHOT, Case  # noqa: E402
from bench.report import PYTHON_VERSION, verdict  # noqa: E402
from maintenance_panel.matching import limits  # noqa: E402

GOAL_SECONDS = 0.100
GOAL_BYTES = 50e6


def status(key: str) -> int:
    """A figure of ``/proc/self/status`` in bytes (``VmRSS``, ``VmHWM``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def reset_peak() -> None:
    """Start the high-water mark (``VmHWM``) again from the present resident set."""
    Path("/proc/self/clear_refs").write_text("5")


def builder(case: Case) -> Any:
    """What a process runs to build ``case``'s matcher, given its list."""
    from maintenance_panel.matching import NetworkSet, PatternSet

    if case.kind == "ips":
        return lambda data: NetworkSet.from_lines(data, skip_invalid=True)
    if case.kind == "settings":
        return PatternSet.from_settings
    if case.kind == "snapshot":
        worst_urls = CASES["unanchored (?s).{0,1000}"].make()
        worst_scope = CASES["(?i)[^/]{0,200}"].make()
        worst_networks = CASES["IPv6 written in full"].make()

        def every_list(data: Any) -> Any:
            return (
                PatternSet.from_lines(worst_urls, skip_invalid=True),
                PatternSet.from_lines(worst_scope, skip_invalid=True),
                NetworkSet.from_lines(worst_networks, skip_invalid=True),
            )

        return every_list
    return lambda data: PatternSet.from_lines(data, skip_invalid=True)


def refusal(case: Case, data: Any) -> tuple[float, str]:
    """Seconds the form's check takes, and what it says (or "accepted")."""
    from maintenance_panel.matching import InvalidLines, NetworkSet, check_patterns

    start = time.thread_time()
    try:
        if case.kind == "ips":
            NetworkSet.from_lines(data)
        else:
            check_patterns(data)
    except InvalidLines as exc:
        said = [f"{e.reason} (line {e.number})" for e in exc.errors[:2]] + [
            str(o) for o in exc.overruns
        ]
        return time.thread_time() - start, "; ".join(said)
    return time.thread_time() - start, "accepted"


def first_matches(built: Any) -> float:
    """Seconds of the slowest of 200 matches of distinct long paths."""
    slowest = 0.0
    for number in range(200):
        path = f"/{number}/" + "é/a" * 1300 + str(number)
        start = time.thread_time()
        built.match(path)
        slowest = max(slowest, time.thread_time() - start)
    return slowest


def measure(name: str) -> dict[str, Any]:
    """In this (fresh) process: build case ``name`` and report its figures."""
    from maintenance_panel.matching import PatternSet

    case = CASES[name]
    data = case.make()
    build = builder(case)
    PatternSet.from_lines("^/warm\\d")  # imports and first allocations, not counted
    checked, said = refusal(case, data) if case.kind != "snapshot" else (0.0, "")
    before = status("VmRSS")
    reset_peak()
    start = time.thread_time()
    built = build(data)
    seconds = time.thread_time() - start
    figures = {
        "seconds": seconds,
        "kept": status("VmRSS") - before,
        "peak": status("VmHWM") - before,
        "check": checked,
        "said": said,
    }
    if case.kind == "urls" and case.admitted:
        figures["match"] = first_matches(built)
        figures["after_matches"] = status("VmRSS") - before
    if hasattr(built, "left_out"):
        figures["left_out"] = built.left_out.unusable + built.left_out.past_limits
    return figures


def run(name: str, repeat: int) -> dict[str, Any]:
    """Figures of case ``name``: ``repeat`` fresh processes, combined."""
    runs = []
    for _ in range(repeat):
        child = subprocess.run(
            [sys.executable, __file__, "--child", name],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        runs.append(json.loads(child.stdout))
    combined = {key: max(run[key] for run in runs) for key in runs[0] if key != "said"}
    combined["median"] = statistics.median(run["seconds"] for run in runs)
    combined["said"] = runs[0]["said"]
    return combined


def line(name: str, figures: dict[str, Any]) -> tuple[str, bool]:
    """A row of the report, and whether the build met the goal."""
    grown = max(figures["kept"], figures["peak"], 0)
    met = figures["median"] <= GOAL_SECONDS and grown <= GOAL_BYTES
    check = f"{figures['check'] * 1000:6.0f} ms" if figures["said"] else " " * 9
    row = (
        f"  {name:<48}{figures['median'] * 1000:>6.1f} ms (max {figures['seconds'] * 1000:5.1f})"
        f"{max(figures['kept'], 0) / 1e6:>6.1f} MB{max(figures['peak'], 0) / 1e6:>6.1f} MB"
        f"{check}  {verdict(met)}"
    )
    return row, met


HEADER = f"  {'':<48}{'build, median (max)':>22}{'kept':>7}{'peak':>9}{'check':>9}"


def report(figures: dict[str, dict[str, Any]]) -> bool:
    """Print the tables; whether every goal was met."""
    met = []
    print(
        f"limits of a list: {limits.MAX_LINES:,} lines, {limits.MAX_CHARACTERS:,} characters; "
        f"URL patterns also {limits.MAX_LINE_LENGTH:,} characters a line, "
        f"{limits.MAX_EXPRESSIONS:,} expressions, program size {limits.MAX_PROGRAM_SIZE:,}"
        f"\ngoal: a build in at most {GOAL_SECONDS * 1000:.0f} ms (median CPU time) and "
        f"{GOAL_BYTES / 1e6:.0f} MB (RSS growth, kept and peak); 'check' is the form's check"
        f"\n\nadmitted, the worst list of each shape:\n{HEADER}"
    )
    for case in ADMITTED:
        if case.name in figures:
            row, ok = line(case.name, figures[case.name])
            met.append(ok and figures[case.name]["said"] == "accepted")
            print(row)
    if SNAPSHOT.name in figures:
        whole = figures[SNAPSHOT.name]
        print(
            f"  one change of all three lists of the state, each at its worst (the goal is per "
            f"list): {whole['median'] * 1000:.0f} ms (max {whole['seconds'] * 1000:.0f}), "
            f"{max(whole['kept'], whole['peak']) / 1e6:.1f} MB"
        )
    matched = {n: f for n, f in figures.items() if "match" in f}
    if matched:
        slowest = max(f["match"] for f in matched.values())
        grown = max(f["after_matches"] for f in matched.values())
        print(
            f"  first matches of 200 distinct 4,000-character paths: slowest {slowest * 1000:.1f}"
            f" ms; RSS after them at most {grown / 1e6:.1f} MB above the start"
        )
        met.append(grown <= GOAL_BYTES)
    print(f"\nrefused by the check; built from stored text, only what fits:\n{HEADER}")
    for case in REFUSED:
        if case.name in figures:
            found = figures[case.name]
            row, ok = line(case.name, found)
            met.append(ok and found["said"] != "accepted")
            print(f"{row}\n      {found['said']}")
    return all(met)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per case (5)")
    parser.add_argument("--only", action="append", help="a case's name (repeatable)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return 0
    started = time.perf_counter()
    figures = {name: run(name, args.repeat) for name in args.only or CASES}
    print(f"Python {PYTHON_VERSION}; each build in a fresh process, {args.repeat} times\n")
    met = report(figures)
    print(
        f"\n{'all goals met' if met else 'a goal was MISSED'}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
