VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install test lint index eval

install:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install torch==2.13.0
	$(VENV)/bin/pip install -e '.[dev]'

test:
	$(PY) -m pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

index:
	$(VENV)/bin/newsqa index

eval:
	$(VENV)/bin/newsqa eval ../shared/eval/seed_qa_dev.jsonl
