"""Imported once by the sandboxed server (:mod:`._zygote`) so that each submission starts warm.

Everything a submission usually needs (NumPy, SciPy, SymPy, IPython, matplotlib's Agg
backend, ``activations``) is imported here before any fork.  The question bank is NOT
imported (the sandbox hides it): the probes need only :mod:`.questions` and the inputs
the grader sends.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import IPython.core.interactiveshell  # noqa: F401
import mpmath  # noqa: F401
import numpy  # noqa: F401
import scipy.integrate
import scipy.optimize
import scipy.special  # noqa: F401
import sympy  # noqa: F401
import traitlets.config  # noqa: F401

import activations  # noqa: F401

from . import _child, questions, student  # noqa: F401
