VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install test lint index eval policy

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

# Refit retrieval/policy.json on the dev sets with the real model (see README > Answer quality).
policy:
	$(PY) scripts/fit_policy.py --model "$$(PYTHON=$(PY) ../shared/tools/real-e5-small)"
