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


def load_module(spec: FunctionSpec, instance: int = 0) -> ModuleType:
    # Every handler file is called app.py, so each gets a module name of its own (and each execution
    # environment of a function its own copy: its own resolver, its own module state).
    name = f"function_{spec.logical_id}" + (f"_{instance}" if instance else "")
    module_spec = importlib.util.spec_from_file_location(name, spec.module_path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {spec.module_path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


class LocalFunction:
    """One function as Lambda runs it: an execution environment serves one request at a time, and a
    request that finds every environment busy gets a new one (a cold start), so concurrent requests
    of one function really run at once, as they do on Lambda."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self._idle: list[ModuleType] = []
        self._environments = 0
        self._lock = threading.Lock()

    @property
    def environments(self) -> int:
        """How many execution environments this function has started."""
        return self._environments

    @property
    def handler(self) -> Callable[[dict[str, Any], Any], Any]:
        """The handler of an idle environment (starting one if none is idle)."""
        module = self._acquire()
        self._release(module)
        return self._handler_of(module)

    def invoke(self, event: dict[str, Any]) -> Any:
        context = LambdaContext(self.spec.logical_id, self.spec.memory_size, self.spec.timeout)
        module = self._acquire()
        token = invoking_function.set(self.spec.logical_id)
        try:
            return self._handler_of(module)(event, context)
        finally:
            invoking_function.reset(token)
            self._release(module)

    def _handler_of(self, module: ModuleType) -> Callable[[dict[str, Any], Any], Any]:
        handler: Callable[[dict[str, Any], Any], Any] = getattr(module, self.spec.handler_name)
        return handler

    def _acquire(self) -> ModuleType:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            instance = self._environments
            self._environments += 1
        return load_module(self.spec, instance)

    def _release(self, module: ModuleType) -> None:
        with self._lock:
            self._idle.append(module)


def load_functions(template: Template) -> dict[str, LocalFunction]:
    return {spec.logical_id: LocalFunction(spec) for spec in template.functions()}
