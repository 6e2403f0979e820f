"""Exercise 02: sigmoid and tanh, their derivatives, saturation and overflow."""

from __future__ import annotations

import numpy as np

import activations as act

from ..questions import ExpressionQuestion, FunctionQuestion, NumberQuestion
from . import Exercise
from ._cases import elementwise

CHAIN_START = 3.0
CHAIN_THRESHOLD = 1e-6


def _max_dsigma():
    # σ' on a fine grid that contains its maximiser 0 exactly.
    return float(np.max(act.get("sigmoid").grad(np.linspace(-10.0, 10.0, 200001))))


def _chain_depth():
    """Smallest L with prod_{k=1}^{L} σ'(h_{k-1}) < 1e-6, where h_0 = 3, h_k = σ(h_{k-1})."""
    sig = act.get("sigmoid")
    h, g = CHAIN_START, 1.0
    for depth in range(1, 10_000):
        g *= float(sig.grad(h))
        h = float(sig(h))
        if g < CHAIN_THRESHOLD:
            return depth
    raise RuntimeError("chain did not fall below the threshold")


def _s_times_one_minus_s(point):
    s = point["s"]
    return s * (1 - s)


_S_POINTS = tuple({"s": v} for v in ("1/3", "1/2", "2/7", "9/10", "1/1000"))

EXERCISE = Exercise(
    "02_sigmoid_tanh",
    "Sigmoid and tanh: saturation and overflow",
    [
        FunctionQuestion(
            "q1",
            "a sigmoid that never overflows",
            ("stable_sigmoid",),
            points=2,
            cases=lambda full: elementwise(
                full,
                seed=201,
                scale=20.0,
                tails=(-1000.0, -745.0, -40.0, 40.0, 745.0, 1000.0),
                f32_tails=(-100.0, -90.0, 90.0, 100.0),
                tail_hint="rearrange for large |x|: with e = exp(-|x|) <= 1, sigmoid = 1/(1+e) for x >= 0 "
                "and e/(1+e) for x < 0, so exp never overflows and tiny values keep their digits",
            ),
            reference=act.sigmoid,
            hint="sigmoid(x) = 1 / (1 + exp(-x)); compare your formula with act.sigmoid on the failing input",
            overflow_hint="exp overflowed (inf/inf = nan): rearrange for large |x| using exp(-|x|), "
            "which is always <= 1",
        ),
        ExpressionQuestion(
            "q2",
            "σ' in terms of σ (SymPy)",
            ("dsigma_in_s",),
            symbols=("s",),
            at=_S_POINTS,
            expected=_s_times_one_minus_s,
            hint="differentiate 1/(1 + exp(-x)) with sp.diff, then eliminate x: exp(-x) = (1 - s)/s "
            "(or substitute x = log(s/(1 - s))) and simplify; the result uses only s",
        ),
        NumberQuestion(
            "q3",
            "largest value of σ'",
            ("max_dsigma",),
            compute=_max_dsigma,
            rtol=1e-12,
            near_misses=(
                (lambda g, e: g == 0.5, "1/2 is σ(0), the value of σ at the maximiser, not of σ'"),
                (lambda g, e: g == 1.0, "1 is the largest slope of tanh; σ is flatter"),
            ),
            hint="σ' = σ(1 - σ) is a parabola in σ ∈ (0, 1); where is it largest?",
        ),
        FunctionQuestion(
            "q4",
            "tanh' without cancellation",
            ("tanh_grad",),
            points=2,
            cases=lambda full: elementwise(
                full,
                seed=204,
                scale=5.0,
                tails=(-400.0, -30.0, -20.0, 20.0, 30.0, 400.0),
                f32_tails=(-60.0, -12.0, 12.0, 60.0),
                f32_rtol=1e-5,
                tail_hint="1 - tanh(x)**2 cancels: tanh(x) rounds to ±1 for |x| > 19, so the difference is 0 "
                "while tanh' ≈ 4 exp(-2|x|); with e = exp(-2|x|), tanh' = 4e/(1+e)²",
            ),
            reference=act.get("tanh").grad,
            hint="tanh'(x) = 1 - tanh(x)² = sech(x)² = 4e/(1+e)² with e = exp(-2|x|)",
            overflow_hint="cosh(x)² (or exp(2x)) overflows for large |x|: use e = exp(-2|x|) <= 1",
            warning_hint="cosh(x)² (or exp(2x)) overflows for large |x|: use e = exp(-2|x|), "
            "tanh' = 4e/(1+e)², which never overflows",
        ),
        NumberQuestion(
            "q5",
            "depth at which the gradient falls below 1e-6",
            ("depth_below_1e6",),
            compute=_chain_depth,
            integer=True,
            rtol=0,
            near_misses=(
                (
                    lambda g, e: g == 10 and e != 10,
                    "(1/4)^L < 1e-6 gives L = 10, but that is only the best case (every factor <= 1/4); "
                    "multiply the actual factors σ'(h_{k-1}) along the chain that starts at h_0 = 3",
                ),
                (
                    lambda g, e: abs(g - e) == 1,
                    "off by one: g_L has exactly L factors σ'(h_0) ... σ'(h_{L-1}); report the first L "
                    "for which the product is already below 1e-6",
                ),
            ),
            hint="loop: g *= σ'(h); h = σ(h); stop at the first L with g < 1e-6",
        ),
    ],
)
