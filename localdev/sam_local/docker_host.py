"""Where a function container reaches this machine, and so moto.

sam puts function containers on Docker's default bridge network whatever ``--docker-network`` says.
On a Linux Docker Engine the bridge is an interface of this machine (``docker0`` unless the network's
``com.docker.network.bridge.name`` says otherwise) and its own IPv4 address is what containers route
to; moto listens there too. That address is read from the interface itself, because IPAM's
``Gateway`` is not always reported: Debian 12's docker.io 20.10 gives ``Config: [{"Subnet": ...}]``
alone. The gateway comes second (an engine whose bridge interface this process cannot see, but whose
gateway is one of this machine's addresses), and ``host.docker.internal`` only on Docker Desktop,
where the bridge lives in a VM and that name reaches this machine. Anything else is an error that
names ``--docker-host-address``, rather than a name the containers cannot resolve.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from localdev.sam_local import SamLocalError

BRIDGE_NAME_OPTION = "com.docker.network.bridge.name"
DEFAULT_BRIDGE_INTERFACE = "docker0"
DESKTOP_HOST = "host.docker.internal"
_SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address


@dataclass(frozen=True)
class DockerHost:
    address: str  # how a function container reaches this machine
    local: bool  # whether it is one of this machine's addresses (moto must then listen on it too)
    source: str  # where the address came from, said to the user


def is_local_address(address: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, 0))
        except (OSError, UnicodeError):
            return False
    return True


def interface_address(name: str) -> str | None:
    """The IPv4 address of this machine's network interface ``name``; None without one (or off Linux)."""
    if sys.platform != "linux" or not name or len(name.encode()) > 15:
        return None
    import fcntl

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            request = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()))
        except OSError:  # no such interface, or no IPv4 address on it
            return None
    return socket.inet_ntoa(request[20:24])  # struct ifreq: 16 bytes of name, then a sockaddr_in


def is_docker_desktop(info: Mapping[str, Any]) -> bool:
    """From ``docker info``: Docker Desktop (macOS, Windows, Linux) names itself there."""
    return info.get("OperatingSystem") == "Docker Desktop" or info.get("Name") == "docker-desktop"


def _ipam_configs(bridge: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((bridge.get("IPAM") or {}).get("Config") or [])


def _in_subnets(address: str, configs: list[Mapping[str, Any]]) -> bool:
    """Whether ``address`` is on the bridge's subnet: an interface of that name on this machine that
    is not on it belongs to another engine (DOCKER_HOST pointing elsewhere). No subnet: no check."""
    subnets = []
    for config in configs:
        try:
            subnets.append(ipaddress.ip_network(str(config.get("Subnet", "")), strict=False))
        except ValueError:
            continue
    return not subnets or any(ipaddress.ip_address(address) in subnet for subnet in subnets)


def detect_docker_host(
    bridge: Mapping[str, Any],
    info: Mapping[str, Any],
    address_of: Callable[[str], str | None] | None = None,
    is_local: Callable[[str], bool] | None = None,
) -> DockerHost:
    """From ``docker network inspect bridge`` and ``docker info`` (the engine API's JSON); this
    machine's interfaces and addresses as ``address_of`` and ``is_local`` say (default: as they are)."""
    address_of = address_of or interface_address
    is_local = is_local or is_local_address
    configs = _ipam_configs(bridge)
    interface = (bridge.get("Options") or {}).get(BRIDGE_NAME_OPTION) or DEFAULT_BRIDGE_INTERFACE
    address = address_of(interface)
    if address and _in_subnets(address, configs):
        return DockerHost(address, local=True, source=f"the address of {interface}")
    for config in configs:
        gateway = str(config.get("Gateway") or "")
        if gateway and is_local(gateway):
            return DockerHost(gateway, local=True, source="the bridge network's gateway")
    if is_docker_desktop(info):
        return DockerHost(DESKTOP_HOST, local=False, source="Docker Desktop")
    raise SamLocalError(
        f"cannot tell where containers reach this machine: no {interface} interface here on the bridge "
        f"network's subnet, no gateway of it among this machine's addresses, and not Docker Desktop; "
        "pass --docker-host-address ADDRESS (an address of this machine that containers on the default "
        "bridge can reach)"
    )


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
    """Where containers of ``client``'s engine reach this machine; ``override`` as the user says."""
    if override:
        return DockerHost(override, is_local_address(override), source="--docker-host-address")
    return detect_docker_host(client.networks.get("bridge").attrs, client.info())


def image_labels(client: Any, image: str) -> dict[str, str] | None:
    """An image's labels through the SDK; None when it is not on this machine."""
    import docker

    try:
        found = client.images.get(image)
    except docker.errors.ImageNotFound:
        return None
    return dict(found.labels or {})
