"""The explorer component (activations.explorer: static frames, the HTML/JS snippet, the live
widget) and the chapter explorers (activations.course.explorers): argument checks, frames."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from activations import explorer as E
from activations.course import explorers as W

# Small grids keep these tests quick.
FAST_GRAD = dict(depths=(3, 6), width=16, n_samples=32)
FAST_SIGNAL = dict(weight_scales=(0.8, 1.0), depth=6, width=32, n_samples=64)
FAST_DEAD = dict(learning_rates=(0.01, 3.0), hidden=(16,), epochs=3, n_samples=120, seeds=(0,))


def _imgs(html):
    return re.findall(r"<img ([^>]*)>", html)


def _decode(img_attrs):
    b64 = re.search(r'src="data:image/png;base64,([^"]+)"', img_attrs).group(1)
    return Image.open(io.BytesIO(base64.b64decode(b64)))


def test_static_html_has_one_visible_frame_per_value_with_alt_text():
    e = W.explore_activation("elu", values=[0.5, 1.0, 2.0])
    html = e.to_html()
    imgs = _imgs(html)
    assert len(imgs) == 3
    visible = [i for i in imgs if " hidden" not in i]
    assert len(visible) == 1 and 'data-frame="1"' in visible[0]  # default alpha = 1.0 is the start
    alts = [re.search(r'alt="([^"]+)"', i).group(1) for i in imgs]
    assert len(set(alts)) == 3 and all("elu" in a for a in alts)
    assert 'type="range"' in html and 'max="2"' in html and "<script>" in html
    assert "http" not in html  # nothing loaded from anywhere


def test_frames_are_decodable_distinct_pngs_of_the_same_size():
    e = W.explore_activation("leaky_relu", values=[0.0, 0.3])
    frames = e.frames()
    assert frames[0] != frames[1]
    a, b = (Image.open(io.BytesIO(f)) for f in frames)
    assert a.format == b.format == "PNG" and a.size == b.size
    assert a.size[0] == pytest.approx(2 * e.figsize[0] * e.dpi, abs=2)  # 2x for HiDPI screens
    assert f'width="{round(e.figsize[0] * e.dpi)}"' in e.to_html()  # shown at the 1x size
    # The background is opaque white (readable in dark mode).
    assert a.convert("RGB").getpixel((1, 1)) == (255, 255, 255)


def test_frames_are_deterministic():
    assert (
        W.explore_activation("swish", values=[0.5, 2.0]).frames()
        == W.explore_activation("swish", values=[0.5, 2.0]).frames()
    )


def test_gelu_switch_and_list_of_activations():
    g = W.explore_activation("gelu")
    assert g.controls[0].values == ("exact", "tanh approximation")
    assert W.explore_activation("gelu_tanh").controls[0].start == 1
    m = W.explore_activation(["relu", "tanh", "selu"])
    assert m.controls[0].values == ("relu", "tanh", "selu")
    assert len(_imgs(m.to_html())) == 3


@pytest.mark.slow
def test_network_explorers_render_one_frame_per_slider_value():
    for e, n in (
        (W.explore_gradient_flow(["sigmoid", "relu"], **FAST_GRAD), 2),
        (W.explore_signal_propagation(["selu", "relu"], **FAST_SIGNAL), 2),
        (W.explore_dead_units(["relu", "leaky_relu"], **FAST_DEAD), 2),
    ):
        imgs = _imgs(e.to_html())
        assert len(imgs) == n
        assert all(_decode(i).size[0] > 100 for i in imgs)
        assert len({re.search(r'alt="([^"]+)"', i).group(1) for i in imgs}) == n


def test_dead_units_alt_text_reports_more_dead_relus_at_the_large_rate():
    e = W.explore_dead_units(["relu"], **FAST_DEAD)
    alts = [re.search(r'alt="([^"]+)"', i).group(1) for i in _imgs(e.to_html())]
    pct = [int(re.search(r"relu: (\d+)% dead", a).group(1)) for a in alts]
    assert pct[1] > pct[0]


def test_live_widget_recomputes_the_image():
    pytest.importorskip("ipywidgets")
    e = W.explore_activation("softplus", values=[0.5, 5.0])
    box = e.widget()
    slider = next(c for c in box.children if hasattr(c, "min") and hasattr(c, "max"))
    image = next(c for c in box.children if type(c).__name__ == "Image")
    before = bytes(image.value)
    slider.value = 4.0  # a value between the static frames: computed on the spot
    assert bytes(image.value) != before
    assert bytes(image.value) == e.render(beta=4.0)


def test_mode_selection(monkeypatch):
    monkeypatch.setenv(E.MODE_ENV, "static")
    assert E.explorer_mode() == "static"
    assert E.explorer_mode("both") == "both"
    monkeypatch.delenv(E.MODE_ENV)
    assert E.explorer_mode() == "static"  # no kernel in pytest
    with pytest.raises(ValueError, match="explorer_mode"):
        E.explorer_mode("fancy")


def test_show_static_displays_html_and_live_displays_the_widget(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    e = W.explore_activation("elu", values=[1.0])
    e.show("static")
    assert len(shown) == 1 and shown[0][1] is True
    assert shown[0][0]["text/html"] == e.to_html() and "text/plain" in shown[0][0]
    pytest.importorskip("ipywidgets")
    shown.clear()
    e.show("live")
    assert len(shown) == 1 and type(shown[0][0]).__name__ == "VBox"


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: W.explore_activation("nope"), ValueError, "explore_activation"),
        (lambda: W.explore_activation(3), TypeError, "explore_activation"),
        (lambda: W.explore_activation("relu"), ValueError, "has no parameter"),
        (lambda: W.explore_activation("elu", values=[]), ValueError, "explore_activation"),
        (lambda: W.explore_activation("elu", values=["a"]), TypeError, "explore_activation"),
        (lambda: W.explore_activation("softplus", "threshold"), ValueError, "values="),
        (lambda: W.explore_activation("elu", "beta", values=[1.0]), TypeError, "elu"),
        (lambda: W.explore_activation("celu", values=[0.0]), ValueError, "celu"),
        (lambda: W.explore_activation("elu", x_range=(2, 1)), ValueError, "x_range"),
        (lambda: W.explore_gradient_flow(["relu"], depths=(0,)), ValueError, "explore_gradient_flow"),
        (lambda: W.explore_signal_propagation(["selu"], seed=-1), TypeError, "seed"),
        (lambda: W.explore_dead_units(["relu"], seeds=()), ValueError, "explore_dead_units"),
        (lambda: E.Control("1x", "x", (1,)), ValueError, "Control"),
        (lambda: E.Control("x", "x", ()), ValueError, "Control"),
    ],
)
def test_bad_arguments_raise_naming_the_function(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_too_many_frames_is_refused():
    controls = [E.Control("a", "a", tuple(range(7))), E.Control("b", "b", tuple(range(7)))]
    with pytest.raises(ValueError, match="frames"):
        E.Explorer("t", controls, lambda fig, a, b: None, lambda a, b: "")


def test_mixed_radix_frame_order_matches_the_script():
    controls = [E.Control("a", "a", (0, 1), start=1), E.Control("b", "b", (0, 1, 2), start=2)]
    e = E.Explorer("t", controls, lambda fig, a, b: fig.subplots().plot([a, b]), lambda a, b: f"{a}-{b}")
    assert [tuple(c.values()) for c in e.combinations()] == [(a, b) for a in (0, 1) for b in (0, 1, 2)]
    assert e._start_index() == 1 * 3 + 2
    html = e.to_html()
    visible = [i for i in _imgs(html) if " hidden" not in i]
    assert len(visible) == 1 and 'alt="1-2"' in visible[0]
    assert np.prod([len(c.values) for c in controls]) == len(_imgs(html))
