# Developer entry points. `make run` and `make test` are all a fresh clone needs (Python 3.11+ and make).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3000
export SAM_CLI_TELEMETRY := 0

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt layers/common/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP) ## Create the virtual environment (.venv) with everything the tools need

run: $(STAMP) ## Serve the API on http://127.0.0.1:$(PORT) with an embedded moto (no AWS, no Docker)
	$(BIN)/python -m localdev --port $(PORT)

test: $(STAMP) ## Run every test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP) ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

openapi: $(STAMP) ## Write docs/openapi.json from the handlers' routes and models (a test fails when it is stale)
	$(BIN)/python -m localdev.openapi

validate: $(STAMP) ## sam validate --lint
	$(BIN)/sam validate --lint

build: $(STAMP) ## sam build (cp313 wheels for the Lambda architecture, no Docker)
	$(BIN)/sam build

clean: ## Remove build output and caches
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

.PHONY: help venv run test lint format openapi validate build clean
