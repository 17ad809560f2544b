"""An environment's stack name and region, as samconfig.toml gives them to ``sam deploy --config-env ENV``.

python -m pipeline.samconfig prod      # stack=fashionos-prod / region=eu-west-1, for $GITHUB_OUTPUT
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

SAMCONFIG = Path(__file__).resolve().parents[1] / "samconfig.toml"


@dataclass(frozen=True)
class Environment:
    name: str
    stack_name: str
    region: str


def environment(name: str, path: Path = SAMCONFIG) -> Environment:
    config = tomllib.loads(path.read_text())
    if name not in config or name == "version":
        raise KeyError(f"{path.name} has no environment {name!r}")
    parameters = config[name]["global"]["parameters"]
    return Environment(name, str(parameters["stack_name"]), str(parameters["region"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.samconfig", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("environment")
    found = environment(parser.parse_args(argv).environment)
    print(f"stack={found.stack_name}\nregion={found.region}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
