"""Load each function's handler module from its folder and invoke it as Lambda would."""

from __future__ import annotations

import importlib.util
import threading
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from localdev.template import FunctionSpec, Template

# The logical id of the function whose invocation runs in this context. Every function shares this
# process and its AWS clients, so this is what tells whose call a call is (see localdev/iam.py).
invoking_function: ContextVar[str | None] = ContextVar("invoking_function", default=None)


@dataclass
class LambdaContext:
    """What Lambda passes as ``context``: enough for Powertools and for deadline checks."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "local"
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._started + self.timeout_seconds - time.monotonic()) * 1000))


def load_module(spec: FunctionSpec) -> ModuleType:
    # Every handler file is called app.py, so each gets a module name of its own.
    name = f"function_{spec.logical_id}"
    module_spec = importlib.util.spec_from_file_location(name, spec.module_path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {spec.module_path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


class LocalFunction:
    """One function, one request at a time (as one Lambda execution environment)."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self._module: ModuleType | None = None
        self._lock = threading.Lock()

    @property
    def handler(self) -> Callable[[dict[str, Any], Any], Any]:
        if self._module is None:
            self._module = load_module(self.spec)
        handler: Callable[[dict[str, Any], Any], Any] = getattr(self._module, self.spec.handler_name)
        return handler

    def invoke(self, event: dict[str, Any]) -> Any:
        context = LambdaContext(self.spec.logical_id, self.spec.memory_size, self.spec.timeout)
        with self._lock:
            token = invoking_function.set(self.spec.logical_id)
            try:
                return self.handler(event, context)
            finally:
                invoking_function.reset(token)


def load_functions(template: Template) -> dict[str, LocalFunction]:
    return {spec.logical_id: LocalFunction(spec) for spec in template.functions()}
