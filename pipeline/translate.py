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

from devserver.template import load_template

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"


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
    translated = translate(load_template(args.template))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(translated, indent=1, sort_keys=False) + "\n")
    print(
        f"{args.template} -> {args.output} ({len(translated.get('Resources', {}))} resources)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
