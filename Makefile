VENV ?= .venv
PY := $(VENV)/bin/python
REAL_MODEL = $$(PYTHON=$(PY) ../shared/tools/real-e5-small)
# benchmarks/run.py's sizes (see its docstring): hours at these; `make bench BENCH_SIZES=1000` is minutes.
BENCH_SIZES ?= 1000 10000 100000
BENCH_DENSE_SIZES ?= 300

.PHONY: install test test-fast lint index eval policy bench

install:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install torch==2.13.0
	$(VENV)/bin/pip install -e '.[dev]'

# Everything, slow tests included: the README's test command, which CI runs.
test:
	$(PY) -m pytest

# The fast tier: what is not marked slow (fresh processes, the torch model, the bot over Discord).
test-fast:
	$(PY) -m pytest -m "not slow"

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy retrieval bot

index:
	$(VENV)/bin/newsqa index

eval:
	$(VENV)/bin/newsqa eval ../shared/eval/seed_qa_dev.jsonl

# Refit retrieval/policy.json on the dev sets with the real model (see benchmarks/README.md).
policy:
	$(PY) scripts/fit_policy.py --model "$(REAL_MODEL)"

# The benchmarks in benchmarks/ (see benchmarks/README.md); not part of CI. Results go to
# benchmarks/out/ (run.py) and benchmarks/results/ (precision.py); bm25_choice.py prints its own.
bench:
	@$(PY) -c "import bm25s, rank_bm25, langchain_community" 2>/dev/null || { \
		echo "make bench needs the peers: $(VENV)/bin/pip install -e '.[bench]'" >&2; exit 1; }
	$(PY) benchmarks/run.py --sizes $(BENCH_SIZES) --dense-sizes $(BENCH_DENSE_SIZES)
	$(PY) benchmarks/bm25_choice.py
	$(PY) benchmarks/precision.py --model "$(REAL_MODEL)"
