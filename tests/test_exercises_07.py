"""Exercise 07 (gated activations): typical wrong answers get their targeted hint, right ones pass."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import activations as act
from activations.grading.bank import get_exercise
from activations.grading.questions import FAIL, PASS

EX = "07_gated_activations"
d, h, sigma = sp.symbols("d h sigma", positive=True)


def _backward_right(s, dout, axis=-1):
    p = act.softmax(np.asarray(s, dtype=float), axis=axis)
    return p * (dout - np.sum(p * dout, axis=axis, keepdims=True))


def _backward_naive(s, dout, axis=-1):
    e = np.exp(s)  # overflows for s = 1000
    p = e / np.sum(e, axis=axis, keepdims=True)
    return p * (dout - np.sum(p * dout, axis=axis, keepdims=True))


def _backward_transposed_sign(s, dout, axis=-1):
    p = act.softmax(np.asarray(s, dtype=float), axis=axis)
    return p * (np.sum(p * dout, axis=axis, keepdims=True) - dout)


def _backward_diag_only(s, dout, axis=-1):
    p = act.softmax(np.asarray(s, dtype=float), axis=axis)
    return p * (1 - p) * dout  # forgets the off-diagonal -p_i p_j terms


def _backward_inplace(s, dout, axis=-1):
    p = act.softmax(np.asarray(s, dtype=float), axis=axis)
    dout -= np.sum(p * dout, axis=axis, keepdims=True)
    return p * dout


P3 = get_exercise(EX).question("q3").parameters("")  # the checks below run without a student id


def _fraction(scale, axis=-1):
    rng = np.random.default_rng(P3["seed"])
    q = rng.normal(size=(2000, P3["d"]))
    k = rng.normal(size=(2000, P3["keys"], P3["d"]))
    p = act.softmax(np.einsum("rd,rkd->rk", q, k) * scale, axis=axis)
    return float(np.mean(p.max(axis=axis) > 0.9))


RIGHT = [
    ("q1", (4 * d * (2 * d + 1) / (3 * d + 2),)),
    ("q1", (sp.solve(sp.Eq(3 * d * h + 2 * h + d, 8 * d**2 + 5 * d), h)[0],)),
    ("q2", (1 / (sigma**2 * sp.sqrt(d)),)),
    ("q3", (_fraction(1.0),)),
    ("q4", ("b", "the gated block has 1.5 times the parameters")),
    ("q5", ("c", "exp overflows float16 above 11.09")),
    ("q6", (_backward_right,)),
]

WRONG = [
    ("q1", (sp.Rational(8, 3) * d,), "without biases"),
    ("q1", (sp.Float(8 / 3) * d,), None),
    ("q2", (1 / sp.sqrt(d),), "variance σ²"),
    ("q2", (1 / (sigma * sp.sqrt(d)),), "σ²√d"),
    ("q2", (1 / (sigma**4 * d),), "divides by the variance"),
    ("q3", (_fraction(P3["d"] ** -0.5),), "dividing by √d"),
    ("q3", (_fraction(1.0, axis=0),), "axis=-1"),
    ("q3", (100 * _fraction(1.0),), "percentage"),
    ("q4", ("a", "same width is fair"), "count the weight matrices"),
    ("q5", ("a", "the learning rate is too large"), "inf / inf"),
    ("q5", ("d", "divide again"), "inf / inf"),
    ("q6", (_backward_naive,), "overflow"),
    ("q6", (_backward_transposed_sign,), "off by a sign"),
    ("q6", (_backward_diag_only,), "Jacobian"),
    ("q6", (_backward_inplace,), "changed its input"),
]


@pytest.mark.parametrize("qid, answer", RIGHT, ids=[f"{q}-{i}" for i, (q, _) in enumerate(RIGHT)])
def test_right_answers_pass(qid, answer):
    q = get_exercise(EX).question(qid)
    for full in (False, True):
        assert q.check(*answer, full=full).status == PASS, q.check(*answer, full=full).lines()


@pytest.mark.parametrize("qid, answer, hint", WRONG, ids=[f"{q}-{i}" for i, (q, _, _) in enumerate(WRONG)])
def test_wrong_answers_fail_with_their_hint(qid, answer, hint):
    q = get_exercise(EX).question(qid)
    for full in (False, True):
        result = q.check(*answer, full=full)
        assert result.status == FAIL and result.points == 0, result.lines()
        if hint is not None:
            assert hint in result.hint or hint in result.message, result.lines()


def test_mix_of_question_kinds():
    # issue 17's standard: numeric kernels (function questions) are at most 1/5 of the points
    ex = get_exercise(EX)
    kernel_points = sum(q.points for q in ex.questions if type(q).__name__ == "FunctionQuestion")
    assert kernel_points <= ex.max_points / 5
