"""IAM in the tests: the gaps known today, and the check every test using the ``stack`` fixture ends with.

Moto grants everything; ``localdev.iam`` checks each call a function makes against that function's
policy in template.yaml as the call happens, and the ``stack`` fixture fails the test at teardown if
one was not granted (except the known gaps below).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pytest

from localdev.iam import Difference, IamRecorder, Permission, Violation
from localdev.template import Resolver


@dataclass(frozen=True)
class KnownGap:
    function: str
    action: str
    resource: str  # in template.yaml's !Sub syntax, resolved against the running stack
    granted: bool  # False: the code calls it and the policy lacks it; True: granted, never called
    reason: str

    def permission(self, resolver: Resolver) -> Permission:
        return Permission(self.action, resolver.resolve({"Fn::Sub": self.resource}))


# Findings of these tests that the layer/template refactor fixes (issue 18, item 1). Remove an entry
# when the fix lands: tests/integration/test_iam_policies.py fails while an entry no longer occurs,
# so this list can only shrink.
KNOWN_GAPS = (
    KnownGap(
        "CreateOrderFunction",
        "dynamodb:ConditionCheckItem",
        "${OrdersTable.Arn}",
        granted=False,
        reason="issue 18 (a): a sell create's transaction checks the account's owner with a ConditionCheck; "
        "on AWS every sell create is AccessDenied",
    ),
    KnownGap(
        "HealthFunction",
        "dynamodb:GetItem",
        "${OrdersTable.Arn}",
        granted=False,
        reason="issue 18 (b): health for a non-admin caller pings the table with a GetItem; "
        "on AWS it answers 503 to every non-admin",
    ),
)


def known_differences(resolver: Resolver, functions: Iterable[str]) -> dict[str, Difference]:
    """The differences ``IamRecorder.differences`` should find, given the known gaps."""
    return {
        function: Difference(
            frozenset(gap.permission(resolver) for gap in KNOWN_GAPS if gap.function == function and not gap.granted),
            frozenset(gap.permission(resolver) for gap in KNOWN_GAPS if gap.function == function and gap.granted),
        )
        for function in functions
    }


def is_known(violation: Violation, resolver: Resolver) -> bool:
    return any(
        violation.function == gap.function and violation.permission == gap.permission(resolver)
        for gap in KNOWN_GAPS
        if not gap.granted
    )


def fail_on_ungranted_calls(recorder: IamRecorder, resolver: Resolver) -> None:
    """Fail the test when a function made a call its policy does not grant (known gaps aside)."""
    unknown = sorted({str(violation) for violation in recorder.violations if not is_known(violation, resolver)})
    if unknown:
        pytest.fail(
            "Calls that IAM would refuse on AWS (moto allowed them): grant them in template.yaml or stop "
            "making them:\n  " + "\n  ".join(unknown),
            pytrace=False,
        )
