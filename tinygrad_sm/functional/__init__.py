"""Composites written only with public Tensor ops, so autograd derives their gradients.

By family: `softmax` (softmax, log-softmax, logsumexp, cross-entropy, NLL, and the fused
fast path, the one primitive here), `losses`, `pointwise_losses` (L1, smooth L1, Huber, KL),
`activations`, `norm` (layer and batch norm), `dropout`, `sparse` (one-hot, embedding), `conv`
(conv1d/conv2d/conv_transpose2d, unfold/fold) and `pool` (max/avg/adaptive-avg pooling), the last two
over the sliding-window primitive.
"""
from __future__ import annotations

from .activations import (elu, gelu, hardtanh, leaky_relu, log_sigmoid, relu, sigmoid, silu, softplus, tanh)
from .conv import conv1d, conv2d, conv_transpose2d, fold, unfold
from .dropout import dropout
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, mse_loss
from .norm import batch_norm, layer_norm
from .pointwise_losses import huber_loss, kl_div, l1_loss, smooth_l1_loss
from .pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .softmax import cross_entropy, log_softmax, logsumexp, nll_loss, softmax, softmax_cross_entropy_fused
from .sparse import embedding, one_hot

__all__ = ["logsumexp", "softmax", "log_softmax", "cross_entropy", "nll_loss", "mse_loss", "sigmoid",
           "binary_cross_entropy_with_logits", "binary_cross_entropy", "relu", "tanh",
           "softmax_cross_entropy_fused",
           "leaky_relu", "elu", "gelu", "silu", "softplus", "hardtanh", "log_sigmoid",
           "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "one_hot", "embedding",
           "dropout", "layer_norm", "batch_norm",
           "conv1d", "conv2d", "conv_transpose2d", "unfold", "fold", "max_pool2d", "avg_pool2d",
           "adaptive_avg_pool2d"]

from .shape import pad  # torch.nn.functional.pad; the other Tensor-op composites are in methods.METHODS

__all__ += ["pad"]
