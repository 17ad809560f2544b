"""schemathesis over every operation of both APIs, every check on, against a local stack of its own: the
OpenAPI documents are the contract the code is held to (zero failures)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from apispec.build import DOCUMENTS_DIR
from apispec.examples import EXAMPLES, record, render
from tests.e2e.conftest import DevStack, StackFailed, running_stack
from tests.fuzz import DOCUMENTS, FUZZ_PARAMETERS, prepare, run

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fuzz")]


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevStack, Path]]:
    state = tmp_path_factory.mktemp("fuzzstack")
    try:
        with running_stack(state, FUZZ_PARAMETERS) as stack:
            yield stack, prepare(stack, state)
    except StackFailed as failed:
        pytest.fail(str(failed))


def test_the_documents_examples_are_what_a_fresh_stack_answers(fuzz_stack: tuple[DevStack, Path]) -> None:
    # first in this module: the stack is as make dev starts it (the fuzzing below changes it)
    stack, _ = fuzz_stack
    assert render(record(stack.base_url, stack.credentials)) == EXAMPLES.read_text(), (
        "examples out of date: `python -m apispec.examples` against `make dev`, then `make openapi`"
    )


@pytest.mark.parametrize("api", sorted(DOCUMENTS))
def test_schemathesis_finds_no_failure(
    fuzz_stack: tuple[DevStack, Path],
    api: str,
    tmp_path: Path,
    record_property: pytest.RecordProperty,
) -> None:
    stack, credentials = fuzz_stack
    outcome = run(stack, api, credentials, tmp_path)
    record_property("fuzz", outcome.line())  # printed in the run's summary (tests/conftest.py)
    assert outcome.returncode == 0, outcome.output[-30000:]
    document = json.loads((DOCUMENTS_DIR / f"{api}.json").read_text())
    operations = sum(len(methods) for methods in document["paths"].values())
    # every operation but the one serving the document itself (schemathesis loads it from there)
    assert outcome.operations == operations - 1, "every operation of the document is exercised"
    assert outcome.generated >= operations
