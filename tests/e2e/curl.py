"""Running a documented curl command against the local stack (with curl when installed, else the same request
with ``requests``): a helper module of the e2e tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import requests

from tests.e2e.conftest import REQUEST_TIMEOUT, http

# Ours, not the document's: quiet unless an error, no proxy, bounded, and the status after the body.
CURL_OPTIONS = ["--silent", "--show-error", "--noproxy", "*", "--max-time", str(REQUEST_TIMEOUT)]
CURL_OPTIONS += ["--write-out", "\n%{http_code}"]


def run(argv: list[str]) -> tuple[int, Any]:
    """Run a curl command line; returns the HTTP status and the JSON body."""
    curl = shutil.which("curl")
    if curl is not None:
        done = subprocess.run(  # noqa: S603 - the documented command, with local values
            [curl, *argv[1:], *CURL_OPTIONS],
            capture_output=True,
            text=True,
            timeout=REQUEST_TIMEOUT + 10,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        body, _, status = done.stdout.rpartition("\n")
        return int(status), json.loads(body)
    reply = send_like_curl(argv)
    return reply.status_code, reply.json()


def send_like_curl(argv: list[str]) -> requests.Response:
    """What curl would send for the options the examples use: ``-X``, ``-H``, ``-d`` and the URL."""
    method, url, headers, data = "GET", "", {}, ""
    options = iter(argv[1:])
    for option in options:
        if option == "-X":
            method = next(options)
        elif option == "-H":
            name, _, value = next(options).partition(":")
            headers[name.strip()] = value.strip()
        elif option == "-d":
            data = next(options)
        else:
            url = option
    with http() as session:
        return session.request(method, url, headers=headers, data=data.encode(), timeout=REQUEST_TIMEOUT)
