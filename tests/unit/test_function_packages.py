"""What each function ships, checked against how the Lambda Python runtime imports it.

On Lambda a function's code directory (its task root) comes first on ``sys.path``, before the layer, the
standard library and the runtime's own libraries: a module of ours named like any of those replaces it for
everything imported after it (``token.py`` broke ``dataclasses`` -> ``inspect`` -> ``tokenize``).
"""

import sys
from pathlib import Path

import pytest

from devserver.packages import LAYER, RUNTIME_REQUIREMENTS, layer_requirements, top_level_modules
from devserver.template import ROOT, LocalTemplate, load_template

FUNCTIONS = LocalTemplate(load_template(), "unit").functions()
DEPENDENCIES = top_level_modules(tuple(layer_requirements())) | top_level_modules(RUNTIME_REQUIREMENTS)


def top_level_names(directory: Path) -> set[str]:
    """The names ``import`` finds at the top of ``directory`` (modules, packages, extension modules)."""
    names = set()
    for entry in directory.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir() or entry.suffix in (".py", ".so", ".pyc"):
            names.add(entry.name.split(".", 1)[0])
    return names - {"__init__"}  # a task root's own __init__.py is never imported by that name


def clashes(names: set[str]) -> dict[str, str]:
    found = dict.fromkeys(names & sys.stdlib_module_names, "the standard library")
    found |= dict.fromkeys(names & DEPENDENCIES, "a dependency")
    return found


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_module_of_a_function_shadows_the_standard_library_a_dependency_or_the_layer(name: str) -> None:
    names = top_level_names(ROOT / FUNCTIONS[name].code_uri)
    assert clashes(names) == {}
    assert not names & top_level_names(LAYER)


def test_the_layer_shadows_neither_the_standard_library_nor_a_dependency() -> None:
    assert clashes(top_level_names(LAYER)) == {}


def test_the_check_sees_the_shadowing_that_broke_the_token_endpoint(tmp_path: Path) -> None:
    (tmp_path / "token.py").write_text("")
    (tmp_path / "jwt").mkdir()
    (tmp_path / "handler.py").write_text("")
    assert clashes(top_level_names(tmp_path)) == {"token": "the standard library", "jwt": "a dependency"}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_ships_its_own_code_only(name: str) -> None:
    """One directory per function, holding its handler module and no other function's code."""
    function = FUNCTIONS[name]
    code = ROOT / function.code_uri
    modules = {path.relative_to(code).as_posix() for path in code.rglob("*.py")}
    assert modules == {"__init__.py", f"{function.handler_name.rsplit('.', 1)[0]}.py"}
    others = [f.code_uri for f in FUNCTIONS.values() if f.logical_id != name]
    assert function.code_uri not in others
    assert not any(function.code_uri in other.parents for other in others)
