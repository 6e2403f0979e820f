"""Exercise 04: GELU, Swish and SELU."""

from __future__ import annotations

import numpy as np

import activations as act

from ..questions import ChoiceQuestion, ExpressionQuestion, FunctionQuestion, NumberQuestion
from . import Exercise
from ._cases import elementwise


def _swish_min_location(point):
    import mpmath

    return -1 - mpmath.lambertw(mpmath.exp(-1)).real


def _swish_min_value():
    from scipy import optimize

    res = optimize.minimize_scalar(lambda t: float(act.silu(t)), bracket=(-3.0, -1.0, 0.0), tol=1e-12)
    return float(res.fun)


def _selu_second_moment():
    from scipy import integrate

    pdf = 1.0 / np.sqrt(2.0 * np.pi)
    value, _ = integrate.quad(
        lambda z: float(act.selu(z)) ** 2 * pdf * np.exp(-0.5 * z * z), -np.inf, np.inf, epsabs=1e-13, epsrel=1e-13
    )
    return value


def _swish_cases(full):
    cases = elementwise(
        full,
        seed=403,
        scale=6.0,
        tails=(-1000.0, -750.0, -40.0, 40.0, 750.0, 1000.0),
        tail_hint="x·sigmoid(x) needs a sigmoid that does not overflow for large |x| (see exercise 02)",
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
        FunctionQuestion(
            "q1",
            "GELU through erfc",
            ("gelu",),
            points=2,
            cases=lambda full: elementwise(
                full,
                seed=401,
                scale=4.0,
                tails=(-40.0, -20.0, -10.0, -8.0, -6.0, 6.0, 10.0),
                rtol=1e-10,
                f32_rtol=1e-5,
                tail_hint="1 + erf(x/sqrt(2)) cancels for x below about -6 (erf -> -1); use "
                "Φ(x) = erfc(-x/sqrt(2))/2 (scipy.special.erfc), which keeps its digits in the tail",
            ),
            reference=act.gelu,
            hint="GELU(x) = x Φ(x) with Φ(x) = (1 + erf(x/√2))/2 = erfc(-x/√2)/2",
            overflow_hint="at x = -inf, x·Φ(x) is -inf·0 = nan: return the limit 0 there "
            "(e.g. np.where(np.isneginf(x), 0.0, ...))",
        ),
        ExpressionQuestion(
            "q2",
            "where Swish has its minimum (SymPy)",
            ("swish_min_x",),
            symbols=(),
            at=({},),
            expected=_swish_min_location,
            hint="set d/dx [x/(1 + exp(-x))] = 0; it reduces to 1 + x + exp(x) = 0, which sp.solve "
            "answers with LambertW",
        ),
        FunctionQuestion(
            "q3",
            "Swish with β",
            ("swish",),
            points=2,
            cases=_swish_cases,
            reference=lambda x, beta=1.0: act.swish(x, beta=beta),
            hint="swish(x) = x·sigmoid(beta·x); beta = 0 gives x/2",
            overflow_hint="exp overflowed or inf·0 appeared: use a stable sigmoid of beta·x, and at "
            "x = -inf return the limit 0",
        ),
        NumberQuestion(
            "q4",
            "second moment of SELU(z), z ~ N(0, 1)",
            ("selu_second_moment",),
            compute=_selu_second_moment,
            rtol=1e-6,
            near_misses=(
                (lambda g, e: abs(g) < 1e-3, "≈ 0 is the mean E[selu(z)]; the question asks for E[selu(z)²]"),
                (
                    lambda g, e: abs(g - e) < 0.02,
                    "close, but a Monte Carlo estimate with n samples is only good to about 1/sqrt(n); "
                    "integrate with scipy.integrate.quad against the normal density",
                ),
            ),
            hint="E[selu(z)²] = ∫ selu(z)² φ(z) dz with φ the standard normal density",
        ),
        ChoiceQuestion(
            "q5",
            "when does SELU self-normalise",
            ("q5_choice", "q5_reason"),
            options={
                "a": "With any weight initialisation: the constants λ and α guarantee it.",
                "b": "With standardised inputs, LeCun-normal weights (variance 1/fan_in) and plain dense "
                "layers: mean 0 and variance 1 are a fixed point of the layer-to-layer map.",
                "c": "Only with batch normalisation after every layer.",
                "d": "Only when SELU is used in the output layer.",
            },
            answer_hash="c58c66ef55e41a283599",
            hint="λ and α were chosen so that (mean, variance) = (0, 1) is a fixed point; what does that "
            "assume about the weights and the inputs?",
        ),
    ],
)
