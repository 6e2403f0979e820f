"""Question types: each splits a check into ``probe`` (untrusted side) and ``judge``.

``probe(*answer, full=...)`` runs next to the student's code: it calls the student's
function on the test inputs (or reads the number, expression or choice) and returns
plain data.  ``judge(data, full=...)`` runs wherever the verdict must be trusted (the
grader process): it rebuilds the inputs itself, computes the expected values at check
time from the public :mod:`activations` kernels, SymPy or mpmath, and returns a
:class:`Result` with the first failure and a hint aimed at the mistake.  Expected
numbers and choices never appear in plain text: numbers are computed when checked,
choices are stored as salted hashes.
"""

from __future__ import annotations

import copy
import hashlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._serial import Opaque, decode, encode, text

PASS, FAIL, NOT_ATTEMPTED, UNGRADED = "pass", "fail", "not attempted", "ungraded"
SALT = "activations-course-2026"

# The instructor's secret (set only in the grader process, see :func:`use_secret`): the
# grader's random test inputs are drawn from it, so answers precomputed for the inputs of
# the public in-notebook check do not pass.  ``None``: the documented public seeds.
_SECRET: bytes | None = None


def use_secret(secret: str | bytes | None) -> None:
    """Draw the grader's (``full=True``) random test inputs from ``secret`` from now on."""
    global _SECRET
    _SECRET = None if secret is None else (secret.encode() if isinstance(secret, str) else bytes(secret))


def case_rng(seed: int, full: bool, student: str = "") -> np.random.Generator:
    """The random generator of a question's test inputs.

    ``full=False`` (the student's quick check): the public seed ``seed``.  ``full=True``
    (the grader): ``seed + 1000`` without a secret, else a generator keyed by
    HMAC-SHA256(secret, seed, student) -- different for every secret (and, when a
    student id is given, for every student).
    """
    if not full:
        return np.random.default_rng(seed)
    if _SECRET is None:
        return np.random.default_rng(seed + 1000)
    import hmac

    digest = hmac.new(_SECRET, f"{seed}:{student}".encode(), hashlib.sha256).digest()
    return np.random.default_rng([int.from_bytes(digest[i : i + 8], "little") for i in range(0, 32, 8)])


@dataclass
class Result:
    """Verdict on one question."""

    qid: str
    title: str
    status: str
    points: float
    max_points: float
    message: str = ""
    hint: str = ""
    more: tuple = ()  # the question's further hint tiers (2, 3, ...), shown on request

    def lines(self, tier: int = 1) -> str:
        """What the student sees: one line, plus the hints up to ``tier`` when the answer failed.

        Tier 1 is a nudge (aimed at the mistake when the check recognised it); tiers 2, 3 ...
        are more specific and shown only on request (``check("q3", answer, hint=2)``).  No tier
        gives the formula or the value.
        """
        mark = {PASS: "✓", FAIL: "✗", NOT_ATTEMPTED: "…", UNGRADED: "?"}[self.status]
        head = f"{mark} {self.qid} ({self.title}): "
        if self.status == PASS:
            head += self.message or "correct"
        elif self.status == NOT_ATTEMPTED:
            head += self.message or "not attempted yet"
        else:
            head += self.message
        if self.status != FAIL:
            return head
        out = head + (f"\n  hint: {self.hint}" if self.hint else "")
        tier = max(1, int(tier))
        for k, extra in enumerate(self.more[: tier - 1], start=2):
            if extra and extra != self.hint:
                out += f"\n  hint {k}: {extra}"
        if tier - 1 < len(self.more):
            out += f"\n  (a more specific hint: check({self.qid!r}, ..., hint={tier + 1}))"
        return out


def with_student(method, *args, student: str = "", **kwargs):
    """``method(*args, student=student, **kwargs)``, or without ``student`` for a question type
    written before per-student parameters existed (its ``judge``/``request``/``check`` lack it)."""
    import inspect

    try:
        params = inspect.signature(method).parameters
        takes = "student" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
    except (TypeError, ValueError):
        takes = False
    return method(*args, student=student, **kwargs) if takes else method(*args, **kwargs)


def _missing(value) -> bool:
    return value is None or value is Ellipsis


def student_rng(exercise: str, qid: str, student: str = "") -> np.random.Generator:
    """The public generator of a question's per-student parameters (no secret: the student sees them)."""
    digest = hashlib.sha256(f"{SALT}:params:{exercise}:{qid}:{student.strip().lower()}".encode()).digest()
    return np.random.default_rng([int.from_bytes(digest[i : i + 8], "little") for i in range(0, 32, 8)])


def draw_params(spec, rng) -> dict:
    """Parameters from ``spec``: a callable ``rng -> dict``, or ``{name: (low, high, decimals)}``
    (uniform, rounded to ``decimals``; ``decimals = 0`` gives an int) or ``{name: [choices]}``."""
    if callable(spec):
        return dict(spec(rng))
    out = {}
    for name, rule in spec.items():
        if isinstance(rule, list):
            out[name] = rule[int(rng.integers(len(rule)))]
        else:
            low, high, decimals = rule
            if decimals == 0:
                out[name] = int(rng.integers(low, high + 1))
            else:
                out[name] = round(float(rng.uniform(low, high)), decimals)
    return out


def choice_hash(exercise: str, qid: str, letter: str) -> str:
    """Salted hash under which a multiple-choice answer is stored."""
    return hashlib.sha256(f"{SALT}:{exercise}:{qid}:{letter}".encode()).hexdigest()[:20]


@dataclass
class Question:
    """Common fields: id (``q1``...), title, points, names of the answer variables."""

    qid: str
    title: str
    names: tuple
    points: float = 1.0
    hint: str = ""
    exercise: str = ""
    #: further hint tiers, each more specific than the last (never the formula or the value)
    hints: tuple = ()
    #: what the question trains: "derivation", "experiment", "diagnosis", "kernel", "concept"
    #: (empty: read off the question type, see :attr:`category`)
    kind: str = ""
    #: per-student parameters (see :func:`draw_params`); ``None``: the same question for everyone
    params: object = None

    @property
    def category(self) -> str:
        return self.kind or _DEFAULT_KIND.get(type(self).__name__, "other")

    def parameters(self, student: str = "") -> dict:
        """This student's parameters of the question (``{}`` when it has none); public, deterministic."""
        if self.params is None:
            return {}
        return draw_params(self.params, student_rng(self.exercise, self.qid, student))

    def result(self, status, message="", hint="") -> Result:
        pts = self.points if status == PASS else 0.0
        return Result(self.qid, self.title, status, pts, self.points, message, hint, tuple(self.hints))

    def check(self, *answer, full=False, student="") -> Result:
        """Probe and judge in one process (the student's quick check)."""
        if self.params is None and student == "":
            return self.judge(self.probe(*answer, full=full), full=full)
        data = with_student(self.probe, *answer, full=full, student=student)
        return with_student(self.judge, data, full=full, student=student)

    def _memo(self, key, compute):
        """``compute()`` once per question, key and secret (include the student in ``key`` when it matters)."""
        cache = self.__dict__.setdefault("_cache", {})
        k = (key, _SECRET)
        if k not in cache:
            cache[k] = compute()
        return cache[k]

    def _call_compute(self, fn, student):
        """``fn()`` for a question without parameters, ``fn(params)`` for one with them."""
        if self.params is None:
            return self._memo("compute", fn)
        return self._memo(("compute", student.strip().lower()), lambda: fn(self.parameters(student)))


# --- functions -------------------------------------------------------------------


def probe_function(fn, calls):
    """Call the student's ``fn(*args, **kwargs)`` for each call; plain data back (runs untrusted)."""
    if _missing(fn):
        return {"attempted": False}
    if not callable(fn):
        return {"attempted": True, "callable": False, "type": text(type(fn).__name__)}
    records = []
    for orig, orig_kwargs in calls:
        args, kwargs = copy.deepcopy(orig), copy.deepcopy(orig_kwargs)
        rec = {}
        with (
            warnings.catch_warnings(record=True) as caught,
            np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"),
        ):
            warnings.simplefilter("always")
            try:
                rec["result"] = encode(fn(*args, **kwargs))
            except Exception as exc:  # the student's error is data here
                rec["error"] = text(type(exc).__name__)[:80]
                rec["message"] = text(exc)[:300]
        rec["modified"] = not all(_same(a, b) for a, b in zip(args, orig))
        rec["warnings"] = [text(f"{w.category.__name__}: {w.message}")[:200] for w in caught[:3]]
        records.append(rec)
        if rec.get("error") == "NotImplementedError":
            break
    return {"attempted": True, "callable": True, "cases": records}


@dataclass
class Case:
    """One call of the student's function: ``f(*args, **kwargs)`` against the reference."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    label: str = ""
    rtol: float = 1e-12
    atol: float = 0.0
    check_dtype: bool = True
    no_warnings: bool = False
    hint: str = ""
    nonfinite_hint: str = ""  # replaces the question's overflow hint for this input


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    return a == b or (a != a and b != b)


def _fmt(v) -> str:
    try:
        return repr(float(v))  # shortest string that reads back as the same double
    except (TypeError, ValueError):
        return repr(v)


def _fmt_arg(v) -> str:
    """A scalar argument as written in a call: ``2.0``, ``3``, ``'x'`` (never ``np.float64(2.0)``)."""
    if isinstance(v, (bool, np.bool_)):
        return repr(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return repr(v)


def _index(idx) -> str:
    """A NumPy index tuple printed plainly: ``[0, 1]`` (not ``(np.int64(0), np.int64(1))``)."""
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def _shape(shape) -> str:
    return "(" + ", ".join(str(int(n)) for n in shape) + ("," if len(shape) == 1 else "") + ")"


@dataclass
class FunctionQuestion(Question):
    """The student implements a function; it is compared with ``reference`` on ``cases(full)``."""

    cases: Callable[[bool], list] = None
    reference: Callable = None
    overflow_hint: str = "an intermediate overflowed: rearrange the formula for large |x|"
    warning_hint: str = ""
    error_hint: str = ""
    value_hints: tuple = ()  # (predicate(got, expected) -> bool, hint), tried on the first wrong element
    arg_name: str = "x"  # how messages name the first argument
    #: "keep": a float input's dtype must be kept (float32 in, float32 out), as the question must say;
    #: "float": any float dtype passes (a float64-only kernel is not failed on float32 input)
    dtype_rule: str = "keep"
    #: one output element per input element (the shape hint says so); ``None``: read off the cases
    elementwise: bool | None = None

    def probe(self, fn=None, *, full=False, student=""):
        return probe_function(fn, [(c.args, c.kwargs) for c in self._cases(full, student)])

    def _cases(self, full, student=""):
        import inspect

        try:
            takes_student = "student" in inspect.signature(self.cases).parameters
        except (TypeError, ValueError):
            takes_student = False
        if takes_student:
            key = student.strip().lower()
            return self._memo(("cases", full, key), lambda: self.cases(full, student=key))
        return self._memo(("cases", full), lambda: self.cases(full))

    def _expected(self, full, i, student=""):
        cases = self._cases(full, student)

        def compute():
            case = cases[i]
            return self.reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))

        return self._memo(("expected", full, i, id(cases)), compute)

    def request(self, full=True, student="") -> dict:
        """What the sandboxed prober needs: the calls to make (inputs encoded, no expected values)."""
        return {
            "kind": "function",
            "names": list(self.names),
            "calls": [
                {"args": [encode(a) for a in c.args], "kwargs": {k: encode(v) for k, v in c.kwargs.items()}}
                for c in self._cases(full, student)
            ],
        }

    def call_text(self, case) -> str:
        """The failing call as the student would write it: ``elu_grad(x, alpha=2.0)``."""
        parts = []
        for k, a in enumerate(case.args):
            if k == 0 and isinstance(a, np.ndarray):
                parts.append(self.arg_name)
            elif isinstance(a, np.ndarray):
                parts.append(f"<{'x'.join(map(str, a.shape)) or 'scalar'} array>")
            else:
                parts.append(_fmt_arg(a))
        parts += [f"{k}={_fmt_arg(v)}" for k, v in case.kwargs.items()]
        return f"{self.names[0]}({', '.join(parts)})"

    def _where(self, case) -> str:
        return f"{self.call_text(case)} with {case.label}" if case.label else self.call_text(case)

    def judge(self, data, *, full=False, student="") -> Result:
        if not isinstance(data, dict) or not data.get("attempted"):
            return self.result(NOT_ATTEMPTED)
        if not data.get("callable"):
            return self.result(FAIL, f"expected a function, got {text(data.get('type'))}", self.hint)
        recs = data.get("cases") or []
        cases = self._cases(full, student)
        for i, case in enumerate(cases):
            if i >= len(recs):
                return self.result(FAIL, f"no result for {self._where(case)} (time limit reached?)", self.hint)
            rec = recs[i]
            if "error" in rec:
                if i == 0 and rec["error"] == "NotImplementedError":
                    return self.result(NOT_ATTEMPTED)
                msg = f"{self._where(case)} raised {rec['error']}: {text(rec.get('message'))[:200]}"
                return self.result(FAIL, msg, self.error_hint or self.hint)
            if rec.get("modified"):
                return self.result(
                    FAIL,
                    f"{self._where(case)}: your function changed its input in place",
                    "build a new array (np.where, np.maximum, arithmetic) instead of writing into the "
                    "argument (x[...] = , x *= , out=x, or x -= x.max() modify the caller's array)",
                )
            expected = self._expected(full, i, student)
            got = decode(rec.get("result"))
            if got is None and expected is not None:
                return self.result(
                    FAIL,
                    f"{self._where(case)} returned None",
                    "is a `return` statement missing at the end of your function?",
                )
            failure = self._compare(case, got, expected)
            if failure:
                return self.result(FAIL, *failure)
            if case.no_warnings and rec.get("warnings"):
                msg = f"{self._where(case)}: NumPy warned '{rec['warnings'][0]}'"
                return self.result(FAIL, msg, self.warning_hint or self.overflow_hint)
        return self.result(PASS, f"correct on all {len(cases)} test inputs")

    def _compare(self, case, got, expected):
        """``None`` if ``got`` matches, else ``(message, hint)``."""
        if isinstance(expected, tuple):
            if not isinstance(got, (tuple, list)) or len(got) != len(expected):
                return (
                    f"{self._where(case)}: expected a tuple of {len(expected)} arrays, got {type(got).__name__}",
                    self.hint,
                )
            for k, (g, e) in enumerate(zip(got, expected)):
                failure = self._compare_one(case, g, e, f" (item {k} of the tuple)")
                if failure:
                    return failure
            return None
        return self._compare_one(case, got, expected, "")

    def _compare_one(self, case, got, expected, where):
        expected = np.asarray(expected)
        call = self._where(case)
        if isinstance(got, Opaque) or isinstance(got, (list, tuple)):
            return f"{call}{where}: expected an array, got {got!r}", self.hint
        is_numpy = isinstance(got, (np.ndarray, np.generic))
        garr = np.asarray(got)
        x0 = case.args[0] if case.args else None
        elementwise = self.elementwise
        if elementwise is None:
            elementwise = isinstance(x0, np.ndarray) and x0.shape == expected.shape and not where
        if np.shape(garr) != expected.shape:
            shape_hint = (
                "keep the input's shape (an elementwise function gives one output per input element)"
                if elementwise
                else "reread what the function must return: which axes are kept, which are reduced?"
            )
            return f"{call}{where}: expected shape {_shape(expected.shape)}, got {_shape(np.shape(garr))}", shape_hint
        if case.check_dtype and expected.dtype.kind == "f":
            if self.dtype_rule == "float":
                dtype_ok = garr.dtype.kind == "f"
            else:
                dtype_ok = (
                    garr.dtype == expected.dtype
                    if is_numpy
                    else expected.dtype == np.float64 and garr.dtype.kind == "f"
                )
            if not dtype_ok:
                got_dtype = garr.dtype if is_numpy else type(got).__name__
                msg = f"{call}{where}: expected dtype {expected.dtype}, got {got_dtype}"
                if garr.dtype.kind in "iub":
                    return msg, (
                        "an integer input must give floats (e.g. -3 -> -0.03): do not cast back to "
                        "the input's integer dtype or fill an integer array such as np.zeros_like(x)"
                    )
                if expected.dtype == np.float32:
                    return msg, (
                        "float32 in, float32 out: avoid float64 intermediates such as np.float64(...) "
                        "constants or np.array(..., dtype=float)"
                    )
                return msg, "return a float array of the same dtype as the (float) input"
        g = garr.astype(np.float64)
        e = expected.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            # where the expected value is ±inf only ±inf itself passes (inf <= inf would accept anything)
            close = (
                (np.isnan(g) & np.isnan(e))
                | (g == e)
                | (np.isfinite(e) & (np.abs(g - e) <= case.atol + case.rtol * np.abs(e)))
            )
        if close.all():
            return None
        j = int(np.argmin(close.ravel()))
        gj, ej = g.ravel()[j], e.ravel()[j]
        if isinstance(x0, np.ndarray) and x0.shape == expected.shape and not where:
            at = f"{self.call_text(case)} at {self.arg_name} = {_fmt(x0.ravel()[j])} ({x0.dtype})"
        else:
            at = call + (f", element {_index(np.unravel_index(j, e.shape))}" if e.ndim else "")
        msg = f"{at}{where}: expected {_fmt(ej)}, got {_fmt(gj)}"
        for predicate, hint in self.value_hints:
            if predicate(gj, ej):
                return msg, hint
        if np.isfinite(ej) and not np.isfinite(gj):
            return msg, case.nonfinite_hint or self.overflow_hint
        if np.isnan(ej):
            return msg, "a NaN input must give NaN (comparisons such as x > 0 are False for NaN)"
        if np.isinf(ej):
            return (
                msg,
                case.hint or "at x = ±inf return the limit of the function (watch out for inf * 0 and inf - inf)",
            )
        with np.errstate(invalid="ignore", over="ignore"):
            if ej != 0 and abs(gj + ej) <= case.atol + case.rtol * abs(ej):
                return msg, "off by a sign: check the sign of each term"
        return msg, case.hint or self.hint


# --- numbers ---------------------------------------------------------------------


@dataclass
class NumberQuestion(Question):
    """A number computed by the student; ``compute()`` gives the expected one at check time."""

    compute: Callable[[], float] = None
    rtol: float = 1e-9
    atol: float = 0.0
    integer: bool = False
    near_misses: tuple = ()  # (predicate(got, expected) -> bool, hint)

    def probe(self, value=None, *, full=False, student=""):
        return probe_number(value)

    def request(self, full=True, student="") -> dict:
        return {"kind": "number", "names": list(self.names)}

    def judge(self, data, *, full=False, student="") -> Result:
        if not isinstance(data, dict) or not data.get("attempted"):
            return self.result(NOT_ATTEMPTED)
        if not data.get("number") or not isinstance(data.get("value"), (int, float)):
            return self.result(FAIL, f"expected a number, got {text(data.get('type'))}", self.hint)
        got = float(data["value"])
        if self.integer and not (np.isfinite(got) and got == int(got)):
            return self.result(FAIL, f"expected a whole number, got {got!r}", self.hint)
        expected = float(self._call_compute(self.compute, student))
        if abs(got - expected) <= self.atol + self.rtol * abs(expected):
            return self.result(PASS)
        shown = f"{int(got)}" if abs(got) < 1e15 and got == int(got) else repr(got)
        params = self.parameters(student)
        for predicate, hint in self.near_misses:
            if _call_predicate(predicate, got, expected, params):
                return self.result(FAIL, f"{shown} is not right", hint)
        return self.result(FAIL, f"{shown} is not right", self.hint)


def _call_predicate(predicate, got, expected, params):
    """``predicate(got, expected)``, or ``predicate(got, expected, params)`` when it takes three arguments."""
    import inspect

    try:
        n = len(inspect.signature(predicate).parameters)
    except (TypeError, ValueError):
        n = 2
    with np.errstate(all="ignore"):
        return bool(predicate(got, expected, params) if n >= 3 else predicate(got, expected))


@dataclass
class IntervalQuestion(Question):
    """An experiment's result: ``(estimate, low, high)``, a value with its confidence interval.

    ``compute()`` (or ``compute(params)``) runs the reference experiment and gives the same
    triple.  Different but correct code (another loop, another way to get the t quantile)
    passes: the student's interval must contain the reference estimate, the reference
    interval the student's estimate, and the widths must agree within ``width_ratio``.
    """

    compute: Callable = None
    width_ratio: float = 2.0
    near_misses: tuple = ()  # (predicate(got_triple, expected_triple) -> bool, hint)

    def probe(self, value=None, *, full=False, student=""):
        return probe_interval(value)

    def request(self, full=True, student="") -> dict:
        return {"kind": "interval", "names": list(self.names)}

    def judge(self, data, *, full=False, student="") -> Result:
        if not isinstance(data, dict) or not data.get("attempted"):
            return self.result(NOT_ATTEMPTED)
        vals = data.get("values")
        if not data.get("ok") or not isinstance(vals, list) or len(vals) != 3:
            return self.result(
                FAIL,
                f"expected three numbers (estimate, low, high), got {text(data.get('type'))}",
                "report the estimate and both ends of its confidence interval, e.g. (m, m - h, m + h)",
            )
        try:
            est, lo, hi = (float(v) for v in vals)
        except (TypeError, ValueError):
            return self.result(FAIL, "the three values are not numbers", self.hint)
        if not all(np.isfinite([est, lo, hi])) or not lo <= est <= hi:
            return self.result(
                FAIL,
                "low <= estimate <= high does not hold (or a value is not finite)",
                "an interval around the estimate: (estimate, low end, high end), in that order",
            )
        e_est, e_lo, e_hi = (float(v) for v in self._call_compute(self.compute, student))
        got, want = (est, lo, hi), (e_est, e_lo, e_hi)
        width, e_width = hi - lo, e_hi - e_lo
        ok = lo <= e_est <= hi and e_lo <= est <= e_hi
        ok = ok and e_width / self.width_ratio <= width <= e_width * self.width_ratio
        if ok:
            return self.result(PASS)
        for predicate, hint in self.near_misses:
            if predicate(got, want):
                return self.result(FAIL, "your result does not match the experiment's", hint)
        if e_lo <= est <= e_hi and not (e_width / self.width_ratio <= width <= e_width * self.width_ratio):
            return self.result(
                FAIL,
                "the estimate is plausible, but the interval is " + ("too wide" if width > e_width else "too narrow"),
                "the half-width is a t quantile times the standard error s/sqrt(n) of the n runs (ddof=1)",
            )
        return self.result(FAIL, "your estimate does not match the experiment's", self.hint)


def probe_interval(value):
    """An ``(estimate, low, high)`` answer as plain data (runs untrusted)."""
    if _missing(value):
        return {"attempted": False}
    try:
        vals = [float(v) for v in value]
        if len(vals) != 3 or any(isinstance(v, (str, bytes)) for v in value):
            raise TypeError
    except Exception:
        return {"attempted": True, "ok": False, "type": text(type(value).__name__)}
    return {"attempted": True, "ok": True, "values": vals}


def probe_number(value):
    """A number answer as plain data (runs untrusted)."""
    if _missing(value):
        return {"attempted": False}
    try:
        if isinstance(value, (str, bytes, bool)):
            raise TypeError(type(value).__name__)
        number = float(value)
    except Exception:
        return {"attempted": True, "number": False, "type": text(type(value).__name__)}
    return {"attempted": True, "number": True, "value": number}


# --- SymPy expressions -------------------------------------------------------------


@dataclass
class ExpressionQuestion(Question):
    """A SymPy expression, compared with ``expected(point)`` (mpmath) at exact rational points."""

    symbols: tuple = ()
    at: tuple = ()  # evaluation points: dicts {symbol name: "p/q"}
    expected: Callable = None  # expected(dict name -> mpf) -> mpf
    exact: bool = True
    digits: int = 30
    near_misses: tuple = ()  # (predicate(got_values, expected_values) -> bool, hint)

    def probe(self, expr=None, *, full=False, student=""):
        return probe_expression(expr, self.at, self.digits)

    def request(self, full=True, student="") -> dict:
        return {
            "kind": "expression",
            "names": list(self.names),
            "at": [dict(p) for p in self.at],
            "digits": self.digits,
        }

    def judge(self, data, *, full=False, student="") -> Result:
        import mpmath

        if not isinstance(data, dict) or not data.get("attempted"):
            return self.result(NOT_ATTEMPTED)
        if not data.get("sympy"):
            kind = text(data.get("type"))
            return self.result(
                FAIL,
                f"expected a SymPy expression, got {kind}",
                "sp.solve returns a list of solutions: pick one (e.g. [0])"
                if kind in ("list", "tuple", "dict")
                else "build the answer with SymPy (sp.Symbol, sp.exp, sp.diff, ...), not a float",
            )
        extra = sorted(set(data.get("free") or []) - set(self.symbols))
        if extra:
            allowed = ", ".join(self.symbols) or "no symbols (a constant)"
            return self.result(
                FAIL, f"your expression contains {', '.join(map(str, extra))}; allowed: {allowed}", self.hint
            )
        got_values = data.get("values") or []
        if len(got_values) != len(self.at):
            return self.result(FAIL, "malformed answer record", "")
        with mpmath.workdps(self.digits + 10):
            got, want = [], []
            for point, raw in zip(self.at, got_values):
                try:
                    g = mpmath.mpf(str(raw)[:200])  # untrusted: bounded before parsing
                except (ValueError, TypeError):
                    return self.result(
                        FAIL, f"at {_point(point)} your expression is not a real number ({text(raw)[:60]})", self.hint
                    )
                got.append(g)
                want.append(
                    self._memo(
                        ("expected", tuple(sorted(point.items())), self.digits),
                        lambda: self.expected({k: mpmath.mpf(mpmath.fraction(*_pq(v))) for k, v in point.items()}),
                    )
                )
            tol = mpmath.mpf(10) ** (-(self.digits - 5))
            bad = [k for k, (g, w) in enumerate(zip(got, want)) if not abs(g - w) <= tol * max(1, abs(w))]
            float_msg = (
                "right value, but your expression contains floating-point numbers",
                "keep it exact: sp.Rational(1, 2) instead of 0.5, sp.exp(-1) instead of 0.3678...",
            )
            if bad:
                k = bad[0]
                loose = mpmath.mpf(10) ** -10
                if data.get("has_float") and all(abs(g - w) <= loose * max(1, abs(w)) for g, w in zip(got, want)):
                    return self.result(FAIL, *float_msg)
                for predicate, hint in self.near_misses:
                    if predicate(got, want):
                        return self.result(FAIL, f"wrong value at {_point(self.at[k])}", hint)
                if all(abs(g + w) <= tol * max(1, abs(w)) for g, w in zip(got, want)):
                    return self.result(FAIL, f"wrong value at {_point(self.at[k])}", "off by a sign")
                return self.result(FAIL, f"wrong value at {_point(self.at[k])}", self.hint)
            if self.exact and data.get("has_float"):
                return self.result(FAIL, *float_msg)
        return self.result(PASS)


def probe_expression(expr, at, digits=30):
    """A SymPy answer evaluated at the exact points ``at``, as strings (runs untrusted)."""
    if _missing(expr):
        return {"attempted": False}
    import sympy as sp

    if not isinstance(expr, sp.Basic):
        return {"attempted": True, "sympy": False, "type": text(type(expr).__name__)}
    values = []
    for point in at:
        subs = {s: sp.Rational(point[s.name]) for s in expr.free_symbols if s.name in point}
        try:
            values.append(text(sp.N(expr.subs(subs), digits)))
        except Exception as exc:
            values.append(f"error: {text(type(exc).__name__)}")
    return {
        "attempted": True,
        "sympy": True,
        "free": sorted(text(s.name) for s in expr.free_symbols)[:10],
        "has_float": bool(expr.atoms(sp.Float)),
        "values": values,
    }


def _pq(v: str):
    p, _, q = str(v).partition("/")
    return int(p), int(q or 1)


def _point(point: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in point.items()) or "the constant"


# --- multiple choice ---------------------------------------------------------------


@dataclass
class ChoiceQuestion(Question):
    """Pick one option (a letter) and give a short reason; the right letter is stored hashed."""

    options: dict = None
    answer_hash: str = ""
    min_reason_words: int = 3
    #: the reason is checked by content: each ``(regex, nudge)`` must match it (case-insensitive);
    #: the nudge says what the reason should address, never what it should say
    reason_concepts: tuple = ()

    def probe(self, choice=None, reason=None, *, full=False, student=""):
        return probe_choice(choice, reason)

    def request(self, full=True, student="") -> dict:
        return {"kind": "choice", "names": list(self.names)}

    def judge(self, data, *, full=False, student="") -> Result:
        import re

        if not isinstance(data, dict) or not data.get("attempted"):
            return self.result(NOT_ATTEMPTED)
        letter = text(data.get("choice")).strip().lower()
        letter = re.sub(r"^(option|answer)\s*", "", letter).strip().strip("().:").strip()
        if letter not in self.options:
            return self.result(
                FAIL,
                f"{text(data.get('choice'))[:20]!r} is not one of the options {', '.join(self.options)}",
                'answer with the letter of one option, e.g. "a"',
            )
        if choice_hash(self.exercise, self.qid, letter) != self.answer_hash:
            return self.result(FAIL, f"({letter}) is not the best choice", self.hint)
        reason = text(data.get("reason"))
        n_words = len(reason.split())
        if n_words < self.min_reason_words:
            return self.result(
                FAIL,
                f"({letter}) is right, but the reason is " + ("missing" if n_words == 0 else "too short"),
                f"write a short reason (at least {self.min_reason_words} words) in {self.names[1]}",
            )
        for pattern, nudge in self.reason_concepts:
            if not re.search(pattern, reason, flags=re.IGNORECASE):
                return self.result(FAIL, f"({letter}) is right, but the reason does not yet explain why", nudge)
        return self.result(PASS)


def probe_choice(choice=None, reason=None):
    """A letter and a reason as plain text (runs untrusted)."""
    if _missing(choice) or (isinstance(choice, str) and not choice.strip()):
        return {"attempted": False}
    return {"attempted": True, "choice": text(choice)[:40], "reason": text(reason if not _missing(reason) else "")}


_MISSING_NAME = object()


def probe_request(request: dict, namespace: dict) -> dict:
    """Probe ONE question described by ``request`` (from ``Question.request``) with the answers in
    ``namespace``; this is all the sandboxed side runs, and it needs no question bank."""
    names = list(request.get("names") or [])
    values = [namespace.get(n, _MISSING_NAME) for n in names]
    if not values or values[0] is _MISSING_NAME:
        return {"status": "missing", "name": names[0] if names else ""}
    values = [None if v is _MISSING_NAME else v for v in values]
    kind = request.get("kind")
    if kind == "function":
        calls = [
            (tuple(decode(a) for a in c["args"]), {k: decode(v) for k, v in c["kwargs"].items()})
            for c in request["calls"]
        ]
        data = probe_function(values[0], calls)
    elif kind == "expression":
        data = probe_expression(values[0], request["at"], int(request.get("digits", 30)))
    elif kind == "choice":
        data = probe_choice(*values[:2])
    elif kind == "interval":
        data = probe_interval(values[0])
    else:
        data = probe_number(values[0])
    return {"status": "ok", "data": data}


_DEFAULT_KIND = {
    "FunctionQuestion": "kernel",
    "NumberQuestion": "derivation",
    "ExpressionQuestion": "derivation",
    "ChoiceQuestion": "concept",
    "IntervalQuestion": "experiment",
}
