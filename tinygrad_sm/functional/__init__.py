"""Composites written only with public Tensor ops, so autograd derives their gradients.

By family: `softmax` (softmax, log-softmax, logsumexp, cross-entropy, NLL, and the fused
fast path, the one primitive here), `losses`, `activations`.
"""
from __future__ import annotations

from .activations import relu, sigmoid, tanh
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, mse_loss
from .softmax import cross_entropy, log_softmax, logsumexp, nll_loss, softmax, softmax_cross_entropy_fused

__all__ = ["logsumexp", "softmax", "log_softmax", "cross_entropy", "nll_loss", "mse_loss", "sigmoid",
           "binary_cross_entropy_with_logits", "binary_cross_entropy", "relu", "tanh",
           "softmax_cross_entropy_fused"]

from .shape import pad  # torch.nn.functional.pad; the other Tensor-op composites are in methods.METHODS

__all__ += ["pad"]
