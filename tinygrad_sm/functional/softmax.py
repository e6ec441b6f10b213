"""The softmax family and the cross-entropy built on it: the heart of the course.

Everything here is composed from primitives, except the fused fast path
[`softmax_cross_entropy_fused`][tinygrad_sm.functional.softmax_cross_entropy_fused], a primitive with the
hand-written backward ``(p - onehot(y)) / n`` that the tests hold equal to the composite."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..autograd import name_scope
from ..tensor import Tensor, axis_args, values_of, where
from ..tensor_habits import _UNSET
from ._common import _reduce


def _shift_and_sum(
    x: Tensor, axis: int, keepdims: bool = True, row_max: Tensor | None = None, maybe_masked: bool = True
) -> tuple[Tensor, Tensor, Tensor]:
    """``(z - r, sum_k exp(z_k - r), r)`` with the shift ``r = max_k z_k`` (``row_max`` when the caller
    has it already, with kept dims).

    The shift is detached: in exact arithmetic it cancels (log Q = r + log sum exp(z - r) for any r),
    so its gradient is zero, and detaching keeps the graph small. A row that is entirely -inf (fully
    masked) uses r = 0, so it gives sum 0 instead of nan from ``-inf - (-inf)``. ``maybe_masked=False``
    skips looking for such rows (the caller knows there are none).
    """
    shift_tensor = values_of(ops.max_keepdims, x, axis) if row_max is None else row_max  # a constant of the graph
    if maybe_masked and shift_tensor.isneginf().any():  # a fully masked row: shift it by 0
        shift_tensor = where(shift_tensor.isneginf(), 0.0, shift_tensor)
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
    if maybe_masked and (total == 0).any():  # only fully masked rows sum to 0: the max term gives e^0
        return where(total == 0, 1.0, total)
    return total


def _zero_dim(x: Tensor, axis: Any, name: str) -> bool:
    """A 0-d tensor is one row of one class (dim 0 or -1), as in PyTorch."""
    if x.ndim:
        return False
    if axis not in (0, -1, None):
        raise IndexError(f"{name}: dim {axis} is out of range for a 0-d tensor (expected 0 or -1)")
    return True


def logsumexp(
    x: Tensor, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET
) -> Tensor:
    """``log sum_k exp(x_k)`` along ``axis`` (or ``dim``; default -1), computed as
    ``r + log sum_k exp(x_k - r)``, ``r = max_k x_k``.

    A fully masked row (all -inf) gives -inf and a zero gradient (no entry can change it).
    """
    axis, keepdims = axis_args(axis, keepdims, dim, keepdim, "logsumexp", default_axis=-1)
    if isinstance(axis, (tuple, list)) or axis is None:  # several dims: gather them into one last axis
        axes = ops._normalize_axes(None if axis is None else tuple(axis), x.ndim)
        kept = [d for d in range(x.ndim) if d not in axes]
        moved = x.permute(*kept, *axes).reshape(*[x.shape[d] for d in kept], -1) if x.ndim else x.reshape(1)
        result = logsumexp(moved, axis=-1)
        return result.reshape(tuple(1 if d in axes else n for d, n in enumerate(x.shape))) if keepdims else result
    if _zero_dim(x, axis, "logsumexp"):
        return logsumexp(x.reshape(1), axis=0, keepdims=False)
    with name_scope("logsumexp"):
        _, total, shift = _shift_and_sum(x, axis)
        nonempty = _ones_where_empty(total)
        result = nonempty.log() + shift
        if nonempty is not total:  # a fully masked row's log-sum-exp is -inf, whatever its shift
            result = where(total == 0, -np.inf, result)
        return (
            result if keepdims else result.reshape(tuple(n for i, n in enumerate(result.shape) if i != axis % x.ndim))
        )


def log_softmax(x: Tensor, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """``log p_j = z_j - log sum_k exp(z_k)`` along ``axis`` (or ``dim``; default -1), stable for
    logits of any magnitude. Shape of ``x``."""
    axis = axis_args(axis, dim=dim, op="log_softmax", default_axis=-1)[0]
    if _zero_dim(x, axis, "log_softmax"):
        return log_softmax(x.reshape(1), axis=0).reshape(())
    with name_scope("log_softmax"):
        shifted, total, _ = _shift_and_sum(x, axis)
        return shifted - _ones_where_empty(total).log()  # fully masked rows: log p = -inf, not nan


def softmax(x: Tensor, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """``p_j = exp(z_j - r) / sum_k exp(z_k - r)`` with ``r = max_k z_k``, along ``axis`` (or ``dim``;
    default -1); a fully masked row gives zeros."""
    axis = axis_args(axis, dim=dim, op="softmax", default_axis=-1)[0]
    if _zero_dim(x, axis, "softmax"):
        return softmax(x.reshape(1), axis=0).reshape(())
    with name_scope("softmax"):
        shifted, total, _ = _shift_and_sum(x, axis)
        probs = shifted.exp() / _ones_where_empty(total)
        probs.name = "p"
        return probs


def _check_logits(logits: Tensor) -> tuple[Tensor, bool]:
    """Refuse logits that are not an (n, classes) float Tensor or hold nan/+inf. Returns the row maxima
    (n, 1), which the check reads instead of every logit (a nan or +inf in a row is its max), and whether
    some row is entirely -inf (fully masked classes are allowed)."""
    if not isinstance(logits, Tensor):
        raise TypeError(f"logits must be a Tensor, got {type(logits).__name__}")
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (n, classes), got {logits.shape}")
    if logits.dtype.kind != "f":
        raise TypeError(f"logits must be floating point, got dtype {logits.dtype}")
    row_max = values_of(ops.max_keepdims, logits, 1)  # (n, 1); a nan or +inf in a row is its max
    if row_max.isfinite().all():
        return row_max, False
    invalid = logits.isnan() | logits.isposinf()
    if invalid.any():
        bad = tuple(int(i) for i in np.argwhere(invalid.numpy())[0])
        raise ValueError(f"logits contain {logits.detach().numpy()[bad]} at index {bad}; the loss would be nan")
    return row_max, True


def _as_targets(targets: Any) -> Tensor:
    """Targets as a Tensor (labels or probabilities; NumPy arrays and lists are copied in)."""
    if isinstance(targets, Tensor):
        return targets
    return Tensor(targets if isinstance(targets, np.ndarray) else np.asarray(targets))


def _kind(targets: Any) -> str:
    """The dtype kind of the targets (labels: i, u, b; probabilities: f), whatever holds them."""
    return targets.dtype.kind if hasattr(targets, "dtype") else np.asarray(targets).dtype.kind


def _labels(
    targets: Any, n: int, classes: int, ignore_index: int | None = None, shape: tuple[int, ...] | None = None
) -> tuple[Tensor, bool]:
    """Integer class labels of shape ``shape`` (default ``(n,)``), each in 0..classes-1 or ``ignore_index``,
    and whether any lies outside 0..classes-1 (only then can a negative ``ignore_index`` occur)."""
    labels = _as_targets(targets)
    expected = (n,) if shape is None else shape
    if labels.dtype.kind not in "iu":
        # the fix is spelled for what the learner holds: a Tensor has .long(), a NumPy array .astype
        fix = "labels.long()" if isinstance(targets, Tensor) else "labels.astype(np.int64)"
        raise TypeError(
            f"class labels must be integers, got dtype {labels.dtype}"
            + (f"; use {fix}" if labels.dtype.kind == "f" else "")
            + "; soft targets (probabilities) must have the logits' shape"
        )
    if labels.shape != expected:
        hint = ""
        if int(np.prod(labels.shape)) == int(np.prod(expected)) and tuple(d for d in labels.shape if d != 1) == tuple(
            d for d in expected if d != 1
        ):
            hint = "; labels must be a flat vector of class indices: use labels.reshape(-1)"
        raise ValueError(
            f"labels must have shape {expected}, one class index per row of the logits of shape {(n, classes)}, "
            f"got {labels.shape}{hint}"
        )
    outside = (labels < 0) | (labels >= classes)
    some_outside = bool(outside.any())
    if some_outside and (ignore_index is None or (outside & (labels != ignore_index)).any()):
        invalid = outside if ignore_index is None else outside & (labels != ignore_index)
        bad = tuple(int(i) for i in np.argwhere(invalid.numpy())[0])
        where_ = bad[0] if len(bad) == 1 else bad
        raise ValueError(
            f"label {labels.numpy()[bad]} at index {where_} is out of range: valid labels are 0..{classes - 1}"
            + (f" (or ignore_index={ignore_index})" if ignore_index is not None else "")
        )
    return labels, some_outside


def _any_ignored(labels: Tensor, ignore_index: int, classes: int, some_outside: bool) -> bool:
    """Whether a label equals ``ignore_index`` (one outside 0..classes-1 can only if some label is)."""
    return (some_outside or 0 <= ignore_index < classes) and bool((labels == ignore_index).any())


def _soft_targets(targets: Any, logits: Tensor, validate: bool) -> Tensor:
    """Probability rows as a Tensor of the logits' shape and dtype (constant targets are cast, so
    float32 logits give a float32 loss; targets that require grad are left as they are)."""
    shape = logits.shape
    if not isinstance(targets, Tensor):
        soft = Tensor(targets if isinstance(targets, np.ndarray) else np.asarray(targets), dtype=logits.dtype)
    elif targets.dtype != logits.dtype and not targets.requires_grad:
        soft = Tensor(targets, dtype=logits.dtype)
    else:
        soft = targets
    if soft.shape == shape[:1] and len(shape) == 2:
        fix = "labels.long()" if isinstance(targets, Tensor) else "labels.astype(np.int64)"
        raise TypeError(
            f"class labels must be integers, got dtype {soft.dtype} of shape {soft.shape}; use {fix} "
            "(floating point targets are probabilities and must have the logits' shape)"
        )
    if soft.shape != shape:
        raise ValueError(
            f"soft targets (probabilities) must have the logits' shape {shape}, got {soft.shape}"
            + ("; integer class labels must have shape (n,)" if len(soft.shape) == 2 and soft.shape[1] == 1 else "")
        )
    if validate:
        values = soft.detach()
        rows = values.sum(axis=1)
        if (values < 0).any() or not ((rows - 1).abs() <= 2e-5).all():  # np.allclose(rows, 1, atol=1e-5)
            raise ValueError(
                "soft targets must be probability distributions: non-negative rows summing to 1 "
                f"(row sums range {rows.min().item():.6g}..{rows.max().item():.6g})"
            )
    return soft


def _rows(logits: Tensor, targets: Any, name: str) -> tuple[Tensor, Any, tuple[int, ...]]:
    """PyTorch's input layouts as (rows, classes): unbatched logits (C,) with a 0-d label, and
    (N, C, d1, ...) with labels (N, d1, ...) or probabilities of the logits' shape. Returns the 2-D
    logits, the targets laid out the same way, and the shape of the per-element losses."""
    if not isinstance(logits, Tensor):
        raise TypeError(f"{name}: logits must be a Tensor, got {type(logits).__name__}")
    if logits.ndim == 2:
        return logits, targets, logits.shape[:1]
    raw = _as_targets(targets)
    soft = raw.dtype.kind == "f"
    if logits.ndim == 1:  # unbatched: one row
        if soft:
            if raw.shape != logits.shape:
                raise ValueError(f"{name}: soft targets must have the logits' shape {logits.shape}, got {raw.shape}")
            return logits.reshape(1, -1), raw.reshape(1, -1), ()
        if raw.ndim != 0:
            hint = (
                f"; for a batch of {raw.shape[0]} examples the logits must have shape ({raw.shape[0]}, C), one row "
                "per example (a single output per example is binary: use binary_cross_entropy_with_logits)"
                if raw.ndim == 1 and raw.shape == logits.shape
                else ""
            )
            raise ValueError(
                f"{name}: logits of shape {logits.shape} are one unbatched example (a score per class) and need "
                f"a 0-d class label, got labels of shape {raw.shape}{hint}"
            )
        return logits.reshape(1, -1), raw.reshape(1), ()
    if logits.ndim == 0:
        raise ValueError(f"{name}: logits must have a class dimension, got a 0-d tensor")
    classes = logits.shape[1]
    spatial = logits.shape[:1] + logits.shape[2:]
    order = (0,) + tuple(range(2, logits.ndim)) + (1,)  # classes last, then one row per element
    rows = logits.transpose(order).reshape(-1, classes)
    if soft:
        if raw.shape != logits.shape:
            raise ValueError(f"{name}: soft targets must have the logits' shape {logits.shape}, got {raw.shape}")
        return rows, raw.transpose(order).reshape(-1, classes), spatial
    if raw.shape != spatial:
        raise ValueError(
            f"{name}: logits of shape {logits.shape} (N, C, d1, ...) need labels of shape {spatial} "
            f"(N, d1, ...), got {raw.shape}"
        )
    return rows, raw.reshape(-1), spatial


def _class_weight(weight: Any, classes: int, dtype: np.dtype) -> Tensor | None:
    if weight is None:
        return None
    weight = weight if isinstance(weight, Tensor) else Tensor(weight, dtype=dtype)
    if weight.shape != (classes,):
        raise ValueError(f"weight must have one entry per class, shape ({classes},), got {weight.shape}")
    return weight


def _finish(losses: Tensor, reduction: str, shape: tuple[int, ...]) -> Tensor:
    return losses.reshape(shape) if reduction == "none" and losses.shape != shape else losses


def _picked_nll(log_probs: Tensor, labels: Tensor, weight: Tensor | None, ignore_index: int, reduction: str) -> Tensor:
    """``-w_y log p_y`` per row with ignored rows 0; ``'mean'`` divides by the total weight of the rows
    kept (their count without weights), as PyTorch (all rows ignored: nan)."""
    n = log_probs.shape[0]
    keep = labels != ignore_index
    safe = where(keep, labels, 0)
    picked = -log_probs[np.arange(n), safe]
    row_weight = weight[safe] * keep if weight is not None else keep.astype(log_probs.dtype)
    losses = where(keep, picked * row_weight, 0.0)
    if reduction == "mean":
        return losses.sum() / row_weight.sum()
    return _reduce(losses, reduction)


def nll_loss(
    log_probs: Tensor, targets: Any, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """``-w_y log p_y`` per example from log-probabilities (n, C) and integer labels (n,), then reduced;
    also unbatched (C,) with a 0-d label and (N, C, d1, ...) with labels (N, d1, ...), as PyTorch.
    Labels equal to ``ignore_index`` contribute nothing; ``'mean'`` divides by the summed weights of
    the labels kept (their count without ``weight``)."""
    rows, targets, shape = _rows(log_probs, targets, "nll_loss")
    n, classes = rows.shape
    labels, some_outside = _labels(targets, n, classes, ignore_index)
    weight = _class_weight(weight, classes, rows.dtype)
    with name_scope("nll_loss"):
        if weight is None and not _any_ignored(labels, ignore_index, classes, some_outside):
            return _finish(_reduce(-rows[np.arange(n), labels], reduction), reduction, shape)
        return _finish(_picked_nll(rows, labels, weight, ignore_index, reduction), reduction, shape)


def cross_entropy(
    logits: Tensor,
    targets: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    validate: bool = False,
) -> Tensor:
    """``C = log Q - z_y`` per example, with ``Q = sum_k exp(z_k)``: logits (n, C), targets integer
    labels (n,) or probability rows (n, C) (then ``C = -sum_j t_j log p_j``). Computed from the
    shifted logits (``log Q - z_y = log sum_k exp(z_k - r) - (z_y - r)``, ``r = max_k z_k``), never as
    ``log(softmax(z))``, so a confident mistake costs a large but finite loss. Its gradient w.r.t. the
    logits is ``(p - onehot(y)) / n`` for the mean (for probability rows ``(p sum_j t_j - t) / n``).

    As PyTorch: unbatched logits (C,) with a 0-d label; (N, C, d1, ...) with labels (N, d1, ...) (or
    probabilities of the logits' shape); ``weight`` (C,) scales each class's loss (the mean divides by
    the summed weights of the labels); labels equal to ``ignore_index`` are skipped; ``label_smoothing``
    = eps mixes the target with the uniform distribution: ``(1 - eps) t + eps / C``. Integer targets
    are labels, floating point targets are probabilities.
    """
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    rows, targets, shape = _rows(logits, targets, "cross_entropy")
    row_max, masked = _check_logits(rows)
    n, classes = rows.shape
    weight = _class_weight(weight, classes, rows.dtype)
    if _kind(targets) in "iub":
        labels, some_outside = _labels(targets, n, classes, ignore_index)
        ignored = _any_ignored(labels, ignore_index, classes, some_outside)
        with name_scope("cross_entropy"):
            if weight is None and not ignored and not label_smoothing:
                # C_i = log Q_i - z_iy, both terms shifted by r_i = max_k z_ik: log sum_k e^(z_ik - r_i) - (z_iy - r_i)
                shifted, total, _ = _shift_and_sum(rows, axis=1, keepdims=False, row_max=row_max, maybe_masked=masked)
                log_total = _ones_where_empty(total, masked).log()
                log_total.name = "log Q'"  # the derivation's names, for the pictures and the explorer
                picked = shifted[np.arange(n), labels]
                picked.name = "z_y - r"
                losses = log_total - picked
                losses.name = "C_i"
                loss = _reduce(losses, reduction)
                if loss is not losses:
                    loss.name = "C"
                return _finish(loss, reduction, shape)
            log_probs = log_softmax(rows, axis=1)
            nll = _picked_nll(log_probs, labels, weight, ignore_index, reduction)
            if not label_smoothing:
                return _finish(nll, reduction, shape)
            keep = labels != ignore_index
            per_class = log_probs * weight if weight is not None else log_probs
            smooth = where(keep, -per_class.sum(axis=1), 0.0)
            if reduction == "mean":
                kept_labels = labels[keep]
                smooth = smooth.sum() / (
                    weight[kept_labels].sum() if weight is not None else keep.sum().astype(smooth.dtype)
                )
            else:
                smooth = _reduce(smooth, reduction)
            return _finish(nll * (1 - label_smoothing) + smooth * (label_smoothing / classes), reduction, shape)
    soft = _soft_targets(targets, rows, validate)
    with name_scope("cross_entropy"):
        if label_smoothing:
            soft = soft * (1 - label_smoothing) + label_smoothing / classes
        log_probs = log_softmax(rows, axis=1)
        if rows.isneginf().any():  # 0 * log 0 is 0 here (a masked class without target mass costs nothing)
            log_probs = where(soft != 0, log_probs, 0.0)
        terms = soft * log_probs
        if weight is not None:
            terms = terms * weight
        return _finish(_reduce(-terms.sum(axis=1), reduction), reduction, shape)


def softmax_cross_entropy_fused(logits: Tensor, targets: Any, validate: bool = False) -> Tensor:
    """Mean cross-entropy as ONE primitive whose backward is the hand-derived ``(p sum_j t_j - t) / n``
    (``(p - onehot(y)) / n`` for labels). Same value and gradient as
    [`cross_entropy`][tinygrad_sm.functional.cross_entropy] on every input, fully masked rows included;
    faster, but not twice differentiable. Logits (n, C); labels (n,) or probability rows (n, C)."""
    row_max, _ = _check_logits(logits)
    n, classes = logits.shape
    if _kind(targets) in "iub":
        target = _labels(targets, n, classes)[0]
    else:
        target = _soft_targets(targets, logits, validate).detach()
    return ops.SoftmaxCrossEntropy.apply(logits, targets=target, row_max=row_max)
