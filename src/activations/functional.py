"""Module-level functions ``act.relu(x)``, ``act.elu(x, alpha=1.0)``, ... one per name.

Each is a thin wrapper around the registry with a real signature, so ``help()`` and
tab-completion show the parameters and their defaults.
"""

from __future__ import annotations

import inspect

from . import definitions
from .core import SPECS, _apply, _resolve_params

__all__ = list(SPECS)


def _make(name):
    spec = SPECS[name]
    defaults = definitions.DEFAULTS.get(name, {})

    def function(x, **params):
        return _apply(spec.value, name, x, _resolve_params(name, params))

    sig = [inspect.Parameter("x", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    sig += [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v) for k, v in defaults.items()]
    function.__signature__ = inspect.Signature(sig)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"{name} activation, elementwise (value; use ``get({name!r}).grad`` for the derivative).\n\n"
        f"Kernel: {inspect.getdoc(spec.value)}"
    )
    return function


for _name in SPECS:
    globals()[_name] = _make(_name)
del _name
