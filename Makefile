# briefing: every target installs what it needs first (see `make install`).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The extras every install gets, so that one environment runs every test (ray's included).
EXTRAS := dev ray
EXTRA_FLAGS := $(addprefix --extra ,$(EXTRAS))

# uv installs from uv.lock. A uv of exactly UV_VERSION on PATH is used as it is; otherwise
# make installs that one (hash-checked, from requirements/uv.txt) into .tools/uv with pip.
UV_VERSION := 0.13.9
UV_BOOT := .tools/uv
ifndef UV
UV := $(shell [ "$$(uv --version 2>/dev/null | cut -d' ' -f2)" = "$(UV_VERSION)" ] && command -v uv || echo $(UV_BOOT)/bin/uv)
endif
# uv uses the Python that PYTHON names and never downloads one; its venv is $(VENV).
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install lock brief test docs eval bench factuality nightly lint clean help

help:
	@echo "make install - create .venv/ from uv.lock: the briefing command, dev and ray extras"
	@echo "make brief   - summarize the sample corpus into out/brief/ (installs first)"
	@echo "make test    - run the test suite offline (installs first)"
	@echo "make docs    - build the docs/ site into site/ (MkDocs, strict: a broken link fails)"
	@echo "make eval    - run the pipeline on the samples and score it against the references"
	@echo "make bench   - naive transformers recipe vs this pipeline, side by side"
	@echo "make factuality - the claim check vs a one-line baseline on FRANK's human labels"
	@echo "make nightly - the nightly job on the sample sources (configs/nightly.yaml)"
	@echo "make lint    - ruff on pipeline/ and tests/"
	@echo "make lock    - re-create uv.lock from pyproject.toml (LOCK_ARGS=--upgrade: newest of all)"
	@echo "make clean   - remove out/, site/ and .pytest_cache/"
	@echo "make help    - this list"

install: $(STAMP)

# Exactly what uv.lock says, every file checked against its sha256. --locked: a uv.lock that
# is out of date with pyproject.toml is an error here, never a silent re-resolve (`make lock`).
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked $(EXTRA_FLAGS) --python $(PYTHON)
	@$(BIN)/python -c "import importlib.metadata as m, sys; t = m.version('torch'); \
	  cuda = sorted(n for n in (d.metadata['Name'].lower() for d in m.distributions()) if n.startswith(('nvidia', 'triton'))); \
	  sys.exit(f'make install: torch {t} and {cuda}: expected the CPU wheel, no CUDA packages') if '+cpu' not in t or cuda else None"
	touch $(STAMP)

$(UV_BOOT)/bin/uv: requirements/uv.txt
	rm -rf $(UV_BOOT)
	$(PYTHON) -m pip install -qq --no-deps --require-hashes --target $(UV_BOOT) -r requirements/uv.txt
	touch $@

# Resolve pyproject.toml into uv.lock again (keeping the other pins where they still fit;
# `make lock LOCK_ARGS=--upgrade` takes the newest of everything). Commit uv.lock with it.
LOCK_ARGS ?=
lock: | $(UV)
	$(UV) lock --python $(PYTHON) $(LOCK_ARGS)

brief: install
	$(BIN)/briefing batch samples/articles --out out/brief --overwrite

test: install
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest

# The reference documentation (docs/, mkdocs.yml) as a site in site/; strict: any warning,
# a broken link or anchor among them, fails the build.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

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

# The claim check against FRANK (../shared/factuality/frank; skipped when absent).
factuality: install
	$(BIN)/python -m bench factuality

# The nightly job on the sample sources (configs/nightly.yaml); re-running it is a no-op.
nightly: install
	$(BIN)/briefing nightly --config configs/nightly.yaml

lint: install
	$(BIN)/ruff check pipeline tests
	$(BIN)/lint-imports

clean:
	rm -rf out site .pytest_cache
