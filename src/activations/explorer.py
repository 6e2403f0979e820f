"""A reusable explorer: a figure driven by a few sliders, live in Jupyter and static in the book.

:class:`Explorer` takes a ``draw(fig, **values)`` function, a ``describe(**values)``
alt-text function and :class:`Control` sliders, and shows itself in two places:

* **with a kernel** (JupyterLab, Colab, Binder): a live ipywidget -- sliders that
  recompute the figure for any value in their range;
* **in the static HTML book** (no kernel): a small self-contained HTML snippet whose
  slider switches between pre-rendered PNG frames (palette-quantised, base64) with
  a few lines of inline JavaScript; without JavaScript the initial frame shows.

Which one is shown is decided by the environment variable
``ACTIVATIONS_EXPLORER_MODE`` (``"live"``, ``"static"`` or ``"both"``).  The book
build sets it to ``"static"``; when it is unset, a kernel with ipywidgets gets the live
version and anything else the static one.  The ``mode=`` argument of
:meth:`Explorer.show` overrides both.

Figures are drawn on :class:`matplotlib.figure.Figure` objects (never pyplot), so no
stray figure is displayed by the inline backend.  The chapters' explorers are in
:mod:`activations.course.explorers`.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import product

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plotting

__all__ = ["Control", "Explorer", "explorer_mode", "format_value", "MODE_ENV", "FRAME_DPI"]

MODE_ENV = "ACTIVATIONS_EXPLORER_MODE"
_MODES = ("live", "static", "both")

#: Default frame resolution: small PNGs keep the static pages light.
FRAME_DPI = 80


# --------------------------------------------------------------------------- core
@dataclass(frozen=True)
class Control:
    """One slider of an :class:`Explorer`.

    Parameters
    ----------
    key : str
        Keyword under which the value is passed to the render function.
    label : str
        What the reader sees next to the slider (e.g. ``"α"``).
    values : sequence
        The values of the static frames (and of the live slider when not ``continuous``).
    start : int
        Index of the initial value.
    continuous : bool
        Live version only: a float slider over ``[min(values), max(values)]``
        instead of stepping through ``values``.
    """

    key: str
    label: str
    values: tuple
    start: int = 0
    continuous: bool = False
    labels: tuple = field(default=())

    def __post_init__(self):
        if not isinstance(self.key, str) or not self.key.isidentifier():
            raise ValueError(f"Control(): key must be an identifier, got {self.key!r}")
        values = tuple(self.values)
        if not values:
            raise ValueError(f"Control(): {self.key!r} needs at least one value")
        if not 0 <= int(self.start) < len(values):
            raise ValueError(f"Control(): start={self.start} out of range for {len(values)} values")
        if self.continuous and not all(isinstance(v, (int, float)) for v in values):
            raise ValueError("Control(): a continuous control needs numeric values")
        labels = tuple(self.labels) or tuple(format_value(v) for v in values)
        if len(labels) != len(values):
            raise ValueError("Control(): labels and values differ in length")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "start", int(self.start))


def format_value(v) -> str:
    """A control value as shown to the reader (floats in ``%g``)."""
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def explorer_mode(mode: str | None = None) -> str:
    """``"live"``, ``"static"`` or ``"both"``: the argument, else ``$ACTIVATIONS_EXPLORER_MODE``,
    else ``"live"`` inside a Jupyter kernel with ipywidgets installed, else ``"static"``."""
    if mode is None:
        mode = os.environ.get(MODE_ENV) or None
    if mode is None:
        return "live" if _in_kernel() and _has_ipywidgets() else "static"
    if mode not in _MODES:
        raise ValueError(f"explorer_mode(): mode must be one of {_MODES}, got {mode!r}")
    return mode


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _has_ipywidgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def _png(fig: Figure, *, colours: int = 64) -> bytes:
    """The figure as a palette PNG (a few KB for line plots; lossless for them in practice)."""
    from PIL import Image

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    out = io.BytesIO()
    img.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True
    )
    return out.getvalue()


class Explorer:
    """A figure that depends on a few discrete or continuous controls.

    Parameters
    ----------
    title : str
        Heading shown above the figure (also the accessible name of the group).
    controls : sequence of Control
        One slider each.
    draw : callable
        ``draw(fig, **values)`` draws on a fresh :class:`~matplotlib.figure.Figure`
        (figure size ``figsize``) for one combination of control values.
    describe : callable
        ``describe(**values) -> str``, the alt text of that frame.
    figsize : (float, float)
        Figure size in inches; frames are rendered at ``dpi`` (default :data:`FRAME_DPI`).
    caption : str, optional
        A line of text under the figure in the static version.

    The static version holds one frame per combination of control values, so
    keep the product of the ``values`` lengths small (it is capped at 40).
    """

    MAX_FRAMES = 40

    def __init__(
        self,
        title: str,
        controls: Sequence[Control],
        draw: Callable,
        describe: Callable,
        *,
        figsize=(8.0, 3.2),
        dpi: int = FRAME_DPI,
        caption: str = "",
    ):
        self.title = str(title)
        self.controls = tuple(controls)
        if not self.controls or not all(isinstance(c, Control) for c in self.controls):
            raise TypeError("Explorer(): controls must be a non-empty sequence of Control")
        if len({c.key for c in self.controls}) != len(self.controls):
            raise ValueError("Explorer(): control keys must be distinct")
        n = int(np.prod([len(c.values) for c in self.controls]))
        if n > self.MAX_FRAMES:
            raise ValueError(f"Explorer(): {n} frames > {self.MAX_FRAMES}; use fewer values per control")
        if not callable(draw) or not callable(describe):
            raise TypeError("Explorer(): draw and describe must be callable")
        self._draw, self._describe = draw, describe
        self.figsize, self.dpi, self.caption = tuple(figsize), int(dpi), str(caption)
        self._frames: list[bytes] | None = None

    # -- rendering ---------------------------------------------------------
    def render(self, **values) -> bytes:
        """PNG bytes of the figure for one combination of control values."""
        return self._render(values, 1)

    def _render(self, values, scale: int) -> bytes:
        # scale 2: twice the pixels, shown at the 1x CSS size (sharp on HiDPI screens)
        dpi = self.dpi * scale
        with mpl.rc_context():
            plotting.use_style()
            mpl.rcParams["savefig.dpi"] = dpi
            mpl.rcParams["figure.dpi"] = dpi
            mpl.rcParams["savefig.bbox"] = "standard"  # constrained layout already fits; saves a redraw
            fig = Figure(figsize=self.figsize, dpi=dpi)
            self._draw(fig, **values)
            return _png(fig)

    def combinations(self) -> list[dict]:
        """All control-value combinations, in frame order (last control varies fastest)."""
        keys = [c.key for c in self.controls]
        return [dict(zip(keys, combo)) for combo in product(*(c.values for c in self.controls))]

    def frames(self) -> list[bytes]:
        """The PNG frames of the static version at 2x (rendered once, then cached)."""
        if self._frames is None:
            self._frames = [self._render(combo, 2) for combo in self.combinations()]
        return self._frames

    def _start_index(self) -> int:
        idx = 0
        for c in self.controls:
            idx = idx * len(c.values) + c.start
        return idx

    # -- static version ----------------------------------------------------
    def to_html(self) -> str:
        """Self-contained HTML: sliders, one ``<img>`` per frame, inline script switching them."""
        frames = self.frames()
        start = self._start_index()
        esc = html.escape
        parts = [
            f'<div class="act-explorer" role="group" aria-label="{esc(self.title)}" '
            'style="margin:0.5em 0;max-width:100%">',
            f'<p style="margin:0 0 .3em 0;font-weight:600">{esc(self.title)}</p>',
        ]
        for c in self.controls:
            labels_json = esc(json.dumps(list(c.labels)), quote=True)
            parts.append(
                '<label style="display:flex;align-items:center;gap:.6em;margin:.2em 0">'
                f'<span style="min-width:6em">{esc(c.label)}</span>'
                f'<input type="range" min="0" max="{len(c.values) - 1}" step="1" value="{c.start}" '
                f'data-labels="{labels_json}" aria-label="{esc(c.label)}" '
                f'aria-valuetext="{esc(c.labels[c.start])}" style="flex:1;max-width:22em">'
                f'<output style="min-width:5em;font-variant-numeric:tabular-nums">{esc(c.labels[c.start])}</output>'
                "</label>"
            )
        parts.append('<div class="act-explorer-frames" style="overflow-x:auto">')
        # 12 pt text is dpi/72*12 CSS px at 1x: never shrink it below 9 px (phones scroll instead)
        w, h = round(self.figsize[0] * self.dpi), round(self.figsize[1] * self.dpi)
        min_w = round(w * 9 / (12 * self.dpi / 72))
        for i, (combo, png) in enumerate(zip(self.combinations(), frames)):
            alt = esc(self._describe(**combo), quote=True)
            hidden = "" if i == start else " hidden"
            parts.append(
                f'<img data-frame="{i}" alt="{alt}"{hidden} width="{w}" height="{h}" '
                f'style="max-width:100%;min-width:min({min_w}px,{w}px);height:auto" '
                f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
            )
        parts.append("</div>")
        if self.caption:
            parts.append(f'<p style="margin:.3em 0 0 0;font-size:.9em">{esc(self.caption)}</p>')
        parts.append(f"<script>{_SCRIPT}</script></div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    # -- live version --------------------------------------------------------
    def widget(self):
        """The live ipywidget (needs a running kernel to respond)."""
        import ipywidgets as w

        sliders = []
        for c in self.controls:
            common = dict(
                description=c.label,
                continuous_update=False,
                style={"description_width": "initial"},
                layout=w.Layout(width="32em"),
            )
            if c.continuous:
                lo, hi = float(min(c.values)), float(max(c.values))
                sliders.append(
                    w.FloatSlider(
                        value=float(c.values[c.start]),
                        min=lo,
                        max=hi,
                        step=(hi - lo) / 200 or 0.01,
                        readout_format=".3g",
                        **common,
                    )
                )
            else:
                sliders.append(
                    w.SelectionSlider(options=list(zip(c.labels, c.values)), value=c.values[c.start], **common)
                )
        start = {c.key: c.values[c.start] for c in self.controls}
        image = w.Image(value=self.render(**start), format="png", layout=w.Layout(max_width="100%"))
        alt = w.HTML(value=html.escape(self._describe(**start)))

        def update(_change=None):
            values = {c.key: s.value for c, s in zip(self.controls, sliders)}
            image.value = self.render(**values)
            alt.value = html.escape(self._describe(**values))

        for s in sliders:
            s.observe(update, names="value")
        title = w.HTML(value=f"<b>{html.escape(self.title)}</b>")
        return w.VBox([title, *sliders, image, alt])

    # -- display -------------------------------------------------------------
    def show(self, mode: str | None = None) -> None:
        """Display the live widget, the static snippet, or both (see :func:`explorer_mode`)."""
        from IPython.display import display

        mode = explorer_mode(mode)
        if mode in ("live", "both"):
            display(self.widget())
        if mode in ("static", "both"):
            display({"text/html": self.to_html(), "text/plain": repr(self)}, raw=True)

    def _ipython_display_(self):
        self.show()

    def __repr__(self):
        sliders = ", ".join(f"{c.key}[{len(c.values)}]" for c in self.controls)
        return f"<Explorer {self.title!r}: {sliders}>"


# Finds every explorer not yet wired up (robust if the snippet is inserted twice or
# document.currentScript is unavailable); the frame index is mixed-radix over sliders.
_SCRIPT = (
    "(function(){document.querySelectorAll('.act-explorer:not([data-ready])').forEach(function(root){"
    "root.setAttribute('data-ready','1');"
    "var inputs=root.querySelectorAll('input[type=range]'),frames=root.querySelectorAll('img[data-frame]');"
    "function update(){var idx=0;inputs.forEach(function(inp){"
    "var labels=JSON.parse(inp.getAttribute('data-labels')),v=Number(inp.value);"
    "idx=idx*labels.length+v;inp.nextElementSibling.textContent=labels[v];"
    "inp.setAttribute('aria-valuetext',labels[v]);});"
    "frames.forEach(function(f,i){f.hidden=(i!==idx);});}"
    "inputs.forEach(function(inp){inp.addEventListener('input',update);});update();});})();"
)
