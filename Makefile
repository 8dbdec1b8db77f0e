# The README's two commands are `make run` and `make test`; CI runs `make test` via .ci/run.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: venv setup run test evals evals-fast bench check index browser clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU torch first, from the local wheel: any other torch spec pulls a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

setup: $(STAMP) index

index: $(STAMP)
	$(BIN)/harbour ingest

run: setup
	$(BIN)/harbour serve --host $(HOST) --port $(PORT)

# Debian's chromium for the browser tests (skipped, with a reason, where it cannot be installed).
browser:
	@bash scripts/install-browser.sh

test: $(STAMP) browser
	$(BIN)/harbour kb check
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest
	# The CI subset of the evals, on the real index (vectors come from the passage cache).
	$(BIN)/harbour ingest
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/harbour eval --fast

evals: setup
	$(BIN)/harbour eval

evals-fast: setup
	$(BIN)/harbour eval --fast

bench: setup
	$(BIN)/python scripts/bench.py

check: $(STAMP)
	$(BIN)/ruff check assistant knowledge_base ingestion api evals tests scripts

clean:
	rm -rf $(VENV) data
