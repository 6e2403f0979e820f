"""Audit of glued bounds: "less than {glue:text}`x`" must print an X that is a true bound.

A value glued with :func:`activations.course.glue.keep` and printed with a format spec is
rounded to nearest, so "less than {glue:text}`gap:.1e`" can print 1.4e-06 for a gap of
1.433e-06 (issue 15 part 4). The bound helpers ``keep_upper`` / ``keep_lower`` round in the
safe direction. This test reads the *source* of every notebook under ``chapters/`` and
``appendix/``, finds each bound phrase ("less than", "at most", "up to", "within", "at least",
"never below", "<", "≥", ...) directly followed by a ``{glue:text}`` role, and checks that

1. the key is registered in a code cell of the same notebook by a call
   ``keep_upper("key", ...)`` (for upper-bound phrases) or ``keep_lower("key", ...)`` (for
   lower-bound phrases); a minus sign between the phrase and the role swaps the two;
2. strict phrases ("less than", "below", "under", "more than", "above", "<", ">") use
   ``strict=True``;
3. the role has no format spec (the helper glues text that is already rounded).

The bottom half tests the audit itself on small synthetic notebooks (it must catch the bad
cases) and the rounding of :func:`activations.course.glue.bound_text`.
"""

from __future__ import annotations

import ast
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from activations.course.glue import BOUND_HELPERS, bound_text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p
    for folder in ("chapters", "appendix")
    for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)

# phrase -> (direction of the bound, strict?). A negation shortly before the phrase ("no logit
# changes by more than", "never falls below", "no more than") flips both: not (v > X) is v <= X.
PHRASES = {
    "less than": ("upper", True),
    "smaller than": ("upper", True),
    "fewer than": ("upper", True),
    "lower than": ("upper", True),
    "below": ("upper", True),
    "under": ("upper", True),
    "at most": ("upper", False),
    "up to": ("upper", False),
    "within": ("upper", False),  # "within X of 1": a distance of at most X
    "more than": ("lower", True),
    "greater than": ("lower", True),
    "larger than": ("lower", True),
    "higher than": ("lower", True),
    "above": ("lower", True),
    "exceeds": ("lower", True),
    "exceed": ("lower", True),
    "at least": ("lower", False),
}
NEGATIONS = ("no", "not", "never", "none", "nor", "neither", "cannot", "nothing", "nowhere")
#: How many words before the phrase a negation may stand, within the same clause.
NEGATION_WINDOW = 6
_CLAUSE_END = re.compile(r"[.;:!?,()]|\b(?:and|but|while|whereas|which|that)\b", re.IGNORECASE)
SYMBOLS = {
    "<": ("upper", True),
    "≤": ("upper", False),
    r"\le": ("upper", False),
    r"\leq": ("upper", False),
    r"\lt": ("upper", True),
    ">": ("lower", True),
    "≥": ("lower", False),
    r"\ge": ("lower", False),
    r"\geq": ("lower", False),
    r"\gt": ("lower", True),
}
_WORDS = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(PHRASES, key=len, reverse=True))
_SYMS = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
# A phrase (whole words) or a symbol (bare, or alone in $...$), an optional minus sign, then the role.
BOUND_RE = re.compile(
    rf"(?:(?<![\w-])(?P<word>{_WORDS})|\$\s*(?P<msym>{_SYMS})\s*\$|(?P<sym>[<>≤≥]))"
    r"\s*(?P<minus>(?:\$\s*-\s*\$|\$\s*−\s*\$|-|−)\s*)?"
    r"\{glue(?::text)?\}`(?P<key>[^`:]+?)(?::(?P<spec>[^`]*))?`",
    re.IGNORECASE,
)


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _negation_before(markdown: str, start: int):
    """The negation word among the few words before ``start`` in the same clause, or None."""
    before = markdown[max(0, start - 200) : start]
    clause = _CLAUSE_END.split(before)[-1]
    words = re.findall(r"[A-Za-z']+", clause)[-NEGATION_WINDOW:]
    return next((w for w in reversed(words) if w.lower() in NEGATIONS or w.lower().endswith("n't")), None)


def bound_uses(markdown: str):
    """Every bound phrase followed by a glued value: phrase, key, format spec, direction, strict."""
    uses = []
    for m in BOUND_RE.finditer(markdown):
        phrase = m.group("word") or m.group("msym") or m.group("sym")
        norm = " ".join(phrase.lower().split())
        direction, strict = PHRASES.get(norm) or SYMBOLS[phrase]
        shown = " ".join(phrase.split())
        neg = _negation_before(markdown, m.start()) if m.group("word") else None
        if neg:  # "never falls below X" is "at least X": flip the direction and the strictness
            direction, strict = ("lower" if direction == "upper" else "upper"), not strict
            shown = f"{neg} … {shown}"
        if m.group("minus"):  # "less than −X": X itself must be a lower bound
            direction = "lower" if direction == "upper" else "upper"
        uses.append(
            {
                "phrase": shown,
                "key": m.group("key").strip(),
                "spec": m.group("spec"),
                "direction": direction,
                "strict": strict,
                "negated": bool(m.group("minus")),
            }
        )
    return uses


def registrations(code: str):
    """key -> (direction, strict) for every ``keep_upper("key", ...)`` / ``keep_lower(...)`` call in ``code``.

    Calls are found with ``ast``; the key must be a string literal (an f-string key cannot be
    checked and does not count). Lines starting with ``%`` or ``!`` (IPython magics) are dropped.
    """
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in BOUND_HELPERS:
            continue
        key = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "key"), None)
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        strict_kw = next((k.value for k in node.keywords if k.arg == "strict"), None)
        strict = isinstance(strict_kw, ast.Constant) and strict_kw.value is True
        found[key.value] = (BOUND_HELPERS[name], strict)
    return found


def audit_notebook(nb: dict, name: str) -> list[str]:
    """Every problem of the glued bounds of one notebook, one precise message each."""
    cells = nb.get("cells", [])
    regs = {}
    for cell in cells:
        if cell.get("cell_type") == "code":
            regs.update(registrations(_source(cell)))
    problems = []
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        for use in bound_uses(_source(cell)):
            key, where = use["key"], f"{name} (markdown cell {i}, id {cell.get('id', '?')})"
            said = f"'{use['phrase']}{' −' if use['negated'] else ''} {{glue:text}}`{key}`'"
            helper = "keep_upper" if use["direction"] == "upper" else "keep_lower"
            fix = f'{helper}("{key}", value, digits{", strict=True" if use["strict"] else ""})'
            if key not in regs:
                problems.append(
                    f"{where}: glue key {key!r} after {said} is not registered through a bound "
                    f"helper; use {fix} in a code cell"
                    + (f" and drop the format spec ':{use['spec']}'" if use["spec"] else "")
                )
                continue
            direction, strict = regs[key]
            if direction != use["direction"]:
                used = "keep_upper" if direction == "upper" else "keep_lower"
                problems.append(
                    f"{where}: glue key {key!r} after {said} needs an {use['direction']} bound "
                    f"but is registered with {used}; use {fix}"
                )
            if use["strict"] and not strict:
                problems.append(f"{where}: glue key {key!r} after {said} is a strict bound; register it with {fix}")
            if use["spec"]:
                problems.append(
                    f"{where}: glue key {key!r} after {said} has the format spec ':{use['spec']}', "
                    "which rounds the bound again; write {glue:text}`" + key + "` without a spec"
                )
    return problems


# --- the audit of the book --------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_glued_bounds_round_in_the_safe_direction(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    problems = audit_notebook(nb, str(path.relative_to(ROOT)))
    assert not problems, "glued bounds that may print a false bound:\n" + "\n".join(problems)


def test_the_book_has_notebooks_to_audit():
    assert any(p.parent.name == "chapters" for p in NOTEBOOKS)


# --- the audit catches what it should ----------------------------------------------------------------


def _nb(code: str, markdown: str) -> dict:
    return {
        "cells": [
            {"cell_type": "code", "id": "c0", "source": code},
            {"cell_type": "markdown", "id": "m1", "source": markdown},
        ]
    }


def test_audit_catches_a_plain_keep_after_less_than():
    nb = _nb('keep("gap", 1.433e-6)', "beyond |x| = 5 they differ by less than {glue:text}`gap:.1e`.")
    problems = audit_notebook(nb, "ch.ipynb")
    assert len(problems) == 1
    assert "ch.ipynb (markdown cell 1, id m1)" in problems[0] and "'gap'" in problems[0] and "less than" in problems[0]


def test_audit_catches_the_wrong_direction_strictness_and_a_format_spec():
    code = 'keep_lower("a", 1.0)\nkeep_upper("b", 2.0)\nglue.keep_upper("c", 3.0, 2, strict=True)'
    md = "x is at most {glue:text}`a`, y less than\n{glue:text}`b`, z below {glue:text}`c:.1e`."
    problems = audit_notebook(_nb(code, md), "nb")
    assert any("'a'" in p and "needs an upper bound" in p for p in problems)
    assert any("'b'" in p and "strict" in p for p in problems)
    assert any("'c'" in p and "format spec ':.1e'" in p for p in problems)
    assert len(problems) == 3


def test_audit_accepts_correct_bounds_and_ignores_other_glue():
    code = (
        "from activations.course.glue import keep, keep_lower, keep_upper\n"
        'keep_upper("gap", 1.433e-6, 2, strict=True)\nkeep_lower("acc", 0.95, 2, fmt="f")\n'
        'keep("mean", 0.3)\nkeep_upper(key="n", value=3, fmt="d")'
    )
    md = (
        "They differ by less than {glue:text}`gap`, accuracy at least {glue:text}`acc` and "
        "the mean is {glue:text}`mean:.2f` averaged over {glue:text}`mean` seeds; $\\le$ {glue:text}`n` runs."
    )
    assert audit_notebook(_nb(code, md), "nb") == []


def test_audit_symbols_and_a_minus_sign_swap_the_direction():
    code = 'keep_upper("lo", 3.0)\nkeep_lower("hi", 3.0, strict=True)'
    md = "z is less than $-${glue:text}`hi` and at least −{glue:text}`lo`; w ≥ {glue:text}`lo`."
    problems = audit_notebook(_nb(code, md), "nb")
    # "less than −hi": hi must be a strict lower bound (it is); "at least −lo": lo must be an upper
    # bound (it is); "≥ lo": lo must be a lower bound (it is not).
    assert len(problems) == 1 and "'lo'" in problems[0] and "≥" in problems[0]


def test_audit_reads_a_negation_as_the_opposite_bound():
    code = 'keep_upper("dev", 0.03)\nkeep_lower("m", 0.41)\nkeep_upper("d2", 0.03)'
    md = (
        "No weight is more than {glue:text}`dev` from 1/8; the mean never falls below {glue:text}`m`. "
        "Yet one unit, and not two, is more than {glue:text}`d2` away."
    )
    problems = audit_notebook(_nb(code, md), "nb")
    # "no ... more than" = at most (upper, not strict); "never ... below" = at least (lower, not
    # strict); the negation in another clause ("not two,") does not flip the last one.
    assert len(problems) == 2 and all("'d2'" in p for p in problems)


def test_audit_does_not_count_f_string_keys():
    nb = _nb('for s in "ab":\n    keep_upper(f"gap_{s}", 1.0)', "less than {glue:text}`gap_a`")
    assert "not registered" in audit_notebook(nb, "nb")[0]


# --- the rounding itself ----------------------------------------------------------------------------


def test_bound_text_rounds_away_from_the_review_example():
    assert bound_text(1.433e-6, 2, direction="upper") == "1.5e-06"  # not 1.4e-06
    assert bound_text(1.433e-6, 3, direction="lower") == "1.43e-06"
    assert bound_text(0.0567, 2, direction="upper", fmt="f") == "0.06"
    assert bound_text(0.0567, 2, direction="lower", fmt="f") == "0.05"
    assert bound_text(0.25, 2, direction="upper", fmt="f") == "0.25"
    assert bound_text(0.25, 2, direction="upper", fmt="f", strict=True) == "0.26"
    assert bound_text(9.996, 3, direction="upper") == "1.00e+01"
    assert bound_text(12, direction="lower", fmt="d") == "12"


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"value": "1"}, TypeError),
        ({"value": float("nan")}, ValueError),
        ({"digits": 1.5}, TypeError),
        ({"direction": "up"}, ValueError),
        ({"fmt": "g"}, ValueError),
        ({"value": 1.5, "fmt": "d"}, ValueError),
        ({"digits": 0}, ValueError),
    ],
)
def test_bound_text_rejects_bad_input(kwargs, error):
    args = {"value": 1.0, "digits": 2, "direction": "upper", "fmt": "e"} | kwargs
    value, digits = args.pop("value"), args.pop("digits")
    with pytest.raises(error, match="bound_text"):
        bound_text(value, digits, **args)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@example(value=-5e-324, digits=1, upper=True, strict=False, fmt="e")  # subnormal: float(q) is not q
@example(value=5e-324, digits=2, upper=False, strict=True, fmt="e")
@given(
    value=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    digits=st.integers(1, 6),
    upper=st.booleans(),
    strict=st.booleans(),
    fmt=st.sampled_from(["e", "f"]),
)
def test_bound_text_is_a_bound_and_the_tightest_one(value, digits, upper, strict, fmt):
    if fmt == "f" and abs(value) > 1e12:
        return
    if fmt == "e" and strict and value == 0:  # no significant digits to round: refused
        with pytest.raises(ValueError, match="strict bound of 0"):
            bound_text(value, digits, direction="upper" if upper else "lower", fmt=fmt, strict=strict)
        return
    text = bound_text(value, digits, direction="upper" if upper else "lower", fmt=fmt, strict=strict)
    printed, v = Decimal(text), Decimal(value)
    if upper:
        assert printed > v if strict else printed >= v
    else:
        assert printed < v if strict else printed <= v
    # One step of the last printed digit towards v crosses it (or lands on it when strict).
    if fmt == "f":
        step = Decimal(1).scaleb(-digits)
    else:
        step = Decimal(1).scaleb(Decimal(text).adjusted() - digits + 1)
    closer = printed - step if upper else printed + step
    if upper:
        assert closer <= v if strict else closer < v
    else:
        assert closer >= v if strict else closer > v


def test_keep_helpers_name_themselves_in_errors():
    from activations.course.glue import keep_lower, keep_upper

    with pytest.raises(TypeError, match="keep_upper"):
        keep_upper("", 1.0)
    with pytest.raises(ValueError, match="keep_lower"):
        keep_lower("k", float("inf"))
    with pytest.raises(ValueError, match="keep_upper"):
        keep_upper("k", 0.0, strict=True)
