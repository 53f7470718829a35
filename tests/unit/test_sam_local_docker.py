"""Where sam-local's function containers reach this machine (localdev.sam_local.docker_host), from the
engine's own answers to ``docker network inspect bridge`` and ``docker info``; and which Lambda image
the functions run on (localdev.sam_local.images)."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from localdev.sam_local import SamLocalError
from localdev.sam_local.docker_host import (
    DESKTOP_HOST,
    DockerHost,
    detect_docker_host,
    docker_host,
    interface_address,
)
from localdev.sam_local.images import (
    STANDIN_LABEL,
    choose_image,
    official_image,
    python_version,
    standin_image,
)

# Recorded on Debian 12 with docker.io 20.10.24+dfsg1 (dockerd.sh start, default flags): IPAM has the
# subnet and no Gateway key. docker0 had 172.17.0.1/16.
DEBIAN_12_DOCKER_IO = """{
  "Name": "bridge", "Id": "5201ca7f256c9184fd0189186d13c5bcf052aa07306fe0144869361ea3202ab2",
  "Created": "2026-12-04T14:16:33.253849281Z", "Scope": "local", "Driver": "bridge", "EnableIPv6": false,
  "IPAM": {"Driver": "default", "Options": null, "Config": [{"Subnet": "172.17.0.0/16"}]},
  "Internal": false, "Attachable": false, "Ingress": false, "ConfigFrom": {"Network": ""}, "ConfigOnly": false,
  "Containers": {},
  "Options": {
    "com.docker.network.bridge.default_bridge": "true", "com.docker.network.bridge.enable_icc": "true",
    "com.docker.network.bridge.enable_ip_masquerade": "true",
    "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0", "com.docker.network.bridge.name": "docker0",
    "com.docker.network.driver.mtu": "1500"
  },
  "Labels": {}
}"""
DEBIAN_12_INFO = {"OperatingSystem": "Debian GNU/Linux 12 (bookworm)", "Name": "vm", "ServerVersion": "20.10.24+dfsg1"}

# Recorded on the same engine started with --bip=172.18.0.1/16: then IPAM reports the Gateway.
# docker0 had 172.18.0.1/16.
WITH_GATEWAY = """{
  "Name": "bridge", "Id": "f2db940e1fd9d020474c2e92374269779b04def56bcf6f3d8a4cd4e3ca03e227",
  "Created": "2026-12-04T14:23:12.761220191Z", "Scope": "local", "Driver": "bridge", "EnableIPv6": false,
  "IPAM": {"Driver": "default", "Options": null, "Config": [{"Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"}]},
  "Internal": false, "Attachable": false, "Ingress": false, "ConfigFrom": {"Network": ""}, "ConfigOnly": false,
  "Containers": {},
  "Options": {
    "com.docker.network.bridge.default_bridge": "true", "com.docker.network.bridge.enable_icc": "true",
    "com.docker.network.bridge.enable_ip_masquerade": "true",
    "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0", "com.docker.network.bridge.name": "docker0",
    "com.docker.network.driver.mtu": "1500"
  },
  "Labels": {}
}"""

# Docker Desktop (not recorded here: no Docker Desktop on this machine; the engine API's shape with
# the values Docker Desktop reports): the bridge and its gateway live in Desktop's VM, so neither
# docker0 nor 172.17.0.1 is an address of this machine; `docker info` names the product.
DOCKER_DESKTOP = """{
  "Name": "bridge", "Id": "0c6f7c1a53b1", "Scope": "local", "Driver": "bridge", "EnableIPv6": false,
  "IPAM": {"Driver": "default", "Options": null, "Config": [{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}]},
  "Options": {
    "com.docker.network.bridge.default_bridge": "true", "com.docker.network.bridge.name": "docker0",
    "com.docker.network.driver.mtu": "65535"
  },
  "Labels": {}
}"""
DOCKER_DESKTOP_INFO = {"OperatingSystem": "Docker Desktop", "Name": "docker-desktop", "ServerVersion": "28.3.2"}


def interfaces(**addresses: str) -> Any:
    """This machine's interfaces, as ``interface_address`` would read them."""
    return addresses.get


def local(*addresses: str) -> Any:
    return lambda address: address in addresses


def test_debian_12_docker_io_without_gateway_uses_docker0s_own_address() -> None:
    found = detect_docker_host(
        json.loads(DEBIAN_12_DOCKER_IO), DEBIAN_12_INFO, interfaces(docker0="172.17.0.1"), local("172.17.0.1")
    )

    # Issue 10: without a Gateway key this used to fall back to host.docker.internal (every call 503).
    assert found == DockerHost("172.17.0.1", local=True, source="the address of docker0")


def test_a_bridge_with_a_gateway_uses_docker0s_address() -> None:
    found = detect_docker_host(
        json.loads(WITH_GATEWAY), DEBIAN_12_INFO, interfaces(docker0="172.18.0.1"), local("172.18.0.1")
    )

    assert found == DockerHost("172.18.0.1", local=True, source="the address of docker0")


def test_the_gateway_serves_when_the_bridge_interface_is_not_visible_but_the_gateway_is_local() -> None:
    found = detect_docker_host(json.loads(WITH_GATEWAY), DEBIAN_12_INFO, interfaces(), local("172.18.0.1"))

    assert found == DockerHost("172.18.0.1", local=True, source="the bridge network's gateway")


def test_docker_desktop_uses_host_docker_internal() -> None:
    found = detect_docker_host(json.loads(DOCKER_DESKTOP), DOCKER_DESKTOP_INFO, interfaces(), local())

    assert found == DockerHost(DESKTOP_HOST, local=False, source="Docker Desktop")


def test_a_linux_engine_without_a_reachable_address_is_an_error_naming_the_option() -> None:
    # e.g. rootless Docker: the bridge lives in another network namespace.
    with pytest.raises(SamLocalError, match="--docker-host-address"):
        detect_docker_host(json.loads(DEBIAN_12_DOCKER_IO), DEBIAN_12_INFO, interfaces(), local())


def test_the_bridge_interface_is_the_one_the_network_names() -> None:
    bridge = json.loads(DEBIAN_12_DOCKER_IO)
    bridge["Options"]["com.docker.network.bridge.name"] = "br-hyperoru"

    found = detect_docker_host(
        bridge, DEBIAN_12_INFO, interfaces(docker0="10.9.0.1", **{"br-hyperoru": "172.17.0.1"}), local("172.17.0.1")
    )

    assert found.address == "172.17.0.1"


def test_an_interface_off_the_bridges_subnet_belongs_to_another_engine() -> None:
    # DOCKER_HOST names a remote engine; this machine's own docker0 is another engine's bridge.
    with pytest.raises(SamLocalError):
        detect_docker_host(json.loads(DEBIAN_12_DOCKER_IO), DEBIAN_12_INFO, interfaces(docker0="10.200.0.1"), local())


class FakeEngine:
    """The two Docker SDK calls docker_host makes, answering recorded JSON."""

    def __init__(self, bridge: str, info: dict[str, str]) -> None:
        self.bridge, self._info = json.loads(bridge), info
        self.networks = self

    def get(self, name: str) -> Any:
        assert name == "bridge"
        return type("Network", (), {"attrs": self.bridge})

    def info(self) -> dict[str, str]:
        return self._info


def test_docker_host_asks_the_engine_and_an_override_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    desktop = FakeEngine(DOCKER_DESKTOP, DOCKER_DESKTOP_INFO)
    # As on a Mac: no docker0 here, and the VM's gateway is not one of this machine's addresses.
    monkeypatch.setattr("localdev.sam_local.docker_host.interface_address", interfaces())
    monkeypatch.setattr("localdev.sam_local.docker_host.is_local_address", local("127.0.0.1"))

    assert docker_host(desktop).address == DESKTOP_HOST
    assert docker_host(desktop, "127.0.0.1") == DockerHost("127.0.0.1", local=True, source="--docker-host-address")


@pytest.mark.skipif(sys.platform != "linux", reason="interface addresses are read with a Linux ioctl")
def test_interface_address_reads_this_machines_interfaces() -> None:
    assert interface_address("lo") == "127.0.0.1"
    assert interface_address("no-such-if") is None
    assert interface_address("x" * 40) is None


# Images


def labels(**images: dict[str, str]) -> Any:
    return images.get


OFFICIAL = official_image("3.13", "x86_64")
STANDIN = standin_image("3.13", "x86_64")


def test_the_stand_in_has_its_own_name() -> None:
    assert (OFFICIAL, STANDIN) == (
        "public.ecr.aws/lambda/python:3.13-x86_64",
        "hyperoru.invalid/lambda-python:3.13-x86_64",
    )
    assert python_version("python3.13") == "3.13"
    with pytest.raises(SamLocalError):
        python_version("nodejs22.x")


def test_the_real_image_is_preferred_where_present() -> None:
    assert choose_image(labels(**{OFFICIAL: {}, STANDIN: {STANDIN_LABEL: "true"}}), "3.13", "x86_64") == OFFICIAL


def test_the_stand_in_serves_where_the_real_image_is_not() -> None:
    assert choose_image(labels(**{STANDIN: {STANDIN_LABEL: "true"}}), "3.13", "x86_64") == STANDIN
    assert choose_image(labels(), "3.13", "x86_64") is None


def test_a_stand_in_under_the_official_name_is_not_taken_for_the_real_image() -> None:
    # What build.sh made before it had a name of its own (build.sh now untags it).
    old = labels(**{OFFICIAL: {STANDIN_LABEL: "true"}})

    assert choose_image(old, "3.13", "x86_64") is None
