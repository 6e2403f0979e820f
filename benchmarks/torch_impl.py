"""PyTorch's implementation of every activation (optional: torch may be absent).

``available()`` says whether torch can be imported; nothing here imports torch at
module import time, so the benchmarks and their tests run without it.

Values are the ``torch`` hooks of the rows in :mod:`activations.spec`
(``torch.nn.functional`` calls) with the course's default parameters; derivatives
come from autograd (``torch.autograd.grad`` with ``grad_outputs = 1``), i.e. what
PyTorch computes during backpropagation.  Activations without a PyTorch function of
their own are written from the ops PyTorch users write: ``linear`` (``x.clone()``),
``swish`` with β (``x * sigmoid(β x)``), ``squareplus`` (``(x + sqrt(x*x + b)) / 2``),
``relu_squared`` (``relu(x).square()``).
PyTorch's ``softplus`` switches to ``x`` above its default ``threshold = 20``; that is
what a PyTorch user gets, so it is what is measured.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util

import numpy as np

import activations as act
from activations.spec import SPECS

__all__ = ["available", "version", "functions", "value", "grad", "set_single_thread"]


@functools.lru_cache(maxsize=None)
def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def available() -> bool:
    """True when torch is installed (found without importing it: that takes seconds)."""
    return importlib.util.find_spec("torch") is not None


def version() -> str | None:
    """Installed torch version, or ``None`` when torch is not installed."""
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None


def set_single_thread() -> None:
    """``torch.set_num_threads(1)`` (and one inter-op thread) for fair timing."""
    torch = _torch()
    if torch is not None:
        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # can only be set once, before any parallel work
            pass


def functions(name: str, params: dict):
    """The PyTorch function ``f(t) -> tensor`` for activation ``name`` with ``params``.

    Raises ``KeyError`` for a name PyTorch has no counterpart for and
    ``RuntimeError`` when torch is not installed.
    """
    torch = _torch()
    if torch is None:
        raise RuntimeError("functions(): torch is not installed")
    row = SPECS[name]
    if row.torch is None:
        raise KeyError(f"functions(): PyTorch has no counterpart for {name!r}")
    F = torch.nn.functional
    p = act.get(name, **params).params
    return lambda t: row.torch(F, t, **p)


def value(name: str, x: np.ndarray, **params) -> np.ndarray:
    """PyTorch f(x) on a NumPy array (dtype kept), returned as a new NumPy array."""
    torch = _torch()
    f = functions(name, params)
    with torch.no_grad():
        return f(torch.from_numpy(np.array(x, copy=True))).numpy()


def grad(name: str, x: np.ndarray, **params) -> np.ndarray:
    """PyTorch f'(x) by autograd (``grad_outputs`` = 1), as a new NumPy array."""
    torch = _torch()
    f = functions(name, params)
    t = torch.from_numpy(np.array(x, copy=True)).requires_grad_(True)
    y = f(t)
    (g,) = torch.autograd.grad(y, t, grad_outputs=torch.ones_like(y))
    return g.numpy()
