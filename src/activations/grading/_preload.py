"""Imported once by the grader's fork server, so that each forked submission starts warm.

Everything a submission process needs (NumPy, SciPy, SymPy, IPython, nbclient, the
question bank) is imported here, in the server, before any fork.
"""

import IPython.core.interactiveshell  # noqa: F401
import jupyter_client.manager  # noqa: F401
import mpmath  # noqa: F401
import nbclient  # noqa: F401
import nbformat  # noqa: F401
import numpy  # noqa: F401
import scipy.integrate  # noqa: F401
import scipy.optimize  # noqa: F401
import scipy.special  # noqa: F401
import sympy  # noqa: F401
import traitlets.config  # noqa: F401

import activations  # noqa: F401

from . import harvest, runner, student  # noqa: F401
from .bank import exercises

exercises()  # import every question module now
