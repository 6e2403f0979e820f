"""Chapter code: importable and tested, but not the library's API.

Each module serves one page of the book (the docstrings say which):

* :mod:`~activations.course.glue` -- ``keep`` / ``keep_math``, the one glue helper of every chapter;
* :mod:`~activations.course.collapse`, :mod:`~activations.course.counterexamples` -- chapter 1;
* :mod:`~activations.course.optim_paths` -- chapter 2;
* :mod:`~activations.course.explorers` -- the chapters' interactive explorers (chapters 2, 4, 5 and 6);
* :mod:`~activations.course.claims` -- the claims register of the appendix.

The library (``activations``, ``activations.nn``, ``activations.reference``, ...) never
imports from here.
"""
