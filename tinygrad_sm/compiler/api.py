"""The ``compile`` entry point: signatures, the cache of programs, guards that fall back to eager."""

from __future__ import annotations

import functools
import inspect
import sys
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import random
from ..autograd import _mode, bump_version
from ..tensor import Tensor
from . import world
from .codegen import GuardFailed, build
from .trace import Refused, Tracer
from .watch import Watched

__all__ = ["CompiledFunction"]

MAX_VARIANTS = 4  # programs kept per signature (one per outcome of its guards)
MAX_RETRACES = 8  # traces in a row that give no usable program before a signature stays eager


def _flatten(value: Any, path: str, key: list, leaves: list, names: list, kinds: list) -> None:
    if isinstance(value, Tensor):
        key.append(("T", value.shape, value.dtype.str, value.requires_grad))
        leaves.append(value)
        names.append(path)
        kinds.append("T")
    elif isinstance(value, np.ndarray):
        key.append(("A", value.shape, value.dtype.str))
        leaves.append(value)
        names.append(path)
        kinds.append("A")
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
        if name in ("_undo", "_committed"):  # the program's own scratch lists
            continue
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
        self._lock = threading.RLock()  # one call at a time: the programs and their buffers are shared
        self._warned: set[str] = set()
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
        with self._lock:  # threads sharing one compiled step take turns (each call is then exact)
            return self._call(args, kwargs)

    def _warn(self, reason: str) -> None:
        if reason not in self._warned:  # once per reason
            self._warned.add(reason)
            warnings.warn(
                f"tinygrad_sm.compile({getattr(self.fn, '__name__', 'fn')}): runs eagerly for this signature: {reason}",
                RuntimeWarning,
                stacklevel=4,
            )

    def _call(self, args: tuple, kwargs: dict) -> Any:
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
        key.append(("grad enabled", _mode.grad_enabled))  # under no_grad the same code records nothing
        signature = tuple(key)
        entry = self._cache.get(signature)
        if entry is not None:
            self._cache.move_to_end(signature)
            if entry.eager is not None:
                self.stats["eager"] += 1
                return self.fn(*args, **kwargs)
            for index, (program, source, namespace, generators, unchanged) in enumerate(entry.programs):
                if not unchanged():  # a module flag, a parameter, a global changed (world.py)
                    self.stats["guard_failed"] += 1
                    continue
                saved = [(g, random.generator_state(g)) for g in _resolve(generators)]
                undo, committed = namespace["_undo"], namespace["_committed"]
                undo.clear()
                committed[0] = False
                try:
                    result = program(*leaves)
                except Exception as error:
                    for tensor, array, before in reversed(undo):
                        np.copyto(array, before)
                        bump_version(tensor)
                    undo.clear()
                    if committed[0] and not isinstance(error, GuardFailed):
                        raise  # after the update began: the error an eager call would give at that point
                    for generator, state in saved:
                        random.restore_generator(generator, state)
                    self.stats["guard_failed"] += 1
                    continue  # before any update: the eager call below raises (or not) as eager does
                undo.clear()
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
        watched = [leaf.view(Watched) if kind == "A" else None for leaf, kind in zip(leaves, kinds)]
        entries, held, arrays = world.snapshot(self.fn, args, kwargs, self._param_names)
        tracer = Tracer(leaves, names, kinds, watched)
        tracer.reached_arrays = arrays
        seen_args, seen_kwargs = _substitute(args, kwargs, leaves, watched)
        self.stats["traced"] += 1
        previous_profile = sys.getprofile()
        _mode.tracer = tracer
        sys.setprofile(tracer.profile)
        try:
            result = self.fn(*seen_args, **seen_kwargs)
        finally:
            sys.setprofile(previous_profile)
            _mode.tracer = None
        result = _unwatch(result)
        tracer.name_parameters(self.fn, args)
        entries = self._drop_replayed(tracer, entries)
        try:
            for key, (_, tensor) in tracer.state.items():
                if tensor._data is not tracer.start_arrays.get(key, tensor._data):
                    tracer.refuse(
                        f"tensor {tensor.name or tracer.param_names.get(key, '')!s} of shape {tensor.shape} was "
                        "rebound in place (x += ... on a tensor in a graph, or .data = ...) inside the compiled function"
                    )
            program, source, namespace = build(tracer, result, getattr(self.fn, "__name__", "step"), kinds)
        except Refused as error:
            entry.eager = str(error)
            self._warn(str(error))
            return result
        generators = [v for k, v in namespace.items() if k.startswith("_generator")]
        if "_draw(None" in source:
            generators.append(None)
        candidate = (program, source, namespace, generators, world.checker(entries))
        entry.hold.append(held)
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
                self._warn(
                    "each call traced a different program (a value that a branch reads changes every "
                    "call, or the objects it reaches keep changing?)"
                )
        self.source = source
        return result

    def __repr__(self) -> str:
        return f"<tinygrad_sm.compile of {getattr(self.fn, '__qualname__', self.fn)!r}, {self.stats}>"

    def _drop_replayed(self, tracer: Tracer, entries: list) -> list:
        """The entries the traced call changed: by a replayed call (a scheduler's step) they are dropped
        (the program changes them again); by anything else the function refuses (a replay would not)."""
        replayed = set()
        for scheduler in tracer.replayed:
            replayed.add(id(vars(scheduler)))
            replayed.update(id(group) for group in scheduler.optimizer.param_groups)
        changed = {id(e) for e in world.changed(entries)}
        kept = []
        for e in entries:
            if id(e) not in changed:
                kept.append(e)
            elif id(e[1]) not in replayed:
                tracer.refuse(f"the compiled function changes {e[5]} (a replay would not)")
        return kept


def _substitute(args: tuple, kwargs: dict, leaves: list, watched: list) -> tuple[tuple, dict]:
    """The arguments with each NumPy array replaced by its watched view (see ``watch``)."""
    views = {id(leaf): view for leaf, view in zip(leaves, watched) if view is not None}
    if not views:
        return args, kwargs

    def swap(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return views.get(id(value), value)
        if isinstance(value, (tuple, list)):
            return type(value)(swap(v) for v in value)
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    return tuple(swap(v) for v in args), {k: swap(v) for k, v in kwargs.items()}


def _unwatch(value: Any) -> Any:
    if isinstance(value, Watched):
        return value.view(np.ndarray)
    if isinstance(value, (tuple, list)):
        return type(value)(_unwatch(v) for v in value)
    return value


def _resolve(generators: list) -> list:
    return [random.default_generator if g is None else g for g in generators]
