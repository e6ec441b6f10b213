"""Convolutional layers: ``Conv2d``, ``Conv1d``, the pools, ``Unflatten`` (``Flatten`` is in ``activation``), and
``build_model``, which turns a small spec string (``"cnn"``, ``"conv6k5p2-pool2-conv16k5-pool2-120-84-10"``)
or a Python model file into a model.

Weights have PyTorch's layout, (C_out, C_in/groups, *kernel), and PyTorch's default initialisation:
``kaiming_uniform_(a=sqrt(5))``, which is ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` with
``fan_in = C_in/groups * prod(kernel)``, and the bias from the same range.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import functional as F
from ..autograd import name_scope, no_grad
from ..device import as_device
from ..tensor import Tensor
from . import init
from .activation import Flatten
from .containers import Sequential
from .layers import Linear, ReLU
from .module import Module


def _positive(value: Any, name: str, layer: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer} {name} must be a positive int, got {value!r}")
    return int(value)


class _ConvNd(Module):
    spatial_axes = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        *,
        generator: Any = None,
    ):
        layer = type(self).__name__
        self.in_channels = _positive(in_channels, "in_channels", layer)
        self.out_channels = _positive(out_channels, "out_channels", layer)
        self.groups = _positive(groups, "groups", layer)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"{layer}: in_channels {in_channels} and out_channels {out_channels} must both be "
                f"divisible by groups {groups}"
            )
        if padding_mode != "zeros":
            raise ValueError(f"{layer}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        n = self.spatial_axes
        self.kernel_size = (kernel_size,) * n if isinstance(kernel_size, (int, np.integer)) else tuple(kernel_size)
        if len(self.kernel_size) != n or not all(isinstance(k, (int, np.integer)) and k > 0 for k in self.kernel_size):
            raise ValueError(f"{layer}: kernel_size must be a positive int or a tuple of {n}, got {kernel_size!r}")
        self.stride, self.padding, self.dilation = stride, padding, dilation
        as_device(device, "layer")
        kind = np.dtype(np.float32 if dtype is None else dtype)
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Tensor(np.zeros(shape, kind), requires_grad=True)
        self.bias = Tensor(np.zeros(self.out_channels, kind), requires_grad=True) if bias else None
        self.reset_parameters(generator)

    def reset_parameters(self, generator: Any = None) -> None:
        """PyTorch's initialisation: ``kaiming_uniform_(weight, a=sqrt(5))``, then the bias from
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), in that order (see the module docstring)."""
        fan_in = self.in_channels // self.groups * math.prod(self.kernel_size)
        bound = 1 / math.sqrt(fan_in)
        if isinstance(generator, np.random.Generator):  # NumPy's stream, drawn as this layer always did
            with no_grad():
                self.weight.copy_(generator.uniform(-bound, bound, self.weight.shape).astype(self.weight.dtype))
                if self.bias is not None:
                    self.bias.copy_(generator.uniform(-bound, bound, self.out_channels).astype(self.bias.dtype))
            return
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound, generator=generator)

    def extra_repr(self) -> str:
        """As PyTorch prints it: sizes as tuples, and only the arguments that differ from the defaults."""
        n = self.spatial_axes

        def as_tuple(value: Any) -> Any:
            return (
                value if isinstance(value, str) else tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
            )

        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={as_tuple(self.stride)}"
        )
        padding, dilation = as_tuple(self.padding), as_tuple(self.dilation)
        if padding != (0,) * n:
            text += f", padding={padding}"
        if dilation != (1,) * n:
            text += f", dilation={dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + (", bias=False" if self.bias is None else "")


class Conv2d(_ConvNd):
    """``y = conv2d(x, weight, bias)``: x (N, C_in, H, W) -> (N, C_out, H_out, W_out), as ``torch.nn.Conv2d``."""

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """``y = conv1d(x, weight, bias)``: x (N, C_in, L) -> (N, C_out, L_out), as ``torch.nn.Conv1d``."""

    spatial_axes = 1

    def forward(self, x: Tensor) -> Tensor:
        return F.conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class MaxPool2d(Module):
    """The max of each window (``F.max_pool2d``; ties share the gradient evenly)."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ):
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return (
            f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}, dilation={self.dilation}, "
            f"ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """The mean of each window (``F.avg_pool2d``)."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ):
        self.kernel_size, self.stride, self.padding, self.ceil_mode = kernel_size, stride, padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average into a fixed ``output_size`` grid whatever the input's size (``F.adaptive_avg_pool2d``)."""

    def __init__(self, output_size: Any):
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class Unflatten(Module):
    """Split axis ``dim`` into ``sizes``, as ``torch.nn.Unflatten``: (N, 784) -> (N, 1, 28, 28)."""

    def __init__(self, dim: int, sizes: Sequence[int]):
        self.dim, self.sizes = dim, tuple(sizes)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.sizes}"

    def forward(self, x: Tensor) -> Tensor:
        dim = self.dim % x.ndim
        if x.shape[dim] != math.prod(self.sizes):
            raise ValueError(
                f"Unflatten: axis {self.dim} of shape {x.shape} has {x.shape[dim]} entries, "
                f"not {math.prod(self.sizes)} = {' x '.join(map(str, self.sizes))}"
            )
        return x.reshape(x.shape[:dim] + self.sizes + x.shape[dim + 1 :])


class LabelledSequential(Sequential):
    """``Sequential`` whose layer ``k`` runs inside ``name_scope(labels[k])``, so a graph picture draws each
    layer's primitives in one labelled box (``conv1``, ``relu1``, ``pool1``...); parameters keep
    Sequential's names (``1.weight``)."""

    def __init__(self, labels: Sequence[str], *modules: Module):
        if len(labels) != len(modules):
            raise ValueError(f"LabelledSequential got {len(labels)} labels for {len(modules)} modules")
        super().__init__(*modules)
        self.labels = list(labels)

    def forward(self, x: Tensor) -> Tensor:
        for label, layer in zip(self.labels, self.layers):
            with name_scope(label):
                x = layer(x)
        return x


# ---------------------------------------------------------------- model specs

LENET = "conv6k5p2-pool2-conv16k5-pool2-120-84-10"
_CONV = re.compile(r"conv(\d+)k(\d+)(?:s(\d+))?(?:p(\d+))?")
_POOL = re.compile(r"(max|avg)?pool(\d+)(?:s(\d+))?")
SPEC_HELP = (
    "'cnn' (LeNet-style: " + LENET + "), a spec of '-'-joined layers: convCkK[sS][pP] (C filters of "
    "KxK, stride S, padding P, then ReLU), poolK[sS] / avgpoolK[sS] (max or mean over KxK), then the "
    "sizes of the fully connected layers, the last one the number of classes; or a Python file "
    "defining build_model(num_features, num_classes)"
)


def is_conv_spec(spec: str) -> bool:
    """True for 'cnn', a spec with a conv or pool layer, or a ``.py`` model file."""
    return (
        spec == "cnn" or spec.endswith(".py") or any(_CONV.fullmatch(p) or _POOL.fullmatch(p) for p in spec.split("-"))
    )


def _image_shape(num_features: int) -> tuple[int, int, int]:
    side = math.isqrt(num_features)
    if side * side != num_features:
        raise ValueError(
            f"a CNN needs square single-channel images, but the data has {num_features} features "
            "per example (not a square number)"
        )
    return (1, side, side)


def build_model(spec: str, num_features: int, num_classes: int, generator: np.random.Generator | None = None) -> Module:
    """A model for flat inputs (N, num_features) from ``spec`` (see ``SPEC_HELP``).

    Conv specs see each example as a square one-channel image; each layer is wrapped in a labelled
    ``name_scope`` (``conv1``, ``relu1``, ``pool1``, ``fc1``...) so graph pictures group it into a box.
    """
    if spec.endswith(".py"):
        return _model_from_file(Path(spec), num_features, num_classes)
    if spec == "cnn":
        spec = LENET
    parts = spec.split("-")
    if not all(parts):
        raise ValueError(f"model spec {spec!r} has an empty layer between '-'; {SPEC_HELP}")
    channels, height, width = _image_shape(num_features)
    labels: list[str] = ["image"]
    modules: list[Module] = [Unflatten(1, (channels, height, width))]
    counts = {"conv": 0, "pool": 0, "fc": 0}
    features: int | None = None
    for position, part in enumerate(parts):
        conv, pool = _CONV.fullmatch(part), _POOL.fullmatch(part)
        if (conv or pool) and features is not None:
            raise ValueError(f"model spec {spec!r}: layer {part!r} comes after a fully connected layer")
        if conv:
            filters, kernel = int(conv[1]), int(conv[2])
            stride, padding = int(conv[3] or 1), int(conv[4] or 0)
            if min(filters, kernel, stride) <= 0:
                raise ValueError(f"model spec {spec!r}: layer {part!r} needs positive sizes")
            counts["conv"] += 1
            layer: Module = Conv2d(channels, filters, kernel, stride=stride, padding=padding, generator=generator)
            modules += [layer, ReLU()]
            labels += [f"conv{counts['conv']}", f"relu{counts['conv']}"]
            channels = filters
            height, width = ((n + 2 * padding - kernel) // stride + 1 for n in (height, width))
        elif pool:
            kernel = int(pool[2])
            stride = int(pool[3] or kernel)
            if min(kernel, stride) <= 0:
                raise ValueError(f"model spec {spec!r}: layer {part!r} needs positive sizes")
            counts["pool"] += 1
            layer = (AvgPool2d if pool[1] == "avg" else MaxPool2d)(kernel, stride)
            modules.append(layer)
            labels.append(f"pool{counts['pool']}")
            height, width = ((n - kernel) // stride + 1 for n in (height, width))
        elif part.isdigit() and int(part) > 0:
            if features is None:
                modules.append(Flatten())
                labels.append("flatten")
                features = channels * height * width
            counts["fc"] += 1
            modules.append(Linear(features, int(part), init="he", generator=generator))
            labels.append(f"fc{counts['fc']}")
            if position < len(parts) - 1:
                modules.append(ReLU())
                labels.append(f"relu_fc{counts['fc']}")
            features = int(part)
        else:
            raise ValueError(f"model spec {spec!r}: cannot read layer {part!r}; {SPEC_HELP}")
        if min(height, width) <= 0:
            raise ValueError(
                f"model spec {spec!r}: after layer {part!r} the image has no pixels left "
                f"({height}x{width}); use fewer or smaller layers, or padding"
            )
    if features is None:
        raise ValueError(f"model spec {spec!r} ends without a fully connected layer giving the {num_classes} classes")
    if features != num_classes:
        raise ValueError(f"model spec {spec!r} ends with {features} outputs but the data has {num_classes} classes")
    return LabelledSequential(labels, *modules)


def _model_from_file(path: Path, num_features: int, num_classes: int) -> Module:
    """Run a Python file and call its ``build_model(num_features, num_classes)`` (it may import tinygrad_sm)."""
    if not path.is_file():
        raise FileNotFoundError(f"model file {path} does not exist")
    namespace: dict[str, Any] = {"__name__": "tinygrad_sm_model", "__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    factory = namespace.get("build_model")
    if not callable(factory):
        raise ValueError(f"model file {path} must define build_model(num_features, num_classes) returning a Module")
    model = factory(num_features, num_classes)
    if not isinstance(model, Module):
        raise ValueError(f"build_model in {path} returned a {type(model).__name__}, not a Module")
    return model
