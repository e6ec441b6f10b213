"""The ``compile`` entry point: signatures, the cache of programs, guards that fall back to eager."""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import random
from ..autograd import _mode
from ..tensor import Tensor
from .codegen import GuardFailed, build
from .trace import Refused, Tracer

__all__ = ["CompiledFunction"]

MAX_VARIANTS = 4  # programs kept per signature (one per outcome of its guards)
MAX_RETRACES = 8  # traces in a row that give no usable program before a signature stays eager


def _flatten(value: Any, path: str, key: list, leaves: list, names: list, kinds: list) -> None:
    if isinstance(value, Tensor):
        key.append(("T", value.shape, value.dtype.str, value.requires_grad))
        leaves.append(value), names.append(path), kinds.append("T")
    elif isinstance(value, np.ndarray):
        key.append(("A", value.shape, value.dtype.str))
        leaves.append(value), names.append(path), kinds.append("A")
    elif isinstance(value, (tuple, list)):
        key.append((type(value).__name__, len(value)))
        for index, item in enumerate(value):
            _flatten(item, f"{path}_{index}", key, leaves, names, kinds)
    elif isinstance(value, dict):
        key.append(("dict", tuple(value)))
        for k, item in value.items():
            _flatten(item, f"{path}_{k}", key, leaves, names, kinds)
    elif value is None or isinstance(value, (bool, int, float, str)):
        key.append((type(value).__name__, value))
    else:
        key.append(("object", id(value)))


class _Entry:
    """One signature: its verified programs, the candidate awaiting a second identical trace."""

    __slots__ = ("candidate", "eager", "hold", "programs", "retraces")

    def __init__(self, hold: list) -> None:
        self.programs: list = []  # (function, source, namespace, generators_to_restore)
        self.candidate: Any = None
        self.retraces = 0
        self.eager: str | None = None
        self.hold = hold  # objects whose id is part of the key, kept alive


def _same_namespace(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for name, x in a.items():
        y = b[name]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not (
                isinstance(x, np.ndarray)
                and isinstance(y, np.ndarray)
                and x.dtype == y.dtype
                and x.shape == y.shape
                and np.array_equal(x, y, equal_nan=True)
            ):
                return False
        elif type(x).__module__.startswith("tinygrad_sm.ops"):
            if type(x) is not type(y) or getattr(x, "needs_grad", None) != getattr(y, "needs_grad", None):
                return False
        elif isinstance(x, (bool, int, float, str, tuple, np.dtype, type(None))):
            if type(x) is not type(y) or x != y:
                return False
        elif x is not y:
            return False
    return True


class CompiledFunction:
    """The callable ``compile`` returns. ``source`` is the latest trace's program; ``stats`` counts calls."""

    def __init__(self, fn: Callable, cache_size: int = 8) -> None:
        self.fn = fn
        self.cache_size = cache_size
        self._cache: OrderedDict = OrderedDict()
        self.source: str | None = None
        self.stats = {"traced": 0, "replayed": 0, "guard_failed": 0, "eager": 0}
        try:
            self._param_names = list(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            self._param_names = []
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _mode.tracer is not None:  # called from inside another compiled function: part of its trace
            return self.fn(*args, **kwargs)
        if _mode.anomaly or _mode.anomaly_forward:
            raise RuntimeError(
                "tinygrad_sm.compile: detect_anomaly is on; anomaly checks need the eager engine, "
                "so call the function without compile while debugging"
            )
        key: list = []
        leaves: list = []
        names: list = []
        kinds: list = []
        for position, value in enumerate(args):
            name = self._param_names[position] if position < len(self._param_names) else f"arg{position}"
            _flatten(value, name, key, leaves, names, kinds)
        for name in sorted(kwargs):
            key.append(("kw", name))
            _flatten(kwargs[name], name, key, leaves, names, kinds)
        signature = tuple(key)
        entry = self._cache.get(signature)
        if entry is not None:
            self._cache.move_to_end(signature)
            if entry.eager is not None:
                self.stats["eager"] += 1
                return self.fn(*args, **kwargs)
            for index, (program, source, _, generators) in enumerate(entry.programs):
                saved = [(g, random.generator_state(g)) for g in _resolve(generators)]
                try:
                    result = program(*leaves)
                except GuardFailed:
                    for generator, state in saved:
                        random.restore_generator(generator, state)
                    self.stats["guard_failed"] += 1
                    continue
                if index:
                    entry.programs.insert(0, entry.programs.pop(index))
                self.stats["replayed"] += 1
                self.source = source
                return result
        else:
            entry = self._cache[signature] = _Entry([v for v in args if not isinstance(v, (Tensor, np.ndarray))])
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return self._trace(entry, args, kwargs, leaves, names, kinds)

    def _trace(self, entry: _Entry, args: tuple, kwargs: dict, leaves: list, names: list, kinds: list) -> Any:
        tracer = Tracer(leaves, names, kinds)
        self.stats["traced"] += 1
        previous_profile = sys.getprofile()
        _mode.tracer = tracer
        sys.setprofile(tracer.profile)
        try:
            result = self.fn(*args, **kwargs)
        finally:
            sys.setprofile(previous_profile)
            _mode.tracer = None
        tracer.name_parameters(self.fn, args)
        try:
            program, source, namespace = build(tracer, result, getattr(self.fn, "__name__", "step"), kinds)
        except Refused as error:
            entry.eager = str(error)
            warnings.warn(
                f"tinygrad_sm.compile({getattr(self.fn, '__name__', 'fn')}): runs eagerly for this signature: {error}",
                RuntimeWarning,
                stacklevel=3,
            )
            return result
        generators = [v for k, v in namespace.items() if k.startswith("_generator")]
        if "_draw(None" in source:
            generators.append(None)
        candidate = (program, source, namespace, generators)
        if (
            entry.candidate is not None
            and entry.candidate[1] == source
            and _same_namespace(entry.candidate[2], namespace)
        ):
            entry.programs.insert(0, candidate)
            del entry.programs[MAX_VARIANTS:]
            entry.candidate, entry.retraces = None, 0
        else:
            entry.candidate = candidate
            entry.retraces += 1
            if entry.retraces > MAX_RETRACES:
                entry.eager = "its trace kept changing from call to call"
                warnings.warn(
                    f"tinygrad_sm.compile({getattr(self.fn, '__name__', 'fn')}): runs eagerly for this "
                    "signature: each call traced a different program (a value read with .item() "
                    "changes every call?)",
                    RuntimeWarning,
                    stacklevel=3,
                )
        self.source = source
        return result

    def __repr__(self) -> str:
        return f"<tinygrad_sm.compile of {getattr(self.fn, '__qualname__', self.fn)!r}, {self.stats}>"


def _resolve(generators: list) -> list:
    return [random.default_generator if g is None else g for g in generators]
