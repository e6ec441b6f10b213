"""Tensor, the user's object: an ndarray plus the node that made it. Every method only dispatches
to a primitive in ``ops/`` or composes primitives; no derivative rule lives here. dtypes are inferred
and promoted as PyTorch does, by the rules (and the table) in [`dtypes`][tinygrad_sm.dtypes]."""

from __future__ import annotations

import types as _types
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import autograd as _autograd
from . import ops
from .autograd import backward as _backward
from .autograd import bump_version, is_grad_enabled
from .dtypes import DEFAULT_DTYPE, infer_array, result_type
from .tensor_habits import _UNSET, ReductionResult, TensorHabits, _as_dtype, axis_args, values_of  # noqa: F401
from .tensor_repr import torch_style_repr

Axis = int | tuple[int, ...] | None
_to_array = infer_array


class Tensor(TensorHabits):
    """An n-dimensional array that records the ops applied to it, for reverse-mode differentiation.

    ``Tensor(data, requires_grad=False, dtype=None, name=None)`` copies ``data``, as ``torch.tensor``
    does (``from_numpy`` shares memory instead). dtypes as PyTorch infers them: Python floats give
    float32, Python ints int64, bools bool; NumPy arrays keep their dtype (see ``tinygrad_sm.dtypes``).
    ``name`` labels the tensor in pictures and error messages.
    """

    __slots__ = (
        "__dict__",  # a learner's own attributes, as PyTorch allows (``inp.g = out.g @ w.T`` in a backprop-by-hand course)
        "__weakref__",
        "_data",
        "_extras",
        "_grad",
        "_node",
        "_previous",
        "_version",
        "_view_of",
        "name",
        "requires_grad",
    )
    _data: np.ndarray
    _grad: Tensor | None
    requires_grad: bool
    name: str | None
    _node: _autograd.Primitive | None  # the op that made this tensor; None for a leaf
    _version: int
    _extras: _autograd.GradExtras | None
    _previous: Tensor | None
    _view_of: tuple[Tensor, Any] | None  # (tensor, index) whose array this one's views; set by __getitem__ only
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None):
        if type(requires_grad) is not bool and not isinstance(requires_grad, np.bool_):
            raise TypeError(
                f"Tensor(data, requires_grad): requires_grad must be True or False, got {requires_grad!r}. "
                "PyTorch's legacy torch.Tensor(2, 3) (an uninitialised float tensor of that shape) is written "
                "tg.empty(2, 3) or tg.zeros(2, 3) here; tg.tensor(data) builds a tensor from values"
            )
        self._data = _to_array(data, None if dtype is None else _as_dtype(dtype))
        if _autograd._mode.tracer is not None:  # a compiled step makes this copy again on every call
            _autograd._mode.tracer.on_tensor(self._data, data)
        self._grad = None
        self.requires_grad = False
        self.name = name
        self._node = None
        self._version = 0
        self._extras = None  # retain_grad / hooks (see autograd.GradExtras), None for almost every tensor
        self._previous = None  # the state before an in-place op rebound this tensor (see _rebind)
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array: np.ndarray) -> Tensor:
        """Fast internal constructor for op outputs: no conversion, no checks."""
        tensor = cls.__new__(cls)
        tensor._data, tensor._grad, tensor.requires_grad = array, None, False
        tensor.name, tensor._node, tensor._version, tensor._extras, tensor._previous = None, None, 0, None, None
        return tensor

    # ------------------------------------------------------------ attributes
    @property
    def data(self) -> Tensor:
        """The values as a Tensor without the graph, sharing memory (PyTorch's ``.data``): writes through it
        change this tensor. Unlike PyTorch, such a write still counts as a change of this tensor, so a graph
        that saved the old values refuses its backward instead of giving a wrong gradient. The array
        itself: ``t.numpy()`` (or ``t.detach().numpy()``)."""
        if _autograd._mode.tracer is not None:  # tinygrad_sm.compile: the values leave the trace here
            _autograd._mode.tracer.on_escape(self, "data")
        return _alias(self)

    @data.setter
    def data(self, value: Any) -> None:
        # rebinding counts as a modification: a graph that read the old array must not mix in the new one
        if _autograd._mode.tracer is not None:
            _autograd._mode.tracer.on_escape(self, "assignment to .data")
        array = value._data if isinstance(value, Tensor) else _to_array(value)
        if array.shape != self._data.shape and self._node is not None:
            raise RuntimeError(f"assigning .data of shape {array.shape} to a non-leaf tensor of shape {self.shape}")
        self._data = array
        bump_version(self)

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient of a leaf. A non-leaf keeps none unless ``retain_grad()`` was
        called; reading it then warns once, as in PyTorch."""
        if self._node is not None and self._grad is None and (self._extras is None or not self._extras.retain):
            _warn_non_leaf_grad(self)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        self._grad = value

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def size(self, dim: int | None = None) -> Any:
        """The shape as a ``tinygrad_sm.Size`` (a tuple), or the length of axis ``dim``, as PyTorch's
        ``size()``. (NumPy's ``size``, the number of elements, is ``numel()``; ``np.size(t)`` still gives it.)"""
        if dim is None:
            return _Size(self._data.shape)
        try:
            return self._data.shape[dim]
        except (IndexError, TypeError):
            raise IndexError(
                f"size(dim={dim!r}): a tensor of shape {self.shape} has dimensions {-self.ndim}..{self.ndim - 1}"
                if self.ndim
                else f"size(dim={dim!r}) of a 0-d tensor"
            ) from None

    def numel(self) -> int:
        """The number of elements (NumPy's ``size``)."""
        return self._data.size

    nelement = numel

    is_leaf = property(lambda self: self._node is None)

    @property
    def grad_fn(self) -> Any:
        """The node that made this tensor, as PyTorch shows it (``name()``, ``next_functions``); None for a leaf."""
        return None if self._node is None else _GradFn(self._node)

    T = property(lambda self: self.transpose())

    def item(self) -> float | int | bool:
        if self._data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        value: float | int | bool = self._data.item()
        if _autograd._mode.tracer is not None:  # tinygrad_sm.compile guards on the value
            _autograd._mode.tracer.on_item(self, value)
        return value

    def numpy(self) -> np.ndarray:
        """The values (shared memory). A tensor that requires grad raises, as in PyTorch: the array
        would leave the graph silently; call ``t.detach().numpy()`` for the values."""
        if _autograd._mode.tracer is not None:
            _autograd._mode.tracer.on_escape(self, "numpy()")
        if self.requires_grad:
            raise RuntimeError(
                f"numpy() of a tensor that requires grad (shape {self.shape}) would drop it from "
                "the graph; use t.detach().numpy() for the values"
            )
        array = self._data
        if array.flags.writeable or not _autograd.frozen_count(array):
            return array
        return array.view(_autograd.SavedArray)  # a write raises naming the op that saved it for backward

    def tolist(self) -> Any:
        if _autograd._mode.tracer is not None:
            _autograd._mode.tracer.on_escape(self, "tolist()")
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if _autograd._mode.tracer is not None:
            _autograd._mode.tracer.on_escape(self, "np.asarray()")
        if self.requires_grad:
            raise RuntimeError(
                f"converting a tensor that requires grad (shape {self.shape}) to a NumPy array would drop the "
                "graph (np.asarray(t), np.array([t, ...]), or a NumPy function of a list of tensors such as "
                "np.mean([x, y])): use tg.stack([...]) and Tensor methods to keep it, or t.detach().numpy() "
                "for the values"
            )
        if copy:
            return np.array(self._data, dtype=dtype, copy=True)
        return self._data if dtype is None else self._data.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        """A one-element integer tensor as a Python index, as PyTorch: ``classes[pred.argmax()]``,
        ``range(n)``; a float or bool tensor, or several elements, raise TypeError."""
        if self.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError(
                f"only integer tensors of a single element can be converted to an index; got dtype {self.dtype}, "
                f"shape {self.shape}"
            )
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self._data.size} elements (shape {self.shape}) is "
                "ambiguous: use (t > 0).any() or .all(), or compare one element, t[i] > 0"
            )
        return bool(self.item())  # (through item(): tinygrad_sm.compile guards on the value)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    __hash__ = object.__hash__  # == is elementwise, so identity hashing must be explicit

    def __repr__(self) -> str:
        """As PyTorch prints: ``tensor([1.0000, 2.5000], requires_grad=True)``, ``tensor(3., grad_fn=<MulBackward0>)``;
        a dtype other than the defaults is named (``dtype=torch.float64``), and so is the tensor's ``name``."""
        return torch_style_repr(self)

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a one-element 0-d tensor's value, as PyTorch; other tensors take no spec."""
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError(f"unsupported format string {spec!r} for a tensor of shape {self.shape}; format t.item()")
        return repr(self)

    # ------------------------------------------------------------ autograd
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self.dtype.kind != "f":
            raise TypeError(f"only floating point tensors can require gradients, got dtype {self.dtype}")
        if not requires_grad and self._node is not None:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor; use .detach() instead")
        self.requires_grad = requires_grad
        return self

    def detach(self) -> Tensor:
        """The same values (shared memory) with no graph and no gradient. An in-place write through it
        counts as a change of this tensor too (as PyTorch's shared version counter)."""
        return _alias(self)

    def backward(self, gradient: Any = None, retain_graph: bool = False, create_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf it depends on.

        ``gradient`` weights a non-scalar output (same shape). Intermediate buffers are freed unless
        ``retain_graph``; ``create_graph`` records the backward pass so gradients can be differentiated.
        """
        _backward(self, gradient, retain_graph, create_graph)

    def zero_grad(self) -> None:
        if _autograd._mode.tracer is not None:
            _autograd._mode.tracer.on_zero_grad([self])
        self._grad = None

    # ------------------------------------------------------------ arithmetic
    # every binary op takes its operands through _promoted (one dtype rule: dtypes.result_type)
    def __add__(self, other: Any) -> Tensor:
        return ops.Add.apply(*_promoted(self, other))

    def __radd__(self, other: Any) -> Tensor:
        # `2 + x` is recorded as x + 2, as PyTorch records it (x.add(2)): the tensor is the node's first
        # input, which grad_fn.next_functions shows first (the sum is the same either way)
        return ops.Add.apply(*_promoted(self, other))

    def __sub__(self, other: Any) -> Tensor:
        return ops.Sub.apply(*_promoted(self, other))

    def __rsub__(self, other: Any) -> Tensor:
        return ops.Sub.apply(*_promoted(other, self))

    def __mul__(self, other: Any) -> Tensor:
        return ops.Mul.apply(*_promoted(self, other))

    def __rmul__(self, other: Any) -> Tensor:
        return ops.Mul.apply(*_promoted(self, other))  # `2 * x` as x * 2, as PyTorch (see __radd__)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.Div.apply(*_promoted(self, other, true_divide=True))

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.Div.apply(*_promoted(other, self, true_divide=True))

    def __pow__(self, exponent: Any) -> Tensor:
        return ops.Pow.apply(*_promoted(self, exponent))

    def __rpow__(self, base: Any) -> Tensor:
        return ops.Pow.apply(*_promoted(base, self))

    def __matmul__(self, other: Any) -> Tensor:
        return ops.Matmul.apply(*_matmul_operands(self, other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.Matmul.apply(*_matmul_operands(other, self))

    def __neg__(self) -> Tensor:
        if self.dtype.kind == "b":
            raise TypeError("negation of a bool tensor is not supported; use logical not: ~mask")
        return ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    # comparisons give constant bool tensors: they are not differentiable (values_of: see there)
    def __lt__(self, other: Any) -> Tensor:
        return values_of(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return values_of(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return values_of(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return values_of(np.greater_equal, self, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return values_of(np.equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return values_of(np.not_equal, self, other)

    # ------------------------------------------------------------ bitwise: masks (mask & other, ~mask), integers
    def __and__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_and, np.logical_and, "&", self, other)

    def __rand__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_and, np.logical_and, "&", other, self)

    def __or__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_or, np.logical_or, "|", self, other)

    def __ror__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_or, np.logical_or, "|", other, self)

    def __xor__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_xor, np.logical_xor, "^", self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_xor, np.logical_xor, "^", other, self)

    def __invert__(self) -> Tensor:
        return _bitwise(np.invert, np.logical_not, "~", self)

    # ------------------------------------------------------------ in place
    def _write(self, ufunc: Any, value: Any, out_of_place: Callable[[Tensor, Any], Tensor] | None = None) -> Tensor:
        """An in-place update. Where autograd must see it (grad mode on, and this tensor or ``value`` requires
        grad) it is recorded as PyTorch does: computed out of place by ``out_of_place`` and this tensor
        rebound to the result (``_rebind``); a leaf that requires grad is refused, as in PyTorch. Otherwise
        ``ufunc(array, value, out=array)`` writes the array and the version counter guards saved values."""
        if is_grad_enabled() and (self.requires_grad or _requires_grad(value)):
            if self._node is None and self.requires_grad:
                label = f" '{self.name}'" if self.name else ""
                raise RuntimeError(
                    f"a leaf tensor{label} of shape {self.shape} that requires grad is being used in an in-place "
                    "operation (its gradient would be lost): update parameters inside `with tg.no_grad():`, or "
                    "write `x = x + ...` to make a new tensor"
                )
            if out_of_place is None:
                raise RuntimeError(
                    f"this in-place operation on a tensor of shape {self.shape} cannot be recorded in the graph; "
                    "write it out of place (`x = x + ...`) or run it under `with tg.no_grad():`"
                )
            return self._rebind(out_of_place, value)
        array = self._data
        if not array.flags.writeable:
            try:
                array.flags.writeable = True  # frozen by a graph that saved it: the version bump guards that graph
            except ValueError:
                raise ValueError(
                    f"cannot write into this tensor (shape {self.shape}): its array is a read-only "
                    "view, for example of an expand or of a read-only NumPy array"
                ) from None
        if _autograd._mode.tracer is not None:  # tinygrad_sm.compile records the write
            _autograd._mode.tracer.on_write(self, ufunc, value)
        ufunc(array, _plain(value), out=array)
        bump_version(self)
        if self._extras is not None and self._extras.origin is not None:  # .data / detach(): the original changed
            bump_version(self._extras.origin)
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._write(np.add, other, Tensor.__add__)

    def __isub__(self, other: Any) -> Tensor:
        return self._write(np.subtract, other, Tensor.__sub__)

    def __imul__(self, other: Any) -> Tensor:
        return self._write(np.multiply, other, Tensor.__mul__)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._write(np.true_divide, other, Tensor.__truediv__)

    def copy_(self, value: Any) -> Tensor:
        """Write ``value`` (broadcast, cast to this dtype) into this tensor; recorded in the graph as PyTorch."""
        return self._write(_assign_all, value, _copied)

    def zero_(self) -> Tensor:
        return self.copy_(0)

    def fill_(self, value: Any) -> Tensor:
        return self.copy_(value)

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value``. On a tensor in the graph, or with a ``value`` that requires grad, it is
        recorded as PyTorch records it (``x`` becomes the output of an index-put node; see ``_write``)."""
        plain = _plain_index(index)
        if is_grad_enabled() and (self.requires_grad or _requires_grad(value)):
            self._write(_assign_at, value, lambda old, new: index_put(old, plain, new))
        else:
            self._write(_assign_at, (plain, _plain(value)))  # (the index travels with the value, as data)

    # ------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        return ops.Exp.apply(_floating(self))

    def log(self) -> Tensor:
        return ops.Log.apply(_floating(self))

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(_floating(self))

    def relu(self) -> Tensor:
        return ops.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return ops.Sigmoid.apply(_floating(self))

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(_floating(self))

    def maximum(self, other: Any) -> Tensor:
        """Elementwise max; ties split the gradient evenly between the two inputs."""
        return ops.Maximum.apply(*_promoted(self, other))

    def minimum(self, other: Any) -> Tensor:
        """Elementwise min; ties split the gradient evenly between the two inputs."""
        return ops.Minimum.apply(*_promoted(self, other))

    def abs(self) -> Tensor:
        """``|x|``; the gradient at 0 is 0, as in PyTorch."""
        return self if self.dtype.kind == "b" else ops.Abs.apply(self)

    # ------------------------------------------------------------ dtypes
    def astype(self, dtype: Any) -> Tensor:
        """A differentiable cast; the gradient is cast back to this tensor's dtype. A cast to an integer
        or bool dtype leaves the graph, as in PyTorch (rounding has no useful derivative)."""
        dtype = _as_dtype(dtype)
        if dtype == self.dtype:
            return self
        if dtype.kind != "f" or not self.requires_grad:
            return values_of(_array_as, self, dtype)
        return ops.Cast.apply(self, dtype=dtype)

    def __getitem__(self, index: Any) -> Tensor:
        index = _plain_index(index)
        out = ops.GetItem.apply(self, index=index)
        if out._data.base is not None:  # a view (basic indexing): an in-place write to it reaches this tensor
            out._view_of = (self, index)
        return out


def _alias(tensor: Tensor) -> Tensor:
    """A tensor sharing ``tensor``'s array, without its graph, whose in-place writes count as writes of
    ``tensor`` (and of whatever ``tensor`` aliases)."""
    alias = Tensor._wrap(tensor._data)
    extras = tensor._extras
    _autograd.extras_of(alias).origin = extras.origin if extras is not None and extras.origin is not None else tensor
    return alias


def _plain(value: Any) -> Any:
    return value._data if isinstance(value, Tensor) else value


def _copy_into(array: np.ndarray, new: Any, out: np.ndarray) -> None:
    np.copyto(out, np.broadcast_to(new, out.shape))


def _assign_at(array: np.ndarray, index_and_value: tuple, out: np.ndarray) -> None:
    index, new = index_and_value
    out[index] = new


def _plain_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_plain(part) for part in index)
    if isinstance(index, list):
        array = np.asarray(index)
        # an empty list holds no numbers, so NumPy's asarray makes it float; as an index it selects nothing
        return array.astype(np.intp) if array.size == 0 and array.dtype.kind == "f" else array
    return _plain(index)


# where, maximum, minimum, concatenate/cat and stack (functions of several tensors): tensor_functions.py


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None) -> Tensor:
    """A new tensor holding a copy of ``data``, as ``torch.tensor`` (dtypes as ``Tensor``)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def _floating(x: Tensor) -> Tensor:
    """``x`` as the input of a float-only op (exp, log, sqrt, sin...): an integer or bool tensor becomes the
    default float32 first, as PyTorch (NumPy would compute in float64). See ``dtypes.floating_result``."""
    if x._data.dtype.kind == "f":
        return x
    return values_of(_array_as, x, DEFAULT_DTYPE)


def _matmul_operands(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """matmul does not promote two tensors of different dtypes, as PyTorch (float32 @ float64 would
    silently compute in float64, at twice the cost): it raises naming both."""
    a_dtype, b_dtype = getattr(a, "dtype", None), getattr(b, "dtype", None)
    if isinstance(a, (Tensor, np.ndarray)) and isinstance(b, (Tensor, np.ndarray)) and a_dtype != b_dtype:
        raise RuntimeError(
            f"matmul: expected both operands to have the same dtype, but got {a_dtype} (shape {a.shape}) and "
            f"{b_dtype} (shape {b.shape}); cast one with .to({a_dtype}) or .to({b_dtype})"
        )
    return _promoted(a, b)


def _assign_all(array: np.ndarray, new: Any, out: np.ndarray) -> None:
    np.copyto(out, np.broadcast_to(new, out.shape), casting="unsafe")


def _copied(old: Tensor, value: Any) -> Tensor:
    """``old.copy_(value)`` out of place: ``value`` broadcast to ``old``'s shape and dtype (a new node, so the
    gradient reaches ``value`` and not ``old``)."""
    return ops.Where.apply(_cast(value, old.dtype), old, condition=np.ones(old.shape, dtype=bool))


def _requires_grad(value: Any) -> bool:
    return isinstance(value, Tensor) and value.requires_grad


def _cast(value: Any, dtype: np.dtype) -> Tensor:
    if isinstance(value, Tensor):
        return value if value._data.dtype == dtype else value.astype(dtype)
    return values_of(_array_as, value, dtype)  # a copy: a graph may freeze what it saves


def _array_as(value: Any, dtype: np.dtype) -> np.ndarray:
    return np.array(value, dtype=dtype)


def _constant(array: np.ndarray) -> np.ndarray:
    """A constant written in the code (a Python number); tinygrad_sm.compile keeps it as one."""
    if _autograd._mode.tracer is not None:
        _autograd._mode.tracer.on_constant(array)
    return array


def _bitwise(ufunc: np.ufunc, logical: np.ufunc, symbol: str, *operands: Any) -> Tensor:
    """``a & b``, ``a | b``, ``a ^ b``, ``~a`` on bool or integer tensors (PyTorch's ``bitwise_*``; masks alone
    take the logical ufunc, the same values): a constant result, no gradient. A float operand raises, as
    PyTorch (a mask is made by comparing first)."""
    kinds = set()
    for operand in operands:
        dtype = operand.dtype if isinstance(operand, Tensor) else np.asarray(operand).dtype
        if dtype.kind not in "biu":
            raise TypeError(
                f"{symbol} is bitwise: it takes bool or integer tensors, got dtype {dtype}; "
                "for a mask, compare first: (x > 0) & (y < 1)"
            )
        kinds.add(dtype.kind)
    return values_of(logical if kinds == {"b"} else ufunc, *operands)


def constant(array: np.ndarray) -> Tensor:
    """A tensor of an array that library code builds from shapes and Python numbers (zeros, a fill, an
    averaging matrix), never from tensor values: a compiled step keeps it as a constant."""
    return Tensor._wrap(_constant(array))


_TENSOR_TYPES: set[type] = {Tensor}  # the fast paths' types: Tensor and nn.Parameter (which adds itself)


def _promoted(a: Any, b: Any, true_divide: bool = False) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors of the one result dtype ``dtypes.result_type`` gives (``true_divide``:
    integers become the default float). Same-dtype tensors, and a tensor with a Python float of its
    own float kind, take the fast paths and skip the general rule."""
    if type(a) in _TENSOR_TYPES:
        dtype = a._data.dtype
        if type(b) in _TENSOR_TYPES:
            if b._data.dtype is dtype and (not true_divide or dtype.kind == "f"):
                return a, b
        elif type(b) is float and dtype.kind == "f":
            return a, Tensor._wrap(_constant(np.array(b, dtype)))
    elif type(b) in _TENSOR_TYPES and type(a) is float and b._data.dtype.kind == "f":
        return Tensor._wrap(_constant(np.array(a, b._data.dtype))), b
    dtype = result_type(a, b)
    if true_divide and dtype.kind != "f":
        dtype = DEFAULT_DTYPE
    return _cast(a, dtype), _cast(b, dtype)


def _warn_non_leaf_grad(tensor: Tensor) -> None:
    # the default warning filter shows this once per place in the user's code
    assert tensor._node is not None  # called for non-leaves only
    warnings.warn(
        f"reading .grad of a non-leaf tensor (made by op '{tensor._node.name}', shape {tensor.shape}): "
        "only leaves keep .grad; call .retain_grad() before backward to keep it. If this is a parameter "
        "updated as `w = w - lr * w.grad`, that made it a non-leaf: update it in place under no_grad "
        "(`with tg.no_grad(): w -= lr * w.grad`) or use an optimizer",
        UserWarning,
        stacklevel=3,
    )


_autograd.Tensor = Tensor  # type: ignore[misc]  # autograd's forward reference, filled in here
from . import interop as _interop  # noqa: E402,F401  (installs the NumPy protocol on Tensor)
from .introspection import GradFn as _GradFn  # noqa: E402
from .introspection import Size as _Size  # noqa: E402
from .tensor_functions import _as_tensor, cat, concatenate, index_put, maximum, minimum, stack, where  # noqa: E402, F401  (re-exported)


class _CallableModule(_types.ModuleType):  # the type of every module
    """This module, callable as the factory ``tensor(data)``: the package exposes ``tinygrad_sm.tensor``
    as both, so ``import tinygrad_sm.tensor`` keeps working beside ``tg.tensor([0, 2])``."""

    def __call__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None) -> Tensor:
        return tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


import sys as _sys  # noqa: E402

_sys.modules[__name__].__class__ = _CallableModule
