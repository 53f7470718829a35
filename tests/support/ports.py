"""Start a local server command on a port something else already listens on."""

from __future__ import annotations

import socket
import subprocess
import sys

from localdev.template import ROOT


def run_on_a_taken_port(module: str) -> tuple[int, subprocess.CompletedProcess[str]]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", module, "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    return port, result
