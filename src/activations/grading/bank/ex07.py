"""Exercise 07: gated activations, attention's softmax.

Question mix (issue 17's standard): two derivations (q1 the gated width that matches
parameters with biases counted, q2 the score scale for entries of variance σ²), one
experiment (q3 the saturation of unscaled attention rows), two diagnoses (q4 an unfair
width comparison, q5 NaN from a float16 softmax) and one numeric kernel (q6 the softmax
backward pass, 1 of 8 points).  q3's seed, dimension d and number of keys are drawn per
student; q1 and q2 ask for SymPy expressions in symbols, the same for everyone.
"""

from __future__ import annotations

import functools

import numpy as np

import activations as act

from ..questions import Case, ChoiceQuestion, ExpressionQuestion, FunctionQuestion, NumberQuestion, case_rng
from . import Exercise

#: q3's experiment: the number of queries and the saturation level are the same for everyone;
#: the seed, the dimension d and the number of keys per query are the student's (check.params("q3")).
#: Over these ranges most unscaled rows saturate and few scaled ones do, as the worked solution says
#: (tests/test_exercises.py checks the extreme corners).
SAT_ROWS, SAT_LEVEL = 2000, 0.9
Q3_PARAMS = {"seed": (0, 9999, 0), "d": [32, 48, 64, 96, 128], "keys": (8, 24, 0)}


WIDTH_AT = tuple({"d": v} for v in ("3", "48", "4096", "7/2"))
SCALE_AT = ({"d": "64", "sigma": "1/2"}, {"d": "256", "sigma": "3"}, {"d": "5", "sigma": "2"})


def _matches(got, at, formula):
    """Whether the student's values at the points ``at`` are those of ``formula(point)`` (a near miss)."""
    from fractions import Fraction

    import mpmath

    want = [formula({k: mpmath.mpf(Fraction(v).numerator) / Fraction(v).denominator for k, v in p.items()}) for p in at]
    return all(abs(g - w) <= mpmath.mpf(10) ** -20 * max(1, abs(w)) for g, w in zip(got, want))


def _matched_width(point):
    d = point["d"]
    return 4 * d * (2 * d + 1) / (3 * d + 2)


def _score_scale(point):
    import mpmath

    return 1 / (point["sigma"] ** 2 * mpmath.sqrt(point["d"]))


@functools.lru_cache(maxsize=8)
def _saturation_scores(seed, d, keys):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(SAT_ROWS, d))
    k = rng.normal(size=(SAT_ROWS, keys, d))
    scores = np.einsum("rd,rkd->rk", q, k)
    scores.flags.writeable = False  # shared by the cache
    return scores


def _saturated_fraction(p, scale=1.0, axis=-1):
    """The fraction of rows whose largest softmax weight exceeds SAT_LEVEL (``scale`` multiplies the scores)."""
    weights = act.softmax(_saturation_scores(p["seed"], p["d"], p["keys"]) * scale, axis=axis)
    return float(np.mean(weights.max(axis=axis) > SAT_LEVEL))


def _softmax_backward(s, dout, axis=-1):
    p = act.softmax(np.asarray(s, dtype=np.float64), axis=axis)
    return p * (dout - np.sum(p * dout, axis=axis, keepdims=True))


def _backward_cases(full):
    rng = case_rng(707, full)
    n = 12 if full else 4
    cases = [
        Case((np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])), {}, "s = [1, 2, 3], dout = [1, 0, 0]"),
        Case(
            (np.array([1000.0, 0.0, -1000.0]), np.array([0.5, -1.0, 2.0])),
            {},
            "s = [1000, 0, -1000], dout = [0.5, -1, 2]",
            atol=1e-300,
            no_warnings=True,
        ),
        Case(
            (np.zeros(4), np.array([1.0, 2.0, 3.0, 4.0])),
            {},
            "s = [0, 0, 0, 0], dout = [1, 2, 3, 4]",
            atol=1e-15,
        ),
    ]
    for i in range(n):
        shape = (3, 5) if i % 2 == 0 else (4, 6)
        axis = -1 if i % 3 else 0
        s = rng.normal(scale=3.0, size=shape)
        g = rng.normal(size=shape)
        cases.append(Case((s, g), {"axis": axis}, f"random {shape[0]}x{shape[1]} arrays with axis={axis}", atol=1e-14))
    return cases


EXERCISE = Exercise(
    "07_gated_activations",
    "Gated activations and attention's softmax",
    [
        ExpressionQuestion(
            "q1",
            "the gated width that matches parameters, biases included",
            ("h_matched",),
            points=2,
            symbols=("d",),
            at=WIDTH_AT,
            expected=_matched_width,
            near_misses=(
                (
                    lambda got, want: _matches(got, WIDTH_AT, lambda p: 8 * p["d"] / 3),
                    "that is the width without biases; the gated block has 2h + d biases, the ungated one "
                    "4d + d: count them too",
                ),
            ),
            hint="count every weight matrix and every bias vector of both blocks",
            hints=(
                "the gated block has two input projections (values and gates), each with its own biases",
                "write both counts as SymPy expressions in d and h, set them equal and solve for h",
            ),
        ),
        ExpressionQuestion(
            "q2",
            "the factor that gives attention scores variance 1",
            ("score_scale",),
            symbols=("d", "sigma"),
            at=SCALE_AT,
            expected=_score_scale,
            near_misses=(
                (
                    lambda got, want: _matches(got, SCALE_AT, lambda p: 1 / p["d"] ** 0.5),
                    "that is the factor for entries of variance 1; here each entry has variance σ²",
                ),
                (
                    lambda got, want: _matches(got, SCALE_AT, lambda p: 1 / (p["sigma"] * p["d"] ** 0.5)),
                    "each product q_i k_i has variance σ²·σ² = σ⁴, so the standard deviation of q·k is σ²√d",
                ),
                (
                    lambda got, want: _matches(got, SCALE_AT, lambda p: 1 / (p["sigma"] ** 4 * p["d"])),
                    "that divides by the variance; a variance is scaled by c² when the scores are scaled "
                    "by c, so divide by the standard deviation",
                ),
            ),
            hint="work out the variance of the score q·k first, then the factor that brings it to 1",
            hints=(
                "q·k is a sum of d independent products; what is the variance of one product of two "
                "independent zero-mean entries?",
                "scaling a quantity by c scales its variance by c²",
            ),
        ),
        NumberQuestion(
            "q3",
            "how many unscaled attention rows saturate",
            ("saturated_fraction",),
            kind="experiment",
            points=2,
            params=Q3_PARAMS,
            compute=_saturated_fraction,
            rtol=0.0,
            atol=1e-9,
            near_misses=(
                (
                    lambda g, e, p: abs(g - _saturated_fraction(p, scale=p["d"] ** -0.5)) < 1e-9,
                    "that is the fraction after dividing by √d; the question asks for the raw scores",
                ),
                (
                    lambda g, e, p: abs(g - _saturated_fraction(p, axis=0)) < 1e-9,
                    "the softmax runs over the keys of one query: along axis=-1 (each row), not axis=0",
                ),
                (lambda g, e: 1 < g <= 100, "give a fraction between 0 and 1, not a percentage"),
            ),
            hint="one softmax per query: over that query's keys; draw the data with your seed, d and "
            'number of keys (check.params("q3")), in the order the question gives',
            hints=(f"per row, compare the largest weight with {SAT_LEVEL}; the answer is a fraction between 0 and 1",),
        ),
        ChoiceQuestion(
            "q4",
            "diagnose a comparison of feed-forward blocks",
            ("q4_choice", "q4_reason"),
            kind="diagnosis",
            options={
                "a": "Nothing is wrong: giving both blocks the same hidden width 4d is the fair comparison.",
                "b": "The SwiGLU block has three d × 4d matrices, 12d² weights against 8d²: 1.5 times the "
                "parameters and multiply-adds. Compare at hidden width 8d/3, with tuned learning rates "
                "and several seeds.",
                "c": "SwiGLU needs a smaller learning rate, so it should simply be trained for more epochs.",
                "d": "The GELU block should use the tanh approximation of GELU to be comparable.",
            },
            answer_hash="e49998fe802373fbec38",
            hint="count the weight matrices of each block and their sizes",
        ),
        ChoiceQuestion(
            "q5",
            "diagnose NaN in a float16 attention layer",
            ("q5_choice", "q5_reason"),
            kind="diagnosis",
            options={
                "a": "The learning rate is too large; halving it removes the NaN for good.",
                "b": "Small weights underflow to 0 in float16 and log(0) is the NaN; add 1e-6 to every weight.",
                "c": "exp(s) overflows float16 (largest finite value 65504 ≈ e^11.09) to inf, and inf/inf is "
                "NaN; subtract each row's maximum before exp (or compute the softmax in float32).",
                "d": "Dividing the scores by √d a second time is the fix.",
            },
            answer_hash="56de53d6378c8112067b",
            hint="what is exp(12) in float16? and what is inf / inf?",
        ),
        FunctionQuestion(
            "q6",
            "the softmax backward pass",
            ("softmax_backward",),
            cases=_backward_cases,
            reference=_softmax_backward,
            arg_name="s",
            hint="the chain rule through the softmax's Jacobian, without building the matrix",
            hints=(
                "write the Jacobian-vector product out component by component: one term from the "
                "diagonal, one from the outer product",
                "compute p with a stable softmax; a sum along axis with keepdims=True broadcasts back",
            ),
            overflow_hint="exp(s) overflowed: compute p with the max-shift (or act.softmax)",
        ),
    ],
)
