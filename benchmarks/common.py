"""Shared bits of the benchmarks: statistics, tables, the small (CI) versus full size switch."""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(header)] + [len(row[i]) for row in cells]) for i, header in enumerate(headers)]
    print(f"\n{title}\n")
    print("| " + " | ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in cells:
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |")
    print(flush=True)


# Figures, not log lines: the functions log every order at INFO.
QUIET = {"POWERTOOLS_LOG_LEVEL": "WARNING"}


def silence_metrics() -> None:
    """Orders executed outside a handler have nobody to flush their metrics: drop them."""
    from orders_common.observability import metrics

    metrics.add_metric = lambda *args, **kwargs: None  # type: ignore[method-assign]


def arguments(description: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--small", action="store_true", help="a quick version (what CI runs)")
    return parser
