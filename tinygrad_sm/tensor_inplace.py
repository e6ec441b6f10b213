"""In place, as PyTorch: the trailing-underscore methods (``add_``, ``clamp_``, ``exp_``, ``scatter_``...) and
``_rebind``, which records an in-place update of a tensor autograd must see as a new node of the graph.

``Tensor._write`` (tensor.py) decides between the two ways: recorded out of place and rebound (grad mode on,
and the tensor or the value requires grad), or written into the array with the version bumped (then
backward refuses exactly where an op saved the overwritten value). ``Tensor`` inherits these through
``TensorHabits``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import autograd as _autograd

if TYPE_CHECKING:
    from .tensor import Tensor


def _unary_inplace(name: str) -> Callable[..., Tensor]:
    """``t.exp_()`` from ``t.exp()`` (see ``TensorHabits._inplace``)."""

    def method(self: TensorInPlace) -> Tensor:
        return self._inplace(lambda old, _: getattr(old, name)())

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"``{name}`` in place (recorded in the graph where autograd must see it)."
    return method


def _shape_inplace(name: str) -> Callable[..., Tensor]:
    """``t.unsqueeze_(1)`` from ``t.unsqueeze(1)``: the tensor takes the new shape (its array viewed anew, as
    PyTorch changes only the shape); where autograd must see it, recorded as that op (a leaf that requires
    grad refuses, as PyTorch)."""

    def method(self: TensorInPlace, *args: Any, **kwargs: Any) -> Tensor:
        def reshaped(old: Any, _: Any) -> Tensor:
            return getattr(old, name)(*args, **kwargs)  # type: ignore[no-any-return]

        if _autograd.is_grad_enabled() and self.requires_grad:
            return self._write(None, None, reshaped)  # type: ignore[no-any-return]
        if _autograd._mode.tracer is not None:
            _autograd._mode.tracer.refuse(f"{name}_() changes a tensor's shape in place")
        self._data = reshaped(self, None)._data
        _autograd.bump_version(self)  # type: ignore[arg-type]  # self is a Tensor
        return self  # type: ignore[return-value]

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"``{name}`` in place: the tensor takes the new shape (see ``_shape_inplace``)."
    return method


class TensorInPlace:
    """The in-place methods (mixed into ``Tensor`` through ``TensorHabits``)."""

    if TYPE_CHECKING:  # what these use of the core class
        _data: np.ndarray
        _node: _autograd.Primitive | None
        _extras: _autograd.GradExtras | None
        _previous: Tensor | None
        _version: int
        _view_of: tuple[Tensor, Any] | None
        requires_grad: bool
        name: str | None

        @property
        def shape(self) -> tuple[int, ...]: ...
        @property
        def dtype(self) -> np.dtype: ...
        @classmethod
        def _wrap(cls, array: np.ndarray) -> Tensor: ...
        def __iadd__(self, other: Any) -> Tensor: ...
        def __isub__(self, other: Any) -> Tensor: ...
        def __imul__(self, other: Any) -> Tensor: ...
        def __itruediv__(self, other: Any) -> Tensor: ...
        def _write(self, ufunc: Any, value: Any, out_of_place: Any = None) -> Tensor: ...
    else:
        __slots__ = ()

    def _rebind(self, out_of_place: Callable[[Tensor, Any], Tensor], value: Any) -> Tensor:
        """``c += v`` on a tensor inside a graph, as PyTorch records it: the result is computed out of
        place and this tensor object becomes it, while the ops recorded earlier keep seeing the old state
        (``_previous``, looked up by the logical clock in ``autograd``). Refused when another tensor
        could share the array (a view, ``detach()``, ``.data``), since that one would not see the write."""
        import sys

        holders = 2 + _autograd.frozen_count(self._data)  # this slot, getrefcount's argument, saving graphs
        view_of = getattr(self, "_view_of", None)  # x[i] of a basic index: the write must reach x too
        if (self._data.base is not None and view_of is None) or sys.getrefcount(self._data) > holders:
            raise RuntimeError(
                f"in-place update of a tensor in a graph (shape {self.shape}) whose array is shared "
                "with another tensor or array (a view, detach() or .data): write `x = x + ...`"
            )
        # the old state keeps its values for the ops that read them; a view's are copied, so it stops
        # sharing the array of the tensor it was taken from (which is rebound below)
        old = type(self)._wrap(self._data if view_of is None else self._data.copy())
        old.requires_grad, old._node = self.requires_grad, self._node
        old._version, old._previous = self._version, self._previous
        old.name = self.name
        # (bump before the new op: ops recorded until now read the old state from here on)
        _autograd.bump_version(self)  # type: ignore[arg-type]  # self is a Tensor
        new = out_of_place(old, value)
        if new.dtype != self.dtype:
            raise TypeError(f"in-place result of dtype {new.dtype} cannot be stored in a tensor of dtype {self.dtype}")
        self._data, self._node, self.requires_grad, self._previous = new._data, new._node, new.requires_grad, old
        if self._extras is not None and not self._extras.retain:
            self._extras = None  # hooks belong to the old value, as in PyTorch
        if view_of is not None:  # as PyTorch's views: the tensor it was taken from sees the write (each time)
            source, index = view_of
            source[index] = self
        return self  # type: ignore[return-value]  # self is a Tensor

    # Each is recorded in the graph where autograd must see it (see Tensor._write), else written in place.
    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self += alpha * other``."""
        return self.__iadd__(other if alpha == 1 else other * alpha)  # type: ignore[operator, no-any-return]

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self -= alpha * other``."""
        return self.__isub__(other if alpha == 1 else other * alpha)  # type: ignore[operator, no-any-return]

    def mul_(self, other: Any) -> Tensor:
        return self.__imul__(other)  # type: ignore[operator, no-any-return]

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is None:
            return self.__itruediv__(other)  # type: ignore[operator, no-any-return]
        from .tensor_functions import div

        return self._inplace(lambda old, value: div(old, value, rounding_mode=rounding_mode), other)

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace(lambda old, value: old**value, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return self._inplace(lambda old, _: old.clamp(min, max))  # type: ignore[attr-defined]

    clip_ = clamp_

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        """``self += weight * (end - self)`` (a running average: ``avg.lerp_(new, 0.1)``)."""
        return self._inplace(lambda old, new: old.lerp(new, weight), end)  # type: ignore[attr-defined]

    def clamp_min_(self, min: Any) -> Tensor:
        return self._inplace(lambda old, _: old.clamp(min=min))  # type: ignore[attr-defined]

    def clamp_max_(self, max: Any) -> Tensor:
        return self._inplace(lambda old, _: old.clamp(max=max))  # type: ignore[attr-defined]

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._inplace(lambda old, new: old.masked_fill(mask, new), value)  # type: ignore[attr-defined]

    neg_, abs_, exp_, log_, sqrt_ = (_unary_inplace(n) for n in ("neg", "abs", "exp", "log", "sqrt"))
    sigmoid_, tanh_, relu_, square_ = (_unary_inplace(n) for n in ("sigmoid", "tanh", "relu", "square"))
    reciprocal_, sin_, cos_, sign_ = (_unary_inplace(n) for n in ("reciprocal", "sin", "cos", "sign"))
    unsqueeze_, squeeze_, t_, transpose_ = (_shape_inplace(n) for n in ("unsqueeze", "squeeze", "t", "transpose"))

    def _inplace(self, out_of_place: Callable[[Any, Any], Any], value: Any = None) -> Tensor:
        """An in-place method from its out-of-place form: recorded as that op in the graph, or (no graph
        involved) its result written into this tensor's array, which keeps its dtype (a float result does
        not fit an integer tensor: TypeError, as PyTorch)."""

        def write(array: np.ndarray, new: Any, out: np.ndarray) -> None:
            with _autograd.no_grad():
                result = out_of_place(type(self)._wrap(array), new)._data
            if np.can_cast(result.dtype, out.dtype, "same_kind"):
                np.copyto(out, result, casting="same_kind")
            else:
                raise TypeError(
                    f"in-place result of dtype {result.dtype} cannot be stored in a tensor of dtype {out.dtype}"
                )

        return self._write(write, value, out_of_place)  # type: ignore[attr-defined, no-any-return]

    def scatter_(self, dim: builtins.int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
        """``scatter`` in place: ``torch.zeros(n, 10).scatter_(1, y.unsqueeze(1), 1)`` (a one-hot)."""
        from .functional.indexing import scatter

        if src is not None and not isinstance(src, (TensorInPlace, np.ndarray)) and value is None:
            src, value = None, src  # a number written positionally, as PyTorch's scatter_(dim, index, 1.0)
        return self._inplace(lambda old, _: scatter(old, dim, index, src, value=value))

    def index_add_(self, dim: builtins.int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        """``index_add`` in place: ``acc.index_add_(0, idx, rows)`` adds each row at its index."""
        from .functional.indexing import index_add

        return self._inplace(lambda old, new: index_add(old, dim, index, new, alpha=alpha), source)

    def scatter_add_(self, dim: builtins.int, index: Any, src: Any) -> Tensor:
        from .functional.indexing import scatter_add

        return self._inplace(lambda old, new: scatter_add(old, dim, index, new), src)
