# Activation Functions, an executable course.
# Quick start on a fresh machine (Python 3.11 + make):  make book   |   make test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
JB     := $(VENV)/bin/jupyter-book
# The numerics under which the stored experiment results reproduce bit for bit on any x86-64
# (activations.protocol.PINNED_ENV; tests/test_protocol.py checks the two agree).
export OPENBLAS_NUM_THREADS := 1
export OPENBLAS_CORETYPE := Haswell
export NPY_DISABLE_CPU_FEATURES := X86_V4 AVX512_ICL AVX512_SPR

.PHONY: setup book book-solutions pdf serve lint test test-fast bench exercises experiments grader-deps clean help

help:
	@echo "make book       build the HTML book (creates .venv, installs pinned requirements)"
	@echo "make book-solutions  the instructor/self-learner edition with worked solutions: _build/solutions/html"
	@echo "make pdf        build the book and print it to one PDF: _build/pdf/book.pdf (needs chromium, poppler-utils)"
	@echo "make serve      build, then serve the book on http://127.0.0.1:8000 (full-text search previews need http)"
	@echo "make lint       ruff (lint + format check; configured in pyproject.toml)"
	@echo "make test       lint, then the whole test suite (unit, notebooks, book build, browser)"
	@echo "make test-fast  unit tests only (under a minute)"
	@echo "make bench      accuracy / speed / build-time benchmarks -> benchmarks/results/"
	@echo "make exercises  regenerate student exercise notebooks from exercises/source/"
	@echo "make experiments  the protocol sweeps (tuned learning rates, 10 paired seeds) -> experiments/results/"
	@echo "make grader-deps check that bubblewrap (bwrap), the grader's sandbox, is installed"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)

book: setup
	$(PY) -m tools.book build
	@echo "Book: $(abspath _build/html/index.html)"

# The same book with the exercise solutions (exercises/source/*) in place of the student notebooks;
# a separate site, never mixed into _build/html (tools/solutions.py).
book-solutions: setup
	$(PY) -m tools.solutions

pdf: setup
	$(PY) -m tools.book pdf

serve: book
	$(PY) -m http.server --bind 127.0.0.1 8000 --directory _build/html

# ruff lints and format-checks every Python file of the repository (notebooks are not
# formatted: their cells are prose-like teaching code, laid out by hand).
PYFILES := src tests benchmarks scripts tools _ext

lint: setup
	$(VENV)/bin/ruff check $(PYFILES)
	$(VENV)/bin/ruff format --check $(PYFILES)

test: setup lint grader-deps
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest tests -m "not slow" -n 2

bench: setup
	$(PY) -m benchmarks

grader-deps:
	@command -v bwrap >/dev/null 2>&1 || { echo "bubblewrap is missing: the grader sandboxes every submission with bwrap."; \
	  echo "Install it: sudo apt-get install bubblewrap  (Fedora: sudo dnf install bubblewrap)"; exit 1; }
	@bwrap --unshare-all --die-with-parent --ro-bind / / true || { echo "bwrap cannot create namespaces here"; \
	  echo "(user namespaces disabled? see kernel.unprivileged_userns_clone / user.max_user_namespaces)"; exit 1; }
	@echo "bubblewrap: $$(bwrap --version) works"

exercises: setup
	$(PY) -m activations.grading generate

clean:
	rm -rf _build .pytest_cache .hypothesis

# Heavy sweeps of the fair-comparison protocol -> experiments/results/*.json (commit them).
experiments: setup
	$(PY) -m activations.protocol
