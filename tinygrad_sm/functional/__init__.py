"""Composites written only with public Tensor ops, so autograd derives their gradients.

By family: `softmax` (softmax, log-softmax, logsumexp, cross-entropy, NLL, and the fused
fast path, the one primitive here), `losses`, `pointwise_losses` (L1, smooth L1, Huber, KL),
`activations`, `norm` (layer and batch norm), `dropout`, `sparse` (one-hot, embedding), `conv`
(conv1d/conv2d/conv_transpose2d, unfold/fold) and `pool` (max/avg/adaptive-avg pooling), the last two
over the sliding-window primitive.
"""

from __future__ import annotations

from .activations import elu, gelu, hardtanh, leaky_relu, log_sigmoid, relu, sigmoid, silu, softplus, tanh
from .conv import conv1d, conv2d, conv_transpose2d, fold, unfold
from .dropout import dropout
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, mse_loss
from .norm import batch_norm, layer_norm
from .pointwise_losses import huber_loss, kl_div, l1_loss, smooth_l1_loss
from .pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .softmax import cross_entropy, log_softmax, logsumexp, nll_loss, softmax, softmax_cross_entropy_fused
from .sparse import embedding, one_hot

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "elu",
    "embedding",
    "fold",
    "gelu",
    "hardtanh",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "relu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softmax_cross_entropy_fused",
    "softplus",
    "tanh",
    "unfold",
]

from .activations import log_sigmoid as logsigmoid  # PyTorch's spelling
from .linear import cosine_similarity, linear, normalize
from .pointwise import logaddexp
from .shape import pad  # torch.nn.functional.pad; the other Tensor-op composites are rows of methods.TABLE

__all__ += ["cosine_similarity", "linear", "logaddexp", "logsigmoid", "normalize", "pad"]
