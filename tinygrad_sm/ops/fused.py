"""Fused fast paths: a primitive with a hand-written rule, each beside the composite it must agree with."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function
from .reduce import max_keepdims


class SoftmaxCrossEntropy(Function):
    """Fused mean cross-entropy of ``logits`` (n, m) against integer ``targets`` (n,), or against
    probability rows (n, m). Backward is the hand-derived ``(p - onehot(y)) / n``, not autograd.
    ``row_max`` (n, 1) passes the logits' row maxima when the caller has computed them already."""
    math = (r"\frac1n \sum_i (\log Q_i - z_{i,y_i})",
            r"\bar z = g\,(p\,\textstyle\sum_j t_j - t) / n")
    reads_inputs = False
    differentiable_twice = False   # the saved probabilities depend on the logits

    def forward(self, logits, targets, row_max=None):
        shifted = logits - (max_keepdims(logits, axis=1) if row_max is None else row_max)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        log_total = np.log(total)
        n = logits.shape[0]
        exp /= total
        self.probs, self.targets = exp, targets
        if targets.ndim == 1:
            picked = shifted[np.arange(n), targets]
            return np.asarray((log_total.sum() - picked.sum()) / n, dtype=logits.dtype)
        return np.asarray(-(targets * (shifted - log_total)).sum() / n, dtype=logits.dtype)

    def backward(self, grad, logits, out):
        delta = self.probs.copy()                        # a copy: retain_graph may call backward again
        n = delta.shape[0]
        if self.targets.ndim == 1:
            delta[np.arange(n), self.targets] -= 1
        else:
            delta -= self.targets
        delta *= grad / n
        return (delta,)
