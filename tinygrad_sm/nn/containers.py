"""Containers named as PyTorch names them: ``Sequential`` and ``ModuleList`` (children ``0``, ``1``...,
so ``state_dict()`` keys are ``0.weight``) and ``ModuleDict`` (children by key)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .module import Module


def _checked(module: Any, where: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{where} is a {type(module).__name__}, not a Module")
    return module


class _Indexed(Module):
    """Children held as attributes ``'0'``, ``'1'``... (the names PyTorch gives them)."""

    def _items(self) -> list[tuple[str, Module]]:
        return [(name, value) for name, value in vars(self).items() if isinstance(value, Module)]

    def _index(self, index: int) -> int:
        size = len(self)
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of range for {type(self).__name__} of length {size}")
        return index % size

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[Module]:
        return iter([module for _, module in self._items()])

    def __getitem__(self, index: Any) -> Any:
        items = self._items()
        if isinstance(index, slice):
            return self._from_items(items[index])
        return items[self._index(int(index))][1]

    def __setitem__(self, index: int, module: Module) -> None:
        name = self._items()[self._index(int(index))][0]
        setattr(self, name, _checked(module, f"{type(self).__name__} item {index}"))

    def __delitem__(self, index: Any) -> None:
        items = self._items()
        doomed = items[index] if isinstance(index, slice) else [items[self._index(int(index))]]
        kept = [(name, module) for name, module in items if all(module is not d for _, d in doomed)]
        for name, _ in items:
            delattr(self, name)
        for position, (name, module) in enumerate(kept):  # renumbered, as PyTorch does
            setattr(self, str(position) if name.isdigit() else name, module)

    def append(self, module: Module) -> _Indexed:
        setattr(self, str(len(self)), _checked(module, f"{type(self).__name__}.append's argument"))
        return self

    def extend(self, modules: Iterable[Module]) -> _Indexed:
        for module in modules:
            self.append(module)
        return self

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at ``index`` (the others renumbered)."""
        module = self[index]
        del self[index]
        return module

    def insert(self, index: int, module: Module) -> None:
        modules = [m for _, m in self._items()]
        modules.insert(index, _checked(module, f"{type(self).__name__}.insert's argument"))
        for name, _ in self._items():
            delattr(self, name)
        for position, item in enumerate(modules):
            setattr(self, str(position), item)

    def _from_items(self, items: list[tuple[str, Module]]) -> Any:
        raise NotImplementedError


class Sequential(_Indexed):
    """Apply the modules in order: ``Sequential(Linear(2, 3), ReLU())`` (children ``0``, ``1``) or
    ``Sequential(OrderedDict(name=module, ...))`` (children by name), as PyTorch. Indexing, slicing
    (a Sequential keeping the names), ``len``, iteration and ``append`` work as in PyTorch."""

    def __init__(self, *modules: Any):
        if len(modules) == 1 and isinstance(modules[0], (OrderedDict, dict)):
            for name, module in modules[0].items():
                self.add_module(name, _checked(module, f"Sequential item {name!r}"))
        else:
            for index, module in enumerate(modules):
                setattr(self, str(index), _checked(module, f"Sequential item {index}"))

    @property
    def layers(self) -> list[Module]:
        """The modules in order (the list an older tinygrad_sm stored; kept for code that reads it)."""
        return [module for _, module in self._items()]

    def _from_items(self, items: list[tuple[str, Module]]) -> Sequential:
        return Sequential(OrderedDict(items))

    def forward(self, x: Any) -> Any:
        for module in self:
            x = module(x)
        return x


class ModuleList(_Indexed):
    """A list of modules whose parameters the parent registers (``blocks.0.weight``), as PyTorch's."""

    def __init__(self, modules: Iterable[Module] | None = None):
        if modules is not None:
            self.extend(modules)

    def _from_items(self, items: list[tuple[str, Module]]) -> ModuleList:
        return ModuleList(module for _, module in items)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList has no forward(): iterate over it and call each module")


class ModuleDict(Module):
    """A dict of modules, children named by their keys (``heads.cls.weight``), as PyTorch's."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        if modules is not None:
            self.update(modules)

    def _items(self) -> list[tuple[str, Module]]:
        return [(name, value) for name, value in vars(self).items() if isinstance(value, Module)]

    def __getitem__(self, key: str) -> Module:
        value = vars(self).get(key)
        if not isinstance(value, Module):
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str) or not key or "." in key or key in ("training", "_buffers"):
            raise KeyError(f"ModuleDict key must be a non-empty string without '.', not {key!r}")
        setattr(self, key, _checked(module, f"ModuleDict[{key!r}]"))

    def __delitem__(self, key: str) -> None:
        self[key]
        delattr(self, key)

    def __contains__(self, key: object) -> bool:
        return isinstance(vars(self).get(key), Module) if isinstance(key, str) else False  # type: ignore[call-overload]

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[str]:
        return iter([name for name, _ in self._items()])

    def keys(self) -> list[str]:
        return [name for name, _ in self._items()]

    def values(self) -> list[Module]:
        return [module for _, module in self._items()]

    def items(self) -> list[tuple[str, Module]]:
        return self._items()

    def pop(self, key: str) -> Module:
        module = self[key]
        delattr(self, key)
        return module

    def clear(self) -> None:
        for name in self.keys():
            delattr(self, name)

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in pairs:
            self[key] = module

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict has no forward(): look a module up by key and call it")
