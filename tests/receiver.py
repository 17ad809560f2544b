"""A webhook receiver on 127.0.0.1 for tests and benchmarks: verifies every delivery with the
``standardwebhooks`` library (what a partner would use), answers with scripted statuses, and keeps what
it received."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Received:
    webhook_id: str
    headers: dict[str, str]
    body: bytes
    verified: bool  # the standardwebhooks library accepted it with the receiver's secret
    status: int  # what the receiver answered

    @property
    def event(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """``answers``: statuses (or (status, headers)) to answer in turn; then ``default``."""

    def __init__(self, secret: str | None = None, *, port: int = 0, default: int = 200) -> None:
        self.secret = secret
        self.default = default
        self.answers: deque[int | tuple[int, dict[str, str]]] = deque()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _respond(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        verified = False
        if self.secret is not None:
            try:
                Webhook(self.secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        with self._lock:
            answer = self.answers.popleft() if self.answers else self.default
            status, extra = answer if isinstance(answer, tuple) else (answer, {})
            self.received.append(Received(headers.get("webhook-id", ""), headers, body, verified, status))
        return status, extra

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One packet per answer: with Nagle's algorithm, the body waits ~40 ms for the headers' ACK.
            disable_nagle_algorithm = True
            wbufsize = -1

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra = receiver._respond(headers, body)
                reply = b'{"ok": true}' if status < 300 else b'{"error": "receiver says no"}'
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
