"""The glue helper every chapter uses: a computed value into the prose, never displayed.

>>> from activations.course.glue import keep, keep_math   # doctest: +SKIP
>>> keep("ch4_dead_fraction", 0.25)                        # doctest: +SKIP

In the page, ``{glue:text}`key:.3f``` shows the value with a format spec, and
``{glue:md}`key:myst``` shows a formula glued with :func:`keep_math`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["keep", "keep_math"]


def keep(key: str, value):
    """Glue ``value`` under ``key`` without displaying it.

    NumPy scalars become Python scalars first, so that ``{glue:text}`` format specs apply.
    """
    from myst_nb import glue  # only available where the book is built or read

    glue(key, value.item() if isinstance(value, np.generic) else value, display=False)


def keep_math(key: str, expr):
    """Glue the SymPy expression ``expr`` as inline LaTeX math (``{glue:md}`key:myst```)."""
    import sympy as sp
    from IPython.display import Markdown
    from myst_nb import glue

    glue(key, Markdown(f"${sp.latex(expr)}$"), display=False)
