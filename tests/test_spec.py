"""The spec table is complete and every table derived from it agrees with it."""

import numpy as np
import pytest

import activations as act
from activations import definitions, nn, reference, symbolic
from activations.course import explorers
from activations.spec import GATED, SPECS
from benchmarks import accuracy, naive, torch_impl

X = np.array([-7.5, -2.0, -0.3, 0.25, 1.5, 6.0])


def test_every_definition_has_exactly_one_row_and_the_derived_tables_follow():
    assert set(SPECS) == set(definitions.DEFINITIONS) and set(GATED) == set(definitions.GATED_DEFINITIONS)
    assert {n for n in act.names() if SPECS[n].init == "he"} == nn.RELU_FAMILY - {"learnable_prelu"}
    assert explorers.PARAMETER_GRIDS == {n: r.explore for n, r in SPECS.items() if r.explore}
    assert reference.CONVENTION_POINTS == {}  # the definitions obey the kernels' kink convention
    assert accuracy.KINKS == {n: symbolic.derivative_jumps(n) for n in act.names() if symbolic.derivative_jumps(n)}
    assert naive.names() == act.names()
    for name, row in SPECS.items():
        assert set(row.params) == set(definitions.DEFAULTS.get(name, {})), name
        assert callable(row.torch), f"{name}: no torch hook"


def test_kinks_come_from_sympy():
    assert symbolic.kinks("hard_tanh") == [-1.0, 1.0] and symbolic.kinks("relu") == [0.0]
    assert symbolic.kinks("softplus", beta=2.0, threshold=20.0) == [10.0]
    assert symbolic.kinks("sigmoid") == [] and symbolic.derivative_jumps("elu") == []
    assert symbolic.derivative_jumps("elu", alpha=2.0) == [0.0]


@pytest.mark.parametrize("name", act.names())
def test_torch_hook_agrees_with_the_kernel(name):
    """The hook is the right function (PyTorch's own accuracy is the benchmarks' business)."""
    pytest.importorskip("torch")
    params = dict(SPECS[name].extra_params[0]) if SPECS[name].extra_params else {}
    np.testing.assert_allclose(torch_impl.value(name, X, **params), act.get(name, **params)(X), rtol=1e-6, atol=1e-15)
    np.testing.assert_allclose(
        torch_impl.grad(name, X, **params), act.get(name, **params).grad(X), rtol=1e-6, atol=1e-15
    )


def test_unknown_parameter_and_bad_values_are_checked_from_the_row():
    with pytest.raises(TypeError, match="squareplus.*unexpected parameter"):
        act.get("squareplus", beta=1.0)
    with pytest.raises(ValueError, match="squareplus.*b must be > 0"):
        act.squareplus(1.0, b=0.0)
