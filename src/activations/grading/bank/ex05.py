"""Exercise 05: GELU, Swish and SELU -- gains, self-normalisation, a stable Swish.

A derivation (the weight variance for Swish with a given β), an experiment (the variance a deep
SELU network settles at for a given weight scale, 10 seeds, a t interval), a diagnosis (per-layer
statistics of a SELU network with the wrong initialisation), a kernel (Swish without overflow)
and a concept question whose reason is checked by content.  The numbers are drawn per student.
"""

from __future__ import annotations

import numpy as np

import activations as act

from ..questions import ChoiceQuestion, FunctionQuestion, IntervalQuestion, NumberQuestion
from . import Exercise
from ._cases import elementwise
from ._stats import t_interval, z_instead_of_t


def _swish_second_moment(beta):
    from scipy import integrate

    def f2(z):
        return float(act.swish(z, beta=beta)) ** 2 * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)

    value, _ = integrate.quad(f2, -np.inf, np.inf, epsabs=1e-13, epsrel=1e-13)
    return value


def _swish_gain(p):
    return 1.0 / _swish_second_moment(p["beta"])


def _selu_depth_variance(p):
    from activations import experiments

    vals = []
    for seed in range(p["seed0"], p["seed0"] + 10):
        r = experiments.signal_propagation(
            "selu", depth=30, width=64, rng=np.random.default_rng(seed), init="lecun", weight_scale=p["scale"]
        )
        vals.append(r["var"][-1])
    return t_interval(vals)


def _swish_cases(full, student=""):
    cases = elementwise(
        full,
        student=student,
        seed=403,
        scale=6.0,
        tails=(-1000.0, -750.0, -40.0, 40.0, 750.0, 1000.0),
        tail_hint="x·σ(βx) needs a sigmoid that does not overflow for large |x| (exercise 2)",
    )
    return (
        cases
        + elementwise(full, seed=404, kwargs={"beta": 2.0}, limits=False)[:1]
        + elementwise(full, seed=405, kwargs={"beta": 0.0}, limits=False)[:1]
    )


EXERCISE = Exercise(
    "05_gelu_selu_swish",
    "GELU, Swish, SELU",
    [
        NumberQuestion(
            "q1",
            "the weight variance for Swish with β",
            ("sigma_w2",),
            points=2,
            kind="derivation",
            params={"beta": (1.25, 3.0, 2)},
            compute=_swish_gain,
            rtol=1e-6,
            near_misses=(
                (lambda g, e: g == 2.0, "that is ReLU's value; Swish equals ReLU only in the limit β → ∞"),
                (lambda g, e: abs(g * e - 1) < 1e-5, "you computed the second moment itself; invert it"),
                (lambda g, e: abs(g - e) < 1e-3 * e, "close: a Monte Carlo estimate is not accurate enough; integrate"),
            ),
            hint="the same rule as for ReLU: the variance that keeps the second moment of the signal at 1",
            hints=(
                "there is no closed form: integrate swish(z)² against the standard normal density numerically "
                "(scipy.integrate.quad)",
            ),
        ),
        IntervalQuestion(
            "q2",
            "where a deep SELU network settles (experiment)",
            ("selu_variance",),
            points=3,
            params={"scale": (0.85, 1.15, 3), "seed0": (0, 900, 0)},
            compute=_selu_depth_variance,
            width_ratio=1.1,
            near_misses=(
                (
                    z_instead_of_t,
                    "with 10 runs the normal quantile is too small: use Student's t with n - 1 degrees of freedom",
                ),
            ),
            hint="run the helper exactly as the question says, for your weight scale and seeds, and take "
            "the variance of the last layer",
            hints=("`var` has one entry per hidden layer: the last one is index -1",),
        ),
        ChoiceQuestion(
            "q3",
            "diagnose per-layer statistics",
            ("q3_choice", "q3_fix"),
            points=2,
            kind="diagnosis",
            options={
                "a": "The weights were initialised for another activation: SELU's fixed point needs a "
                "different weight variance.",
                "b": "SELU always needs batch normalisation after every layer.",
                "c": "The inputs are not standardised.",
                "d": "Many units are dead, so the variance piles up in the others.",
            },
            answer_hash="d469de8dd3f8215fb8da",
            reason_concepts=(
                (
                    r"lecun|1 ?/ ?fan|1/n\b|variance (of )?1|var(iance)? ?= ?1 ?/|sigma_w.*1",
                    "say which initialisation you would use instead (its weight variance)",
                ),
            ),
            hint="which assumption behind self-normalisation does this network break?",
            hints=("compare the init the network was built with and the one SELU's constants were derived for",),
        ),
        FunctionQuestion(
            "q4",
            "Swish with β, without overflow (kernel)",
            ("swish",),
            points=2,
            cases=_swish_cases,
            reference=lambda x, beta=1.0: act.swish(x, beta=beta),
            hint="compare your function with act.swish on the failing input",
            hints=(
                "reuse the idea of your stable sigmoid from exercise 2 for the sigmoid of beta·x",
                "at x = -inf the product of -inf and a sigmoid that is exactly 0 is NaN: return the limit there",
            ),
            overflow_hint="an exponential overflowed, or inf·0 appeared: look at the limits of swish for |x| → ∞",
        ),
        ChoiceQuestion(
            "q5",
            "when does SELU self-normalise",
            ("q5_choice", "q5_reason"),
            points=1,
            options={
                "a": "With any weight initialisation: the constants λ and α guarantee it.",
                "b": "Only with batch normalisation after every layer.",
                "c": "With standardised inputs, weights of variance 1/fan_in and plain dense layers.",
                "d": "Only when SELU is also used in the output layer.",
            },
            answer_hash="cda4903ace2985e7d0f1",
            reason_concepts=(
                (
                    r"fixed point|attract|stable|converge",
                    "say what λ and α were chosen to achieve for (mean, variance)",
                ),
            ),
            hint="λ and α were chosen so that one (mean, variance) pair is special; what does that assume?",
        ),
    ],
)
