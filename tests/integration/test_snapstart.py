"""SnapStart: what initialization prepares for the snapshot, and what it must not."""

from __future__ import annotations

import pytest

from localdev.template import Template
from orders_common.coldstart.snapstart import prepare_snapshot
from orders_common.wiring import build_for_snapshot, reset_services, services
from tests.support.stack import Deployed


def test_snapstart_is_a_template_parameter_applied_to_every_function(template: Template) -> None:
    globals_ = template.document["Globals"]["Function"]

    assert globals_["SnapStart"] == {"ApplyOn": {"Ref": "SnapStart"}}
    assert globals_["AutoPublishAlias"] == "live"
    assert template.document["Parameters"]["SnapStart"]["AllowedValues"] == ["None", "PublishedVersions"]


def test_a_snapshot_holds_the_store_client_but_no_order_ids(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    reset_services()

    prepare_snapshot(build_for_snapshot)

    built = services().__dict__
    assert "table" in built
    assert "order_ids" not in built  # a reserved block restored into many environments would repeat ids


def test_without_snapstart_initialization_builds_nothing(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
    reset_services()

    prepare_snapshot(build_for_snapshot)

    assert "table" not in services().__dict__
