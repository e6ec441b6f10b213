"""Normalisation layers: ``BatchNorm1d``, ``BatchNorm2d`` (running statistics as buffers) and ``LayerNorm``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import functional as F
from ..autograd import no_grad
from ..device import as_device
from ..tensor import Tensor
from . import init
from .module import Module


class _BatchNorm(Module):
    """Per-channel normalisation over the batch (and spatial) axes, then ``weight * x_hat + bias``.

    Training mode normalises with the batch statistics and updates the buffers ``running_mean`` and
    ``running_var`` (momentum 0.1; ``momentum=None`` averages all batches equally, using
    ``num_batches_tracked``); eval mode normalises with the buffers. ``affine=False``: no weight/bias.
    ``track_running_stats=False``: no buffers, batch statistics in both modes. Weight ones, bias zeros,
    running mean zeros, running var ones (as PyTorch).
    """

    expected_dims: tuple[int, ...] = ()
    running_mean: Tensor | None
    running_var: Tensor | None
    num_batches_tracked: Tensor | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ):
        as_device(device, "layer")
        kind = np.dtype(np.float32 if dtype is None else dtype)
        if not isinstance(num_features, (int, np.integer)) or isinstance(num_features, bool) or num_features <= 0:
            raise ValueError(f"{type(self).__name__} num_features must be a positive int, got {num_features!r}")
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        if self.affine:
            self.weight: Tensor | None = Tensor(np.ones(self.num_features, kind), requires_grad=True)
            self.bias: Tensor | None = Tensor(np.zeros(self.num_features, kind), requires_grad=True)
        else:
            self.weight = self.bias = None
        if self.track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features, kind)))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features, kind)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean to zeros, running variance to ones, the batch count to 0 (as PyTorch)."""
        if self.running_mean is not None and self.running_var is not None and self.num_batches_tracked is not None:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.copy_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """``reset_running_stats()``, then weight ones and bias zeros (as PyTorch)."""
        self.reset_running_stats()
        if self.weight is not None and self.bias is not None:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self.expected_dims:
            wanted = " or ".join(f"{d}D" for d in self.expected_dims)
            raise ValueError(f"{type(self).__name__}: expected {wanted} input, got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}({self.num_features}) got input of shape {x.shape}; "
                f"its dimension 1 (channels) must be {self.num_features}"
            )
        factor = 0.0 if self.momentum is None else float(self.momentum)
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            x,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch norm for (N, C) or (N, C, L) inputs."""

    expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm for (N, C, H, W) inputs."""

    expected_dims = (4,)


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` dimensions, then ``weight * x_hat + bias``
    (weight ones, bias zeros, each of shape ``normalized_shape``; ``elementwise_affine=False``: neither,
    ``bias=False``: no bias)."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ):
        as_device(device, "layer")
        kind = np.dtype(np.float32 if dtype is None else dtype)
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        if not shape or any(not isinstance(side, (int, np.integer)) or side <= 0 for side in shape):
            raise ValueError(f"LayerNorm normalized_shape must be positive ints, got {normalized_shape!r}")
        self.normalized_shape, self.eps = tuple(int(side) for side in shape), float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        self.weight: Tensor | None = None
        self.bias: Tensor | None = None
        if self.elementwise_affine:
            self.weight = Tensor(np.ones(self.normalized_shape, kind), requires_grad=True)
            if bias:
                self.bias = Tensor(np.zeros(self.normalized_shape, kind), requires_grad=True)

    def reset_parameters(self) -> None:
        """Weight ones, bias zeros (as PyTorch)."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )
