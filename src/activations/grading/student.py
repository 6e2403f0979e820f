"""The student's side: ``check = checker("02_sigmoid_tanh", student=STUDENT_ID)``, then ``check("q1", f)``.

``check`` prints ✓, or ✗ with the first failing call (with its keyword arguments) and a
first hint that points at the idea, or "not attempted yet"; it never raises and never
prints a solution.  ``check("q1", f, hint=2)`` adds the next, more specific hint tier.
``check.params("q3")`` gives this student's parameters of a question (questions with
per-student numbers; the same id must be used by the grader: it reads ``STUDENT_ID`` from
the notebook).  It runs a quick version of the grader's checks in the student's own
process; the grade itself comes from the instructor's batch grader.
"""

from __future__ import annotations

import json
import os

from .questions import UNGRADED, Result, with_student

#: Set to "1" in a submission's process by the batch grader.
BATCH_ENV = "ACTIVATIONS_GRADING_BATCH"
#: JSON ``{qid: {name: value}}``: the submission's parameters, set by the batch grader (whose
#: sandbox hides the question bank), so ``check.params`` gives the same values there.
PARAMS_ENV = "ACTIVATIONS_GRADING_PARAMS"
#: Fallback student id when the notebook does not pass one.
STUDENT_ENV = "ACTIVATIONS_STUDENT_ID"


class _Params:
    """``check.params("q3")``: a dict of this student's parameters (``{}`` for most questions)."""

    def __init__(self, lookup):
        self._lookup = lookup

    def __call__(self, qid: str) -> dict:
        return dict(self._lookup(qid))


def checker(exercise_id: str, student: str | None = None):
    """Return ``check(qid, *answer, hint=1)`` for the exercise notebook ``exercise_id``.

    ``student`` (the notebook's ``STUDENT_ID``; default ``$ACTIVATIONS_STUDENT_ID`` or ``""``)
    selects the per-student parameters, available as ``check.params(qid)``.
    """
    student = (student if student is not None else os.environ.get(STUDENT_ENV, "")) or ""
    student = str(student).strip()
    if os.environ.get(BATCH_ENV) == "1":
        # Inside the batch grader's sandbox the question bank is not even visible: the answers
        # are probed after the notebook ran and judged outside, so check() only says so.
        try:
            given = json.loads(os.environ.get(PARAMS_ENV, "") or "{}")
        except ValueError:
            given = {}

        def check(qid: str, *answer, hint: int = 1) -> None:
            print(f"{qid}: checked by the grader")

        check.params = _Params(lambda qid: given.get(qid, {}) if isinstance(given, dict) else {})
        return check
    from .bank import get_exercise

    exercise = get_exercise(exercise_id)

    def check(qid: str, *answer, hint: int = 1) -> None:
        try:
            question = exercise.question(qid)
        except KeyError as exc:
            print(f"? {exc.args[0]}")
            return
        try:
            result = with_student(question.check, *answer, full=False, student=student)
        except Exception as exc:  # a bug in a check must not stop the notebook
            result = Result(
                qid,
                question.title,
                UNGRADED,
                0.0,
                question.points,
                f"the checker could not run ({type(exc).__name__}: {exc}); your grade is unaffected",
            )
        try:
            tier = int(hint)
        except (TypeError, ValueError):
            tier = 1
        print(result.lines(tier))

    def params(qid: str) -> dict:
        try:
            return exercise.question(qid).parameters(student)
        except KeyError:
            return {}

    check.params = _Params(params)
    check.student = student
    check.__doc__ = (
        f"Check an answer of exercise {exercise_id}: check('q1', answer); check('q1', answer, hint=2) "
        "for a more specific hint; check.params('q1') for your parameters."
    )
    return check
