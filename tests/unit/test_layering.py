"""Imports run one way, and cheap routes stay cheap.

- ``events`` (the outbox, event types and envelope) sits below every area that emits events and below
  ``webhooks``, which delivers them: nothing under ``fashionos.events`` imports an area.
- A GET route parses no body, so its handler must not import pydantic (~50 ms of cold start).
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devserver.template import ROOT, LocalTemplate, load_template

LAYER = ROOT / "layers" / "fashionos"
LOCAL = LocalTemplate(load_template(), "unit")
GET_ROUTES = sorted({route.function for route in LOCAL.routes() if route.method == "GET"})


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("area", ["webhooks", "commerce", "identity", "usage", "integration", "partner"])
def test_events_import_no_area(area: str) -> None:
    offending = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.startswith(f"fashionos.{area}")
        )
        for path in (LAYER / "events").glob("*.py")
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}


def test_the_import_check_sees_an_import_from_an_area(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from fashionos.webhooks.models import Webhook\n")
    assert "fashionos.webhooks.models" in imported_modules(module)


@pytest.mark.parametrize("function", GET_ROUTES)
def test_a_get_handler_imports_no_pydantic(function: str) -> None:
    module = LOCAL.functions()[function].module
    code = f"import sys, {module}; print('pydantic' in sys.modules)"
    path = {"PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'layers'}"}
    result = subprocess.run(  # noqa: S603 (our own interpreter on our own module name)
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **path}, check=True
    )
    assert result.stdout.strip() == "False", f"{module} imports pydantic"
