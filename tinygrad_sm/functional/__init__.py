"""Composites written only with public Tensor ops, so autograd derives their gradients.

By family: `softmax` (softmax, log-softmax, logsumexp, cross-entropy, NLL, and the fused
fast path, the one primitive here), `losses`, `activations`, `conv` (conv1d/conv2d/conv_transpose2d,
unfold/fold) and `pool` (max/avg/adaptive-avg pooling), the last two over the sliding-window primitive.
"""
from __future__ import annotations

from .activations import relu, sigmoid, tanh
from .conv import conv1d, conv2d, conv_transpose2d, fold, unfold
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, mse_loss
from .pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .softmax import cross_entropy, log_softmax, logsumexp, nll_loss, softmax, softmax_cross_entropy_fused

__all__ = ["logsumexp", "softmax", "log_softmax", "cross_entropy", "nll_loss", "mse_loss", "sigmoid",
           "binary_cross_entropy_with_logits", "binary_cross_entropy", "relu", "tanh",
           "softmax_cross_entropy_fused", "conv1d", "conv2d", "conv_transpose2d", "unfold", "fold",
           "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"]
