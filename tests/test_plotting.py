"""activations.plotting: what is drawn is the data asked for, labelled and styled."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pytest

import activations as act
from activations import data, nn
from activations import plotting as P


@pytest.fixture(autouse=True)
def _close_figures():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def test_palette_and_linestyles_are_distinct():
    assert len(P.PALETTE) == len(set(P.PALETTE)) == 8
    assert all(mcolors.is_color_like(c) for c in P.PALETTE)
    assert len(P.LINESTYLES) >= len(P.PALETTE)
    assert len({str(s) for s in P.LINESTYLES}) == len(P.LINESTYLES)
    assert len(set(P.MARKERS)) == len(P.MARKERS)


def test_use_style_sets_opaque_white_background_and_cycles():
    P.use_style()
    rc = matplotlib.rcParams
    assert mcolors.to_hex(rc["figure.facecolor"]) == "#ffffff"
    assert mcolors.to_hex(rc["axes.facecolor"]) == "#ffffff"
    assert rc["savefig.transparent"] is False
    assert rc["font.size"] >= 10
    cyc = rc["axes.prop_cycle"].by_key()
    assert [mcolors.to_hex(c) for c in cyc["color"]] == [c.lower() for c in P.PALETTE]
    assert len(set(map(str, cyc["linestyle"]))) == len(P.PALETTE)


def test_plot_activations_draws_the_functions_and_derivatives():
    x = np.linspace(-4, 4, 81)
    names = ["relu", act.get("elu", alpha=0.5), "tanh"]
    ax = P.plot_activations(names, x=x)
    lines = ax.get_lines()[: len(names)]
    for line, a in zip(lines, [act.get("relu"), act.get("elu", alpha=0.5), act.get("tanh")]):
        np.testing.assert_array_equal(line.get_ydata(), a(x))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["relu", "elu(alpha=0.5)", "tanh"]
    assert ax.get_xlabel() and ax.get_ylabel() == "f(x)"
    styles = {(line.get_color(), str(line.get_linestyle())) for line in lines}
    assert len(styles) == 3
    ax = P.plot_activations("sigmoid", x=x, derivative=True)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), act.get("sigmoid").grad(x))
    assert ax.get_ylabel() == "f'(x)"
    with pytest.raises(TypeError):
        P.plot_activations([3.0])


def test_plot_function_and_derivative():
    fig, axes = P.plot_function_and_derivative(["gelu", "silu"])
    assert len(axes) == 2 and fig is axes[0].figure
    assert len(axes[0].get_lines()) >= 2 and len(axes[1].get_lines()) >= 2
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_plot_decision_boundary():
    rng = np.random.default_rng(0)
    X, y = data.two_moons(120, noise=0.1, rng=rng)
    model = nn.MLP([2, 16, 2], "tanh", rng=rng)
    nn.train(model, X, y, optimizer=nn.Adam(1e-2), epochs=20, batch_size=16, rng=rng)
    ax = P.plot_decision_boundary(model, X, y, resolution=50)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    scatters = [c for c in ax.collections if c.get_offsets().shape[0] in (np.sum(y == 0), np.sum(y == 1))]
    assert len(scatters) >= 2
    assert len(ax.get_legend().get_texts()) == 2
    # a plain callable works too
    P.plot_decision_boundary(lambda pts: (pts[:, 0] > 0).astype(int), X, y, resolution=20)
    with pytest.raises(ValueError, match="plot_decision_boundary"):
        P.plot_decision_boundary(model, np.zeros((5, 3)), np.zeros(5))


def test_plot_layer_curve_cycles_styles_and_log_scale():
    fig, ax = P.figure()
    P.plot_layer_curve([1.0, 0.1, 0.01], label="sigmoid", ax=ax, logy=True, ylabel="gradient norm")
    P.plot_layer_curve([1.0, 1.1, 0.9], label="relu", ax=ax, logy=True, ylabel="gradient norm")
    a, b = ax.get_lines()
    np.testing.assert_array_equal(a.get_xdata(), [1, 2, 3])
    assert a.get_color() != b.get_color()
    assert a.get_linestyle() != b.get_linestyle() and a.get_marker() != b.get_marker()
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "gradient norm" and "layer" in ax.get_xlabel()
    with pytest.raises(ValueError, match="plot_layer_curve"):
        P.plot_layer_curve([], ax=ax)


def test_plot_history_and_figure_helper():
    fig, axes = P.figure(1, 3)
    assert axes.shape == (3,)
    h = nn.History(loss=[1.0, 0.5], train_acc=[0.5, 0.9], val_acc=[0.4, 0.8])
    ax = P.plot_history({"relu": h, "tanh": {"val_acc": [0.3, 0.7, 0.9]}}, ax=axes[0])
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [0.4, 0.8])
    np.testing.assert_array_equal(ax.get_lines()[1].get_xdata(), [1, 2, 3])
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "val acc"


def test_table_is_a_real_html_table_with_aligned_text_version():
    t = P.Table(["activation", "E[f(Z)]"], [["relu", 0.3989], ["a<b", np.float64(0.5)]], floatfmt=["", ".2f"])
    html = t._repr_html_()
    assert html.count("<tr>") == 3 and html.count('<th scope="col"') == 2
    assert "<td>a&lt;b</td>" in html and '<td style="text-align:right">0.40</td>' in html
    assert str(t).splitlines() == ["activation  E[f(Z)]", "relu        0.40", "a<b         0.50"]
    with pytest.raises(ValueError, match="Table"):
        P.Table(["a", "b"], [[1]])
