"""Exercise 01: why a network needs a (good) non-linearity.

A derivation (count the linear pieces of a ReLU network), a second derivation (the degree of a
polynomial network), an experiment (a deep linear network on two moons, 10 seeds, a t interval),
a diagnosis (a training log of a network that is secretly linear) and a concept question.
Every number is drawn per student (:func:`..questions.student_rng`), so answers cannot be shared.
"""

from __future__ import annotations

import numpy as np

from ..questions import ChoiceQuestion, IntervalQuestion, NumberQuestion
from . import Exercise
from ._stats import t_interval, z_instead_of_t

N_UNITS = 6
SEEDS = 10


def _relu_net_params(rng):
    """A 1-input ReLU layer of 6 units: two share a kink, one pair cancels, one unit is cut off."""
    kinks = rng.choice(np.arange(-9, 10) / 4, size=4, replace=False)
    w = rng.choice([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0], size=N_UNITS)
    v = rng.choice([-2.0, -1.0, 1.0, 2.0], size=N_UNITS)
    k = np.array([kinks[0], kinks[1], kinks[1], kinks[2], kinks[3], kinks[3]])
    # units 4 and 5 share a kink and their slope changes cancel (v4|w4| = -v5|w5|)
    w[5] = w[4]
    v[5] = -v[4]
    if rng.random() < 0.5:
        v[0] = 0.0  # a unit the output does not read
    b = -w * k + 0.0  # (+ 0.0: no -0.0 in the printed list)
    return {"w": w.tolist(), "b": b.tolist(), "v": v.tolist(), "c": float(rng.integers(-3, 4))}


def _pieces(p):
    """Linear pieces of x -> c + sum_i v_i relu(w_i x + b_i) on the real line."""
    w, b, v = (np.array(p[k], dtype=np.float64) for k in ("w", "b", "v"))
    jumps = {}
    for wi, bi, vi in zip(w, b, v):
        if wi == 0:
            continue
        kink = -bi / wi
        jumps[kink] = jumps.get(kink, 0.0) + vi * abs(wi)  # the slope changes by v|w| there
    return 1 + sum(1 for j in jumps.values() if j != 0)


def _degree(p):
    return p["power"] ** p["layers"]


def _moons_accuracy(p):
    from activations import data, nn

    accs = []
    for seed in range(p["seed0"], p["seed0"] + SEEDS):
        rng = np.random.default_rng(seed)
        X, y = data.two_moons(200, noise=p["noise"], rng=rng)
        X_test, y_test = data.two_moons(500, noise=p["noise"], rng=rng)
        model = nn.MLP([2, 16, 16, 2], "linear", rng=rng)
        nn.train(model, X, y, optimizer=nn.SGD(lr=0.1, momentum=0.9), epochs=20, batch_size=32, rng=rng)
        accs.append(nn.accuracy(model, X_test, y_test))
    return t_interval(accs)


EXERCISE = Exercise(
    "01_linearity",
    "Linearity collapse and bad activations",
    [
        NumberQuestion(
            "q1",
            "linear pieces of a ReLU network",
            ("n_pieces",),
            points=2,
            kind="derivation",
            params=_relu_net_params,
            compute=_pieces,
            integer=True,
            rtol=0,
            near_misses=(
                (
                    lambda g, e: g == N_UNITS + 1,
                    "that is the most a 6-unit layer can have; in your network not every unit adds a kink "
                    "the output can see",
                ),
                (lambda g, e: g == e - 1 or g == e + 1, "off by one: k kinks cut the line into how many pieces?"),
            ),
            hint="where can the slope of the network change? Only where some unit switches on or off",
            hints=(
                "each unit switches at one input; at that input the network's slope jumps by that unit's "
                "contribution -- and two jumps at the same input add up",
                "list the switching inputs, group equal ones, and keep a group only if its total slope "
                "jump is non-zero (a unit the output weights by 0 jumps by 0)",
            ),
        ),
        NumberQuestion(
            "q2",
            "degree of a polynomial network",
            ("degree",),
            points=1,
            kind="derivation",
            params={"power": [2, 3], "layers": (2, 4, 0)},
            compute=_degree,
            integer=True,
            rtol=0,
            near_misses=(
                (
                    lambda g, e, p: g == p["power"] * p["layers"],
                    "degrees multiply under composition, they do not add",
                ),
                (lambda g, e, p: g == p["power"], "one layer gives that degree, but the layers are composed"),
            ),
            hint="what happens to the degree when you put a polynomial inside a polynomial?",
            hints=("try one layer, then two, with SymPy (sp.expand, sp.Poly(...).degree()) and find the pattern",),
        ),
        IntervalQuestion(
            "q3",
            "a deep linear network on two moons (experiment)",
            ("linear_moons",),
            points=3,
            params={"noise": (0.12, 0.3, 2), "seed0": (0, 900, 0)},
            compute=_moons_accuracy,
            width_ratio=1.1,
            near_misses=(
                (
                    z_instead_of_t,
                    "with 10 runs the normal quantile is too small: use Student's t with n - 1 degrees of freedom",
                ),
            ),
            hint="run exactly the set-up of the question (sizes, seeds, data, optimiser, epochs) for your "
            "noise and seeds",
            hints=(
                "one generator per seed, used in this order: training data, test data, weights, shuffling",
                "the interval is mean ± t quantile · standard deviation (ddof=1) / sqrt(10)",
            ),
        ),
        ChoiceQuestion(
            "q4",
            "diagnose a training log",
            ("q4_choice", "q4_fix"),
            points=2,
            kind="diagnosis",
            options={
                "a": "The learning rate is too small: training has not converged yet.",
                "b": "The gradients vanish in the deeper layers.",
                "c": "The hidden layers compute an affine map, so the network is a linear classifier.",
                "d": "The network overfits: it has too many parameters for 300 points.",
            },
            answer_hash="d606b9758ead82d36830",
            reason_concepts=(
                (
                    r"relu|tanh|sigmoid|gelu|silu|swish|elu|non-?linear",
                    "say what you would change in the model so that depth and width help",
                ),
            ),
            hint="compare the rows of the log: what should more depth or more width change if the model "
            "were what it claims to be?",
            hints=("look at the activation the model was built with",),
        ),
        ChoiceQuestion(
            "q5",
            "an activation that does not help",
            ("q5_choice", "q5_reason"),
            points=1,
            options={
                "a": "softsign, x / (1 + |x|)",
                "b": "the absolute value |x|",
                "c": "f(x) = 3x - 2",
                "d": "x·σ(x) (SiLU)",
            },
            answer_hash="3a39e33ef581bb8d7fd3",
            reason_concepts=((r"affine|linear|compos", "say what composing the layers with this activation gives"),),
            hint="for which of these is a stack of layers no more expressive than one layer?",
        ),
    ],
)
