"""``Module``: finds its parameters by walking its attributes; ``state_dict`` and friends."""
from __future__ import annotations

from typing import Any, Iterator, Mapping

import numpy as np

from ..tensor import Tensor


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
        mismatch raises ValueError naming the parameter and both shapes; a value that is not a real
        number (complex, datetime, bool, text) raises TypeError, and one the parameter's dtype cannot
        hold (nan, inf, 1e300 into float32) ValueError naming the entry and the index. Nothing is
        written unless every entry checks out.
        """
        parameters = dict(self.named_parameters())
        arrays = {name: np.asarray(value) for name, value in state.items()}
        _check_names_and_shapes(parameters, arrays, source="state dict")
        _assign_checked(parameters, arrays, source="state dict")

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


def _cast_checked(tensor: Tensor, array: np.ndarray, name: str, source: str) -> np.ndarray:
    """``array`` cast to ``tensor``'s dtype, after checking nothing is lost but precision: the dtype
    is a real number type, and every value is finite (integral and in range for an integer tensor)."""
    if array.dtype.kind not in "fiu":
        raise TypeError(f"{source}: parameter {name!r} holds dtype {array.dtype}, which is not a real number "
                        f"type; parameters take float or integer values (the model's is {tensor.dtype})")
    target = np.dtype(tensor.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        cast = array.astype(target)
        if target.kind == "f":
            bad = ~np.isfinite(cast)
        else:
            bad = ~np.isfinite(array) if array.dtype.kind == "f" else np.zeros(array.shape, bool)
            bad |= cast.astype(array.dtype) != array
    if bad.any():
        position = tuple(int(i) for i in np.argwhere(bad)[0])
        value = array[position].item()
        why = "is not a finite number" if array.dtype.kind == "f" and not np.isfinite(value) else \
            f"does not fit the parameter's dtype {target}"
        raise ValueError(f"{source}: parameter {name!r} value {value!r} at index {position} {why} "
                         f"({int(bad.sum())} such values); nothing was loaded")
    return cast


def _assign_checked(parameters: Mapping[str, Tensor], arrays: Mapping[str, np.ndarray], source: str) -> None:
    """Cast and check every entry first, then write them all: a bad later entry leaves the model as it was."""
    cast = {name: _cast_checked(tensor, arrays[name], name, source) for name, tensor in parameters.items()}
    from ..autograd import no_grad
    with no_grad():
        for name, tensor in parameters.items():
            tensor.copy_(cast[name])
