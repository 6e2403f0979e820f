"""Symbolic proofs that the kernels' rearranged formulas are the SymPy definitions.

Each kernel in ``activations.kernels`` evaluates a rearrangement of the textbook
formula (no overflow, no cancellation).  Here each rearrangement is written as a
SymPy expression, proved equal to ``expr`` / ``dexpr`` (per sign of x where the
kernel branches on it), and then tied to the code: the same SymPy form, lambdified
with NumPy, agrees with the kernel to a few ULPs at moderate x.
"""

import math

import numpy as np
import pytest
import sympy as sp
from sympy.codegen.cfunctions import log1p

import activations as act
from activations import definitions, kernels, symbolic
from activations import reference as ref
from activations.spec import SPECS

x = act.x
p = sp.Symbol("p", positive=True)  # x = p or x = -p: the kernels' two sign branches
E = sp.Symbol("E", positive=True)  # a stand-in for exp(...) > 0


def _zero(expr) -> bool:
    """True iff SymPy proves ``expr`` == 0 (after rewriting tanh/cosh/erfc in exp/erf)."""
    expr = expr.rewrite(sp.exp).rewrite(sp.erf)
    if expr.has(sp.Float):  # the same float parameter on both sides: exact rationals instead
        expr = sp.nsimplify(expr, rational=True)
    return sp.simplify(expr) == 0 or sp.simplify(sp.expand(expr)) == 0


def sigma(z):
    return 1 / (1 + sp.exp(-z))


def _on(name, form, kernel, xs=(-30.0, -3.7, -0.6, -1e-3, 0.2, 1.5, 4.0, 25.0), **params):
    """The SymPy ``form`` (in x), computed in float64, agrees with ``kernel`` at ``xs``.

    This ties the proved form to the code; the tolerance (1e-12 relative) only absorbs
    a different order of roundings; a wrong formula is off by far more.  Accuracy
    itself is measured in tests/test_accuracy.py.
    """
    f = sp.lambdify(x, form, modules="numpy")
    xs = np.array(xs)
    with np.errstate(over="ignore", invalid="ignore"):  # naive exp overflow: checked where finite
        want = np.array([float(f(v)) for v in xs])
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):  # as core._apply runs kernels
        got = kernel(xs, **params)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, err_msg=name)


# --- the definitions' own contract ---------------------------------------------------------


@pytest.mark.parametrize("name", act.names())
def test_dexpr_is_the_derivative_of_expr(name):
    a = act.get(name)
    d = a.dexpr - sp.diff(a.expr, x)
    if d.has(sp.Heaviside):  # equal away from 0; at the kink the convention decides (below)
        q = sp.Symbol("q", positive=True)
        assert all(_zero(sp.piecewise_fold(d.subs(x, s * q))) for s in (1, -1))
    else:
        assert _zero(sp.piecewise_fold(d))


# --- sigmoid and tanh ------------------------------------------------------------------------


def test_sigmoid_two_branches():
    f = act.get("sigmoid").expr
    e = sp.exp(-p)  # exp(-|x|)
    assert _zero(f.subs(x, p) - 1 / (1 + e))
    assert _zero(f.subs(x, -p) - e / (1 + e))
    _on("sigmoid", sp.Piecewise((1 / (1 + sp.exp(-x)), x >= 0), (sp.exp(x) / (1 + sp.exp(x)), True)), kernels.sigmoid)


def test_sigmoid_derivative_form():
    d = act.get("sigmoid").dexpr
    e = sp.exp(-p)
    for s in (1, -1):
        assert _zero(d.subs(x, s * p) - e / (1 + e) ** 2)
    assert _zero(d - sigma(x) * sigma(-x))  # σ' = σ(x)σ(-x), not σ(1 - σ) numerically
    _on("sigmoid'", sp.exp(-sp.Abs(x)) / (1 + sp.exp(-sp.Abs(x))) ** 2, kernels.sigmoid_grad)


def test_tanh_derivative_form():
    d = act.get("tanh").dexpr
    e = sp.exp(-2 * p)  # exp(-2|x|)
    for s in (1, -1):
        assert _zero(d.subs(x, s * p) - 4 * e / (1 + e) ** 2)
    ea = sp.exp(-2 * sp.Abs(x))
    _on("tanh'", 4 * ea / (1 + ea) ** 2, kernels.tanh_grad)


def test_tanh_is_two_sigmoid_minus_one():
    assert _zero(act.get("tanh").expr - (2 * sigma(2 * x) - 1))


# --- GELU ------------------------------------------------------------------------------------


def test_gelu_through_erfc():
    a = act.get("gelu")
    Phi = sp.erfc(-x / sp.sqrt(2)) / 2  # scipy's ndtr uses erfc in the lower tail
    phi = sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)
    assert _zero(a.expr - x * Phi)
    assert _zero(a.dexpr - (Phi + x * phi))
    # (Φ is scipy.special.ndtr in the kernel; SymPy's own float evaluation of erfc(-y)
    # turns it into 2 - erfc(y) and cancels, so there is no float comparison here.)


def test_gelu_taylor_table_coefficients():
    """The kernel's table on [-8, 0]: φ^(m) = (-1)^m He_m φ and, for g = Φ + xφ = GELU',
    g^(k) = (1 + k) φ^(k-1) + x φ^(k)  (k >= 1); Φ^(k) = φ^(k-1)."""
    phi = sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)
    Phi = sp.erfc(-x / sp.sqrt(2)) / 2
    g = act.get("gelu").dexpr
    for m in range(6):
        assert _zero(sp.diff(phi, x, m) - (-1) ** m * sp.hermite_prob(m, x) * phi)
    for k in range(1, 6):
        assert _zero(sp.diff(Phi, x, k) - sp.diff(phi, x, k - 1))
        assert _zero(sp.diff(g, x, k) - ((1 + k) * sp.diff(phi, x, k - 1) + x * sp.diff(phi, x, k)))
    t = kernels._gelu_tables()
    assert t[0][0] == 0.5 and t[1][0] == 0.0 and t[3][0] == 0.5  # Φ(0) = g(0) = 1/2
    assert float(kernels.ndtr(np.array(-1.0))) == pytest.approx(float(Phi.subs(x, -1)), rel=1e-15)


def test_gelu_taylor_table_truncation():
    """The first Taylor term the kernel omits, at |h| = half a node step, is below
    0.05 ULP per unit of condition number at every node on [-8, 0], for Φ (GELU = xΦ,
    condition max(1, |1 + xφ/Φ|)) and for g = Φ + xφ (condition max(1, |x g'/g|),
    g' = (2 - x^2) φ); computed here with mpmath, independently of the table."""
    import mpmath

    k = kernels._TAYLOR_TERMS + 1
    h = mpmath.mpf(1) / (2 * kernels._TABLE_STEP)
    n = int(-kernels._TABLE_MIN * kernels._TABLE_STEP)
    worst = 0.0
    with mpmath.workdps(30):
        for i in range(0, n + 1, 8):
            x0 = mpmath.mpf(-i) / kernels._TABLE_STEP
            he = [mpmath.mpf(1), x0]
            for m in range(1, k + 1):
                he.append(x0 * he[m] - m * he[m - 1])
            pdf, cdf = mpmath.npdf(x0), mpmath.ncdf(x0)
            g = cdf + x0 * pdf
            dphi = [(-1) ** m * he[m] * pdf for m in range(k + 1)]
            fact = mpmath.factorial(k)
            t_phi = abs(dphi[k - 1] / fact) * h**k
            t_g = abs(((1 + k) * dphi[k - 1] + x0 * dphi[k]) / fact) * h**k
            cond_phi = max(1, abs(1 + x0 * pdf / cdf))
            cond_g = max(1, abs(x0 * (2 - x0**2) * pdf / g))
            ulp = mpmath.mpf(2) ** -52  # one ULP relative, at most
            worst = max(worst, float(t_phi / cdf / ulp / cond_phi), float(t_g / abs(g) / ulp / cond_g))
    assert worst < 0.05


def test_gelu_tanh_as_x_sigma_2u():
    a = act.get("gelu_tanh")
    c = definitions.GELU_TANH_C
    u = sp.sqrt(2 / sp.pi) * x * (1 + c * x**2)  # = sqrt(2/pi)(x + c x^3), no cancellation
    du = sp.sqrt(2 / sp.pi) * (1 + 3 * c * x**2)
    assert _zero(a.expr - x * sigma(2 * u))
    assert _zero(a.dexpr - sigma(2 * u) * (1 + x * 2 * du * sigma(-2 * u)))
    # the kernel's z = 2u = A x + B x^3 (in double-double), A = 2 sqrt(2/pi), B = A c
    A = 2 * sp.sqrt(2 / sp.pi)
    assert _zero(2 * u - (A * x + A * c * x**3))
    for exact, hi, lo in [(A, kernels._A_HI, kernels._A_LO), (A * c, kernels._B_HI, kernels._B_LO)]:
        assert float(exact) == hi
        assert abs(sp.N(exact - sp.Float(hi, 60) - sp.Float(lo, 60), 40)) < 1e-32 * hi
    # the kernel's derivative: w = x z' = A x + 3 B x^3, e = exp(-|z|)
    w = A * x + 3 * A * c * x**3
    assert _zero(w - x * 2 * du)
    z = 2 * u
    neg_form = sp.exp(z) * (1 + sp.exp(z) + w) / (1 + sp.exp(z)) ** 2  # z <= 0
    pos_form = (1 + sp.exp(-z) + w * sp.exp(-z)) / (1 + sp.exp(-z)) ** 2  # z > 0
    assert _zero(a.dexpr - neg_form) and _zero(a.dexpr - pos_form)
    _on("gelu_tanh", x * sigma(z), kernels.gelu_tanh)
    grad_form = sp.Piecewise((neg_form, x <= 0), (pos_form, True))
    _on("gelu_tanh'", grad_form, kernels.gelu_tanh_grad, xs=(-3.7, -0.6, 0.2, 4.0))


# --- swish family and softplus ------------------------------------------------------------------


@pytest.mark.parametrize("beta", [1.0, 0.5, 2.0])
def test_swish_derivative_form(beta):
    a = act.get("swish", beta=beta)
    z = sp.Float(beta) * x
    assert _zero(a.expr - x * sigma(z))
    assert _zero(a.dexpr - sigma(z) * (1 + z * sigma(-z)))  # no 1 - σ anywhere
    _on("swish'", sigma(z) * (1 + z * sigma(-z)), kernels.swish_grad, beta=beta)


def test_silu_is_swish_one():
    assert act.get("silu").expr == act.get("swish", beta=1.0).expr


@pytest.mark.parametrize("beta", [1.0, 2.0, 0.5])
def test_softplus_max_log1p_form(beta):
    a = act.get("softplus", beta=beta)
    b = sp.Float(beta)
    form = sp.Max(x, 0) + log1p(sp.exp(-sp.Abs(b * x))) / b  # as in the kernel
    for s in (1, -1):
        diff = a.expr.subs(x, s * p) - form.rewrite(sp.log).subs(x, s * p)
        # log is injective: exp(b * diff) == 1 proves diff == 0.
        assert _zero(diff) or _zero(sp.exp(sp.expand(b * diff)) - 1)
    assert _zero(a.dexpr - sigma(b * x))
    _on("softplus", form, kernels.softplus, beta=beta)


def test_softplus_threshold_is_the_identity_branch():
    a = act.get("softplus", beta=2.0, threshold=20.0)
    assert a.expr.subs(x, 10.5) == 10.5
    assert a.dexpr.subs(x, 10.5) == 1
    assert kernels.softplus(np.array([10.5]), beta=2.0, threshold=20.0)[0] == 10.5


# --- mish ----------------------------------------------------------------------------------------


def test_mish_tanh_softplus_rearrangements():
    # tanh(log(1 + E)) with E = e^x, and with t = e^-x = 1/E
    th = sp.tanh(sp.log(1 + E)).rewrite(sp.exp)
    assert sp.simplify(th - E * (E + 2) / (E * (E + 2) + 2)) == 0
    t = sp.Symbol("t", positive=True)
    assert sp.simplify(th.subs(E, 1 / t) - (1 + 2 * t) / (1 + 2 * t + 2 * t**2)) == 0
    # sech(log y) = 2 / (y + 1/y); for x > 0, y = (1 + t)/t gives 2t(1+t)/((1+t)^2 + t^2)
    y = sp.Symbol("y", positive=True)
    assert sp.simplify(sp.sech(sp.log(y)).rewrite(sp.exp) - 2 / (y + 1 / y)) == 0
    assert sp.simplify((2 / (y + 1 / y)).subs(y, (1 + t) / t) - 2 * t * (1 + t) / ((1 + t) ** 2 + t**2)) == 0


def test_mish_value_and_derivative_forms():
    a = act.get("mish")
    e = sp.exp(x)
    n2 = e * (e + 2) + 2
    th = e * (e + 2) / n2
    assert _zero(a.expr - x * th)
    sech = 2 / ((1 + e) + 1 / (1 + e))
    assert _zero(a.dexpr - (th + x * sech**2 * sigma(x)))
    # the kernel's x <= 0 form: the cancelling part of the sum collected in 4(1 + x)
    b = 4 * (1 + x) + e * ((4 * x + 6) + e * (4 + e))
    assert _zero(a.dexpr - e * b / n2**2)
    tt = sp.exp(-x)
    th_pos = (1 + 2 * tt) / (1 + 2 * tt + 2 * tt**2)
    _on("mish", x * sp.Piecewise((th_pos, x > 0), (th, True)), kernels.mish)
    sech_pos = 2 * tt * (1 + tt) / ((1 + tt) ** 2 + tt**2)
    form = sp.Piecewise((th_pos + x * sech_pos**2 * sigma(x), x > 0), (e * b / n2**2, True))
    _on("mish'", form, kernels.mish_grad)


# --- piecewise families ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "neg_value", "neg_slope"),
    [
        ("elu", {"alpha": 1.0}, sp.exp(-p) - 1, sp.exp(-p)),
        ("elu", {"alpha": 2.0}, 2 * (sp.exp(-p) - 1), 2 * sp.exp(-p)),
        ("celu", {"alpha": 2.0}, 2 * (sp.exp(-p / 2) - 1), sp.exp(-p / 2)),
        (
            "selu",
            {},
            definitions.SELU_LAMBDA * definitions.SELU_ALPHA * (sp.exp(-p) - 1),
            definitions.SELU_LAMBDA * definitions.SELU_ALPHA * sp.exp(-p),
        ),
        ("leaky_relu", {"negative_slope": 0.1}, sp.Float(0.1) * -p, sp.Float(0.1)),
    ],
)
def test_exponential_and_linear_branches(name, params, neg_value, neg_slope):
    """x < 0 branch: α·expm1(x) (expm1 avoids the cancellation of e^x - 1 near 0)."""
    a = act.get(name, **params)
    assert _zero(a.expr.subs(x, -p) - neg_value)
    assert _zero(a.dexpr.subs(x, -p) - neg_slope)
    pos = definitions.SELU_LAMBDA if name == "selu" else 1
    assert _zero(a.dexpr.subs(x, p) - pos)


def test_softsign_derivative_form():
    d = act.get("softsign").dexpr
    for s in (1, -1):
        assert _zero(d.subs(x, s * p) - 1 / (1 + p) ** 2)
    _on("softsign'", 1 / (1 + sp.Abs(x)) ** 2, kernels.softsign_grad)


def test_hard_swish_middle_branch():
    d = act.get("hard_swish").dexpr
    assert _zero(d.subs(x, sp.Rational(1, 7)) - (sp.Rational(1, 7) / 3 + sp.Rational(1, 2)))


# --- activations whose row carries its kernels' forms ------------------------------------------

#: Proved by hand above; every activation added later brings its forms in its spec row.
HAND_PROVED = {
    "linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "celu", "selu", "gelu",
    "gelu_tanh", "silu", "swish", "softplus", "mish", "softsign", "hard_sigmoid", "hard_tanh", "hard_swish",
}  # fmt: skip
FORM_CASES = [(n, {}) for n in act.names() if n not in HAND_PROVED]
FORM_CASES += [(n, p) for n, p in ref.EXTRA_PARAMS if n not in HAND_PROVED]


def test_every_activation_has_a_proof():
    missing = [n for n in act.names() if n not in HAND_PROVED and SPECS[n].forms is None]
    assert not missing, f"no kernel forms in the spec rows of {missing} (see activations.spec.Elementwise.forms)"


@pytest.mark.parametrize(("name", "params"), FORM_CASES, ids=[n + str(p) for n, p in FORM_CASES])
def test_kernel_forms_of_the_spec_row(name, params):
    a = act.get(name, **params)
    row = SPECS[name]
    forms = row.forms(**a.params)
    for kind, target, kernel in (("value", a.expr, row.value), ("grad", a.dexpr, row.grad)):
        form = forms[kind]
        for s in (1, -1):  # per sign branch of the kernel (the Piecewise picks it for x = ±p)
            assert _zero(form.subs(x, s * p) - target.subs(x, s * p)), f"{name} {kind} for x {'>' if s > 0 else '<'} 0"
        _on(f"{name} {kind}", form, kernel, **a.params)


# --- kinks: one derivative convention (PyTorch's), obeyed by the definitions and the kernels ---------


def test_relu_derivative_is_heaviside_with_zero_at_zero():
    d = act.get("relu").dexpr
    assert d == sp.Heaviside(x, 0)
    assert d.subs(x, 0) == 0  # not SymPy's default Heaviside(0) = 1/2
    assert act.get("relu").grad(0.0) == 0.0 and act.get("relu").grad(-0.0) == 0.0
    # the same function written two ways has one derivative at the kink
    assert act.get("leaky_relu", negative_slope=0.0).dexpr.subs(x, 0) == d.subs(x, 0)
    assert act.get("prelu", alpha=0.0).dexpr.subs(x, 0) == d.subs(x, 0)


def test_softsign_derivative_is_printed_simplified():
    assert act.get("softsign").dexpr == 1 / (1 + sp.Abs(x)) ** 2


# Every kink read off the SymPy definitions (symbolic.kinks), with the defaults and the
# parameters the accuracy tests use: dexpr there is exactly the kernel's derivative.
KINKS = [(n, p, symbolic.kinks(n, **p)) for n, p in [(n, {}) for n in act.names()] + list(ref.EXTRA_PARAMS)]
KINKS += [("leaky_relu", {"negative_slope": 0.0}, [0.0]), ("elu", {"alpha": 2.0}, [0.0])]
KINKS = [k for k in KINKS if k[2]]


def test_kink_list_covers_every_piecewise_activation():
    names = {n for n, _, _ in KINKS}
    assert {"relu", "relu6", "leaky_relu", "prelu", "elu", "celu", "selu", "hard_tanh", "hard_sigmoid"} <= names
    assert {"hard_swish", "relu_squared", "softsign", "softplus"} <= names
    assert ref.CONVENTION_POINTS == {}  # nothing is exempt


@pytest.mark.parametrize(("name", "params", "kinks"), KINKS, ids=[k[0] + str(k[1]) for k in KINKS])
def test_dexpr_at_every_kink_equals_the_kernel(name, params, kinks):
    a = act.get(name, **params)
    for k in kinks:
        sym = a.dexpr.subs(x, sp.nsimplify(k))
        assert sym.is_number, f"{name}'({k}) = {sym} is not a number"
        # the two sides of a kink differ by far more than the 1e-15 allowed here
        assert float(sym) == pytest.approx(float(a.grad(float(k))), rel=1e-15, abs=1e-300), f"{name}'({k})"
        assert float(a.expr.subs(x, k)) == pytest.approx(float(a(float(k))), rel=1e-15), f"{name}({k})"


def test_reglu_gate_partial_at_its_kink():
    _, db = definitions.gated_partials("reglu")
    g = act.get_gated("reglu")
    assert db.subs({x: 0}).subs(sp.Symbol("b", real=True), 0) == 0
    assert float(g.partials(np.array([1.5]), np.array([0.0]))[1][0]) == 0.0


# --- limits at ±oo against the kernels at ±inf ----------------------------------------------------------

CONFIGS = [(n, {}) for n in act.names()] + [(n, p) for n, p in ref.EXTRA_PARAMS] + [("swish", {"beta": 0.0})]


@pytest.mark.parametrize(("name", "params"), CONFIGS, ids=[n + str(sorted(p.items())) for n, p in CONFIGS])
def test_limits_at_infinity_match_kernels(name, params):
    a = act.get(name, **params)
    for derivative in (False, True):
        f = a.grad if derivative else a
        for sign in (-1, 1):
            lim = ref.limit(name, sign, derivative=derivative, **params)
            got = float(f(sign * math.inf))
            want = float(sp.sign(lim)) * math.inf if lim.is_infinite else float(lim)
            assert got == want, f"{name}{params} {'derivative ' if derivative else ''}at {sign}inf: {got} vs {lim}"


def test_named_limits():
    inf = math.inf
    assert act.gelu(-inf) == 0 and act.silu(-inf) == 0 and act.mish(-inf) == 0
    assert act.get("sigmoid").grad(inf) == 0 and act.get("sigmoid").grad(-inf) == 0
    assert act.softsign(-inf) == -1 and act.get("tanh").grad(inf) == 0
