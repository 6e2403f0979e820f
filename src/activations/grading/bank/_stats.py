"""Shared by the experiment questions: the t interval every question asks for."""

from __future__ import annotations

import numpy as np

#: the hint for an interval built with the normal quantile where the question asks for Student's t
T_HINT = "with 10 runs the normal quantile is too small: use Student's t with n - 1 degrees of freedom"


def t_interval(values, level=0.95):
    """``(mean, low, high)``: mean ± t_{(1+level)/2, n-1} · s / sqrt(n), s with ddof = 1."""
    from scipy import stats

    v = np.asarray(values, dtype=np.float64)
    n = v.size
    m = float(v.mean())
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * v.std(ddof=1) / np.sqrt(n))
    return m, m - half, m + half


def z_instead_of_t(got, want, n=10) -> bool:
    """The interval was built with 1.96 (normal) instead of the t quantile: narrower by 2.262/1.96."""
    from scipy import stats

    ratio = (got[2] - got[1]) / max(want[2] - want[1], 1e-300)
    return abs(ratio - 1.959964 / stats.t.ppf(0.975, n - 1)) < 0.02


def ddof0(got, want, n=10) -> bool:
    """The standard deviation was taken with ddof = 0 (np.std's default): narrower by sqrt((n-1)/n)."""
    ratio = (got[2] - got[1]) / max(want[2] - want[1], 1e-300)
    return abs(ratio - np.sqrt((n - 1) / n)) < 0.01
