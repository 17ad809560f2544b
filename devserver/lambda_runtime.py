"""The template's functions, run as Lambda runs them.

- ``LambdaContainers`` (``make dev``, the e2e tests): each function in containers of its own. A container
  is a fresh ``python -I -S`` process started by ``lambda_bootstrap.py``: the function's task root first on
  ``sys.path``, the layer next (``fashionos`` and the layer's requirements), the runtime's libraries after
  the standard library, nothing else of the virtualenv; the function's environment from the template and
  Lambda's reserved variables; awslambdaric's own loop, talking to a Runtime API served here. An invocation
  goes to an idle container of its function, or to a new one (a cold start) up to ``MAX_CONTAINERS``, and a
  container runs one invocation at a time; events and results cross as JSON. A function that cannot load,
  raises, exits or outlives its timeout fails as on Lambda (``FunctionError`` with Lambda's error type).
- ``InProcessFunctions`` (the integration tests on in-process moto, the bench's warm path): the handler
  modules imported into this process by their package path and called directly.

Both check every AWS call a function makes against its policy in the template (``devserver.iam``).
"""

from __future__ import annotations

import contextvars
import importlib
import json
import queue
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

from botocore import handlers as botocore_handlers

from devserver import iam, packages
from devserver.template import ROOT, Function, LocalTemplate

Handler = Callable[[dict[str, Any], Any], Any]
LAUNCHER = Path(__file__).with_name("lambda_bootstrap.py")
MAX_CONTAINERS = 4  # per function (a laptop has few cores): more concurrent invocations wait for a free one
# Lambda gives a function's init 10 s. Here many containers start at once on a laptop's few cores.
INIT_TIMEOUT_SECONDS = 30
PREWARM_THREADS = 4
API = "/2018-06-01/runtime"


class FunctionRuntime(Protocol):
    def handler(self, function: str) -> Handler:
        """What invokes ``function`` (by logical id): ``handler(event, context)`` returns its result."""


class FunctionError(Exception):
    """An invocation that failed as Lambda reports it: ``error_type`` (``Runtime.ImportModuleError``,
    ``Sandbox.Timedout``, or the class name of what the handler raised) and the message."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


# --- in process --------------------------------------------------------------------------------------
_acting_as: contextvars.ContextVar[iam.Policy | None] = contextvars.ContextVar("acting_as", default=None)


class InProcessFunctions:
    """The handlers imported into this process; each call's AWS calls are checked as its function's
    (in threads too, when they run in a copy of the invocation's context)."""

    def __init__(self, local: LocalTemplate, *, check_grants: bool = True) -> None:
        """``check_grants=False``: the handlers alone, as the bench's warm path measures them."""
        self.local = local
        self.functions = local.functions()
        self.check_grants = check_grants
        self.policies: dict[str, iam.Policy] = {}
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()  # the gateway calls from a thread per request
        iam.install(_acting_as.get, botocore_handlers)

    def handler(self, function: str) -> Handler:
        with self._lock:
            return self._handlers.get(function) or self._load(function)

    def _load(self, function: str) -> Handler:
        spec = self.functions[function]
        handle: Handler = getattr(importlib.import_module(spec.module), spec.handler)
        if self.check_grants:
            policy = self.policies[function] = self.local.policy(function)
            handle = _checked(handle, policy)
        self._handlers[function] = handle
        return handle

    def denied(self) -> list[tuple[str, str, str]]:
        """(function, action, resource) of every call refused so far."""
        return [(name, *permission) for name, policy in self.policies.items() for permission in policy.denied]


def _checked(handle: Handler, policy: iam.Policy) -> Handler:
    """``handle``, with every AWS call it makes checked as ``policy``'s function's."""

    def invoke(event: dict[str, Any], context: Any) -> Any:
        token = _acting_as.set(policy)
        try:
            return handle(event, context)
        finally:
            _acting_as.reset(token)

    return invoke


# --- containers --------------------------------------------------------------------------------------
@dataclass
class _Invocation:
    request_id: str
    payload: bytes
    headers: dict[str, str]
    done: threading.Event = field(default_factory=threading.Event)
    result: bytes = b""
    error: FunctionError | None = None


class RuntimeApi:
    """The Lambda Runtime API (2018-06-01) of one container: hands it invocations, takes their results."""

    def __init__(self) -> None:
        self.pending: queue.Queue[_Invocation | None] = queue.Queue()
        self.ready = threading.Event()  # the runtime asked for its first invocation, or failed to init
        self.init_error: FunctionError | None = None
        self._current: _Invocation | None = None
        api = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without this, each one waits for a delayed ACK.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                if self.path != f"{API}/invocation/next":
                    return self._reply(404)
                api.ready.set()
                invocation = api.pending.get()
                if invocation is None:  # the container is being stopped: nobody is listening any more
                    self.close_connection = True
                    return None
                api._current = invocation
                return self._reply(200, invocation.payload, invocation.headers)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                invocation = api._current
                if self.path == f"{API}/init/error":
                    api.init_error = _error(body)
                    api.ready.set()
                elif invocation and self.path == f"{API}/invocation/{invocation.request_id}/response":
                    invocation.result = body
                    invocation.done.set()
                elif invocation and self.path == f"{API}/invocation/{invocation.request_id}/error":
                    invocation.error = _error(body)
                    invocation.done.set()
                else:
                    return self._reply(404)
                return self._reply(202)

            def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self._server.daemon_threads = True
        self.address = f"127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval: stopping a container waits for the server's loop to notice.
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.pending.put(None)
        self._server.shutdown()
        self._server.server_close()


def _error(body: bytes) -> FunctionError:
    """The error a runtime posted (``{"errorType", "errorMessage", ...}``)."""
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        return FunctionError("Unknown", repr(body[:200]))
    return FunctionError(str(value.get("errorType")), str(value.get("errorMessage")))


@dataclass(frozen=True)
class ContainerSpec:
    """How to start a container of one function."""

    function: Function
    config: Path  # the launcher's JSON configuration
    environment: dict[str, str]
    arn: str


class Container:
    """One process running one function, one invocation at a time."""

    def __init__(self, spec: ContainerSpec) -> None:
        self.spec = spec
        self.api = RuntimeApi()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", str(LAUNCHER), str(spec.config)],
                cwd=ROOT / spec.function.code_uri,
                env={**spec.environment, "AWS_LAMBDA_RUNTIME_API": self.api.address},
                stdin=subprocess.DEVNULL,
                # Not in the terminal's process group: Ctrl-C stops the local stack, which stops its
                # containers (and a container whose Runtime API is gone exits: its next poll fails).
                process_group=0,
            )
        except BaseException:
            self.api.close()
            raise

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, timeout: float = INIT_TIMEOUT_SECONDS) -> None:
        """Until the function's code is loaded; ``FunctionError`` (and the container stopped) if it fails."""
        deadline = time.monotonic() + timeout
        while not self.api.ready.wait(0.05):
            if not self.alive:
                self.stop()
                raise FunctionError(
                    "Runtime.ExitError", f"Runtime exited during init: {self.process.returncode}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise FunctionError("Sandbox.Timedout", f"Init did not finish within {timeout:g} seconds")
        if self.api.init_error is not None:
            self.stop()
            raise self.api.init_error

    def invoke(self, payload: bytes, request_id: str) -> bytes:
        timeout = self.spec.function.timeout_seconds
        deadline_ms = int((time.time() + timeout) * 1000)
        invocation = _Invocation(
            request_id,
            payload,
            {
                "Content-Type": "application/json",
                "Lambda-Runtime-Aws-Request-Id": request_id,
                "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": self.spec.arn,
                "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
            },
        )
        self.api.pending.put(invocation)
        end = time.monotonic() + timeout
        while not invocation.done.wait(0.05):
            if not self.alive:
                raise FunctionError(
                    "Runtime.ExitError",
                    f"RequestId: {request_id} Error: Runtime exited with error: exit status "
                    f"{self.process.returncode}",
                )
            if time.monotonic() > end:
                self.stop()
                raise FunctionError("Sandbox.Timedout", f"Task timed out after {timeout:.2f} seconds")
        if invocation.error is not None:
            raise invocation.error
        return invocation.result

    def stop(self) -> None:
        if self.alive:
            self.process.kill()
            self.process.wait()
        self.api.close()


class FunctionPool:
    """The containers of one function: an idle one takes the next invocation, else a new one starts."""

    def __init__(self, spec: ContainerSpec, max_containers: int = MAX_CONTAINERS) -> None:
        self.spec = spec
        self.max_containers = max_containers
        self._idle: list[Container] = []
        self._all: set[Container] = set()
        self._starting = 0
        self._closed = False
        self._changed = threading.Condition()

    def invoke(self, event: Any, context: Any) -> Any:
        container = self._acquire()
        try:
            result = container.invoke(json.dumps(event).encode(), str(context.aws_request_id))
        finally:
            self._release(container)
        return json.loads(result) if result else None

    def prewarm(self) -> None:
        self._release(self._acquire())

    def _acquire(self) -> Container:
        with self._changed:
            while True:
                if self._closed:
                    raise FunctionError("Sandbox.Stopped", "The local stack is stopping")
                while self._idle:
                    container = self._idle.pop()
                    if container.alive:
                        return container
                    self._discard(container)  # exited while idle: a new one takes its place
                if len(self._all) + self._starting < self.max_containers:
                    self._starting += 1
                    break
                self._changed.wait()
        started: Container | None = None
        try:
            started = Container(self.spec)
            started.wait_ready()
        finally:
            with self._changed:
                self._starting -= 1
                if started is not None and started.alive and not self._closed:
                    self._all.add(started)
                elif started is not None:
                    started.stop()
                self._changed.notify()
        if not started.alive:  # the pool was stopped meanwhile
            raise FunctionError("Sandbox.Stopped", "The local stack is stopping")
        return started

    def _release(self, container: Container) -> None:
        with self._changed:
            if container.alive and not self._closed:
                self._idle.append(container)
            else:
                self._discard(container)
            self._changed.notify()

    def _discard(self, container: Container) -> None:
        container.stop()
        self._all.discard(container)

    def stop(self) -> None:
        with self._changed:
            self._closed = True
            containers, self._all, self._idle = list(self._all), set(), []
            self._changed.notify_all()
        for container in containers:
            container.stop()


class LambdaContainers:
    """Every function of the template in containers of its own (see the module's docstring)."""

    def __init__(
        self,
        local: LocalTemplate,
        work_dir: Path,
        environment: dict[str, str],
        *,
        max_containers: int = MAX_CONTAINERS,
    ) -> None:
        """``local`` after ``create_resources``; ``work_dir`` holds the containers' configuration and what
        they import; ``environment`` is added to every function's (how to reach the local AWS)."""
        shutil.rmtree(work_dir, ignore_errors=True)
        (work_dir / "config").mkdir(parents=True)
        self.denials_log = work_dir / "access-denied.jsonl"
        self.denials_log.touch()
        layer_site = packages.link_site(packages.layer_requirements(), work_dir / "layer")
        runtime_site = packages.link_site(packages.RUNTIME_REQUIREMENTS, work_dir / "runtime")
        self.functions = local.functions()
        self._pools: dict[str, FunctionPool] = {}
        for name, function in self.functions.items():
            config = work_dir / "config" / f"{name}.json"
            config.write_text(
                json.dumps(
                    {
                        "task_root": str(ROOT / function.code_uri),
                        "handler": function.handler_name,
                        "layer_paths": [str(packages.LAYER), str(layer_site)],
                        "runtime_paths": [str(runtime_site)],
                        "iam_module": iam.__file__,
                        "policy": local.policy(name).to_json(),
                        "denials_log": str(self.denials_log),
                    }
                )
            )
            function_name = f"{local.stack_name}-{name}"
            variables = {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "LANG": "en_US.UTF-8",
                "TZ": ":UTC",
                "LAMBDA_TASK_ROOT": str(ROOT / function.code_uri),
                "LAMBDA_RUNTIME_DIR": str(runtime_site),
                "_HANDLER": function.handler_name,
                "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
                "AWS_LAMBDA_FUNCTION_NAME": function_name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group or f"/aws/lambda/{function_name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": "local",
                "AWS_REGION": iam.REGION,
                "AWS_DEFAULT_REGION": iam.REGION,
                **environment,
                **function.environment,
            }
            spec = ContainerSpec(function, config, variables, local.function_arn(name))
            self._pools[name] = FunctionPool(spec, max_containers)

    def handler(self, function: str) -> Handler:
        return self._pools[function].invoke

    def start(self) -> dict[str, FunctionError]:
        """One container of every function, started side by side: the functions that failed to load."""

        def prewarm(name: str) -> FunctionError | None:
            try:
                self._pools[name].prewarm()
            except FunctionError as error:
                return error
            return None

        with ThreadPoolExecutor(PREWARM_THREADS) as threads:
            results = dict(zip(self._pools, threads.map(prewarm, self._pools), strict=True))
        return {name: error for name, error in results.items() if error is not None}

    def denied(self) -> list[dict[str, str]]:
        """Every AWS call a function was refused (function, action, resource)."""
        return [json.loads(line) for line in self.denials_log.read_text().splitlines()]

    def stop(self) -> None:
        with ThreadPoolExecutor(PREWARM_THREADS) as threads:
            list(threads.map(FunctionPool.stop, self._pools.values()))
