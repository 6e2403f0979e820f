"""Exercise 05: choosing output activations and losses; stable softmax / log-softmax."""

from __future__ import annotations

import numpy as np

import activations as act

from ..questions import Case, ChoiceQuestion, FunctionQuestion, NumberQuestion, case_rng
from . import Exercise

LOGITS = (1000.0, 0.0, -1000.0)
TARGET = 1


def _vector_cases(full, seed):
    rng = case_rng(seed, full)
    v = lambda *a: np.array(a, dtype=np.float64)
    cases = [
        Case((v(1.0, 2.0, 3.0),), {}, "z = [1, 2, 3]", rtol=1e-12, atol=1e-15),
        Case((v(1000.0, 1001.0, 1002.0),), {}, "z = [1000, 1001, 1002]", rtol=1e-12, atol=1e-15, no_warnings=True),
        Case((v(0.0, -1000.0, -40.0),), {}, "z = [0, -1000, -40]", rtol=1e-12, atol=1e-15, no_warnings=True),
        Case(
            (np.array([[0.0, 1.0, 2.0], [-2000.0, -1999.0, -1998.0]]),),
            {},
            "z = [[0, 1, 2], [-2000, -1999, -1998]]",
            rtol=1e-12,
            atol=1e-15,
            no_warnings=True,
            nonfinite_hint="subtract each row's own maximum (np.max(z, axis=axis, keepdims=True)), not the "
            "global one: a row far below the global maximum underflows to 0/0",
        ),
        Case((v(-np.inf, 0.0, 1.0),), {}, "z = [-inf, 0, 1]", rtol=1e-12, atol=1e-15),
        Case((rng.normal(scale=30.0, size=(4, 6)),), {"axis": 0}, "a 4x6 array with axis=0", rtol=1e-10, atol=1e-14),
        Case((rng.normal(scale=30.0, size=(5, 7)),), {}, "a 5x7 array (axis=-1)", rtol=1e-10, atol=1e-14),
        Case((rng.normal(scale=5.0, size=(3, 8)).astype(np.float32),), {}, "a 3x8 float32 array", rtol=2e-5, atol=2e-6),
    ]
    if full:
        cases.append(
            Case(
                (rng.normal(scale=100.0, size=(6, 5, 4)),),
                {"axis": 1},
                "a 6x5x4 array with axis=1",
                rtol=1e-10,
                atol=1e-13,
            )
        )
    return cases


def _cross_entropy():
    return float(-act.log_softmax(np.array(LOGITS))[TARGET])


EXERCISE = Exercise(
    "06_choosing",
    "Choosing the output activation and the loss",
    [
        FunctionQuestion(
            "q1",
            "stable softmax",
            ("stable_softmax",),
            points=2,
            cases=lambda full: _vector_cases(full, 501),
            reference=act.softmax,
            arg_name="z",
            hint="softmax(z) = exp(z - m) / sum(exp(z - m)) with m = max(z) along axis (keepdims=True)",
            overflow_hint="exp overflowed (inf/inf = nan) or every term underflowed (0/0): subtract the "
            "maximum along axis (keepdims=True) before exp",
            warning_hint="exp overflowed: subtract the maximum along axis (keepdims=True) before exp",
        ),
        FunctionQuestion(
            "q2",
            "stable log-softmax",
            ("stable_log_softmax",),
            points=2,
            cases=lambda full: _vector_cases(full, 502),
            reference=act.log_softmax,
            arg_name="z",
            hint="log_softmax(z) = (z - m) - log(sum(exp(z - m))) with m = max(z) along axis",
            overflow_hint="log of a probability that underflowed to 0 (or exp overflowed): compute "
            "(z - m) - log(sum(exp(z - m))) instead of log(softmax(z))",
            warning_hint="log(0) or exp overflow: compute (z - m) - log(sum(exp(z - m))) instead of log(softmax(z))",
        ),
        ChoiceQuestion(
            "q3",
            "multi-label classification",
            ("q3_choice", "q3_reason"),
            options={
                "a": "softmax over the labels + categorical cross-entropy",
                "b": "a sigmoid on each output + binary cross-entropy per label",
                "c": "linear outputs + mean squared error",
                "d": "tanh outputs + hinge loss",
            },
            answer_hash="5462b4bc76ca826d3186",
            hint="the labels are not exclusive: an image can be 'cat' and 'outdoor' at once. Which output "
            "lets several probabilities be close to 1 together?",
        ),
        ChoiceQuestion(
            "q4",
            "regression of a signed quantity",
            ("q4_choice", "q4_reason"),
            options={
                "a": "sigmoid output + binary cross-entropy",
                "b": "softmax output + categorical cross-entropy",
                "c": "linear (identity) output + mean squared error",
                "d": "ReLU output + mean squared error",
            },
            answer_hash="d7917b1bf112802cbc6d",
            hint="the target can be any real number, including negative ones: which output range covers it?",
        ),
        NumberQuestion(
            "q5",
            "cross-entropy of extreme logits",
            ("cross_entropy",),
            compute=_cross_entropy,
            rtol=1e-12,
            near_misses=(
                (
                    lambda g, e: not np.isfinite(g),
                    "you took the log of a probability that underflowed to 0: use the log-softmax from q2",
                ),
                (lambda g, e: g == -e, "off by a sign: the loss is -log p"),
            ),
            hint="loss = -log softmax(z)[y] with 0-based y; compute it with your stable log-softmax",
        ),
    ],
)
