"""Exercise 03: the ReLU family (leaky slope, ELU, dead units, maxout, softplus)."""

from __future__ import annotations

import numpy as np

import activations as act
from activations import kernels

from ..questions import Case, ExpressionQuestion, FunctionQuestion, case_rng
from . import Exercise
from ._cases import elementwise


def _elu_grad(x, alpha=1.0):
    return act.get("elu", alpha=alpha).grad(x)


def _elu_cases(full):
    cases = elementwise(full, seed=302, scale=3.0, tails=(-1000.0, -50.0, 50.0, 800.0, 1000.0), tail_hint="")
    cases.insert(
        1,
        Case(
            (np.array([-2.0, -0.5, 0.0, 0.5, 2.0]),),
            {"alpha": 2.0},
            "x = [-2, -0.5, 0, 0.5, 2] with alpha = 2",
            hint="the negative branch is alpha·exp(x) (did you forget alpha?), and at x = 0 "
            "the course uses the left derivative, alpha (PyTorch's convention)",
        ),
    )
    return cases


def _dead_reference(pre):
    return np.int64(np.count_nonzero(np.all(act.get("relu").grad(pre) == 0, axis=0)))


def _dead_cases(full):
    rng = case_rng(303, full)
    example = np.array(
        [
            [-1.0, 2.0, 0.0, -3.0, 0.5],
            [-0.5, -1.0, -2.0, -1.0, 0.1],
            [-2.0, 0.3, 0.0, -0.1, -4.0],
            [-0.1, -0.2, -1.0, -2.0, 1.0],
        ]
    )
    cases = [Case((example,), {}, "the 4x5 example above", check_dtype=False)]
    for n, m, shift in ((50, 12, -1.5), (200, 30, -2.0)) + (((500, 64, -2.5),) if full else ()):
        pre = rng.normal(size=(n, m)) + shift * rng.random(m)
        pre[:, 0] = np.minimum(pre[:, 0], 0.0)
        pre[rng.integers(n), 0] = 0.0  # a unit whose largest pre-activation is exactly 0
        pre[:, 1] = -np.abs(pre[:, 1]) - 0.1
        cases.append(Case((pre,), {}, f"a random {n}x{m} batch (rows: samples, columns: units)", check_dtype=False))
    return cases


def _maxout_cases(full):
    rng = case_rng(304, full)
    z = np.array([[1.0, -2.0, 3.0, 0.0, -1.0, -5.0]])
    cases = [
        Case((z, 2), {}, "z = [[1, -2, 3, 0, -1, -5]], pieces = 2"),
        Case((z, 3), {}, "z = [[1, -2, 3, 0, -1, -5]], pieces = 3"),
        Case((rng.normal(size=12),), {"pieces": 4}, "a 1-d z of length 12, pieces = 4"),
        Case((rng.normal(size=(5, 12)).astype(np.float32), 3), {}, "a 5x12 float32 z, pieces = 3"),
        Case((rng.normal(size=(8, 3, 10)), 5), {}, "an 8x3x10 z, pieces = 5"),
    ]
    return cases


def _prelu_grad_alpha(x):
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    return kernels.prelu_grad_alpha(x.astype(np.float64)).astype(dtype)


def _softplus_prime(point):
    import mpmath

    return 1 / (1 + mpmath.exp(-point["beta"] * point["x"]))


_SP_POINTS = tuple({"x": x, "beta": b} for x, b in (("-7", "1"), ("1/2", "3"), ("0", "2"), ("3/2", "1/4"), ("20", "1")))

EXERCISE = Exercise(
    "04_relu_family",
    "The ReLU family",
    [
        FunctionQuestion(
            "q1",
            "leaky ReLU that keeps dtype and input",
            ("leaky_relu",),
            points=2,
            cases=lambda full: (
                elementwise(full, seed=301, kwargs=None, integers=True, f32_atol=0.0)
                + [
                    Case(
                        (np.array([-2.0, -0.5, 0.0, 3.0]),),
                        {"negative_slope": 0.2},
                        "x = [-2, -0.5, 0, 3] with negative_slope = 0.2",
                        hint="use the negative_slope argument, not a hard-coded 0.01",
                    )
                ]
            ),
            reference=act.leaky_relu,
            hint="leaky_relu(x) = x for x > 0 and negative_slope·x otherwise",
        ),
        FunctionQuestion(
            "q2",
            "ELU derivative",
            ("elu_grad",),
            points=2,
            cases=_elu_cases,
            reference=_elu_grad,
            hint="ELU'(x) = 1 for x > 0 and alpha·exp(x) for x <= 0",
            overflow_hint="exp(x) overflowed: np.where evaluates both branches, so compute exp(np.minimum(x, 0))",
            warning_hint="np.where evaluates both branches: exp(x) overflows for large positive x even though "
            "that branch is thrown away; use exp(np.minimum(x, 0))",
        ),
        FunctionQuestion(
            "q3",
            "count dead ReLU units",
            ("count_dead_units",),
            cases=_dead_cases,
            reference=_dead_reference,
            hint="a unit (column) is dead on a batch when relu' is 0 for every sample (row): "
            "pre-activation <= 0 in the whole column",
            value_hints=(
                (
                    lambda g, e: g == e - 1,
                    "off by one: a unit whose largest pre-activation is exactly 0 is dead too (relu'(0) = 0), "
                    "so test <= 0, not < 0",
                ),
                (lambda g, e: g > e + 1, "count units (columns, axis 0 reduced), not samples"),
            ),
        ),
        FunctionQuestion(
            "q4",
            "maxout",
            ("maxout",),
            cases=_maxout_cases,
            reference=lambda z, pieces: act.maxout(z, pieces),
            hint="groups are consecutive: with k pieces, units 0..k-1 form the first group, k..2k-1 the "
            "second; reshape the last axis to (n // k, k) and take the max over the new last axis",
        ),
        ExpressionQuestion(
            "q5",
            "derivative of softplus with β (SymPy)",
            ("softplus_prime",),
            symbols=("x", "beta"),
            at=_SP_POINTS,
            expected=_softplus_prime,
            hint="differentiate log(1 + exp(beta*x))/beta with sp.diff; use the symbols named x and beta",
        ),
        FunctionQuestion(
            "q6",
            "PReLU: the gradient with respect to its slope",
            ("prelu_grad_alpha",),
            cases=lambda full: elementwise(full, seed=306, scale=3.0, rtol=0.0, f32_rtol=0.0, f32_atol=0.0),
            reference=_prelu_grad_alpha,
            hint="PReLU_alpha(x) is x for x > 0 (no alpha in it) and alpha·x otherwise; differentiate "
            "with respect to alpha, not x",
            value_hints=(
                (
                    lambda g, e: g in (0.25, 1.0) and e != g,
                    "that is a derivative with respect to x; the question asks for d/d(alpha) of alpha·x",
                ),
            ),
            overflow_hint="for x = -inf the derivative is -inf (alpha·x is linear in alpha); NaN must stay NaN",
        ),
    ],
)
