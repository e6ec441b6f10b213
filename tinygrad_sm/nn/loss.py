"""Loss modules: each stores its options and calls the function of the same name in ``functional``
with PyTorch's arguments passed through, so the module and the function cannot disagree.

Options left at their defaults are not passed on, so a module works with a functional that does not
know an option yet; one that is set and unknown raises the functional's TypeError.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import functional as F
from ..functional._common import _reduce
from ..tensor import Tensor
from .module import Module

_REDUCTIONS = ("mean", "sum", "none")


def _options(**given: Any) -> dict[str, Any]:
    """The keyword arguments that differ from PyTorch's defaults."""
    defaults: dict[str, Any] = {"weight": None, "ignore_index": -100, "label_smoothing": 0.0}
    return {
        name: value
        for name, value in given.items()
        if not (value is None if defaults[name] is None else value == defaults[name])
    }


def _legacy_reduction(
    size_average: bool | None, reduce: bool | None, reduction: str, name: str, stacklevel: int = 3
) -> str:
    """PyTorch's pre-1.0 ``size_average=``/``reduce=`` (still accepted there, with a warning; older tutorials
    write ``MSELoss(size_average=False)``) as the ``reduction`` they mean."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        meant = "none"
    else:
        meant = "mean" if size_average in (None, True) else "sum"
    warnings.warn(
        f"{name}: size_average and reduce are deprecated (as in PyTorch); use reduction={meant!r} instead",
        UserWarning,
        stacklevel=stacklevel,
    )
    return meant


class _Loss(Module):
    reductions: tuple[str, ...] = _REDUCTIONS

    def __init__(self, reduction: str = "mean", *, size_average: bool | None = None, reduce: bool | None = None):
        own_init = type(self).__init__ is not _Loss.__init__  # (the warning names the caller's line)
        reduction = _legacy_reduction(size_average, reduce, reduction, type(self).__name__, 3 + own_init)
        if reduction not in self.reductions:
            raise ValueError(
                f"{type(self).__name__}: reduction must be one of {', '.join(map(repr, self.reductions))}, "
                f"got {reduction!r}"
            )
        self.reduction = reduction

    def extra_repr(self) -> str:
        return ""  # (PyTorch's loss modules print no arguments)


class CrossEntropyLoss(_Loss):
    """``F.cross_entropy(logits, targets, ...)``: log-softmax of the logits, then the negative
    log-likelihood of the targets (class indices or probabilities)."""

    def __init__(
        self,
        weight: Tensor | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ):
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            reduction=self.reduction,
            **_options(weight=self.weight, ignore_index=self.ignore_index, label_smoothing=self.label_smoothing),
        )


class NLLLoss(_Loss):
    """``F.nll_loss(log_probs, targets, ...)``: ``-log_probs[i, y_i]``, reduced."""

    def __init__(
        self,
        weight: Tensor | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ):
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.nll_loss(
            input, target, reduction=self.reduction, **_options(weight=self.weight, ignore_index=self.ignore_index)
        )


class MSELoss(_Loss):
    """``(input - target)^2``, reduced."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """``|input - target|``, reduced."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above (``F.smooth_l1_loss``)."""

    def __init__(
        self,
        reduction: str = "mean",
        beta: float = 1.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ):
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.beta = float(beta)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Quadratic below ``delta``, ``delta``-scaled linear above (``F.huber_loss``)."""

    def __init__(
        self,
        reduction: str = "mean",
        delta: float = 1.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ):
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.delta = float(delta)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """``F.kl_div(log_q, p)``: the input holds log-probabilities; ``'batchmean'`` is the true KL."""

    reductions = (*_REDUCTIONS, "batchmean")

    def __init__(
        self,
        reduction: str = "mean",
        log_target: bool = False,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ):
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.log_target = bool(log_target)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class BCEWithLogitsLoss(_Loss):
    """``F.binary_cross_entropy_with_logits``: sigmoid and binary cross-entropy in one stable step.

    ``pos_weight`` (broadcast over the last axis, e.g. one per class) multiplies the positive term, as
    PyTorch: ``-(pos_weight t log s(x) + (1 - t) log(1 - s(x)))``, written here with ``log_sigmoid``
    (``log(1 - s(x)) = log_sigmoid(-x)``), then times ``weight`` if given.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ):
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input: Tensor, target: Any) -> Tensor:
        if self.pos_weight is None:
            return F.binary_cross_entropy_with_logits(
                input, target, reduction=self.reduction, **_options(weight=self.weight)
            )
        targets = target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=input.dtype))
        if targets.shape != input.shape:
            raise ValueError(f"BCEWithLogitsLoss: logits shape {input.shape} and targets shape {targets.shape} differ")
        positive = targets * self.pos_weight * F.log_sigmoid(input)
        losses = -(positive + (1 - targets) * F.log_sigmoid(-input))
        if self.weight is not None:
            losses = losses * self.weight
        return _reduce(losses, self.reduction)


class BCELoss(_Loss):
    """``F.binary_cross_entropy``: the input holds probabilities in [0, 1]."""

    def __init__(
        self,
        weight: Tensor | None = None,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ):
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.weight = weight

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, reduction=self.reduction, **_options(weight=self.weight))
