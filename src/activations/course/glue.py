"""The glue helper every chapter uses: a computed value into the prose, never displayed.

>>> from activations.course.glue import keep, keep_math, keep_upper   # doctest: +SKIP
>>> keep("ch4_dead_fraction", 0.25)                                    # doctest: +SKIP
>>> keep_upper("ch5_gap", 1.4332e-06, digits=2, strict=True)           # doctest: +SKIP
'1.5e-06'

In the page, ``{glue:text}`key:.3f``` shows the value with a format spec, and
``{glue:md}`key:myst``` shows a formula glued with :func:`keep_math`.

Bounds
------
A sentence such as "the two differ by less than X" is a claim about the printed X, not
about the value the cell computed. Rounding 1.433e-6 to two digits prints 1.4e-6, and the
sentence becomes false. :func:`keep_upper` and :func:`keep_lower` glue a bound already
rounded in the safe direction, as text:

* ``keep_upper(key, value, digits)`` prints the smallest number with ``digits`` significant
  digits that is ``>= value`` (for "less than", "at most", "below", "under"; with
  ``strict=True`` it is ``> value``, which "less than" and "below" need);
* ``keep_lower(key, value, digits)`` prints the largest one that is ``<= value`` (for "at
  least", "never below"; ``strict=True`` gives ``< value`` for "more than", "above").

The page then writes ``{glue:text}`key``` *without* a format spec (a spec would round the
text again). ``tests/test_glued_bounds.py`` reads every notebook and checks that each glued
value after a bound phrase was registered through the helper of the right direction.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from numbers import Integral, Real

import numpy as np

__all__ = ["keep", "keep_math", "keep_upper", "keep_lower", "bound_text", "BOUND_HELPERS"]

#: The bound helpers, by function name, and the direction each one rounds in. The audit test
#: (``tests/test_glued_bounds.py``) finds calls to these names in a notebook's code cells.
BOUND_HELPERS = {"keep_upper": "upper", "keep_lower": "lower"}

_FORMATS = ("e", "f", "d")


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


def bound_text(value, digits: int = 2, *, direction: str, fmt: str = "e", strict: bool = False) -> str:
    """The text of ``value`` rounded to ``digits`` in the safe direction of a bound.

    Let :math:`Q` be the set of numbers printable with the format: ``fmt="e"``,
    ``digits`` significant digits (``1.44e-06``); ``fmt="f"``, ``digits`` decimals
    (``0.057``); ``fmt="d"``, integers (``value`` must be integral and is printed exactly).
    ``direction="upper"`` returns :math:`\\min\\{q \\in Q : q \\ge v\\}` and
    ``direction="lower"`` :math:`\\max\\{q \\in Q : q \\le v\\}`; with ``strict=True`` the
    inequality is strict (one step further when ``v`` itself is printable).

    The comparison is exact: ``Decimal(float)`` holds the binary value without rounding.

    Raises
    ------
    TypeError
        ``value`` is not a real number, or ``digits`` not an integer.
    ValueError
        ``value`` is not finite, ``digits`` is out of range, ``direction`` or ``fmt`` is
        unknown, ``fmt="d"`` with a value that is not an integer (or with ``strict``), or a
        strict bound of 0 with ``fmt="e"``.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"bound_text(): value must be a real number, got {type(value).__name__}")
    if isinstance(digits, bool) or not isinstance(digits, Integral):
        raise TypeError(f"bound_text(): digits must be an int, got {type(digits).__name__}")
    if direction not in ("upper", "lower"):
        raise ValueError(f"bound_text(): direction must be 'upper' or 'lower', got {direction!r}")
    if fmt not in _FORMATS:
        raise ValueError(f"bound_text(): fmt must be one of {_FORMATS}, got {fmt!r}")
    if not math.isfinite(float(value)):
        raise ValueError(f"bound_text(): value must be finite, got {value!r}")
    if fmt == "d":
        if float(value) != math.floor(float(value)):
            raise ValueError(f"bound_text(): fmt='d' needs an integral value, got {value!r}")
        if strict:
            raise ValueError("bound_text(): an exact integer cannot be a strict bound of itself")
        return str(int(value))
    if fmt == "e" and not 1 <= digits <= 15:
        raise ValueError(f"bound_text(): fmt='e' needs 1 <= digits <= 15, got {digits}")
    if fmt == "f" and not 0 <= digits <= 15:
        raise ValueError(f"bound_text(): fmt='f' needs 0 <= digits <= 15, got {digits}")

    if fmt == "e" and strict and value == 0:
        raise ValueError("bound_text(): a strict bound of 0 has no significant digits in fmt='e'; use fmt='f'")
    v = Decimal(float(value)) if not isinstance(value, Integral) else Decimal(int(value))
    rounding = ROUND_CEILING if direction == "upper" else ROUND_FLOOR
    q, quantum = _round(v, digits, fmt, rounding)
    if strict and q == v:
        # v itself is printable: round a point a little beyond v instead (a tenth of a step, so
        # that no printable number is skipped, also where the decade changes: 1000 -> 900).
        q, _ = _round(v + quantum / 10 if direction == "upper" else v - quantum / 10, digits, fmt, rounding)
    # q has at most `digits` significant digits (a carry, 9.99 -> 10.00, only adds a trailing
    # zero), so formatting the nearest float prints q exactly; the check below confirms it.
    text = f"{float(q):.{digits - 1}e}" if fmt == "e" else f"{float(q):.{digits}f}"
    if Decimal(text) != q:  # a subnormal float cannot hold q's digits (4e-324 is stored as 5e-324)
        text = f"{q:.{digits - 1}e}" if fmt == "e" else f"{q:.{digits}f}"
    # The guarantee, checked exactly on the text that will be printed.
    printed = Decimal(text)
    if direction == "upper":
        ok = printed > v if strict else printed >= v
    else:
        ok = printed < v if strict else printed <= v
    if not ok:  # pragma: no cover - a bug in this function, not in the caller's input
        raise AssertionError(f"bound_text(): {text} is not a safe {direction} bound of {v}")
    return text


def _round(v: Decimal, digits: int, fmt: str, rounding) -> tuple[Decimal, Decimal]:
    """``v`` rounded to the printable grid of ``fmt`` around it, and that grid's step."""
    if fmt == "e":
        exponent = v.adjusted() if v != 0 else 0
        quantum = Decimal(1).scaleb(exponent - digits + 1)
    else:
        quantum = Decimal(1).scaleb(-digits)
    return v.quantize(quantum, rounding=rounding), quantum


def _keep_bound(func, key, value, digits, direction, fmt, strict):
    if not isinstance(key, str) or not key:
        raise TypeError(f"{func}(): key must be a non-empty str, got {key!r}")
    try:
        text = bound_text(value, digits, direction=direction, fmt=fmt, strict=strict)
    except (TypeError, ValueError) as exc:
        raise type(exc)(str(exc).replace("bound_text()", f"{func}()")) from None
    from myst_nb import glue

    glue(key, text, display=False)
    return text


def keep_upper(key: str, value, digits: int = 2, *, fmt: str = "e", strict: bool = False) -> str:
    """Glue an upper bound of ``value``: the printed number is ``>= value`` (``> value`` if ``strict``).

    For prose of the form "less than X" (``strict=True``), "at most X", "below X" (strict),
    "under X" (strict). Write ``{glue:text}`key``` without a format spec. Returns the text.
    See :func:`bound_text` for ``digits``, ``fmt`` and the errors raised.
    """
    return _keep_bound("keep_upper", key, value, digits, "upper", fmt, strict)


def keep_lower(key: str, value, digits: int = 2, *, fmt: str = "e", strict: bool = False) -> str:
    """Glue a lower bound of ``value``: the printed number is ``<= value`` (``< value`` if ``strict``).

    For prose of the form "at least X", "never below X", "more than X" (``strict=True``),
    "above X" (strict). Write ``{glue:text}`key``` without a format spec. Returns the text.
    See :func:`bound_text` for ``digits``, ``fmt`` and the errors raised.
    """
    return _keep_bound("keep_lower", key, value, digits, "lower", fmt, strict)
