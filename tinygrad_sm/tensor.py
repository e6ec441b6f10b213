"""Tensor, the user's object: an ndarray plus the node that made it. Every method only dispatches
to a primitive in ``ops.py`` or composes primitives; no derivative rule lives here."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from . import autograd as _autograd
from . import ops
from .autograd import bump_version, is_grad_enabled
from .autograd import backward as _backward

Axis = int | tuple[int, ...] | None
DEFAULT_DTYPE = np.float32
_ACCEPTED_KINDS = "biuf"  # bool, signed and unsigned integers, floating point


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    if isinstance(data, Tensor):
        array = data.data.copy() if dtype is None else data.data.astype(dtype)
    elif isinstance(data, np.ndarray):
        array = data.astype(dtype) if dtype is not None and data.dtype != dtype else data.view()
    else:
        array = np.asarray(data, dtype=dtype)
        if dtype is None and array.dtype.kind in "iuf":
            array = array.astype(DEFAULT_DTYPE)  # Python numbers and lists become float32
    if array.dtype.kind not in _ACCEPTED_KINDS:
        raise TypeError(f"Tensor data must be bool, integer or floating point; got dtype {array.dtype}"
                        + (" (complex numbers are not supported)" if array.dtype.kind == "c" else ""))
    return array


_UNSET: Any = object()


def axis_args(axis: Any = _UNSET, keepdims: Any = _UNSET, dim: Any = _UNSET, keepdim: Any = _UNSET,
              op: str = "reduction", default_axis: Any = None) -> tuple[Any, bool]:
    """``(axis, keepdims)`` from either spelling: PyTorch's ``dim``/``keepdim`` or NumPy's
    ``axis``/``keepdims``. Passing both spellings of one argument is an error (it is ambiguous)."""
    if axis is not _UNSET and dim is not _UNSET:
        raise TypeError(f"{op}: pass either dim= or axis=, not both")
    if keepdims is not _UNSET and keepdim is not _UNSET:
        raise TypeError(f"{op}: pass either keepdim= or keepdims=, not both")
    axis = dim if dim is not _UNSET else axis if axis is not _UNSET else default_axis
    keep = keepdim if keepdim is not _UNSET else keepdims if keepdims is not _UNSET else False
    return axis, bool(keep)


class Tensor:
    """An n-dimensional array that records the ops applied to it, for reverse-mode differentiation.

    ``Tensor(data, requires_grad=False, dtype=None, name=None)``: NumPy arrays keep their dtype, Python
    numbers and lists become float32. ``name`` labels the tensor in pictures and error messages.
    """
    __slots__ = ("_data", "grad", "requires_grad", "name", "_node", "_version", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None):
        self._data = _to_array(data, dtype)
        self.grad: Tensor | None = None
        self.requires_grad = False
        self.name = name
        self._node = None
        self._version = 0
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array: np.ndarray) -> "Tensor":
        """Fast internal constructor for op outputs: no conversion, no checks."""
        tensor = cls.__new__(cls)
        tensor._data, tensor.grad, tensor.requires_grad = array, None, False
        tensor.name, tensor._node, tensor._version = None, None, 0
        return tensor

    # ------------------------------------------------------------ attributes
    @property
    def data(self) -> np.ndarray:
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        # rebinding counts as a modification: a graph that read the old array must not mix in the new one
        self._data = _to_array(value)
        bump_version(self)

    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)
    is_leaf = property(lambda self: self._node is None)
    grad_fn = property(lambda self: self._node)
    T = property(lambda self: self.transpose())

    def item(self) -> float | int | bool:
        if self.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self._data.item()

    def numpy(self) -> np.ndarray:
        return self._data

    def tolist(self) -> Any:
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        return bool(self.item())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        return (self[i] for i in range(len(self)))

    __hash__ = object.__hash__  # == is elementwise, so identity hashing must be explicit

    def __repr__(self) -> str:
        body = np.array2string(self._data, precision=4, separator=", ", prefix="Tensor(", threshold=50)
        extras = [f"dtype={self.dtype}"]
        if self.name:
            extras.append(f"name={self.name!r}")
        if self._node is not None:
            extras.append(f"op={self._node.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"Tensor({body}, {', '.join(extras)})"

    # ------------------------------------------------------------ autograd
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self.dtype.kind != "f":
            raise TypeError(f"only floating point tensors can require gradients, got dtype {self.dtype}")
        if not requires_grad and self._node is not None:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor; use .detach() instead")
        self.requires_grad = requires_grad
        return self

    def detach(self) -> "Tensor":
        """The same values (shared memory) with no graph and no gradient."""
        return Tensor._wrap(self._data)

    def backward(self, gradient: Any = None, retain_graph: bool = False, create_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf it depends on.

        ``gradient`` weights a non-scalar output (same shape). Intermediate buffers are freed unless
        ``retain_graph``; ``create_graph`` records the backward pass so gradients can be differentiated.
        """
        _backward(self, gradient, retain_graph, create_graph)

    def zero_grad(self) -> None:
        self.grad = None

    # ------------------------------------------------------------ operand conversion
    def _operand(self, value: Any) -> "Tensor":
        """A non-Tensor operand as a constant Tensor; Python numbers take this tensor's float dtype."""
        if isinstance(value, Tensor):
            return value
        if isinstance(value, (int, float, bool)):
            if self.dtype.kind == "f" or (isinstance(value, int) and self.dtype.kind in "iu"):
                return Tensor._wrap(np.asarray(value, dtype=self.dtype))
        return Tensor(value)

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> "Tensor":
        return ops.Add.apply(self, self._operand(other))

    def __radd__(self, other: Any) -> "Tensor":
        return ops.Add.apply(self._operand(other), self)

    def __sub__(self, other: Any) -> "Tensor":
        return ops.Sub.apply(self, self._operand(other))

    def __rsub__(self, other: Any) -> "Tensor":
        return ops.Sub.apply(self._operand(other), self)

    def __mul__(self, other: Any) -> "Tensor":
        return ops.Mul.apply(self, self._operand(other))

    def __rmul__(self, other: Any) -> "Tensor":
        return ops.Mul.apply(self._operand(other), self)

    def __truediv__(self, other: Any) -> "Tensor":
        return ops.Div.apply(self, self._operand(other))

    def __rtruediv__(self, other: Any) -> "Tensor":
        return ops.Div.apply(self._operand(other), self)

    def __pow__(self, exponent: Any) -> "Tensor":
        return ops.Pow.apply(self, self._operand(exponent))

    def __rpow__(self, base: Any) -> "Tensor":
        return ops.Pow.apply(self._operand(base), self)

    def __matmul__(self, other: Any) -> "Tensor":
        return ops.Matmul.apply(self, self._operand(other))

    def __rmatmul__(self, other: Any) -> "Tensor":
        return ops.Matmul.apply(self._operand(other), self)

    def __neg__(self) -> "Tensor":
        if self.dtype.kind == "b":
            raise TypeError("negation of a bool tensor is not supported; use logical not (~) on the array")
        return ops.Neg.apply(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return self.abs()

    # comparisons give constant bool tensors: they are not differentiable
    def __lt__(self, other: Any) -> "Tensor":
        return Tensor._wrap(self._data < _plain(other))

    def __le__(self, other: Any) -> "Tensor":
        return Tensor._wrap(self._data <= _plain(other))

    def __gt__(self, other: Any) -> "Tensor":
        return Tensor._wrap(self._data > _plain(other))

    def __ge__(self, other: Any) -> "Tensor":
        return Tensor._wrap(self._data >= _plain(other))

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return Tensor._wrap(self._data == _plain(other))

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return Tensor._wrap(self._data != _plain(other))

    # ------------------------------------------------------------ in place (outside the graph)
    def _write(self, ufunc: np.ufunc, value: Any) -> "Tensor":
        if self.requires_grad and is_grad_enabled():
            kind = "a leaf tensor that requires grad" if self._node is None else "a tensor that is part of a graph"
            raise RuntimeError(f"in-place update of {kind} (shape {self.shape}) would corrupt the gradient; "
                               "wrap parameter updates in `with no_grad():`, or write `x = x + ...`")
        array = self._data
        if not array.flags.writeable:
            try:
                array.flags.writeable = True  # frozen by a graph that saved it: the version bump guards that graph
            except ValueError:
                raise ValueError(f"cannot write into this tensor (shape {self.shape}): its array is a read-only "
                                 "view, for example of an expand or of a read-only NumPy array") from None
        ufunc(array, _plain(value), out=array)
        bump_version(self)
        return self

    def __iadd__(self, other: Any) -> "Tensor":
        return self._write(np.add, other)

    def __isub__(self, other: Any) -> "Tensor":
        return self._write(np.subtract, other)

    def __imul__(self, other: Any) -> "Tensor":
        return self._write(np.multiply, other)

    def __itruediv__(self, other: Any) -> "Tensor":
        return self._write(np.true_divide, other)

    add_ = __iadd__
    sub_ = __isub__
    mul_ = __imul__

    def copy_(self, value: Any) -> "Tensor":
        return self._write(lambda array, new, out: np.copyto(out, np.broadcast_to(new, out.shape)), value)

    def zero_(self) -> "Tensor":
        return self.copy_(0)

    def __setitem__(self, index: Any, value: Any) -> None:
        def assign(array: np.ndarray, new: Any, out: np.ndarray) -> None:
            out[_plain_index(index)] = new
        self._write(assign, value)

    # ------------------------------------------------------------ elementwise
    def exp(self) -> "Tensor":
        return ops.Exp.apply(self)

    def log(self) -> "Tensor":
        return ops.Log.apply(self)

    def sqrt(self) -> "Tensor":
        return ops.Sqrt.apply(self)

    def relu(self) -> "Tensor":
        return ops.ReLU.apply(self)

    def sigmoid(self) -> "Tensor":
        return ops.Sigmoid.apply(self)

    def tanh(self) -> "Tensor":
        return ops.Tanh.apply(self)

    def maximum(self, other: Any) -> "Tensor":
        """Elementwise max; ties split the gradient evenly between the two inputs."""
        return ops.Maximum.apply(self, self._operand(other))

    def minimum(self, other: Any) -> "Tensor":
        return -((-self).maximum(-self._operand(other)))

    def abs(self) -> "Tensor":
        return where(self._data >= 0, self, -self)

    def astype(self, dtype: Any) -> "Tensor":
        """A differentiable cast; the gradient is cast back to this tensor's dtype."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if dtype.kind != "f":  # rounding to integers or bools has no useful derivative
            return Tensor._wrap(self._data.astype(dtype))
        return ops.Cast.apply(self, dtype=dtype)

    # ------------------------------------------------------------ reductions
    def sum(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Max over ``axis``; tied maxima share the gradient evenly."""
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return -((-self).max(axis=axis, keepdims=keepdims))

    def mean(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return ops.Mean.apply(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis: int | None = None) -> np.ndarray:
        """Indices of the maxima (integers; not part of autograd)."""
        return self._data.argmax(axis=axis)

    # ------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> "Tensor":
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return ops.Reshape.apply(self, shape=shape)

    # view, flatten, squeeze, ... (methods that only dispatch) are installed from methods.METHODS

    def transpose(self, *axes: Any) -> "Tensor":
        """Reverse the axes, or permute them: ``t.transpose(1, 0, 2)`` / ``t.transpose((1, 0, 2))``."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(reversed(range(self.ndim)))
        if sorted(int(a) % max(self.ndim, 1) for a in axes) != list(range(self.ndim)):
            raise ValueError(f"axes {axes} are not a permutation of the {self.ndim} axes of shape {self.shape}")
        return ops.Permute.apply(self, axes=tuple(int(a) % self.ndim for a in axes))

    permute = transpose

    def swapaxes(self, first: int, second: int) -> "Tensor":
        axes = list(range(self.ndim))
        axes[first], axes[second] = axes[second], axes[first]
        return self.transpose(tuple(axes))

    def expand(self, *shape: Any) -> "Tensor":
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            np.broadcast_shapes(self.shape, shape)
        except ValueError:
            raise ValueError(f"cannot broadcast a tensor of shape {self.shape} to {shape}") from None
        return ops.Expand.apply(self, shape=shape)

    broadcast_to = expand

    def __getitem__(self, index: Any) -> "Tensor":
        return ops.GetItem.apply(self, index=_plain_index(index))


def _plain(value: Any) -> Any:
    return value._data if isinstance(value, Tensor) else value


def _plain_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_plain(part) for part in index)
    if isinstance(index, list):
        return np.asarray(index)
    return _plain(index)


# ---------------------------------------------------------------- functions of several tensors

def tensor(data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None) -> Tensor:
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def _as_tensor(value: Any, like: Tensor | None = None) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return like._operand(value) if like is not None else Tensor(value)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (broadcast); the condition carries no gradient."""
    condition = np.asarray(_plain(condition))
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {condition.dtype}")
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    return ops.Where.apply(_as_tensor(a, like), _as_tensor(b, like), condition=condition)


def maximum(a: Any, b: Any) -> Tensor:
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    return ops.Maximum.apply(_as_tensor(a, like), _as_tensor(b, like))


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    if tensors[0].ndim == 0:
        raise ValueError("zero-dimensional tensors cannot be concatenated; use stack")
    return ops.Concatenate.apply(*tensors, axis=axis)


cat = concatenate


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack needs tensors of one shape, got {sorted(shapes)}")
    if not -(tensors[0].ndim + 1) <= axis <= tensors[0].ndim:
        raise ValueError(f"axis {axis} is out of range for stacking tensors of shape {tensors[0].shape}")
    axis = axis % (tensors[0].ndim + 1)
    expanded = [t.reshape(t.shape[:axis] + (1,) + t.shape[axis:]) for t in tensors]
    return concatenate(expanded, axis=axis)


# ---------------------------------------------------------------- NumPy functions on tensors
# np.exp(t) and friends dispatch to the primitives, so they keep the graph; anything else raises
# instead of silently turning a tensor that requires grad into a plain array.

def _binary(method: str):
    def apply(a: Any, b: Any) -> Tensor:
        like = a if isinstance(a, Tensor) else b
        return getattr(_as_tensor(a, like), method)(_as_tensor(b, like))
    return apply


def _compare(ufunc: np.ufunc):
    return lambda a, b: Tensor._wrap(ufunc(_plain(a), _plain(b)))


_UFUNCS = {
    np.add: _binary("__add__"), np.subtract: _binary("__sub__"), np.multiply: _binary("__mul__"),
    np.true_divide: _binary("__truediv__"), np.power: _binary("__pow__"), np.matmul: _binary("__matmul__"),
    np.maximum: maximum, np.negative: Tensor.__neg__, np.exp: Tensor.exp, np.log: Tensor.log,
    np.sqrt: Tensor.sqrt, np.tanh: Tensor.tanh, np.absolute: Tensor.abs,
    np.greater: _compare(np.greater), np.greater_equal: _compare(np.greater_equal),
    np.less: _compare(np.less), np.less_equal: _compare(np.less_equal),
    np.equal: _compare(np.equal), np.not_equal: _compare(np.not_equal),
}

_FUNCTIONS = {
    np.sum: lambda t, axis=None, keepdims=False: _as_tensor(t).sum(axis=axis, keepdims=keepdims),
    np.mean: lambda t, axis=None, keepdims=False: _as_tensor(t).mean(axis=axis, keepdims=keepdims),
    np.max: lambda t, axis=None, keepdims=False: _as_tensor(t).max(axis=axis, keepdims=keepdims),
    np.reshape: lambda t, shape: _as_tensor(t).reshape(shape),
    np.transpose: lambda t, axes=None: _as_tensor(t).transpose(*(() if axes is None else (axes,))),
    np.swapaxes: lambda t, a, b: _as_tensor(t).swapaxes(a, b),
    np.broadcast_to: lambda t, shape: _as_tensor(t).expand(shape),
    np.where: where, np.concatenate: concatenate, np.stack: stack,
    np.argmax: lambda t, axis=None: _plain(t).argmax(axis=axis),
    np.shape: lambda t: _plain(t).shape, np.ndim: lambda t: _plain(t).ndim, np.size: lambda t: _plain(t).size,
}


def _array_ufunc(self: Tensor, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    handler = _UFUNCS.get(ufunc)
    if method != "__call__" or kwargs or handler is None:
        raise TypeError(f"np.{ufunc.__name__}{'' if method == '__call__' else '.' + method} is not supported "
                        "on Tensors (it would drop the graph); use the Tensor method (for example t.exp()), "
                        "or t.numpy() for the plain values")
    return handler(*inputs)


def _array_function(self: Tensor, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    handler = _FUNCTIONS.get(func)
    if handler is None:
        raise TypeError(f"np.{func.__name__} is not supported on Tensors (it would drop the graph); "
                        "use Tensor methods, or t.numpy() for the plain values")
    return handler(*args, **kwargs)


Tensor.__array_ufunc__ = _array_ufunc
_autograd.Tensor = Tensor
Tensor.__array_function__ = _array_function
