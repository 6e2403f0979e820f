"""Exercise 03: initialisation, signal propagation, normalisation.

A derivation in SymPy (the Leaky ReLU gain), a mean-field derivation (the depth scale of a tanh
network for the student's σ_w², σ_b²), a kernel (layer normalisation), an experiment (BatchNorm in a
deep sigmoid network, for the student's depth and seed) and two diagnoses.  The numbers of q2 and
q4 are drawn per student.
"""

from __future__ import annotations

import math

import numpy as np

from ..questions import Case, ChoiceQuestion, ExpressionQuestion, FunctionQuestion, NumberQuestion
from . import Exercise


def _leaky_gain(point):
    a = point["a"]
    return 2 / (1 + a * a)


_A_POINTS = tuple({"a": v} for v in ("1/100", "1/10", "1/5", "1/2", "1", "3"))

#: Question 2's initialisation: tanh, weight variance sigma_w2 / fan_in, bias variance sigma_b2.
#: Every point of this box is in the ordered phase (chi_1 <= 0.97 at its corner sigma_w2 = 1.6,
#: sigma_b2 = 0.05; tests/test_exercises.py checks the corners), as the worked solution says.
Q2_PARAMS = {"sigma_w2": (1.2, 1.6, 2), "sigma_b2": (0.05, 0.3, 3)}


def _chi1(p):
    """χ₁ = σ_w² E[tanh'(√q* Z)²] at the fixed point q* of the q-map (mean-field theory)."""
    from scipy import integrate

    sigma_w2, sigma_b2 = p["sigma_w2"], p["sigma_b2"]

    def expect(g, q):
        return integrate.quad(
            lambda z: g(math.sqrt(q) * z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
            -np.inf,
            np.inf,
            epsabs=1e-14,
            epsrel=1e-13,
        )[0]

    q = 1.0
    for _ in range(500):
        nxt = sigma_w2 * expect(lambda u: math.tanh(u) ** 2, q) + sigma_b2
        if abs(nxt - q) < 1e-14:
            break
        q = nxt
    return sigma_w2 * expect(lambda u: (1 - math.tanh(u) ** 2) ** 2, q)


def _tanh_depth_scale(p):
    return 1.0 / abs(math.log(_chi1(p)))


def _layer_norm_reference(X, eps=1e-5):
    X = np.asarray(X, dtype=np.float64)
    mu = X.mean(axis=1, keepdims=True)
    var = np.mean((X - mu) ** 2, axis=1, keepdims=True)
    return (X - mu) / np.sqrt(var + eps)


def _layer_norm_cases(full):
    rng = np.random.default_rng(311 if full else 310)
    n = 6 if full else 3
    cases = [
        Case((rng.normal(0.0, 1.0, size=(4, 5)),), label="a 4 x 5 batch of standard-normal rows"),
        Case((rng.normal(3.0, 10.0, size=(n, 8)),), {"eps": 1e-3}, label="rows with mean 3 and std 10, eps=1e-3"),
        Case(
            (np.full((2, 4), 7.0),),
            label="constant rows (variance 0)",
            hint="a constant row has variance 0: the output is 0 there (the ε keeps the division finite)",
        ),
        Case(
            (1e8 + rng.normal(0.0, 1.0, size=(3, 16)),),
            label="rows around 1e8 with std 1",
            rtol=1e-6,
            hint="with a mean of 1e8 and a spread of 1, one way of computing the variance subtracts two "
            "nearly equal large numbers: which order of operations avoids it?",
        ),
    ]
    if full:
        cases.append(Case((rng.standard_normal((1, 3)),), {"eps": 0.5}, label="one row, eps=0.5"))
    for c in cases:
        c.check_dtype = False
        if c.rtol == 1e-12:
            c.rtol = 1e-10
    return cases


#: Question 4's design: the depth (hidden layers of width 32) and the seed (weights: default_rng(seed),
#: data order: default_rng(seed + 1)), trained with Adam(1e-3) for five epochs.  Over this range the
#: plain network stays near chance and the BatchNorm one learns (tests/test_exercises.py checks a
#: sample of students).  (With SGD + momentum the BatchNorm network's result swung from chance to
#: 0.87 with the seed, which would make the worked solution wrong for some students.)
Q4_PARAMS = {"depth": (14, 20, 0), "seed": (0, 999, 0)}


def _bn_accuracies(p):
    """Test accuracies {"sigmoid": ..., "sigmoid+bn": ...} of question 4's two networks."""
    from ... import data, nn, protocol

    X_tr, X_te, y_tr, y_te = data.digits(seed=0)
    out = {}
    for spec in ("sigmoid", "sigmoid+bn"):
        model = protocol.build_model(spec, [64] + [32] * p["depth"] + [10], rng=np.random.default_rng(p["seed"]))
        with np.errstate(all="ignore"):
            nn.train(
                model,
                X_tr,
                y_tr,
                optimizer=nn.Adam(1e-3),
                epochs=5,
                batch_size=32,
                rng=np.random.default_rng(p["seed"] + 1),
            )
            out[spec] = nn.accuracy(model, X_te, y_te)
    return out


def _bn_experiment(p):
    """Test accuracy of the sigmoid network with BatchNorm minus the plain one (question 4)."""
    acc = _bn_accuracies(p)
    return acc["sigmoid+bn"] - acc["sigmoid"]


EXERCISE = Exercise(
    "03_initialisation_normalisation",
    "Initialisation, signal propagation, normalisation",
    [
        ExpressionQuestion(
            "q1",
            "the derived gain of Leaky ReLU (SymPy)",
            ("leaky_gain",),
            points=2,
            symbols=("a",),
            at=_A_POINTS,
            expected=_leaky_gain,
            hint="the gain is the reciprocal of the second moment of f(Z); f has two pieces",
            hints=(
                "write E[f(Z)²] as two integrals against the normal density, split where f changes formula",
                "symmetry of the normal density tells you each half-line's share of E[Z²]",
            ),
        ),
        NumberQuestion(
            "q2",
            "depth scale of a tanh network",
            ("depth_scale",),
            kind="derivation",
            points=2,
            params=Q2_PARAMS,
            compute=_tanh_depth_scale,
            rtol=1e-4,
            near_misses=(
                (
                    lambda g, e, p: abs(g - 1 / math.log(p["sigma_w2"])) < 1e-3,
                    "that uses f'(z) = 1 (the linear regime at q = 0); with σ_b² > 0 the fixed point q* is "
                    "not 0: iterate the q-map to q* first, then evaluate χ at q*",
                ),
                (
                    lambda g, e: abs(g - e / 2) < 1e-2 * e or abs(g - 2 * e) < 1e-2 * e,
                    "off by a factor 2: χ is already a mean-square factor, ξ = 1/|ln χ₁| (no square root)",
                ),
            ),
            hint="χ₁ is evaluated at the fixed point of the q-map (for your σ_w², σ_b²), not at q = 1",
            hints=(
                "iterate the q-map a few hundred times from q = 1; each expectation is one integrate.quad "
                "call over the whole real line",
                'use both of your parameters, check.params("q2"): σ_b² enters the q-map, σ_w² both the q-map and χ₁',
            ),
        ),
        FunctionQuestion(
            "q3",
            "layer normalisation without γ, β",
            ("layer_norm",),
            points=1,
            cases=_layer_norm_cases,
            reference=_layer_norm_reference,
            arg_name="X",
            hint="each row (one sample) is normalised on its own, over its features",
            hints=("the variance is the biased one (divide by the number of features); eps goes inside the root",),
        ),
        NumberQuestion(
            "q4",
            "BatchNorm rescues a deep sigmoid network (experiment)",
            ("acc_gain",),
            kind="experiment",
            points=2,
            params=Q4_PARAMS,
            compute=_bn_experiment,
            rtol=0.0,
            atol=1e-9,
            near_misses=(
                (lambda g, e: abs(g + e) < 1e-9, "the sign is reversed: BatchNorm minus plain"),
                (
                    lambda g, e: 0 < g < 1,
                    'not the exact value of this design: check your depth and seed (check.params("q4"); '
                    "weights from default_rng(seed), data order from default_rng(seed + 1)), build both models "
                    "with protocol.build_model and evaluate on the test split",
                ),
            ),
            hint="the answer is one exact number of this design: follow the recipe's depth and seeds to the letter",
            hints=("build each model right before training it, each from a fresh default_rng(seed)",),
        ),
        ChoiceQuestion(
            "q5",
            "diagnose network A",
            ("q5_choice", "q5_reason"),
            kind="diagnosis",
            points=2,
            options={
                "a": "Dead units: most ReLUs never activate; use a smaller learning rate or Leaky ReLU.",
                "b": "Vanishing gradients from a saturating activation with χ < 1: the first layers barely "
                "learn; add normalisation before the activations or residual connections.",
                "c": "Exploding gradients: lower the learning rate and clip the gradient norm.",
                "d": "The learning rate is too large: the update/weight ratio is far above 1e-3.",
            },
            answer_hash="cecec503443d9c7f2dc8",
            hint="compare the gradient RMS of layer 1 with that of layer 20, and look at the dead fraction and "
            "at where the activations sit",
        ),
        ChoiceQuestion(
            "q6",
            "diagnose network B",
            ("q6_choice", "q6_reason"),
            kind="diagnosis",
            points=1,
            options={
                "a": "Saturated sigmoids: switch to tanh.",
                "b": "Too little depth: add layers.",
                "c": "The learning rate is too large: units are pushed into the region where ReLU's derivative "
                "is 0 and stay there; lower it.",
                "d": "Nothing is wrong: a dead fraction of 70 % is normal for ReLU.",
            },
            answer_hash="3284866dd79c98ba55e5",
            hint="what is the update/weight ratio, and what happens to the dead fraction after the first epoch?",
        ),
    ],
)
