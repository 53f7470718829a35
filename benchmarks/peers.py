"""Peers: this project's HTTP functions against what a user would write instead (issue 21).

Candidates, each serving the same GET order and create order:

- bare: one module, ``json`` and a boto3 client, hand-written checks (the floor);
- chalice: AWS Chalice's ``app.route``;
- powertools: Powertools' ``APIGatewayRestResolver(enable_validation=True)`` with Logger and Metrics,
  as its documentation shows;
- fastapi: FastAPI behind Mangum, ``def`` routes;
- the project's functions (``functions/<name>/app.py`` with the common layer).

The peers are in ``benchmarks/peer_apps``. They validate with the same kind of rules (a pydantic model
for the create body, a positive integer order id), take the caller from the authorizer's claims, read an
order with one GetItem and create one as the project does, through a boto3 client as its documentation
shows: one TransactWriteItems of the order, the cash it reserves taken from the owner's account (on the
same conditions), the ledger entry of that movement and the order's first event
(``tests/integration/test_peer_apps.py`` holds the items equal to the project's). Every candidate talks
to the same DynamoDB stub (``peer_apps/dynamodb_stub.py``): answers recorded from the project under
moto, replayed at botocore's HTTP send, so serialization, signing and parsing are paid by all.

Each figure comes from a fresh interpreter holding only what Lambda holds (``python -S``, the
candidate's packages installed with ``pip --target`` and compiled, as in ``benchmarks.cold_start``):
the first answer is timed from the interpreter's first line to the handler's return (the interpreter's
exit is not: Lambda never exits); then the same interpreter answers the warm invocations, each timed
alone. Candidates are interleaved round by round. Also printed: peak RSS after the warm invocations and
the unzipped size of what the candidate ships besides the runtime's boto3.

The project's start-up measures on its HTTP path are shown switched off too: ``no GC pause`` (without
``AWS_LAMBDA_FUNCTION_NAME`` the collector is never paused) and ``botocore's model listing`` (the
layer's model loader, ``orders_common.aws_clients.ServicesInUseLoader``, listing every service botocore
knows before a model loads, as botocore's own loader does). Its HTTP functions import no lazy
Powertools package (``tests/unit/test_coldstart.py`` pins that), so that measure has no row here.

The project's GET order and create are also compared with the minimal Chalice round by round: the ratio
of their warm medians in the same round, whose candidates run within seconds of each other, so that a
drift of the machine's speed over the run (a busy neighbour) weighs on both sides of each ratio.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from benchmarks.cold_start import BOTO3, CACHE, host_layer, lambda_environment
from benchmarks.common import arguments, median, percentile, print_table
from localdev.template import ROOT, Template
from tools.bytecode import COMPILE, docker_can_run, lambda_image

PEER_APPS = Path(__file__).resolve().parent / "peer_apps"
CHALICE_PROJECT = "AWS Chalice, the project's use cases"
Caller = Literal["owner", "admin", "anyone"]  # who asks a benchmark call (``Call.caller``)
# Chalice's runtime is its `chalice.app` module alone (what `chalice package` ships); its CLI's
# dependencies (pip<26.3 among them) stay out of the environment.
PEER_PACKAGES = ["fastapi==0.165.0", "mangum==0.22.0"]
CHALICE = "chalice==1.34.0"
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
BUY = {"account_id": 1, "symbol": "BTC", "name": "bench", "side": "buy", "order_type": "limit",
       "quantity": 0.001, "price": 50000}  # fmt: skip

PROBE = r"""
import json, os, sys, time
lean, code, stub_dir, module, event_path, answers, calls = sys.argv[1:8]
with open(event_path) as source:  # the runtime reads the event, with its own json, before the handler runs
    event_text = source.read()


class Context:
    function_name = "peers-probe"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:peers-probe"
    aws_request_id = "bench-request"
    log_group_name = "/aws/lambda/peers-probe"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self):
        return 10_000


context = Context()
started = time.perf_counter()
sys.path[:0] = [code, lean]
sys.path.append(stub_dir)
import dynamodb_stub
dynamodb_stub.install(answers)
if os.environ.get("PEERS_BOTOCORE_MODEL_LISTING"):  # the layer's model loader doing botocore's own check
    from botocore.loaders import Loader
    from orders_common.aws_clients import ServicesInUseLoader
    ServicesInUseLoader.list_available_services = Loader.list_available_services
handler = __import__(module).lambda_handler
response = handler(json.loads(event_text), context)
first = (time.perf_counter() - started) * 1000
timings = []
for _ in range(int(calls)):
    event = json.loads(event_text)
    began = time.perf_counter()
    handler(event, context)
    timings.append((time.perf_counter() - began) * 1e6)
with open("/proc/self/status") as status:  # not ru_maxrss: Linux keeps the parent's across exec
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print("RESULT " + json.dumps({"first_ms": first, "status": response["statusCode"], "body": response.get("body"),
                             "warm_us": timings, "peak_kib": peak}))
"""

# The project's warm time split: the whole handler against its use case alone (its DynamoDB calls
# included), called with what the handler would hand it; what is left is the HTTP layer's.
USE_CASE_PROBE = r"""
import json, statistics, sys, time
lean, code, stub_dir, operation, event_path, answers, calls = sys.argv[1:8]
sys.path[:0] = [code, lean]
sys.path.append(stub_dir)
import dynamodb_stub
dynamodb_stub.install(answers)
import app
from orders_common.auth import caller_from_event
from orders_common.http.jsonio import loads_request
from orders_common.models.requests import CreateOrderRequest
from orders_common.wiring import services


class Context:
    function_name = "peers-probe"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:peers-probe"
    aws_request_id = "bench-request"

    def get_remaining_time_in_millis(self):
        return 10_000


with open(event_path) as source:
    text = source.read()
event = json.loads(text)
caller = caller_from_event(event, services().settings)
if operation == "get":
    order_id = int(event["pathParameters"]["order_id"])
    use_case = lambda: services().get_order(order_id, caller)
else:
    request = CreateOrderRequest.model_validate(loads_request(event["body"]))
    use_case = lambda: services().create_order(request, caller, None)
handler = lambda: app.lambda_handler(json.loads(text), Context())
figures = {}
for name, call in (("handler", handler), ("use case", use_case)) * 2:
    for _ in range(50):
        call()
    timings = []
    for _ in range(int(calls)):
        began = time.perf_counter()
        call()
        timings.append((time.perf_counter() - began) * 1e6)
    figures.setdefault(name, []).extend(timings)
print("RESULT " + json.dumps(figures))
"""


@dataclass(frozen=True)
class Candidate:
    label: str
    module: str  # the module holding ``lambda_handler``
    code: Path  # its folder
    event: str  # the name of its event file (API Gateway REST, payload 1.0, or HTTP API, payload 2.0)
    distributions: tuple[str, ...]  # what it ships besides the runtime's boto3
    environment: dict[str, str] = field(default_factory=dict)
    project: bool = False


@dataclass
class Result:
    first_ms: list[float] = field(default_factory=list)
    warm_us: list[float] = field(default_factory=list)
    round_medians: list[float] = field(default_factory=list)  # the warm median of each round
    peak_kib: int = 0


def candidates(operation: str) -> list[Candidate]:
    """The peers, then the project's functions compared with them: each with the event file it answers."""
    layer = ("aws-lambda-powertools", "pydantic", "orjson", "simplejson")
    main = GET_ORDER if operation == "get" else CREATE_ORDER
    function = ROOT / "functions" / main.function
    others = [call for call in OTHER_CALLS if call.operation == operation]
    return [
        Candidate("bare json + boto3", "bare_app", PEER_APPS, f"{operation}-http", ()),
        Candidate("AWS Chalice", "chalice_app", PEER_APPS, f"{operation}-rest", ("chalice", "pydantic")),
        Candidate(
            "Powertools REST resolver (docs)",
            "powertools_app",
            PEER_APPS,
            f"{operation}-rest",
            ("aws-lambda-powertools", "pydantic"),
        ),
        Candidate("FastAPI + Mangum", "fastapi_app", PEER_APPS, f"{operation}-http", ("fastapi", "mangum")),
        # Pauses the collector while the layer loads and resumes it after the first answer, as the
        # project's functions do.
        Candidate(CHALICE_PROJECT, "chalice_project_app", PEER_APPS, f"{operation}-rest", ("chalice", *layer)),
        Candidate(f"project {main.function}", "app", function, main.function, layer, project=True),
        Candidate(
            f"project {main.function}, no GC pause",
            "app",
            function,
            main.function,
            layer,
            environment={"AWS_LAMBDA_FUNCTION_NAME": ""},
            project=True,
        ),
        Candidate(
            f"project {main.function}, botocore's model listing",
            "app",
            function,
            main.function,
            layer,
            environment={"PEERS_BOTOCORE_MODEL_LISTING": "1"},
            project=True,
        ),
        *(
            Candidate(
                f"project {call.function}",
                "app",
                ROOT / "functions" / call.function,
                call.function,
                layer,
                project=True,
            )
            for call in others
        ),
    ]


def peers_layer() -> Path:
    """The peers' packages (and boto3) for the host's Python, compiled once, and the project's layer
    code (for Chalice around the project's use cases), copied afresh."""
    version = f"{sys.version_info.major}{sys.version_info.minor}"
    target = CACHE / f"peers-py{version}"
    install(target, [*PEER_PACKAGES], [], [sys.executable, *COMPILE, str(target)])
    copy_layer_code(target, [sys.executable, *COMPILE, str(target / "orders_common")])
    return target


def copy_layer_code(target: Path, compile_command: list[str]) -> None:
    shutil.rmtree(target / "orders_common", ignore_errors=True)
    shutil.copytree(ROOT / "layers" / "common" / "orders_common", target / "orders_common")
    subprocess.run(compile_command, check=True, capture_output=True)  # noqa: S603


def image_layers(image: str) -> dict[bool, Path]:
    """The project's layer and the peers' packages for the Lambda image's Python 3.13 (wheels for the
    machine's architecture), compiled in the image; the project's under the image's own boto3."""
    architecture = "aarch64" if platform.machine() in {"aarch64", "arm64"} else "x86_64"
    cross = ["--python-version", "3.13", "--implementation", "cp", "--only-binary=:all:",
             "--platform", f"manylinux2014_{architecture}"]  # fmt: skip
    layers = {}
    for project, name in ((True, "lean"), (False, "peers")):
        target = CACHE / f"{name}-image313"
        compile_in_image = ["docker", "run", "--rm", "--entrypoint", "python3", "-v", f"{target}:/opt/lean", image,
                            *COMPILE, "/opt/lean"]  # fmt: skip
        install(target, [] if project else [*PEER_PACKAGES], cross, compile_in_image)
        copy_layer_code(target, compile_in_image)
        layers[project] = target
    return layers


def install(target: Path, packages: list[str], pip_options: list[str], compile_command: list[str]) -> None:
    """The layer's requirements, boto3 and ``packages`` (Chalice without its CLI's dependencies, when
    packages are asked for) into ``target``, once for each set of requirements."""
    stamp = target / ".complete"
    chalice = [CHALICE] if packages else []
    wanted = "\n".join(
        [(ROOT / "layers" / "common" / "requirements.txt").read_text(), *packages, *chalice, *pip_options]
    )
    if stamp.exists() and stamp.read_text() == wanted:
        return
    shutil.rmtree(target, ignore_errors=True)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
           "--no-warn-conflicts", "--target", str(target), *pip_options]  # fmt: skip
    to_install = ["-r", str(ROOT / "layers" / "common" / "requirements.txt"), BOTO3, *packages]
    subprocess.run([*pip, *to_install], check=True)  # noqa: S603
    if packages:
        subprocess.run([*pip, "--no-deps", CHALICE], check=True)  # noqa: S603
    subprocess.run(compile_command, check=True, capture_output=True)  # noqa: S603
    stamp.write_text(wanted)


@dataclass(frozen=True)
class Call:
    """One of the project's HTTP functions and the request the benchmark sends it."""

    function: str
    method: str
    route: str  # the template's path, with {parameters}
    parameters: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Who asks: the account's "owner", an "admin" (what spans every account, money in and out), or
    # "anyone" (health: no authorizer, as uptime monitors call it).
    caller: Caller = "owner"

    @property
    def path(self) -> str:
        return self.route.format(**self.parameters)

    @property
    def operation(self) -> str:
        """What the peers are compared on: reads against their GET order, writes against their create."""
        return "get" if self.method == "GET" else "create"


GET_ORDER = Call("order_details", "GET", "/api/orders/order/{order_id}", {"order_id": "1"})
CREATE_ORDER = Call("create_order", "POST", "/api/orders/create", body=BUY)
# Every read (replaying a read is what it was) and the writes whose replay is sound under the stub.
OTHER_CALLS = (
    Call("account_details", "GET", "/api/accounts/{account_id}", {"account_id": "1"}),
    Call("account_orders", "GET", "/api/orders/account/{account_id}", {"account_id": "1"}),
    Call("user_orders", "GET", "/api/orders/user/{user_id}", {"user_id": "1"}),
    Call("user_accounts", "GET", "/api/users/{user_id}/accounts", {"user_id": "1"}),
    Call("order_fills", "GET", "/api/orders/order/{order_id}/fills", {"order_id": "1"}),
    Call("order_events", "GET", "/api/orders/order/{order_id}/events", {"order_id": "1"}),
    Call("account_ledger", "GET", "/api/accounts/{account_id}/ledger", {"account_id": "1"}),
    Call("account_fills", "GET", "/api/accounts/{account_id}/fills", {"account_id": "1"}),
    Call("pending_orders", "GET", "/api/orders/pending", caller="admin"),
    Call("health", "GET", "/api/orders/health", caller="anyone"),
    Call("cancel_order", "POST", "/api/orders/cancel/{order_id}", {"order_id": "2"}),
    Call(
        "deposit",
        "POST",
        "/api/accounts/{account_id}/deposits",
        {"account_id": "1"},
        {"amount": 100},
        {"idempotency-key": "bench-deposit"},
        caller="admin",
    ),
)


def record_answers(calls: list[Call]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """What DynamoDB (moto) answers the project's calls (after two orders are created: 1 is read, 2
    is cancelled), by request; the answer to the GET order's GetItem is also the default GetItem (the
    peers' reads). Answers the recorded answers and the functions' environment (the template's)."""
    from botocore.endpoint import Endpoint

    from benchmarks.peer_apps.dynamodb_stub import answer_keys
    from localdev.inprocess import in_process_stack
    from localdev.resources import function_environment

    recorded: list[tuple[list[str], dict[str, Any]]] = []
    original = Endpoint._do_get_response

    def recording(self: Endpoint, request: Any, operation_model: Any, context: Any) -> Any:
        result = original(self, request, operation_model, context)
        answer = result[0][0] if result[0] else None
        if answer is not None and operation_model.service_model.service_name == "dynamodb":
            headers = {name: value for name, value in answer.headers.items() if name.lower() != "date"}
            body = {"status": answer.status_code, "headers": headers, "body": answer.content.decode()}
            recorded.append((answer_keys(operation_model.name, request.body), body))
        return result

    Endpoint._do_get_response = recording  # type: ignore[method-assign]
    answers: dict[str, dict[str, Any]] = {}
    try:
        with in_process_stack() as stack:
            environment = function_environment(stack.template, stack.resolver)
            recorded.clear()  # the tables and the demo accounts; what follows is a fresh container's creates
            for _ in range(2):
                created = stack.router.handle("POST", "/api/orders/create", body=json.dumps(BUY),
                                              headers={"Content-Type": "application/json"})  # fmt: skip
                assert created.status == 201, created.body
            for call in calls:
                body = json.dumps(call.body) if call.body else None
                headers = {**({"Content-Type": "application/json"} if body else {}), **call.headers}
                response = stack.router.handle(call.method, call.path, body=body, headers=headers)
                assert response.status < 300, (call, response.body)
                for keys, answer in recorded:
                    answers.update(dict.fromkeys(keys, answer))
                if call is GET_ORDER:
                    answers["GetItem"] = next(answer for keys, answer in reversed(recorded) if keys[-1] == "GetItem")
                recorded.clear()
    finally:
        Endpoint._do_get_response = original  # type: ignore[method-assign]
    return answers, environment


def events() -> dict[str, dict[str, Any]]:
    """Each request as its candidate's API Gateway sends it, by the name of its event file: the peers'
    GET order and create (HTTP API and REST API), and each project function's own."""
    from localdev.events import http_api_event

    json_headers = {"content-type": "application/json", "host": "api.example.com"}
    found = {}
    for call in (GET_ORDER, CREATE_ORDER, *OTHER_CALLS):
        body = json.dumps(call.body) if call.body else None
        found[call.function] = http_api_event(call.method, call.path, route_key=f"{call.method} {call.route}",
                                              path_parameters=call.parameters or None,
                                              headers={**(json_headers if body else {}), **call.headers},
                                              body=body, authorizer=jwt_authorizer(call.caller))  # fmt: skip
    found["get-http"], found["create-http"] = found[GET_ORDER.function], found[CREATE_ORDER.function]
    body = json.dumps(BUY)
    found["get-rest"] = rest_api_event("GET", GET_ORDER.path, GET_ORDER.route, GET_ORDER.parameters, None)
    found["create-rest"] = rest_api_event("POST", CREATE_ORDER.path, CREATE_ORDER.route, None, body)
    return found


# Who asks: the owner of the recorded account and orders (user 1), as API Gateway's JWT authorizer
# hands the verified token's claims to a function (every claim a string).
OWNER_CLAIMS = {"sub": "bench-user", "user_id": "1", "token_use": "access", "iss": "https://issuer.example.com"}
ADMIN_SCOPE = "orders/admin"


def jwt_authorizer(caller: Caller) -> dict[str, Any] | None:
    """An HTTP API's JWT authorizer context (payload 2.0); None for a route without an authorizer."""
    if caller == "anyone":
        return None
    admin = caller == "admin"
    claims = {**OWNER_CLAIMS, **({"scope": ADMIN_SCOPE} if admin else {})}
    return {"jwt": {"claims": claims, "scopes": [ADMIN_SCOPE] if admin else None}}


def rest_api_event(
    method: str, path: str, resource: str, path_parameters: dict[str, str] | None, body: str | None
) -> dict[str, Any]:
    """An API Gateway REST API proxy (payload 1.0) event, with a Cognito authorizer's claims."""
    headers = {"Host": "api.example.com", **({"Content-Type": "application/json"} if body else {})}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "accountId": "123456789012",
            "apiId": "bench",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "bench"},
            "protocol": "HTTP/1.1",
            "domainName": "api.example.com",
            "requestTimeEpoch": 1_700_000_000_000,
            "authorizer": {"claims": dict(OWNER_CLAIMS)},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def shipped_mib(candidate: Candidate, lean: Path) -> float:
    """Unzipped size of what the candidate ships besides the runtime's boto3 (sources, no bytecode)."""
    from importlib.metadata import distributions

    found = {_normal(d.metadata["Name"]): d for d in distributions(path=[str(lean)])}
    total, seen, wanted = 0, set(), [*candidate.distributions]
    while wanted:
        name = _normal(wanted.pop())
        if name in seen or name in RUNTIME_PROVIDED or name not in found:
            continue
        seen.add(name)
        files = [f for f in found[name].files or [] if "__pycache__" not in f.parts and ".dist-info" not in str(f)]
        if name == "chalice":  # what `chalice package` ships: the runtime module, not the CLI
            files = [f for f in files if str(f) in ("chalice/__init__.py", "chalice/app.py")]
        else:
            requires = [r for r in found[name].requires or [] if "extra ==" not in r]
            wanted += [re.split(r"[ ;<>=!\[~(]", requirement, maxsplit=1)[0] for requirement in requires]
        paths = [Path(found[name].locate_file(f)) for f in files]
        total += sum(path.stat().st_size for path in paths if path.is_file())
    layer_code = list((ROOT / "layers" / "common" / "orders_common").rglob("*.py"))
    if candidate.project:
        code = [*layer_code, *candidate.code.glob("*.py")]
    elif candidate.label == CHALICE_PROJECT:
        code = [*layer_code, candidate.code / f"{candidate.module}.py"]
    else:
        helpers = ["order_store"] if candidate.module == "bare_app" else ["order_store", "order_models"]
        code = [candidate.code / f"{module}.py" for module in (candidate.module, *helpers)]
    total += sum(path.stat().st_size for path in code)
    return total / 2**20


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Interpreter:
    """Where the probes run: the host's Python, or the Lambda image's (a container per probe, the
    project folder and the work folder mounted read-only)."""

    label: str
    image: str | None = None
    work: Path | None = None

    def path(self, path: Path) -> str:
        if self.image is None or self.work is None:
            return str(path)
        text = str(path)
        for local, mounted in ((str(self.work), "/work"), (str(ROOT), "/project")):
            if text.startswith(local):
                return mounted + text[len(local) :]
        raise ValueError(f"{path} is not mounted in the container")

    def run(self, script: Path, arguments: list[str], environment: dict[str, str]) -> dict[str, Any]:
        if self.image is None:
            command = [sys.executable, "-S", str(script), *arguments]
            output = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)  # noqa: S603
        else:
            settings = [f"--env={name}={value}" for name, value in environment.items() if name != "PATH"]
            mounts = ["-v", f"{ROOT}:/project:ro", "-v", f"{self.work}:/work:ro"]
            command = ["docker", "run", "--rm", "--entrypoint", "python3", *mounts, *settings, self.image,
                       "-S", self.path(script), *arguments]  # fmt: skip
            output = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        lines = [line for line in output.stdout.splitlines() if line.startswith("RESULT ")]
        if output.returncode != 0 or not lines:
            raise RuntimeError(f"{' '.join(arguments[:4])}: {output.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
        return result


def run_probe(
    where: Interpreter, work: Path, lean: Path, candidate: Candidate, calls: int, environment: dict[str, str]
) -> dict[str, Any]:
    arguments = [where.path(lean), where.path(candidate.code), where.path(PEER_APPS), candidate.module,
                 where.path(work / f"{candidate.event}.json"), where.path(work / "answers.json"),
                 str(calls)]  # fmt: skip
    return where.run(work / "probe.py", arguments, {**environment, **candidate.environment})


def run_use_case_probe(
    where: Interpreter, work: Path, lean: Path, operation: str, calls: int, environment: dict[str, str]
) -> dict[str, list[float]]:
    function = ROOT / "functions" / ("order_details" if operation == "get" else "create_order")
    event, answers = where.path(work / f"{operation}-http.json"), where.path(work / "answers.json")
    arguments = [where.path(lean), where.path(function), where.path(PEER_APPS), operation, event, answers, str(calls)]
    return where.run(work / "use_case_probe.py", arguments, environment)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--rounds", type=int, default=None, help="fresh interpreters per candidate (11, small 5)")
    parser.add_argument("--calls", type=int, default=None, help="warm invocations per interpreter (2000, small 200)")
    parser.add_argument("--no-container", action="store_true", help="only the host's Python")
    options = parser.parse_args()
    rounds = options.rounds or (5 if options.small else 11)
    calls = options.calls or (200 if options.small else 2000)

    answers, function_environment = record_answers([GET_ORDER, CREATE_ORDER, *OTHER_CALLS])
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "probe.py").write_text(PROBE)
        (work / "use_case_probe.py").write_text(USE_CASE_PROBE)
        (work / "answers.json").write_text(json.dumps(answers))
        for name, event in events().items():
            (work / f"{name}.json").write_text(json.dumps(event))
        environment = {
            **lambda_environment(Template.load()),
            **function_environment,
            "PATH": os.environ.get("PATH", ""),
            # As deployed: the functions act for the token's user (who owns the recorded account and orders).
            "AUTH_ENABLED": "true",
            "PRICE_SOURCE": "static",
            "POWERTOOLS_LOG_LEVEL": "WARNING",  # figures, not log lines (no peer logs each order)
        }
        places = [(Interpreter(f"host Python {platform.python_version()}"), {True: host_layer(), False: peers_layer()})]
        image = lambda_image()
        if options.no_container or not docker_can_run(image):
            print(f"(no container figures: Docker or {image} not available)")
        else:
            places.append((Interpreter(f"Lambda image {image.split(':')[-1]}", image, work), image_layers(image)))
        for where, lean in places:
            report(where, work, lean, rounds, calls, environment)
    print(json.dumps({"rounds": rounds, "calls": calls}))


def report(
    where: Interpreter, work: Path, lean: dict[bool, Path], rounds: int, calls: int, environment: dict[str, str]
) -> None:
    results: dict[tuple[str, str], Result] = {}
    for _ in range(rounds):
        for operation in ("get", "create"):
            for candidate in candidates(operation):
                figures = run_probe(where, work, lean[candidate.project], candidate, calls, environment)
                if figures["status"] >= 300:
                    raise RuntimeError(f"{candidate.label} {operation}: {figures['status']} {figures['body']}")
                result = results.setdefault((operation, candidate.label), Result())
                result.first_ms.append(figures["first_ms"])
                result.warm_us += figures["warm_us"]
                result.round_medians.append(median(figures["warm_us"]))
                result.peak_kib = max(result.peak_kib, figures["peak_kib"])
    split = {operation: run_use_case_probe(where, work, lean[True], operation, calls, environment)
             for operation in ("get", "create")}  # fmt: skip
    rows = []
    for operation in ("get", "create"):
        floor = median(results[(operation, "bare json + boto3")].first_ms)
        for candidate in candidates(operation):
            result = results[(operation, candidate.label)]
            first = median(result.first_ms)
            rows.append((
                "reads: GET order" if operation == "get" else "writes: create", candidate.label, f"{first:.1f}",
                f"{first / floor:.2f}x", f"{median(result.warm_us):.0f}", f"{percentile(result.warm_us, 0.99):.0f}",
                f"{result.peak_kib / 1024:.1f}", f"{shipped_mib(candidate, lean[candidate.project]):.2f}",
            ))  # fmt: skip
    print_table(
        f"Peers, {where.label}: first answer in a fresh interpreter (median of {rounds}), "
        f"warm per invocation ({rounds} x {calls})",
        ["compared with", "candidate", "first ms", "vs bare", "warm median µs", "warm p99 µs", "peak RSS MiB",
         "ships MiB"],
        rows,
    )  # fmt: skip
    print_paired(where, results)
    split_rows = []
    for operation, figures in split.items():
        handler, use_case = median(figures["handler"]), median(figures["use case"])
        split_rows.append((operation, f"{handler:.0f}", f"{use_case:.0f}", f"{handler - use_case:.0f}"))
    print_table(
        f"Project, {where.label}, warm median split (µs): the handler against its use case alone "
        "(DynamoDB calls included)",
        ["request", "handler", "use case", "HTTP layer (difference)"],
        split_rows,
    )


def print_paired(where: Interpreter, results: dict[tuple[str, str], Result]) -> None:
    """The project's GET order and create against the minimal Chalice, round by round."""
    rows = []
    for operation, call in (("get", GET_ORDER), ("create", CREATE_ORDER)):
        project = results[(operation, f"project {call.function}")].round_medians
        chalice = results[(operation, "AWS Chalice")].round_medians
        ratios = [mine / theirs for mine, theirs in zip(project, chalice, strict=True)]
        rows.append((call.function, f"{median(ratios):.3f}", f"{min(ratios):.3f}", f"{max(ratios):.3f}",
                     f"{sum(ratio <= 1 for ratio in ratios)} of {len(ratios)}"))  # fmt: skip
    print_table(
        f"Project against the minimal Chalice, {where.label}, paired by round: its warm median over Chalice's "
        "in the same round",
        ["function", "median ratio", "lowest", "highest", "rounds at or below"],
        rows,
    )


if __name__ == "__main__":
    main()
