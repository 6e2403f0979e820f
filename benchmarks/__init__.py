"""Benchmarks of the course package: ``python -m benchmarks`` (``make bench``).

Three parts, each in its own module:

* :mod:`benchmarks.accuracy` -- worst error of every kernel (value and derivative)
  against the mpmath reference of :mod:`activations.reference`, in ULPs divided by
  the condition number, for our kernels, the naive textbook formulas
  (:mod:`benchmarks.naive`) and PyTorch (:mod:`benchmarks.torch_impl`, optional);
* :mod:`benchmarks.speed` -- single-thread throughput of the same three;
* :mod:`benchmarks.book` -- cold / warm book build, per-chapter execution and
  test-suite time.

Results are JSON files under ``benchmarks/results/`` (see :mod:`benchmarks.results`);
the appendix page of the book renders the latest committed one.
"""

import os

# Single-threaded measurements: these must be set before NumPy / PyTorch load their
# thread pools, which is why they live in the package's __init__.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"
del _var
