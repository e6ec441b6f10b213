"""Fused fast paths: a primitive with a hand-written rule, each beside the composite it must agree with."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Primitive
from ._helpers import Array, Grads
from .reduce import max_keepdims


class SoftmaxCrossEntropy(Primitive):
    """Fused mean cross-entropy of ``logits`` (n, m) against integer ``targets`` (n,), or against
    probability rows (n, m). Backward is the hand-derived ``(p - onehot(y)) / n``, or for rows
    ``(p sum_j t_j - t) / n`` (rows need not sum to 1), not autograd. ``row_max`` (n, 1) passes the
    logits' row maxima when the caller has computed them already. Agrees with the composed
    ``cross_entropy`` on every input: a fully masked row (all -inf) has p = 0 there, so its loss is
    +inf (or 0 with no target mass) and its gradient ``-t / n``; a target of 0 on a -inf logit costs 0."""

    math = (r"\frac1n \sum_i (\log Q_i - z_{i,y_i})", r"\bar z = g\,(p\,\textstyle\sum_j t_j - t) / n")
    reads_inputs = False
    differentiable_twice = False  # the saved probabilities depend on the logits

    def forward(self, logits: np.ndarray, targets: Any, row_max: Any = None) -> np.ndarray:
        targets = getattr(targets, "_data", targets)  # labels or rows, as an array or a Tensor (no gradient)
        row_max = getattr(row_max, "_data", row_max)
        shift = max_keepdims(logits, axis=1) if row_max is None else row_max
        masked = (
            shift.size > 0 and shift.min() == -np.inf
        )  # a fully masked row: shift by 0, not -inf (-inf - -inf = nan)
        if masked:
            shift = np.where(shift == -np.inf, 0, shift)
        shifted = logits - shift
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        if masked:
            total[total == 0] = 1  # an empty row: p = 0 and log Q - r = 0, as the composite
        log_total = np.log(total)
        n = logits.shape[0]
        if n == 0:  # an empty batch: the mean of nothing is nan, as the composite and PyTorch say
            self.probs, self.targets, self.mass = exp, targets, np.zeros((0, 1), dtype=logits.dtype)
            return np.asarray(np.nan, dtype=logits.dtype)
        exp /= total
        self.probs, self.targets = exp, targets
        if targets.ndim == 1:
            picked = shifted[np.arange(n), targets]
            return np.asarray((log_total.sum() - picked.sum()) / n, dtype=logits.dtype)
        log_probs = shifted - log_total
        if np.isneginf(log_probs).any():  # 0 * log 0 = 0: a masked class without target mass costs nothing
            log_probs = np.where(targets != 0, log_probs, 0)
        terms = targets * log_probs
        self.mass = targets.sum(axis=1, keepdims=True)
        return np.asarray(-terms.sum() / n, dtype=logits.dtype)

    def backward(self, grad: Array, logits: Array, out: Array) -> Grads:
        n = self.probs.shape[0]
        if n == 0:
            return (np.zeros_like(self.probs),)
        if self.targets.ndim == 1:
            delta = self.probs.copy()  # a copy: retain_graph may call backward again
            delta[np.arange(n), self.targets] -= 1
        else:
            delta = self.probs * self.mass  # p sum_j t_j: exactly p when rows sum to 1
            delta -= self.targets
        delta *= grad / n
        return (delta,)
