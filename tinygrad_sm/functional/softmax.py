"""The softmax family and the cross-entropy built on it: the heart of the course.

Everything here is composed from primitives, except the fused fast path
[`softmax_cross_entropy_fused`][tinygrad_sm.functional.softmax_cross_entropy_fused], a primitive with the
hand-written backward ``(p - onehot(y)) / n`` that the tests hold equal to the composite."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..autograd import name_scope
from ..tensor import Tensor, where
from ._common import _reduce


def _shift_and_sum(x: Tensor, axis: int, keepdims: bool = True, row_max: np.ndarray | None = None,
                   maybe_masked: bool = True) -> tuple[Tensor, Tensor, Tensor]:
    """``(z - r, sum_k exp(z_k - r), r)`` with the shift ``r = max_k z_k`` (``row_max`` when the caller
    has it already, with kept dims).

    The shift is detached: in exact arithmetic it cancels (log Q = r + log sum exp(z - r) for any r),
    so its gradient is zero, and detaching keeps the graph small. A row that is entirely -inf (fully
    masked) uses r = 0, so it gives sum 0 instead of nan from ``-inf - (-inf)``. ``maybe_masked=False``
    skips looking for such rows (the caller knows there are none).
    """
    shift = ops.max_keepdims(x.data, axis) if row_max is None else row_max
    if maybe_masked and shift.min() == -np.inf:  # (cheaper than np.isneginf(shift).any() on the hot path)
        shift = np.where(shift == -np.inf, 0, shift)
    shift_tensor = Tensor._wrap(shift)
    shift_tensor.name = "r = max z (detached)"
    shifted = x - shift_tensor
    shifted.name = "z - r"  # the derivation's names, so pictures and the explorer speak the lecture's notation
    exps = shifted.exp()
    exps.name = "exp(z - r)"
    total = exps.sum(axis=axis, keepdims=keepdims)
    total.name = "Q' = sum exp(z - r)"
    return shifted, total, shift_tensor


def _ones_where_empty(total: Tensor, maybe_masked: bool = True) -> Tensor:
    """``total`` with the sums of fully masked rows (0) replaced by 1, so dividing by it or taking its
    log gives no nan; ``total`` itself when no row is empty."""
    if maybe_masked and total.data.min() == 0:  # only fully masked rows sum to 0: the max term contributes e^0
        return where(total.data == 0, 1.0, total)
    return total


def logsumexp(x: Tensor, axis: int = -1, keepdims: bool = False) -> Tensor:
    """``log sum_k exp(x_k)`` along ``axis``, computed as ``r + log sum_k exp(x_k - r)``, ``r = max_k x_k``.

    A fully masked row (all -inf) gives -inf and a zero gradient (no entry can change it).
    """
    with name_scope("logsumexp"):
        _, total, shift = _shift_and_sum(x, axis)
        nonempty = _ones_where_empty(total)
        result = nonempty.log() + shift
        if nonempty is not total:  # a fully masked row's log-sum-exp is -inf, whatever its shift
            result = where(total.data == 0, -np.inf, result)
        return result if keepdims else result.reshape(tuple(n for i, n in enumerate(result.shape) if i != axis % x.ndim))


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``log p_j = z_j - log sum_k exp(z_k)``, stable for logits of any magnitude. Shape of ``x``."""
    with name_scope("log_softmax"):
        shifted, total, _ = _shift_and_sum(x, axis)
        return shifted - _ones_where_empty(total).log()  # fully masked rows: log p = -inf, not nan


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``p_j = exp(z_j - r) / sum_k exp(z_k - r)`` with ``r = max_k z_k``; a fully masked row gives zeros."""
    with name_scope("softmax"):
        shifted, total, _ = _shift_and_sum(x, axis)
        probs = shifted.exp() / _ones_where_empty(total)
        probs.name = "p"
        return probs


def _check_logits(logits: Tensor) -> tuple[np.ndarray, bool]:
    """Refuse logits that are not an (n, classes) float Tensor or hold nan/+inf. Returns the row maxima
    (n, 1), which the check reads instead of every logit (a nan or +inf in a row is its max), and whether
    some row is entirely -inf (fully masked classes are allowed)."""
    if not isinstance(logits, Tensor):
        raise TypeError(f"logits must be a Tensor, got {type(logits).__name__}")
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (n, classes), got {logits.shape}")
    if logits.dtype.kind != "f":
        raise TypeError(f"logits must be floating point, got dtype {logits.dtype}")
    row_max = ops.max_keepdims(logits.data, axis=1)
    if np.isfinite(row_max).all():
        return row_max, False
    invalid = np.isnan(logits.data) | np.isposinf(logits.data)
    if invalid.any():
        bad = tuple(int(i) for i in np.argwhere(invalid)[0])
        raise ValueError(f"logits contain {logits.data[bad]} at index {bad}; the loss would be nan")
    return row_max, True


def _labels(targets: Any, n: int, classes: int) -> np.ndarray:
    labels = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"class labels must be integers, got dtype {labels.dtype}; "
                        "soft targets must have shape (n, classes)")
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},) to match logits of shape ({n}, {classes}), got {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = np.flatnonzero((labels < 0) | (labels >= classes))
        raise ValueError(f"label {labels[bad[0]]} at index {bad[0]} is out of range: valid labels are 0..{classes - 1}")
    return labels


def _soft_targets(targets: Any, logits: Tensor, validate: bool) -> Tensor:
    """Probability rows as a Tensor of the logits' shape and dtype (constant targets are cast, so
    float32 logits give a float32 loss; targets that require grad are left as they are)."""
    shape = logits.shape
    if not isinstance(targets, Tensor):
        soft = Tensor(np.asarray(targets), dtype=logits.dtype)
    elif targets.dtype != logits.dtype and not targets.requires_grad:
        soft = Tensor(targets.data, dtype=logits.dtype)
    else:
        soft = targets
    if soft.shape != shape:
        raise ValueError(f"soft targets must have the logits' shape {shape}, got {soft.shape}")
    if validate:
        rows = soft.data.sum(axis=1)
        if (soft.data < 0).any() or not np.allclose(rows, 1, atol=1e-5):
            raise ValueError("soft targets must be probability distributions: non-negative rows summing to 1 "
                             f"(row sums range {rows.min():.6g}..{rows.max():.6g})")
    return soft


def nll_loss(log_probs: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """``-log p_y`` per example from log-probabilities (n, m) and integer labels (n,), then reduced."""
    n, classes = log_probs.shape
    labels = _labels(targets, n, classes)
    with name_scope("nll_loss"):
        return _reduce(-log_probs[np.arange(n), labels], reduction)


def cross_entropy(logits: Tensor, targets: Any, reduction: str = "mean", validate: bool = False) -> Tensor:
    """``C = log Q - z_y`` per example, with ``Q = sum_k exp(z_k)``: logits (n, m), targets integer
    labels (n,) or probability rows (n, m) (then ``C = -sum_j t_j log p_j``). Computed from the
    shifted logits (``log Q - z_y = log sum_k exp(z_k - r) - (z_y - r)``, ``r = max_k z_k``), never as
    ``log(softmax(z))``, so a confident mistake costs a large but finite loss. Its gradient w.r.t. the
    logits is ``(p - onehot(y)) / n`` for the mean."""
    row_max, masked = _check_logits(logits)
    n, classes = logits.shape
    if np.asarray(targets.data if isinstance(targets, Tensor) else targets).ndim == 1:
        labels = _labels(targets, n, classes)
        with name_scope("cross_entropy"):
            # C_i = log Q_i - z_iy, both terms shifted by r_i = max_k z_ik: log sum_k e^(z_ik - r_i) - (z_iy - r_i)
            shifted, total, _ = _shift_and_sum(logits, axis=1, keepdims=False, row_max=row_max,
                                                maybe_masked=masked)
            log_total = _ones_where_empty(total, masked).log()
            log_total.name = "log Q'"
            picked = shifted[np.arange(n), labels]
            picked.name = "z_y - r"
            per_example = log_total - picked
            per_example.name = "C_i"
            loss = _reduce(per_example, reduction)
            if loss is not per_example:
                loss.name = "C"
            return loss
    soft = _soft_targets(targets, logits, validate)
    with name_scope("cross_entropy"):
        return _reduce(-(soft * log_softmax(logits, axis=1)).sum(axis=1), reduction)


def softmax_cross_entropy_fused(logits: Tensor, targets: Any, validate: bool = False) -> Tensor:
    """Mean cross-entropy as ONE primitive whose backward is the hand-derived ``(p - onehot(y)) / n``.
    Same value and gradient as [`cross_entropy`][tinygrad_sm.functional.cross_entropy]; faster, but not twice
    differentiable."""
    row_max, _ = _check_logits(logits)
    n, classes = logits.shape
    raw = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    target_array = _labels(raw, n, classes) if raw.ndim == 1 else _soft_targets(raw, logits, validate).data
    return ops.SoftmaxCrossEntropy.apply(logits, targets=target_array, row_max=row_max)
