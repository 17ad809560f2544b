"""IAM for the local stack: each function may call only what its ``Policies`` in ``template.yaml`` grant.

moto evaluates no IAM, so a call a function's role does not allow would work locally and fail on AWS with
``AccessDenied`` (a 500). The local stack checks every AWS call a function makes, as AWS would: a botocore
``before-parameter-build`` hook works out the IAM actions and resources the call needs (a
``TransactWriteItems`` needs ``PutItem``/``UpdateItem``/... on each item's table, a ``Query`` on an index
needs the index's ARN) and refuses what the function's statements do not allow with the error AWS sends,
``AccessDeniedException``. Each function's ``Policy`` records what it used and what it was refused.

Calls made outside a function (the admin CLI, the demo data, the local pollers acting as Lambda's event
source mappings) are not a function's and are not checked.

This module runs inside the local stack's Lambda containers too, loaded before the function's code, so it
imports only what the Lambda runtime's own bootstrap has already imported (``test_lambda_bootstrap``
checks): anything more would hide a function module that shadows it, where Lambda would not.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from functools import cache

TYPE_CHECKING = False  # typing itself is not imported before the function's code on Lambda
if TYPE_CHECKING:
    from typing import Any

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's account

# TransactWriteItems is no IAM action: each of its items needs the action of its kind on its table.
_TRANSACT_WRITE_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
# S3 operations whose IAM action has another name.
_S3_ACTIONS = {
    "HeadObject": "GetObject",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "HeadBucket": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
}
# ... and their action on one version of an object (a VersionId given).
_S3_VERSION_ACTIONS = {
    "GetObject": "GetObjectVersion",
    "DeleteObject": "DeleteObjectVersion",
    "DeleteObjectTagging": "DeleteObjectVersionTagging",
    "GetObjectTagging": "GetObjectVersionTagging",
    "PutObjectTagging": "PutObjectVersionTagging",
}

Permission = tuple[str, str]  # (IAM action, resource ARN)


class Statement:
    __slots__ = ("actions", "effect", "resources")

    def __init__(self, effect: str, actions: tuple[str, ...], resources: tuple[str, ...]) -> None:
        self.effect, self.actions, self.resources = effect, actions, resources

    def matches(self, action: str, resource: str) -> bool:
        # Actions ignore case; resources do not. Both take * and ? wildcards.
        return any(_wildcard(a, re.IGNORECASE).fullmatch(action) for a in self.actions) and any(
            _wildcard(r).fullmatch(resource) for r in self.resources
        )

    def document(self) -> dict[str, object]:
        return {"Effect": self.effect, "Action": list(self.actions), "Resource": list(self.resources)}


class Policy:
    """What one function's role allows, and what it was asked for (``used``, ``denied``)."""

    def __init__(self, function: str, statements: tuple[Statement, ...]) -> None:
        self.function = function
        self.statements = statements
        self.used: set[Permission] = set()
        self.denied: list[Permission] = []
        self._lock = threading.Lock()

    @classmethod
    def from_documents(cls, function: str, documents: list[Mapping[str, Any]]) -> Policy:
        """From IAM policy statements (``Effect``, ``Action``, ``Resource``; intrinsics resolved)."""
        statements = []
        for statement in documents:
            if not statement.keys() <= {"Sid", "Effect", "Action", "Resource"}:
                raise ValueError(f"The local stack's IAM does not evaluate {sorted(statement)}")
            actions, resources = statement["Action"], statement["Resource"]
            statements.append(
                Statement(
                    str(statement["Effect"]),
                    tuple(map(str, actions if isinstance(actions, list) else [actions])),
                    tuple(map(str, resources if isinstance(resources, list) else [resources])),
                )
            )
        return cls(function, tuple(statements))

    def to_json(self) -> str:
        return json.dumps({"function": self.function, "statements": [s.document() for s in self.statements]})

    @classmethod
    def from_json(cls, text: str) -> Policy:
        value = json.loads(text)
        return cls.from_documents(value["function"], value["statements"])

    def allows(self, action: str, resource: str) -> bool:
        matching = [s for s in self.statements if s.matches(action, resource)]
        return any(s.effect == "Allow" for s in matching) and not any(s.effect == "Deny" for s in matching)

    def check(self, permissions: list[Permission]) -> Permission | None:
        """The first of ``permissions`` not allowed (recorded in ``denied``), else ``None`` (all recorded in
        ``used``)."""
        with self._lock:
            for permission in permissions:
                if not self.allows(*permission):
                    self.denied.append(permission)
                    return permission
            self.used.update(permissions)
            return None


@cache
def _wildcard(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), flags)


# --- what a call needs -------------------------------------------------------------------------------
def required(service: str, operation: str, params: Mapping[str, Any]) -> list[Permission]:
    """The IAM actions and resources a call of ``service`` (its IAM prefix) with ``params`` needs."""
    if service == "dynamodb":
        return _dynamodb(operation, params)
    if service == "sqs":  # a batch needs the permission of its single-message action
        return [(f"sqs:{operation.removesuffix('Batch')}", _queue_arn(params))]
    if service == "secretsmanager":
        if operation == "BatchGetSecretValue":  # and GetSecretValue on each secret
            ids = params.get("SecretIdList", [])
            return [("secretsmanager:BatchGetSecretValue", "*")] + [
                ("secretsmanager:GetSecretValue", _secret_arn(str(secret))) for secret in ids
            ]
        # ListSecrets, GetRandomPassword...: no secret named, so only "*" grants them
        secret_id = params.get("SecretId")
        return [(f"secretsmanager:{operation}", _secret_arn(str(secret_id)) if secret_id else "*")]
    if service == "s3":
        return _s3(operation, params)
    return [(f"{service}:{operation}", "*")]


def _s3(operation: str, params: Mapping[str, Any]) -> list[Permission]:
    bucket = f"arn:aws:s3:::{params.get('Bucket', '*')}"
    if operation == "DeleteObjects":
        keys = params.get("Delete", {}).get("Objects", [])
        return [
            (f"s3:DeleteObject{'Version' if key.get('VersionId') else ''}", f"{bucket}/{key['Key']}")
            for key in keys
        ]
    if "Key" not in params:
        return [(f"s3:{_S3_ACTIONS.get(operation, operation)}", bucket)]
    resource = f"{bucket}/{params['Key']}"
    if operation == "CopyObject":  # reads the source, writes the copy
        source = params.get("CopySource")
        source_key = f"{source['Bucket']}/{source['Key']}" if isinstance(source, dict) else str(source)
        return [("s3:GetObject", f"arn:aws:s3:::{source_key.lstrip('/')}"), ("s3:PutObject", resource)]
    action = _S3_ACTIONS.get(operation, operation)
    if params.get("VersionId"):
        action = _S3_VERSION_ACTIONS.get(action, action)
    return [(f"s3:{action}", resource)]


def _table_arn(name: str) -> str:
    return name if name.startswith("arn:") else f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"


def _dynamodb(operation: str, params: Mapping[str, Any]) -> list[Permission]:
    if operation == "TransactWriteItems":
        return [
            (f"dynamodb:{_TRANSACT_WRITE_ACTIONS[kind]}", _table_arn(body["TableName"]))
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    if operation == "TransactGetItems":
        return [
            ("dynamodb:GetItem", _table_arn(item["Get"]["TableName"])) for item in params["TransactItems"]
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", _table_arn(table)) for table in params["RequestItems"]]
    resource = _table_arn(str(params.get("TableName", "*")))
    if "IndexName" in params:
        resource += f"/index/{params['IndexName']}"
    return [(f"dynamodb:{operation}", resource)]


def _queue_arn(params: Mapping[str, Any]) -> str:
    if "QueueUrl" in params:  # https://sqs.<region>.amazonaws.com/<account>/<name>
        account, name = str(params["QueueUrl"]).rstrip("/").rsplit("/", 2)[-2:]
        return f"arn:aws:sqs:{REGION}:{account}:{name}"
    return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{params.get('QueueName', '*')}"


def _secret_arn(secret_id: str) -> str:
    if secret_id.startswith("arn:"):
        return secret_id
    return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{secret_id}"


# --- enforcement --------------------------------------------------------------------------------------
def _no_function() -> Policy | None:
    return None


_policy_in_force: Callable[[], Policy | None] = _no_function
_denials_log: str | None = None


def _check(params: Mapping[str, Any], model: Any, context: Any = None, **_: Any) -> None:
    policy = _policy_in_force()
    if policy is None:
        return
    if model.name == "CreateBucket" and (context or {}).get("is_presign_request"):
        # generate_presigned_post, which botocore builds on CreateBucket's model: signing a form is no AWS
        # call. S3 checks the signer's s3:PutObject (and s3:PutObjectTagging) on the key when the form is
        # posted, which the local stack cannot tie to a function.
        return
    service = model.service_model.signing_name
    denied = policy.check(required(service, model.name, params))
    if denied is None:
        return
    action, resource = denied
    if _denials_log is not None:
        with open(_denials_log, "a") as log:
            log.write(
                json.dumps({"function": policy.function, "action": action, "resource": resource}) + "\n"
            )
    from botocore.exceptions import ClientError

    message = (
        f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{policy.function}Role/{policy.function} is not "
        f"authorized to perform: {action} on resource: {resource} because no identity-based policy allows "
        f"the {action} action"
    )
    raise ClientError(
        {
            "Error": {
                "Code": "AccessDenied" if service == "s3" else "AccessDeniedException",
                "Message": message,
            }
        },
        model.name,
    )


def install(
    policy_in_force: Callable[[], Policy | None], handlers: Any, denials_log: str | None = None
) -> None:
    """Check the calls of every botocore session created from now on, for the function
    ``policy_in_force()`` names (``None``: not a function's call). ``handlers`` is ``botocore.handlers``,
    whose ``BUILTIN_HANDLERS`` every new session registers (moto's own mock hooks in the same way);
    ``denials_log`` gets one JSON line per refused call."""
    global _policy_in_force, _denials_log
    _policy_in_force, _denials_log = policy_in_force, denials_log
    if ("before-parameter-build", _check) not in handlers.BUILTIN_HANDLERS:
        handlers.BUILTIN_HANDLERS.append(("before-parameter-build", _check))
