"""``Module``: finds its parameters, buffers and sub-modules by walking its attributes (in the order they
were assigned), and names them as PyTorch does; ``state_dict`` and friends; ``Parameter`` is registered
when assigned."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from ..autograd import _mode
from ..tensor import Tensor, constant
from .parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` did not load (as PyTorch's ``_IncompatibleKeys``)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Listing(list):
    """What ``parameters()``, ``children()``, ``modules()`` and ``buffers()`` return: a list (``len`` and
    indexing work) that is also an iterator, so PyTorch's ``next(model.parameters())`` works too."""

    _position = 0

    def __next__(self) -> Any:
        if self._position >= len(self):
            raise StopIteration
        self._position += 1
        return self[self._position - 1]


class RemovableHandle:
    """What ``register_forward_hook`` returns: ``remove()`` unregisters the hook (also on leaving a
    ``with`` block), as PyTorch's ``torch.utils.hooks.RemovableHandle``."""

    _count = 0

    def __init__(self, hooks: dict[int, Callable[..., Any]], hook: Callable[..., Any]) -> None:
        RemovableHandle._count += 1
        self.id, self._hooks = RemovableHandle._count, hooks
        hooks[self.id] = hook

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


class Module:
    """Base class for layers and models, as PyTorch's ``nn.Module``.

    What a module holds is found by walking its attributes in assignment order: a ``Parameter`` (a
    Tensor leaf that requires grad, assigned to an attribute, becomes one), a sub-Module, a buffer
    (``register_buffer``), and a plain list/tuple of Modules (named by index, ``blocks.0.weight``;
    PyTorch needs ``ModuleList`` for that). Names follow PyTorch: a module's own parameters, then its
    buffers, then each child's, so ``state_dict()`` keys equal PyTorch's for the same model
    (``Sequential`` children are ``0``, ``1``...). Subclasses implement ``forward``; calling the module
    calls ``forward``. Calling ``super().__init__()`` is allowed but not required.
    """

    training: bool = True

    def __init__(self) -> None:
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            type(value) is Tensor
            and value.requires_grad
            and value._node is None
            and name not in self.__dict__.get("_buffers", {})
        ):
            value.__class__ = Parameter  # a learned leaf assigned to a module is its parameter
        object.__setattr__(self, name, value)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``forward``, between the hooks registered with ``register_forward_pre_hook`` (``hook(module,
        args)``, may return new args) and ``register_forward_hook`` (``hook(module, args, output)``, may
        return a new output), in registration order, as PyTorch."""
        pre_hooks = self.__dict__.get("_forward_pre_hooks")
        for hook in list(pre_hooks.values()) if pre_hooks else ():
            changed = hook(self, args)
            if changed is not None:
                args = changed if isinstance(changed, tuple) else (changed,)
        output = self.forward(*args, **kwargs)
        hooks = self.__dict__.get("_forward_hooks")
        for hook in list(hooks.values()) if hooks else ():
            changed = hook(self, args, output)
            if changed is not None:
                output = changed
        return output

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each ``forward`` (fast.ai's activation statistics);
        ``handle.remove()`` unregisters it."""
        return RemovableHandle(self.__dict__.setdefault("_forward_hooks", {}), hook)

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args)`` before each ``forward``; a returned value replaces the arguments."""
        return RemovableHandle(self.__dict__.setdefault("_forward_pre_hooks", {}), hook)

    # ------------------------------------------------------------ registration
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` as ``self.<name>`` (None reserves the name, as PyTorch)."""
        _check_name(self, name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign {type(param).__name__} as parameter {name!r} (nn.Parameter or None expected)"
            )
        setattr(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add ``module`` as the child ``self.<name>``."""
        _check_name(self, name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        setattr(self, name, module)

    register_module = add_module

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

    # ------------------------------------------------------------ traversal
    def _own(self) -> Iterator[tuple[str, Any, str]]:
        """(name, value, kind) of what this module holds itself, PyTorch's order: parameters, then
        buffers, then children; kind is 'parameter', 'buffer', 'buffer (not saved)' or 'module'."""
        buffers = vars(self).get("_buffers", {})
        items = list(vars(self).items())
        for name, value in items:
            if isinstance(value, Tensor) and name not in buffers and _is_parameter(value):
                yield name, value, "parameter"
        for name, value in items:
            if isinstance(value, Tensor) and name in buffers:
                yield name, value, "buffer" if buffers[name] else "buffer (not saved)"
        for name, value in items:
            if isinstance(value, Module):
                yield name, value, "module"
            elif isinstance(value, (list, tuple)) and not isinstance(value, Listing):
                for index, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{index}", item, "module"

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct sub-modules, each once."""
        seen: set[int] = set()
        for name, value, kind in self._own():
            if kind == "module" and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def children(self) -> Listing:
        """The direct sub-modules."""
        return Listing(module for _, module in self.named_children())

    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Yield (dotted path, module) for this module and every sub-module, depth first (each once)."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self) -> Listing:
        """This module and every sub-module, depth first (as ``named_modules``)."""
        return Listing(module for _, module in self.named_modules())

    def _walk_tensors(self, prefix: str, recurse: bool = True) -> Iterator[tuple[str, Tensor, str]]:
        """(path, tensor, kind) in PyTorch's order: each module's parameters and buffers, then its children's."""
        for name, value, kind in self._own():
            path = f"{prefix}.{name}" if prefix else name
            if kind == "module":
                if recurse:
                    yield from value._walk_tensors(path)
            elif value is not None:
                yield path, value, kind

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Yield (dotted path, tensor) for every parameter, e.g. ``('0.weight', W)``.

        A parameter without a ``name`` is given its path (pictures label nodes with it). A tensor reachable
        twice is yielded once, under its first path."""
        seen: set[int] = set()
        for path, tensor, kind in self._walk_tensors(prefix, recurse):
            if kind == "parameter" and (not remove_duplicate or id(tensor) not in seen):
                seen.add(id(tensor))
                if tensor.name is None:
                    tensor.name = path
                yield path, tensor

    def parameters(self, recurse: bool = True) -> Listing:
        """All parameters, in the order of ``named_parameters`` (``recurse=False``: this module's own)."""
        return Listing(tensor for _, tensor in self.named_parameters(recurse=recurse))

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Yield (dotted path, tensor) for every buffer registered with ``register_buffer``."""
        seen: set[int] = set()
        for path, tensor, kind in self._walk_tensors(prefix, recurse):
            if kind != "parameter" and (not remove_duplicate or id(tensor) not in seen):
                seen.add(id(tensor))
                yield path, tensor

    def buffers(self, recurse: bool = True) -> Listing:
        """All buffers, in the order of ``named_buffers``."""
        return Listing(tensor for _, tensor in self.named_buffers(recurse=recurse))

    def get_submodule(self, target: str) -> Module:
        """The sub-module at dotted path ``target`` (``''`` is this module)."""
        module: Module = self
        for part in target.split(".") if target else []:
            child = dict(module.named_children()).get(part)
            if child is None:
                raise AttributeError(f"{type(module).__name__} has no sub-module {part!r} (looking up {target!r})")
            module = child
        return module

    def _state_tensors(self) -> dict[str, Tensor]:
        """Path -> tensor for what ``state_dict`` holds: the parameters and the persistent buffers. A tensor
        held under two names (tied weights) is listed under both, as in PyTorch."""
        state: dict[str, Tensor] = {}
        for path, tensor, kind in self._walk_tensors(""):
            if kind != "buffer (not saved)" and path not in state:
                state[path] = tensor
        return state

    # ------------------------------------------------------------ whole-module operations
    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first), then on this module; returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradient recording of every parameter on or off (freezing layers); returns self."""
        for tensor in self.parameters():
            tensor.requires_grad_(requires_grad)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move or cast every parameter and buffer in place with ``Tensor.to(*args, **kwargs)`` (a device,
        a dtype, or both); a dtype applies to floating point tensors only, as in PyTorch. Returns self."""
        from ..autograd import no_grad

        dtype_free = _without_dtype(args, kwargs)
        with no_grad():
            for tensor in list(self.parameters()) + list(self.buffers()):
                floating = tensor.dtype.kind == "f"
                moved = tensor.to(*args, **kwargs) if floating else tensor.to(*dtype_free[0], **dtype_free[1])
                if moved is not tensor:
                    tensor._data = moved._data
                    if tensor._grad is not None:
                        tensor._grad = tensor._grad.to(*args, **kwargs) if floating else tensor._grad
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def half(self) -> Module:
        return self.to(np.float16)

    def cpu(self) -> Module:
        return self.to("cpu")

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
    def state_dict(self) -> dict[str, Tensor]:
        """Path -> a tensor holding a copy of its values (no graph, ``requires_grad=False``), for every
        parameter and persistent buffer, keys and order as PyTorch's, so ``state_dict()[name].size()`` and
        ``tg.save(model.state_dict(), path)`` work as written for PyTorch; ``np.savez(path, **state)`` and
        ``np.asarray(value)`` give the arrays. Deliberate difference: a copy (later updates do not change
        it), where PyTorch's tensors share the parameters' storage (its docs warn to deep-copy a "best"
        state dict; here that is not needed)."""
        return {name: Tensor._wrap(tensor._data.copy()) for name, tensor in self._state_tensors().items()}

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy ``state`` (path -> array or Tensor) into the parameters and buffers, in place.

        ``strict=True``: every name must match; missing and unexpected names are listed in a KeyError.
        ``strict=False``: the names present on both sides are loaded and the others returned as
        ``(missing_keys, unexpected_keys)``. A shape mismatch always raises ValueError naming the entry
        and both shapes; a value that is not a real number (complex, datetime, bool, text) raises
        TypeError, and one the entry's dtype cannot hold (nan, inf, 1e300 into float32) ValueError naming
        the entry and the index. Nothing is written unless every entry checks out.
        """
        targets = self._state_tensors()
        arrays = {
            name: value._data if isinstance(value, Tensor) else np.asarray(value) for name, value in state.items()
        }
        missing = [name for name in targets if name not in arrays]
        unexpected = [name for name in arrays if name not in targets]
        if strict:
            try:
                _check_names_and_shapes(targets, arrays, source="state dict")
            except KeyError as error:
                legacy = legacy_names(self)
                if legacy and set(arrays) == {legacy.get(name, name) for name in targets}:
                    raise KeyError(
                        f"{error.args[0]}. These are the names of an older tinygrad_sm, which named Sequential "
                        "children 'layers.0'...; PyTorch (and tinygrad_sm now) names them '0'...: rename with "
                        "nn.migrate_state_dict(model, state), or load a checkpoint file with nn.load"
                    ) from None
                raise
        else:
            targets = {name: tensor for name, tensor in targets.items() if name in arrays}
            _check_names_and_shapes(targets, {name: arrays[name] for name in targets}, source="state dict")
        _assign_checked(targets, arrays, source="state dict")
        return IncompatibleKeys(missing, unexpected)

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): {module!r}".replace("\n", "\n  ") for name, module in self.named_children()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            body = extra_lines[0] if len(extra_lines) == 1 and not child_lines else "\n  " + "\n  ".join(lines) + "\n"
        return f"{type(self).__name__}({body})"

    def extra_repr(self) -> str:
        return ""


def _is_parameter(tensor: Tensor) -> bool:
    return isinstance(tensor, Parameter) or (tensor.requires_grad and tensor._node is None)


def _check_name(module: Module, name: Any, what: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{what} name should be a string, got {type(name).__name__}")
    if not name or "." in name:
        raise KeyError(f"{what} name can't be empty or contain '.', got {name!r}")
    if hasattr(type(module), name) or name in vars(module).get("_buffers", {}):
        raise KeyError(f"attribute {name!r} already exists on {type(module).__name__}")


def _without_dtype(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """``args``/``kwargs`` of ``to(...)`` with the dtype left out (for integer buffers, which keep theirs)."""
    kept = []
    for value in args:
        if isinstance(value, str) and value.split(":")[0] in ("cpu", "cuda", "mps", "meta"):
            kept.append(value)
            continue
        try:
            np.dtype(value)
        except TypeError:
            kept.append(value)
    return tuple(kept), {k: v for k, v in kwargs.items() if k != "dtype"}


def legacy_names(module: Module) -> dict[str, str]:
    """Current state-dict name -> the name an older tinygrad_sm gave it (Sequential children were
    ``layers.0``...); only the names that differ."""
    renamed = {}
    for name in module._state_tensors():
        parts, current, old = name.split("."), module, []
        for part in parts:
            if isinstance(current, _sequential_type()) and part.isdigit():
                old.append("layers")
            old.append(part)
            current = dict(current.named_children()).get(part, current) if isinstance(current, Module) else current
        if old != parts:
            renamed[name] = ".".join(old)
    return renamed


def migrate_state_dict(module: Module, state: Mapping[str, Any]) -> dict[str, Any]:
    """``state`` with an older tinygrad_sm's names (``layers.0.weight`` for a Sequential child) renamed to
    today's (``0.weight``, as PyTorch); names that are already current are kept."""
    back = {old: new for new, old in legacy_names(module).items()}
    return {back.get(name, name): value for name, value in state.items()}


def _sequential_type() -> type:
    from .containers import Sequential

    return Sequential


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
