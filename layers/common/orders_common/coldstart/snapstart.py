"""What a SnapStart snapshot holds.

With SnapStart, initialization runs once per version and its memory is restored into every new
execution environment. Building the settings and the store's client then (a client connects lazily:
nothing stale is restored) spares each restore that work. Ids are not reserved here: a block of ids in
a snapshot would be restored into many environments and handed out twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable


def prepare_snapshot(build: Callable[[], object]) -> None:
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
        build()
