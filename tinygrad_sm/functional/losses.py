"""Losses other than the softmax cross-entropy, and the shared ``reduction`` step."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import name_scope
from ..tensor import Tensor, stack
from ._common import _reduce
from .softmax import logsumexp


def mse_loss(prediction: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error ``(prediction - target)^2``, averaged over every element for ``'mean'``."""
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=prediction.dtype))
    if target.shape != prediction.shape:
        raise ValueError(f"mse_loss: prediction shape {prediction.shape} and target shape {target.shape} differ")
    with name_scope("mse_loss"):
        return _reduce((prediction - target) ** 2, reduction)


def binary_cross_entropy_with_logits(logits: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """``-t log s(x) - (1 - t) log(1 - s(x))`` in the stable form ``log(1 + e^x) - t x``, where
    ``log(1 + e^x)`` is the log-sum-exp of ``[0, x]``; its gradient is ``s(x) - t``."""
    targets = targets if isinstance(targets, Tensor) else Tensor(np.asarray(targets, dtype=logits.dtype))
    if targets.shape != logits.shape:
        raise ValueError(f"binary_cross_entropy: logits shape {logits.shape} and targets shape {targets.shape} differ")
    with name_scope("binary_cross_entropy"):
        zeros = Tensor._wrap(np.zeros(logits.shape, dtype=logits.dtype))
        softplus = logsumexp(stack([zeros, logits], axis=-1), axis=-1)
        return _reduce(softplus - targets * logits, reduction)


binary_cross_entropy = binary_cross_entropy_with_logits
