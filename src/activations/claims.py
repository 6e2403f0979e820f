"""Moved to :mod:`activations.course.claims`.

Kept only until ``tests/test_book.py`` (owned by the book-build branch) imports the new
path; then delete this file.
"""

from .course.claims import *  # noqa: F403
from .course.claims import __all__  # noqa: F401
