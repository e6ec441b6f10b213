"""``Module``: finds its parameters by walking its attributes; ``state_dict`` and friends."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from ..autograd import _mode
from ..tensor import Tensor, constant


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` did not load (as PyTorch's ``_IncompatibleKeys``)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class for layers and models.

    Parameters are found automatically: every attribute that is a Tensor with ``requires_grad``,
    every sub-Module, and every list/tuple of Modules (named by index: ``layers.0.weight``).
    Buffers (state that is saved but not learned) are Tensor attributes declared with
    ``register_buffer``.
    Subclasses implement ``forward``; calling the module calls ``forward``.
    """

    training: bool = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ traversal
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
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

    def modules(self) -> list[Module]:
        """This module and every sub-module, depth first (as ``named_modules``)."""
        return [module for _, module in self.named_modules()]

    def named_children(self) -> list[tuple[str, Module]]:
        """(name, module) for the direct sub-modules (list items named ``layers.0``...)."""
        return self._children()

    def children(self) -> list[Module]:
        """The direct sub-modules."""
        return [module for _, module in self._children()]

    def named_parameters(self) -> Iterator[tuple[str, Tensor]]:
        """Yield (dotted path, tensor) for every parameter, e.g. ``('layers.0.weight', W)``.

        A parameter without a ``name`` is given its path (pictures label nodes with it).
        Order follows attribute definition order; a tensor reachable twice is yielded once, under
        its first path.
        """
        seen: set[int] = set()
        for path, tensor, kind in self._walk_tensors(""):
            if kind == "parameter" and id(tensor) not in seen:
                seen.add(id(tensor))
                if tensor.name is None:
                    tensor.name = path
                yield path, tensor

    def named_buffers(self) -> Iterator[tuple[str, Tensor]]:
        """Yield (dotted path, tensor) for every buffer registered with ``register_buffer``."""
        seen: set[int] = set()
        for path, tensor, kind in self._walk_tensors(""):
            if kind != "parameter" and id(tensor) not in seen:
                seen.add(id(tensor))
                yield path, tensor

    def buffers(self) -> list[Tensor]:
        """All buffers, in the order of ``named_buffers``."""
        return [tensor for _, tensor in self.named_buffers()]

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Keep ``tensor`` as ``self.<name>``: state that is not learned (BatchNorm's running mean).

        A buffer is not a parameter (``parameters()`` and the optimizers never see it; it must not
        require grad), but a persistent one is part of ``state_dict()`` and so of checkpoints. ``None``
        reserves the name (left out of ``state_dict`` until a tensor is assigned).
        """
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"buffer name must be a non-empty string without '.', got {name!r}")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"buffer {name!r} must be a Tensor or None, got {type(tensor).__name__}")
        if tensor is not None and tensor.requires_grad:
            raise ValueError(f"buffer {name!r} requires grad; a learned tensor is a parameter, not a buffer")
        if name in vars(self) and name not in self._buffer_table():
            raise KeyError(f"attribute {name!r} already exists on {type(self).__name__}")
        self._buffer_table()[name] = bool(persistent)
        setattr(self, name, tensor)

    def _buffer_table(self) -> dict[str, bool]:
        """Buffer name -> persistent, created on first use (subclasses need not call ``__init__``)."""
        return self.__dict__.setdefault("_buffers", {})

    def _walk_tensors(self, prefix: str) -> Iterator[tuple[str, Tensor, str]]:
        """(path, tensor, kind) in attribute definition order, recursing into sub-modules; kind is
        ``'parameter'`` (a Tensor attribute that requires grad), ``'buffer'`` or ``'buffer (not saved)'``."""
        buffers = vars(self).get("_buffers", {})
        for name, value in vars(self).items():
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(value, Tensor):
                if name in buffers:
                    yield path, value, "buffer" if buffers[name] else "buffer (not saved)"
                elif value.requires_grad:
                    yield path, value, "parameter"
            elif isinstance(value, Module):
                yield from value._walk_tensors(path)
            elif isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    if isinstance(item, Module):
                        yield from item._walk_tensors(f"{path}.{index}")

    def _state_tensors(self) -> dict[str, Tensor]:
        """Path -> tensor for what ``state_dict`` holds: the parameters and the persistent buffers."""
        state: dict[str, Tensor] = {}
        seen: set[int] = set()
        for path, tensor, kind in self._walk_tensors(""):
            if kind != "buffer (not saved)" and id(tensor) not in seen:
                seen.add(id(tensor))
                state[path] = tensor
        return state

    def parameters(self) -> list[Tensor]:
        """All parameters, in the order of ``named_parameters``."""
        return [tensor for _, tensor in self.named_parameters()]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set every parameter's ``.grad`` to None (``set_to_none=False``: to a
        fresh array of zeros; the old gradient array is not written, as another tensor may share it)."""
        for tensor in self.parameters():
            if set_to_none or tensor.grad is None:
                tensor.grad = None
            else:
                tensor.grad = constant(np.zeros_like(tensor.grad._data))  # (zeros: a constant for compile)

    def train(self, mode: bool = True) -> Module:
        """Set the ``training`` flag on this module and all sub-modules; returns self."""
        if _mode.tracer is not None:  # tinygrad_sm.compile: a replay would not switch modes
            _mode.tracer.on_module_change(self, f"train({mode})")
        for _, module in self.named_modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Same as ``train(False)``."""
        return self.train(False)

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, np.ndarray]:
        """Path -> a copy of its array, for every parameter and persistent buffer (later updates do not
        change the copy)."""
        return {name: tensor.data.copy() for name, tensor in self._state_tensors().items()}

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy ``state`` (path -> array) into the parameters and buffers, in place.

        ``strict=True``: every name must match; missing and unexpected names are listed in a KeyError.
        ``strict=False``: the names present on both sides are loaded and the others returned as
        ``(missing_keys, unexpected_keys)``. A shape mismatch always raises ValueError naming the entry
        and both shapes; a value that is not a real number (complex, datetime, bool, text) raises
        TypeError, and one the entry's dtype cannot hold (nan, inf, 1e300 into float32) ValueError naming
        the entry and the index. Nothing is written unless every entry checks out.
        """
        targets = self._state_tensors()
        arrays = {name: np.asarray(value) for name, value in state.items()}
        missing = [name for name in targets if name not in arrays]
        unexpected = [name for name in arrays if name not in targets]
        if strict:
            _check_names_and_shapes(targets, arrays, source="state dict")
        else:
            targets = {name: tensor for name, tensor in targets.items() if name in arrays}
            _check_names_and_shapes(targets, {name: arrays[name] for name in targets}, source="state dict")
        _assign_checked(targets, arrays, source="state dict")
        return IncompatibleKeys(missing, unexpected)

    def __repr__(self) -> str:
        children = [f"  ({name}): {module!r}".replace("\n", "\n  ") for name, module in self._children()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(children) + "\n)"

    def _children(self) -> list[tuple[str, Module]]:
        children = []
        for name, value in vars(self).items():
            if isinstance(value, Module):
                children.append((name, value))
            elif isinstance(value, (list, tuple)):
                children += [(f"{name}.{i}", item) for i, item in enumerate(value) if isinstance(item, Module)]
        return children

    def extra_repr(self) -> str:
        return ""


def _check_names_and_shapes(
    parameters: Mapping[str, Tensor],
    arrays: Mapping[str, Any],  # anything with .shape
    source: str,
) -> None:
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
            raise ValueError(
                f"{source}: parameter {name!r} has shape {tuple(arrays[name].shape)} "
                f"but the model expects {tuple(tensor.shape)}"
            )


def _cast_checked(tensor: Tensor, array: np.ndarray, name: str, source: str) -> np.ndarray:
    """``array`` cast to ``tensor``'s dtype, after checking nothing is lost but precision: the dtype
    is a real number type, and every value is finite (integral and in range for an integer tensor)."""
    if array.dtype.kind not in "fiu":
        raise TypeError(
            f"{source}: parameter {name!r} holds dtype {array.dtype}, which is not a real number "
            f"type; parameters take float or integer values (the model's is {tensor.dtype})"
        )
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
        why = (
            "is not a finite number"
            if array.dtype.kind == "f" and not np.isfinite(value)
            else f"does not fit the parameter's dtype {target}"
        )
        raise ValueError(
            f"{source}: parameter {name!r} value {value!r} at index {position} {why} "
            f"({int(bad.sum())} such values); nothing was loaded"
        )
    return cast


def _assign_checked(parameters: Mapping[str, Tensor], arrays: Mapping[str, np.ndarray], source: str) -> None:
    """Cast and check every entry first, then write them all: a bad later entry leaves the model as it was."""
    cast = {name: _cast_checked(tensor, arrays[name], name, source) for name, tensor in parameters.items()}
    from ..autograd import no_grad

    with no_grad():
        for name, tensor in parameters.items():
            tensor.copy_(cast[name])
