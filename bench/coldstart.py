"""Cold start: each function's handler module (every function in template.yaml), imported as the Lambda
Python runtime imports it, vs the floor ``import boto3; boto3.client("dynamodb")``.

Each sample is a fresh ``python -I -S`` interpreter (nothing of the virtualenv or the repository on
``sys.path``) that sets the path up with ``devserver/lambda_bootstrap.py``, as for a local Lambda container:
the runtime's libraries (awslambdaric, boto3) importable and awslambdaric's bootstrap imported first, then
the function's task root first on ``sys.path``, the layer (``layers/`` and its requirements) next, the
runtime's libraries after the standard library; the working directory is the task root, the environment the
template's for the function (no AWS credentials: importing must not call AWS). It times itself with
``time.perf_counter`` from there, so interpreter start-up and the bootstrap (the same for both) are left out:

- floor: ``import boto3`` + ``boto3.client("dynamodb", region_name="us-east-1")``;
- ours: ``import <the Handler's module>`` + the same client call. A handler creates its DynamoDB client
  lazily, on its first request, so a Lambda cold start pays for it either way; creating it the same way on
  both sides makes the client cost cancel out instead of being charged to one side only. (The Secrets
  Manager client a handler also creates on its first request is left out of both.)

One discarded run of every variant first writes the bytecode caches (a fresh clone has none); then rounds of
all variants, in a rotating order, and the median of each. A handler that fails to import (say, half
written, or shadowing a module of the standard library) is reported with its error and left out of the
rounds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devserver import lambda_bootstrap, packages
from devserver.stack import STACK_NAME
from devserver.template import ROOT, LocalTemplate, load_template

FLOOR = "boto3"
BUDGET = 1.25  # DESIGN.md: importing a handler module costs at most 1.25x the floor

_CHILD = """\
import json, sys, time, types
config = json.loads(sys.argv[1])
launcher = types.ModuleType("launcher")
with open(config["launcher"]) as source:
    exec(compile(source.read(), config["launcher"], "exec"), launcher.__dict__)
launcher.prepare(config)  # awslambdaric first, then the sys.path of a Lambda container (no IAM checks)
_start = time.perf_counter()
import importlib
importlib.import_module(config["module"])
_imported = time.perf_counter()
import boto3
boto3.client("dynamodb", region_name="us-east-1")
_done = time.perf_counter()
sys.stdout.write(json.dumps({"import": _imported - _start, "total": _done - _start}))
"""


@dataclass(frozen=True, slots=True)
class Handler:
    name: str  # the function's code directory under functions/ ("partner/me")
    task_root: Path
    module: str  # what the runtime imports: the module part of the template's Handler
    environment: dict[str, str]


@dataclass(frozen=True, slots=True)
class ColdStart:
    name: str
    total: float = 0.0  # median seconds: import + client
    imports: float = 0.0  # median seconds: import only
    error: str | None = None  # the last line of the child's stderr when the module failed to import


def handlers() -> list[Handler]:
    """Every function's handler in template.yaml, with the environment the template gives it."""
    functions = LocalTemplate(load_template(), STACK_NAME).functions().values()
    return [
        Handler(
            name=function.code_uri.relative_to("functions").as_posix(),
            task_root=ROOT / function.code_uri,
            module=function.handler_name.rsplit(".", 1)[0],
            environment=function.environment,
        )
        for function in functions
    ]


class ImportFailed(RuntimeError):
    """A child interpreter could not import its module (the message: the last line of its stderr)."""


def _sample(config: Mapping[str, object], env: dict[str, str]) -> tuple[float, float]:
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _CHILD, json.dumps(config)],
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


def measure(rounds: int, handlers: list[Handler]) -> tuple[ColdStart, list[ColdStart]]:
    """The floor and each handler, medians over ``rounds`` interleaved fresh-interpreter samples. The
    floor must import; a handler that does not is an error result."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    base["AWS_DEFAULT_REGION"] = "us-east-1"
    with tempfile.TemporaryDirectory() as work:
        layer = packages.link_site(packages.layer_requirements(), Path(work) / "layer")
        runtime = packages.link_site(packages.RUNTIME_REQUIREMENTS, Path(work) / "runtime")
        paths = {
            "launcher": lambda_bootstrap.__file__,
            "layer_paths": [str(packages.LAYER), str(layer)],
            "runtime_paths": [str(runtime)],
        }
        floor_root = Path(work) / "floor"  # an empty task root: nothing of ours imported
        floor_root.mkdir()
        variants = {FLOOR: ({**paths, "task_root": str(floor_root), "module": "boto3"}, base)} | {
            h.name: ({**paths, "task_root": str(h.task_root), "module": h.module}, base | h.environment)
            for h in handlers
        }
        names = list(variants)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
        errors: dict[str, str] = {}
        for round_ in range(rounds + 1):  # round 0, discarded: writes __pycache__, warms the OS file cache
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                if name in errors:
                    continue
                try:
                    timings = _sample(*variants[name])
                except ImportFailed as error:
                    if name == FLOOR:
                        raise
                    errors[name] = str(error)
                    continue
                if round_:
                    samples[name].append(timings)
    floor, *ours = (
        ColdStart(name, error=errors[name])
        if name in errors
        else ColdStart(
            name,
            statistics.median(total for total, _ in samples[name]),
            statistics.median(imports for _, imports in samples[name]),
        )
        for name in names
    )
    return floor, ours
