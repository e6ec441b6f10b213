"""What a compiled call depends on outside its arguments' arrays, checked before every replay.

A trace replays the primitives it saw; it cannot see Python reading an attribute. So before a traced
call runs, this module walks everything the function can reach: the globals and closure cells its code
names (and those of the functions it calls that are defined outside tinygrad_sm), the object of a
bound method, the non-array arguments; through modules (every attribute: which tensor ``weight``
holds, the ``training`` flag, ``p`` of a dropout), optimizers (``param_groups``: the parameter lists
and every hyperparameter), schedulers, lists, dicts and plain objects. Each place becomes one entry
``(container, key, value, path)``: tensors, modules and other objects are compared by identity,
numbers and strings by type and value, and every tensor reached also by its ``requires_grad`` and its
hooks. A replay first checks that every entry still holds; if one does not, the call runs eagerly and
is traced again. After the traced call the same entries say what the function itself changed.
"""

from __future__ import annotations

import functools
import types
from typing import Any

import numpy as np

from ..nn.module import Module
from ..optim.lr_scheduler import LRScheduler
from ..optim.optimizer import Optimizer
from ..tensor import Tensor

_VALUE_TYPES = (bool, int, float, complex, str, bytes, type(None), np.generic, np.dtype)
_MAX_ITEMS = 1024  # longer lists and dicts are compared by identity only
_MAX_DEPTH = 8
_LIBRARY = {"tinygrad_sm", "numpy", "builtins", "typing", "collections", "functools", "math", "abc"}

# an entry: (kind, container, key, expected, by_value, path); kind: "cell", "dict", "list", "len", "attr"
Entry = tuple[str, Any, Any, Any, bool, str]


def _get(kind: str, container: Any, key: Any) -> Any:
    if kind == "cell":
        try:
            return container.cell_contents
        except ValueError:
            return _MISSING
    if kind == "dict":
        return container.get(key, _MISSING)
    if kind == "list":
        return container[key] if key < len(container) else _MISSING
    if kind == "len":
        return len(container)
    return getattr(container, key, _MISSING)


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def _same(a: Any, b: Any, by_value: bool) -> bool:
    if not by_value:
        return a is b
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b) or (a != a and b != b)  # nan equals nan here: the same number
    except Exception:
        return a is b


def _outside_library(module: str | None) -> bool:
    return not module or module.split(".")[0] not in _LIBRARY


def holds(entries: list[Entry]) -> str | None:
    """None when every entry still holds; otherwise the path of the first that changed."""
    for kind, container, key, expected, by_value, path in entries:
        value = _get(kind, container, key)
        if value is not expected and not (by_value and _same(value, expected, True)):
            return path
    return None


def checker(entries: list[Entry]) -> Any:
    """``holds(entries) is None`` as one generated expression (a replay pays for this on every call)."""
    names: dict[str, Any] = {"_missing": _MISSING}
    tests = []
    for index, (kind, container, key, expected, by_value, _) in enumerate(entries):
        c, e = f"_c{index}", f"_e{index}"
        names[c], names[e] = container, expected
        if kind == "cell":
            read = f"{c}.cell_contents"
        elif kind == "dict":
            names[f"_k{index}"] = key
            read = f"{c}.get(_k{index}, _missing)"
        elif kind == "list":
            read = f"{c}[{key}]"
        elif kind == "len":
            read = f"len({c})"
        else:
            read = f"{c}.{key}"
        if not by_value or expected is None or type(expected) is bool:
            tests.append(f"{read} is {e}")
        else:
            names[f"_t{index}"] = type(expected)
            tests.append(f"(type(_v := {read}) is _t{index} and (_v == {e} or _v != _v))")
    source = "def _holds():\n    try:\n        return " + (" and ".join(tests) or "True") + "\n"
    source += "    except Exception:\n        return False\n"
    exec(compile(source, "<tinygrad_sm.compile guards>", "exec"), names)
    return names["_holds"]


def changed(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not _same(_get(e[0], e[1], e[2]), e[3], e[4])]


class _Walker:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.seen: set[int] = set()
        self.keep: list[Any] = []
        self.arrays: dict[int, np.ndarray] = {}  # NumPy arrays reached (read live by the program)

    def place(self, kind: str, container: Any, key: Any, path: str, depth: int) -> None:
        value = _get(kind, container, key)
        by_value = isinstance(value, _VALUE_TYPES) or (
            type(value) is tuple and all(isinstance(v, _VALUE_TYPES) for v in value)
        )
        self.entries.append((kind, container, key, value, by_value, path))
        if isinstance(value, np.ndarray):
            self.arrays[id(value)] = value
        elif not by_value:
            self.visit(value, path, depth + 1)

    def visit(self, value: Any, path: str, depth: int) -> None:
        if depth > _MAX_DEPTH or id(value) in self.seen or isinstance(value, (types.ModuleType, type, np.ndarray)):
            return
        self.seen.add(id(value))
        self.keep.append(value)
        if isinstance(value, Tensor):
            self.place("attr", value, "requires_grad", f"{path}.requires_grad", depth)
            self.place("attr", value, "_extras", f"{path} (its hooks)", depth)
        elif isinstance(value, Module):
            self.place("attr", value, "training", f"{path}.training", depth)  # (a class attribute until set)
            for name in list(vars(value)):
                self.place("dict", vars(value), name, f"{path}.{name}", depth)
            self.methods(type(value), depth)
        elif isinstance(value, Optimizer):
            self.place("attr", value, "param_groups", f"{path}.param_groups", depth)
        elif isinstance(value, LRScheduler):
            for name in list(vars(value)):
                if name != "optimizer":
                    self.place("dict", vars(value), name, f"{path}.{name}", depth)
            self.place("dict", vars(value), "optimizer", f"{path}.optimizer", depth)
        elif isinstance(value, (list, tuple)):
            if len(value) <= _MAX_ITEMS:
                if isinstance(value, list):
                    self.entries.append(("len", value, None, len(value), True, f"len({path})"))
                for index in range(len(value)):
                    self.place("list", value, index, f"{path}[{index}]", depth)
        elif isinstance(value, dict):
            if len(value) <= _MAX_ITEMS:
                self.entries.append(("len", value, None, len(value), True, f"len({path})"))
                for key in list(value):
                    self.place("dict", value, key, f"{path}[{key!r}]", depth)
        elif isinstance(value, types.MethodType):
            self.visit(value.__self__, f"{path}.__self__", depth)
            self.visit(value.__func__, path, depth)
        elif isinstance(value, types.FunctionType):
            if _outside_library(value.__module__):
                self.function(value, depth)
        elif isinstance(value, functools.partial):
            self.visit(value.func, f"{path}.func", depth)
            self.visit(list(value.args), f"{path}.args", depth)
            self.visit(value.keywords, f"{path}.keywords", depth)
        elif isinstance(value, np.random.Generator):
            return  # its state is read by the program's draws on every call
        elif hasattr(value, "__dict__") and _outside_library(type(value).__module__):
            for name in list(vars(value)):
                self.place("dict", vars(value), name, f"{path}.{name}", depth)
            self.methods(type(value), depth)

    def methods(self, cls: type, depth: int) -> None:
        """The globals read by the methods of a class defined outside tinygrad_sm (a model's forward)."""
        for klass in cls.__mro__:
            if id(klass) in self.seen or not _outside_library(klass.__module__):
                continue
            self.seen.add(id(klass))
            for member in list(vars(klass).values()):
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                elif isinstance(member, property):
                    member = member.fget
                if isinstance(member, types.FunctionType):
                    self.function(member, depth + 1)

    def function(self, fn: types.FunctionType, depth: int) -> None:
        """The globals and closure cells ``fn`` names (and the code nested in it)."""
        code = fn.__code__
        for cell, name in zip(fn.__closure__ or (), code.co_freevars):
            self.place("cell", cell, None, name, depth)
        names: set[str] = set()
        stack = [code]
        while stack:
            current = stack.pop()
            names.update(current.co_names)
            stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
        for name in sorted(names):
            if name in fn.__globals__:
                self.place("dict", fn.__globals__, name, name, depth)


def snapshot(fn: Any, args: tuple, kwargs: dict, names: list[str]) -> tuple[list[Entry], list[Any], dict]:
    """The entries for one call of ``fn``, the objects they hold (kept alive with them) and the NumPy
    arrays reached (by id: the program reads them as they are at each call)."""
    walker = _Walker()
    walker.visit(fn, getattr(fn, "__name__", "fn"), 0)
    for position, value in enumerate(args):
        if not isinstance(value, (np.ndarray, Tensor)):
            walker.visit(value, names[position] if position < len(names) else f"arg{position}", 1)
    for name, value in kwargs.items():
        if not isinstance(value, (np.ndarray, Tensor)):
            walker.visit(value, name, 1)
    return walker.entries, walker.keep, walker.arrays
