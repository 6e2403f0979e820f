"""Gated units (GLU family): the registry slot for two-input activations.

h(a, b) = a g(b) with value input a and gate input b; the functional form splits an axis
in two halves as ``torch.nn.functional.glu``.  Proved against the SymPy definition,
measured against mpmath, and trained through ``nn.Gated`` with a gradient check.
"""

import mpmath
import numpy as np
import pytest
import sympy as sp

import activations as act
from activations import definitions, nn
from activations import reference as ref
from activations.spec import GATED

a_, b_ = definitions.a, definitions.b


def _zero(expr) -> bool:
    return sp.simplify(expr.rewrite(sp.exp)) == 0


@pytest.mark.parametrize("name", act.gated_names())
def test_definition_is_value_times_gate(name):
    g = act.get_gated(name)
    gate = act.get(GATED[name].gate)
    assert _zero(g.expr - a_ * gate.expr.subs(act.x, b_))


@pytest.mark.parametrize("name", act.gated_names())
def test_partials_are_sympy_diff_and_the_kernel_forms(name):
    """∂h/∂a = g(b) and ∂h/∂b = a g'(b): the forms the kernels evaluate."""
    g = act.get_gated(name)
    gate = act.get(GATED[name].gate)
    da, db = g.partial_exprs
    # (the kink convention: Heaviside(0) = 0, as relu'(0) in activations.definitions)
    convention = {sp.Heaviside(b_): sp.Heaviside(b_, 0)}
    assert _zero(da - sp.diff(g.expr, a_)) and _zero(db - sp.diff(g.expr, b_).subs(convention))
    assert _zero(da - gate.expr.subs(act.x, b_))
    assert _zero(db - a_ * gate.dexpr.subs(act.x, b_))


@pytest.mark.parametrize("name", act.gated_names())
def test_kernels_against_mpmath_within_the_bar(name):
    """Value and partials at every gate point of the reference grid times a few values a:
    the exact result is a (exact) times the gate's mpmath reference; the kernel's error,
    in ULPs of that, stays within the course's bar (h and ∂h/∂a have the condition number
    of g in b, ∂h/∂b that of g'; the product adds one rounding)."""
    g = act.get_gated(name)
    gate = GATED[name].gate
    bs = ref.grid(gate, n_dense=200, n_tail=20)
    avals = np.array([-3.5, -1e-3, 0.7, 123.0])
    A, B = np.meshgrid(avals, bs, indexing="ij")
    value = g(np.concatenate([A, B], axis=-1))
    da, db = g.partials(A, B)
    exact_g = ref.exact(gate, bs)
    exact_d = ref.exact(gate, bs, derivative=True)
    worst = 0.0
    for i, av in enumerate(avals):
        for j in range(bs.size):
            want = [mpmath.mpf(av) * exact_g[j], exact_g[j], mpmath.mpf(av) * exact_d[j]]
            got = [value[i, j], da[i, j], db[i, j]]
            if bs[j] in ref.CONVENTION_POINTS.get(gate, ()):  # (empty: the definitions follow the kernels at kinks)
                want, got = want[:2], got[:2]
            for k, (c, w) in enumerate(zip(got, want)):
                if w != 0 and abs(w) > ref.TINY:  # ∂h/∂b = a g'(b) has the condition number of g'
                    cond = ref.condition_number(gate, bs[j], derivative=k == 2)
                    err = ref.ulp_error(c, w) / max(1.0, cond)
                else:
                    err = ref.BAR * abs(float(c) - float(w)) / ref.ABS_TOL
                worst = max(worst, err)
    assert worst <= ref.BAR, worst


@pytest.mark.parametrize("name", act.gated_names())
def test_public_function_splits_the_axis_like_torch(name):
    x = np.arange(12.0).reshape(2, 6) / 4 - 1
    a, b = x[:, :3], x[:, 3:]
    want = a * act.get(GATED[name].gate)(b)
    fn = getattr(act, name)
    np.testing.assert_array_equal(fn(x), want)
    np.testing.assert_array_equal(act.get_gated(name)(x.T, axis=0), want.T)
    assert fn(np.float32([1.0, 0.5])).dtype == np.float32
    torch = pytest.importorskip("torch")
    got = GATED[name].torch(torch.nn.functional, torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(fn(x), got, rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("name", act.gated_names())
def test_bad_input(name):
    fn = getattr(act, name)
    with pytest.raises(ValueError, match=f"{name}.*odd length 3"):
        fn(np.zeros(3))
    with pytest.raises(ValueError, match="0-d"):
        fn(1.0)
    with pytest.raises(TypeError, match=name):
        fn("ab")
    with pytest.raises(KeyError, match=name):
        act.get_gated(name + "_typo")
    x = np.array([1.0, 2.0])
    fn(x)
    assert x.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("name", act.gated_names())
def test_backward_is_the_vector_jacobian_product(name):
    rng = np.random.default_rng(0)
    g = act.get_gated(name)
    x = rng.standard_normal((4, 6))
    dout = rng.standard_normal((4, 3))
    dx = g.backward(x, dout)
    eps = 1e-6
    num = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        num[idx] = np.sum(dout * (g(xp) - g(xm))) / (2 * eps)
    np.testing.assert_allclose(dx, num, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", act.gated_names())
def test_gated_layer_in_an_mlp_trains_and_passes_the_gradient_check(name):
    rng = np.random.default_rng(1)
    model = nn.MLP([3, 4, 4, 2], name, rng=rng)
    assert [type(layer).__name__ for layer in model.layers] == ["Gated", "Gated", "Dense"]
    assert [d.W.shape for d in model.dense_layers] == [(3, 8), (4, 8), (4, 2)]
    X = rng.standard_normal((6, 3))
    y = np.array([0, 1, 1, 0, 1, 0])
    errors = nn.gradient_check(model, X, y)
    assert max(errors) < 1e-6, errors
    model.forward(X)
    assert [p.shape for p in model.pre] == [(6, 8), (6, 8)] and [h.shape for h in model.post] == [(6, 4), (6, 4)]
    model.backward(nn.softmax_cross_entropy(model.forward(X), y)[1])
    assert [d.shape for d in model.delta] == [(6, 8), (6, 8)]
    from activations.experiments import dead_units

    dead = dead_units(model, X)
    assert dead.shape == (2,)
    if GATED[name].gate != "relu":  # only a ReLU gate has a zero derivative on a half-line
        assert dead.tolist() == [0.0, 0.0]


def test_a_relu_gated_unit_whose_gates_are_all_negative_is_dead():
    rng = np.random.default_rng(3)
    layer = nn.Gated(2, 3, "reglu", rng=rng)
    layer.dense.b[3:] = -1e3  # every gate pre-activation negative: relu(b) = 0 and relu'(b) = 0
    model = nn.Sequential([layer, nn.Dense(3, 1, rng=rng)])
    from activations.experiments import dead_units

    assert dead_units(model, rng.standard_normal((5, 2))).tolist() == [1.0]


def test_a_layer_the_container_has_never_seen_plugs_in():
    """A residual block, defined here: Sequential needs no change to train through it."""

    class Residual(nn.Layer):
        nonlinear = False

        def __init__(self, inner):
            self.inner = inner

        def forward(self, X):
            return X + self.inner.forward(X)

        def backward(self, dout):
            return dout + self.inner.backward(dout)

        def params(self):
            return self.inner.params()

        def grads(self):
            return self.inner.grads()

        def affine_layers(self):
            return [d for layer in self.inner.layers for d in layer.affine_layers()]

    rng = np.random.default_rng(2)
    block = Residual(nn.Sequential([nn.Dense(4, 4, rng=rng), nn.ActivationLayer("tanh")]))
    model = nn.Sequential([nn.Dense(3, 4, rng=rng), block, nn.ActivationLayer("relu"), nn.Dense(4, 2, rng=rng)])
    X = rng.standard_normal((5, 3))
    y = np.array([0, 1, 0, 1, 1])
    assert max(nn.gradient_check(model, X, y)) < 1e-6
    assert len(model.dense_layers) == 3 and len(model.hidden_layers) == 1
