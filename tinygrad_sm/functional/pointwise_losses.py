"""Elementwise regression and divergence losses: ``l1_loss``, ``smooth_l1_loss``, ``huber_loss``, ``kl_div``.

Each takes ``(input, target)`` of one shape (PyTorch would broadcast with a warning; a mismatch is
almost always a bug, so it raises here, as ``mse_loss`` does) and a ``reduction``: ``'mean'`` over every
element, ``'sum'``, or ``'none'`` (the elementwise losses).
"""

from __future__ import annotations

from typing import Any

from ..autograd import name_scope
from ..tensor import Tensor, where
from ._common import _reduce


def _matching_target(name: str, prediction: Tensor, target: Any) -> Tensor:
    """``target`` as a Tensor of the prediction's shape (a constant target takes the prediction's dtype)."""
    if not isinstance(prediction, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(prediction).__name__}")
    if prediction.dtype.kind != "f":
        raise TypeError(f"{name}: input must be floating point, got dtype {prediction.dtype}")
    if not isinstance(target, Tensor):
        target = Tensor(target, dtype=prediction.dtype)
    if target.shape != prediction.shape:
        raise ValueError(f"{name}: input shape {prediction.shape} and target shape {target.shape} differ")
    return target


def _abs_with_zero_subgradient(difference: Tensor) -> Tensor:
    """``|d|`` whose gradient is ``sign(d)``, 0 at ``d = 0`` (as PyTorch's L1 loss), not 1."""
    values = difference.detach()
    return where(values > 0, difference, where(values < 0, -difference, difference * 0))


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """``|input - target|``; the gradient is ``sign(input - target)`` (0 where they are equal)."""
    target = _matching_target("l1_loss", input, target)
    with name_scope("l1_loss"):
        return _reduce(_abs_with_zero_subgradient(input - target), reduction)


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``d = input - target``);
    ``beta = 0`` is the L1 loss. Continuous, with gradient ``clip(d / beta, -1, 1)``."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    target = _matching_target("smooth_l1_loss", input, target)
    with name_scope("smooth_l1_loss"):
        difference = input - target
        absolute = _abs_with_zero_subgradient(difference)
        if beta == 0:
            return _reduce(absolute, reduction)
        quadratic = difference * difference * (0.5 / beta)
        return _reduce(where(difference.abs() < beta, quadratic, absolute - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """``0.5 d^2`` where ``|d| <= delta``, else ``delta (|d| - 0.5 delta)``: ``delta`` times the smooth
    L1 loss with ``beta = delta``. ``delta`` must be positive (as PyTorch)."""
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    target = _matching_target("huber_loss", input, target)
    with name_scope("huber_loss"):
        difference = input - target
        absolute = _abs_with_zero_subgradient(difference)
        quadratic = difference * difference * 0.5
        return _reduce(where(difference.abs() <= delta, quadratic, (absolute - 0.5 * delta) * delta), reduction)


def kl_div(input: Tensor, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence with PyTorch's convention: ``input`` holds **log**-probabilities
    ``log q``, ``target`` probabilities ``p`` (or log-probabilities with ``log_target=True``):

        loss = p (log p - log q)        (0 where p = 0, the limit of p log p)
        loss = e^t (t - log q)          (log_target=True, t = log p)

    ``reduction='batchmean'`` divides the sum by ``input.shape[0]`` and is the true KL divergence per
    example; ``'mean'`` divides by the number of elements (PyTorch's default, kept for compatibility).

    Deliberate difference: where ``p = 0`` and the target requires grad, its gradient here is ``-log q``
    (the ``p log p`` term is held at its limit 0 as a constant); the true one-sided derivative is
    ``-inf`` and PyTorch returns nan. The gradient with respect to ``input`` is ``-p`` everywhere, as PyTorch.
    """
    target = _matching_target("kl_div", input, target)
    with name_scope("kl_div"):
        if log_target:
            losses = target.exp() * (target - input)
        else:
            positive = target > 0
            safe_target = where(positive, target, 1.0)  # log sees 1 where p = 0: no -inf, no nan gradient
            losses = where(positive, target * safe_target.log(), 0.0) - target * input
        if reduction == "batchmean":
            batch = input.shape[0] if input.ndim else 1
            return losses.sum() / batch
        return _reduce(losses, reduction)
