"""Layers and models: ``Linear``, the activations and ``MLP`` (``Sequential`` is in ``containers``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import ops
from ..autograd import no_grad
from ..device import as_device
from ..tensor import Tensor, _promoted
from .containers import Sequential
from .init import kaiming_normal_, kaiming_uniform_, xavier_uniform_, zeros_
from .init import uniform_ as init_uniform_
from .module import Module

INIT_SCHEMES = ("he", "glorot")


class Linear(Module):
    """Affine map ``y = x @ W.T + b``, as PyTorch's ``nn.Linear``.

    Shapes: x (..., in_features), weight W (out_features, in_features), bias b (out_features,),
    y (..., out_features). Row j of W holds the weights into output j: ``w_jk`` connects input k to
    output j, as the lecture and Nielsen write it, so for a softmax output layer with cross-entropy
    ``dC/dw_jk = a_k^{L-1} (a_j - y_j)``, i.e. ``dW = (a - y)^T a_prev`` (averaged over the batch).
    The product ``x @ W.T`` is one matmul node (no separate transpose).

    Initialisation (``reset_parameters``) is PyTorch's: ``kaiming_uniform_(W, a=sqrt(5))``, i.e.
    W ~ U(-1/sqrt(in_features), 1/sqrt(in_features)), then b from the same range, drawn in that order
    from ``generator`` (default: the one ``tg.manual_seed`` seeds), so ``tg.manual_seed(s);
    nn.Linear(784, 256)`` holds the same float32 numbers as PyTorch's. ``init=`` picks a named scheme
    instead (bias zeros): ``'he'`` (for ReLU) W ~ Normal(0, std = sqrt(2 / fan_in)) and ``'glorot'``
    (for tanh/sigmoid) W ~ U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        init: str | None = None,
        generator: Any = None,
    ):
        for label, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Linear {label} must be a non-negative int, got {value!r}")
        if init is not None and init not in INIT_SCHEMES:
            raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INIT_SCHEMES)} (or None: PyTorch's)")
        as_device(device, "layer")
        kind = np.dtype(np.float32 if dtype is None else dtype)
        self.in_features, self.out_features, self.init = int(in_features), int(out_features), init
        self.weight = Tensor(np.zeros((self.out_features, self.in_features), kind), requires_grad=True)
        self.bias = Tensor(np.zeros(self.out_features, kind), requires_grad=True) if bias else None
        self.reset_parameters(generator)

    def reset_parameters(self, generator: Any = None) -> None:
        """Draw the weight and bias again (see the class docstring for the distributions and order)."""
        if self.init is None:
            kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
            if self.bias is not None:
                fan_in = self.in_features
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                init_uniform_(self.bias, -bound, bound, generator)
            return
        if self.bias is not None:
            zeros_(self.bias)
        shape = (self.out_features, self.in_features)
        if isinstance(generator, np.random.Generator):  # NumPy's stream, drawn as this layer always did
            if self.init == "he":
                values = generator.standard_normal(shape) * np.sqrt(2.0 / self.in_features)
            else:
                limit = np.sqrt(6.0 / (self.in_features + self.out_features))
                values = generator.uniform(-limit, limit, shape)
            with no_grad():
                self.weight.copy_(values.astype(self.weight.dtype))
        elif self.init == "he":
            kaiming_normal_(self.weight, nonlinearity="relu", generator=generator)
        else:
            xavier_uniform_(self.weight, generator=generator)

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}) got input of shape "
                f"{tuple(x.shape)}; its last dimension must be {self.in_features}"
            )
        out = ops.Matmul.apply(*_promoted(x, self.weight), transpose_b=True)  # x @ W.T
        return out + self.bias if self.bias is not None else out

    def extra_repr(self) -> str:
        scheme = "" if self.init is None else f", init={self.init!r}"
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}{scheme}"


class ReLU(Module):
    """``relu(x) = max(x, 0)`` elementwise. ``inplace=True`` is accepted as in PyTorch but computes out of
    place (see ``nn.activation``: writing into a tensor autograd may need would corrupt the gradient)."""

    def __init__(self, inplace: bool = False):
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Sigmoid(Module):
    """``sigmoid(x) = 1 / (1 + exp(-x))`` elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Tanh(Module):
    """``tanh(x)`` elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


ACTIVATIONS: dict[str, type[Module]] = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


class MLP(Sequential):
    """Multi-layer perceptron: Linear layers of ``sizes`` (e.g. [784, 256, 10]) with ``activation``
    between them and none after the last (it outputs logits). ReLU layers use He init, sigmoid and
    tanh layers Glorot init. Parameters are ``0.weight``, ``0.bias``, ``2.weight``... (as PyTorch's Sequential)
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", generator: Any = None):
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least two sizes (inputs and outputs), got {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of: {', '.join(ACTIVATIONS)}")
        init = "he" if activation == "relu" else "glorot"
        modules: list[Module] = []
        for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            modules.append(Linear(fan_in, fan_out, init=init, generator=generator))
            if index < len(sizes) - 2:
                modules.append(ACTIVATIONS[activation]())
        super().__init__(*modules)
        self.sizes, self.activation = sizes, activation
