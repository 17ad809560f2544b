"""One local stack (``python -m devserver``) per test session, reached over real HTTP and the admin CLI.

Every e2e test module sets ``pytestmark = E2E``: the ``e2e`` marker, and one xdist group so that
``pytest -n 2 --dist loadgroup`` runs them all in one worker that shares this one stack.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
E2E = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# A stack starts one container of each of its 80-odd functions: about 30 s on an idle two-core machine,
# two or three times that while the other test worker starts a stack of its own (CI's fuzz stack did).
STARTUP_SECONDS = 180
SHUTDOWN_SECONDS = 30
REQUEST_TIMEOUT = 30


@dataclass(frozen=True)
class User:
    user_id: str
    api_key: str
    key_id: str


@dataclass
class DevStack:
    """The running stack: its URL, the demo credentials, and the admin CLI pointed at its state."""

    state_dir: Path
    credentials: dict[str, str]
    # The token tests send; a handshake rotation test moves it to the new token once that one works.
    handshake: str = field(init=False)

    def __post_init__(self) -> None:
        self.handshake = self.credentials["handshake"]

    @property
    def base_url(self) -> str:
        return self.credentials["base_url"]

    def url(self, path: str) -> str:
        return self.base_url + path

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
        with http() as session:
            return session.post(self.url(path), json=body, headers=headers, timeout=REQUEST_TIMEOUT)

    def admin(self, *args: str) -> Any:
        """Run ``fashionos-admin --local-state DIR ARGS...`` and return its JSON output."""
        done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
            [*admin_command(), "--local-state", str(self.state_dir), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"fashionos-admin {' '.join(args)} failed:\n{done.stderr}"
        return json.loads(done.stdout)

    def new_user(self, plan: str = "starter") -> User:
        """A user nobody else touches, with one active API key, made the way an operator would."""
        user_id = self.admin("create-user", "--plan", plan)["user_id"]
        key = self.admin("create-api-key", user_id)
        return User(user_id=user_id, api_key=key["api_key"], key_id=key["key_id"])

    def usage(self, user_id: str) -> dict[str, Any]:
        report: dict[str, Any] = self.admin("usage", user_id)
        return report

    @property
    def described(self) -> dict[str, Any]:
        """The stack's ``stack.json``: its outputs and where its moto server listens."""
        described: dict[str, Any] = json.loads((self.state_dir / "stack.json").read_text())
        return described

    def client(self, service: str) -> Any:
        """A boto3 client on the stack's moto server (as an operator's tools would reach AWS)."""
        import boto3

        described = self.described
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=described["endpoint_url"],
            region_name=described["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )


def admin_command() -> list[str]:
    script = Path(sys.executable).with_name("fashionos-admin")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fashionos.admin.cli"]


def http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # the stack is on 127.0.0.1: never through a proxy from the environment
    return session


def _tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _read_credentials(path: Path) -> dict[str, str] | None:
    try:
        value: dict[str, str] = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):  # not there yet, or half written
        return None
    return value


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the devserver then stops its moto server), wait; SIGKILL the process group on timeout."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=SHUTDOWN_SECONDS)
    # A devserver killed before it installed its SIGTERM handler leaves its moto server behind.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)


class StackFailed(Exception):
    """The dev stack did not start, or its functions made AWS calls the template does not grant."""


@contextlib.contextmanager
def running_stack(
    state_dir: Path, parameters: dict[str, str] | None = None, environment: dict[str, str] | None = None
) -> Iterator[DevStack]:
    """``python -m devserver`` in its own process group (with template ``parameters``, and ``environment``
    added to its own), until the block ends; ``StackFailed`` if it does not start or its functions were
    refused an AWS call."""
    log = state_dir / "devserver.log"
    credentials_file = state_dir / "credentials.json"
    overrides = [f"--parameter={name}={value}" for name, value in (parameters or {}).items()]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own dev server, fixed arguments
            [sys.executable, "-m", "devserver", "--port", "0", "--state-dir", str(state_dir), *overrides],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(environment or {})},
            start_new_session=True,  # its own process group: the moto server it starts goes with it
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        credentials = _read_credentials(credentials_file)
        while credentials is None:
            if process.poll() is not None:
                raise StackFailed(f"the dev stack exited with code {process.returncode}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise StackFailed(
                    f"the dev stack wrote no credentials within {STARTUP_SECONDS} s:\n{_tail(log)}"
                )
            time.sleep(0.1)
            credentials = _read_credentials(credentials_file)
        init_errors = json.loads((state_dir / "stack.json").read_text())["init_errors"]
        if init_errors:
            raise StackFailed(f"functions of the dev stack cannot load, as on Lambda: {init_errors}")
        yield DevStack(state_dir, credentials)
    finally:
        _stop(process)
    denied = (state_dir / "lambda" / "access-denied.jsonl").read_text().splitlines()
    if denied:
        raise StackFailed(
            f"AWS calls the template does not grant, made by the dev stack's functions: {denied}"
        )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    try:
        with running_stack(tmp_path_factory.mktemp("devstack")) as running:
            yield running
    except StackFailed as failed:
        pytest.fail(str(failed))
