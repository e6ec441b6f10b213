"""Losses other than the softmax cross-entropy, and the shared ``reduction`` step."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import name_scope
from ..tensor import Tensor, constant, stack, where
from ._common import _reduce
from .softmax import logsumexp


def mse_loss(prediction: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error ``(prediction - target)^2``, averaged over every element for ``'mean'``."""
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=prediction.dtype))
    if target.shape != prediction.shape:
        raise ValueError(f"mse_loss: prediction shape {prediction.shape} and target shape {target.shape} differ")
    with name_scope("mse_loss"):
        return _reduce((prediction - target) ** 2, reduction)


def binary_cross_entropy_with_logits(
    logits: Tensor, targets: Any, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """``-t log s(x) - (1 - t) log(1 - s(x))`` in the stable form ``log(1 + e^x) - t x``, where
    ``log(1 + e^x)`` is the log-sum-exp of ``[0, x]``; its gradient is ``s(x) - t``. ``weight``
    (broadcast to the logits' shape) scales each element's loss."""
    targets = _like(targets, logits)
    if targets.shape != logits.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: logits shape {logits.shape} and targets shape {targets.shape} differ"
        )
    with name_scope("binary_cross_entropy_with_logits"):
        zeros = constant(np.zeros(logits.shape, dtype=logits.dtype))
        softplus = logsumexp(stack([zeros, logits], axis=-1), axis=-1)
        losses = softplus - targets * logits
        return _reduce(losses if weight is None else losses * _like(weight, logits), reduction)


def _like(value: Any, like: Tensor) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value, dtype=like.dtype)


def _clamped_log(x: Tensor) -> Tensor:
    """``max(log x, -100)``, PyTorch's clamp for ``binary_cross_entropy``, without a nan gradient at
    ``x = 0`` (there the loss term is the constant -100)."""
    positive = x > 0
    safe = where(positive, x, 1.0)  # log is evaluated only where x > 0
    return where(positive, safe.log().maximum(-100.0), -100.0)


def binary_cross_entropy(probs: Tensor, targets: Any, weight: Any = None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of **probabilities** ``p`` in [0, 1] (as PyTorch's function of this name):
    ``-(t log p + (1 - t) log(1 - p))`` per element, each log clamped at -100 as PyTorch does, so
    ``p = 0`` or ``1`` gives a loss of at most 100 instead of inf. The gradient is
    ``(p - t) / (p (1 - p))``; where a log is clamped (p = 0 or 1 exactly) its term contributes 0
    (PyTorch divides by ``max(p (1 - p), 1e-12)`` there instead). For logits use
    [`binary_cross_entropy_with_logits`][tinygrad_sm.functional.binary_cross_entropy_with_logits], which
    is stable and exact for any logit."""
    if not isinstance(probs, Tensor):
        raise TypeError(f"binary_cross_entropy: probs must be a Tensor, got {type(probs).__name__}")
    if probs.dtype.kind != "f":
        raise TypeError(f"binary_cross_entropy: probs must be floating point, got dtype {probs.dtype}")
    targets = _like(targets, probs)
    if targets.shape != probs.shape:
        raise ValueError(f"binary_cross_entropy: probs shape {probs.shape} and targets shape {targets.shape} differ")
    outside = ~((probs >= 0) & (probs <= 1))
    if outside.any():
        bad = tuple(int(i) for i in np.argwhere(outside.numpy())[0])
        raise ValueError(
            f"binary_cross_entropy: probs must be in [0, 1], got {probs.detach().numpy()[bad]} at index {bad}; "
            "for logits use binary_cross_entropy_with_logits"
        )
    with name_scope("binary_cross_entropy"):
        losses = -(targets * _clamped_log(probs) + (1 - targets) * _clamped_log(1 - probs))
        return _reduce(losses if weight is None else losses * _like(weight, probs), reduction)
