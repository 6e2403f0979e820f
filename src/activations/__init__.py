"""Activation functions, an executable course: the shared package.

Layout (imports only go down this list):

1. :mod:`~activations.definitions` -- SymPy expressions, the single source of truth;
2. :mod:`~activations.kernels`, :mod:`~activations.vector` -- hand-written NumPy kernels;
3. :mod:`~activations.core`, :mod:`~activations.functional` -- registry and public API;
4. tools: :mod:`~activations.properties`, :mod:`~activations.reference`,
   :mod:`~activations.nn`, :mod:`~activations.data`, :mod:`~activations.experiments`,
   :mod:`~activations.plotting`, :mod:`~activations.widgets`, :mod:`~activations.grading`.
"""

from .core import Activation, get, names
from .definitions import x
from .functional import *  # noqa: F401,F403  (one function per registered name)
from .functional import __all__ as _functional_names
from .vector import log_softmax, maxout, softmax

__all__ = ["Activation", "get", "names", "x", "softmax", "log_softmax", "maxout", *_functional_names]
__version__ = "0.1.0"
