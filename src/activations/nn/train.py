"""Mini-batch training loop, its :class:`History` and :func:`accuracy`."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import numpy as np

from .._validation import as_batch as _as_batch
from .._validation import as_labels as _as_labels
from .._validation import check_int as _check_int
from .._validation import check_rng as _check_rng
from .layers import Sequential
from .losses import loss_function as _loss_fn
from .normalization import set_training


def single_thread_blas():
    """Limit BLAS to one thread while training.

    The matrices here are tiny (batch 32 x 64 units): a multi-threaded BLAS spends more
    time synchronising threads than multiplying (measured ~5x slower on a loaded
    2-core machine).  threadpoolctl ships with scikit-learn; without it, do nothing.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn (and threadpoolctl) is pinned
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@dataclass
class History:
    """Per-epoch record of :func:`train`.

    ``loss``: mean training loss over the epoch's mini-batches (sample-weighted);
    ``train_acc`` / ``val_acc``: accuracy after the epoch (empty for ``mse`` /
    without validation data); ``val_loss``; ``grad_norms``: array (epochs, n_dense)
    of the mean Frobenius norm of dL/dW per affine layer (layer 1 nearest the input),
    filled when ``record_grad_norms=True``; ``seconds``: wall time of training.
    """

    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    grad_norms: np.ndarray | None = None
    seconds: float = 0.0

    def __getitem__(self, key):  # dict-style access, e.g. history["val_acc"]
        return getattr(self, key)


def accuracy(model, X, y) -> float:
    """Fraction of correct predictions.

    For class labels ``y`` of shape (N,): the fraction of samples whose predicted class
    (``model.predict``) equals ``y``.  For multi-label 0/1 targets of shape (N, K), K > 1
    (one sigmoid per label): the fraction of the N*K labels with (logit > 0) == target.
    """
    targets = np.asarray(y)
    if targets.ndim == 2 and targets.shape[1] > 1:
        out = model.forward(X)
        if out.shape != targets.shape:
            raise ValueError(f"accuracy(): targets of shape {targets.shape} for outputs of shape {out.shape}")
        return float(np.mean((out > 0) == (targets > 0.5)))
    pred = model.predict(X)
    labels = _as_labels(y, len(pred), "accuracy")
    return float(np.mean(pred == labels))


def train(
    model,
    X,
    y,
    *,
    loss="cross_entropy",
    optimizer,
    epochs,
    batch_size,
    rng,
    X_val=None,
    y_val=None,
    record_grad_norms=False,
    callback=None,
) -> History:
    """Mini-batch training: shuffle with ``rng`` each epoch, forward, loss, backward, step.

    Layers with a ``training`` flag (BatchNorm, AlphaDropout) are in train mode for the
    mini-batch steps and in eval mode for the per-epoch evaluation and after training.

    Parameters
    ----------
    model : Sequential / MLP
    X, y : arrays
        Inputs (n, n_in) and targets (integer labels for the cross-entropies,
        values for ``mse``).  Not modified.
    loss : {"cross_entropy", "binary_cross_entropy", "mse"} or callable
        A callable takes (output, y_batch) and returns (loss, d loss / d output).
    optimizer : SGD or Adam (anything with ``step(params, grads)``)
    epochs, batch_size : int
    rng : numpy.random.Generator
        Used only to shuffle.
    X_val, y_val : arrays, optional
        Validation data for ``val_acc`` / ``val_loss``.
    record_grad_norms : bool
        Record per-layer weight-gradient norms (see :class:`History`).
    callback : callable, optional
        ``callback(epoch, model, history)`` after every epoch (epoch counts from 1),
        e.g. to record the fraction of dead units as training goes on.  Its run time
        is included in ``history.seconds``.

    Returns
    -------
    History
    """
    _check_rng(rng, "train")
    epochs = _check_int(epochs, "epochs", "train")
    batch_size = _check_int(batch_size, "batch_size", "train")
    if callback is not None and not callable(callback):
        raise TypeError(f"train(): callback must be callable, got {type(callback).__name__}")
    if not hasattr(optimizer, "step"):
        raise TypeError(f"train(): optimizer must have a step(params, grads) method, got {type(optimizer).__name__}")
    loss_fn = _loss_fn(loss, "train")
    # Training data in the model's dtype (float64 unless built with dtype="float32"),
    # converted once here rather than batch by batch.
    X = _as_batch(X, "train", None, getattr(model, "dtype", np.float64))
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"train(): {len(y)} targets for {len(X)} samples")
    if (X_val is None) != (y_val is None):
        raise ValueError("train(): give both X_val and y_val, or neither")
    classify = loss in ("cross_entropy", "binary_cross_entropy")
    history = History()
    dense = model.dense_layers if hasattr(model, "dense_layers") else []
    norms = []
    params, grads = model.params(), model.grads()
    n = len(X)
    # dL/dX of the first layer is never used here: a Sequential skips it.
    backward_kw = {"input_grad": False} if isinstance(model, Sequential) else {}
    with single_thread_blas():
        start = time.perf_counter()
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n)
            total = 0.0
            epoch_norms = np.zeros(len(dense))
            n_batches = 0
            set_training(model, True)  # batch statistics, dropout masks (normalization.py)
            for lo in range(0, n, batch_size):
                idx = order[lo : lo + batch_size]
                value, dout = loss_fn(model.forward(X[idx]), y[idx])
                model.backward(dout, **backward_kw)
                if record_grad_norms:
                    epoch_norms += [np.linalg.norm(d.dW) for d in dense]
                optimizer.step(params, grads)
                total += value * len(idx)
                n_batches += 1
            history.loss.append(total / n)
            set_training(model, False)  # evaluate with running statistics, no dropout
            if record_grad_norms:
                norms.append(epoch_norms / n_batches)
            if classify:
                history.train_acc.append(accuracy(model, X, y))
            if X_val is not None:
                history.val_loss.append(loss_fn(model.forward(X_val), y_val)[0])
                if classify:
                    history.val_acc.append(accuracy(model, X_val, y_val))
            if callback is not None:
                callback(epoch, model, history)
        history.seconds = time.perf_counter() - start
    if record_grad_norms:
        history.grad_norms = np.array(norms)
    return history
