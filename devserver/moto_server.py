"""moto in server mode, as its own process (in-process moto is not thread-safe), on a free port.

The process is `devserver.moto_serial`: moto's server, one request at a time, so writes stay atomic."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class MotoServer:
    def __init__(self, port: int | None = None, log: Path | None = None, files: str = "land") -> None:
        """``files``: ``moto_serial --files`` (a form upload of another file than its policy declares:
        ``land`` it, or ``refuse`` it as S3 does)."""
        self.port = port or free_port()
        self.files = files
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> MotoServer:
        output = self._log.open("ab") if self._log else subprocess.DEVNULL
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devserver.moto_serial",
                "-H",
                "127.0.0.1",
                "-p",
                str(self.port),
                "--files",
                self.files,
            ],
            cwd=Path(__file__).resolve().parent.parent,  # so that `-m devserver...` resolves from anywhere
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server exited with code {self._process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=1):  # noqa: S310
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not start on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
