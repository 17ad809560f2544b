"""Cold start: each function's handler module (every function in template.yaml) vs the floor
``import boto3; boto3.client("dynamodb")``.

Each sample is a fresh interpreter (``sys.executable -c``) that times itself with ``time.perf_counter``, so
interpreter start-up (the same for both) is left out; a handler's interpreter has the environment the
template gives its function (no AWS credentials: importing must not call AWS). What is timed:

- floor: ``import boto3`` + ``boto3.client("dynamodb", region_name="us-east-1")``;
- ours: ``import <handler module>`` + the same client call. A handler creates its DynamoDB client lazily, on
  its first request, so a Lambda cold start pays for it either way; creating it the same way on both sides
  makes the client cost cancel out instead of being charged to one side only. (The Secrets Manager client a
  handler also creates on its first request is left out of both.)

One discarded run of every variant first writes the bytecode caches (a fresh clone has none); then rounds of
all variants, in a rotating order, and the median of each. A handler that fails to import (say, half
written) is reported with its error and left out of the rounds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass

from bench import ROOT
from devserver.stack import STACK_NAME
from devserver.template import LocalTemplate, load_template

FLOOR = "boto3"
BUDGET = 1.25  # DESIGN.md: importing a handler module costs at most 1.25x the floor

_CHILD = """\
import time
_start = time.perf_counter()
import importlib
importlib.import_module({module!r})
_imported = time.perf_counter()
import boto3
boto3.client("dynamodb", region_name="us-east-1")
_done = time.perf_counter()
import json, sys
sys.stdout.write(json.dumps({{"import": _imported - _start, "total": _done - _start}}))
"""


@dataclass(frozen=True, slots=True)
class ColdStart:
    module: str
    total: float = 0.0  # median seconds: import + client
    imports: float = 0.0  # median seconds: import only
    error: str | None = None  # the last line of the child's stderr when the module failed to import


def handlers() -> dict[str, dict[str, str]]:
    """Every function's handler module in template.yaml, with the environment the template gives it."""
    functions = LocalTemplate(load_template(), STACK_NAME).functions().values()
    return {function.module: function.environment for function in functions}


def _child_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    # Like the layer (/opt/python) and the function code (task root) on Lambda's sys.path.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "layers"), str(ROOT)])
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    return env


class ImportFailed(RuntimeError):
    """A child interpreter could not import its module (the message: the last line of its stderr)."""


def _sample(module: str, env: dict[str, str]) -> tuple[float, float]:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD.format(module=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise ImportFailed((result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1])
    timings = json.loads(result.stdout)
    return float(timings["total"]), float(timings["import"])


def measure(rounds: int, handlers: dict[str, dict[str, str]]) -> tuple[ColdStart, list[ColdStart]]:
    """The floor and each handler (module: environment), medians over ``rounds`` interleaved
    fresh-interpreter samples. The floor must import; a handler that does not is an error result."""
    base = _child_environment()
    envs = {FLOOR: base} | {module: base | env for module, env in handlers.items()}
    modules = list(envs)
    samples: dict[str, list[tuple[float, float]]] = {module: [] for module in modules}
    errors: dict[str, str] = {}
    for round_ in range(rounds + 1):  # round 0, discarded: writes __pycache__, warms the OS file cache
        shift = round_ % len(modules)
        for module in modules[shift:] + modules[:shift]:
            if module in errors:
                continue
            try:
                timings = _sample(module, envs[module])
            except ImportFailed as error:
                if module == FLOOR:
                    raise
                errors[module] = str(error)
                continue
            if round_:
                samples[module].append(timings)
    floor, *ours = (
        ColdStart(module, error=errors[module])
        if module in errors
        else ColdStart(
            module,
            statistics.median(total for total, _ in samples[module]),
            statistics.median(imports for _, imports in samples[module]),
        )
        for module in modules
    )
    return floor, ours
