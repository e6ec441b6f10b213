"""The saved-array guard: arrays a live graph will read in backward stay read-only, so a raw write such
as ``t.data[0] = 5`` raises instead of silently changing a gradient.

[`Primitive.apply`][tinygrad_sm.autograd.Primitive.apply] freezes what a node saves (``_freeze``) and
``Primitive.release`` / ``Primitive.__del__`` thaw it; ``Tensor.data`` hands out a
[`SavedArray`][tinygrad_sm._saved.SavedArray] view of a frozen array, whose writes name the op that saved it.
(Split out of ``autograd`` so that module stays the node, the grad modes and the backward sweep; every name
here is re-exported from ``tinygrad_sm.autograd``.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

# Arrays that backward will read stay read-only while any graph that holds them lives, so a raw write
# such as `t.data[0] = 5` raises instead of silently changing a gradient. Counted per array, because
# several graphs can hold the same one (a weight used by many forward passes).
#
# Threads: the counts are read and written only under ``_frozen_lock``, so two threads sharing a tensor
# cannot lose an update (a lost decrement left an array read-only forever; a lost increment let one
# graph thaw an array another live graph still needed). A node dropped by the garbage collector
# (``__del__``) may run inside a locked section of its own thread, so it never waits for the lock: it
# queues its arrays in ``_pending_thaw`` (appending is atomic) and whoever holds or next takes the lock
# thaws them.
_frozen_counts: dict[int, int] = {}
_frozen_lock = threading.Lock()
_pending_thaw: list[tuple] = []


def frozen_count(array: np.ndarray) -> int:
    """How many live graph nodes hold ``array`` read-only."""
    return _frozen_counts.get(id(array), 0)


def _freeze(arrays: list[np.ndarray]) -> tuple:
    frozen = []
    with _frozen_lock:
        for array in arrays:
            key = id(array)
            count = _frozen_counts.get(key)
            if count is None:
                if not array.flags.writeable:  # arrays that were read-only already are not ours to thaw
                    continue
                _frozen_counts[key] = 1
            else:
                _frozen_counts[key] = count + 1
            array.setflags(write=False)  # again when counted: an in-place Tensor write may have thawed it
            frozen.append(array)
    if _pending_thaw:
        _drain_pending()
    return tuple(frozen)


def _thaw_locked(frozen: tuple) -> None:
    for array in frozen:
        key = id(array)
        count = _frozen_counts.pop(key, 1) - 1
        if count:
            _frozen_counts[key] = count
        else:
            try:
                array.setflags(write=True)
            except ValueError:  # a view whose base another graph still holds read-only: it stays so
                pass


def _thaw(frozen: tuple) -> None:
    with _frozen_lock:
        _thaw_locked(frozen)
    if _pending_thaw:
        _drain_pending()


def _thaw_later(frozen: tuple) -> None:
    _pending_thaw.append(frozen)
    _drain_pending()


def _drain_pending() -> None:
    while _pending_thaw and _frozen_lock.acquire(blocking=False):
        try:
            while _pending_thaw:
                _thaw_locked(_pending_thaw.pop())
        finally:
            _frozen_lock.release()


def ops_saving(array: np.ndarray) -> list[str]:
    """Descriptions of the live graph nodes that hold ``array`` read-only (for error messages only:
    it searches the garbage collector's referrers, which is slow)."""
    import gc

    from .autograd import Primitive  # (autograd imports this module)

    found = []
    for holder in gc.get_referrers(array):
        if type(holder) is not tuple:
            continue
        for owner in gc.get_referrers(holder):  # the node itself, or its __dict__ (Python versions differ)
            candidates = gc.get_referrers(owner) if type(owner) is dict else [owner]
            for node in candidates:
                if isinstance(node, Primitive) and getattr(node, "frozen", None) is holder and node not in found:
                    found.append(node)
    return [node.describe() for node in found]


class SavedArray(np.ndarray):
    """What ``Tensor.data`` returns while a live graph holds the array read-only for backward: the same
    values (a view), whose writes explain themselves instead of NumPy's bare "assignment destination is
    read-only". Arithmetic on it gives plain arrays; once the graph is released, writes go through."""

    def __array_wrap__(self, array: np.ndarray, context: Any = None, return_scalar: bool = False) -> Any:
        result = array.view(np.ndarray) if type(array) is not np.ndarray else array
        return result[()] if return_scalar and result.ndim == 0 else result

    def _writable(self) -> None:
        if self.flags.writeable:
            return
        try:
            self.setflags(write=True)  # the graph has been released since this view was taken
            return
        except ValueError:
            pass
        owner = self.base
        while owner is not None and not frozen_count(owner) and getattr(owner, "base", None) is not None:
            owner = owner.base
        saving = ops_saving(owner) if owner is not None else []
        what = ("saved by op " + ", ".join(saving)) if saving else "saved by an op of a live graph"
        raise ValueError(
            f"cannot write into this tensor's array (shape {self.shape}), it is read-only: it was {what} "
            "for backward, "
            "and that graph is still alive; writing would silently change its gradient. Run backward "
            "(or drop the graph) first, or update through the Tensor under no_grad (t.add_(...))"
        )

    def __setitem__(self, index: Any, value: Any) -> None:
        self._writable()
        super().__setitem__(index, value)

    def _inplace(name: str) -> Callable[[SavedArray, Any], Any]:  # type: ignore[misc]
        def method(self: SavedArray, other: Any) -> Any:
            self._writable()
            return getattr(super(), name)(other)

        return method

    __iadd__, __isub__, __imul__ = _inplace("__iadd__"), _inplace("__isub__"), _inplace("__imul__")
    __itruediv__, __ipow__ = _inplace("__itruediv__"), _inplace("__ipow__")
    del _inplace
