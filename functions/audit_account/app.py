"""POST /api/accounts/{account_id}/audit audits one account (admin); the audit schedule invokes the
same function to audit every account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from orders_common.http.params import Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.audit import AuditReport, AuditRunResult
from orders_common.models.path import PathId
from orders_common.runtime import http_entry, http_or_scheduled, scheduled_entry
from orders_common.wiring import services

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

# The run stops starting accounts this long before the invocation's end.
FINISHING_SECONDS = 10.0

app = build_resolver()


@app.post(
    "/api/accounts/<account_id>/audit",
    summary="Audit an account",
    tags=["Operations"],
    operation_id="auditAccount",
    responses={
        200: documented("What matches and what does not", AuditReport),
        **error_responses(400, 401, 403, 404, 503),
    },
)
def audit(account_id: Annotated[PathId, Path()]) -> JsonResponse:
    return json_response(200, services().audit_account(account_id, current_caller(app)))


def scheduled_audit(context: LambdaContext) -> AuditRunResult:
    return services().audit_every_account(seconds=context.get_remaining_time_in_millis() / 1000 - FINISHING_SECONDS)


lambda_handler = http_or_scheduled(http_entry(app), scheduled_entry(scheduled_audit))
