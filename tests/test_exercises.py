"""The exercise notebooks: generated student versions, solutions, typical wrong answers."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import sympy as sp

from activations.grading import notebooks
from activations.grading.bank import exercises, get_exercise
from activations.grading.questions import FAIL, NOT_ATTEMPTED, PASS

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


# --- typical wrong answers get the intended hint ----------------------------------------


def _naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _ratio_sigmoid(x):
    return np.exp(x) / (1 + np.exp(x))


def _leaky_inplace(x, negative_slope=0.01):
    x[x < 0] *= negative_slope
    return x


def _leaky_int(x, negative_slope=0.01):
    x = np.asarray(x)
    return np.where(x > 0, x, negative_slope * x).astype(x.dtype)


def _leaky_f64(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope * x).astype(np.float64)


def _leaky_hardcoded(x, negative_slope=0.01):
    x = np.asarray(x, dtype=np.result_type(x, np.float32))
    return np.where(x > 0, x, 0.01 * x)


def _elu_grad_right(x, alpha=1.0):
    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0)))


def _elu_grad_overflow(x, alpha=1.0):
    return np.where(x > 0, 1.0, alpha * np.exp(x))


def _dead_strict(pre):
    return int(np.sum(np.all(np.asarray(pre) < 0, axis=0)))


def _maxout_strided(z, pieces):
    z = np.asarray(z)
    return z.reshape(*z.shape[:-1], pieces, z.shape[-1] // pieces).max(axis=-2)


def _gelu_erf(x):
    from scipy import special

    return 0.5 * x * (1 + special.erf(x / 2**0.5))


def _softmax_naive(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _softmax_inplace(z, axis=-1):
    z -= np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _softmax_global_max(z, axis=-1):
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=axis, keepdims=True)


def _log_of_softmax(z, axis=-1):
    z = np.asarray(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return np.log(e / e.sum(axis=axis, keepdims=True))


def _signed_sqrt_grad_sign(x):
    with np.errstate(divide="ignore"):
        return np.sign(x) * 0.5 / np.sqrt(np.abs(x))


def _compose_forgot_b2(W1, b1, W2, b2):
    return W2 @ W1, W2 @ b1


def _compose_wrong_order(W1, b1, W2, b2):
    return W1 @ W2, W2 @ b1 + b2


_x, _s = sp.symbols("x s", real=True)

WRONG = [
    ("02_sigmoid_tanh", "q1", (_naive_sigmoid,), "rearrange for large |x|"),
    ("02_sigmoid_tanh", "q1", (_ratio_sigmoid,), "rearrange for large |x|"),
    ("02_sigmoid_tanh", "q2", (sp.diff(1 / (1 + sp.exp(-_x)), _x),), "eliminate x"),
    ("02_sigmoid_tanh", "q2", (-_s * (1 - _s),), "off by a sign"),
    ("02_sigmoid_tanh", "q3", (0.5,), "σ(0)"),
    ("02_sigmoid_tanh", "q4", (lambda x: 1 - np.tanh(x) ** 2,), "cancels"),
    ("02_sigmoid_tanh", "q4", (lambda x: 1 / np.cosh(x) ** 2,), "overflows"),
    ("02_sigmoid_tanh", "q5", (10,), "best case"),
    ("04_relu_family", "q1", (_leaky_inplace,), "changed its input"),
    ("04_relu_family", "q1", (_leaky_int,), "integer input must give floats"),
    ("04_relu_family", "q1", (_leaky_f64,), "float32 in, float32 out"),
    ("04_relu_family", "q1", (_leaky_hardcoded,), "negative_slope argument"),
    ("04_relu_family", "q2", (_elu_grad_right,), "left derivative"),
    ("04_relu_family", "q2", (_elu_grad_overflow,), "np.where evaluates both branches"),
    ("04_relu_family", "q3", (_dead_strict,), "exactly 0 is dead too"),
    ("04_relu_family", "q4", (_maxout_strided,), "groups are consecutive"),
    ("04_relu_family", "q5", (sp.exp(_x) / (1 + sp.exp(_x)),), "symbols named x and beta"),
    ("04_relu_family", "q6", (lambda x: np.where(x > 0, 1.0, 0.25),), "with respect to x"),
    ("05_gelu_selu_swish", "q1", (_gelu_erf,), "erfc"),
    ("05_gelu_selu_swish", "q2", (sp.Float(-1.2784645427610738),), "floating-point"),
    ("05_gelu_selu_swish", "q4", (0.0,), "mean"),
    ("05_gelu_selu_swish", "q5", ("a", "the constants are magic"), "fixed point"),
    ("06_choosing", "q1", (_softmax_naive,), "subtract the maximum"),
    ("06_choosing", "q1", (_softmax_inplace,), "changed its input"),
    ("06_choosing", "q1", (_softmax_global_max,), "each row's own maximum"),
    ("06_choosing", "q2", (_log_of_softmax,), "log(softmax(z))"),
    ("06_choosing", "q3", ("a", "softmax gives probabilities"), "not exclusive"),
    ("06_choosing", "q3", ("b", ""), "short reason"),
    ("06_choosing", "q3", ("e", "no such option here"), "one of the options"),
    ("06_choosing", "q5", (float("inf"),), "underflowed"),
    ("06_choosing", "q5", (-1000.0,), "off by a sign"),
    ("01_linearity", "q1", (_compose_forgot_b2,), "W2 (W1 x + b1) + b2"),
    ("01_linearity", "q1", (_compose_wrong_order,), "check the shapes"),
    ("01_linearity", "q2", (6,), "multiply"),
    ("01_linearity", "q3", (_signed_sqrt_grad_sign,), "off by a sign"),
    ("01_linearity", "q4", ("c", "sqrt flattens out for large inputs"), "finite"),
]


@pytest.mark.parametrize(
    "exercise_id, qid, answer, hint", WRONG, ids=[f"{e[:2]}-{q}-{i}" for i, (e, q, _, _) in enumerate(WRONG)]
)
def test_typical_wrong_answer_gets_its_hint(exercise_id, qid, answer, hint):
    q = get_exercise(exercise_id).question(qid)
    for full in (False, True):  # the student's quick check and the grader agree
        result = q.check(*answer, full=full)
        assert result.status == FAIL and result.points == 0
        assert hint in result.hint or hint in result.message, result.lines()


def test_number_answers_never_show_the_expected_value(capsys):
    from activations.grading.student import checker

    check = checker("06_choosing")
    check("q5", 999.0)
    out = capsys.readouterr().out
    assert "✗" in out and "1000" not in out


def test_choice_answers_are_not_stored_in_plain_text():
    import inspect

    from activations.grading.bank import ex06

    src = inspect.getsource(ex06)
    assert 'answer="' not in src and "correct=" not in src
    q = get_exercise("06_choosing").question("q3")
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
