# Two commands do everything on a fresh machine:
#   make demo   installs toolkit into .venv and runs it on the built-in example
#   make test   installs toolkit (with test tools) into .venv and runs the tests
#   make test-fast  the same without the tests marked slow, in two processes (under a minute)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast plans bench compare clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/toolkit demo demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Leaves out LibreOffice, crash and hang isolation, the demo and fuzzing; two processes (pytest-xdist).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n 2

# Re-import the built-in plans from the published annexes in examples/annexes.
EXAMPLES := examples/annexes
plans: $(STAMP)
	$(BIN)/toolkit plan import $(EXAMPLES)/dingshan-2026.docx --notice $(EXAMPLES)/dingshan-2026-notice.txt --id dingshan-2026 -o templates/dingshan-2026.yaml --quiet
	$(BIN)/toolkit plan import $(EXAMPLES)/dianjiang-2026.docx --notice $(EXAMPLES)/dianjiang-2026-notice.txt --id dianjiang-2026 -o templates/dianjiang-2026.yaml --quiet
	$(BIN)/toolkit plan import $(EXAMPLES)/fenghuang-2024-2026.docx --notice $(EXAMPLES)/fenghuang-2024-2026-plan.txt --id fenghuang-2024-2026 -o templates/fenghuang-2024-2026.yaml --quiet

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Outputs of the demo and a benchmark corpus, this tree against REF (default HEAD).
REF ?= HEAD
compare: $(STAMP)
	$(BIN)/python benchmarks/compare_outputs.py $(REF)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
