"""moto's server with one lock around every request.

moto's backends are not thread-safe: under concurrent requests its DynamoDB loses ``ADD`` increments
(a read-then-write in Python) and a cancelled ``TransactWriteItems`` restores a snapshot of the whole table,
undoing writes committed meanwhile. DynamoDB itself makes each item write and each transaction atomic; serving
one request at a time is how the local stack keeps that promise. Connections are still accepted concurrently.

A cancelled transaction leaves what DynamoDB leaves, streams included (``keep_streams_on_rollback``).
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def keep_streams_on_rollback() -> None:
    """moto rolls a cancelled ``TransactWriteItems`` back by swapping each table for a copy taken before it,
    after writing the cancelled writes' stream records to the table it drops. A stream reader holding that
    table's shard then reads records of writes that never happened, and its checkpoint skips the next real
    record (same sequence number). On DynamoDB a cancelled transaction leaves no stream record: drop them
    from the live shard and keep that shard on the restored table."""
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        names = {op.get("TableName") for item in transact_items for op in item.values()}
        shards = {
            name: (table.stream_shard, len(table.stream_shard.items))
            for name, table in self.tables.items()
            if name in names and table.stream_shard is not None
        }
        try:
            original(self, transact_items)
        except Exception:
            for name, (shard, length) in shards.items():
                del shard.items[length:]
                restored = self.tables[name]
                restored.stream_shard, shard.table = shard, restored
            raise

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def serialised(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    lock = threading.Lock()

    def handle(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with lock:
            return list(app(environ, start_response))

    return handle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    keep_streams_on_rollback()
    app = serialised(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
