"""A moto server in its own process, with the fidelity fixes of localdev.moto_fidelity applied.

    python -m localdev.moto_server --port 5000

Benchmarks use it so that moto's work runs on another core, as DynamoDB's runs on other machines.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

from localdev.moto_fidelity import make_moto_faithful


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m localdev.moto_server")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args(argv)
    make_moto_faithful()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=arguments.port, verbose=False)
    server.start()
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    server.stop()


@contextmanager
def moto_server_process(port: int) -> Iterator[str]:
    """Run the server in a child process for the duration; yields its endpoint."""
    process = subprocess.Popen([sys.executable, "-m", "localdev.moto_server", "--port", str(port)])  # noqa: S603
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
