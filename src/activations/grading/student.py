"""The student's side: ``check = checker("02_sigmoid_tanh")``, then ``check("q1", my_function)``.

``check`` prints ✓, or ✗ with the first failing input and a hint, or "not attempted
yet"; it never raises and never prints a solution.  It runs a quick version of the
grader's checks in the student's own process; the grade itself comes from the
instructor's batch grader, which re-runs the full checks in its own process.
"""

from __future__ import annotations

import os

from .questions import UNGRADED, Result

#: Set to "1" in a submission's process by the batch grader.
BATCH_ENV = "ACTIVATIONS_GRADING_BATCH"


def checker(exercise_id: str):
    """Return ``check(qid, *answer)`` for the exercise notebook ``exercise_id``."""
    if os.environ.get(BATCH_ENV) == "1":
        # Inside the batch grader's sandbox the question bank is not even visible: the answers
        # are probed after the notebook ran and judged outside, so check() only says so.
        def check(qid: str, *answer) -> None:
            print(f"{qid}: checked by the grader")

        return check
    from .bank import get_exercise

    exercise = get_exercise(exercise_id)

    def check(qid: str, *answer) -> None:
        try:
            question = exercise.question(qid)
        except KeyError as exc:
            print(f"? {exc.args[0]}")
            return
        try:
            result = question.check(*answer, full=False)
        except Exception as exc:  # a bug in a check must not stop the notebook
            result = Result(
                qid,
                question.title,
                UNGRADED,
                0.0,
                question.points,
                f"the checker could not run ({type(exc).__name__}: {exc}); your grade is unaffected",
            )
        print(result.lines())

    check.__doc__ = f"Check an answer of exercise {exercise_id}: check('q1', answer)."
    return check
