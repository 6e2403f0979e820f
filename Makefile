# Activation Functions, an executable course.
# Quick start on a fresh machine (Python 3.11 + make):  make book   |   make test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
JB     := $(VENV)/bin/jupyter-book

.PHONY: setup book serve test test-fast bench exercises grader-deps clean help

help:
	@echo "make book       build the HTML book (creates .venv, installs pinned requirements)"
	@echo "make serve      build, then serve the book on http://127.0.0.1:8000 (full-text search previews need http)"
	@echo "make test       run the whole test suite (unit, notebooks, book build, browser)"
	@echo "make test-fast  unit tests only (under a minute)"
	@echo "make bench      accuracy / speed / build-time benchmarks -> benchmarks/results/"
	@echo "make exercises  regenerate student exercise notebooks from exercises/source/"
	@echo "make grader-deps check that bubblewrap (bwrap), the grader's sandbox, is installed"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)

book: setup
	$(PY) -m activations.book build
	@echo "Book: $(abspath _build/html/index.html)"

serve: book
	$(PY) -m http.server --bind 127.0.0.1 8000 --directory _build/html

test: setup grader-deps
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
