"""Exercise 02: sigmoid and tanh -- saturation, vanishing gradients, one function class, overflow.

Derivations (the sigmoid network equal to a tanh network; where σ' falls to a fraction of its
maximum; the depth at which a chain of σ' factors falls below a threshold), an experiment
(gradient flow through a deep sigmoid network, 10 seeds, a t interval), a diagnosis (per-layer
statistics of a saturated network) and one kernel (a sigmoid that never overflows).
The numbers are drawn per student.
"""

from __future__ import annotations

import numpy as np

import activations as act

from ..questions import ChoiceQuestion, FunctionQuestion, IntervalQuestion, NumberQuestion
from . import Exercise
from ._cases import elementwise
from ._stats import t_interval, z_instead_of_t


def _tanh_net(rng):
    n = 4
    return {
        "W": np.round(rng.normal(size=n), 2).tolist(),
        "b": np.round(rng.normal(size=n), 2).tolist(),
        "v": np.round(rng.normal(size=n), 2).tolist(),
        "c": round(float(rng.normal()), 2),
    }


def _sigmoid_bias(p):
    # v tanh(z) = v (2 σ(2z) - 1) = 2v σ(2z) - v: the constants -v_i move into the output bias
    return p["c"] - float(np.sum(p["v"]))


def _saturation_x(p):
    # σ'(x) = σ(1 - σ) = r / 4  <=>  σ = (1 + sqrt(1 - r)) / 2 (x > 0 branch); x = log(σ / (1 - σ))
    r = p["r"]
    s = (1 + np.sqrt(1 - r)) / 2
    return float(np.log(s / (1 - s)))


def _chain(h0, threshold, update_first=False):
    sig = act.get("sigmoid")
    h, g = h0, 1.0
    for depth in range(1, 100_000):
        if update_first:  # the update-order bug: the next factor uses the new h
            h = float(sig(h))
            g *= float(sig.grad(h))
        else:
            g *= float(sig.grad(h))
            h = float(sig(h))
        if g < threshold:
            return depth
    raise RuntimeError("the chain did not fall below the threshold")


def _chain_depth(p):
    return _chain(p["h0"], 10.0 ** -p["k"])


def _gradient_ratio(p):
    from activations import experiments

    vals = []
    for seed in range(p["seed0"], p["seed0"] + 10):
        r = experiments.gradient_flow("sigmoid", depth=p["depth"], width=64, rng=np.random.default_rng(seed))
        vals.append(np.log10(r["grad_norm"][0] / r["grad_norm"][p["depth"] - 1]))
    return t_interval(vals)


EXERCISE = Exercise(
    "02_sigmoid_tanh",
    "Sigmoid and tanh: saturation and overflow",
    [
        FunctionQuestion(
            "q1",
            "a sigmoid that never overflows (kernel)",
            ("stable_sigmoid",),
            points=2,
            cases=lambda full, student="": elementwise(
                full,
                student=student,
                seed=201,
                scale=20.0,
                tails=(-1000.0, -745.0, -40.0, 40.0, 745.0, 1000.0),
                f32_tails=(-100.0, -90.0, 90.0, 100.0),
                tail_hint="for one sign of x your formula evaluates exp of a large positive number: "
                "rearrange so that exp only ever sees -|x|",
            ),
            reference=act.sigmoid,
            hint="compare your function with act.sigmoid on the failing input",
            hints=(
                "one formula cannot serve both signs: use one arrangement for x >= 0 and another for x < 0",
                "multiply numerator and denominator by the same exponential so that exp's argument is never positive",
            ),
            overflow_hint="an intermediate overflowed (or became inf/inf): which exponential grows for this x?",
        ),
        NumberQuestion(
            "q2",
            "tanh and sigmoid networks: one function class",
            ("sigmoid_output_bias",),
            points=2,
            kind="derivation",
            params=_tanh_net,
            compute=_sigmoid_bias,
            rtol=1e-9,
            atol=1e-12,
            near_misses=(
                (lambda g, e, p: abs(g - (p["c"] + sum(p["v"]))) < 1e-9, "off by a sign in the constant term"),
                (
                    lambda g, e, p: abs(g - p["c"]) < 1e-9,
                    "the constant in the identity does not vanish: where does it go?",
                ),
                (
                    lambda g, e, p: abs(g - (p["c"] - 2 * sum(p["v"]))) < 1e-9,
                    "check the factor in front of the constant",
                ),
            ),
            hint="write tanh through the sigmoid, then collect every term that does not depend on x",
            hints=(
                "express tanh(z) with σ(2z); each hidden unit then contributes a constant to the output",
                "the output weights double; the constants of all units add up into the output bias",
            ),
        ),
        NumberQuestion(
            "q3",
            "where σ' has fallen to a fraction of its maximum",
            ("x_saturated",),
            points=2,
            kind="derivation",
            params={"r": (0.001, 0.2, 4)},
            compute=_saturation_x,
            rtol=1e-9,
            near_misses=(
                (lambda g, e: abs(g + e) < 1e-9 * abs(e), "the question asks for the positive solution"),
                (
                    lambda g, e: abs(g - e) < 1e-3 * abs(e),
                    "close: solve exactly instead of on a grid or by bisection to a few digits",
                ),
            ),
            hint="write σ' in terms of σ, solve for σ, then invert the sigmoid",
            hints=("σ' = σ(1 - σ) is a quadratic in σ: which of its two roots belongs to x > 0?",),
        ),
        IntervalQuestion(
            "q4",
            "gradient flow through a deep sigmoid network (experiment)",
            ("grad_ratio",),
            points=3,
            params={"depth": (8, 14, 0), "seed0": (0, 900, 0)},
            compute=_gradient_ratio,
            width_ratio=1.1,
            near_misses=(
                (
                    z_instead_of_t,
                    "with 10 runs the normal quantile is too small: use Student's t with n - 1 degrees of freedom",
                ),
                (
                    lambda g, w: abs(g[0] + w[0]) < 0.05 * abs(w[0]),
                    "off by a sign: layer 1 over the last hidden layer, not the reverse",
                ),
            ),
            hint="run the helper exactly as the question says, for your depth and seeds, and take log10 "
            "of the ratio per seed before averaging",
            hints=("grad_norm[0] is layer 1 (nearest the input); the last hidden layer is grad_norm[depth - 1]",),
        ),
        ChoiceQuestion(
            "q5",
            "diagnose per-layer statistics",
            ("q5_choice", "q5_fix"),
            points=2,
            kind="diagnosis",
            options={
                "a": "Dead units: the pre-activations are negative for every sample.",
                "b": "Saturation: the pre-activations are so large that σ' is close to 0 in every layer.",
                "c": "Exploding gradients: the gradient grows from the output towards the input.",
                "d": "The outputs are not zero-centred, so the weight updates zig-zag.",
            },
            answer_hash="b8b9ff4a47dc623859d3",
            reason_concepts=(
                (
                    r"init|scale|xavier|glorot|lecun|smaller weight|weight variance|std|standard deviation"
                    r"|gain|normali",
                    "say what you would change about how the network is set up, and in which direction",
                ),
            ),
            hint="compare the spread of the pre-activations with the region where σ' is not small",
            hints=("look at the weight scale the network was built with",),
        ),
        NumberQuestion(
            "q6",
            "depth at which a chain of σ' factors falls below a threshold",
            ("chain_depth",),
            points=1,
            kind="derivation",
            params={"h0": (0.5, 4.0, 2), "k": (5, 9, 0)},
            compute=_chain_depth,
            integer=True,
            rtol=0,
            near_misses=(
                (
                    lambda g, e, p: g == _chain(p["h0"], 10.0 ** -p["k"], update_first=True) and g != e,
                    "update order: the k-th factor is σ' at the input of layer k, h_(k-1); your loop applies σ "
                    "before it takes the factor",
                ),
                (
                    lambda g, e, p: g == int(np.ceil(p["k"] * np.log(10) / np.log(4))) and g != e,
                    "that is the best case, with every factor at its maximum; multiply the actual factors",
                ),
                (
                    lambda g, e: abs(g - e) == 1,
                    "off by one: report the first L for which the product of L factors is already below the threshold",
                ),
            ),
            hint="the factors are not all equal: the signal h changes from layer to layer",
            hints=("keep two numbers in a loop, the product so far and the current h, and update both per layer",),
        ),
    ],
)
