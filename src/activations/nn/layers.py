"""Layers (:class:`Layer` and its subclasses) and containers (:class:`Sequential`, :class:`MLP`).

The layer interface is what :class:`Sequential` relies on, so any layer plugs in
without the container knowing its type: ``forward``/``backward``/``params``/``grads``;
``nonlinear`` (recorded in ``pre``/``post``/``delta``); ``affine_layers()`` (the
:class:`Dense` maps inside it, for gradient norms and the input width);
``pre_activation(X)`` / ``pre_activation_grad(dX)`` (what is recorded as the layer's
pre-activation and its gradient: the input by default, the affine output for a layer
that contains its own affine map, such as :class:`Maxout`); ``dead_mask(pre)``."""

from __future__ import annotations

import numpy as np

from .. import kernels
from .._validation import as_batch as _as_batch
from .._validation import check_int as _check_int
from .._validation import check_rng as _check_rng
from ..core import Activation, GatedActivation, as_activation, get_gated
from ..functional import sigmoid
from ..spec import GATED
from ..vector import maxout, softmax
from .init import auto_init, initialise


class Layer:
    """Base class: ``forward(X)``, ``backward(dout) -> dX``, ``params()``, ``grads()``.

    The hooks below have defaults that fit an elementwise nonlinearity; a layer that
    differs overrides them (see the module docstring), never the container.
    """

    #: Recorded by :class:`Sequential` as a hidden layer (``pre``/``post``/``delta``).
    nonlinear = True

    def params(self) -> list[np.ndarray]:
        return []

    def grads(self) -> list[np.ndarray]:
        return []

    def forward(self, X):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover - abstract
        raise NotImplementedError

    def affine_layers(self) -> list[Dense]:
        """The :class:`Dense` maps inside this layer, input side first."""
        return []

    def pre_activation(self, X):
        """What :class:`Sequential` records as this layer's pre-activation, after ``forward(X)``."""
        return X

    def pre_activation_grad(self, dX):
        """dL/d(pre-activation), after ``backward`` returned ``dX`` = dL/d(input)."""
        return dX

    def dead_mask(self, pre):
        """Boolean mask (one entry per output unit) of units whose local derivative is 0
        for every sample of ``pre`` (see :func:`activations.experiments.dead_units`)."""
        derivative = getattr(self, "derivative", None)
        if derivative is None:
            raise TypeError(f"dead_units(): layer {self!r} has no derivative(z) method to inspect")
        return np.all(derivative(pre) == 0, axis=0)

    def __call__(self, X):
        return self.forward(X)


class Dense(Layer):
    """Affine layer Z = X W + b, with W of shape (n_in, n_out) and b of shape (n_out,).

    Backward, for an upstream gradient G = dL/dZ:
    dL/dW = X^T G, dL/db = sum_rows G, dL/dX = G W^T.

    Parameters
    ----------
    n_in, n_out : int
    rng : numpy.random.Generator
    init : str or callable
        "he", "xavier" (Glorot uniform), "lecun", "normal" or any name accepted by
        :func:`initialise`; a callable ``(shape, rng) -> array`` also works.
    bias_init : float
        Constant initial bias (e.g. a small positive value against dead ReLUs).
    weight_scale : float, optional
        Gain on the initialiser's standard deviation (the std itself for "normal").
    dtype : {"float64", "float32"}
        Dtype of W, b and their gradients.  The initial values are drawn in float64
        (the same random numbers whatever the dtype) and rounded to ``dtype``.
    """

    nonlinear = False

    def __init__(self, n_in, n_out, *, rng, init="he", bias_init=0.0, weight_scale=None, dtype="float64"):
        n_in = _check_int(n_in, "n_in", "Dense")
        n_out = _check_int(n_out, "n_out", "Dense")
        _check_rng(rng, "Dense")
        dtype = _check_dtype(dtype, "Dense")
        self.W = initialise(init, (n_in, n_out), rng, weight_scale).astype(dtype, copy=False)
        self.b = np.full(n_out, float(bias_init), dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self._X = None

    @property
    def n_in(self):
        return self.W.shape[0]

    @property
    def n_out(self):
        return self.W.shape[1]

    def forward(self, X):
        self._X = X
        Z = X @ self.W
        Z += self.b  # in place: the values of X @ W + b without a second (batch, n_out) array
        return Z

    def backward(self, dout, input_grad=True):
        """Fill dW, db; return dL/dX (``None`` with ``input_grad=False``: nothing needs it
        for the first layer during training, and it costs as much as the forward pass)."""
        np.matmul(self._X.T, dout, out=self.dW)
        np.sum(dout, axis=0, out=self.db)
        return dout @ self.W.T if input_grad else None

    def params(self):
        return [self.W, self.b]

    def grads(self):
        return [self.dW, self.db]

    def affine_layers(self):
        return [self]

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out})"


_DTYPES = {"float64": np.float64, "float32": np.float32}


def _check_dtype(dtype, fname):
    """``np.float64`` or ``np.float32`` for a dtype spelled any NumPy way."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in _DTYPES:
        raise ValueError(f"{fname}(): dtype must be float64 or float32, got {dtype!r}")
    return _DTYPES[name]


class ActivationLayer(Layer):
    """Elementwise activation a = f(z); backward multiplies by f'(z) (``Activation.grad``).

    The kink convention is the kernels' (PyTorch's): relu'(0) = 0, and so on.
    """

    def __init__(self, activation):
        self.activation = as_activation(activation, "ActivationLayer")
        self.name = self.activation.name
        self._z = None

    def forward(self, X):
        self._z = X
        return self.activation(X)

    def backward(self, dout):
        return dout * self.activation.grad(self._z)

    def derivative(self, z):
        """f'(z): what :func:`activations.experiments.dead_units` inspects."""
        return self.activation.grad(z)

    def __repr__(self):
        return f"ActivationLayer({self.activation!r})"


class PReLU(Layer):
    """Parametric ReLU with a learnable slope α (He et al. 2015).

    f(z) = z for z > 0, α z otherwise; df/dz = 1 or α; df/dα = 0 or z
    (``kernels.prelu_grad_alpha``).  With ``n_units=None`` one α is shared by the
    whole layer (dL/dα sums over samples and units); with ``n_units=k`` each unit
    has its own α (dL/dα_j sums over samples).
    """

    name = "learnable_prelu"

    def __init__(self, n_units=None, *, alpha=0.25):
        size = 1 if n_units is None else _check_int(n_units, "n_units", "PReLU")
        self.shared = n_units is None
        self.alpha = np.full(size, float(alpha))
        self.dalpha = np.zeros_like(self.alpha)
        self._z = None

    # The registry's prelu kernels take one scalar α; here α is a vector broadcast over
    # the units, so the two lines below are the kernels' formulas with that broadcast.
    def forward(self, X):
        self._z = X
        return np.where(X > 0, X, self.alpha * X)

    def derivative(self, z):
        return np.where(z > 0, 1.0, np.broadcast_to(self.alpha, z.shape[-1:]))

    def backward(self, dout):
        z = self._z
        # prelu_grad_alpha does not depend on α: it is z where z <= 0, else 0.
        g = dout * kernels.prelu_grad_alpha(z)
        self.dalpha[...] = g.sum() if self.shared else g.sum(axis=0)
        return dout * self.derivative(z)

    def params(self):
        return [self.alpha]

    def grads(self):
        return [self.dalpha]

    def __repr__(self):
        return f"PReLU(alpha={self.alpha.tolist()})"


class _AffineFed(Layer):
    """A nonlinearity with its own :class:`Dense` (``self.dense``) in front: its parameters are the
    affine map's, and what is recorded as its pre-activation is the affine output ``self._z``
    (gradient ``self._dz``), which ``forward``/``backward`` set."""

    def params(self):
        return self.dense.params()

    def grads(self):
        return self.dense.grads()

    def affine_layers(self):
        return [self.dense]

    def pre_activation(self, X):
        return self._z

    def pre_activation_grad(self, dX):
        return self._dz


class Maxout(_AffineFed):
    """Maxout layer (Goodfellow et al. 2013): ``pieces`` affine maps per unit, keep the max.

    h_j = max_k (X W + b)_{j*pieces + k}.  Forward uses :func:`activations.maxout`;
    backward routes each unit's gradient to the piece that won (the first one on ties,
    as ``np.argmax``).  The default init is LeCun (see :func:`auto_init` for why not He).
    """

    name = "maxout"

    def __init__(self, n_in, n_out, pieces, *, rng, init="lecun", bias_init=0.0, weight_scale=None):
        n_out = _check_int(n_out, "n_out", "Maxout")
        self.pieces = _check_int(pieces, "pieces", "Maxout")
        self.dense = Dense(
            n_in, n_out * self.pieces, rng=rng, init=init, bias_init=bias_init, weight_scale=weight_scale
        )
        self.n_out = n_out
        self._z = self._dz = None

    def forward(self, X):
        self._z = self.dense.forward(X)  # recorded pre-activation: width n_out * pieces
        return maxout(self._z, self.pieces, axis=-1)

    def backward(self, dout):
        z = self._z.reshape(len(self._z), self.n_out, self.pieces)
        winner = np.argmax(z, axis=-1)[..., None]
        dz = np.zeros_like(z)
        np.put_along_axis(dz, winner, dout[..., None], axis=-1)
        self._dz = dz.reshape(self._z.shape)
        return self.dense.backward(self._dz)

    def dead_mask(self, pre):
        return np.zeros(self.n_out, dtype=bool)  # some piece always wins and gets the gradient

    def __repr__(self):
        return f"Maxout({self.dense.n_in}, {self.n_out}, pieces={self.pieces})"


class Gated(_AffineFed):
    """A gated unit (GLU family) with its own affine map: h = a g(b), (a, b) = split(X W + b).

    One :class:`Dense` of width ``2 n_out`` feeds the unit; its first ``n_out`` outputs are
    the values a, the last ``n_out`` the gates b (``torch.nn.functional.glu``).  Backward:
    dL/da = G ∂h/∂a, dL/db = G ∂h/∂b (:meth:`activations.GatedActivation.partials`), then
    through the affine map.  The recorded pre-activation is the affine output (width 2 n_out).
    """

    def __init__(self, n_in, n_out, unit="glu", *, rng, init="xavier", bias_init=0.0, weight_scale=None):
        n_out = _check_int(n_out, "n_out", "Gated")
        self.unit = unit if isinstance(unit, GatedActivation) else get_gated(unit)
        self.name = self.unit.name
        self.dense = Dense(n_in, 2 * n_out, rng=rng, init=init, bias_init=bias_init, weight_scale=weight_scale)
        self.n_out = n_out
        self._z = self._dz = None

    def forward(self, X):
        self._z = self.dense.forward(X)
        return self.unit(self._z, axis=-1)

    def backward(self, dout):
        self._dz = self.unit.backward(self._z, dout, axis=-1)
        return self.dense.backward(self._dz)

    def dead_mask(self, pre):
        a, b = np.split(pre, 2, axis=-1)
        da, db = self.unit.partials(a, b)
        return np.all((da == 0) & (db == 0), axis=0)

    def __repr__(self):
        return f"Gated({self.dense.n_in}, {self.n_out}, {self.name!r})"


# --- containers -----------------------------------------------------------------------


class Sequential:
    """A stack of layers.

    Every layer with ``nonlinear = True`` (ActivationLayer, PReLU, Maxout, Gated or a
    custom :class:`Layer`; not :class:`Dense`) is recorded; an MLP's output activation is
    not counted as hidden.  After ``forward(X)``: ``pre[i]`` / ``post[i]`` are the
    pre-activation (``layer.pre_activation``: the input, or the affine output of a layer
    with its own affine map) / output of hidden layer i.  After ``backward``:
    ``delta[i]`` = dL/d pre[i].
    """

    def __init__(self, layers):
        self.layers = list(layers)
        for layer in self.layers:
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential(): expected Layer objects, got {type(layer).__name__}")
        self.pre: list[np.ndarray] = []
        self.post: list[np.ndarray] = []
        self.delta: list[np.ndarray] = []
        affine = [dense for layer in self.layers for dense in layer.affine_layers()]
        #: Dtype of inputs, activations and gradients: the parameters' (float64 by default).
        self.dtype = affine[0].W.dtype.type if affine else np.float64
        self._hidden = [layer for layer in self.layers if layer.nonlinear]
        # The output activation of an MLP is not a hidden layer.
        self._output_layer = None

    @property
    def hidden_layers(self) -> list[Layer]:
        """The nonlinear layers whose inputs/outputs are cached in ``pre``/``post``."""
        return [layer for layer in self._hidden if layer is not self._output_layer]

    @property
    def dense_layers(self) -> list[Dense]:
        """Every affine map in order (inside Maxout and gated layers too): layer 1 is nearest the input."""
        return [dense for layer in self.layers for dense in layer.affine_layers()]

    def forward(self, X):
        """Output for a batch ``X`` of shape (n_samples, n_in); caches ``pre``/``post``."""
        first = self.dense_layers[0] if self.dense_layers else None
        h = _as_batch(X, "forward", first.n_in if first is not None else None, self.dtype)
        hidden = set(map(id, self.hidden_layers))
        pre, post = [], []
        for layer in self.layers:
            out = layer.forward(h)
            if id(layer) in hidden:
                pre.append(layer.pre_activation(h))
                post.append(out)
            h = out
        self.pre, self.post = pre, post
        return h

    __call__ = forward

    def backward(self, dout, input_grad=True):
        """Backpropagate dL/d(output); fills :meth:`grads` and returns dL/dX.

        With ``input_grad=False`` and a :class:`Dense` first layer, dL/dX is not
        computed (``None`` is returned): :func:`train` does not need it.
        """
        g = np.asarray(dout, dtype=self.dtype)
        hidden = set(map(id, self.hidden_layers))
        delta = []
        first = self.layers[0]
        for layer in reversed(self.layers):
            if layer is first and not input_grad and type(layer) is Dense:
                g = layer.backward(g, input_grad=False)
                continue
            g = layer.backward(g)
            if id(layer) in hidden:
                delta.append(layer.pre_activation_grad(g))
        self.delta = delta[::-1]
        return g

    def params(self) -> list[np.ndarray]:
        """Parameter arrays (updated in place by optimisers), aligned with :meth:`grads`."""
        return [p for layer in self.layers for p in layer.params()]

    def grads(self) -> list[np.ndarray]:
        return [g for layer in self.layers for g in layer.grads()]

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params()))

    def predict(self, X):
        """Class labels: argmax of the outputs, or (output > 0) for a single output unit."""
        out = self.forward(X)
        if out.shape[1] == 1:
            return (out[:, 0] > 0).astype(np.int64)
        return np.argmax(out, axis=1)

    def predict_proba(self, X):
        """Softmax of the outputs (sigmoid for a single output unit)."""
        out = self.forward(X)
        if out.shape[1] == 1:
            return sigmoid(out[:, 0])
        return softmax(out, axis=1)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(map(repr, self.layers))})"


def _hidden_layer(spec, n_in, n_out, *, rng, init, bias_init, weight_scale, pieces, dtype=np.float64):
    """(layers, activation name) for one hidden layer."""
    if callable(spec) and not isinstance(spec, (str, Activation)):
        layer = spec(n_out)
        if not isinstance(layer, Layer):
            raise TypeError(f"MLP(): activation factory returned {type(layer).__name__}, expected a Layer")
        name = getattr(layer, "name", "custom")
        winit = auto_init(name) if init == "auto" else init
        return [Dense(n_in, n_out, rng=rng, init=winit, bias_init=bias_init, weight_scale=weight_scale), layer]
    if spec == "maxout":
        winit = auto_init("maxout") if init == "auto" else init
        return [Maxout(n_in, n_out, pieces, rng=rng, init=winit, bias_init=bias_init, weight_scale=weight_scale)]
    if isinstance(spec, str) and spec in GATED:
        winit = GATED[spec].init if init == "auto" else init
        return [Gated(n_in, n_out, spec, rng=rng, init=winit, bias_init=bias_init, weight_scale=weight_scale)]
    if spec == "learnable_prelu":
        winit = auto_init("prelu") if init == "auto" else init
        return [Dense(n_in, n_out, rng=rng, init=winit, bias_init=bias_init, weight_scale=weight_scale), PReLU(n_out)]
    a = as_activation(spec, "MLP")
    winit = auto_init(a) if init == "auto" else init
    dense = Dense(n_in, n_out, rng=rng, init=winit, bias_init=bias_init, weight_scale=weight_scale, dtype=dtype)
    return [dense, ActivationLayer(a)]


class MLP(Sequential):
    """Multi-layer perceptron: (Dense -> activation) per hidden layer, then a Dense output.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_in, h1, ..., n_out]``; at least two entries.
    activation : str, Activation, callable or list
        One hidden activation for every hidden layer, or a list with one per hidden
        layer.  Besides registered names: ``"maxout"`` (Maxout layers with
        ``pieces`` pieces), a gated unit such as ``"glu"`` (:class:`Gated`),
        ``"learnable_prelu"`` (PReLU with one learnable α per unit), or a callable
        ``width -> Layer`` (e.g. ``lambda n: nn.PReLU()``).
    rng : numpy.random.Generator
    init : str
        ``"auto"``: the variance derived for the activation (:func:`auto_init`;
        the output layer: Xavier).  Any :func:`initialise` name
        applies to every layer.
    bias_init : float
        Initial bias of the hidden layers (the output bias starts at 0).
    output : str
        ``"linear"`` (logits, for the losses below) or a registered activation
        applied elementwise to the output.
    weight_scale : float, optional
        Gain passed to every hidden layer's initialiser.
    pieces : int
        Pieces per Maxout unit (only with ``activation="maxout"``).
    dtype : {"float64", "float32"}
        Dtype of the parameters, activations and gradients.  float64 (the default) is
        what every result of the course uses; float32 halves memory traffic and speeds
        up the matrix products.  The initial weights are the same random draws in either
        dtype.  float32 is offered for elementwise activations (registered names or
        :class:`Activation` objects) only.
    """

    def __init__(
        self,
        sizes,
        activation="relu",
        *,
        rng,
        init="auto",
        bias_init=0.0,
        output="linear",
        weight_scale=None,
        pieces=2,
        dtype="float64",
    ):
        _check_rng(rng, "MLP")
        dtype = _check_dtype(dtype, "MLP")
        sizes = [_check_int(s, "sizes entries", "MLP") for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"MLP(): sizes needs at least [n_in, n_out], got {sizes}")
        n_hidden = len(sizes) - 2
        if isinstance(activation, (list, tuple)):
            if len(activation) != n_hidden:
                raise ValueError(f"MLP(): {len(activation)} activations given for {n_hidden} hidden layers")
            specs = list(activation)
        else:
            specs = [activation] * n_hidden
        if dtype is not np.float64:
            for spec in specs:
                if not isinstance(spec, (str, Activation)) or spec in ("maxout", "learnable_prelu") or spec in GATED:
                    raise ValueError(f"MLP(): dtype={np.dtype(dtype).name} needs elementwise activations, got {spec!r}")
        layers = []
        for i, spec in enumerate(specs):
            layers += _hidden_layer(
                spec,
                sizes[i],
                sizes[i + 1],
                rng=rng,
                init=init,
                bias_init=bias_init,
                weight_scale=weight_scale,
                pieces=pieces,
                dtype=dtype,
            )
        out_init = "xavier" if init == "auto" else init
        layers.append(Dense(sizes[-2], sizes[-1], rng=rng, init=out_init, dtype=dtype))
        output_layer = None
        if output != "linear":
            output_layer = ActivationLayer(output)
            layers.append(output_layer)
        super().__init__(layers)
        self._output_layer = output_layer
        self.sizes = sizes
        self.output = output
        self.activations = [getattr(layer, "name", "custom") for layer in self.hidden_layers]
