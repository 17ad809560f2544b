"""The local Lambda container's launcher loads nothing before the function's code that Lambda's own
bootstrap does not: a module imported early would hide a function module that shadows it (as ``token.py``
broke ``dataclasses`` on Lambda), and the local stack would pass where Lambda fails."""

import json
import subprocess
import sys
from pathlib import Path

from devserver import iam, lambda_bootstrap
from devserver.packages import RUNTIME_REQUIREMENTS, link_site

CHILD = """
import json, sys, types
config = json.loads(sys.argv[1])
sys.path[:0] = config["runtime_paths"]
import awslambdaric.bootstrap
before = set(sys.modules)
launcher = types.ModuleType("launcher")
with open(config["launcher"]) as source:
    exec(compile(source.read(), config["launcher"], "exec"), launcher.__dict__)
launcher.prepare(config)
print(json.dumps({"new": sorted(set(sys.modules) - before), "path": sys.path[:2]}))
"""


def test_preparing_a_container_imports_nothing_the_runtime_has_not_imported(tmp_path: Path) -> None:
    task_root = tmp_path / "task"
    task_root.mkdir()
    config = {
        "launcher": lambda_bootstrap.__file__,
        "runtime_paths": [str(link_site(RUNTIME_REQUIREMENTS, tmp_path / "runtime"))],
        "layer_paths": [str(tmp_path / "layer")],
        "task_root": str(task_root),
        "iam_module": iam.__file__,
        "policy": iam.Policy("F", ()).to_json(),
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-I", "-S", "-c", CHILD, json.dumps(config)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(done.stdout)
    assert result["new"] == ["_local_stack_iam"]  # the IAM checks, under a name no function imports
    assert result["path"] == [str(task_root), str(tmp_path / "layer")]
