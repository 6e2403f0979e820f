"""Exercise 04: the ReLU family -- the leaky-ReLU gain, dead units, linear regions, ELU's derivative.

Derivations (the weight variance for a leaky ReLU; the number of linear regions of a ReLU layer
on a plane), an experiment (dead units at initialisation with a negative bias, 10 seeds, a t
interval), a diagnosis (a training log in which units die) and one kernel (ELU's derivative with
the left derivative at the kink).  The numbers are drawn per student.
"""

from __future__ import annotations

import numpy as np

import activations as act

from ..questions import Case, ChoiceQuestion, FunctionQuestion, IntervalQuestion, NumberQuestion
from . import Exercise
from ._cases import elementwise
from ._stats import t_interval, z_instead_of_t


def _leaky_gain(p):
    # E[leaky(Z)^2] = (1 + a^2) / 2 for Z ~ N(0, 1); sigma_w^2 = 1 / E[f(Z)^2] keeps q* = 1
    a = p["a"]
    return 2.0 / (1.0 + a * a)


def _dead_fraction(p):
    from activations import experiments, nn

    vals = []
    for seed in range(p["seed0"], p["seed0"] + 10):
        rng = np.random.default_rng(seed)
        model = nn.MLP([32] + [32] * 6 + [10], "relu", rng=rng, init="he", bias_init=p["bias"])
        X = rng.standard_normal((256, 32))
        vals.append(experiments.dead_units(model, X)[-1])
    return t_interval(vals)


def _regions(p):
    n = p["n"]
    return 1 + n + n * (n - 1) // 2


def _elu_grad(x, alpha=1.0):
    return act.get("elu", alpha=alpha).grad(x)


def _elu_cases(full, student=""):
    cases = elementwise(
        full, student=student, seed=302, scale=3.0, tails=(-1000.0, -50.0, 50.0, 800.0, 1000.0), tail_hint=""
    )
    cases.insert(
        1,
        Case(
            (np.array([-2.0, -0.5, 0.0, 0.5, 2.0]),),
            {"alpha": 2.0},
            "",
            hint="does your function use its alpha argument everywhere it matters, and which one-sided "
            "derivative does the question ask for at the kink?",
        ),
    )
    return cases


EXERCISE = Exercise(
    "04_relu_family",
    "The ReLU family",
    [
        NumberQuestion(
            "q1",
            "the weight variance for a leaky ReLU",
            ("sigma_w2",),
            points=2,
            kind="derivation",
            params={"a": (0.05, 0.5, 3)},
            compute=_leaky_gain,
            rtol=1e-9,
            near_misses=(
                (
                    lambda g, e: g == 2.0,
                    "that is the value for ReLU: the negative side of a leaky ReLU carries signal too",
                ),
                (
                    lambda g, e, p: abs(g - 1 / (1 + p["a"] ** 2)) < 1e-9,
                    "check the factor from the half-normal: E[Z² ; Z > 0] is not E[Z²]",
                ),
                (lambda g, e, p: abs(g - 2 / (1 + p["a"])) < 1e-9, "the slope enters the second moment squared"),
                (
                    lambda g, e: abs(g * e - 1) < 1e-9,
                    "you computed the second moment itself; the question asks for the variance that makes it 1",
                ),
            ),
            hint="the variance of the next pre-activation is fan_in · Var(w) · E[f(z)²]: compute E[f(Z)²] "
            "for Z ~ N(0, 1)",
            hints=("split the Gaussian integral at 0: each half of N(0, 1) carries half of E[Z²]",),
        ),
        IntervalQuestion(
            "q2",
            "dead units at initialisation (experiment)",
            ("dead_fraction",),
            points=3,
            params={"bias": (-0.55, -0.15, 2), "seed0": (0, 900, 0)},
            compute=_dead_fraction,
            width_ratio=1.1,
            near_misses=(
                (
                    z_instead_of_t,
                    "with 10 runs the normal quantile is too small: use Student's t with n - 1 degrees of freedom",
                ),
            ),
            hint="run the set-up of the question exactly (sizes, init, bias, the order of the random draws) and "
            "take the last hidden layer's fraction",
            hints=("one generator per seed: first the model, then X from the same generator",),
        ),
        ChoiceQuestion(
            "q3",
            "diagnose a training log",
            ("q3_choice", "q3_fix"),
            points=2,
            kind="diagnosis",
            options={
                "a": "Vanishing gradients: ReLU saturates for large inputs.",
                "b": "Overfitting: the network memorises the training set.",
                "c": "Too few epochs: the loss is still falling steadily.",
                "d": "Units die: large steps push their pre-activations below 0 for every input.",
            },
            answer_hash="85b4dd876c3af789a652",
            reason_concepts=(
                (
                    r"learning rate|\blr\b|step size|smaller step|leaky|elu|prelu|gelu|silu|swish",
                    "say what you would change so that units stop dying (the training set-up or the activation)",
                ),
            ),
            hint="which column of the log changes in a way a healthy run would not show?",
            hints=("a unit whose pre-activation is negative for every input gets no gradient: can it recover?",),
        ),
        FunctionQuestion(
            "q4",
            "ELU's derivative (kernel)",
            ("elu_grad",),
            points=2,
            cases=_elu_cases,
            reference=_elu_grad,
            dtype_rule="float",
            hint="compare your function with act.get('elu', alpha=...).grad on the failing input",
            hints=(
                "the two branches need different code; at x = 0 the question asks for one specific side",
                "np.where computes both branches everywhere: make the exponential branch harmless for large x",
            ),
            overflow_hint="an exponential overflowed for large positive x, even if that branch is thrown away",
            warning_hint="np.where evaluates both branches: the exponential overflows for large positive x "
            "even though that result is discarded",
        ),
        NumberQuestion(
            "q5",
            "linear regions of a ReLU layer on a plane",
            ("n_regions",),
            points=1,
            kind="derivation",
            params={"n": (5, 12, 0)},
            compute=_regions,
            integer=True,
            rtol=0,
            near_misses=(
                (
                    lambda g, e, p: g == 2 ** p["n"],
                    "not every on/off pattern of the units is reachable with two inputs",
                ),
                (lambda g, e, p: g == p["n"] + 1, "that is the count for one input; here each unit cuts a plane"),
            ),
            hint="each unit switches along a line; count how many regions n lines in general position make",
            hints=("add the lines one at a time: how many regions does the k-th line split in two?",),
        ),
    ],
)
