"""Graded exercises: student-side checks and the instructor's batch grader.

* :func:`activations.grading.student.checker` -- ``check("q1", answer)`` in a notebook;
* :mod:`activations.grading.bank` -- the questions of each exercise notebook;
* :mod:`activations.grading.notebooks` -- student notebooks from the source notebooks;
* :mod:`activations.grading.batch` -- ``python -m activations.grading grade DIR --out grades.csv``.

Why not otter-grader or nbgrader: otter's batch grading runs each notebook in Docker
(not available here) and nbgrader needs its database and course layout; what the
course needs is small -- nbclient (or a forked pre-loaded process) per submission,
resource limits, and checks judged outside the student's process.
"""

__all__ = ["checker"]


def checker(exercise_id: str):
    """Shortcut for :func:`activations.grading.student.checker`."""
    from .student import checker as _checker

    return _checker(exercise_id)
