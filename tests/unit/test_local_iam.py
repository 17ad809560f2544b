"""The local stack's IAM: which actions and resources an AWS call needs, and how statements allow them."""

import pytest

from devserver.iam import Policy, required

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/t-Partner"
EVENTS = "arn:aws:dynamodb:us-east-1:123456789012:table/t-Events"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/t-Deliveries"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:t-Deliveries"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/keys"
VAULT = "arn:aws:s3:::vault"


def test_a_transaction_needs_each_items_action_on_its_table() -> None:
    items = [
        {"Put": {"TableName": "t-Partner", "Item": {}}},
        {"Update": {"TableName": "t-Events", "Key": {}}},
        {"ConditionCheck": {"TableName": "t-Partner", "Key": {}}},
        {"Delete": {"TableName": "t-Events", "Key": {}}},
    ]
    assert required("dynamodb", "TransactWriteItems", {"TransactItems": items}) == [
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:UpdateItem", EVENTS),
        ("dynamodb:ConditionCheckItem", TABLE),
        ("dynamodb:DeleteItem", EVENTS),
    ]


def test_a_query_on_an_index_needs_the_index() -> None:
    params = {"TableName": "t-Partner", "IndexName": "by-handle"}
    assert required("dynamodb", "Query", params) == [("dynamodb:Query", f"{TABLE}/index/by-handle")]


@pytest.mark.parametrize(
    ("operation", "action"),
    [
        ("SendMessage", "sqs:SendMessage"),
        ("SendMessageBatch", "sqs:SendMessage"),  # a batch action has no permission of its own
        ("ChangeMessageVisibilityBatch", "sqs:ChangeMessageVisibility"),
    ],
)
def test_sqs_calls_need_their_single_message_action_on_the_queue(operation: str, action: str) -> None:
    assert required("sqs", operation, {"QueueUrl": QUEUE_URL}) == [(action, QUEUE)]


def test_s3_reads_of_metadata_need_get_object_on_the_key() -> None:
    params = {"Bucket": "vault", "Key": "orgs/o/assets/a/file"}
    assert required("s3", "HeadObject", params) == [
        ("s3:GetObject", "arn:aws:s3:::vault/orgs/o/assets/a/file")
    ]


def test_statements_allow_by_action_and_resource_with_wildcards_and_deny_wins() -> None:
    policy = Policy.from_documents(
        "F",
        [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:Get*", "dynamodb:Query"],
                "Resource": [TABLE, f"{TABLE}/*"],
            },
            {"Effect": "Deny", "Action": "dynamodb:GetItem", "Resource": f"{TABLE}/index/*"},
        ],
    )
    assert policy.allows("dynamodb:GetItem", TABLE)
    assert policy.allows("DynamoDB:getitem", TABLE)  # actions ignore case
    assert policy.allows("dynamodb:Query", f"{TABLE}/index/by-handle")
    assert not policy.allows("dynamodb:GetItem", f"{TABLE}/index/by-handle")
    assert not policy.allows("dynamodb:PutItem", TABLE)
    assert not policy.allows("dynamodb:GetItem", EVENTS)


def test_check_records_what_was_used_and_what_was_refused() -> None:
    policy = Policy.from_documents("F", [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE}])
    assert policy.check([("sqs:SendMessage", QUEUE)]) is None
    assert policy.check([("sqs:SendMessage", QUEUE), ("sqs:DeleteMessage", QUEUE)]) == (
        "sqs:DeleteMessage",
        QUEUE,
    )
    assert policy.used == {("sqs:SendMessage", QUEUE)}
    assert policy.denied == [("sqs:DeleteMessage", QUEUE)]


def test_statements_the_local_stack_cannot_evaluate_are_refused_not_guessed() -> None:
    with pytest.raises(ValueError, match="Condition"):
        Policy.from_documents(
            "F", [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {}}}]
        )


def test_a_policy_survives_its_trip_to_a_container() -> None:
    policy = Policy.from_documents(
        "F", [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]
    )
    again = Policy.from_json(policy.to_json())
    assert again.function == "F"
    assert again.allows("s3:GetObject", "arn:aws:s3:::b/k")
    assert not again.allows("s3:PutObject", "arn:aws:s3:::b/k")


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("GetSecretValue", {"SecretId": "app/keys"}, [("secretsmanager:GetSecretValue", SECRET)]),
        ("ListSecrets", {}, [("secretsmanager:ListSecrets", "*")]),  # only "*" grants what names no secret
        ("GetRandomPassword", {"PasswordLength": 32}, [("secretsmanager:GetRandomPassword", "*")]),
        (
            "BatchGetSecretValue",
            {"SecretIdList": ["app/keys"]},
            [("secretsmanager:BatchGetSecretValue", "*"), ("secretsmanager:GetSecretValue", SECRET)],
        ),
    ],
)
def test_secrets_manager_calls_need_the_secret_or_star(
    operation: str, params: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert required("secretsmanager", operation, params) == expected


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("ListObjects", {"Bucket": "vault"}, [("s3:ListBucket", "arn:aws:s3:::vault")]),
        (
            "GetObject",
            {"Bucket": "vault", "Key": "k", "VersionId": "v1"},
            [("s3:GetObjectVersion", f"{VAULT}/k")],
        ),
        (
            "DeleteObjects",
            {"Bucket": "vault", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b"}]}},
            [("s3:DeleteObject", f"{VAULT}/a"), ("s3:DeleteObject", f"{VAULT}/b")],
        ),
        (
            "CopyObject",
            {"Bucket": "vault", "Key": "copy", "CopySource": {"Bucket": "inbox", "Key": "up"}},
            [("s3:GetObject", "arn:aws:s3:::inbox/up"), ("s3:PutObject", f"{VAULT}/copy")],
        ),
    ],
)
def test_s3_calls_need_the_actions_iam_names_for_them(
    operation: str, params: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert required("s3", operation, params) == expected
