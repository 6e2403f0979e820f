# Activation Functions, an executable course.
# Quick start on a fresh machine (Python 3.11 + make):  make book   |   make test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
JB     := $(VENV)/bin/jupyter-book

.PHONY: setup book pdf serve test test-fast bench exercises clean help

help:
	@echo "make book       build the HTML book (creates .venv, installs pinned requirements)"
	@echo "make pdf        build the book and print it to one PDF: _build/pdf/book.pdf (needs chromium, poppler-utils)"
	@echo "make serve      build, then serve the book on http://127.0.0.1:8000 (full-text search previews need http)"
	@echo "make test       run the whole test suite (unit, notebooks, book build, browser)"
	@echo "make test-fast  unit tests only (under a minute)"
	@echo "make bench      accuracy / speed / build-time benchmarks -> benchmarks/results/"
	@echo "make exercises  regenerate student exercise notebooks from exercises/source/"

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

pdf: setup
	$(PY) -m tools.book pdf

serve: book
	$(PY) -m http.server --bind 127.0.0.1 8000 --directory _build/html

test: setup
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest tests -m "not slow" -n 2

bench: setup
	$(PY) -m benchmarks

exercises: setup
	$(PY) -m activations.grading generate

clean:
	rm -rf _build .pytest_cache .hypothesis
