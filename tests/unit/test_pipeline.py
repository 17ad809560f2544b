"""The delivery pipeline's security properties, read from its files: the GitHub workflows (and their local
action), the bootstrap template (OIDC trust, roles, artifact bucket), samconfig.toml's regions, and what the
application template keeps in its region."""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from devserver.template import load_template
from pipeline import samconfig
from pipeline.smoke import Http, SmokeFailed

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
ACTIONS = sorted((ROOT / ".github" / "actions").glob("*/action.y*ml"))
CI = ROOT / ".github" / "workflows" / "ci.yml"
DEPLOY_ACTION = ROOT / ".github" / "actions" / "deploy" / "action.yml"
BOOTSTRAP = load_template(ROOT / "pipeline" / "bootstrap.yaml")
TEMPLATE = load_template(ROOT / "template.yaml")
SHA_PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
LOCAL = ("./", "$/")


def workflow(path: Path) -> dict[str, Any]:
    document: dict[Any, Any] = yaml.safe_load(path.read_text())
    if True in document:  # YAML 1.1 reads the key `on` as a boolean
        document["on"] = document.pop(True)
    return document


def steps_of(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for job in document.get("jobs", {}).values():
        yield from job.get("steps", [])
    yield from document.get("runs", {}).get("steps", [])


def deploys(job: dict[str, Any]) -> bool:
    return any(str(step.get("uses", "")).endswith("/.github/actions/deploy") for step in job.get("steps", []))


CI_JOBS: dict[str, dict[str, Any]] = workflow(CI)["jobs"]
DEPLOY_JOBS = {name: job for name, job in CI_JOBS.items() if deploys(job)}


# --- workflows ---------------------------------------------------------------------------------------
def test_there_are_workflows_and_a_deploy_job_per_environment() -> None:
    assert WORKFLOWS
    assert ACTIONS
    assert set(DEPLOY_JOBS) == {"deploy-sandbox", "deploy-prod"}


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_full_commit_sha_with_its_version_beside_it(path: Path) -> None:
    uses = [step["uses"] for step in steps_of(workflow(path)) if "uses" in step]
    assert uses
    for ref in uses:
        assert ref.startswith(LOCAL) or SHA_PINNED.match(ref), f"{path.name}: {ref} is not pinned to a commit"
    for line in path.read_text().splitlines():
        match = re.match(r"^\s*-?\s*uses:\s*(\S+)(.*)$", line)
        if match and not match[1].startswith(LOCAL):
            assert re.match(r"^\s+# v\d+(\.\d+)*\b", match[2]), f"{path.name}: no version comment: {line}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_nothing_by_default_and_id_token_only_on_deploy_jobs(path: Path) -> None:
    document = workflow(path)
    assert document["permissions"] == {}
    for name, job in document["jobs"].items():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), f"{name} states its permissions"
        if name in DEPLOY_JOBS and path == CI:
            assert permissions == {"contents": "read", "id-token": "write"}, name
        else:
            assert "id-token" not in permissions, name
            assert set(permissions.values()) <= {"read", "none"}, name


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=lambda p: p.name)
def test_checkouts_keep_no_credentials_and_nothing_holds_a_long_lived_key(path: Path) -> None:
    for step in steps_of(workflow(path)):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
        with_ = step.get("with", {})
        assert not {"aws-access-key-id", "aws-secret-access-key", "aws-session-token"} & set(with_)
    text = path.read_text()
    assert "AWS_ACCESS_KEY_ID" not in text
    assert "AWS_SECRET_ACCESS_KEY" not in text
    assert "secrets." not in text  # roles and buckets are variables; there is no secret to hold


def test_triggers_pull_requests_pushes_to_main_and_version_tags() -> None:
    on = workflow(CI)["on"]
    assert "pull_request" in on
    assert on["push"] == {"branches": ["main"], "tags": ["v*.*.*"]}


def test_every_commit_is_tested_and_built_before_any_deploy() -> None:
    assert "bash .ci/run" in [step.get("run") for step in CI_JOBS["test"]["steps"]]
    build = [step.get("run") for step in CI_JOBS["build"]["steps"]]
    assert "sam validate --lint" in build
    assert "sam build" in build
    for name, job in DEPLOY_JOBS.items():
        assert set(job["needs"]) == {"test", "build"}, name


def test_one_deploy_per_environment_at_a_time_never_cancelled() -> None:
    groups = {name: job["concurrency"] for name, job in DEPLOY_JOBS.items()}
    assert groups == {
        "deploy-sandbox": {"group": "deploy-sandbox", "cancel-in-progress": False},
        "deploy-prod": {"group": "deploy-prod", "cancel-in-progress": False},
    }


def test_sandbox_deploys_pushes_to_main_and_prod_version_tags_in_the_prod_environment() -> None:
    sandbox, prod = DEPLOY_JOBS["deploy-sandbox"], DEPLOY_JOBS["deploy-prod"]
    assert sandbox["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert "environment" not in sandbox  # its OIDC subject is the branch: repo:ORG/REPO:ref:refs/heads/main
    assert prod["if"] == "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')"
    assert prod["environment"] in ("prod", {"name": "prod"})  # its subject: repo:ORG/REPO:environment:prod
    for name, job in DEPLOY_JOBS.items():
        (deploy,) = [step for step in job["steps"] if deploys({"steps": [step]})]
        assert deploy["with"] == {
            "config-env": name.removeprefix("deploy-"),
            "deploy-role-arn": "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
            "cfn-execution-role-arn": "${{ vars.AWS_CFN_EXECUTION_ROLE_ARN }}",
            "artifact-bucket": "${{ vars.SAM_ARTIFACT_BUCKET }}",
        }


def test_the_deploy_assumes_the_role_through_oidc_hands_cloudformation_its_role_and_smoke_tests() -> None:
    steps = list(steps_of(workflow(DEPLOY_ACTION)))
    configure = "aws-actions/configure-aws-credentials@"
    (credentials,) = [s for s in steps if s.get("uses", "").startswith(configure)]
    assert credentials["with"]["role-to-assume"] == "${{ inputs.deploy-role-arn }}"
    assert credentials["with"]["aws-region"] == "${{ steps.config.outputs.region }}"  # samconfig.toml's
    runs = [s.get("run", "") for s in steps]
    (deploy,) = [r for r in runs if "sam deploy" in r]
    assert '--config-env "$CONFIG_ENV"' in deploy
    assert '--role-arn "$AWS_CFN_EXECUTION_ROLE_ARN"' in deploy
    assert '--no-resolve-s3 --s3-bucket "$SAM_ARTIFACT_BUCKET"' in deploy
    assert runs.index(deploy) < next(i for i, r in enumerate(runs) if "-m pipeline.smoke --stack" in r)
    for step in steps:  # no expression is expanded into a script: inputs reach scripts as variables
        assert "${{" not in step.get("run", "")


# --- the bootstrap template ----------------------------------------------------------------------------
RESOURCES = BOOTSTRAP["Resources"]
DEPLOY_ROLE = RESOURCES["GitHubDeployRole"]["Properties"]
EXECUTION_ROLE = RESOURCES["CloudFormationExecutionRole"]["Properties"]


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def test_the_oidc_provider_is_githubs_for_sts_and_optional() -> None:
    provider = RESOURCES["GitHubOidcProvider"]
    assert provider["Condition"] == "CreateOidcProvider"
    assert provider["Properties"]["Url"] == "https://token.actions.githubusercontent.com"
    assert provider["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]
    assert BOOTSTRAP["Parameters"]["CreateOidcProvider"]["AllowedValues"] == ["true", "false"]


def test_github_may_assume_the_deploy_role_only_from_this_repositorys_deploy_job() -> None:
    (trust,) = DEPLOY_ROLE["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Effect"] == "Allow"
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    provider = (
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"
    )
    assert trust["Principal"] == {"Federated": {"Fn::Sub": provider}}
    assert set(trust["Condition"]) == {"StringEquals"}  # exact values: no StringLike wildcard
    conditions = trust["Condition"]["StringEquals"]
    assert conditions["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert conditions["token.actions.githubusercontent.com:sub"] == {
        "Fn::Sub": [
            "repo:${GitHubOrg}/${GitHubRepo}:${Subject}",
            {"Subject": {"Fn::FindInMap": ["Environments", {"Ref": "Environment"}, "Subject"]}},
        ]
    }
    subjects = {env: values["Subject"] for env, values in BOOTSTRAP["Mappings"]["Environments"].items()}
    assert subjects == {"sandbox": "ref:refs/heads/main", "prod": "environment:prod"}


def test_the_deploy_role_passes_only_the_execution_role_and_only_to_cloudformation() -> None:
    passing = [s for s in statements(DEPLOY_ROLE) if any(a.startswith("iam:") for a in actions(s))]
    assert passing == [
        {
            "Sid": "HandTheExecutionRoleToCloudFormationOnly",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": {"Fn::GetAtt": ["CloudFormationExecutionRole", "Arn"]},
            "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
        }
    ]


def test_the_deploy_role_can_do_only_what_sam_deploy_and_the_smoke_test_need() -> None:
    granted = {a for s in statements(DEPLOY_ROLE) for a in actions(s)}
    assert {a.split(":")[0] for a in granted} == {"cloudformation", "s3", "iam", "secretsmanager"}
    assert {a for a in granted if a.startswith(("s3:", "iam:", "secretsmanager:"))} == {
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "s3:PutObject",
        "s3:GetObject",
        "iam:PassRole",
        "secretsmanager:GetSecretValue",
    }
    for statement in statements(DEPLOY_ROLE):
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] != "*", statement["Sid"]
        assert "*" not in actions(statement)[0].split(":")[1], statement["Sid"]
    (secret,) = [s for s in statements(DEPLOY_ROLE) if "secretsmanager:GetSecretValue" in actions(s)]
    assert secret["Resource"]["Fn::Sub"][0].endswith(":secret:${StackName}/smoke-test-??????")
    stacks = [s for s in statements(DEPLOY_ROLE) if s["Sid"] == "ChangeSetsOnItsStack"]
    assert stacks[0]["Resource"][0]["Fn::Sub"][0].endswith(":stack/${StackName}/*")


def test_cloudformation_alone_assumes_the_execution_role_and_it_never_touches_the_deploy_roles() -> None:
    (trust,) = EXECUTION_ROLE["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "cloudformation.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    deny = statements(EXECUTION_ROLE)[0]
    assert deny["Effect"] == "Deny"
    assert deny["Action"] == "iam:*"
    # The deployment's own roles are named outside the application stack's prefix (fashionos-<env>-*).
    for role in ("GitHubDeployRole", "CloudFormationExecutionRole", "ApiGatewayLoggingRole"):
        assert RESOURCES[role]["Properties"]["RoleName"]["Fn::Sub"].startswith("fashionos-cd-${Environment}-")


def test_the_execution_role_passes_function_roles_to_lambda_only_and_attaches_only_sams_policies() -> None:
    by_sid = {s["Sid"]: s for s in statements(EXECUTION_ROLE)}
    passing = [s for s in statements(EXECUTION_ROLE) if "iam:PassRole" in actions(s)]
    assert passing == [by_sid["FunctionRolesToLambdaOnly"]]
    assert passing[0]["Condition"] == {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    assert passing[0]["Resource"]["Fn::Sub"][0].endswith(":role/${StackName}-*")
    attach = by_sid["OnlySamsManagedPolicies"]
    assert set(actions(attach)) == {"iam:AttachRolePolicy", "iam:DetachRolePolicy"}
    assert len(attach["Condition"]["ArnEquals"]["iam:PolicyARN"]) == 4
    # A resource "*" only where the action names none (each one is justified beside it in the template).
    unscoped = {s["Sid"] for s in statements(EXECUTION_ROLE) if s["Resource"] == "*"}
    assert unscoped == {"EventSourceMappings", "GenerateSecretStrings", "CreateKeys"}
    assert by_sid["EventSourceMappings"]["Condition"]["ArnLike"]["lambda:FunctionArn"]
    reads = {a for s in statements(EXECUTION_ROLE) for a in actions(s)}
    assert not reads & {"secretsmanager:GetSecretValue", "kms:Decrypt", "dynamodb:GetItem", "dynamodb:Scan"}


def test_the_artifact_bucket_is_private_encrypted_versioned_and_tls_only() -> None:
    bucket = RESOURCES["ArtifactBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (tls,) = RESOURCES["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert (tls["Effect"], tls["Principal"], tls["Action"]) == ("Deny", "*", "s3:*")
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_bootstrap_deploys_the_stacks_samconfig_names() -> None:
    stacks = {env: values["StackName"] for env, values in BOOTSTRAP["Mappings"]["Environments"].items()}
    assert stacks == {env: samconfig.environment(env).stack_name for env in ("sandbox", "prod")}


# --- where data lives ----------------------------------------------------------------------------------
EU_REGIONS = {
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
}


def test_prod_deploys_to_an_eu_region_and_sandbox_stays_where_it_was() -> None:
    assert samconfig.environment("prod").region in EU_REGIONS
    assert samconfig.environment("sandbox").region == "us-east-1"
    assert samconfig.environment("sandbox").stack_name == "fashionos-sandbox"


def test_the_template_replicates_nothing_out_of_its_region() -> None:
    resources = TEMPLATE["Resources"]
    kinds = {resource["Type"] for resource in resources.values()}
    assert not kinds & {
        "AWS::DynamoDB::GlobalTable",
        "AWS::Logs::SubscriptionFilter",
        "AWS::Logs::Destination",
        "AWS::S3::MultiRegionAccessPoint",
    }
    for name, resource in resources.items():
        properties = resource.get("Properties", {})
        assert "ReplicationConfiguration" not in properties, name  # S3
        assert "Replicas" not in properties, name  # DynamoDB
        assert "ReplicaRegions" not in properties, name  # Secrets Manager
        assert "Region" not in properties, name  # e.g. an SNS subscription to another region's queue
    text = (ROOT / "template.yaml").read_text()
    region = r"\b(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:north|south|east|west|central)(?:east|west)?-\d\b"
    assert not re.findall(region, text), "every ARN and endpoint takes ${AWS::Region}, never a named region"


# --- the template's infra-lint fixes and suppressions ------------------------------------------------
def test_every_log_group_keeps_30_days_encrypted_with_the_stacks_key() -> None:
    groups = {n: r for n, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup"}
    assert groups
    for name, group in groups.items():
        assert group["Properties"]["RetentionInDays"] == 30, name
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["LogsKey", "Arn"]}, name


def test_every_function_carries_the_same_infra_lint_suppressions() -> None:
    functions = {n: r for n, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    for name, function in functions.items():
        metadata = function.get("Metadata", {})
        assert metadata.get("cfn-lint") == {"config": {"ignore_checks": ["WS1004"]}}, name
        skips = metadata["checkov"]["skip"]
        assert [skip["id"] for skip in skips] == ["CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"]
        assert all(skip["comment"] for skip in skips), name
    common = {json.dumps(f["Metadata"]["checkov"]["skip"][i]) for f in functions.values() for i in (0, 2, 3)}
    assert len(common) == 3  # one reason per check; only the dead-letter reason depends on the invoker


# --- the smoke test's HTTP ---------------------------------------------------------------------------
class _Flaky(http.server.BaseHTTPRequestHandler):
    answers: ClassVar[list[int]] = []

    def do_GET(self) -> None:
        status = self.answers.pop(0) if self.answers else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[tuple[str, list[int]]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Flaky.answers = []
    yield f"http://127.0.0.1:{server.server_address[1]}/", _Flaky.answers
    server.shutdown()
    server.server_close()


def test_the_smoke_test_retries_5xx_and_429_but_not_a_refusal(flaky: tuple[str, list[int]]) -> None:
    url, answers = flaky
    answers[:] = [503, 429, 200]
    assert Http(attempts=3, backoff_seconds=0.01).request("GET", url).status == 200
    answers[:] = [401]
    assert Http(attempts=3, backoff_seconds=0.01).request("GET", url).status == 401
    answers[:] = [500, 502, 504]
    with pytest.raises(SmokeFailed, match="HTTP 504"):
        Http(attempts=3, backoff_seconds=0.01).request("GET", url)
