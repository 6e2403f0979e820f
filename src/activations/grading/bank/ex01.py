"""Exercise 01: why a network needs a (good) non-linearity."""

from __future__ import annotations

import numpy as np

from ..questions import Case, ChoiceQuestion, FunctionQuestion, NumberQuestion, case_rng
from . import Exercise
from ._cases import elementwise


def _compose_reference(W1, b1, W2, b2):
    return W2 @ W1, W2 @ b1 + b2


def _compose_cases(full):
    rng = case_rng(101, full)
    shapes = [(2, 3, 4), (3, 3, 3), (5, 1, 2), (4, 6, 3)] + ([(7, 5, 9), (1, 4, 1)] if full else [])
    cases = []
    for n_in, n_hidden, n_out in shapes:
        args = (
            rng.normal(size=(n_hidden, n_in)),
            rng.normal(size=n_hidden),
            rng.normal(size=(n_out, n_hidden)),
            rng.normal(size=n_out),
        )
        label = f"W1 {n_hidden}x{n_in}, b1 ({n_hidden},), W2 {n_out}x{n_hidden}, b2 ({n_out},)"
        cases.append(Case(args, {}, label, rtol=1e-10, atol=1e-12))
    return cases


def _degree():
    # Degree of the polynomial computed by 3 hidden layers h -> (w h + b)^2 with generic
    # (non-zero, random integer) weights, then a linear output layer.
    import sympy as sp

    t = sp.Symbol("t")
    rng = np.random.default_rng(7)
    h = t
    for _ in range(3):
        w, b = (int(v) for v in rng.integers(1, 9, size=2))
        h = (w * h + b) ** 2
    return sp.Poly(sp.expand(3 * h - 1), t).degree()


def _signed_sqrt_grad(x):
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    with np.errstate(divide="ignore"):
        return (0.5 / np.sqrt(np.abs(x.astype(np.float64)))).astype(dtype)


EXERCISE = Exercise(
    "01_linearity",
    "Linearity collapse and bad activations",
    [
        FunctionQuestion(
            "q1",
            "compose two affine layers",
            ("compose_affine",),
            points=2,
            cases=_compose_cases,
            reference=_compose_reference,
            hint="apply the second layer to the output of the first: W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)",
            error_hint="check the shapes: W1 is (hidden, in) and W2 is (out, hidden), so W = W2 @ W1 is (out, in)",
        ),
        NumberQuestion(
            "q2",
            "degree of a network with x² activations",
            ("degree_x2_net",),
            compute=_degree,
            integer=True,
            rtol=0,
            near_misses=(
                (lambda g, e: g == 6, "degrees multiply under composition, they do not add"),
                (
                    lambda g, e: g == 2,
                    "one squaring gives degree 2, but the layers are composed: square of a square ...",
                ),
            ),
            hint="write the network for one scalar input and let SymPy expand it (sp.Poly(expr, x).degree())",
        ),
        FunctionQuestion(
            "q3",
            "derivative of sign(x)·sqrt|x|",
            ("signed_sqrt_grad",),
            points=2,
            cases=lambda full: elementwise(full, seed=103, scale=3.0, rtol=1e-12, f32_rtol=1e-6),
            reference=_signed_sqrt_grad,
            hint="for x > 0 the function is sqrt(x), for x < 0 it is -sqrt(-x): differentiate both branches",
            overflow_hint="at x = 0 the slope is +inf (vertical tangent), at x = ±inf it tends to 0; NaN must stay NaN",
        ),
        ChoiceQuestion(
            "q4",
            "what is wrong with sqrt(x) and log(x)",
            ("q4_choice", "q4_reason"),
            options={
                "a": "They are linear, so the network collapses to one affine map.",
                "b": "They are undefined (NaN, or -inf at 0) for inputs <= 0, yet about half of the "
                "pre-activations of a freshly initialised layer are negative.",
                "c": "They saturate for large positive inputs, so their gradients vanish there.",
                "d": "They are not differentiable anywhere.",
            },
            answer_hash="271f86b4cab79c68eec4",
            hint="evaluate np.sqrt and np.log on a standard normal sample: what fraction of the results is finite?",
        ),
    ],
)
