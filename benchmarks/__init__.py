"""Benchmarks: scripts that print figures (``make bench``); results and commands in BENCHMARKS.md."""

import os
import sys
from pathlib import Path

# The layer's package, as in localdev: on Lambda it is /opt/python.
_LAYER = str(Path(__file__).resolve().parent.parent / "layers" / "common")
if _LAYER not in sys.path:
    sys.path.insert(0, _LAYER)

# Figures, not log lines: the functions log every order at INFO (the in-process stacks repeat this
# over the template's level, see benchmarks.common.QUIET).
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
