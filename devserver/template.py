"""``template.yaml`` read for the local stack: the same resources, functions and routes as a deploy.

Only what the local stack needs is interpreted: DynamoDB tables, SQS queues and their policies, S3 buckets
(versioning, encryption, public access block, ownership controls, lifecycle rules, CORS, tags and queue
notifications) and their policies, Secrets Manager secrets, function environments (SAM ``Globals``
merged), ``Api`` events and the ``SQS`` and ``DynamoDB`` (stream) events that event source mappings poll.
Intrinsics are resolved against local names.
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
# API Gateway's $context.error.message of the responses it answers itself, by kind.
GATEWAY_MESSAGES = {
    "REQUEST_TOO_LARGE": "Request Too Long",
    "MISSING_AUTHENTICATION_TOKEN": "Missing Authentication Token",
    "UNAUTHORIZED": "Unauthorized",
    "ACCESS_DENIED": "User is not authorized to access this resource",
    "AUTHORIZER_FAILURE": "Internal server error",
    "DEFAULT_5XX": "Internal server error",
}
# The queue properties that are SetQueueAttributes attributes of the same name (RedrivePolicy is JSON).
QUEUE_ATTRIBUTES = (
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
)


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (``!Ref X`` is ``{"Ref": "X"}``, ``!GetAtt A.B`` is
    ``{"Fn::GetAtt": ["A", "B"]}``, ``!Condition C`` is ``{"Condition": "C"}``, any other ``!Name`` is
    ``{"Fn::Name": ...}``)."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
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
                return self._sub(text, extra)
            if key == "Fn::GetAtt":
                name, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
                return self.get_att(name, attribute)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def _sub(self, text: str, extra: dict[str, Any]) -> str:
        """``Fn::Sub``: ``${Name}`` is a variable of ``extra`` or a ``Ref``, ``${Name.Attribute}`` a
        ``Fn::GetAtt``, ``${!Literal}`` the text ``${Literal}``."""

        def replace(match: re.Match[str]) -> str:
            name = match[1]
            if name.startswith("!"):
                return f"${{{name[1:]}}}"
            if name in extra:
                return str(extra[name])
            if "." in name and not name.startswith("AWS::"):
                resource, attribute = name.split(".", 1)
                return self.get_att(resource, attribute)
            return self._ref(name)

        return re.sub(r"\$\{([^}]+)\}", replace, text)

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
        pseudo = {
            "AWS::Region": REGION,
            "AWS::StackName": self.stack_name,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.physical:
            return self.physical[name]
        resource = self.resources.get(name, {})
        if resource.get("Type") == "AWS::Logs::LogGroup" and "LogGroupName" in resource["Properties"]:
            return str(self.resolve(resource["Properties"]["LogGroupName"]))  # a log group's Ref is its name
        if resource.get("Type") == "AWS::S3::Bucket":  # and a bucket's, known before it exists
            return self.bucket_name(name)
        return f"{self.stack_name}-{name}"

    def bucket_name(self, name: str) -> str:
        """Bucket ``name``'s ``BucketName``, else the name CloudFormation would make of the stack's and the
        logical id (bucket names are lower-case)."""
        given = self.resources[name].get("Properties", {}).get("BucketName")
        return str(self.resolve(given)) if given else f"{self.stack_name}-{name}".lower()

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
        # A kind the API does not customise takes its DEFAULT_4XX or DEFAULT_5XX, as on API Gateway.
        default = "DEFAULT_5XX" if default_status >= 500 else "DEFAULT_4XX"
        response = responses.get(kind) or responses.get(default, {})
        headers = {"Content-Type": "application/json"}
        for name, value in response.get("ResponseParameters", {}).get("Headers", {}).items():
            headers[name] = (
                request_id if value == "context.requestId" else str(self.resolve(value)).strip("'")
            )
        body = response.get("ResponseTemplates", {}).get("application/json", '{"message": "Error"}')
        message = json.dumps(GATEWAY_MESSAGES.get(kind, "Error"))  # $context.error.messageString is quoted
        return (
            int(response.get("StatusCode", default_status)),
            headers,
            body.replace("$context.requestId", request_id).replace("$context.error.messageString", message),
        )


def create_resources(local: LocalTemplate, session: Any) -> None:
    """Create the template's tables, queues (and their policies), buckets (and theirs) and secrets through
    ``session`` (a boto3 session on moto), and record what ``Ref`` and ``Fn::GetAtt`` return for each."""
    if "moto" in sys.modules:  # moto in this process (the tests' mock_aws): S3 as the moto server serves it
        from devserver.moto_serial import s3_like_aws

        s3_like_aws()
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

    # Queue policies before the buckets (S3 checks that it may send to a queue when a notification is set:
    # a bucket with notifications DependsOn its queue's policy). moto stores a queue's Policy attribute and
    # evaluates none of it; the check below is S3's, at deploy time.
    queue_policies: dict[str, dict[str, Any]] = {}  # queue ARN → its policy document
    for res in local.of_type("AWS::SQS::QueuePolicy").values():
        props = local.resolve(res["Properties"])
        for url in props["Queues"]:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(props["PolicyDocument"])})
            queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
            queue_policies[queue_arn["QueueArn"]] = props["PolicyDocument"]

    s3 = session.client("s3")
    for name, res in local.of_type("AWS::S3::Bucket").items():
        create_bucket(local, s3, name, res.get("Properties", {}), queue_policies)
    # Stored as S3 stores it; evaluated neither by moto (``moto_serial.s3_like_aws`` keeps it from refusing
    # requests on conditions it cannot evaluate, such as aws:SecureTransport) nor by the local stack.
    for res in local.of_type("AWS::S3::BucketPolicy").values():
        props = local.resolve(res["Properties"])
        s3.put_bucket_policy(Bucket=props["Bucket"], Policy=json.dumps(props["PolicyDocument"]))

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


# --- S3 buckets: CloudFormation's properties in the S3 API's shapes -----------------------------------
BUCKET_PROPERTIES = {
    "BucketName",
    "VersioningConfiguration",
    "BucketEncryption",
    "PublicAccessBlockConfiguration",
    "OwnershipControls",
    "LifecycleConfiguration",
    "NotificationConfiguration",
    "CorsConfiguration",
    "Tags",
}


def create_bucket(
    local: LocalTemplate,
    s3: Any,
    name: str,
    properties: dict[str, Any],
    queue_policies: dict[str, dict[str, Any]],
) -> None:
    """Create bucket ``name`` with its configuration; its notifications only to queues whose policy lets
    S3 send them (``queue_policies``: queue ARN → policy document), as S3 refuses the others."""
    unknown = set(properties) - BUCKET_PROPERTIES
    if unknown:
        raise ValueError(f"{name}: the local stack does not create buckets with {sorted(unknown)}")
    props = local.resolve(properties)
    bucket = local.bucket_name(name)
    location = {} if REGION == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
    s3.create_bucket(Bucket=bucket, **location)
    arn = f"arn:aws:s3:::{bucket}"
    local.physical[name] = bucket
    local.attributes.update(
        {
            (name, "Arn"): arn,
            (name, "DomainName"): f"{bucket}.s3.amazonaws.com",
            (name, "RegionalDomainName"): f"{bucket}.s3.{REGION}.amazonaws.com",
            (name, "DualStackDomainName"): f"{bucket}.s3.dualstack.{REGION}.amazonaws.com",
        }
    )
    if "VersioningConfiguration" in props:
        s3.put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": props["VersioningConfiguration"]["Status"]}
        )
    if "BucketEncryption" in props:
        rules = [
            {
                "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                **({"BucketKeyEnabled": rule["BucketKeyEnabled"]} if "BucketKeyEnabled" in rule else {}),
            }
            for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules})
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
    if "OwnershipControls" in props:
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=props["OwnershipControls"])
    if "Tags" in props:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": props["Tags"]})
    if "CorsConfiguration" in props:
        s3.put_bucket_cors(
            Bucket=bucket,
            CORSConfiguration={"CORSRules": [cors_rule(r) for r in props["CorsConfiguration"]["CorsRules"]]},
        )
    if "LifecycleConfiguration" in props:  # moto stores the rules; it runs none of them
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={
                "Rules": [lifecycle_rule(rule) for rule in props["LifecycleConfiguration"]["Rules"]]
            },
        )
    if "NotificationConfiguration" in props:
        notifications = notification_configuration(name, props["NotificationConfiguration"])
        for queue in notifications["QueueConfigurations"]:
            policy = queue_policies.get(queue["QueueArn"], {})
            if not allows_s3_notifications(policy, queue["QueueArn"], arn):
                raise ValueError(
                    f"{name}: Unable to validate the following destination configurations "
                    f"({queue['QueueArn']}): no queue policy lets s3.amazonaws.com send it this bucket's "
                    "notifications (S3 refuses the notification, and CloudFormation the bucket)"
                )
        # moto then sends each queue an s3:TestEvent message, as S3 does
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=notifications)


def _renamed(properties: dict[str, Any], names: dict[str, str], what: str) -> dict[str, Any]:
    unknown = set(properties) - set(names)
    if unknown:
        raise ValueError(f"The local stack does not translate {what} {sorted(unknown)}")
    return {names[key]: value for key, value in properties.items()}


def cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    names = {
        "AllowedHeaders": "AllowedHeaders",
        "AllowedMethods": "AllowedMethods",
        "AllowedOrigins": "AllowedOrigins",
        "ExposedHeaders": "ExposeHeaders",
        "Id": "ID",
        "MaxAge": "MaxAgeSeconds",
    }
    return _renamed(rule, names, "CORS rule properties")


def lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation ``LifecycleConfiguration`` rule as ``PutBucketLifecycleConfiguration`` takes it."""
    rule = dict(rule)
    result: dict[str, Any] = {"Status": rule.pop("Status")}
    if "Id" in rule:
        result["ID"] = rule.pop("Id")
    # Filter: one condition alone, or several under And
    conditions: dict[str, Any] = {}
    if "Prefix" in rule:
        conditions["Prefix"] = rule.pop("Prefix")
    tags = rule.pop("TagFilters", [])
    for size in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        if size in rule:
            conditions[size] = int(rule.pop(size))
    if tags:
        conditions["Tags"] = [{"Key": tag["Key"], "Value": tag["Value"]} for tag in tags]
    if len(conditions) > 1 or len(tags) > 1:
        result["Filter"] = {"And": conditions}
    elif tags:
        result["Filter"] = {"Tag": conditions["Tags"][0]}
    else:
        result["Filter"] = conditions or {"Prefix": ""}
    expiration = {
        api: rule.pop(cfn)
        for cfn, api in (
            ("ExpirationInDays", "Days"),
            ("ExpirationDate", "Date"),
            ("ExpiredObjectDeleteMarker", "ExpiredObjectDeleteMarker"),
        )
        if cfn in rule
    }
    if expiration:
        result["Expiration"] = expiration
    if "NoncurrentVersionExpirationInDays" in rule:
        result["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": rule.pop("NoncurrentVersionExpirationInDays")
        }
    if "NoncurrentVersionExpiration" in rule:
        result["NoncurrentVersionExpiration"] = _renamed(
            rule.pop("NoncurrentVersionExpiration"),
            {"NoncurrentDays": "NoncurrentDays", "NewerNoncurrentVersions": "NewerNoncurrentVersions"},
            "NoncurrentVersionExpiration properties",
        )
    if "AbortIncompleteMultipartUpload" in rule:
        result["AbortIncompleteMultipartUpload"] = _renamed(
            rule.pop("AbortIncompleteMultipartUpload"),
            {"DaysAfterInitiation": "DaysAfterInitiation"},
            "AbortIncompleteMultipartUpload properties",
        )
    transitions = [*rule.pop("Transitions", []), *([rule.pop("Transition")] if "Transition" in rule else [])]
    if transitions:
        names = {"StorageClass": "StorageClass", "TransitionInDays": "Days", "TransitionDate": "Date"}
        result["Transitions"] = [_renamed(t, names, "transition properties") for t in transitions]
    noncurrent = [
        *rule.pop("NoncurrentVersionTransitions", []),
        *([rule.pop("NoncurrentVersionTransition")] if "NoncurrentVersionTransition" in rule else []),
    ]
    if noncurrent:
        names = {
            "StorageClass": "StorageClass",
            "TransitionInDays": "NoncurrentDays",
            "NewerNoncurrentVersions": "NewerNoncurrentVersions",
        }
        result["NoncurrentVersionTransitions"] = [
            _renamed(t, names, "noncurrent version transition properties") for t in noncurrent
        ]
    if rule:
        raise ValueError(f"The local stack does not translate lifecycle rule properties {sorted(rule)}")
    return result


def notification_configuration(bucket: str, configuration: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation ``NotificationConfiguration`` as ``PutBucketNotificationConfiguration`` takes it:
    queues only (the local stack has no SNS, and its functions are not moto's)."""
    unknown = set(configuration) - {"QueueConfigurations"}
    if unknown:
        raise ValueError(
            f"{bucket}: the local stack sends bucket notifications to queues only, not {unknown}"
        )
    queues = []
    for queue in configuration["QueueConfigurations"]:
        translated: dict[str, Any] = {"QueueArn": queue["Queue"], "Events": [queue["Event"]]}
        if "Filter" in queue:
            rules = queue["Filter"]["S3Key"]["Rules"]
            translated["Filter"] = {
                "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
            }
        queues.append(translated)
    return {"QueueConfigurations": queues}


# The condition operators and keys S3 gives a queue policy to evaluate when it sends a notification.
_ARN_OR_STRING = {"ArnEquals", "ArnLike", "StringEquals", "StringLike"}


def allows_s3_notifications(document: dict[str, Any], queue_arn: str, bucket_arn: str) -> bool:
    """Whether queue policy ``document`` lets S3 send ``bucket_arn``'s notifications to ``queue_arn``, as S3
    checks when the notification is set. Statements the local stack cannot evaluate are refused, not
    guessed."""
    context = {"aws:sourcearn": bucket_arn, "aws:sourceaccount": ACCOUNT_ID}

    def listed(value: Any) -> list[Any]:
        return value if isinstance(value, list) else [value]

    def like(pattern: str, value: str, flags: int = 0) -> bool:
        regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
        return re.fullmatch(regex, value, flags) is not None

    def for_s3(principal: Any) -> bool:
        if principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*"):
            return True
        return isinstance(principal, dict) and "s3.amazonaws.com" in listed(principal.get("Service", []))

    def holds(conditions: dict[str, Any]) -> bool:
        for operator, tests in conditions.items():
            if operator not in _ARN_OR_STRING:
                raise ValueError(f"The local stack does not evaluate queue policy conditions {operator}")
            for key, values in tests.items():
                if key.lower() not in context:
                    raise ValueError(f"The local stack does not evaluate queue policy condition key {key}")
                actual = context[key.lower()]
                if not any(
                    like(str(v), actual) if operator != "StringEquals" else str(v) == actual
                    for v in listed(values)
                ):
                    return False
        return True

    allowed = False
    for statement in listed(document.get("Statement", [])):
        unsupported = set(statement) & {"NotAction", "NotResource", "NotPrincipal"}
        if unsupported:
            raise ValueError(f"The local stack does not evaluate queue policy statements with {unsupported}")
        if not (
            for_s3(statement.get("Principal"))
            and any(like(a, "sqs:SendMessage", re.IGNORECASE) for a in listed(statement.get("Action", [])))
            and any(like(r, queue_arn) for r in listed(statement.get("Resource", "*")))
            and holds(statement.get("Condition", {}))
        ):
            continue
        if statement["Effect"] == "Deny":
            return False
        allowed = True
    return allowed
