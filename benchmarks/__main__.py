"""Run every benchmark: python -m benchmarks [--small]."""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = [
    "round_trips",
    "handler_overhead",
    "scale",
    "throughput",
    "fan_out_cost",
    "write_units",
    "order_changes",
    "sizes",
    "event_publish",
    "cold_start",
    "peers",
    "venue_library",
    "venue_requests",
    "venue_cold_start",
]


def main() -> int:
    options = sys.argv[1:]
    failed = []
    for name in BENCHMARKS:
        started = time.monotonic()
        print(f"\n=== benchmarks.{name} {' '.join(options)}", flush=True)
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *options], check=False)  # noqa: S603
        print(f"=== benchmarks.{name}: {time.monotonic() - started:.0f} s", flush=True)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
