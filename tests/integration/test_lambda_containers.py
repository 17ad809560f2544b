"""The local stack's Lambda containers behave as Lambda does, shown on toy functions."""

from __future__ import annotations

import os
import signal
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devserver.gateway import LambdaContext
from devserver.lambda_runtime import FunctionError, LambdaContainers
from devserver.template import LocalTemplate

TOY = """
import importlib.util
import json
import os
import sys
import time

LOADED_AT = time.time()


def report(event, context):
    return {
        "event": event,
        "path": sys.path[:3],
        "cwd": os.getcwd(),
        "environment": dict(os.environ),
        "importable": {m: importlib.util.find_spec(m) is not None for m in event.get("modules", [])},
        "request_id": context.aws_request_id,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "function_name": context.function_name,
        "pid": os.getpid(),
        "loaded_at": LOADED_AT,
    }


def fail(event, context):
    raise ValueError("the handler gave up")


def slow(event, context):
    time.sleep(event.get("seconds", 5))
    return {"pid": os.getpid()}


def crash(event, context):
    os._exit(3)


def unserialisable(event, context):
    return {"when": object()}
"""


def function(code: Path, handler: str, **properties: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::Serverless::Function",
        "Properties": {"CodeUri": str(code), "Handler": handler, **properties},
    }


@pytest.fixture(scope="module")
def containers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdaContainers]:
    code = tmp_path_factory.mktemp("toy")
    (code / "handler.py").write_text(TOY)
    # A module named like the standard library's token, in the code of a function that needs dataclasses.
    shadowing = tmp_path_factory.mktemp("shadowing")
    (shadowing / "token.py").write_text("")
    (shadowing / "handler.py").write_text(
        "import dataclasses\n\n\ndef handler(event, context):\n    return {}\n"
    )
    shared = {"Timeout": 2, "MemorySize": 256, "Environment": {"Variables": {"SHARED": "yes"}}}
    template = {
        "Globals": {"Function": shared},
        "Resources": {
            "Report": function(
                code,
                "handler.report",
                Environment={"Variables": {"OWN": "mine"}},
                LoggingConfig={"LogGroup": {"Ref": "ReportLogs"}},
            ),
            "ReportLogs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${AWS::StackName}/Report"}},
            },
            "Fail": function(code, "handler.fail"),
            "Slow": function(code, "handler.slow"),
            "Crash": function(code, "handler.crash"),
            "Unserialisable": function(code, "handler.unserialisable"),
            "Shadowed": function(shadowing, "handler.handler"),
        },
    }
    local = LocalTemplate(template, "toy")
    pool = LambdaContainers(
        local, tmp_path_factory.mktemp("lambda"), {"FROM_THE_STACK": "1"}, max_containers=2
    )
    yield pool
    pool.stop()


def invoke(containers: LambdaContainers, function: str, event: Any = None, request_id: str = "r-1") -> Any:
    return containers.handler(function)(event or {}, LambdaContext(function, request_id))


def test_a_function_sees_its_task_root_first_and_only_the_layer_and_the_runtime(
    containers: LambdaContainers,
) -> None:
    modules = [
        "fashionos",
        "pydantic",
        "jwt",
        "aws_lambda_powertools",
        "boto3",
        "moto",
        "httpx",
        "pytest",
        "devserver",
    ]
    result = invoke(containers, "Report", {"modules": modules}, request_id="r-42")
    code = str(containers.functions["Report"].code_uri)
    assert result["event"] == {"modules": modules}  # the event crossed as JSON
    assert result["path"][0] == code
    assert result["cwd"] == code
    assert result["importable"] == {
        "fashionos": True,
        "pydantic": True,
        "jwt": True,
        "aws_lambda_powertools": True,
        "boto3": True,
        "moto": False,
        "httpx": False,
        "pytest": False,
        "devserver": False,
    }
    assert (result["request_id"], result["function_name"]) == ("r-42", "toy-Report")
    assert 0 < result["remaining_ms"] <= 2000


def test_a_functions_environment_is_the_templates_and_lambdas_not_the_callers(
    containers: LambdaContainers, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = invoke(containers, "Report")["environment"]
    assert (environment["SHARED"], environment["OWN"], environment["FROM_THE_STACK"]) == ("yes", "mine", "1")
    assert environment["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.13"
    assert environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert environment["_HANDLER"] == "handler.report"
    assert environment["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/toy/Report"  # its LoggingConfig's
    assert not {"PYTHONPATH", "VIRTUAL_ENV", "HOME"} & environment.keys()


def test_a_warm_container_keeps_its_module_and_answers_the_next_invocation(
    containers: LambdaContainers,
) -> None:
    first, second = invoke(containers, "Report"), invoke(containers, "Report")
    assert (first["pid"], first["loaded_at"]) == (second["pid"], second["loaded_at"])


def test_concurrent_invocations_get_containers_of_their_own(containers: LambdaContainers) -> None:
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda: results.append(invoke(containers, "Slow", {"seconds": 0.5})))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({result["pid"] for result in results}) == 2


def test_what_the_handler_raises_is_the_invocations_error(containers: LambdaContainers) -> None:
    with pytest.raises(FunctionError) as failure:
        invoke(containers, "Fail")
    assert (failure.value.error_type, failure.value.message) == ("ValueError", "the handler gave up")


def test_a_handler_that_outlives_its_timeout_is_stopped_and_its_container_replaced(
    containers: LambdaContainers,
) -> None:
    with pytest.raises(FunctionError) as failure:
        invoke(containers, "Slow", {"seconds": 5})
    assert failure.value.error_type == "Sandbox.Timedout"
    assert "Task timed out after 2.00 seconds" in failure.value.message
    assert "pid" in invoke(containers, "Slow", {"seconds": 0})


def test_a_runtime_that_exits_fails_the_invocation(containers: LambdaContainers) -> None:
    with pytest.raises(FunctionError) as failure:
        invoke(containers, "Crash")
    assert failure.value.error_type == "Runtime.ExitError"
    assert "exit status 3" in failure.value.message


def test_a_result_that_is_not_json_is_a_marshal_error(containers: LambdaContainers) -> None:
    with pytest.raises(FunctionError) as failure:
        invoke(containers, "Unserialisable")
    assert failure.value.error_type == "Runtime.MarshalError"


def test_a_module_that_shadows_the_standard_library_fails_the_function_at_init(
    containers: LambdaContainers,
) -> None:
    with pytest.raises(FunctionError) as failure:
        invoke(containers, "Shadowed")
    assert failure.value.error_type == "Runtime.ImportModuleError"
    assert "token" in failure.value.message


def test_functions_that_fail_to_load_are_reported_when_the_containers_start(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "handler.py").write_text(
        textwrap.dedent("""
        def ok(event, context):
            return {}
        """)
    )
    template = {
        "Resources": {"Fine": function(code, "handler.ok"), "Missing": function(code, "handler.nope")}
    }
    pool = LambdaContainers(LocalTemplate(template, "toy"), tmp_path / "lambda", {})
    try:
        failures = pool.start()
    finally:
        pool.stop()
    assert {name: error.error_type for name, error in failures.items()} == {
        "Missing": "Runtime.HandlerNotFound"
    }


def test_a_container_that_exited_while_idle_is_replaced(containers: LambdaContainers) -> None:
    first = invoke(containers, "Report")
    os.kill(first["pid"], signal.SIGKILL)
    time.sleep(0.2)
    assert invoke(containers, "Report")["pid"] != first["pid"]


def test_a_stopped_pool_refuses_invocations_and_leaves_no_container(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "handler.py").write_text("def ok(event, context):\n    return {}\n")
    pool = LambdaContainers(
        LocalTemplate({"Resources": {"Fine": function(code, "handler.ok")}}, "toy"), tmp_path / "l", {}
    )
    assert invoke(pool, "Fine") == {}
    pool.stop()
    with pytest.raises(FunctionError) as failure:
        invoke(pool, "Fine")
    assert failure.value.error_type == "Sandbox.Stopped"
