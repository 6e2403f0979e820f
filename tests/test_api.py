"""The public contract: dtypes, shapes, input safety, errors, signatures, warnings.

Floating-point state: every kernel runs under its own ``np.errstate(all="ignore")``
(overflow to inf, underflow to 0 and inf * 0 at ±inf are intended and replaced by
the limits), so results and the absence of exceptions do not depend on the caller's
``np.errstate``, even ``all="raise"``.  pytest runs with ``filterwarnings = error``,
so any RuntimeWarning fails these tests.
"""

import inspect
import math

import numpy as np
import pytest

import activations as act
from activations import definitions, reference
from activations.spec import SPECS

NAMES = act.names()
EXTREMES = np.array(
    [-np.inf, -1.7e308, -1e6, -1000.0, -710.0, -37.0, -20.0, -3.0, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1e-300,
     1.0, 3.0, 20.0, 37.0, 710.0, 1000.0, 1e6, 1.7e308, np.inf, np.nan]
)  # fmt: skip
PARAM_CASES = [(n, {}) for n in NAMES] + list(reference.EXTRA_PARAMS) + [("swish", {"beta": 0.0})]
PIDS = [n + "".join(f"-{k}={v}" for k, v in p.items()) for n, p in PARAM_CASES]


def both(a):
    return [(a.name, a), (f"{a.name}.grad", a.grad)]


# --- dtypes and shapes -------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_dtypes_and_shapes(name):
    a = act.get(name)
    for label, f in both(a):
        for dt in (np.float32, np.float64, np.float16):
            out = f(np.linspace(-3, 3, 7, dtype=dt).reshape(7, 1))
            assert out.dtype == dt and out.shape == (7, 1), (label, dt)
        for given in ([1, 2, 3], (1.0, -2.0), np.arange(4), np.array([True, False]), np.arange(3, dtype=np.uint8)):
            out = f(given)
            assert out.dtype == np.float64 and out.shape == np.shape(given), (label, given)
        for scalar in (0.5, 2, np.float64(0.5), np.array(0.5)):
            out = f(scalar)
            assert isinstance(out, np.ndarray) and out.ndim == 0 and out.dtype == np.float64, (label, scalar)
        out = f(np.float32(0.5))
        assert out.ndim == 0 and out.dtype == np.float32
        assert f(np.empty((0, 3))).shape == (0, 3)


@pytest.mark.parametrize("name", NAMES)
def test_float32_result_is_the_float64_result_rounded(name):
    a = act.get(name)
    x32 = np.linspace(-8, 8, 101, dtype=np.float32)
    for _, f in both(a):
        assert np.array_equal(f(x32), f(x32.astype(np.float64)).astype(np.float32))


@pytest.mark.parametrize("name", NAMES)
def test_inputs_never_modified_and_never_aliased(name):
    a = act.get(name)
    for _, f in both(a):
        for dt in (np.float64, np.float32):
            x = np.linspace(-5, 5, 11).astype(dt)
            keep = x.copy()
            out = f(x)
            assert np.array_equal(x, keep)
            assert not np.shares_memory(out, x)
            out[...] = 123  # writing into the result must not touch the input
            assert np.array_equal(x, keep)
        lst = [-1.0, 0.0, 2.0]
        f(lst)
        assert lst == [-1.0, 0.0, 2.0]


@pytest.mark.parametrize("name", NAMES)
def test_nan_in_nan_out(name):
    a = act.get(name)
    for label, f in both(a):
        out = f(np.array([np.nan, 1.0, np.nan]))
        assert np.isnan(out[0]) and np.isnan(out[2]) and not np.isnan(out[1]), label
        assert np.isnan(f(np.float32(np.nan))), label


# --- errors -------------------------------------------------------------------------------------

BAD_INPUTS = [
    1 + 2j,
    np.complex128(1j),
    np.array([1 + 1j, 2]),
    "1.0",
    b"1",
    ["a", "b"],
    None,
    [1.0, None],
    [[1.0, 2.0], [3.0]],
    np.array([object(), 1], dtype=object),
    {"x": 1},
    np.array(["2020-01-01"], dtype="datetime64[D]"),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[type(b).__name__ + str(i) for i, b in enumerate(BAD_INPUTS)])
def test_bad_inputs_raise_typeerror_naming_the_function(name, bad):
    a = act.get(name)
    for label, f in [*both(a), (name, getattr(act, name))]:
        with pytest.raises(TypeError, match=label.replace(".", r"\.")):
            f(bad)


INVALID_PARAMS = [
    ("softplus", {"beta": 0.0}),
    ("softplus", {"beta": -1.0}),
    ("softplus", {"beta": math.inf}),
    ("softplus", {"threshold": math.nan}),
    ("elu", {"alpha": math.inf}),
    ("elu", {"alpha": math.nan}),
    ("celu", {"alpha": 0.0}),
    ("celu", {"alpha": -math.inf}),
    ("leaky_relu", {"negative_slope": math.nan}),
    ("prelu", {"alpha": -math.inf}),
    ("swish", {"beta": -1.0}),
    ("swish", {"beta": math.nan}),
]


@pytest.mark.parametrize(("name", "params"), INVALID_PARAMS, ids=[f"{n}-{p}" for n, p in INVALID_PARAMS])
def test_invalid_parameter_values_raise_valueerror(name, params):
    with pytest.raises(ValueError, match=name):
        act.get(name, **params)
    with pytest.raises(ValueError, match=name):
        getattr(act, name)(1.0, **params)


@pytest.mark.parametrize(
    ("name", "params"),
    [("elu", {"alpha": "1"}), ("elu", {"alpha": None}), ("swish", {"beta": 1j}), ("elu", {"alpha": True})],
)
def test_non_numeric_parameters_raise_typeerror(name, params):
    with pytest.raises(TypeError, match=name):
        act.get(name, **params)


def test_unknown_parameter_is_a_typeerror():
    with pytest.raises(TypeError, match="relu"):
        act.get("relu", alpha=1.0)
    with pytest.raises(TypeError, match="elu"):
        act.elu(1.0, beta=2.0)


def test_unknown_name_keyerror_lists_valid_names():
    with pytest.raises(KeyError) as info:
        act.get("relu7")
    msg = str(info.value)
    assert "relu7" in msg
    assert all(n in msg for n in NAMES)
    with pytest.raises(TypeError):
        act.get(3)


# --- module-level functions ---------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_module_level_function_signature_and_agreement(name):
    f = getattr(act, name)
    sig = inspect.signature(f)
    params = list(sig.parameters.values())
    assert params[0].name == "x"
    defaults = definitions.DEFAULTS.get(name, {})
    assert {p.name: p.default for p in params[1:]} == defaults
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:])
    assert f.__name__ == name and f.__doc__
    xs = np.linspace(-4, 4, 9)
    assert np.array_equal(f(xs), act.get(name)(xs), equal_nan=True)
    assert name in act.__all__


def test_registry_contents():
    assert NAMES == sorted(definitions.DEFINITIONS) == sorted(SPECS)
    assert set(NAMES) <= set(act.__all__) and set(act.gated_names()) <= set(act.__all__)
    a = act.get("elu", alpha=2)
    assert a.params == {"alpha": 2.0} and isinstance(a.params["alpha"], float)
    assert a == act.get("elu", alpha=2.0) and hash(a) == hash(act.get("elu", alpha=2.0))
    assert "alpha=2.0" in repr(a)


# --- no warnings, whatever the caller's errstate ---------------------------------------------------


@pytest.mark.parametrize(("name", "params"), PARAM_CASES, ids=PIDS)
def test_no_warnings_and_same_results_under_errstate_raise(name, params):
    a = act.get(name, **params)
    with np.errstate(over="ignore"):
        x32 = EXTREMES.astype(np.float32)  # ±1.7e308 -> ±inf (our own cast, not the library's)
    x32 = np.concatenate([x32, [np.finfo(np.float32).max, np.finfo(np.float32).min]]).astype(np.float32)
    for _, f in both(a):
        quiet = f(EXTREMES)  # filterwarnings=error: any RuntimeWarning fails here
        with np.errstate(all="raise"):
            loud = f(EXTREMES)
            f32 = f(x32)  # selu(float32 max) overflows when cast back: inf, silently
        assert np.array_equal(quiet, loud, equal_nan=True)
        assert f32.dtype == np.float32
        assert not np.isnan(quiet[:-1]).any(), f"NaN for a non-NaN input: {quiet}"
        assert np.isnan(quiet[-1])
