"""Which image the functions run on: the real Lambda Python image when this machine has it, else the
offline stand-in of ``scripts/lambda-image/build.sh``.

The stand-in has a name of its own, ``hyperoru.invalid/lambda-python:<version>-<arch>``, passed to sam
with ``--invoke-image``: under the official name it would pass for the real image on the machine that
built it. ``.invalid`` is a reserved domain, so Docker can never pull anything by that name from a
registry. The real image is preferred where present because it is what Lambda runs (Amazon Linux,
AWS's Python build); the stand-in is what CI and offline machines have.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping

from localdev.sam_local import SamLocalError

OFFICIAL_REPOSITORY = "public.ecr.aws/lambda/python"
STANDIN_REPOSITORY = "hyperoru.invalid/lambda-python"
# Every stand-in carries it, also one that an older build.sh tagged under the official name.
STANDIN_LABEL = "io.hyperoru.lambda-standin"

Labels = Mapping[str, str]
LabelsOf = Callable[[str], Labels | None]  # an image's labels, None when it is not on this machine


def python_version(runtime: str) -> str:
    """``python3.13`` -> ``3.13``."""
    found = re.fullmatch(r"python([0-9]+\.[0-9]+)", runtime)
    if found is None:
        raise SamLocalError(f"no Lambda Python image known for runtime {runtime}")
    return found.group(1)


def official_image(version: str, architecture: str) -> str:
    return f"{OFFICIAL_REPOSITORY}:{version}-{architecture}"


def standin_image(version: str, architecture: str) -> str:
    return f"{STANDIN_REPOSITORY}:{version}-{architecture}"


def choose_image(labels_of: LabelsOf, version: str, architecture: str) -> str | None:
    """The real image if present (and not a stand-in under its name), else the stand-in if present."""
    official = official_image(version, architecture)
    labels = labels_of(official)
    if labels is not None and labels.get(STANDIN_LABEL) != "true":
        return official
    standin = standin_image(version, architecture)
    return standin if labels_of(standin) is not None else None


def missing_image(version: str, architecture: str) -> str:
    """What to do when neither image is here, said for the user."""
    return (
        f"neither {official_image(version, architecture)} nor the offline stand-in "
        f"{standin_image(version, architecture)} is on this machine: `docker pull` the first where the "
        "registry is reachable, or build the second (sudo make lambda-image)"
    )


def docker_cli_labels(image: str) -> Labels | None:
    """``labels_of`` through the docker command, for callers that do not load the Docker SDK."""
    docker = shutil.which("docker")
    if docker is None:
        return None
    found = subprocess.run(  # noqa: S603 - our own command line
        [docker, "image", "inspect", "--format", "{{json .Config.Labels}}", image],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        return None
    labels = json.loads(found.stdout or "null")
    return dict(labels) if isinstance(labels, dict) else {}
