"""The local stack: moto server + resources from ``template.yaml`` + the dev gateway + the event source
mappings' pollers, in one object."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import boto3

from devserver.custom_resources import create_custom_resources
from devserver.gateway import Gateway, GatewayServer, make_server
from devserver.iam import REGION
from devserver.lambda_runtime import FunctionError, LambdaContainers
from devserver.moto_server import MotoServer
from devserver.pollers import EventSources
from devserver.template import ROOT, LocalTemplate, create_resources, load_template

STACK_NAME = "fashionos-local"
DEV_DIR = ROOT / ".dev"
# Seconds before each webhook delivery attempt: the deployed schedule (up to 10 h apart) squeezed into
# seconds, so that retries and the dead-letter queue can be watched locally. WEBHOOK_RETRY_SCHEDULE in the
# environment of `make dev` replaces it.
LOCAL_RETRY_SCHEDULE = "0 1 2 3 5 8 13 21"
# Variables of `make dev`'s environment that every function gets too.
PASSED_THROUGH = ("FASHIONOS_DEPRECATIONS",)


class LocalStack:
    def __init__(
        self,
        port: int = 3000,
        host: str = "127.0.0.1",
        state_dir: Path = DEV_DIR,
        parameters: dict[str, str] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.state_dir = state_dir
        self.moto = MotoServer(log=None)
        schedule = os.environ.get("WEBHOOK_RETRY_SCHEDULE") or LOCAL_RETRY_SCHEDULE
        self.local = LocalTemplate(
            load_template(), STACK_NAME, {"WebhookRetrySchedule": schedule, **(parameters or {})}
        )
        self.base_url = f"http://{host}:{port}"
        self._server: GatewayServer | None = None
        self.containers: LambdaContainers | None = None  # every function's containers, once started
        self.init_errors: dict[str, FunctionError] = {}  # the functions that could not load
        self.event_sources: EventSources | None = None  # the SQS and stream pollers, once started

    @property
    def stage(self) -> str:
        return self.local.parameters["Stage"]

    @property
    def session(self) -> boto3.Session:
        return boto3.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=REGION)  # noqa: S106 - moto

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.moto.url)  # type: ignore[call-overload]

    def aws_environment(self) -> dict[str, str]:
        """What a boto3 client needs to reach this stack's moto server."""
        return {
            "AWS_ENDPOINT_URL": self.moto.url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
        }

    def start(self) -> LocalStack:
        self.state_dir.mkdir(exist_ok=True)
        self.moto.start()
        os.environ.update(self.aws_environment())  # this process's own clients: resources, demo data, pollers
        self._server = make_server(None, self.host, self.port)
        self.port = self._server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        # The Partner API's issuer is its public base URL: the dev gateway's.
        self.local.parameters["PartnerIssuer"] = self.base_url
        create_resources(self.local, self.session)
        self.containers = LambdaContainers(
            self.local,
            self.state_dir / "lambda",
            {
                **self.aws_environment(),
                "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
                # Webhook endpoints may be receivers on this machine (http://127.0.0.1:...); never deployed.
                "WEBHOOK_ALLOW_LOOPBACK": "true",
                # Deprecations by configuration (tests deprecate a route this way: fashionos.deprecation).
                **{name: os.environ[name] for name in PASSED_THROUGH if name in os.environ},
            },
        )
        self.init_errors = self.containers.start()
        create_custom_resources(self.local, self.containers)  # the first signing key, as on a deploy
        self._server.gateway = Gateway(self.local, self.containers)
        self.event_sources = EventSources(
            self.local, self.session, self.containers.handler, endpoint_url=self.moto.url
        )
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.event_sources.start()
        self._write("stack.json", self.describe())
        return self

    def describe(self) -> dict[str, Any]:
        """How the admin CLI (and anyone else) finds this stack: like a deployed stack's outputs."""
        return {
            "stack_name": STACK_NAME,
            "base_url": self.base_url,
            "endpoint_url": self.moto.url,
            "region": REGION,
            # Functions that could not load (as Lambda reports it): each of their invocations answers 502.
            "init_errors": {name: f"{e.error_type}: {e.message}" for name, e in self.init_errors.items()},
            "outputs": {
                "IntegrationApiUrl": self.base_url,
                "IntegrationTableName": self.local.physical["IntegrationTable"],
                "HandshakeSecretArn": self.local.physical["HandshakeSecret"],
                "PartnerApiUrl": self.base_url,
                "PartnerTableName": self.local.physical["PartnerTable"],
                "SigningKeySecretArn": self.local.physical["SigningKeySecret"],
                "EventTableName": self.local.physical["EventTable"],
                "CommerceTableName": self.local.physical["CommerceTable"],
                "TryOnTableName": self.local.physical["TryOnTable"],
                "AffiliateTableName": self.local.physical["AffiliateTable"],
                "WebhookDeliveryQueueUrl": self.local.physical["WebhookDeliveryQueue"],
                "WebhookDeadLetterQueueUrl": self.local.physical["WebhookDeliveryDeadLetterQueue"],
                "AssetTableName": self.local.physical["AssetTable"],
                "AssetBucketName": self.local.physical["AssetBucket"],
                "AssetUploadQueueUrl": self.local.physical["AssetUploadQueue"],
                "AssetUploadDeadLetterQueueUrl": self.local.physical["AssetUploadDeadLetterQueue"],
                "ExportQueueUrl": self.local.physical["ExportQueue"],
                "ExportDeadLetterQueueUrl": self.local.physical["ExportDeadLetterQueue"],
            },
        }

    def write_credentials(self, credentials: dict[str, Any]) -> Path:
        return self._write("credentials.json", credentials)

    def _write(self, name: str, content: dict[str, Any]) -> Path:
        path = self.state_dir / name
        path.write_text(json.dumps(content, indent=2) + "\n")
        path.chmod(0o600)
        return path

    def stop(self) -> None:
        if self.event_sources is not None:  # before moto: polls of a stopped server would log errors
            self.event_sources.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self.containers is not None:
            self.containers.stop()
        self.moto.stop()
        (self.state_dir / "stack.json").unlink(missing_ok=True)
