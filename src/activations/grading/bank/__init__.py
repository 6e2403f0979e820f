"""The question bank: one module per exercise notebook, registered here by id."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

_MODULES = ("ex01", "ex02", "ex04", "ex05", "ex06", "ex07")


@dataclass
class Exercise:
    """One exercise notebook: its id (``02_sigmoid_tanh``), title and ordered questions."""

    id: str
    title: str
    questions: list

    def __post_init__(self):
        for q in self.questions:
            q.exercise = self.id

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, qid: str):
        for q in self.questions:
            if q.qid == qid:
                return q
        raise KeyError(
            f"exercise {self.id} has no question {qid!r}; questions: {', '.join(q.qid for q in self.questions)}"
        )


_CACHE: dict = {}


def exercises() -> dict:
    """All exercises, by id, in chapter order."""
    if not _CACHE:
        for name in _MODULES:
            ex = importlib.import_module(f"{__name__}.{name}").EXERCISE
            _CACHE[ex.id] = ex
    return _CACHE


def get_exercise(exercise_id: str) -> Exercise:
    """The exercise called ``exercise_id``; ``KeyError`` lists the valid ids."""
    found = exercises()
    if exercise_id not in found:
        raise KeyError(f"unknown exercise {exercise_id!r}; valid: {', '.join(found)}")
    return found[exercise_id]
