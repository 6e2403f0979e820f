"""The exercise notebooks: generated student versions, solutions, typical wrong answers."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import sympy as sp

from activations.grading import notebooks
from activations.grading.bank import ex07 as _ex07
from activations.grading.bank import exercises, get_exercise
from activations.grading.questions import (
    FAIL,
    NOT_ATTEMPTED,
    PASS,
    ChoiceQuestion,
    IntervalQuestion,
    NumberQuestion,
    choice_hash,
)
from tools.book import toc_files

REPO = Path(__file__).resolve().parents[1]
SOURCE_DIR = REPO / "exercises" / "source"
EXERCISES_DIR = REPO / "exercises"

SOURCES = notebooks.sources(SOURCE_DIR)
IDS = [p.stem for p in SOURCES]


def test_one_source_per_exercise():
    assert IDS == list(exercises())


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_committed_student_notebook_is_the_generated_one(src):
    committed = EXERCISES_DIR / src.name
    assert committed.read_text(encoding="utf-8") == notebooks.render(src), f"{committed} is stale: run `make exercises`"


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_student_notebook_has_no_solution_and_no_outputs(src):
    student = nbformat.read(str(EXERCISES_DIR / src.name), as_version=4)
    source = nbformat.read(str(src), as_version=4)
    text = nbformat.writes(student)
    assert "BEGIN SOLUTION" not in text and "STUB:" not in text
    for cell in student.cells:
        assert "solution" not in cell.metadata.get("tags", [])
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    # every solution line of the source is gone from the student version (unless the same
    # line also appears outside the solution regions)
    inside, outside = set(), set()
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        region = False
        for line in cell.source.splitlines():
            text = line.strip()
            if text in (notebooks.BEGIN, notebooks.END):
                region = text == notebooks.BEGIN
            elif text and not text.startswith(notebooks.STUB):
                (inside if region else outside).add(text)
    student_lines = {line.strip() for c in student.cells if c.cell_type == "code" for line in c.source.splitlines()}
    assert inside, "the source notebook has solutions"
    assert not (inside - outside) & student_lines


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_every_question_is_explained_and_checked(src):
    nb = nbformat.read(str(EXERCISES_DIR / src.name), as_version=4)
    ex = get_exercise(nb.metadata["activations"]["exercise"])
    assert 4 <= len(ex.questions) <= 6
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.findall(r'check\("(q\d)"', code) == [q.qid for q in ex.questions]
    for q in ex.questions:
        assert f":label: graded-{ex.id[:2]}-{q.qid}" in md, "each question has an {exercise} block"
        for name in q.names:
            assert name in code
    assert md.count(":class: dropdown") >= len(ex.questions) - 1


def test_strip_solutions_rules():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    assert notebooks.strip_solutions(src) == 'def f(x):\n    raise NotImplementedError("write your code here")'
    src = "a = None\n### BEGIN SOLUTION\na = 3\n### END SOLUTION\nprint(a)"
    assert notebooks.strip_solutions(src) == "a = None\nprint(a)"
    src = "### BEGIN SOLUTION\n### STUB: b = 0\nb = 1\n### END SOLUTION"
    assert notebooks.strip_solutions(src) == "b = 0"
    with pytest.raises(ValueError):
        notebooks.strip_solutions("### BEGIN SOLUTION\nx = 1\n")


def _namespace(path: Path) -> dict:
    """Run a notebook's code cells in a plain namespace (the notebooks use no magics)."""
    ns: dict = {}
    for cell in nbformat.read(str(path), as_version=4).cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, str(path), "exec"), ns)
    return ns


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_reference_solutions_pass_every_full_check(src, capsys):
    ns = _namespace(src)
    ex = get_exercise(src.stem)
    for q in ex.questions:
        result = q.check(*[ns[n] for n in q.names], full=True)
        assert result.status == PASS, result.lines()
    out = capsys.readouterr().out
    assert "✗" not in out and out.count("✓") == len(ex.questions)


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_untouched_student_notebook_runs_and_is_not_attempted(src, capsys):
    ns = _namespace(EXERCISES_DIR / src.name)
    out = capsys.readouterr().out
    ex = get_exercise(src.stem)
    assert out.count("not attempted yet") == len(ex.questions)
    for q in ex.questions:
        assert q.check(*[ns[n] for n in q.names], full=True).status == NOT_ATTEMPTED


# --- typical wrong answers: the intended hint, and nothing that gives the solution away -------


def _params(ex_id, qid, student=""):
    return get_exercise(ex_id).question(qid).parameters(student)


def _naive_sigmoid(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def _ratio_sigmoid(x):
    return np.exp(x) / (1 + np.exp(x))


def _elu_grad_right(x, alpha=1.0):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0)))


def _elu_grad_overflow(x, alpha=1.0):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, alpha * np.exp(x))


def _elu_grad_no_alpha(x, alpha=1.0):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))


def _swish_nan_at_neginf(x, beta=1.0):
    x = np.asarray(x)
    z = beta * x
    e = np.exp(-np.abs(z))
    return x * np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _log_of_softmax(z, axis=-1):
    z = np.asarray(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    with np.errstate(divide="ignore"):
        return np.log(e / e.sum(axis=axis, keepdims=True))


def _log_softmax_global_max(z, axis=-1):
    z = np.asarray(z)
    s = z - np.max(z)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


def _log_softmax_inplace(z, axis=-1):
    z -= np.max(z, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _pieces_all_units(p):
    return (len(p["w"]) + 1,)


def _chain_update_first(p):
    import activations as act

    sig = act.get("sigmoid")
    h, g, depth = p["h0"], 1.0, 0
    while g >= 10.0 ** -p["k"]:
        h = float(sig(h))
        g *= float(sig.grad(h))
        depth += 1
    return (depth,)


def _z_interval(ex_id, qid):
    """The reference experiment's mean with a normal (1.96) instead of a t interval."""
    q = get_exercise(ex_id).question(qid)
    m, lo, hi = q.compute(q.parameters(""))
    from scipy import stats

    half = (hi - lo) / 2 * 1.959964 / stats.t.ppf(0.975, 9)
    return ((m, m - half, m + half),)


def _shifted_interval(ex_id, qid):
    """A plausible-looking but wrong experiment result (another seed range)."""
    q = get_exercise(ex_id).question(qid)
    m, lo, hi = q.compute(q.parameters(""))
    w = hi - lo
    return ((m + 3 * w, m + 2.5 * w, m + 3.5 * w),)


# (exercise, question, answer(params) -> answer tuple, the hint or message must contain this)
WRONG = [
    ("01_linearity", "q1", _pieces_all_units, "not every unit"),
    ("01_linearity", "q2", lambda p: (p["power"] * p["layers"],), "multiply"),
    ("01_linearity", "q3", lambda p: _z_interval("01_linearity", "q3"), "Student's t"),
    ("01_linearity", "q3", lambda p: _shifted_interval("01_linearity", "q3"), "does not match"),
    ("01_linearity", "q4", lambda p: ("a", "train for more epochs"), "more depth"),
    ("01_linearity", "q4", lambda p: ("c", "it is linear"), "change in the model"),
    ("01_linearity", "q5", lambda p: ("(b)", "abs is piecewise linear"), "more expressive"),
    ("02_sigmoid_tanh", "q1", lambda p: (_naive_sigmoid,), "float32"),
    ("02_sigmoid_tanh", "q1", lambda p: (_ratio_sigmoid,), "overflowed"),
    ("02_sigmoid_tanh", "q2", lambda p: (p["c"] + sum(p["v"]),), "sign"),
    ("02_sigmoid_tanh", "q2", lambda p: (p["c"],), "constant"),
    ("02_sigmoid_tanh", "q3", lambda p: (0.5,), "σ'"),
    ("02_sigmoid_tanh", "q4", lambda p: _z_interval("02_sigmoid_tanh", "q4"), "Student's t"),
    ("02_sigmoid_tanh", "q5", lambda p: ("c", "the gradient explodes"), "spread of the pre-activations"),
    ("02_sigmoid_tanh", "q5", lambda p: ("b", "sigma prime is almost zero everywhere"), "set up"),
    ("02_sigmoid_tanh", "q6", _chain_update_first, "update order"),
    ("04_relu_family", "q1", lambda p: (2.0,), "value for ReLU"),
    ("04_relu_family", "q1", lambda p: (2 / (1 + p["a"]),), "squared"),
    ("04_relu_family", "q2", lambda p: _shifted_interval("04_relu_family", "q2"), "does not match"),
    ("04_relu_family", "q3", lambda p: ("a", "relu saturates and gradients vanish"), "column of the log"),
    ("04_relu_family", "q3", lambda p: ("d", "the units are dead now"), "stop dying"),
    ("04_relu_family", "q4", lambda p: (_elu_grad_right,), "elu_grad(x, alpha=2.0) at x = 0.0"),
    ("04_relu_family", "q4", lambda p: (_elu_grad_overflow,), "np.where evaluates both branches"),
    ("04_relu_family", "q4", lambda p: (_elu_grad_no_alpha,), "alpha=2.0"),
    ("04_relu_family", "q5", lambda p: (2 ** p["n"],), "on/off pattern"),
    ("04_relu_family", "q5", lambda p: (p["n"] + 1,), "one input"),
    ("05_gelu_selu_swish", "q1", lambda p: (2.0,), "ReLU's value"),
    ("05_gelu_selu_swish", "q2", lambda p: _z_interval("05_gelu_selu_swish", "q2"), "Student's t"),
    ("05_gelu_selu_swish", "q3", lambda p: ("b", "it needs batch norm"), "assumption"),
    ("05_gelu_selu_swish", "q3", lambda p: ("a", "the weights are wrong somehow"), "initialisation you would use"),
    ("05_gelu_selu_swish", "q4", lambda p: (_swish_nan_at_neginf,), "swish(x) at x = -inf"),
    ("05_gelu_selu_swish", "q5", lambda p: ("a", "the constants are magic"), "special"),
    ("05_gelu_selu_swish", "q5", lambda p: ("c", "because the paper says so"), "(mean, variance)"),
    ("06_choosing", "q1", lambda p: (_log_of_softmax,), "log"),
    ("06_choosing", "q1", lambda p: (_log_softmax_global_max,), "per row"),
    ("06_choosing", "q1", lambda p: (_log_softmax_inplace,), "changed its input"),
    ("06_choosing", "q2", lambda p: _shifted_interval("06_choosing", "q2"), "does not match"),
    ("06_choosing", "q3", lambda p: ("a", "train longer"), "range of the predictions"),
    ("06_choosing", "q3", lambda p: ("option b", "softplus is bad"), "output layer should be"),
    ("06_choosing", "q4", lambda p: (float("inf"),), "stay in log space"),
    ("06_choosing", "q4", lambda p: (p["d"],), "share"),
    ("06_choosing", "q5", lambda p: ("a", "relu outputs are non-negative"), "likelihood"),
    ("06_choosing", "q5", lambda p: ("d", ""), "short reason"),
    ("06_choosing", "q5", lambda p: ("e", "no such option here"), "one of the options"),
    ("03_initialisation_normalisation", "q1", lambda p: (sp.Integer(2),), "reciprocal"),
    ("03_initialisation_normalisation", "q1", lambda p: (2 / (1 + _A),), "reciprocal"),
    ("03_initialisation_normalisation", "q2", lambda p: (1 / np.log(p["sigma_w2"]),), "fixed point"),
    ("03_initialisation_normalisation", "q3", lambda p: (_layer_norm_shortcut,), "nearly equal"),
    ("03_initialisation_normalisation", "q4", lambda p: (0.5,), "exact value of this design"),
    (
        "03_initialisation_normalisation",
        "q5",
        lambda p: ("a", "most units are dead and never activate"),
        "gradient RMS",
    ),
    (
        "03_initialisation_normalisation",
        "q6",
        lambda p: ("d", "seventy percent dead is normal for relu"),
        "update/weight",
    ),
    ("07_gated_activations", "q1", lambda p: (8 * _D / 3,), "without biases"),
    ("07_gated_activations", "q2", lambda p: (1 / sp.sqrt(_D),), "variance 1"),
    ("07_gated_activations", "q3", lambda p: (_ex07._saturated_fraction(p, scale=p["d"] ** -0.5),), "dividing by"),
    ("07_gated_activations", "q4", lambda p: ("a", "the same hidden width is the fair comparison"), "weight matrices"),
    ("07_gated_activations", "q5", lambda p: ("a", "the learning rate is too large for float16"), "exp(12)"),
    ("07_gated_activations", "q6", lambda p: (_softmax_backward_diagonal_only,), "Jacobian"),
]


_A = sp.Symbol("a", nonnegative=True)
_D = sp.Symbol("d", positive=True)


def _layer_norm_shortcut(X, eps=1e-5):
    """Variance as E[x^2] - E[x]^2: cancels for rows with a large mean."""
    X = np.asarray(X, dtype=float)
    m = X.mean(axis=1, keepdims=True)
    return (X - m) / np.sqrt((X**2).mean(axis=1, keepdims=True) - m**2 + eps)


def _softmax_backward_diagonal_only(s, dout, axis=-1):
    """Only the diagonal of the softmax Jacobian: p * dout."""
    import activations as act

    return act.softmax(np.asarray(s, dtype=float), axis=axis) * dout


def _fails(q, make, student) -> bool:
    return q.check(*make(q.parameters(student)), student=student).status == FAIL


def _solution_lines(ex_id) -> dict:
    """{qid: [solution lines of its answer cell]} from the source notebook (non-trivial lines only)."""
    nb = nbformat.read(str(SOURCE_DIR / f"{ex_id}.ipynb"), as_version=4)
    out, qids = {}, [q.qid for q in get_exercise(ex_id).questions]
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    for qid, q in zip(qids, get_exercise(ex_id).questions):
        cell = next(src for src in code if any(f"{n} = None" in src or f"def {n}(" in src for n in q.names[:1]))
        region, lines = False, []
        for line in cell.splitlines():
            t = line.strip()
            if t in (notebooks.BEGIN, notebooks.END):
                region = t == notebooks.BEGIN
            elif region and len(t) >= 12 and not t.startswith("#"):
                lines.append(t)
        out[qid] = lines
    return out


def _forbidden(ex_id, qid, student="") -> list[str]:
    """Strings a failing message must not contain: solution code lines, the expected value(s)."""
    q = get_exercise(ex_id).question(qid)
    bad = list(_solution_lines(ex_id)[qid])
    compute = getattr(q, "compute", None)
    if compute is not None:
        value = compute(q.parameters(student)) if q.params is not None else compute()
        for v in np.atleast_1d(np.asarray(value, dtype=float)):
            if not float(v).is_integer():  # integers (2, 5) occur in unrelated text; reals must not
                bad += [repr(float(v)), f"{v:.6g}", f"{v:.4f}"]
    return bad


@pytest.mark.parametrize(
    "exercise_id, qid, make, hint", WRONG, ids=[f"{e[:2]}-{q}-{i}" for i, (e, q, _, _) in enumerate(WRONG)]
)
def test_typical_wrong_answer_fails_with_a_hint_that_does_not_tell(exercise_id, qid, make, hint):
    q = get_exercise(exercise_id).question(qid)
    student = ""
    if q.params is not None:  # a wrong answer can coincide with the right one for some parameters
        student = next(s for s in ["", *(f"s{k}" for k in range(50))] if _fails(q, make, s))
    answer = make(q.parameters(student))
    for full in (False, True):  # the student's quick check and the grader agree
        result = q.check(*answer, full=full, student=student)
        assert result.status == FAIL and result.points == 0, result.lines()
        every_tier = result.lines(tier=10)
        assert hint in result.hint or hint in result.message, result.lines()
        for text in _forbidden(exercise_id, qid, student):
            assert text not in every_tier, (text, every_tier)
        if isinstance(q, ChoiceQuestion):  # the right letter is never named
            right = next(k for k in q.options if choice_hash(q.exercise, q.qid, k) == q.answer_hash)
            if answer[0].strip("() ").lower() != right and not answer[0].startswith("option"):
                assert f"({right})" not in every_tier


def test_every_question_has_a_wrong_answer_test():
    covered = {(e, q) for e, q, _, _ in WRONG}
    for ex in exercises().values():
        for q in ex.questions:
            assert (ex.id, q.qid) in covered, f"{ex.id} {q.qid} has no typical-wrong-answer test"


def test_no_hint_tier_gives_the_solution():
    """Every hint text of every question (all tiers, failure-specific ones included) against its solution."""
    for ex in exercises().values():
        if not (SOURCE_DIR / f"{ex.id}.ipynb").exists():
            continue
        sol = _solution_lines(ex.id)
        for q in ex.questions:
            texts = [q.hint, *q.hints]
            texts += [h for _, h in getattr(q, "near_misses", ())] + [h for _, h in getattr(q, "value_hints", ())]
            texts += [getattr(q, a, "") for a in ("overflow_hint", "warning_hint", "error_hint")]
            texts += [h for _, h in getattr(q, "reason_concepts", ())]
            for text in filter(None, texts):
                for line in sol[q.qid]:
                    assert line not in text, (ex.id, q.qid, line)
                for formula in ("4e/(1+e)", "exp(np.minimum", "keepdims=True)", "2/(1+a", "1 + n + ", "c - sum"):
                    assert formula not in text, (ex.id, q.qid, formula)


def test_hint_tiers_on_request(capsys):
    from activations.grading.student import checker

    check = checker("04_relu_family")
    check("q5", 3)
    first = capsys.readouterr().out
    check("q5", 3, hint=2)
    second = capsys.readouterr().out
    assert "✗ q5" in first and "hint=2" in first and "hint 2:" not in first
    assert "hint 2:" in second and "regions does the k-th line split" in second


def test_messages_show_the_call_and_plain_indices():
    from activations.grading.questions import Case, FunctionQuestion

    q = FunctionQuestion(
        "q9",
        "column sums",
        ("col_sums",),
        cases=lambda full: [Case((np.arange(6.0).reshape(2, 3),), {"axis": 0}, "a 2x3 array")],
        reference=lambda z, axis=0: np.sum(z, axis=axis, keepdims=True),
    )
    res = q.check(lambda z, axis=0: np.sum(z, axis=axis, keepdims=True) + np.array([[0.0, 1.0, 0.0]]))
    assert res.message.startswith("col_sums(x, axis=0) with a 2x3 array, element [0, 1]: expected 5.0"), res.message
    assert "np.int64" not in res.message
    shape = q.check(lambda z, axis=0: np.sum(z, axis=axis))
    assert "expected shape (1, 3), got (3,)" in shape.message and "elementwise" not in shape.hint
    res = get_exercise("04_relu_family").question("q4").check(_elu_grad_right)
    assert res.message.startswith("elu_grad(x, alpha=2.0) at x = 0.0 (float64)"), res.message


def test_float64_kernel_passes_where_float32_is_not_asked():
    def elu_grad_f64(x, alpha=1.0):
        x = np.asarray(x, dtype=np.float64)
        return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))

    assert get_exercise("04_relu_family").question("q4").check(elu_grad_f64, full=True).status == PASS


def test_choice_letters_in_every_written_form():
    q = get_exercise("06_choosing").question("q5")
    reason = "the rate must be positive and the Poisson likelihood fits counts"
    for form in ("d", "D", "(d)", "d)", " d. ", "option d", "(D)"):
        assert q.check(form, reason).status == PASS, form
    short = q.check("(d)", "positive")
    assert short.status == FAIL and "too short" in short.message


def test_parameters_differ_per_student_and_copied_answers_fail():
    """A number right for alice is wrong for bob (for every question with per-student numbers)."""
    for ex in exercises().values():
        for q in ex.questions:
            if q.params is None:
                continue
            pa = q.parameters("alice")
            assert pa == q.parameters("alice") and pa == q.parameters(" Alice ")  # stable, case-insensitive
            if isinstance(q, (NumberQuestion, IntervalQuestion)):
                alice = q.compute(pa)
                others = [q.parameters(s) for s in ("bob", "carol", "dave", "erin")]
                fails = [
                    q.check(alice if isinstance(q, NumberQuestion) else tuple(alice), student=s).status == FAIL
                    for s in ("bob", "carol", "dave", "erin")
                ]
                assert any(fails), (ex.id, q.qid, pa, others)
                assert q.check(alice if isinstance(q, NumberQuestion) else tuple(alice), student="alice").status == PASS


def _corners(spec: dict) -> list[dict]:
    """Every corner of a parameter box ``{name: (low, high, decimals)}`` (choices: first and last)."""
    import itertools

    ends = {k: (v[0], v[-1]) if isinstance(v, list) else (v[0], v[1]) for k, v in spec.items()}
    return [dict(zip(ends, combo)) for combo in itertools.product(*ends.values())]


def test_ex03_q2_parameters_stay_in_the_ordered_phase():
    """The worked solution says 'ordered' for every student: χ₁ < 1 on the whole parameter box."""
    from activations.grading.bank import ex03

    for p in _corners(ex03.Q2_PARAMS):
        chi1 = ex03._chi1(p)
        assert 0 < chi1 < 0.98, (p, chi1)
    drawn = [get_exercise("03_initialisation_normalisation").question("q2").parameters(f"s{k}") for k in range(50)]
    assert all(1.2 <= p["sigma_w2"] <= 1.6 and 0.05 <= p["sigma_b2"] <= 0.3 for p in drawn)
    assert len({(p["sigma_w2"], p["sigma_b2"]) for p in drawn}) == len(drawn)


def test_ex03_q4_batchnorm_learns_and_the_plain_network_does_not():
    """The worked solution's claims for a sample of students: plain near chance, BatchNorm well above."""
    from activations.grading.bank import ex03

    q = get_exercise("03_initialisation_normalisation").question("q4")
    params = [q.parameters(s) for s in ("", "alice", "bob")] + [{"depth": 20, "seed": 4}, {"depth": 14, "seed": 5}]
    for p in params:
        acc = ex03._bn_accuracies(p)
        assert acc["sigmoid"] < 0.25 and acc["sigmoid+bn"] > 0.6, (p, acc)


def test_ex07_q3_saturation_over_the_parameter_range():
    """The worked solution's ranges: a third to three quarters of raw rows saturate, scaled ones almost never."""
    for p in _corners({k: v for k, v in _ex07.Q3_PARAMS.items() if k != "seed"}):
        for seed in (0, 1):
            p = dict(p, seed=seed)
            raw, scaled = _ex07._saturated_fraction(p), _ex07._saturated_fraction(p, scale=p["d"] ** -0.5)
            assert 0.3 < raw < 0.8 and scaled < 0.01, (p, raw, scaled)


def test_chapter_mix():
    """Per set: a derivation, an experiment and a diagnosis; kernels at most a fifth of the points."""
    for ex in exercises().values():
        kinds = {q.category for q in ex.questions}
        assert {"derivation", "experiment", "diagnosis"} <= kinds, (ex.id, kinds)
        kernel = sum(q.points for q in ex.questions if q.category == "kernel")
        assert kernel <= ex.max_points / 5 + 1e-9, (ex.id, kernel, ex.max_points)


def test_student_id_reaches_the_grader():
    from activations.grading.batch import build_request, notebook_student

    src = ["import numpy as np\n", 'STUDENT_ID = "alice"  # mine\ncheck = checker("01_linearity", student=STUDENT_ID)']
    assert notebook_student(src, {}) == "alice"
    assert notebook_student(src, {"activations": {"student": "bob"}}) == "bob"
    assert notebook_student(['STUDENT_ID = ""'], {}) == ""
    ex = get_exercise("01_linearity")
    req = build_request(ex, src, "alice")
    assert req["params"]["q1"] == ex.question("q1").parameters("alice")
    assert "q4" not in req["params"]  # questions without parameters send none


def test_batch_checker_gives_the_params_it_was_sent(monkeypatch):
    import json

    from activations.grading import student

    monkeypatch.setenv(student.BATCH_ENV, "1")
    monkeypatch.setenv(student.PARAMS_ENV, json.dumps({"q2": {"power": 3, "layers": 4}}))
    check = student.checker("01_linearity", student="whoever")
    assert check.params("q2") == {"power": 3, "layers": 4} and check.params("q4") == {}


def test_number_answers_never_show_the_expected_value(capsys):
    from activations.grading.student import checker

    check = checker("06_choosing")
    expected = get_exercise("06_choosing").question("q4").compute(_params("06_choosing", "q4"))
    check("q4", expected + 0.5, hint=5)
    out = capsys.readouterr().out
    assert "✗" in out and f"{expected:.4f}" not in out and repr(expected) not in out


def test_choice_answers_are_not_stored_in_plain_text():
    import inspect

    from activations.grading.bank import ex06

    src = inspect.getsource(ex06)
    assert 'answer="' not in src and "correct=" not in src
    q = get_exercise("06_choosing").question("q5")
    assert q.answer_hash not in q.options.values() and len(q.answer_hash) == 20


def test_not_attempted_forms(capsys):
    from activations.grading.student import checker

    check = checker("02_sigmoid_tanh")

    def stub(x):
        raise NotImplementedError

    check("q1", stub)
    check("q1", None)
    check("q3", ...)
    check("q9", 1)  # unknown question: a message, no exception
    out = capsys.readouterr().out
    assert out.count("not attempted yet") == 3 and "no question 'q9'" in out


# --- solutions: only in the solutions edition ------------------------------------------------


def test_default_build_has_no_solutions():
    import yaml

    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    cfg = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    files = toc_files(toc)
    assert not [f for f in files if "source" in f]
    assert "exercises/source" in cfg["exclude_patterns"]
    for p in SOURCES:  # every exercise page of the book is a student notebook
        if f"exercises/{p.stem}" in files:
            text = (EXERCISES_DIR / p.name).read_text(encoding="utf-8")
            assert "Worked solution" not in text and "BEGIN SOLUTION" not in text


def test_solutions_edition_swaps_in_the_sources():
    import yaml

    from tools import solutions

    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    cfg = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    files = toc_files(solutions.solutions_toc(toc))
    student = [f for f in toc_files(toc) if f.startswith("exercises/")]
    assert student and all(f"exercises/source/{f.split('/', 1)[1]}" in files for f in student)
    assert not [f for f in files if f.startswith("exercises/0")]
    scfg = solutions.solutions_config(cfg, REPO)
    assert not [p for p in scfg["exclude_patterns"] if p.startswith("exercises/source")]
    assert not [p for p in scfg["execute"]["exclude_patterns"] if "source" in p]
    assert "solutions edition" in scfg["title"] and cfg["title"] in scfg["title"]
    assert all(Path(p).is_absolute() for p in scfg["sphinx"]["local_extensions"].values())
    for p in SOURCES:  # every source notebook has worked solutions to show
        assert "Worked solution" in p.read_text(encoding="utf-8")


@pytest.mark.parametrize("edition", ["html", "solutions/html"])
def test_built_exercise_pages(edition):
    """The built pages, when a build exists: solutions only in the solutions edition."""
    site = REPO / "_build" / edition
    pages = sorted((site / "exercises").glob("0*_*.html")) + sorted((site / "exercises" / "source").glob("0*_*.html"))
    if not pages:
        pytest.skip(f"no built {edition} (make {'book' if edition == 'html' else 'book-solutions'})")
    for page in pages:
        text = page.read_text(encoding="utf-8")
        solution_shown = "Worked solution" in text
        assert solution_shown == (edition != "html"), page
        if edition == "html":
            assert "exercises/source" not in str(page.relative_to(site))


def test_question_types_written_for_the_old_api_still_work():
    """A bank written against the API before student ids (judge/request without ``student``) keeps working."""
    from dataclasses import dataclass

    from activations.grading.bank import Exercise
    from activations.grading.batch import build_request
    from activations.grading.questions import with_student

    @dataclass
    class Old(NumberQuestion):
        def judge(self, data, *, full=False):
            return super().judge(data, full=full)

        def request(self, full=True):
            return {"kind": "number", "names": list(self.names)}

    q = Old("q1", "old style", ("a",), compute=lambda: 2.5)
    assert q.check(2.5, student="alice").status == PASS and q.check(2.0, student="alice").status == FAIL
    assert with_student(q.judge, q.probe(2.5), full=True, student="bob").status == PASS
    req = build_request(Exercise("99_old", "old", [q]), ["a = 2.5"], "bob")
    assert req["questions"][0]["kind"] == "number" and req["params"] == {}


def test_grader_inputs_differ_per_student_with_a_secret():
    from activations.grading import questions as Q

    q = get_exercise("04_relu_family").question("q4")
    try:
        Q.use_secret("course-secret")
        a = q.request(True, student="alice")["calls"]
        b = q.request(True, student="bob")["calls"]
        assert a != b  # the grader's random points depend on the student (and the secret)
        assert q.request(False, student="alice") == q.request(False, student="bob")  # the public quick check
        elu = lambda x, alpha=1.0: np.where(np.asarray(x) > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
        assert q.check(elu, full=True, student="alice").status == PASS
    finally:
        Q.use_secret(None)
