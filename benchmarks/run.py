"""Every benchmark figure of mediawatch in one run, with the machine it ran on.

    python benchmarks/run.py [--quick] [--corpus PATH] [--only NAME ...] [--output FILE]

Each benchmark serves the shared news corpus on loopback with a real HTTP server and drives
real `mediawatch` processes; speeds are ratios measured within one run, because the
machine may be shared and noisy. Every figure is printed as one JSON line as soon as it
is measured (``{"name", "value", "target", "unit", "detail"}``), then all of them go to
``benchmarks/RESULTS.md`` (or ``--output``) with the machine, the versions and whether
each target was met.

``--quick`` measures the same figures on fewer pages and versions (under 3 minutes); the
full run takes about 15 minutes on 2 cores. Without the corpus (``../shared/corpus``, or
``--corpus``, or the MEDIAWATCH_CORPUS variable) there is nothing to measure: the run says
so and exits 0. The PostgreSQL figures need a server to make their own databases on
(postgresql+psycopg://postgres@127.0.0.1:5432/test, or the MEDIAWATCH_BENCH_POSTGRES_URL
variable); without one they are reported as skipped. A benchmark that fails is reported
with its error and the run goes on; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# The benchmark modules, in the order they run; each has measure(pages, quick) -> rows.
BENCHMARKS = (
    "crawl_corpus",  # throughput_ratio, extraction_f1, recheck_ratio
    "churn_corpus",  # churn_false_versions, churn_missed_versions, noise_recheck_ratio
    "crawl_memory",  # rss_growth, rss_peak_mb
    "storage_size",  # storage_ratio
    "search_scaling",  # search_growth, search_growth_postgresql
    "diff_speed",  # diff_ms
    "workers_scaling",  # pg_workers_1_ratio, pg_workers_2_ratio, pg_workers_3_ratio
    "web_scaling",  # web_growth, web_slowest_ms
)
PACKAGES = ("scrapy", "trafilatura", "lxml", "SQLAlchemy", "APScheduler", "zstandard")
_TARGET = re.compile(r"^\s*(>=|<=|<|>|=)?\s*(-?[0-9.]+)\s*$")


def target_met(value: float | None, target: str) -> bool | None:
    """Whether ``value`` meets a target written like ">= 1.5", "<= 0.10", "< 600" or "0";
    None when the target is not a comparison (a figure that is only reported)."""
    match = _TARGET.match(str(target))
    if value is None or match is None:
        return None if match is None else False
    operator, bound = match[1] or "=", float(match[2])
    return {
        ">=": value >= bound,
        "<=": value <= bound,
        "<": value < bound,
        ">": value > bound,
        "=": value == bound,
    }[operator]


def machine() -> dict[str, str]:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f"{kilobytes / 1024 / 1024:.1f} GiB"
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return {
        "machine": f"{cpu}, {os.cpu_count()} cores, {memory} memory, {platform.system()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": ", ".join(f"{name} {version(name)}" for name in PACKAGES),
        "commit": commit or "unknown",
    }


def run_benchmark(name: str, pages: list[Any], quick: bool) -> tuple[list[dict[str, Any]], bool]:
    """The rows of one benchmark module, and whether it ran without an error."""
    try:
        module = importlib.import_module(name)
        rows: list[dict[str, Any]] = module.measure(pages, quick)
        return rows, True
    except (Exception, SystemExit) as error:  # one broken benchmark must not hide the others
        traceback.print_exc()
        row = {
            "name": name,
            "value": None,
            "target": "",
            "unit": "",
            "detail": f"benchmark failed: {type(error).__name__}: {error}",
        }
        print(json.dumps(row), flush=True)
        return [row], False


def markdown(rows: list[dict[str, Any]], about: dict[str, str], quick: bool, took: float) -> str:
    mode = "quick (`--quick`: fewer pages)" if quick else "full"
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py"
        + (" --quick" if quick else "")
        + f"` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {mode} run, {took / 60:.1f} minutes.",
        "",
        f"- Machine: {about['machine']}",
        f"- Python {about['python']}, SQLite {about['sqlite']}",
        f"- {about['packages']}",
        f"- mediawatch commit {about['commit']}",
        "",
        "| figure | value | unit | target | met | how it was measured |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        met = target_met(row["value"], row["target"])
        mark = {True: "yes", False: "**no**", None: "n/a"}[met]
        detail = str(row["detail"]).replace("|", "\\|")
        if row.get("skipped"):
            value, mark = "skipped", "n/a"
        elif row["value"] is None:
            value = "failed"
        else:
            value = f"{row['value']:g}"
        lines.append(
            f"| `{row['name']}` | {value} | {row['unit']} | {row['target']} | {mark} | {detail} |"
        )
    lines += ["", "What each figure means and why a missed target is missed: see the README's "]
    lines[-1] += "performance section."
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer pages: under 3 minutes")
    parser.add_argument("--corpus", type=Path, help="the news corpus folder")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="just these benchmarks")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md", help="results file")
    args = parser.parse_args()
    if args.corpus is not None:
        # Read when tests.corpus is first imported, i.e. by the benchmark modules below.
        os.environ["MEDIAWATCH_CORPUS"] = str(args.corpus.resolve())
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(REPO))
    from common import exit_cleanly_on_sigterm, require_corpus_or_exit

    exit_cleanly_on_sigterm()

    pages = require_corpus_or_exit()
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    failed = False
    for name in args.only or BENCHMARKS:
        print(f"# {name}", file=sys.stderr, flush=True)
        benchmark_rows, ok = run_benchmark(name, pages, args.quick)
        rows += benchmark_rows
        failed = failed or not ok
    took = time.perf_counter() - started
    args.output.write_text(markdown(rows, machine(), args.quick, took))
    print(
        f"# {len(rows)} figures in {took / 60:.1f} min, written to {args.output}", file=sys.stderr
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
