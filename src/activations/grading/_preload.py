"""Imported once by the sandboxed server (:mod:`._zygote`) so that each submission starts warm.

Everything a submission usually needs (NumPy, SciPy, SymPy, IPython, matplotlib's Agg
backend, ``activations``) is imported here before any fork.  The question bank is NOT
imported (the sandbox hides it): the probes need only :mod:`.questions` and the inputs
the grader sends.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import IPython.core.interactiveshell  # noqa: E402,F401
import mpmath  # noqa: E402,F401
import numpy  # noqa: E402,F401
import scipy.integrate  # noqa: E402,F401
import scipy.optimize  # noqa: E402,F401
import scipy.special  # noqa: E402,F401
import sympy  # noqa: E402,F401
import traitlets.config  # noqa: E402,F401

import activations  # noqa: E402,F401

from . import _child, questions, student  # noqa: E402,F401
