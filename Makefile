# The README's two commands: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo

.PHONY: demo demo-project tagger-demo test setup lint clean

# torch is installed first, pinned: an unpinned torch pulls gigabytes of CUDA packages.
$(VENV)/.installed: pyproject.toml Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,cluster,onnx]'
	touch $@

setup: $(VENV)/.installed

# A sample project from sample_data/: BC5CDR train as accepted gold sentences (their entities
# are the suggestions until a model exists), BC5CDR devel as dev, 20 raw abstracts as the pool.
demo-project: setup
	rm -rf $(DEMO)
	$(BIN)/workbench init $(DEMO) --labels Chemical,Disease --base-model bundled
	$(BIN)/workbench --project $(DEMO) import sample_data/bc5cdr/train.tsv --split train
	$(BIN)/workbench --project $(DEMO) import sample_data/bc5cdr/devel.tsv --split dev
	$(BIN)/workbench --project $(DEMO) import sample_data/abstracts.txt --split pool

# The annotate screen on the sample project: correct the suggestions, R trains a model.
demo: demo-project
	$(BIN)/workbench --project $(DEMO) annotate

# The tagger without the screen: a short fine-tune of the bundled encoder (a few minutes on
# 2 CPU cores; the full recipe is in BENCHMARKS.md), then the raw abstracts tagged with it.
tagger-demo: demo-project
	$(BIN)/workbench --project $(DEMO) train --epochs 1 --max-steps 300
	$(BIN)/workbench --project $(DEMO) tag sample_data/abstracts.txt
	$(BIN)/workbench --project $(DEMO) status

lint: setup
	$(BIN)/ruff check workbench tests benchmarks
	$(BIN)/ruff format --check workbench tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) $(DEMO) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
