"""Cold start: a handler module's import cost vs the floor ``import boto3; boto3.client("dynamodb")``.

Each sample is a fresh interpreter (``sys.executable -c``) that times itself with ``time.perf_counter``, so
interpreter start-up (the same for both) is left out. What is timed:

- floor: ``import boto3`` + ``boto3.client("dynamodb", region_name="us-east-1")``;
- ours: ``import <handler module>`` + the same client call. A handler creates its DynamoDB client lazily, on
  its first request, so a Lambda cold start pays for it either way; creating it the same way on both sides
  makes the client cost cancel out instead of being charged to one side only. (The Secrets Manager client a
  handler also creates on its first request is left out of both.)

One discarded run of every variant first writes the bytecode caches (a fresh clone has none); then rounds of
all variants, in a rotating order, and the median of each.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass

from bench import ROOT

FLOOR = "boto3"
HANDLERS = (
    "functions.integration.increase_tryon_usage",
    "functions.integration.increase_api_key_usage",
    "functions.integration.set_user_product_number",
)
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
    total: float  # median seconds: import + client
    imports: float  # median seconds: import only


def _child_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    # Like the layer (/opt/python) and the function code (task root) on Lambda's sys.path.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "layers"), str(ROOT)])
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    return env


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
        raise RuntimeError(f"importing {module} failed:\n{result.stderr.strip()}")
    timings = json.loads(result.stdout)
    return float(timings["total"]), float(timings["import"])


def measure(rounds: int) -> tuple[ColdStart, list[ColdStart]]:
    """The floor and each handler, medians over ``rounds`` interleaved fresh-interpreter samples."""
    env = _child_environment()
    modules = [FLOOR, *HANDLERS]
    for module in modules:  # warm-up: writes __pycache__, warms the OS file cache
        _sample(module, env)
    samples: dict[str, list[tuple[float, float]]] = {module: [] for module in modules}
    for round_ in range(rounds):
        shift = round_ % len(modules)
        for module in modules[shift:] + modules[:shift]:
            samples[module].append(_sample(module, env))
    results = [
        ColdStart(
            module,
            statistics.median(total for total, _ in samples[module]),
            statistics.median(imports for _, imports in samples[module]),
        )
        for module in modules
    ]
    return results[0], results[1:]
