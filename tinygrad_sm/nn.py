"""Layers and models: ``Module`` finds its parameters by walking its attributes; ``Linear``,
activations, ``Sequential`` and ``MLP``; ``save``/``load`` checkpoints as ``.npz`` files."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from .factories import default_generator
from .tensor import Tensor

PathLike = str | os.PathLike


class Module:
    """Base class for layers and models.

    Parameters are found automatically: every attribute that is a Tensor with ``requires_grad``,
    every sub-Module, and every list/tuple of Modules (named by index: ``layers.0.weight``).
    Subclasses implement ``forward``; calling the module calls ``forward``.
    """

    training: bool = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ traversal
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """Yield (dotted path, module) for this module and every sub-module, depth first."""
        yield prefix, self
        for name, value in vars(self).items():
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(value, Module):
                yield from value.named_modules(path)
            elif isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    if isinstance(item, Module):
                        yield from item.named_modules(f"{path}.{index}")

    def named_parameters(self) -> Iterator[tuple[str, Tensor]]:
        """Yield (dotted path, tensor) for every parameter, e.g. ``('layers.0.weight', W)``.

        A parameter without a ``name`` is given its path (pictures label nodes with it).
        Order follows attribute definition order; a tensor reachable twice is yielded once, under
        its first path.
        """
        seen: set[int] = set()
        for path, tensor in self._walk_tensors(""):
            if id(tensor) not in seen:
                seen.add(id(tensor))
                if tensor.name is None:
                    tensor.name = path
                yield path, tensor

    def _walk_tensors(self, prefix: str) -> Iterator[tuple[str, Tensor]]:
        """(path, tensor) for parameters in attribute definition order, recursing into sub-modules."""
        for name, value in vars(self).items():
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(value, Tensor):
                if value.requires_grad:
                    yield path, value
            elif isinstance(value, Module):
                yield from value._walk_tensors(path)
            elif isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    if isinstance(item, Module):
                        yield from item._walk_tensors(f"{path}.{index}")

    def parameters(self) -> list[Tensor]:
        """All parameters, in the order of ``named_parameters``."""
        return [tensor for _, tensor in self.named_parameters()]

    def zero_grad(self) -> None:
        """Forget the gradients: set every parameter's ``.grad`` to None."""
        for tensor in self.parameters():
            tensor.grad = None

    def train(self, mode: bool = True) -> "Module":
        """Set the ``training`` flag on this module and all sub-modules; returns self."""
        for _, module in self.named_modules():
            module.training = mode
        return self

    def eval(self) -> "Module":
        """Same as ``train(False)``."""
        return self.train(False)

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, np.ndarray]:
        """Parameter path -> a copy of its array (later updates do not change the copy)."""
        return {name: tensor.data.copy() for name, tensor in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy ``state`` (path -> array) into the parameters, in place.

        Every name must match: missing and unexpected names are listed in a KeyError; a shape
        mismatch raises ValueError naming the parameter and both shapes. Nothing is written
        unless everything checks out.
        """
        parameters = dict(self.named_parameters())
        arrays = {name: np.asarray(value) for name, value in state.items()}
        _check_names_and_shapes(parameters, arrays, source="state dict")
        from .autograd import no_grad
        with no_grad():
            for name, tensor in parameters.items():
                tensor.copy_(arrays[name].astype(tensor.dtype, copy=False))

    def __repr__(self) -> str:
        children = [f"  ({name}): {module!r}".replace("\n", "\n  ")
                    for name, module in self._children()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(children) + "\n)"

    def _children(self) -> list[tuple[str, "Module"]]:
        children = []
        for name, value in vars(self).items():
            if isinstance(value, Module):
                children.append((name, value))
            elif isinstance(value, (list, tuple)):
                children += [(f"{name}.{i}", item) for i, item in enumerate(value) if isinstance(item, Module)]
        return children

    def extra_repr(self) -> str:
        return ""


def _check_names_and_shapes(parameters: Mapping[str, Tensor], arrays: Mapping[str, np.ndarray],
                            source: str) -> None:
    missing = [name for name in parameters if name not in arrays]
    unexpected = [name for name in arrays if name not in parameters]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing parameters: {', '.join(missing)}")
        if unexpected:
            parts.append(f"unexpected names: {', '.join(unexpected)}")
        raise KeyError(f"{source} does not match the model: " + "; ".join(parts))
    for name, tensor in parameters.items():
        if arrays[name].shape != tensor.shape:
            raise ValueError(f"{source}: parameter {name!r} has shape {tuple(arrays[name].shape)} "
                             f"but the model expects {tuple(tensor.shape)}")


# ---------------------------------------------------------------------------- layers

INIT_SCHEMES = ("he", "glorot")


class Linear(Module):
    """Affine map ``y = x @ W + b``.

    Shapes: x (..., in_features), weight W (in_features, out_features) (stored input-major so the
    forward pass is a plain matmul, no transpose), bias b (out_features,), y (..., out_features).
    Initialisation (float32, bias zeros):

    - ``'he'`` (for ReLU): W ~ Normal(0, std = sqrt(2 / fan_in))
    - ``'glorot'`` (for tanh/sigmoid): W ~ Uniform(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))

    Samples come from ``generator`` (default: the one ``manual_seed`` sets).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, init: str = "he",
                 generator: np.random.Generator | None = None):
        for label, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Linear {label} must be a positive int, got {value!r}")
        if init not in INIT_SCHEMES:
            raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INIT_SCHEMES)}")
        self.in_features, self.out_features, self.init = int(in_features), int(out_features), init
        rng = generator if generator is not None else default_generator()
        if init == "he":
            values = rng.standard_normal((self.in_features, self.out_features)) * np.sqrt(2.0 / self.in_features)
        else:
            limit = np.sqrt(6.0 / (self.in_features + self.out_features))
            values = rng.uniform(-limit, limit, (self.in_features, self.out_features))
        self.weight = Tensor(values.astype(np.float32), requires_grad=True)
        self.bias = Tensor(np.zeros(self.out_features, dtype=np.float32), requires_grad=True) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(f"Linear({self.in_features}, {self.out_features}) got input of shape "
                             f"{tuple(x.shape)}; its last dimension must be {self.in_features}")
        out = x @ self.weight
        return out + self.bias if self.bias is not None else out

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}, init={self.init!r}")


class ReLU(Module):
    """``relu(x) = max(x, 0)`` elementwise."""

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


class Sequential(Module):
    """Apply ``modules`` in order; they are kept in ``self.layers`` (parameters ``layers.0.weight``...)."""

    def __init__(self, *modules: Module):
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential item {index} is a {type(module).__name__}, not a Module")
        self.layers = list(modules)

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]


ACTIVATIONS: dict[str, type[Module]] = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


class MLP(Sequential):
    """Multi-layer perceptron: Linear layers of ``sizes`` (e.g. [784, 256, 10]) with ``activation``
    between them and none after the last (it outputs logits). ReLU layers use He init, sigmoid and
    tanh layers Glorot init. Parameters are ``layers.0.weight``, ``layers.0.bias``, ``layers.2.weight``...
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu",
                 generator: np.random.Generator | None = None):
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


# ---------------------------------------------------------------------------- checkpoints

def save(module: Module, path: PathLike) -> Path:
    """Write ``module.state_dict()`` to ``path`` (.npz); returns the path.

    The arrays go to a temp file in the same folder that then replaces ``path`` atomically
    (``os.replace``), so an interrupted save never leaves a corrupt checkpoint behind.
    """
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"checkpoint path must end in .npz (np.savez adds it otherwise), got {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **module.state_dict())
        os.replace(temp_name, path)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return path


def load(module: Module, path: PathLike) -> Module:
    """Load a checkpoint written by ``save`` into ``module`` in place; returns the module.

    Pickled objects are refused (``allow_pickle=False``): a checkpoint holds plain arrays only.
    Names and shapes are checked as in ``Module.load_state_dict``.
    """
    path = Path(path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {}
        for name in archive.files:
            try:
                arrays[name] = archive[name]
            except ValueError as error:
                raise ValueError(f"checkpoint {path}: entry {name!r} holds pickled Python objects, "
                                 "which are refused for safety (a checkpoint must hold plain arrays)") from error
    parameters = dict(module.named_parameters())
    _check_names_and_shapes(parameters, arrays, source=f"checkpoint {path}")
    module.load_state_dict(arrays)
    return module
