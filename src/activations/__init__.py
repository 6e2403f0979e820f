"""Activation functions, an executable course: the shared package.

Layers (a module imports only from layers above it; ``tests/test_layers.py`` checks it):

1. :mod:`~activations._validation` -- argument checks;
2. :mod:`~activations.definitions` -- SymPy expressions, the single source of truth, and
   what is read off them alone: :mod:`~activations.symbolic` (kinks, limits),
   :mod:`~activations.properties`;
3. :mod:`~activations.kernels`, :mod:`~activations.vector`, :mod:`~activations.gated` --
   hand-written NumPy kernels;
4. :mod:`~activations.spec` (one row per activation), :mod:`~activations.core`,
   :mod:`~activations.functional` -- the registry and public API;
5. :mod:`~activations.reference` -- mpmath reference and the error metric;
   :mod:`~activations.gains` -- Gaussian moments and the initialisation derived from them;
6. :mod:`~activations.nn` -- tiny NumPy networks;
7. :mod:`~activations.plotting`, :mod:`~activations.explorer` -- figures and explorers;
8. course tools: :mod:`~activations.data`, :mod:`~activations.experiments`,
   :mod:`~activations.protocol` (the fair-comparison protocol),
   :mod:`~activations.course` (chapter-only helpers), :mod:`~activations.grading`.
   The book's build code is outside the package (``_ext/``, ``tools/``).
"""

from . import functional as _functional
from .core import Activation, GatedActivation, gated_names, get, get_gated, names
from .definitions import x
from .functional import *  # noqa: F403  (the literal __all__ of functional: one function per name)
from .vector import log_softmax, maxout, softmax

__all__ = [
    "Activation",
    "GatedActivation",
    "get",
    "get_gated",
    "names",
    "gated_names",
    "x",
    "softmax",
    "log_softmax",
    "maxout",
]
__all__ += _functional.__all__
__version__ = "0.1.0"
