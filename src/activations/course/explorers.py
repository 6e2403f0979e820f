"""Interactive explorers for the chapters, one line each in a notebook.

>>> from activations.course import explorers               # doctest: +SKIP
>>> explorers.explore_activation("elu")                      # doctest: +SKIP

Every explorer is an :class:`activations.explorer.Explorer`: a live ipywidget with a
kernel, pre-rendered frames switched by a slider in the static book (see there).
Figures follow the style of :mod:`activations.plotting` (Okabe-Ito colours, white
background: readable in dark mode).  Every frame has alt text describing what it shows.

Explorers (each returns an :class:`Explorer`, which displays itself):

* :func:`explore_activation` -- one activation and its derivative while a
  parameter moves (Leaky ReLU slope, ELU/CELU alpha, SoftPlus/Swish beta, GELU
  exact vs tanh), or a switch between several activations;
* :func:`explore_gradient_flow` -- ||dL/dW_l|| per layer of a deep MLP at
  initialisation, per activation and depth;
* :func:`explore_signal_propagation` -- mean and variance of the activations per
  layer, SELU against the others, for a range of weight scales;
* :func:`explore_dead_units` -- fraction of dead hidden units after training,
  against the learning rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import plotting
from ..core import Activation, get, names
from ..explorer import Control, Explorer, format_value
from ..spec import SPECS

__all__ = [
    "explore_activation",
    "explore_gradient_flow",
    "explore_signal_propagation",
    "explore_dead_units",
    "PARAMETER_GRIDS",
]

#: Parameter values offered by :func:`explore_activation` (the static frames), by
#: activation: the ``explore`` field of its row in :mod:`activations.spec`.
PARAMETER_GRIDS = {name: row.explore for name, row in SPECS.items() if row.explore}

_GREY = "#808080"


# --------------------------------------------------------------------------- (1) one activation
def _check_name(name, fname):
    if isinstance(name, Activation):
        return name.name
    if not isinstance(name, str):
        raise TypeError(f"{fname}(): activation must be a name (str), got {type(name).__name__}")
    if name not in names():
        raise ValueError(f"{fname}(): unknown activation {name!r}; valid: {', '.join(names())}")
    return name


def _x_grid(x_range, fname):
    try:
        lo, hi = (float(v) for v in x_range)
    except (TypeError, ValueError):
        raise TypeError(f"{fname}(): x_range must be a pair of numbers, got {x_range!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{fname}(): x_range must be finite with lo < hi, got {x_range!r}")
    return np.linspace(lo, hi, 401)


def _limits(curves, pad=0.08):
    lo = min(float(np.min(c)) for c in curves)
    hi = max(float(np.max(c)) for c in curves)
    span = hi - lo or 1.0
    return lo - pad * span, hi + pad * span


def _decorate(ax, ylim, ylabel):
    """Common look of a function/derivative panel: limits, labels, axes through 0, legend."""
    ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel(ylabel)
    ax.axhline(0, color=_GREY, linewidth=0.8, zorder=0)
    ax.axvline(0, color=_GREY, linewidth=0.8, zorder=0)
    ax.legend(loc="upper left", fontsize=9)


def explore_activation(
    name, param: str | None = None, values: Sequence[float] | None = None, *, x_range=(-4.0, 4.0)
) -> Explorer:
    """Explorer of an activation f and its derivative f' while a parameter changes.

    Parameters
    ----------
    name : str or list of str
        ``"leaky_relu"`` (slope), ``"prelu"``, ``"elu"``, ``"celu"`` (alpha),
        ``"softplus"``, ``"swish"`` (beta): a slider over the parameter (grid in
        :data:`PARAMETER_GRIDS`).  ``"gelu"`` / ``"gelu_tanh"``: a switch between the
        exact GELU x·Φ(x) and its tanh approximation, with the largest gap printed.
        A list of names: a slider switching between those activations.
    param, values : optional
        Override the parameter name and its grid (at most 12 values).
    x_range : (float, float)
        Interval of x shown.

    Returns
    -------
    Explorer
        Displays itself when it is the last expression of a cell.
    """
    fname = "explore_activation"
    x = _x_grid(x_range, fname)
    if isinstance(name, (list, tuple)):
        return _explore_many([_check_name(n, fname) for n in name], x)
    name = _check_name(name, fname)
    if name in ("gelu", "gelu_tanh") and param is None:
        return _explore_gelu(x, start=0 if name == "gelu" else 1)
    if param is None:
        if name not in PARAMETER_GRIDS:
            raise ValueError(
                f"{fname}(): {name!r} has no parameter; pass a list of names to switch between "
                f"activations, or one of {', '.join(sorted(PARAMETER_GRIDS))}"
            )
        param = PARAMETER_GRIDS[name][0]
    if not isinstance(param, str):
        raise TypeError(f"{fname}(): param must be a parameter name (str), got {type(param).__name__}")
    if values is None:
        if PARAMETER_GRIDS.get(name, (None,))[0] != param:
            raise ValueError(f"{fname}(): no default grid for {name} {param!r}; pass values=[...]")
        grid = PARAMETER_GRIDS[name][1]
    else:
        try:
            grid = tuple(float(v) for v in values)
        except (TypeError, ValueError):
            raise TypeError(f"{fname}(): values must be a sequence of numbers, got {values!r}") from None
    if not grid or len(grid) > 12:
        raise ValueError(f"{fname}(): give 1 to 12 values for {param!r}")
    get(name, **{param: grid[0]})  # validates the parameter name and value (TypeError/ValueError)
    default = get(name).params.get(param)
    start = int(np.argmin([abs(v - default) for v in grid])) if default is not None else 0
    acts = [get(name, **{param: v}) for v in grid]
    ylim_f = _limits([a(x) for a in acts])
    ylim_d = _limits([a.grad(x) for a in acts])
    symbol = {"alpha": "α", "beta": "β", "negative_slope": "slope"}.get(param, param)

    def draw(fig, **kw):
        value = kw[param]
        a = get(name, **{param: value})
        ref = get(name)
        axes = fig.subplots(1, 2)
        for ax, fn, ylim, ylabel in ((axes[0], a, ylim_f, "f(x)"), (axes[1], a.grad, ylim_d, "f'(x)")):
            ref_fn = ref if fn is a else ref.grad
            ax.plot(
                x,
                ref_fn(x),
                color=_GREY,
                linestyle=":",
                linewidth=1.5,
                label=f"default {symbol} = {format_value(default)}",
            )
            ax.plot(
                x,
                fn(x),
                color=plotting.OKABE_ITO["blue" if fn is a else "vermillion"],
                linestyle="-" if fn is a else "--",
                label=f"{symbol} = {format_value(value)}",
            )
            _decorate(ax, ylim, ylabel)
        axes[0].set_title(f"{name}, {symbol} = {format_value(value)}")
        axes[1].set_title("derivative")

    def describe(**kw):
        value = kw[param]
        a = get(name, **{param: value})
        return (
            f"Left: {name} with {param} = {format_value(value)} for x from {x[0]:g} to {x[-1]:g}; "
            f"f(-2) = {float(a(-2.0)):.3g}, f(2) = {float(a(2.0)):.3g}. "
            f"Right: its derivative, f'(-2) = {float(a.grad(-2.0)):.3g}, f'(2) = {float(a.grad(2.0)):.3g}. "
            f"Dotted grey: the default {param} = {format_value(default)}."
        )

    control = Control(param, symbol, grid, start=start, continuous=len(grid) > 1)
    return Explorer(f"{name}: move {symbol} and watch f and f'", [control], draw, describe)


def _explore_gelu(x, start):
    exact, approx = get("gelu"), get("gelu_tanh")
    gap = exact(x) - approx(x)
    gap_d = exact.grad(x) - approx.grad(x)
    variants = {"exact": exact, "tanh approximation": approx}
    ylim_f = _limits([exact(x), approx(x)])
    ylim_d = _limits([exact.grad(x), approx.grad(x)])

    def draw(fig, variant):
        a, other = (exact, approx) if variant == "exact" else (approx, exact)
        axes = fig.subplots(1, 3)
        for ax, pair, ylim, ylabel, colour, ls in (
            (axes[0], (a, other), ylim_f, "f(x)", "blue", "-"),
            (axes[1], (a.grad, other.grad), ylim_d, "f'(x)", "vermillion", "--"),
        ):
            ax.plot(x, pair[1](x), color=_GREY, linestyle=":", linewidth=1.5, label="other variant")
            ax.plot(x, pair[0](x), color=plotting.OKABE_ITO[colour], linestyle=ls, label=variant)
            _decorate(ax, ylim, ylabel)
        axes[0].set_title(f"GELU, {variant}")
        axes[1].set_title("derivative")
        ax = axes[2]
        ax.plot(x, 1e4 * gap, color=plotting.OKABE_ITO["blue"], label="f")
        ax.plot(x, 1e4 * gap_d, color=plotting.OKABE_ITO["vermillion"], linestyle="--", label="f'")
        ax.axhline(0, color=_GREY, linewidth=0.8, zorder=0)
        ax.set_xlabel("x")
        ax.set_ylabel("(exact − tanh) × 10⁴")
        ax.set_title("the gap, magnified")
        ax.legend(loc="upper left", fontsize=9)

    def describe(variant):
        return (
            f"GELU, {variant}, for x from {x[0]:g} to {x[-1]:g}: function (left) and derivative "
            f"(middle), the other variant dotted grey underneath and indistinguishable. Right: exact "
            f"minus tanh approximation, magnified 10,000 times; at most {np.abs(gap).max():.1e} in value "
            f"and {np.abs(gap_d).max():.1e} in slope on this interval."
        )

    control = Control("variant", "GELU", tuple(variants), start=start)
    return Explorer("GELU: exact x·Φ(x) or the tanh approximation", [control], draw, describe, figsize=(10.0, 3.2))


def _explore_many(activation_names, x):
    if not 1 <= len(activation_names) <= 12:
        raise ValueError("explore_activation(): give 1 to 12 activation names")
    acts = {n: get(n) for n in activation_names}
    ylim_f = _limits([a(x) for a in acts.values()])
    ylim_d = _limits([a.grad(x) for a in acts.values()])

    def draw(fig, activation):
        axes = fig.subplots(1, 2)
        for n, a in acts.items():  # the others in light grey for comparison
            if n != activation:
                axes[0].plot(x, a(x), color="#c8c8c8", linewidth=1, linestyle="-")
                axes[1].plot(x, a.grad(x), color="#c8c8c8", linewidth=1, linestyle="-")
        a = acts[activation]
        axes[0].plot(x, a(x), color=plotting.OKABE_ITO["blue"], label=activation)
        axes[1].plot(x, a.grad(x), color=plotting.OKABE_ITO["vermillion"], linestyle="--", label=activation)
        for ax, ylim, ylabel in ((axes[0], ylim_f, "f(x)"), (axes[1], ylim_d, "f'(x)")):
            _decorate(ax, ylim, ylabel)
        axes[0].set_title(activation)
        axes[1].set_title("derivative")

    def describe(activation):
        a = acts[activation]
        return (
            f"{activation} (left) and its derivative (right) for x from {x[0]:g} to {x[-1]:g}, "
            f"the other activations in light grey; f(-2) = {float(a(-2.0)):.3g}, f(2) = {float(a(2.0)):.3g}, "
            f"f'(-2) = {float(a.grad(-2.0)):.3g}, f'(2) = {float(a.grad(2.0)):.3g}."
        )

    control = Control("activation", "activation", tuple(activation_names))
    return Explorer("Switch between activations", [control], draw, describe)


# --------------------------------------------------------------------------- (2)-(4) networks
def _names_list(activations, fname, maximum=6):
    if isinstance(activations, (str, Activation)):
        activations = [activations]
    out = [_check_name(a, fname) for a in activations]
    if not 1 <= len(out) <= maximum:
        raise ValueError(f"{fname}(): give 1 to {maximum} activations")
    return out


def _grid_values(values, fname, what, *, integer=False, maximum=10):
    try:
        vals = tuple(int(v) if integer else float(v) for v in values)
    except (TypeError, ValueError):
        raise TypeError(f"{fname}(): {what} must be a sequence of numbers") from None
    if not 1 <= len(vals) <= maximum or any(v <= 0 for v in vals) or not all(np.isfinite(vals)):
        raise ValueError(f"{fname}(): {what} must hold 1 to {maximum} positive finite values")
    return vals


def _check_seed(seed, fname):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"{fname}(): seed must be a non-negative int, got {seed!r}")
    return int(seed)


def _style(k):
    return dict(
        color=plotting.PALETTE[k % len(plotting.PALETTE)],
        linestyle=plotting.LINESTYLES[k % len(plotting.LINESTYLES)],
        marker=plotting.MARKERS[k % len(plotting.MARKERS)],
    )


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _log_axis(ax, which="y"):
    """Log scale with plain-text labels 10⁻³ (mathtext labels made frames 5x slower to draw)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis = ax.yaxis if which == "y" else ax.xaxis
    (ax.set_yscale if which == "y" else ax.set_xscale)("log")
    axis.set_major_locator(LogLocator(base=10, numticks=8))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: _pow10(v)))
    axis.set_minor_formatter(NullFormatter())


def _pow10(v):
    if v <= 0 or not np.isfinite(v):
        return ""
    e = np.log10(v)
    if abs(e - round(e)) > 1e-9:
        return f"{v:g}"
    e = int(round(e))
    if -2 <= e <= 2:
        return f"{10.0**e:g}"
    return "10" + str(e).translate(_SUPERSCRIPT)


def _log_limits(arrays, floor=1e-30, cap=1e30):
    vals = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size == 0:
        return 1e-3, 1e3
    lo, hi = max(vals.min(), floor), min(vals.max(), cap)
    return lo / 2, hi * 2


def explore_gradient_flow(
    activations=("sigmoid", "tanh", "relu", "selu"),
    depths=(5, 10, 20, 40),
    *,
    width: int = 64,
    n_samples: int = 128,
    seed: int = 0,
) -> Explorer:
    """Explorer of the gradient norm per layer of a deep MLP at initialisation, vs depth.

    For each activation and each depth, :func:`activations.experiments.gradient_flow`
    builds an MLP (``depth`` hidden layers of ``width`` units, ``init="auto"``) and
    measures ||dL/dW_l||_F for every layer l after one backward pass of a
    cross-entropy loss.  The slider picks the depth; all activations share a
    log-scale plot, so a gradient that vanishes towards the input (layer 1) shows as
    a falling line from right to left.

    Parameters
    ----------
    activations : sequence of str
        Up to 6 registered names.
    depths : sequence of int
        Depths offered by the slider (up to 10).
    width, n_samples, seed : int
        Layer width, batch size, and seed of ``np.random.default_rng`` (the same seed
        for every network, so they differ only by activation and depth).
    """
    from .. import experiments

    fname = "explore_gradient_flow"
    acts = _names_list(activations, fname)
    depths = _grid_values(depths, fname, "depths", integer=True)
    seed = _check_seed(seed, fname)
    results = {
        (a, d): experiments.gradient_flow(a, depth=d, width=width, n_samples=n_samples, rng=np.random.default_rng(seed))
        for a in acts
        for d in depths
    }
    ylim = _log_limits([r["grad_norm"] for r in results.values()])
    max_layer = max(depths) + 1

    def draw(fig, depth):
        ax = fig.subplots(1, 1)
        for k, a in enumerate(acts):
            r = results[(a, depth)]
            ax.plot(r["layer"], r["grad_norm"], label=a, **_style(k))
        _log_axis(ax)
        ax.set_ylim(*ylim)
        ax.set_xlim(0.5, max_layer + 0.5)
        ax.set_xlabel("layer (1 = nearest the input)")
        ax.set_ylabel("‖dL/dW‖ (log scale)")
        ax.set_title(f"gradient norm per layer at initialisation, {depth} hidden layers of {width}")
        ax.legend(loc="lower right", fontsize=9, ncol=2)

    def describe(depth):
        ratios = "; ".join(
            f"{a}: layer 1 / last layer = "
            f"{results[(a, depth)]['grad_norm'][0] / results[(a, depth)]['grad_norm'][-1]:.2g}"
            for a in acts
        )
        return (
            f"Gradient norm of each layer's weights (log scale) against the layer index for an MLP "
            f"with {depth} hidden layers. {ratios}."
        )

    control = Control("depth", "hidden layers", depths, start=min(1, len(depths) - 1))
    return Explorer(
        "Gradient flow: how much gradient reaches each layer?", [control], draw, describe, figsize=(8.0, 3.6)
    )


def explore_signal_propagation(
    activations=("selu", "relu", "tanh", "elu"),
    weight_scales=(0.8, 0.9, 1.0, 1.1, 1.25),
    *,
    depth: int = 30,
    width: int = 128,
    n_samples: int = 256,
    seed: int = 0,
) -> Explorer:
    """Explorer of the forward signal: mean and variance of the activations per layer.

    :func:`activations.experiments.signal_propagation` feeds N(0, 1) inputs through a
    fresh MLP (``init="auto"``: LeCun for SELU, He for the ReLU family, Glorot
    otherwise) whose initial weights are multiplied by the slider's weight scale.
    SELU keeps mean ≈ 0 and variance ≈ 1 when the scale is 1 (its self-normalising
    fixed point); the slider shows how that depends on the initialisation.

    Parameters
    ----------
    activations : sequence of str
        Up to 6 registered names.
    weight_scales : sequence of float
        Gains offered by the slider (up to 10); 1 is the initialiser's own scale.
    depth, width, n_samples, seed : int
        Network size, number of input samples, seed of ``np.random.default_rng``.
    """
    from .. import experiments

    fname = "explore_signal_propagation"
    acts = _names_list(activations, fname)
    scales = _grid_values(weight_scales, fname, "weight_scales")
    seed = _check_seed(seed, fname)

    def run(a, s):
        return experiments.signal_propagation(
            a, depth=depth, width=width, n_samples=n_samples, weight_scale=s, rng=np.random.default_rng(seed)
        )

    results = {(a, s): run(a, s) for a in acts for s in scales}
    var_lim = _log_limits([r["var"] for r in results.values()], floor=1e-6, cap=1e6)
    means = np.concatenate([r["mean"] for r in results.values()])
    means = means[np.isfinite(means)]
    mean_lim = _limits([np.clip(means, -3, 3)]) if means.size else (-1, 1)

    def get_result(a, s):
        return results[(a, s)] if (a, s) in results else run(a, s)

    def draw(fig, weight_scale):
        axes = fig.subplots(1, 2)
        for k, a in enumerate(acts):
            r = get_result(a, weight_scale)
            style = _style(k)
            axes[0].plot(r["layer"], r["mean"], label=a, markevery=3, **style)
            axes[1].plot(r["layer"], r["var"], label=a, markevery=3, **style)
        axes[0].axhline(0, color=_GREY, linewidth=0.8, zorder=0)
        axes[1].axhline(1, color=_GREY, linewidth=0.8, zorder=0)
        axes[0].set_ylim(*mean_lim)
        _log_axis(axes[1])
        axes[1].set_ylim(*var_lim)
        for ax, what in ((axes[0], "mean"), (axes[1], "variance (log scale)")):
            ax.set_xlabel("layer")
            ax.set_ylabel(f"activation {what}")
        axes[0].set_title(f"weight scale × {weight_scale:g}")
        axes[1].set_title(f"{depth} layers of {width} units")
        axes[1].legend(loc="best", fontsize=9, ncol=2)

    def describe(weight_scale):
        last = "; ".join(
            f"{a}: mean {get_result(a, weight_scale)['mean'][-1]:.2g}, "
            f"variance {get_result(a, weight_scale)['var'][-1]:.2g}"
            for a in acts
        )
        return (
            f"Mean (left) and variance (right, log scale) of the activations in each of {depth} layers, "
            f"initial weights scaled by {weight_scale:g}. At the last layer: {last}."
        )

    start = int(np.argmin([abs(s - 1.0) for s in scales]))
    control = Control("weight_scale", "weight scale", scales, start=start, continuous=len(scales) > 1)
    return Explorer(
        "Signal propagation: does the variance survive depth?", [control], draw, describe, figsize=(9.0, 3.4)
    )


def explore_dead_units(
    activations=("relu", "leaky_relu"),
    learning_rates=(0.01, 0.03, 0.1, 0.3, 1.0, 2.0, 3.0),
    *,
    hidden=(32, 32),
    epochs: int = 10,
    n_samples: int = 400,
    seeds=(0, 1, 2),
) -> Explorer:
    """Explorer of dying ReLUs: dead hidden units after training, against the learning rate.

    For every activation, learning rate and seed an MLP (``hidden`` widths) is trained
    with plain SGD (batch 32) on :func:`activations.data.two_moons`, then
    :func:`activations.experiments.dead_units` counts the hidden units whose
    derivative is 0 on every training input (they can never learn again).  Left:
    dead fraction vs learning rate (mean over seeds), the slider's rate marked.
    Right: for the first activation and first seed at that rate, each unit's
    largest pre-activation over the data -- a unit is dead when it is <= 0.

    Parameters
    ----------
    activations : sequence of str
        Up to 4 registered names (the first one gets the right-hand panel).
    learning_rates : sequence of float
        Up to 10 rates (the slider).
    hidden : tuple of int
        Hidden layer widths.
    epochs, n_samples : int
    seeds : sequence of int
        One run per seed (``np.random.default_rng(seed)`` for weights and shuffling;
        the data set uses seed 0).
    """
    from .. import data, experiments, nn

    fname = "explore_dead_units"
    acts = _names_list(activations, fname, maximum=4)
    lrs = _grid_values(learning_rates, fname, "learning_rates")
    seeds = tuple(_check_seed(s, fname) for s in seeds)
    if not seeds:
        raise ValueError(f"{fname}(): give at least one seed")
    hidden = tuple(_grid_values(hidden, fname, "hidden", integer=True, maximum=4))
    X, y = data.two_moons(n_samples, rng=np.random.default_rng(0))

    def run(a, lr, seed):
        rng = np.random.default_rng(seed)
        model = nn.MLP([2, *hidden, 2], a, rng=rng)
        with np.errstate(over="ignore", invalid="ignore"):
            nn.train(model, X, y, optimizer=nn.SGD(lr=lr), epochs=epochs, batch_size=32, rng=rng)
            fractions = experiments.dead_units(model, X)
            max_pre = [np.max(z, axis=0) for z in model.pre]
        total = sum(m.size for m in max_pre)
        overall = float(sum(f * m.size for f, m in zip(fractions, max_pre)) / total)
        return overall, max_pre

    cache = {}

    def result(a, lr):
        if (a, lr) not in cache:
            runs = [run(a, lr, s) for s in seeds]
            cache[(a, lr)] = (float(np.mean([r[0] for r in runs])), runs[0][1])
        return cache[(a, lr)]

    curves = {a: np.array([result(a, lr)[0] for lr in lrs]) for a in acts}
    pre_all = np.concatenate([np.concatenate(result(acts[0], lr)[1]) for lr in lrs])
    pre_all = pre_all[np.isfinite(pre_all)]
    pre_lim = _limits([np.clip(pre_all, -50, 50)]) if pre_all.size else (-1, 1)

    def draw(fig, lr):
        axes = fig.subplots(1, 2)
        for k, a in enumerate(acts):
            axes[0].plot(lrs, curves[a], label=a, **_style(k))
            axes[0].plot(
                [lr],
                [result(a, lr)[0]],
                marker="o",
                markersize=12,
                markerfacecolor="none",
                markeredgecolor="black",
                linestyle="none",
            )
        _log_axis(axes[0], "x")
        axes[0].set_ylim(-0.05, 1.05)
        axes[0].set_xlabel("learning rate (SGD, log scale)")
        axes[0].set_ylabel("fraction of dead hidden units")
        axes[0].set_title(f"after {epochs} epochs, mean of {len(seeds)} seeds")
        axes[0].legend(loc="upper left", fontsize=9)
        max_pre = result(acts[0], lr)[1]
        for k, m in enumerate(max_pre):
            units = np.arange(m.size)
            vals = np.clip(np.sort(m), *pre_lim)
            axes[1].plot(units, vals, label=f"hidden layer {k + 1}", **{**_style(k), "marker": None})
        axes[1].axhline(0, color="black", linewidth=1)
        axes[1].axhspan(pre_lim[0], 0, color=_GREY, alpha=0.15, zorder=0)
        axes[1].set_ylim(*pre_lim)
        axes[1].set_xlabel("unit (sorted)")
        axes[1].set_ylabel("largest pre-activation")
        axes[1].set_title(f"{acts[0]}, lr = {lr:g}: shaded = dead")
        axes[1].legend(loc="upper left", fontsize=9)

    def describe(lr):
        parts = "; ".join(f"{a}: {100 * result(a, lr)[0]:.0f}% dead" for a in acts)
        return (
            f"Left: fraction of dead hidden units after training against the SGD learning rate, "
            f"circle at lr = {lr:g} ({parts}). Right: each {acts[0]} unit's largest pre-activation "
            f"over the training data, sorted, per hidden layer; units at or below zero are dead."
        )

    control = Control("lr", "learning rate", lrs, start=0)
    return Explorer("Dying units: how the learning rate kills ReLUs", [control], draw, describe, figsize=(9.0, 3.4))
