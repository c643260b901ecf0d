# briefing: every target installs what it needs first (see `make install`).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch first, pinned: an unpinned torch pulls several GB of CUDA wheels.
TORCH_PIN := torch==2.13.0

.PHONY: install brief test test-fast eval bench nightly lint clean help

help:
	@echo "make brief   - summarize the sample corpus into out/brief/ (installs first)"
	@echo "make test    - run the test suite offline (installs first)"
	@echo "make eval    - run the pipeline on the samples and score it against the references"
	@echo "make bench   - naive transformers recipe vs this pipeline, side by side"
	@echo "make install - create .venv/ with the briefing command"

install: $(STAMP)

$(STAMP): pyproject.toml requirements/spacy-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(TORCH_PIN)
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/spacy-model.txt
	touch $(STAMP)

brief: install
	$(BIN)/briefing batch samples/articles --out out/brief --overwrite

test: install
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest

# The pipeline on the samples, scored against the hand-written references in eval/ and gated
# by eval/gate.yaml. Where the real models are not available (batch exits 2 with the reason),
# only the lead-3 baseline of the reference translations is scored (ungated), and this says so.
EVAL_OUT := out/eval
eval: install
	@set +e; $(BIN)/briefing batch samples/articles --out $(EVAL_OUT)/batch --overwrite; status=$$?; set -e; \
	if [ $$status -eq 2 ]; then \
	  echo "make eval: the real models are not available (see above); scoring the lead-3 baseline only." >&2; \
	  systems=""; \
	else \
	  systems="--predictions briefing=$(EVAL_OUT)/batch --sources $(EVAL_OUT)/batch --gate eval/gate.yaml"; \
	fi; \
	$(BIN)/briefing eval $$systems --references eval/references --sources eval/translations \
	  --sources samples/articles --reference-translations eval/translations --out $(EVAL_OUT)/report

bench: install
	$(BIN)/python -m bench

# The nightly job on the sample sources (configs/nightly.yaml); re-running it is a no-op.
nightly: install
	$(BIN)/briefing nightly --config configs/nightly.yaml

lint: install
	$(BIN)/ruff check pipeline tests

clean:
	rm -rf out .pytest_cache
