"""Hand-derived formulas for softmax and cross-entropy, in plain NumPy (no autograd).

These are the references the autograd results are compared against (``compare.py``, the tests).
Notation: logits ``z`` of shape (n, m) for n examples and m classes, probabilities
``p = softmax(z)``, labels ``y`` (n,) of integers in [0, m), or soft targets ``t`` (n, m).
The derivation is in ``docs/softmax.md``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Stable softmax ``p_j = exp(z_j - max z) / sum_k exp(z_k - max z)`` along ``axis``.

    Subtracting ``max z`` changes nothing mathematically (it cancels between numerator and
    denominator) but keeps every exponent <= 0, so ``exp`` never overflows.
    """
    logits = np.asarray(logits)
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)


def onehot(labels: np.ndarray, m: int, dtype: DTypeLike = np.float64) -> np.ndarray:
    """One-hot rows ``delta[i, j] = 1 if labels[i] == j else 0``: (n,) integers -> (n, m)."""
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"onehot: labels must be integers, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= m):
        bad = int(np.argmax((labels < 0) | (labels >= m)))
        raise ValueError(f"onehot: label {int(labels.reshape(-1)[bad])} at index {bad} is outside [0, {m})")
    out = np.zeros(labels.shape + (m,), dtype=dtype)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return out


def softmax_jacobian(probs: np.ndarray) -> np.ndarray:
    """``J_ij = d p_i / d z_j = p_i (delta_ij - p_j)``, i.e. ``diag(p) - p p^T``.

    ``probs`` of shape (m,) gives (m, m); a batch (n, m) gives (n, m, m), one Jacobian per row
    (the full Jacobian of a row-wise softmax is block diagonal, rows do not interact).
    """
    probs = np.asarray(probs)
    diagonal = probs[..., :, None] * np.eye(probs.shape[-1], dtype=probs.dtype)
    return diagonal - probs[..., :, None] * probs[..., None, :]


def cross_entropy_grad_logits(probs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Gradient of the mean cross-entropy ``C = (1/n) sum_i (log sum_k exp z_ik - z_i,y_i)`` w.r.t. the logits.

    Integer labels ``y`` (n,): ``dC/dz_ij = (p_ij - delta_{y_i, j}) / n``.
    Soft targets ``t`` (n, m), rows summing to 1: ``dC/dz_ij = (p_ij - t_ij) / n``
    (the loss is then ``-(1/n) sum_ij t_ij log p_ij``).
    """
    probs = np.asarray(probs)
    targets = np.asarray(targets)
    n = probs.shape[0]
    if targets.ndim == probs.ndim:
        return (probs - targets) / n
    return (probs - onehot(targets, probs.shape[-1], dtype=probs.dtype)) / n


def cross_entropy_hessian_logits(probs: np.ndarray) -> np.ndarray:
    """Hessian of one example's cross-entropy w.r.t. its logits: ``H = d^2 C / dz dz^T = diag(p) - p p^T``.

    ``probs`` (m,) -> (m, m). It does not depend on the label (the ``-z_y`` term is linear) and equals
    the softmax Jacobian. For the mean over a batch of n examples the Hessian w.r.t. all n*m logits is
    block diagonal with blocks ``(diag(p_i) - p_i p_i^T) / n``; a batch (n, m) here returns the
    per-example blocks (n, m, m) WITHOUT the 1/n, divide by n yourself for the mean.
    """
    return softmax_jacobian(probs)


def last_layer_grads(a_prev: np.ndarray, a: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of the mean cross-entropy for a softmax output layer ``a = softmax(a_prev @ W.T + b)``.

    ``a_prev`` (n, in) inputs of the layer, ``a`` (n, out) softmax probabilities, ``y`` (n, out) one-hot.
    With ``W`` of shape (out, in), as ``nn.Linear`` stores it (``w_jk`` connects input k to output j,
    so ``dC/dw_jk = mean_i a_ik^{L-1} (a_ij - y_ij)``):  ``dC/dW = (a - y)^T a_prev / n``  (out, in) and
    ``dC/db = (1/n) sum_i (a_i - y_i)``  (out,).
    """
    delta = (np.asarray(a) - np.asarray(y)) / np.asarray(a).shape[0]
    return delta.T @ np.asarray(a_prev), delta.sum(axis=0)


def mse_sigmoid_grad(a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """d/dz of ``0.5 (a - t)^2`` with ``a = sigmoid(z)``: ``(a - t) a (1 - a)``.

    The factor ``sigmoid'(z) = a (1 - a)`` vanishes when the unit saturates, even when it is wrong.
    """
    a = np.asarray(a)
    return (a - t) * a * (1 - a)


def ce_sigmoid_grad(a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """d/dz of the binary cross-entropy ``-(t log a + (1 - t) log(1 - a))`` with ``a = sigmoid(z)``: ``a - t``.

    The ``a (1 - a)`` of the sigmoid cancels against the ``1 / (a (1 - a))`` of the log, so a
    confidently wrong unit gets a gradient of order 1.
    """
    return np.asarray(a) - t
