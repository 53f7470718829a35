"""The Docker engine: where a function container reaches this machine, and the Lambda base image."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from typing import Any

from localdev.sam_local import SamLocalError
from localdev.template import Template


@dataclass(frozen=True)
class DockerHost:
    address: str  # how a function container reaches this machine
    local: bool  # whether it is one of this machine's addresses (moto must then listen on it too)


def _is_local_address(address: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, 0))
        except (OSError, UnicodeError):
            return False
    return True


def docker_client() -> Any:
    import docker  # the Docker SDK that the SAM CLI itself uses

    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as error:
        raise SamLocalError(
            f"Docker is not available ({error}); start it (on a CI machine: sudo scripts/lambda-image/dockerd.sh start)"
        ) from None
    return client


def docker_host(client: Any, override: str | None = None) -> DockerHost:
    if override:
        return DockerHost(override, _is_local_address(override))
    config = client.networks.get("bridge").attrs.get("IPAM", {}).get("Config") or [{}]
    gateway = str(config[0].get("Gateway", ""))
    if gateway and _is_local_address(gateway):
        return DockerHost(gateway, local=True)
    # Docker Desktop: the bridge lives in a VM; host.docker.internal reaches this machine's loopback.
    return DockerHost("host.docker.internal", local=False)


def lambda_base_image(template: Template, architecture: str) -> str:
    """The image sam local runs the template's zip functions on, e.g. public.ecr.aws/lambda/python:3.13-x86_64."""
    runtime = str(template.document["Globals"]["Function"]["Runtime"])
    found = re.fullmatch(r"([a-z]+)([0-9.]+)", runtime)  # python3.13
    if found is None:
        raise SamLocalError(f"no Lambda base image known for runtime {runtime}")
    return f"public.ecr.aws/lambda/{found.group(1)}:{found.group(2)}-{architecture}"


def image_is_present(client: Any, image: str) -> bool:
    import docker

    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True
