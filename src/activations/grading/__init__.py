"""Graded exercises: student-side checks and the instructor's batch grader.

* :func:`activations.grading.student.checker` -- ``check("q1", answer)`` in a notebook;
* :mod:`activations.grading.bank` -- the questions of each exercise notebook;
* :mod:`activations.grading.notebooks` -- student notebooks from the source notebooks;
* :mod:`activations.grading.batch` -- ``python -m activations.grading grade DIR --out grades.csv``;
* :mod:`activations.grading.sandbox` -- the bubblewrap sandbox the submissions run in;
* :mod:`activations.grading.gradescope` -- ``export-gradescope``: the same grader as a Gradescope bundle.

Why not otter-grader or nbgrader: otter's batch grading runs each notebook in Docker
(not available here) and its Gradescope bundle downloads Miniforge; nbgrader needs its
database and course layout.  What the course needs is small -- a sandboxed, pre-loaded
process per submission that only reports values, and checks judged outside it on inputs
drawn from the instructor's secret -- and scaling out goes through Gradescope.
"""

__all__ = ["checker"]


def checker(exercise_id: str, student: str | None = None):
    """Shortcut for :func:`activations.grading.student.checker`."""
    from .student import checker as _checker

    return _checker(exercise_id, student=student)
