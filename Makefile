# Developer entry points. `make run` and `make test` are all a fresh clone needs (Python 3.11+ and make).
PYTHON ?= python3
# Another virtualenv (e.g. VENV=/tmp/venv to try the install steps without touching .venv)
VENV ?= .venv
BIN := $(VENV)/bin
# Two installs: what `make run` needs (requirements-run.txt, ~200 MB), then, at the first target that needs
# them, the tools of test, lint and SAM (requirements-dev.txt, which includes the first).
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on
PORT ?= 3000
# Options for `make run` (python -m localdev --help lists them), e.g. ARGS="--exchange fake-hyperliquid" or ARGS=--auth
ARGS ?=
# make run FRESH=1: ignore the state saved in .local/ and start with the demo data (it is replaced at the next save)
FRESH ?=
export SAM_CLI_TELEMETRY := 0

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/\$$(PORT)/$(PORT)/g' | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

$(RUN_STAMP): requirements-run.txt layers/common/requirements.txt | $(BIN)/python
	@echo "Installing what make run needs into $(VENV) (first run only: about 200 MB)"
	$(PIP_INSTALL) -r requirements-run.txt
	touch $(RUN_STAMP)

# requirements-dev.txt includes requirements-run.txt, so this install is also the run install.
$(STAMP): requirements-dev.txt requirements-run.txt layers/common/requirements.txt | $(BIN)/python
	@echo "Installing the test, lint and SAM tools into $(VENV) (first time only: about 560 MB, a few minutes)"
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $(RUN_STAMP) $(STAMP)

venv: $(STAMP) ## Create the virtual environment (.venv) with everything the tools need

run: $(RUN_STAMP) ## Serve the API on http://127.0.0.1:$(PORT) with an embedded moto (no AWS, no Docker), state kept in .local/ (FRESH=1: start anew); options in ARGS, e.g. ARGS="--exchange fake-hyperliquid" or ARGS=--auth
	$(BIN)/python -m localdev --port $(PORT)$(if $(filter-out 0,$(FRESH)), --fresh) $(ARGS)

test: $(STAMP) ## Run every test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff and mypy (the layer, localdev, and each handler on its own: they share the name app.py)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@for handler in functions/*/app.py; do echo "mypy $$handler"; $(BIN)/mypy "$$handler" || exit 1; done

format: $(STAMP) ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

openapi: $(STAMP) ## Write docs/openapi.json from the handlers' routes and models (a test fails when it is stale)
	$(BIN)/python -m tools.openapi

event-schemas: $(STAMP) ## Write docs/events/ (JSON Schemas of the order events) from the models (a test fails when stale)
	$(BIN)/python -m tools.event_schemas

# make dlq: a dead-letter queue of a deployed stack (python -m tools.dlq --help; README, Operations)
STACK ?= hyperoru-orders
QUEUE ?= execution
DLQ ?= inspect

dlq: $(STAMP) ## A deployed stack's dead-letter queue: DLQ=inspect (default), DLQ=redrive or DLQ="purge --yes"; STACK=, QUEUE=execution|publish-events|webhook
	$(BIN)/python -m tools.dlq --stack $(STACK) --queue $(QUEUE) $(DLQ)

validate: $(STAMP) ## sam validate --lint
	$(BIN)/sam validate --lint

build: $(STAMP) ## sam build (cp313 wheels for Lambda, no Docker needed) + Python 3.13 bytecode when it can
	$(BIN)/sam build
	$(BIN)/python -m tools.bytecode .aws-sam/build/CommonLayer/python
	$(BIN)/python -m tools.bytecode .aws-sam/build/VenueLayer/venue

bench: build ## Every benchmark at full size (figures in BENCHMARKS.md); sizes are of this build
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

bench-small: build ## The quick version of every benchmark (what CI runs)
	$(BIN)/python -m benchmarks --small $(BENCH_ARGS)

clean: ## Remove build output and caches
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

.PHONY: help venv run test lint format openapi event-schemas dlq validate build bench bench-small clean

# sam local (Docker): every function in its Lambda container, offline. See "sam local (Docker)" in the README.
SAM_LOCAL_ARGS ?=

sam-local: $(STAMP) ## sam local start-api on :$(PORT) + start-lambda + moto; functions in Lambda containers
	$(BIN)/python -m localdev.sam_local --port $(PORT) $(SAM_LOCAL_ARGS)

test-docker: $(STAMP) ## Only the sam local tests; they fail, rather than skip, without Docker
	HYPERORU_REQUIRE_DOCKER_TESTS=1 $(BIN)/python -m pytest tests/docker $(PYTEST_ARGS)

lambda-image: $(STAMP) ## Build the offline stand-in for the Lambda Python base image (root, dockerd running)
	PYTHON=$(abspath $(BIN)/python) scripts/lambda-image/build.sh

.PHONY: sam-local test-docker lambda-image
