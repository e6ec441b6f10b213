"""Normalisation: ``layer_norm`` and ``batch_norm``, composed from mean, subtract, multiply and sqrt.

Both normalise as ``(x - mean) / sqrt(var + eps)`` with the **biased** variance (divide by n), then
scale by ``weight`` and shift by ``bias`` when given. Autograd differentiates through the statistics,
so the gradient includes the terms that flow through the mean and the variance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..autograd import name_scope, no_grad
from ..tensor import Tensor


def _normalise(x: Tensor, axes: tuple[int, ...], eps: float) -> Tensor:
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    variance = (centered * centered).mean(axis=axes, keepdims=True)
    return centered / (variance + eps).sqrt()


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dimensions, which must equal ``normalized_shape``;
    ``weight`` and ``bias`` have shape ``normalized_shape``. Output shape of ``input``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    if not shape or tuple(input.shape[input.ndim - len(shape) :]) != shape or len(shape) > input.ndim:
        raise ValueError(
            f"layer_norm: normalized_shape {shape} must be the trailing dimensions of the input, "
            f"whose shape is {input.shape}"
        )
    for label, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tuple(tensor.shape) != shape:
            raise ValueError(f"layer_norm: {label} must have shape {shape}, got {tensor.shape}")
    with name_scope("layer_norm"):
        out = _normalise(input, tuple(range(input.ndim - len(shape), input.ndim)), eps)
        if weight is not None:
            out = out * weight
        return out + bias if bias is not None else out


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) of ``input`` (N, C) or (N, C, d1, ...) over every other axis.

    ``training=True``: use the batch's mean and biased variance, and update the running statistics in
    place (when given): ``running = (1 - momentum) running + momentum batch_stat``, with the **unbiased**
    variance (divide by n - 1) for ``running_var``, as PyTorch. ``training=False``: use the running
    statistics (then required). ``weight``, ``bias``, ``running_*`` have shape (C,).
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: input must have shape (N, C) or (N, C, ...), got {input.shape}")
    channels = input.shape[1]
    for label, tensor in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if tensor is not None and tuple(tensor.shape) != (channels,):
            raise ValueError(
                f"batch_norm: {label} must have shape ({channels},) for input {input.shape}, got {tuple(tensor.shape)}"
            )
    axes = (0, *range(2, input.ndim))
    per_channel = (1, channels) + (1,) * (input.ndim - 2)
    with name_scope("batch_norm"):
        if training:
            count = input.numel() // channels if channels else 0
            if count <= 1:
                raise ValueError(
                    f"batch_norm: expected more than 1 value per channel when training, got input "
                    f"of shape {input.shape}"
                )
            out = _normalise(input, axes, eps)
            if running_mean is not None or running_var is not None:
                with no_grad():
                    values = input.detach()
                    batch_mean = values.mean(axis=axes)
                    if running_mean is not None:
                        running_mean.copy_(running_mean * (1 - momentum) + batch_mean * momentum)
                    if running_var is not None:
                        centred = values - values.mean(axis=axes, keepdims=True)
                        unbiased = (centred * centred).sum(axis=axes) / (count - 1)
                        running_var.copy_(running_var * (1 - momentum) + unbiased * momentum)
        else:
            if running_mean is None or running_var is None:
                raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
            mean = running_mean.detach().reshape(per_channel)
            scale = (running_var.detach().reshape(per_channel) + eps).sqrt()
            out = (input - mean) / scale
        if weight is not None:
            out = out * weight.reshape(per_channel)
        return out + bias.reshape(per_channel) if bias is not None else out
