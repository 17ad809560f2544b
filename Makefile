# The verbs people expect. `make dev` and `make test` set everything up on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Lambda runtime is python3.13: use one when the machine has it (on PATH or through pyenv),
# otherwise the newest python3 >= 3.11.
PYTHON ?= $(shell for c in python3.13 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 2>/dev/null | sort -V | tail -n1) python3.12 python3.11 python3; do \
	p=$$(command -v $$c 2>/dev/null) || continue; \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Postman tools (openapi-to-postmanv2, newman) that package-lock.json pins; make test installs them when
# there is an npm.
NODE_STAMP := node_modules/.installed
NPM := $(shell command -v npm 2>/dev/null)

.PHONY: help venv dev test lint typecheck validate lint-infra unit integration e2e bench build deploy clean openapi fuzz postman

help:
	@echo "make dev    - local stack (moto server + dev gateway) with demo data"
	@echo "make test   - lint, type checks, template validation and all tests"
	@echo "make lint-infra - actionlint, zizmor, cfn-lint (serverless rules), checkov: CI and infrastructure"
	@echo "make bench  - benchmarks (ratios measured in one run)"
	@echo "make openapi - regenerate both OpenAPI documents from the code"
	@echo "make fuzz   - schemathesis against a local stack for FUZZ_MINUTES (default 10)"
	@echo "make postman - regenerate both Postman collections (postman/) from the OpenAPI documents"
	@echo "make build  - sam build;  make deploy ENV=sandbox|prod - sam deploy"

venv: $(STAMP)

# The package's version lives in layers/fashionos/__init__.py (pyproject reads it): a new one reinstalls.
$(STAMP): pyproject.toml layers/fashionos/__init__.py
	@test -n "$(PYTHON)" || { echo "No python >= 3.11 found" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

dev: $(STAMP)
	$(BIN)/python -m devserver

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

validate: $(STAMP)
	$(BIN)/cfn-lint template.yaml

test: lint typecheck validate lint-infra $(if $(NPM),$(NODE_STAMP),no-npm)
	$(BIN)/pytest -n 2 --dist loadgroup

# What cannot run here, linted: the GitHub workflows (actionlint, with shellcheck on their scripts; zizmor,
# offline), template.yaml and pipeline/bootstrap.yaml (cfn-lint with the serverless rules of
# cfn-lint-serverless; checkov, on the template as the SAM transform expands it: pipeline/translate.py). Any
# finding fails; a suppression sits on its resource with its reason (README, "Continuous deployment").
# The tools pin their own dependency versions: their own virtualenv, from pipeline/lint-requirements.txt.
LINT_VENV := .venv-lint
LINT_BIN := $(LINT_VENV)/bin
LINT_STAMP := $(LINT_VENV)/.installed
$(LINT_STAMP): pipeline/lint-requirements.txt
	@test -n "$(PYTHON)" || { echo "No python >= 3.11 found" >&2; exit 1; }
	@test -x $(LINT_BIN)/python || $(PYTHON) -m venv $(LINT_VENV)
	$(LINT_BIN)/python -m pip install -q --upgrade pip
	$(LINT_BIN)/python -m pip install -q -r pipeline/lint-requirements.txt
	@touch $(LINT_STAMP)

lint-infra: $(LINT_STAMP)
	$(LINT_BIN)/actionlint -shellcheck=$(LINT_BIN)/shellcheck -pyflakes=
	$(LINT_BIN)/zizmor --offline --quiet .github/
	$(LINT_BIN)/cfn-lint -a cfn_lint_serverless.rules -- template.yaml pipeline/bootstrap.yaml
	$(LINT_BIN)/python -m pipeline.translate template.yaml .aws-sam/lint/template.json
	$(LINT_BIN)/checkov --quiet --compact --skip-download --framework cloudformation \
		-f .aws-sam/lint/template.json -f pipeline/bootstrap.yaml

bench: $(STAMP)
	$(BIN)/python -m bench

openapi: $(STAMP)
	$(BIN)/python -m apispec

# schemathesis against a local stack of its own, every check on, FUZZ_MINUTES per API (make test runs a
# bounded pass of the same: tests/e2e/test_fuzz.py).
FUZZ_MINUTES ?= 10
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz --minutes $(FUZZ_MINUTES)

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NODE_STAMP)

postman: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m apispec.postman

.PHONY: no-npm
no-npm:
	@echo "npm not found: tests/e2e/test_postman.py will skip (install Node.js 20 and npm for it)"

# sam needs Docker only for `sam local`; build and deploy run without it. It lives in its own
# virtualenv because it pins its own versions of boto3 and friends.
SAM := .venv-sam/bin/sam
$(SAM):
	$(PYTHON) -m venv .venv-sam
	.venv-sam/bin/python -m pip install -q aws-sam-cli

build: $(SAM)
	PATH="$(dir $(PYTHON)):$$PATH" $(SAM) build

ENV ?= sandbox
deploy: build
	$(SAM) deploy --config-env $(ENV)

clean:
	rm -rf $(VENV) .venv-sam $(LINT_VENV) .aws-sam .dev .pytest_cache .mypy_cache .ruff_cache node_modules .schemathesis .hypothesis
