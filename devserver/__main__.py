"""``make dev``: the local stack with demo data, until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

from devserver.demo import seed
from devserver.stack import DEV_DIR, LocalStack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devserver", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEV_PORT", "3000")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--state-dir", type=Path, default=DEV_DIR, help="where stack.json and credentials.json go"
    )
    args = parser.parse_args(argv)

    stack = LocalStack(port=args.port, host=args.host, state_dir=args.state_dir)
    try:
        stack.start()
    except OSError as error:
        stack.stop()
        print(
            f"Could not start the dev gateway on {args.host}:{args.port}: {error} (set DEV_PORT)",
            file=sys.stderr,
        )
        return 1
    outputs = stack.describe()["outputs"]
    credentials = {
        "base_url": stack.base_url,
        **seed(
            stack.client("dynamodb"),
            stack.client("secretsmanager"),
            outputs["IntegrationTableName"],
            outputs["HandshakeSecretArn"],
        ),
        "moto_endpoint_url": stack.moto.url,
    }
    path = stack.write_credentials(credentials)
    example = json.dumps(
        {"handshake": credentials["handshake"], "type": "AR", "count": 1, "api_key": credentials["api_key"]}
    )
    print(
        f"""
Fashion OS API — local stack
  Integration API  {stack.base_url}/api/v1/integration/...
  moto server      {stack.moto.url}
  demo data        {path}  (handshake, user_id, api_key, ...)

Try it:
  curl -X POST {stack.base_url}/api/v1/integration/increase-tryon-usage-count \\
    -H "Content-Type: application/json" \\
    -d '{example}'

  .venv/bin/fashionos-admin usage {credentials["user_id"]}

Ctrl-C stops everything.
""",
        flush=True,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
