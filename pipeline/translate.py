"""Translate a SAM template to the plain CloudFormation that the SAM transform would deploy, for checkov.

    python -m pipeline.translate template.yaml .aws-sam/lint/template.json

Runs in the infra lint's virtualenv (``.venv-lint``, which has ``aws-sam-translator``), offline: a fixed
region, account and partition stand in for the deploy's, and no managed policy is looked up by name.
Each SAM resource's ``Metadata`` (its ``checkov: skip:`` list with the reasons) is passed through to every
resource it expands to, which the translator does only when asked (``passthrough_metadata``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import yaml

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (``!Ref X`` is ``{"Ref": "X"}``, ``!GetAtt A.B`` is
    ``{"Fn::GetAtt": ["A", "B"]}``, any other ``!Name`` is ``{"Fn::Name": ...}``)."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    if suffix == "Condition":
        return {"Condition": value}
    return {f"Fn::{suffix}": value}


_CloudFormationLoader.add_multi_constructor("!", _short_form)


def load(path: Path) -> dict[str, Any]:
    template: dict[str, Any] = yaml.load(path.read_text(), Loader=_CloudFormationLoader)  # noqa: S506 - a SafeLoader
    return template


class _NoManagedPolicies:
    """The template names managed policies by ARN, never by name: nothing to look up in IAM."""

    def load(self) -> dict[str, str]:
        return {}


# What `sam package` does to local code: uploads it and writes its S3 location in its place.
_CODE_PROPERTIES = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}


def _as_packaged(template: dict[str, Any]) -> None:
    for resource in template.get("Resources", {}).values():
        key = _CODE_PROPERTIES.get(resource.get("Type", ""))
        properties = resource.get("Properties", {})
        if key and isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
            properties[key] = f"s3://lint-artifacts/{properties[key].strip('/')}.zip"


def translate(template: dict[str, Any]) -> dict[str, Any]:
    _as_packaged(template)
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)  # the translator asks boto3 for a region
    # Its feature toggles (a service-side configuration it does not have offline) warn on every API.
    logging.getLogger("samtranslator.feature_toggle").setLevel(logging.ERROR)
    transform = importlib.import_module("samtranslator.translator.transform").transform
    pseudo = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws"}
    translated: dict[str, Any] = transform(template, pseudo, _NoManagedPolicies(), passthrough_metadata=True)
    return translated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.translate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("template", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    translated = translate(load(args.template))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(translated, indent=1, sort_keys=False) + "\n")
    print(
        f"{args.template} -> {args.output} ({len(translated.get('Resources', {}))} resources)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
