"""The start of one local Lambda container, in the order the Lambda Python runtime has it.

Run as ``python -I -S lambda_bootstrap.py CONFIG`` (nothing of the virtualenv or the repository on
``sys.path``; CONFIG is the JSON file ``devserver.lambda_runtime`` writes for the function):

1. the runtime's own libraries (awslambdaric, boto3) become importable and awslambdaric's bootstrap is
   imported, as the managed runtime's bootstrap is loaded before any function code;
2. the function's code directory (its task root, also the working directory) goes first on ``sys.path``,
   the layer's code next, then the standard library, then the runtime's libraries;
3. awslambdaric resolves the template's ``Handler`` and runs its loop against the Runtime API of the local
   stack (``AWS_LAMBDA_RUNTIME_API``). A function that cannot load fails there, as on Lambda:
   ``Runtime.ImportModuleError`` and the like, reported to ``/runtime/init/error``.

In between, ``devserver/iam.py`` is loaded under a private name and hooked into botocore as soon as the
function's code imports it, so that every AWS call the function makes is checked against its policy.
Until the handler is imported this file imports nothing that awslambdaric has not imported already
(``test_lambda_bootstrap`` checks): a module loaded early would hide a function module that shadows it.
"""

from __future__ import annotations

import json
import os
import sys
import types

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any


class _AfterImport:
    """A ``sys.meta_path`` finder that calls ``callback`` with module ``name`` right after it is first
    imported (by whoever imports it), then steps aside."""

    def __init__(self, name: str, callback: Callable[[types.ModuleType], None]) -> None:
        self.name = name
        self.callback = callback

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> Any:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader: Any = spec.loader
        exec_module = loader.exec_module

        def exec_then_call_back(module: types.ModuleType) -> None:
            exec_module(module)
            self.callback(module)

        loader.exec_module = exec_then_call_back
        return spec


def _load(path: str, name: str) -> Any:
    """The module in file ``path``, under a name the function's code cannot import by accident."""
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    with open(path) as source:
        exec(compile(source.read(), path, "exec"), module.__dict__)  # noqa: S102 - our own module
    return module


def prepare(config: dict[str, Any]) -> None:
    """Everything before the handler is resolved: awslambdaric imported, IAM hooked, ``sys.path`` set."""
    runtime_paths: list[str] = config["runtime_paths"]
    sys.path[:0] = runtime_paths
    import awslambdaric.bootstrap  # noqa: F401 - loaded first, as on Lambda

    if config.get("policy"):  # none: as on Lambda, nothing checks the calls (the bench's cold starts)
        iam = _load(config["iam_module"], "_local_stack_iam")
        policy = iam.Policy.from_json(config["policy"])
        denials_log = config.get("denials_log")

        def hook_in(handlers: types.ModuleType) -> None:
            iam.install(lambda: policy, handlers, denials_log)

        sys.meta_path.insert(0, _AfterImport("botocore.handlers", hook_in))
    for path in runtime_paths:  # the runtime's libraries come after the standard library
        sys.path.remove(path)
    sys.path[:0] = [config["task_root"], *config["layer_paths"]]
    sys.path += runtime_paths
    os.chdir(config["task_root"])


def main() -> None:
    with open(sys.argv[1]) as file:
        config = json.load(file)
    prepare(config)
    from awslambdaric import bootstrap
    from awslambdaric.lambda_config import LambdaConfigProvider
    from awslambdaric.lambda_runtime_client import LambdaRuntimeClient

    runtime = LambdaConfigProvider(["bootstrap", config["handler"]])
    bootstrap.run(runtime.handler, LambdaRuntimeClient(runtime.api_address, runtime.use_thread_polling))


if __name__ == "__main__":
    main()
