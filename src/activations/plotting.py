"""Figures for the course: one style, a colour-blind-safe palette, labelled axes.

Call :func:`use_style` once per notebook.  Colours are the Okabe-Ito palette
(distinguishable with the common colour-vision deficiencies) and every curve also
gets its own line style (and markers in per-layer plots), so figures still read in
grey-scale print.  Figures have an opaque white background so they stay readable
when the book is shown in dark mode.

Sizes are chosen for the book's text column (about 740 CSS px on a desktop, 360 px
on a phone).  In a notebook, :func:`use_style` switches the inline backend to SVG,
so figures are sharp on HiDPI screens and in the PDF edition.  A one-panel figure is
:data:`COLUMN_WIDTH` inches (= 614 CSS px at its natural size) and its smallest text
is 12 pt (16 CSS px), so even shrunk to a phone's width labels stay >= 9 CSS px.
:func:`figure` never lays out more than two panels side by side (a 1 x 3 or 1 x 4
request is wrapped onto two columns) and never makes a figure wider than
:data:`MAX_WIDTH`; the book's stylesheet gives wide figures a minimum width on
phones (they scroll sideways) instead of shrinking their labels below 9 px.

Nothing here chooses a backend: notebooks use the inline one, tests select Agg.
"""

from __future__ import annotations

from itertools import cycle

import matplotlib as mpl
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from cycler import cycler

from .core import Activation, get

__all__ = [
    "PALETTE",
    "OKABE_ITO",
    "LINESTYLES",
    "MARKERS",
    "COLUMN_WIDTH",
    "MAX_WIDTH",
    "use_style",
    "figure",
    "label_of",
    "plot_activations",
    "plot_function_and_derivative",
    "plot_decision_boundary",
    "plot_layer_curve",
    "plot_history",
    "Table",
]

#: Okabe & Ito (2008) colour-universal-design palette, by name.
OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "reddish_purple": "#CC79A7",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "black": "#000000",
    "yellow": "#F0E442",
}

#: Cycle order: strongest contrast on white first; yellow (weak on white) last.
PALETTE = list(OKABE_ITO.values())

#: One dash pattern per palette colour, so curves differ without colour too.
LINESTYLES = [
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1)),
    (0, (3, 1, 1, 1, 1, 1)),
    (0, (1, 3)),
    (0, (8, 2, 2, 2)),
]

#: Markers for per-layer curves (one per palette colour).
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

#: Width (inches) of a one-panel figure: 614 CSS px at its natural size.
COLUMN_WIDTH = 6.4
#: Widest figure (inches) :func:`figure` makes: two panels side by side.
MAX_WIDTH = 10.0

_STYLE = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "savefig.bbox": "tight",
    "figure.figsize": (COLUMN_WIDTH, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "svg.fonttype": "path",
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 13,
    "legend.framealpha": 0.9,
    "lines.linewidth": 2.0,
    "lines.markersize": 5,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.color": "#808080",
    "axes.edgecolor": "#333333",
    "text.color": "black",
    "axes.labelcolor": "black",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.constrained_layout.use": True,
}


def use_style():
    """Set the course's matplotlib rcParams (white opaque figures, readable fonts,
    Okabe-Ito colours cycled together with distinct line styles).

    Constrained layout is switched on, so do not call ``fig.tight_layout()``
    (matplotlib warns when a figure's layout engine changes).
    """
    mpl.rcParams.update(_STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=PALETTE) + cycler(linestyle=LINESTYLES)
    _inline_svg()


def _inline_svg():
    """In a running IPython kernel, make the inline backend emit SVG (sharp on HiDPI)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks only
        return
    if get_ipython() is None:
        return
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover
        return
    set_matplotlib_formats("svg")


def figure(nrows=1, ncols=1, *, width=None, height=None, **kwargs):
    """A new styled figure: ``fig, ax = figure()`` (``axes`` is an array when
    ``nrows * ncols > 1``).

    Sized for the book's text column: one panel is :data:`COLUMN_WIDTH` wide, two
    panels :data:`MAX_WIDTH`.  A single row of three or more panels is wrapped onto
    two columns (``figure(1, 3)`` gives 2 x 2 with the fourth axes removed); the
    returned ``axes`` is then the flat array of ``ncols`` Axes, as for one row.
    ``width`` is capped at :data:`MAX_WIDTH`; ``height`` is the height of one row of
    the requested layout and defaults to 4 in.
    """
    use_style()
    if nrows < 1 or ncols < 1:
        raise ValueError(f"figure(): nrows and ncols must be >= 1, got {nrows}, {ncols}")
    row_height = 4.0 if height is None else height / nrows
    wrap = nrows == 1 and ncols > 2
    n_panels = ncols
    if wrap:
        nrows, ncols = -(-ncols // 2), 2
    default = COLUMN_WIDTH if ncols == 1 else MAX_WIDTH
    width = default if width is None else min(float(width), MAX_WIDTH)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, row_height * nrows), **kwargs)
    if wrap:
        axes = axes.ravel()
        for ax in axes[n_panels:]:
            fig.delaxes(ax)
        axes = axes[:n_panels]
    return fig, axes


def _activation(a) -> Activation:
    if isinstance(a, Activation):
        return a
    if isinstance(a, str):
        return get(a)
    raise TypeError(f"plotting: expected an activation name or Activation, got {type(a).__name__}")


def label_of(a) -> str:
    """Legend label: the name, with parameters when there are any, e.g. ``elu(alpha=1)``."""
    a = _activation(a)
    if not a.params:
        return a.name
    args = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in a.params.items())
    return f"{a.name}({args})"


def _ax(ax):
    if ax is None:
        use_style()
        _, ax = plt.subplots()
    return ax


def _as_list(items):
    if isinstance(items, (str, Activation)):
        return [items]
    return list(items)


def _grid(x):
    if x is None:
        return np.linspace(-5.0, 5.0, 1001)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        raise ValueError("plotting: x must be a 1-d grid with at least 2 points")
    return x


def plot_activations(names_or_activations, *, x=None, derivative=False, ax=None, legend=True):
    """Plot f(x) (or f'(x) with ``derivative=True``) of several activations on one axes.

    Parameters
    ----------
    names_or_activations : str, Activation or a list of them
    x : 1-d array, optional
        Grid; default 1001 points on [-5, 5].
    derivative : bool
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    acts = [_activation(a) for a in _as_list(names_or_activations)]
    x = _grid(x)
    ax = _ax(ax)
    for a in acts:
        y = a.grad(x) if derivative else a(x)
        ax.plot(x, y, label=label_of(a))
    ax.set_xlabel("x (pre-activation)")
    ax.set_ylabel("f'(x)" if derivative else "f(x)")
    ax.axhline(0.0, color="#808080", linewidth=0.8, linestyle="-", zorder=0)
    ax.axvline(0.0, color="#808080", linewidth=0.8, linestyle="-", zorder=0)
    if legend and acts:
        ax.legend()
    return ax


def plot_function_and_derivative(names_or_activations, *, x=None, axes=None):
    """Two panels side by side: f(x) on the left, f'(x) on the right.

    Returns
    -------
    (fig, axes)
    """
    if axes is None:
        fig, axes = figure(1, 2)
    else:
        axes = np.asarray(axes).ravel()
        if axes.size != 2:
            raise ValueError("plot_function_and_derivative(): axes must hold exactly two Axes")
        fig = axes[0].figure
    plot_activations(names_or_activations, x=x, ax=axes[0])
    plot_activations(names_or_activations, x=x, derivative=True, ax=axes[1], legend=False)
    axes[0].set_title("function")
    axes[1].set_title("derivative")
    return fig, axes


def plot_decision_boundary(model, X, y, *, ax=None, resolution=200, margin=0.5, title=None):
    """Predicted class over the plane, with the data points on top.

    ``model`` needs ``predict(points) -> labels`` (any :mod:`activations.nn` model) or
    is a callable doing the same.  Classes are shown by colour *and* marker shape.

    Returns
    -------
    matplotlib.axes.Axes
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary(): X must have shape (n, 2), got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"plot_decision_boundary(): {len(y)} labels for {len(X)} points")
    predict = model.predict if hasattr(model, "predict") else model
    if not callable(predict):
        raise TypeError("plot_decision_boundary(): model must have a predict method or be callable")
    ax = _ax(ax)
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    z = np.asarray(predict(grid)).reshape(g0.shape)
    classes = np.unique(np.concatenate([np.unique(y), np.unique(z)]))
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(classes))]
    index = np.searchsorted(classes, z)
    levels = np.arange(len(classes) + 1) - 0.5
    ax.contourf(g0, g1, index, levels=levels, colors=colours, alpha=0.25)
    ax.grid(False)  # grid lines over the coloured regions only add clutter
    for i, c in enumerate(classes):
        pts = X[y == c]
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            s=18,
            color=colours[i],
            marker=MARKERS[i % len(MARKERS)],
            edgecolors="black",
            linewidths=0.4,
            label=f"class {c}",
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="best")
    return ax


def plot_layer_curve(values_per_layer, *, label=None, ax=None, logy=False, ylabel="value", layers=None):
    """One value per layer (gradient norm, activation variance, dead fraction...) vs depth.

    Each call on the same axes gets the next colour, line style and marker, so several
    activations can be compared on one plot.  Layer 1 is nearest the input.

    Returns
    -------
    matplotlib.axes.Axes
    """
    values = np.asarray(values_per_layer, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("plot_layer_curve(): values_per_layer must be a non-empty 1-d sequence")
    layers = np.arange(1, values.size + 1) if layers is None else np.asarray(layers)
    ax = _ax(ax)
    k = len(ax.get_lines())
    ax.plot(
        layers,
        values,
        color=PALETTE[k % len(PALETTE)],
        linestyle=LINESTYLES[k % len(LINESTYLES)],
        marker=MARKERS[k % len(MARKERS)],
        label=label,
    )
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel(ylabel)
    if label is not None:
        ax.legend()
    return ax


def plot_history(histories, *, key="val_acc", ax=None, ylabel=None):
    """Training curves: ``histories`` maps a label to an :class:`activations.nn.History`
    (or a dict with the same keys); plots ``key`` per epoch."""
    ax = _ax(ax)
    styles = cycle(zip(PALETTE, LINESTYLES))
    for name, h in histories.items():
        values = np.asarray(h[key], dtype=np.float64)
        if values.size == 0:
            raise ValueError(f"plot_history(): history {name!r} has no {key!r} values")
        colour, ls = next(styles)
        ax.plot(np.arange(1, values.size + 1), values, color=colour, linestyle=ls, label=str(name))
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel or key.replace("_", " "))
    ax.legend()
    return ax


class Table:
    """A small results table that a notebook shows as a real table (HTML in the book).

    ``display(Table(header, rows))`` emits an HTML ``<table>`` (aligned columns, column
    headers for screen readers, scrolls inside its box on a phone) instead of
    ``print()``-ed text.  ``str(table)`` is the aligned plain-text version.

    Parameters
    ----------
    header : sequence of str
    rows : sequence of sequences, one value per column
    floatfmt : str or sequence of str
        Format spec for float cells, one for all columns or one per column.
    """

    def __init__(self, header, rows, *, floatfmt=".3f"):
        self.header = [str(h) for h in header]
        self.rows = [list(r) for r in rows]
        if any(len(r) != len(self.header) for r in self.rows):
            raise ValueError(f"Table(): every row needs {len(self.header)} values")
        fmts = [floatfmt] * len(self.header) if isinstance(floatfmt, str) else list(floatfmt)
        if len(fmts) != len(self.header):
            raise ValueError("Table(): floatfmt needs one format per column")
        self.cells = [
            [format(v, f) if isinstance(v, (float, np.floating)) else str(v) for v, f in zip(r, fmts)]
            for r in self.rows
        ]

    def _repr_html_(self) -> str:
        import html

        numeric = [bool(self.cells) and all(_numeric(r[i]) for r in self.cells) for i in range(len(self.header))]

        def cell(tag, text, i, extra=""):
            style = ' style="text-align:right"' if numeric[i] else ""
            return f"<{tag}{extra}{style}>{html.escape(text)}</{tag}>"

        head = "".join(cell("th", h, i, ' scope="col"') for i, h in enumerate(self.header))
        body = "".join("<tr>" + "".join(cell("td", c, i) for i, c in enumerate(r)) + "</tr>" for r in self.cells)
        return f'<div class="act-table"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'

    def __str__(self) -> str:
        widths = [max(len(c) for c in col) for col in zip(self.header, *self.cells)]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [self.header, *self.cells])

    __repr__ = __str__


def _numeric(text: str) -> bool:
    try:
        float(text.split(" ")[0].replace("−", "-"))
    except ValueError:
        return False
    return True
