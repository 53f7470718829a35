"""The desk's AWS session: its model loader loads what botocore's own loads, without listing every
service botocore knows first."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import create_loader

from orders_common import aws_clients
from orders_common.aws_clients import ServicesInUseLoader

DESK_SERVICES = ("dynamodb", "sqs", "events", "secretsmanager")
MODEL_KINDS = ("service-2", "endpoint-rule-set-1", "paginators-1")


def counting_listdir(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    listed: list[str] = []
    real: Callable[..., Any] = os.listdir

    def listdir(path: Any = ".") -> list[str]:
        listed.append(str(path))
        return real(path)  # type: ignore[no-any-return]

    monkeypatch.setattr(os, "listdir", listdir)
    return listed


@pytest.mark.parametrize("service", DESK_SERVICES)
def test_every_model_the_desk_uses_is_the_one_botocore_loads(service: str) -> None:
    desk, botocore_own = ServicesInUseLoader(create_loader().search_paths), create_loader()

    for kind in MODEL_KINDS:
        assert desk.load_service_model(service, kind) == botocore_own.load_service_model(service, kind)
    assert desk.determine_latest_version(service, "service-2") == botocore_own.determine_latest_version(
        service, "service-2"
    )


def test_loading_a_model_looks_at_that_service_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given botocore's own loader walks every service directory before it loads one model
    listed = counting_listdir(monkeypatch)
    create_loader().load_service_model("dynamodb", "service-2")
    walked = len(listed)
    assert walked > 300

    # When the desk's loader loads the same model, and the endpoint rules
    listed.clear()
    loader = ServicesInUseLoader(create_loader().search_paths)
    loader.load_service_model("dynamodb", "service-2")
    loader.load_service_model("dynamodb", "endpoint-rule-set-1")

    # Then it only looked in the search paths' dynamodb directories
    assert listed
    assert all(os.path.basename(path.rstrip(os.sep)) == "dynamodb" for path in listed)


def test_an_unknown_service_is_still_refused() -> None:
    with pytest.raises(UnknownServiceError):
        ServicesInUseLoader(create_loader().search_paths).load_service_model("no-such-service", "service-2")


def test_a_service_is_available_once_asked_for() -> None:
    loader = ServicesInUseLoader(create_loader().search_paths)
    assert loader.list_available_services("service-2") == []

    loader.load_service_model("sqs", "service-2")

    assert loader.list_available_services("service-2") == ["sqs"]
    assert loader.list_available_services("no-such-kind-1") == []


def test_the_session_searches_the_paths_botocore_would(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    extra = f"{tmp_path / 'models'}{os.pathsep}~/more-models"
    monkeypatch.setenv("AWS_DATA_PATH", extra)

    made = aws_clients._new_session()
    loader = made.get_component("data_loader")

    assert isinstance(loader, ServicesInUseLoader)
    assert loader.search_paths == create_loader(extra).search_paths


def test_clients_of_the_desk_come_from_its_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aws_clients, "_sessions", [])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    client = aws_clients.new_client("sqs")

    assert client.meta.service_model.service_name == "sqs"
    assert aws_clients.session().get_component("data_loader").list_available_services("service-2") == ["sqs"]
