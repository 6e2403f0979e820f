"""Exercise 06: choosing the output activation and the loss; a learning-rate sweep; log-softmax.

A kernel (a stable log-softmax), an experiment (a small learning-rate sweep tuned on a
validation split, then a test accuracy with a t interval over 10 seeds), a diagnosis (a
regression whose output activation cannot reach the targets), a derivation (the cross-entropy
of extreme logits) and a concept question whose reason is checked by content.  The numbers are
drawn per student.
"""

from __future__ import annotations

import numpy as np

import activations as act

from ..questions import Case, ChoiceQuestion, FunctionQuestion, IntervalQuestion, NumberQuestion, case_rng
from . import Exercise
from ._stats import t_interval, z_instead_of_t

LRS = (0.01, 0.03, 0.1, 0.3)


def _vector_cases(full, seed, student=""):
    rng = case_rng(seed, full, student=student)
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
            nonfinite_hint="a row far below the others lost all its digits: is the shift computed per row "
            "(along axis), or once for the whole array?",
        ),
        Case((v(-np.inf, 0.0, 1.0),), {}, "z = [-inf, 0, 1]", rtol=1e-12, atol=1e-15),
        Case((rng.normal(scale=30.0, size=(4, 6)),), {"axis": 0}, "a 4x6 array", rtol=1e-10, atol=1e-14),
        Case((rng.normal(scale=30.0, size=(5, 7)),), {}, "a 5x7 array", rtol=1e-10, atol=1e-14),
        Case((rng.normal(scale=5.0, size=(3, 8)).astype(np.float32),), {}, "a 3x8 float32 array", rtol=2e-5, atol=2e-6),
    ]
    if full:
        cases.append(
            Case((rng.normal(scale=100.0, size=(6, 5, 4)),), {"axis": 1}, "a 6x5x4 array", rtol=1e-10, atol=1e-13)
        )
    return cases


def _sweep(p):
    from activations import data, nn

    def run(lr, seed):
        rng = np.random.default_rng(seed)
        X, y = data.two_moons(200, noise=p["noise"], rng=rng)
        X_val, y_val = data.two_moons(200, noise=p["noise"], rng=rng)
        X_test, y_test = data.two_moons(500, noise=p["noise"], rng=rng)
        model = nn.MLP([2, 16, 16, 2], "relu", rng=rng)
        nn.train(model, X, y, optimizer=nn.SGD(lr=lr, momentum=0.9), epochs=10, batch_size=32, rng=rng)
        return nn.accuracy(model, X_val, y_val), nn.accuracy(model, X_test, y_test)

    seeds = range(p["seed0"], p["seed0"] + 10)
    results = {lr: [run(lr, s) for s in seeds] for lr in LRS}
    best = max(LRS, key=lambda lr: np.mean([val for val, _ in results[lr]]))
    return t_interval([test for _, test in results[best]])


def _extreme_ce(p):
    z = np.array([p["a"], p["a"] - p["d"], -p["b"]])
    return float(-act.log_softmax(z)[1])


EXERCISE = Exercise(
    "06_choosing",
    "Choosing the output activation and the loss",
    [
        FunctionQuestion(
            "q1",
            "stable log-softmax (kernel)",
            ("stable_log_softmax",),
            points=2,
            cases=lambda full, student="": _vector_cases(full, 502, student),
            reference=act.log_softmax,
            arg_name="z",
            hint="compare your function with act.log_softmax on the failing input",
            hints=(
                "log-softmax does not change when the same constant is subtracted from every logit of a row: "
                "which constant keeps every exp() in range?",
                "never take the log of a probability: keep everything in log space",
            ),
            overflow_hint="an exponential overflowed, or a probability underflowed to 0 before the log",
            warning_hint="an exponential overflowed or a log of 0 was taken: stay in log space",
        ),
        IntervalQuestion(
            "q2",
            "a learning-rate sweep (experiment)",
            ("tuned_accuracy",),
            points=3,
            params={"noise": (0.15, 0.35, 2), "seed0": (0, 900, 0)},
            compute=_sweep,
            width_ratio=1.1,
            near_misses=(
                (
                    z_instead_of_t,
                    "with 10 runs the normal quantile is too small: use Student's t with n - 1 degrees of freedom",
                ),
            ),
            hint="choose the learning rate on the validation accuracy (mean over the seeds), then report the "
            "test accuracies of that learning rate",
            hints=("one generator per run, in this order: training, validation and test data, weights, shuffling",),
        ),
        ChoiceQuestion(
            "q3",
            "diagnose a regression",
            ("q3_choice", "q3_fix"),
            points=2,
            kind="diagnosis",
            options={
                "a": "The learning rate is too small: the loss is still falling.",
                "b": "The output activation cannot produce part of the targets' range.",
                "c": "The hidden layers saturate, so the gradients vanish.",
                "d": "The network has too few hidden units for a sine.",
            },
            answer_hash="5462b4bc76ca826d3186",
            reason_concepts=(
                (
                    r"linear|identity|no (output )?activation|without (an )?activation|tanh",
                    "say what the output layer should be instead",
                ),
            ),
            hint="compare the range of the predictions with the range of the targets",
            hints=("what values can the output activation produce at all?",),
        ),
        NumberQuestion(
            "q4",
            "the cross-entropy of extreme logits",
            ("cross_entropy",),
            points=2,
            kind="derivation",
            params={"a": (700.0, 990.0, 2), "d": (0.5, 5.0, 3), "b": (100.0, 900.0, 1)},
            compute=_extreme_ce,
            rtol=1e-12,
            near_misses=(
                (
                    lambda g, e: not np.isfinite(g),
                    "a probability underflowed to 0 or an exp overflowed: stay in log space",
                ),
                (lambda g, e: g == -e, "off by a sign: the loss is minus the log-probability"),
                (
                    lambda g, e, p: abs(g - p["d"]) < 1e-9,
                    "the two largest logits share the probability: what is left of that share?",
                ),
            ),
            hint="write the loss with a log-sum-exp and take the largest logit out of it before evaluating",
            hints=(
                "after taking the largest logit out, which terms of the sum are exactly representable, "
                "which negligible?",
            ),
        ),
        ChoiceQuestion(
            "q5",
            "an output layer for counts",
            ("q5_choice", "q5_reason"),
            points=1,
            options={
                "a": "a ReLU output + mean squared error",
                "b": "a softmax over the counts 0, 1, ..., 1000 + categorical cross-entropy",
                "c": "a sigmoid output + binary cross-entropy",
                "d": "an exponential (or softplus) output as a rate + the Poisson negative log-likelihood",
            },
            answer_hash="d9b4d7816e2a7be23dc0",
            reason_concepts=(
                (
                    r"positiv|poisson|likelihood|rate|log|orders? of magnitude|relative|variance",
                    "say why the output must have that range, and why the loss should fit how counts vary",
                ),
            ),
            hint="what range must the output have, and which loss is the likelihood of a count?",
        ),
    ],
)
