"""The venue library for Hyperliquid: the official SDK against ccxt, on size and cold start.

Each candidate is installed alone (with its dependencies, compiled bytecode) into its own directory
under `.cache/bench/`, beside the lean directory `cold_start` uses for the common layer. For each it
prints the installed size and file count, the median time a fresh interpreter (`python -S`, only that
directory and the common layer's on sys.path) takes to import what the adapter would import, and the
time to construct a signing client after that import. The probe makes any socket connect raise: a
constructor that calls the network fails the run rather than being timed with the network in it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.cold_start import CACHE, host_layer
from benchmarks.common import arguments, median, print_table
from tools.bytecode import COMPILE

# name -> (pip requirement, what the adapter imports, how it builds a client without the network)
CANDIDATES = {
    "hyperliquid-python-sdk": (
        "hyperliquid-python-sdk",
        "from hyperliquid.exchange import Exchange\n"
        "from hyperliquid.info import Info\n"
        "from hyperliquid.utils import signing\n"
        "from eth_account import Account\n",
        # Info and Exchange fetch spot and perp meta on init unless given them, and Info opens a
        # websocket unless skip_ws: the adapter passes meta it read once (and Exchange sets skip_ws).
        "wallet = Account.from_key('0x' + '11' * 32)\n"
        "meta = {'universe': [{'name': 'BTC', 'szDecimals': 5}]}\n"
        "spot = {'universe': [], 'tokens': []}\n"
        "Exchange(wallet, 'https://api.hyperliquid-testnet.xyz', meta=meta, spot_meta=spot)\n",
    ),
    "ccxt": (
        "ccxt",
        "from ccxt.hyperliquid import hyperliquid\n",
        # ccxt's constructor only stores options; markets are loaded on the first call.
        "hyperliquid({'walletAddress': '0x' + '22' * 20, 'privateKey': '0x' + '11' * 32, 'sandbox': True})\n",
    ),
}

PROBE = """
import socket, sys, time
def refuse(*args, **kwargs):
    raise RuntimeError("network call during the probe")
socket.socket.connect = refuse
socket.create_connection = refuse
sys.path[:0] = [sys.argv[1], sys.argv[2]]
started = time.perf_counter()
exec(sys.argv[3])
imported = time.perf_counter()
exec(sys.argv[4])
print((imported - started) * 1000, (time.perf_counter() - imported) * 1000)
"""


def install(name: str, requirement: str, refresh: bool) -> Path:
    """The candidate and its dependencies, alone in their own directory, compiled as a layer would ship."""
    target = CACHE / f"venue-{name}-py{sys.version_info.major}{sys.version_info.minor}"
    stamp = target / ".complete"
    if refresh or not stamp.exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
             "--no-warn-conflicts", "--target", str(target), requirement],
            check=True,
        )  # fmt: skip
        # What a layer leaves out (the common layer's Makefile does the same): scripts, packages' tests.
        shutil.rmtree(target / "bin", ignore_errors=True)
        for tests in [path for path in target.rglob("tests") if path.is_dir()]:
            shutil.rmtree(tests, ignore_errors=True)
        subprocess.run([sys.executable, *COMPILE, str(target)], check=True, capture_output=True)  # noqa: S603
        stamp.write_text(requirement)
    return target


def installed_version(target: Path, name: str) -> str:
    prefix = name.replace("-", "_") + "-"
    for info in target.glob("*.dist-info"):
        if info.name.lower().startswith(prefix):
            return info.name[len(prefix) : -len(".dist-info")]
    return "?"


def size(target: Path) -> tuple[float, int]:
    files = [path for path in target.rglob("*") if path.is_file() and path.name != ".complete"]
    return sum(path.stat().st_size for path in files) / 2**20, len(files)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--runs", type=int, default=None, help="fresh interpreters per candidate (default 15, small 5)")
    parser.add_argument("--refresh", action="store_true", help="reinstall the candidates (their latest versions)")
    options = parser.parse_args()
    runs = options.runs or (5 if options.small else 15)
    common = host_layer()
    probe = Path(tempfile.mkdtemp()) / "probe.py"
    probe.write_text(PROBE)
    environment = {"PATH": os.environ.get("PATH", "")}
    rows = []
    figures = {}
    for name, (requirement, imports, construct) in CANDIDATES.items():
        target = install(name, requirement, options.refresh)
        megabytes, files = size(target)
        import_ms, construct_ms = [], []
        for _ in range(runs):
            output = subprocess.run(  # noqa: S603
                [sys.executable, "-S", str(probe), str(target), str(common), imports, construct],
                capture_output=True, text=True, env=environment, check=True,
            )  # fmt: skip
            first, second = (float(value) for value in output.stdout.split())
            import_ms.append(first)
            construct_ms.append(second)
        version = installed_version(target, name)
        figures[name] = {
            "version": version,
            "megabytes": round(megabytes, 1),
            "files": files,
            "import_ms": round(median(import_ms)),
            "construct_ms": round(median(construct_ms), 1),
        }
        rows.append(
            (f"{name} {version}", f"{megabytes:.1f}", files, f"{median(import_ms):.0f}", f"{median(construct_ms):.1f}")
        )
    print_table(
        f"Venue library: installed with its dependencies; cold import, median of {runs} fresh interpreters",
        ["library", "MB", "files", "import ms", "client ms"],
        rows,
    )
    print(json.dumps({"runs": runs, "figures": figures}))


if __name__ == "__main__":
    main()
