"""The course's protocol for comparing activations fairly, and its statistics.

Every "activation A trains better than B" claim in the book goes through this module:

1. **Initialisation from the activation**: hidden weights W ~ N(0, σ_w² / fan_in) with
   σ_w² = 1 / E[f(Z)²] (:mod:`activations.gains`), so no activation starts with a
   signal that grows or dies with depth because of a gain designed for another one.
2. **Learning rate tuned per activation** on a validation split carved from the
   training data: SGD with momentum 0.9 over a logarithmic grid (factor √10); if the
   best value is on an edge, the grid is extended by one step (up to a limit) and the
   final choice is flagged when it still sits on an edge.
3. **Paired seeds**: >= 10 seeds; seed s gives every activation the same data order
   and the same stream of standard-normal weight draws (scaled by its own σ_w), and
   all are scored on the same test set.  Tuning uses other seeds than evaluation.
4. **Paired differences with a t confidence interval** (and a bootstrap interval),
   and the **minimum detectable effect** of the design,
   MDE = (t_{1-α/2, n-1} + t_{power, n-1}) · s_d / √n,
   the true mean difference that this many seeds, with this spread of paired
   differences s_d, would detect with probability ``power`` at level α.
5. **A verdict** in {"supported", "contradicted", "not detectable with this design
   (MDE = ...)", "not testable here"} (:func:`verdict`).

Heavy sweeps run in ``make experiments`` (``python -m activations.protocol``), which
writes versioned JSON files to ``experiments/results/``; chapters read them with
:func:`load_results`, and the book re-runs a sample with :func:`reproduce` and asserts
with :func:`same_run` that it matches bit for bit, so every number is still computed by
the code shown.

Bit for bit needs the same floating-point code paths, and both OpenBLAS and NumPy pick
theirs from the CPU at start-up (an AVX-512 machine and an AVX2 machine differ in the last
bits of a matrix product).  :data:`PINNED_ENV` fixes them to the AVX2 ("x86-64-v3") paths
that every current x86-64 server has; ``make`` exports it, the book's Sphinx extension sets
it for the notebook kernels, and the command line re-executes itself under it.  Outside
it (a laptop's JupyterLab, an ARM machine) :func:`same_run` compares to 1e-6 instead.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np

from . import gains, nn
from .core import get
from .functional import sigmoid
from .spec import GATED

__all__ = [
    "SUPPORTED",
    "CONTRADICTED",
    "NOT_DETECTABLE",
    "NOT_TESTABLE",
    "VERDICTS",
    "Paired",
    "paired_difference",
    "mde",
    "verdict",
    "Config",
    "SPECS",
    "build_model",
    "FFN_PREFIX",
    "ffn_width",
    "ffn_model",
    "ffn_block_cost",
    "train_run",
    "tune_lr",
    "compare",
    "results_dir",
    "load_results",
    "write_results",
    "reproduce",
    "same_run",
    "PINNED_ENV",
    "pinned",
]

SUPPORTED = "supported"
CONTRADICTED = "contradicted"
NOT_DETECTABLE = "not detectable with this design"
NOT_TESTABLE = "not testable here"
#: The verdict vocabulary of the course (the first words of every verdict).
VERDICTS = (SUPPORTED, CONTRADICTED, NOT_DETECTABLE, NOT_TESTABLE)


# --- statistics ------------------------------------------------------------------------


def _as_sample(a, name, fname):
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{fname}(): {name} must be 1-d, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{fname}(): {name} must be finite")
    return arr


def _check_prob(p, name, fname):
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 < float(p) < 1.0:
        raise ValueError(f"{fname}(): {name} must lie strictly between 0 and 1, got {p!r}")
    return float(p)


def mde(sd, n, *, alpha=0.05, power=0.8) -> float:
    """Minimum detectable effect of a paired design with ``n`` pairs.

    MDE = (t_{1-α/2, n-1} + t_{power, n-1}) · sd / √n: if the true mean difference is
    MDE, a two-sided paired t-test at level α rejects "no difference" with probability
    about ``power`` (the usual normal-approximation formula with t quantiles).
    ``sd`` is the standard deviation of the paired differences.
    """
    from scipy import stats

    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"mde(): n must be an integer >= 2, got {n!r}")
    if isinstance(sd, bool) or not isinstance(sd, numbers.Real) or not (float(sd) >= 0 and math.isfinite(sd)):
        raise ValueError(f"mde(): sd must be finite and >= 0, got {sd!r}")
    alpha = _check_prob(alpha, "alpha", "mde")
    power = _check_prob(power, "power", "mde")
    df = n - 1
    return float((stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)) * float(sd) / math.sqrt(n))


class Paired(NamedTuple):
    """Result of :func:`paired_difference` (differences a - b)."""

    mean: float
    sd: float
    n: int
    ci_low: float
    ci_high: float
    boot_low: float
    boot_high: float
    mde: float
    p_value: float


def paired_difference(a, b, *, alpha=0.05, power=0.8, n_boot=10_000, seed=0) -> Paired:
    """Mean paired difference d = a - b with a t interval, a bootstrap interval and the MDE.

    t interval: mean(d) ± t_{1-α/2, n-1} · s_d / √n.  Bootstrap: percentile interval of
    the mean over ``n_boot`` resamples of the pairs (``np.random.default_rng(seed)``).
    ``p_value``: two-sided paired t-test of mean 0 (1.0 when every difference is 0).
    """
    from scipy import stats

    a = _as_sample(a, "a", "paired_difference")
    b = _as_sample(b, "b", "paired_difference")
    if a.shape != b.shape or len(a) < 2:
        raise ValueError(f"paired_difference(): need two samples of the same length >= 2, got {len(a)} and {len(b)}")
    alpha = _check_prob(alpha, "alpha", "paired_difference")
    d = a - b
    n = len(d)
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    half = float(stats.t.ppf(1 - alpha / 2, n - 1) * sd / math.sqrt(n))
    rng = np.random.default_rng(seed)
    boots = d[rng.integers(0, n, size=(n_boot, n))].mean(axis=1)
    lo, hi = np.quantile(boots, [alpha / 2, 1 - alpha / 2])
    p = 1.0 if sd == 0 else float(2 * stats.t.sf(abs(mean) / (sd / math.sqrt(n)), n - 1))
    return Paired(mean, sd, n, mean - half, mean + half, float(lo), float(hi), mde(sd, n, alpha=alpha, power=power), p)


def verdict(paired: Paired | None = None, *, direction=1, margin=0.0, testable=True, reason="") -> str:
    """The verdict on the claim "the difference is ``direction`` · (more than ``margin``)".

    With ``c = [lo, hi]`` the t interval of direction · d:

    * ``"supported"`` if lo > margin (the whole interval is on the claimed side);
    * ``"contradicted"`` if hi < margin (the claimed effect is excluded; with margin 0
      that means a difference in the *other* direction);
    * otherwise ``"not detectable with this design (MDE = ...)"``: the data cannot tell.

    ``testable=False`` gives ``"not testable here"`` (``reason`` is appended); use it
    when the experiment cannot reach the regime the claim is about.
    """
    if not testable:
        return NOT_TESTABLE + (f": {reason}" if reason else "")
    if not isinstance(paired, Paired):
        raise TypeError(f"verdict(): paired must be a Paired result, got {type(paired).__name__}")
    if direction not in (1, -1):
        raise ValueError(f"verdict(): direction must be +1 or -1, got {direction!r}")
    if isinstance(margin, bool) or not isinstance(margin, numbers.Real) or margin < 0:
        raise ValueError(f"verdict(): margin must be a real number >= 0, got {margin!r}")
    lo, hi = sorted((direction * paired.ci_low, direction * paired.ci_high))
    if lo > margin:
        return SUPPORTED
    if hi < margin:
        return CONTRADICTED
    return f"{NOT_DETECTABLE} (MDE = {paired.mde:.3f})"


# --- models ----------------------------------------------------------------------------


class AffineSigmoid(nn.Layer):
    """f(z) = a σ(z) + b: the ablations of the sigmoid (a = 1, b = -1/2 is the centred
    sigmoid σ - 1/2 = tanh(z/2)/2, same slope; a = 4, b = -2 is 4σ - 2 = 2 tanh(z/2),
    centred with slope 1 at 0)."""

    def __init__(self, a, b, name):
        self.a, self.b, self.name = float(a), float(b), name
        self._z = None

    def forward(self, X):
        self._z = X
        return self.a * sigmoid(X) + self.b

    def derivative(self, z):
        return self.a * get("sigmoid").grad(z)

    def backward(self, dout):
        return dout * self.derivative(self._z)


def _affine_sigmoid_variance(a, b):
    m = gains.gaussian_moments("sigmoid")
    return 1.0 / (a * a * m.second + 2 * a * b * m.mean + b * b)


#: Model families the protocol knows: name -> (hidden layer factory or None, init).
#: ``None`` as factory: a registered activation (ActivationLayer).  "linear_model" has
#: no hidden layer at all (multinomial logistic regression).
SPECS = {
    "sigmoid_centred": (lambda: AffineSigmoid(1.0, -0.5, "sigmoid_centred"), _affine_sigmoid_variance(1.0, -0.5)),
    "sigmoid_x4": (lambda: AffineSigmoid(4.0, -2.0, "sigmoid_x4"), _affine_sigmoid_variance(4.0, -2.0)),
}


def build_model(spec, sizes, *, rng, init="derived"):
    """An MLP ``sizes = [n_in, h1, ..., n_out]`` for the protocol.

    ``spec``: a registered activation name, "maxout", one of :data:`SPECS`,
    "linear_model" (``sizes`` must then be [n_in, n_out]), or an activation with
    normalisation / residual suffixes, "relu+bn", "relu+res", "relu+bn+res"
    (:func:`_normalised_model`, chapter 3).  Hidden layers get the
    derived initialisation (``init="derived"``) or a named :mod:`activations.nn`
    initialiser; the output layer is Glorot uniform, as in :class:`nn.MLP`.
    """
    if isinstance(spec, str) and spec.startswith(FFN_PREFIX):
        return ffn_model(spec[len(FFN_PREFIX) :], sizes, rng=rng, init=init)
    if spec == "linear_model":
        if len(sizes) != 2:
            raise ValueError(f"build_model(): linear_model takes sizes [n_in, n_out], got {sizes}")
        return nn.Sequential([nn.Dense(sizes[0], sizes[1], rng=rng, init="xavier")])
    if spec in SPECS:
        factory, sw2 = SPECS[spec]
        hidden_init = gains.DerivedInit(sigma_w2=sw2, label=spec) if init == "derived" else init
        layers = []
        for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
            layers += [nn.Dense(n_in, n_out, rng=rng, init=hidden_init), factory()]
        layers.append(nn.Dense(sizes[-2], sizes[-1], rng=rng, init="xavier"))
        return nn.Sequential(layers)
    if isinstance(spec, str) and "+" in spec:
        return _normalised_model(spec, sizes, rng=rng, init=init)
    return nn.MLP(sizes, spec, rng=rng, init="auto" if init == "derived" else init)


# --- feed-forward blocks at matched parameters (chapter 7, issue 14) ----------------------

#: ``build_model("ffn_<unit>", [n_in, d, n_out])``: the model of :func:`ffn_model`.
FFN_PREFIX = "ffn_"


def ffn_width(unit, d) -> int:
    """Hidden width of the feed-forward block of model width ``d``: 4d for an elementwise
    activation, 2/3 · 4d = 8d/3 for a gated unit (``d`` must then be a multiple of 3), so
    that both blocks have 8d² weights: d·4d + 4d·d = 8d² and d·2(8d/3) + (8d/3)·d = 8d²."""
    if unit not in GATED:
        return 4 * d
    if d % 3:
        raise ValueError(f"ffn_width(): a gated block needs d divisible by 3 for the 2/3 width, got d={d}")
    return 8 * d // 3


def ffn_model(unit, sizes, *, rng, init="derived"):
    """Input map, one feed-forward block, output map: ``sizes = [n_in, d, n_out]``.

    Dense(n_in, d) → block → Dense(d, n_out), the block being Dense(d, 4d) → f → Dense(4d, d)
    for an elementwise activation f, or Gated(d, 8d/3, unit) → Dense(8d/3, d) for a gated unit
    h = a ⊙ g(b) (the gated layer holds the two projections a, b as one Dense(d, 2·8d/3)).
    Initialisation (``init="derived"``): the linear input map and the block's first projection
    N(0, 1/fan_in) (their inputs have second moment 1 and nothing nonlinear precedes them);
    the block's down-projection N(0, σ_w²/fan_in) with σ_w² = 1/E[h²] for unit-variance
    pre-activations, i.e. 1/E[f(Z)²], and 1/(E[Z²] E[g(Z)²]) = 1/E[g(Z)²] for a gated unit
    with independent a, b ~ N(0, 1); the output map Glorot uniform, as in :func:`build_model`.
    """
    if len(sizes) != 3:
        raise ValueError(f"ffn_model(): sizes must be [n_in, d, n_out], got {sizes}")
    n_in, d, n_out = sizes
    width = ffn_width(unit, d)
    if init == "derived":
        first = gains.DerivedInit(sigma_w2=1.0, label="linear")
        second = gains.gaussian_moments(GATED[unit].gate if unit in GATED else unit).second
        down = gains.DerivedInit(sigma_w2=1.0 / second, label=f"after {unit}")
    else:
        first = down = init
    layers = [nn.Dense(n_in, d, rng=rng, init=first)]
    if unit in GATED:
        layers.append(nn.Gated(d, width, unit, rng=rng, init=first))
    else:
        layers += [nn.Dense(d, width, rng=rng, init=first), nn.ActivationLayer(get(unit))]
    layers += [nn.Dense(width, d, rng=rng, init=down), nn.Dense(d, n_out, rng=rng, init="xavier")]
    return nn.Sequential(layers)


def ffn_block_cost(unit, d) -> dict:
    """Parameters and multiply–adds per example of the feed-forward block of width ``d``.

    ``weights`` / ``biases`` / ``params``: of the block's projections; ``macs``: multiply–adds of
    its matrix products per example (one per weight); ``elementwise``: activations evaluated per
    example (4d, or 8d/3 gates), plus the 8d/3 products a ⊙ g(b) of a gated unit (``products``).
    """
    width = ffn_width(unit, d)
    up = 2 * width if unit in GATED else width
    weights = d * up + width * d
    biases = up + d
    return {
        "unit": unit,
        "d": d,
        "width": width,
        "weights": weights,
        "biases": biases,
        "params": weights + biases,
        "macs": weights,
        "elementwise": width,
        "products": width if unit in GATED else 0,
    }


#: Suffixes of a spec "activation+bn", "activation+res", "activation+bn+res" (chapter 3).
NORM_RES_SUFFIXES = ("bn", "res")


def _normalised_model(spec, sizes, *, rng, init="derived"):
    """Chapter 3's deep models, one activation layer per hidden entry of ``sizes``.

    ``act+bn``: Dense -> BatchNorm -> act per hidden layer.  ``act+res``: a Dense stem
    (input -> width), then one pre-activation residual block x + s·W f(x) per hidden
    layer with s = 1/√L (L blocks), so the second moment grows by at most (1 + 1/L)^L ≤ e.
    ``act+bn+res``: the same blocks with BatchNorm first, x + s·W f(BN(x)) (pre-norm).
    Hidden weights: the derived variance of the activation; output layer: Glorot uniform.
    """
    act, *suffixes = spec.split("+")
    if not suffixes or len(set(suffixes)) != len(suffixes) or not set(suffixes) <= set(NORM_RES_SUFFIXES):
        raise ValueError(f"build_model(): unknown spec {spec!r}; suffixes are +bn, +res, +bn+res")
    hidden_init = gains.derived_init(act) if init == "derived" else init
    widths = sizes[1:-1]
    if not widths:
        raise ValueError(f"build_model(): {spec!r} needs at least one hidden layer, got sizes {sizes}")
    bn = "bn" in suffixes
    layers = []
    if "res" in suffixes:
        if len(set(widths)) != 1:
            raise ValueError(f"build_model(): residual specs need equal hidden widths, got {widths}")
        width, depth = widths[0], len(widths)
        layers.append(nn.Dense(sizes[0], width, rng=rng, init="lecun"))
        for _ in range(depth):
            inner = [nn.ActivationLayer(act), nn.Dense(width, width, rng=rng, init=hidden_init)]
            layers.append(nn.Residual(inner, nn.BatchNorm(width) if bn else None, scale=1.0 / math.sqrt(depth)))
    else:
        for n_in, n_out in zip(sizes[:-2], widths):
            layers += [nn.Dense(n_in, n_out, rng=rng, init=hidden_init), nn.BatchNorm(n_out), nn.ActivationLayer(act)]
    layers.append(nn.Dense(sizes[-2], sizes[-1], rng=rng, init="xavier"))
    return nn.Sequential(layers)


# --- training runs ---------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """One experimental design (stored with every result file)."""

    data: str = "mnist"
    hidden: tuple = (32, 32)
    epochs: int = 8
    batch_size: int = 64
    momentum: float = 0.9
    lr_grid: tuple = (0.01, 0.0316, 0.1, 0.316)
    lr_extend: int = 1
    tune_seeds: tuple = (1000, 1001)
    seeds: tuple = tuple(range(10))
    init: str = "derived"

    def as_dict(self):
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def _load_data(name):
    from . import data

    if name == "mnist":
        return data.mnist()
    if name == "digits":
        X_tr, X_te, y_tr, y_te = data.digits(seed=0)
        n_val = len(X_tr) // 5
        return X_tr[n_val:], X_tr[:n_val], X_te, y_tr[n_val:], y_tr[:n_val], y_te
    raise ValueError(f"unknown data set {name!r}; valid: 'mnist', 'digits'")


_DATA_CACHE: dict = {}


def _data(name):
    if name not in _DATA_CACHE:
        _DATA_CACHE[name] = _load_data(name)
    return _DATA_CACHE[name]


def train_run(spec, lr, seed, cfg: Config, *, evaluate="test"):
    """Train one model; return its learning curves and final accuracy.

    Seed s: weights from ``default_rng([s, 0])``, data order from ``default_rng([s, 1])``,
    so two activations with the same seed see the same batches in the same order.
    ``evaluate="val"`` (tuning) scores on the validation split, ``"test"`` on the test
    split; the curves are always the validation accuracy and training loss per epoch.
    """
    X_tr, X_val, X_te, y_tr, y_val, y_te = _data(cfg.data)
    n_out = int(y_tr.max()) + 1
    sizes = [X_tr.shape[1], n_out] if spec == "linear_model" else [X_tr.shape[1], *cfg.hidden, n_out]
    model = build_model(spec, sizes, rng=np.random.default_rng([seed, 0]), init=cfg.init)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        hist = nn.train(
            model,
            X_tr,
            y_tr,
            optimizer=nn.SGD(lr, momentum=cfg.momentum),
            epochs=cfg.epochs,
            batch_size=cfg.batch_size,
            rng=np.random.default_rng([seed, 1]),
            X_val=X_val,
            y_val=y_val,
        )
        X_eval, y_eval = (X_val, y_val) if evaluate == "val" else (X_te, y_te)
        pred = model.predict(X_eval)
    correct = int(np.sum(pred == y_eval))
    loss = [float(v) if np.isfinite(v) else None for v in hist.loss]
    return {
        "spec": spec,
        "lr": lr,
        "seed": seed,
        "evaluate": evaluate,
        "correct": correct,
        "n": int(len(y_eval)),
        "acc": correct / len(y_eval),
        "val_acc": [float(v) for v in hist.val_acc],
        "train_loss": loss,
        "seconds": hist.seconds,
    }


def _pool_map(fn, jobs, workers):
    if workers <= 1:
        return [fn(*j) for j in jobs]
    import multiprocessing as mp

    with mp.get_context("fork").Pool(workers) as pool:
        return pool.starmap(fn, jobs)


def _tune_job(spec, lr, seed, cfg):
    return train_run(spec, lr, seed, cfg, evaluate="val")


def tune_lr(specs, cfg: Config, *, workers=1):
    """Per-activation learning rate: the grid value with the highest mean final validation
    accuracy over ``cfg.tune_seeds``; a best value on an edge extends the grid by one
    √10 step in that direction (at most ``cfg.lr_extend`` times), and ``on_edge`` records
    whether the final choice is still on the edge of what was tried."""
    runs = {s: {} for s in specs}
    pending = {s: list(cfg.lr_grid) for s in specs}
    out = {}
    for round_ in range(cfg.lr_extend + 1):
        jobs = [(s, lr, seed, cfg) for s, lrs in pending.items() for lr in lrs for seed in cfg.tune_seeds]
        for r in _pool_map(_tune_job, jobs, workers):
            runs[r["spec"]].setdefault(r["lr"], []).append(r)
        pending = {}
        for s in specs:
            grid = sorted(runs[s])
            score = [float(np.mean([r["acc"] for r in runs[s][lr]])) for lr in grid]
            best = grid[int(np.argmax(score))]
            out[s] = {"grid": grid, "val_acc": score, "best_lr": best, "on_edge": best in (grid[0], grid[-1])}
            if round_ < cfg.lr_extend and best == grid[-1]:
                pending[s] = [float(f"{best * 10**0.5:.3g}")]
            elif round_ < cfg.lr_extend and best == grid[0]:
                pending[s] = [float(f"{best / 10**0.5:.3g}")]
        if not pending:
            break
    for s in specs:
        out[s]["curves"] = {str(lr): [r["val_acc"] for r in runs[s][lr]] for lr in sorted(runs[s])}
    return out


def compare(specs, cfg: Config, *, lrs=None, workers=1):
    """Tune (unless ``lrs`` is given), then train every spec with every seed of ``cfg.seeds``
    at its learning rate; returns {"tuning": ..., "runs": {spec: [run per seed]}}."""
    tuning = tune_lr(specs, cfg, workers=workers) if lrs is None else None
    chosen = {s: (lrs[s] if lrs is not None else tuning[s]["best_lr"]) for s in specs}
    jobs = [(s, chosen[s], seed, cfg) for s in specs for seed in cfg.seeds]
    results = _pool_map(train_run, jobs, workers)
    runs = {s: [r for r in results if r["spec"] == s] for s in specs}
    return {"tuning": tuning, "lr": chosen, "runs": runs}


# --- result files ----------------------------------------------------------------------


def results_dir():
    """``experiments/results`` of the repository (or ``$ACTIVATIONS_RESULTS``)."""
    env = os.environ.get("ACTIVATIONS_RESULTS")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "experiments", "results"))


def _meta(cfg, wall):
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=os.path.dirname(__file__)
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "format": 1,
        "commit": commit,
        "machine": " ".join(p for p in (platform.machine(), platform.processor(), f"{os.cpu_count()} cpus") if p),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "pinned_env": pinned(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "wall_seconds": round(wall, 1),
        "config": cfg.as_dict(),
    }


def write_results(name, payload, cfg: Config, wall):
    """Write ``{meta, **payload}`` to ``results_dir()/name.json`` and return the path."""
    os.makedirs(results_dir(), exist_ok=True)
    path = os.path.join(results_dir(), f"{name}.json")
    with open(path, "w") as fh:
        json.dump({"meta": _meta(cfg, wall), **payload}, fh, indent=1, sort_keys=True)
        fh.write("\n")
    return path


def load_results(name):
    """The dict stored by :func:`write_results` (``meta["config"]`` rebuilt as a :class:`Config`)."""
    path = os.path.join(results_dir(), f"{name}.json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_results(): {path} does not exist; run `make experiments`")
    with open(path) as fh:
        res = json.load(fh)
    res["config"] = Config(**{k: tuple(v) if isinstance(v, list) else v for k, v in res["meta"]["config"].items()})
    return res


def reproduce(res, spec, seed):
    """Re-run one stored evaluation run and return (stored, fresh); the caller asserts
    they are equal (same correct count and the same learning curve, bit for bit)."""
    stored = next(r for r in res["runs"][spec] if r["seed"] == seed)
    fresh = train_run(spec, stored["lr"], seed, res["config"])
    return stored, fresh


#: The environment under which result files are written and reproduced bit for bit: one
#: BLAS thread, OpenBLAS's Haswell (AVX2) kernels and NumPy's AVX2 dispatch, whatever the CPU.
PINNED_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}


def _x86() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def pinned(environ=None) -> bool:
    """True when ``environ`` (default: this process's) holds :data:`PINNED_ENV` on x86-64.

    The variables act when NumPy is imported, so a process that set them later is not pinned
    in fact; ``make``, the book build and the command line set them before starting Python.
    """
    environ = os.environ if environ is None else environ
    return _x86() and all(environ.get(k) == v for k, v in PINNED_ENV.items())


def same_run(stored, fresh) -> bool:
    """Whether a re-run (``fresh``) reproduces a stored run: bit for bit under
    :data:`PINNED_ENV`; elsewhere the same correct count and curves equal to 1e-6
    (other CPUs round a few matrix products differently in the last bit)."""
    keys = ("correct", "val_acc", "train_loss")
    if pinned():
        return all(stored[k] == fresh[k] for k in keys)
    return stored["correct"] == fresh["correct"] and all(
        np.allclose(stored[k], fresh[k], rtol=1e-6, atol=1e-9) for k in keys[1:]
    )


def accuracies(res, spec):
    """Test accuracies of ``spec`` ordered by seed (for :func:`paired_difference`)."""
    return np.array([r["acc"] for r in sorted(res["runs"][spec], key=lambda r: r["seed"])])


# --- the experiments of the book (make experiments) ------------------------------------

#: Name -> (specs, Config) of every sweep ``make experiments`` runs.
EXPERIMENTS = {
    "hidden_mnist": (
        ["relu", "leaky_relu", "elu", "gelu", "silu", "maxout", "tanh", "sigmoid", "sigmoid_centred", "sigmoid_x4"],
        Config(),
    ),
    "linear_vs_mlp_mnist": (["linear_model", "relu"], Config(hidden=(32,))),
    # ch3 (Leaky ReLU, PReLU) and ch4 (SELU): the same design as hidden_mnist.
    "relu_family_mnist": (["relu", "leaky_relu", "learnable_prelu", "selu"], Config()),
    # ch7 (issue 14): one feed-forward block, ungated 4d wide vs gated 8d/3 wide (matched parameters).
    "gated_ffn_mnist": (
        ["ffn_gelu", "ffn_relu", "ffn_swiglu", "ffn_geglu", "ffn_reglu"],
        Config(
            hidden=(48,),
            # half-decade steps: the gated blocks' best rate sits next to where SGD diverges
            lr_grid=(0.001, 0.00178, 0.00316, 0.00562, 0.01, 0.0178, 0.0316),
            seeds=tuple(range(20)),
        ),
    ),
}

# Chapter 3 (initialisation, normalisation, residual connections): "when does the activation
# stop mattering?" -- activation x {plain, +BatchNorm} x {plain, +residual} x depth, width 32,
# 3 epochs, a 3-point learning-rate grid (extended once at an edge), 10 paired seeds.
_DEPTH_CFG = {"epochs": 3, "lr_grid": (0.01, 0.0316, 0.1)}
_DEPTH_SPECS = {
    10: ["relu", "silu", "selu", "tanh", "sigmoid", "relu+bn"],
    30: [
        *("relu", "relu+bn", "relu+res", "relu+bn+res"),
        *("silu", "silu+bn", "silu+res", "silu+bn+res"),
        *("selu", "tanh", "tanh+bn", "tanh+res", "sigmoid", "sigmoid+bn", "sigmoid+res"),
    ],
    50: ["relu", "silu", "relu+bn", "silu+bn"],
}
EXPERIMENTS.update(
    {
        f"depth{depth}_mnist": (specs, Config(hidden=(32,) * depth, **_DEPTH_CFG))
        for depth, specs in _DEPTH_SPECS.items()
    }
)


def run_experiment(name, *, workers=2):
    specs, cfg = EXPERIMENTS[name]
    _data(cfg.data)  # load once, before the worker processes fork
    start = time.perf_counter()
    res = compare(specs, cfg, workers=workers)
    wall = time.perf_counter() - start
    return write_results(name, res, cfg, wall)


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m activations.protocol", description="Run the book's sweeps.")
    parser.add_argument("names", nargs="*", default=list(EXPERIMENTS), help="experiments (default: all)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if not pinned() and _x86():
        # Result files are written under the pinned numerics (see the module docstring).
        env = {**os.environ, **PINNED_ENV}
        os.execve(sys.executable, [sys.executable, "-m", "activations.protocol", *sys.argv[1:]], env)
    total = time.perf_counter()
    for name in args.names:
        t = time.perf_counter()
        path = run_experiment(name, workers=args.workers)
        print(f"{name}: {time.perf_counter() - t:.0f} s -> {path}", flush=True)
    print(f"all: {time.perf_counter() - total:.0f} s", flush=True)


if __name__ == "__main__":
    main()
