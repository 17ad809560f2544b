"""``template.yaml`` read for the local stack: the same resources, functions and routes as a deploy.

Only what the local stack needs is interpreted: DynamoDB tables, SQS queues, Secrets Manager secrets,
function environments (SAM ``Globals`` merged), ``Api`` events and the ``SQS`` and ``DynamoDB`` (stream)
events that event source mappings poll. Intrinsics are resolved against local names.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import string
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from devserver.iam import ACCOUNT_ID, REGION, Policy

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
# A stream event's MaximumRetryAttempts of -1 (the default): retry until the record expires from the stream.
UNLIMITED_RETRIES = sys.maxsize
# The queue properties that are SetQueueAttributes attributes of the same name (RedrivePolicy is JSON).
QUEUE_ATTRIBUTES = (
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
)


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (``!Ref X`` → ``{"Ref": "X"}``)."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as data (a copy of its own: callers may change it)."""
    return copy.deepcopy(_parsed(path, path.stat().st_mtime_ns))


@cache
def _parsed(path: Path, mtime_ns: int) -> dict[str, Any]:  # parsing YAML takes ~0.3 s; read once
    with path.open() as file:
        template: dict[str, Any] = yaml.load(file, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return template


@dataclass(frozen=True)
class ApiRoute:
    api: str  # logical id of the RestApi
    path: str  # "/v1/things/{id}"
    method: str  # "POST", or "ANY"
    function: str  # logical id of the function
    authorizer: str | None = None  # name of the API's Lambda authorizer in front of it

    def matches(self, path: str) -> dict[str, str] | None:
        pattern = re.sub(r"\\{(\w+)\\\+\\}", r"(?P<\1>.+)", re.escape(self.path))
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", pattern)
        match = re.fullmatch(pattern, path)
        return match.groupdict() if match else None


@dataclass(frozen=True)
class Authorizer:
    """A Lambda REQUEST authorizer of an API (SAM ``Auth.Authorizers``)."""

    name: str
    function: str  # logical id of its function
    identity_headers: tuple[str, ...]  # each must be present, and together they key the cache
    ttl_seconds: int  # result caching; 0 = none


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: Path  # the function's code directory (its Lambda task root), relative to the repository
    handler_name: str  # the template's Handler: "<module>.<function>", resolved from the task root
    environment: dict[str, Any] = field(default_factory=dict)
    timeout_seconds: int = 3  # Lambda's default, when neither the function nor Globals set Timeout
    memory_mb: int = 128  # likewise for MemorySize
    log_group: str | None = None  # LoggingConfig.LogGroup (else Lambda's /aws/lambda/<function name>)

    @property
    def module(self) -> str:
        """The handler's module as a package path from the repository root (for in-process tests)."""
        return ".".join([*self.code_uri.parts, self.handler_name.rsplit(".", 1)[0]])

    @property
    def handler(self) -> str:
        """The handler's attribute name in its module."""
        return self.handler_name.rsplit(".", 1)[1]


@dataclass(frozen=True)
class SqsEventSource:
    """A function's ``SQS`` event: the queue an event source mapping polls, and how."""

    function: str  # logical id of the function
    source_arn: str  # the queue's ARN (the records' eventSourceARN)
    queue_url: str
    batch_size: int = 10
    batching_window_seconds: int = 0
    report_batch_item_failures: bool = False
    filters: tuple[dict[str, Any], ...] = ()  # Lambda event filter patterns; none = every message


@dataclass(frozen=True)
class StreamEventSource:
    """A function's ``DynamoDB`` event: the table stream an event source mapping reads, and how."""

    function: str  # logical id of the function
    source_arn: str  # the stream's ARN (the records' eventSourceARN)
    starting_position: str  # TRIM_HORIZON or LATEST
    batch_size: int = 100
    batching_window_seconds: int = 0
    maximum_retry_attempts: int = UNLIMITED_RETRIES
    report_batch_item_failures: bool = False
    filters: tuple[dict[str, Any], ...] = ()  # Lambda event filter patterns; none = every record


EventSource = SqsEventSource | StreamEventSource


class LocalTemplate:
    """The template, with the physical names its resources have in one local stack."""

    def __init__(self, template: dict[str, Any], stack_name: str, parameters: dict[str, str] | None = None):
        self.template = template
        self.stack_name = stack_name
        self.resources: dict[str, dict[str, Any]] = template.get("Resources", {})
        self.parameters = {
            name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()
        } | (parameters or {})
        self.physical: dict[
            str, str
        ] = {}  # logical id → what Ref returns (table name, queue URL, secret ARN)
        # (logical id, attribute) → what Fn::GetAtt returns (Arn, StreamArn, QueueName, QueueUrl)
        self.attributes: dict[tuple[str, str], str] = {}

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.resources.items() if res.get("Type") in types}

    def resolve(self, value: Any) -> Any:
        """Resolve the intrinsics of function environments and events: Ref, Fn::Sub, Fn::GetAtt, Fn::If."""
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::If":
                condition, when_true, when_false = arg
                return self.resolve(when_true if self.condition(condition) else when_false)
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(extra.get(m[1]) or self._ref(m[1])), text)
            if key == "Fn::GetAtt":
                name, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
                return self.get_att(name, attribute)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def condition(self, name: str) -> bool:
        """A template condition's value (``Fn::Equals``, ``Fn::Not``, ``Fn::And``, ``Fn::Or``)."""

        def evaluate(expression: Any) -> bool:
            ((key, arg),) = expression.items()
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::Equals":
                return bool(self.resolve(arg[0]) == self.resolve(arg[1]))
            if key == "Fn::Not":
                return not evaluate(arg[0])
            if key == "Fn::And":
                return all(evaluate(item) for item in arg)
            if key == "Fn::Or":
                return any(evaluate(item) for item in arg)
            raise ValueError(f"Unsupported condition function {key}")

        return evaluate(self.template["Conditions"][name])

    def get_att(self, name: str, attribute: str) -> str:
        """``Fn::GetAtt name.attribute``, for the resources ``create_resources`` made: unlike a name, an ARN
        or a URL cannot be guessed."""
        try:
            return self.attributes[name, attribute]
        except KeyError:
            raise KeyError(
                f"Fn::GetAtt {name}.{attribute}: unknown before create_resources made it"
            ) from None

    def function_arn(self, function: str) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.stack_name}-{function}"

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::Region": REGION, "AWS::StackName": self.stack_name, "AWS::AccountId": ACCOUNT_ID}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.physical:
            return self.physical[name]
        resource = self.resources.get(name, {})
        if resource.get("Type") == "AWS::Logs::LogGroup" and "LogGroupName" in resource["Properties"]:
            return str(self.resolve(resource["Properties"]["LogGroupName"]))  # a log group's Ref is its name
        return f"{self.stack_name}-{name}"

    def functions(self) -> dict[str, Function]:
        globals_function = self.template.get("Globals", {}).get("Function", {})
        globals_env = globals_function.get("Environment", {})
        result = {}
        for name, res in self.of_type("AWS::Serverless::Function").items():
            props = res["Properties"]
            variables = {
                **globals_env.get("Variables", {}),
                **props.get("Environment", {}).get("Variables", {}),
            }
            result[name] = Function(
                name,
                Path(props["CodeUri"]),
                props.get("Handler", globals_function.get("Handler")),
                {k: str(self.resolve(v)) for k, v in variables.items()},
                int(self.resolve(props.get("Timeout", globals_function.get("Timeout", 3)))),
                int(self.resolve(props.get("MemorySize", globals_function.get("MemorySize", 128)))),
                self.resolve(props.get("LoggingConfig", {}).get("LogGroup")),
            )
        return result

    def policy(self, function: str) -> Policy:
        """What ``function``'s role allows: its ``Policies`` statements, resolved (once the resources exist).

        Inline policy documents only: a SAM policy template or a managed policy is refused here until the
        local stack learns to expand it, rather than read as granting nothing (or everything)."""
        documents = []
        for policy in self.resources[function]["Properties"].get("Policies", []):
            if not isinstance(policy, dict) or set(policy) - {"Version", "Statement"}:
                raise ValueError(f"{function}: the local stack reads inline policy statements only: {policy}")
            documents += self.resolve(policy["Statement"])
        return Policy.from_documents(function, documents)

    def event_sources(self) -> list[EventSource]:
        """Every function's enabled ``SQS`` and ``DynamoDB`` events, with SAM's and Lambda's defaults.

        The ARNs they name are resolved, so this runs after ``create_resources``."""
        sources: list[EventSource] = []
        for name, res in self.of_type("AWS::Serverless::Function").items():
            for event in res["Properties"].get("Events", {}).values():
                kind = event.get("Type")
                if kind not in ("SQS", "DynamoDB"):
                    continue
                props = self.resolve(event.get("Properties", {}))
                if props.get("Enabled", True) is False:
                    continue
                common: dict[str, Any] = {
                    "function": name,
                    "batching_window_seconds": int(props.get("MaximumBatchingWindowInSeconds", 0)),
                    "report_batch_item_failures": "ReportBatchItemFailures"
                    in props.get("FunctionResponseTypes", []),
                    "filters": tuple(
                        json.loads(f["Pattern"]) for f in props.get("FilterCriteria", {}).get("Filters", [])
                    ),
                }
                if kind == "SQS":
                    sources.append(
                        SqsEventSource(
                            source_arn=props["Queue"],
                            queue_url=self._queue_url(props["Queue"]),
                            batch_size=int(props.get("BatchSize", 10)),
                            **common,
                        )
                    )
                else:
                    retries = int(props.get("MaximumRetryAttempts", -1))
                    sources.append(
                        StreamEventSource(
                            source_arn=props["Stream"],
                            starting_position=props["StartingPosition"],
                            batch_size=int(props.get("BatchSize", 100)),
                            maximum_retry_attempts=UNLIMITED_RETRIES if retries == -1 else retries,
                            **common,
                        )
                    )
        return sources

    def _queue_url(self, arn: str) -> str:
        """The URL of the template's queue with ARN ``arn`` (the local stack polls only its own queues)."""
        for (name, attribute), value in self.attributes.items():
            if attribute == "Arn" and value == arn and (name, "QueueUrl") in self.attributes:
                return self.attributes[name, "QueueUrl"]
        raise ValueError(f"{arn} is not a queue of this template")

    def routes(self) -> list[ApiRoute]:
        routes = []
        for name, res in self.of_type("AWS::Serverless::Function").items():
            for event in res["Properties"].get("Events", {}).values():
                if event.get("Type") != "Api":
                    continue
                props = event["Properties"]
                api = props.get("RestApiId", {}).get("Ref", "ServerlessRestApi")
                default = self._api_auth(api).get("DefaultAuthorizer")
                authorizer = self.resolve(props.get("Auth", {}).get("Authorizer", default))
                authorizer = None if authorizer in (None, "NONE") else str(authorizer)
                routes.append(ApiRoute(api, props["Path"], props["Method"].upper(), name, authorizer))
        return routes

    def authorizer(self, api: str, name: str) -> Authorizer:
        spec = self._api_auth(api)["Authorizers"][name]
        if spec.get("FunctionPayloadType") != "REQUEST":
            raise ValueError(f"{api}.{name}: the dev gateway runs REQUEST authorizers only")
        identity = spec.get("Identity", {})
        return Authorizer(
            name=name,
            function=spec["FunctionArn"]["Fn::GetAtt"][0],
            identity_headers=tuple(identity.get("Headers", [])),
            ttl_seconds=int(identity.get("ReauthorizeEvery", 300)),
        )

    def _api_auth(self, api: str) -> dict[str, Any]:
        auth: dict[str, Any] = self.resources.get(api, {}).get("Properties", {}).get("Auth", {})
        return auth

    def gateway_response(
        self, api: str, kind: str, default_status: int, request_id: str
    ) -> tuple[int, dict[str, str], str]:
        """An API's ``GatewayResponses`` entry rendered as API Gateway would: (status, headers, body).

        Without a ``StatusCode`` the response keeps the status API Gateway would have sent
        (``default_status``); header values are ``'static'`` strings or ``context.requestId``.
        """
        responses = self.resources.get(api, {}).get("Properties", {}).get("GatewayResponses", {})
        response = responses.get(kind, {})
        headers = {"Content-Type": "application/json"}
        for name, value in response.get("ResponseParameters", {}).get("Headers", {}).items():
            headers[name] = request_id if value == "context.requestId" else str(value).strip("'")
        body = response.get("ResponseTemplates", {}).get("application/json", '{"message": "Error"}')
        return (
            int(response.get("StatusCode", default_status)),
            headers,
            body.replace("$context.requestId", request_id),
        )


def create_resources(local: LocalTemplate, session: Any) -> None:
    """Create the template's tables, queues and secrets through ``session`` (a boto3 session on moto), and
    record what ``Ref`` and ``Fn::GetAtt`` return for each."""
    dynamodb = session.client("dynamodb")
    for name, res in local.of_type("AWS::DynamoDB::Table").items():
        props = res["Properties"]
        table = props.get("TableName") or f"{local.stack_name}-{name}"
        args: dict[str, Any] = {
            "TableName": table,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        for index in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if index in props:
                args[index] = props[index]
        if "StreamSpecification" in props:
            args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        description = dynamodb.create_table(**args)["TableDescription"]
        local.attributes[name, "Arn"] = description["TableArn"]
        if "LatestStreamArn" in description:
            local.attributes[name, "StreamArn"] = description["LatestStreamArn"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(
                TableName=table,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        local.physical[name] = table

    sqs = session.client("sqs")
    queues = local.of_type("AWS::SQS::Queue")

    def create_queue(name: str) -> None:
        """Create queue ``name`` after the dead-letter queue its RedrivePolicy names, which must exist."""
        if name in local.physical:
            return
        props = queues[name].get("Properties", {})
        attributes = {key: str(local.resolve(props[key])) for key in QUEUE_ATTRIBUTES if key in props}
        redrive = props.get("RedrivePolicy")
        if redrive is not None:
            target = redrive["deadLetterTargetArn"]
            if isinstance(target, dict) and "Fn::GetAtt" in target:
                create_queue(target["Fn::GetAtt"][0])
            attributes["RedrivePolicy"] = json.dumps(local.resolve(redrive))
        url = sqs.create_queue(
            QueueName=props.get("QueueName") or f"{local.stack_name}-{name}", Attributes=attributes
        )["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        local.physical[name] = url
        local.attributes.update(
            {(name, "Arn"): arn, (name, "QueueName"): arn.rsplit(":", 1)[1], (name, "QueueUrl"): url}
        )

    for name in queues:
        create_queue(name)

    secretsmanager = session.client("secretsmanager")
    for name, res in local.of_type("AWS::SecretsManager::Secret").items():
        props = res.get("Properties", {})
        secret_string = props.get("SecretString")
        generate = props.get("GenerateSecretString")
        if generate is not None:
            alphabet = string.ascii_letters + string.digits
            generated = "".join(
                secrets.choice(alphabet) for _ in range(int(generate.get("PasswordLength", 32)))
            )
            if "GenerateStringKey" in generate:
                value = json.loads(generate.get("SecretStringTemplate", "{}"))
                value[generate["GenerateStringKey"]] = generated
                secret_string = json.dumps(value)
            else:
                secret_string = generated
        arn = secretsmanager.create_secret(
            Name=props.get("Name") or f"{local.stack_name}-{name}", SecretString=secret_string or ""
        )["ARN"]
        local.physical[name] = arn

    for name in local.of_type("AWS::Serverless::Function"):  # what a custom resource's ServiceToken names
        local.attributes[name, "Arn"] = local.function_arn(name)
