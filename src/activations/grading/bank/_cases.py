"""Test inputs shared by the elementwise questions: examples, tails, ±inf/NaN, float32, random."""

from __future__ import annotations

import numpy as np

from ..questions import Case, case_rng

PUBLIC = (-2.0, -0.5, 0.0, 0.5, 2.0)
#: a few float32 subnormal steps (1.4e-45 each): sigmoid(-90) = 8.2e-40 must not come back as 0
F32_TAIL_ATOL = 8 * float(np.finfo(np.float32).smallest_subnormal)


def _label(values, dtype="float64") -> str:
    return "x = [" + ", ".join(f"{v:g}" for v in values) + f"] ({dtype})"


def elementwise(
    full: bool,
    *,
    seed: int,
    tails=(),
    tail_hint="",
    f32_tails=(),
    kwargs=None,
    scale=5.0,
    rtol=1e-12,
    atol=1e-300,  # the course's bar: results below 1e-290 need only an absolute error <= 1e-300
    f32_rtol=2e-6,
    f32_atol=1e-37,
    limits=True,
    integers=False,
    student="",
):
    """Cases for an elementwise function ``f(x, **kwargs)``.

    The grader (``full=True``) uses ten times as many random points, drawn from a
    different seed (the instructor's secret and the student's id, see
    :func:`..questions.case_rng`), as the student's quick check.  The float32 tails are
    judged on values down to the subnormal range (absolute tolerance: a few subnormal
    steps), so a formula that overflows there fails even when its warning is silenced (``np.errstate(over="ignore")``).
    """
    kw = dict(kwargs or {})
    rng = case_rng(seed, full, student=student)
    n = 2000 if full else 200
    cases = [Case((np.array(PUBLIC),), kw, _label(PUBLIC), rtol=rtol, atol=atol)]
    if tails:
        cases.append(
            Case(
                (np.array(tails, dtype=np.float64),),
                kw,
                _label(tails),
                rtol=rtol,
                atol=atol,
                no_warnings=True,
                hint=tail_hint,
            )
        )
    if limits:
        special = (-np.inf, np.inf, np.nan)
        cases.append(Case((np.array(special),), kw, "x = [-inf, inf, nan] (float64)", rtol=rtol, atol=atol))
    f32 = np.concatenate([np.array(PUBLIC), rng.normal(scale=scale, size=n // 10)]).astype(np.float32)
    cases.append(Case((f32,), kw, "a float32 array", rtol=f32_rtol, atol=f32_atol))
    if f32_tails:
        cases.append(
            Case(
                (np.array(f32_tails, dtype=np.float32),),
                kw,
                _label(f32_tails, "float32"),
                rtol=f32_rtol,
                atol=F32_TAIL_ATOL,
                no_warnings=True,
                hint=tail_hint,
            )
        )
    if integers:
        ints = np.array([-3, -1, 0, 2, 5])
        cases.append(Case((ints,), kw, "x = [-3, -1, 0, 2, 5] (int64)", rtol=rtol, atol=atol))
    cases.append(Case((rng.normal(scale=scale, size=n),), kw, f"{n} random points (float64)", rtol=rtol, atol=atol))
    cases.append(Case((rng.normal(scale=scale, size=(3, 4)),), kw, "a 3x4 array (float64)", rtol=rtol, atol=atol))
    return cases
