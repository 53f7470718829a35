"""Cold start without the garbage collector.

Loading the handler, pydantic, Powertools and boto3 creates a few hundred thousand objects, and the
collector walks all of them several times while they load (about a fifth of a cold start), finding
nothing to free. On Lambda the collector is therefore paused from the layer's first import until the
first invocation has finished; the objects alive by then are frozen out of its sight for good
(`gc.freeze`), and it runs normally from there on. Outside Lambda (tests, `make run`) nothing changes.
"""

from __future__ import annotations

import gc
import os

_paused = False


def pause_collector_on_lambda() -> None:
    global _paused
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector() -> None:
    """Called after every invocation; only the first one after a pause does anything."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
