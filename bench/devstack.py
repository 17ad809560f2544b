"""The local stack under test: ``python -m devserver --port 0`` in its own process (its own GIL, like a
deployed API is separate from its callers), with its moto server, torn down whatever happens."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from bench import ROOT


class DevStack:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.log_path = state_dir / "devserver.log"
        self.credentials: dict[str, Any] = {}
        self.outputs: dict[str, str] = {}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return str(self.credentials["base_url"])

    @property
    def moto_url(self) -> str:
        return str(self.credentials["moto_endpoint_url"])

    def start(self, timeout: float = 60) -> Self:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "devserver", "--port", "0", "--state-dir", str(self.state_dir)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group: the moto server it starts can be cleaned up with it, by group id.
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"devserver exited with code {self._process.returncode}:\n{self.log_tail()}"
                )
            # credentials.json is written last, after the demo data is seeded.
            credentials = _read_json(self.state_dir / "credentials.json")
            stack = _read_json(self.state_dir / "stack.json")
            if credentials and stack:
                self.credentials, self.outputs = credentials, stack["outputs"]
                return self
            time.sleep(0.1)
        raise RuntimeError(f"devserver did not become ready within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # devserver stops its gateway and its moto server
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        # Whatever is left of the group we started (a moto server orphaned by a crash): end it too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        self._process = None

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):  # not there yet, or half written
        return None
    return value if isinstance(value, dict) else None
