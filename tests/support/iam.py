"""IAM in the tests: the gaps known today, and the check every test using the ``stack`` fixture ends with.

Moto grants everything; ``localdev.iam`` checks each call a function makes against that function's
policy in template.yaml as the call happens, and the ``stack`` fixture fails the test at teardown if
one was not granted (except the known gaps below).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import pytest

from localdev.functions import LocalFunction
from localdev.iam import IamRecorder, Permission, Violation
from localdev.inprocess import in_process_stack
from localdev.template import Resolver, Template
from tests.support.stack import Deployed


@contextmanager
def recorded_stack(template: Template, functions: Mapping[str, LocalFunction]) -> Iterator[Deployed]:
    """The in-process stack, every AWS call of its functions recorded and checked in ``stack.iam``."""
    with in_process_stack(template, functions) as running:
        recorder = IamRecorder.for_stack(running.template, running.resolver)
        deployed = Deployed(running.template, running.resolver, running.functions, running.router, iam=recorder)
        # The store's client was made while seeding, before the hook; clients made later inherit it.
        with recorder.recording(deployed.services.table.client):
            yield deployed


@dataclass(frozen=True)
class KnownGap:
    function: str
    action: str
    resource: str  # in template.yaml's !Sub syntax, resolved against the running stack
    kind: Literal["ungranted", "unused"]  # called without a grant, or granted and never called
    reason: str

    def permission(self, resolver: Resolver) -> Permission:
        return Permission(self.action, resolver.resolve({"Fn::Sub": self.resource}))


# Findings of these tests awaiting a fix (empty: the two found by the audit of issue 18 are fixed). Remove
# an entry when its fix lands: tests/integration/test_iam_policies.py fails while an entry no longer occurs,
# so this list can only shrink.
KNOWN_GAPS: tuple[KnownGap, ...] = ()


def known_gaps(function: str, kind: Literal["ungranted", "unused"], resolver: Resolver) -> frozenset[Permission]:
    return frozenset(gap.permission(resolver) for gap in KNOWN_GAPS if (gap.function, gap.kind) == (function, kind))


def is_known(violation: Violation, resolver: Resolver) -> bool:
    return violation.permission in known_gaps(violation.function, "ungranted", resolver)


def fail_on_ungranted_calls(recorder: IamRecorder, resolver: Resolver) -> None:
    """Fail the test when a function made a call its policy does not grant (known gaps aside)."""
    unknown = sorted({str(violation) for violation in recorder.violations if not is_known(violation, resolver)})
    if unknown:
        pytest.fail(
            "Calls that IAM would refuse on AWS (moto allowed them): grant them in template.yaml or stop "
            "making them:\n  " + "\n  ".join(unknown),
            pytrace=False,
        )
