"""The PyTorch habits on Tensor: dtype methods (``.float()``, ``.long()``, ``.to(dtype)``...), ``clone``,
``softmax``/``log_softmax`` methods, ``matmul``/``mm``/``dot``, ``retain_grad``, ``register_hook``,
``argmax``/``argmin``/``any``/``all``, the reductions ``sum``/``mean``/``max``/``min``, the shape methods
(``reshape``, ``transpose``/``permute``/``swapaxes``, ``expand``), and ``axis_args``, the one place that
accepts both spellings of a reduction's arguments (PyTorch's ``dim``/``keepdim``, NumPy's ``axis``/``keepdims``).

``Tensor`` inherits these from ``TensorHabits``; they only dispatch to methods of the core class.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import autograd as _autograd
from . import ops
from ._axes import check_axis_type, normalize_axis
from .dtypes import check_kind

if TYPE_CHECKING:
    from .functional.linalg import SlogdetResult
    from .functional.order import ValuesIndices
    from .tensor import Tensor


def _as_dtype(dtype: Any) -> np.dtype:
    """A dtype from NumPy spellings, names ('float32', 'long') or ``tinygrad_sm`` dtype attributes."""
    if isinstance(dtype, str) and dtype in _DTYPE_NAMES:
        return np.dtype(_DTYPE_NAMES[dtype])
    dtype = np.dtype(dtype)
    check_kind(dtype)
    return dtype


_DTYPE_NAMES = {
    "float": np.float32,
    "double": np.float64,
    "half": np.float16,
    "long": np.int64,
    "int": np.int32,
    "bool": np.bool_,
}


class ReductionResult(NamedTuple):
    """``(values, indices)`` of ``max``/``min`` over ``dim=``, as PyTorch returns them."""

    values: Tensor
    indices: np.ndarray


_UNSET: Any = object()


def axis_args(
    axis: Any = _UNSET,
    keepdims: Any = _UNSET,
    dim: Any = _UNSET,
    keepdim: Any = _UNSET,
    op: str = "reduction",
    default_axis: Any = None,
) -> tuple[Any, bool]:
    """``(axis, keepdims)`` from either spelling: PyTorch's ``dim``/``keepdim`` or NumPy's
    ``axis``/``keepdims``. Passing both spellings of one argument is an error (it is ambiguous)."""
    if axis is not _UNSET and dim is not _UNSET:
        raise TypeError(f"{op}: pass either dim= or axis=, not both")
    if keepdims is not _UNSET and keepdim is not _UNSET:
        raise TypeError(f"{op}: pass either keepdim= or keepdims=, not both")
    axis, spelling = (dim, "dim") if dim is not _UNSET else (axis, "axis") if axis is not _UNSET else (default_axis, "")
    check_axis_type(axis, spelling or "dim", op)
    keep = keepdim if keepdim is not _UNSET else keepdims if keepdims is not _UNSET else False
    return axis, bool(keep)


class TensorHabits:
    """Methods PyTorch users reach for (mixed into ``Tensor``)."""

    if TYPE_CHECKING:  # what these methods use of the core class; its slots are Tensor's, so mypy sees none here
        _data: np.ndarray
        _node: _autograd.Primitive | None
        _extras: _autograd.GradExtras | None
        _previous: Tensor | None
        _version: int
        requires_grad: bool
        name: str | None

        @property
        def shape(self) -> tuple[int, ...]: ...
        @property
        def dtype(self) -> np.dtype: ...
        @property
        def ndim(self) -> int: ...

        def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None): ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def astype(self, dtype: Any) -> Tensor: ...
        @classmethod
        def _wrap(cls, array: np.ndarray) -> Tensor: ...

        # the methods ``methods.install`` puts on Tensor from ``methods.TABLE`` (test_typing.py keeps this
        # list in step with the table)
        squeeze: Callable[..., Tensor]
        unsqueeze: Callable[..., Tensor]
        flatten: Callable[..., Tensor]
        ravel: Callable[..., Tensor]
        view: Callable[..., Tensor]
        flip: Callable[..., Tensor]
        roll: Callable[..., Tensor]
        repeat: Callable[..., Tensor]
        tile: Callable[..., Tensor]
        split: Callable[..., tuple[Tensor, ...]]
        chunk: Callable[..., tuple[Tensor, ...]]
        narrow: Callable[..., Tensor]
        clamp: Callable[..., Tensor]
        clip: Callable[..., Tensor]
        neg: Callable[..., Tensor]
        square: Callable[..., Tensor]
        sign: Callable[..., Tensor]
        reciprocal: Callable[..., Tensor]
        sin: Callable[..., Tensor]
        cos: Callable[..., Tensor]
        log1p: Callable[..., Tensor]
        expm1: Callable[..., Tensor]
        erf: Callable[..., Tensor]
        log2: Callable[..., Tensor]
        log10: Callable[..., Tensor]
        logaddexp: Callable[..., Tensor]
        var: Callable[..., Tensor]
        std: Callable[..., Tensor]
        prod: Callable[..., Tensor]
        cumsum: Callable[..., Tensor]
        cumprod: Callable[..., Tensor]
        norm: Callable[..., Tensor]
        amax: Callable[..., Tensor]
        amin: Callable[..., Tensor]
        sort: Callable[..., ValuesIndices]
        argsort: Callable[..., np.ndarray]
        topk: Callable[..., ValuesIndices]
        gather: Callable[..., Tensor]
        scatter: Callable[..., Tensor]
        scatter_add: Callable[..., Tensor]
        index_select: Callable[..., Tensor]
        masked_fill: Callable[..., Tensor]
        outer: Callable[..., Tensor]
        tensordot: Callable[..., Tensor]
        tan: Callable[..., Tensor]
        asin: Callable[..., Tensor]
        acos: Callable[..., Tensor]
        atan: Callable[..., Tensor]
        sinh: Callable[..., Tensor]
        cosh: Callable[..., Tensor]
        asinh: Callable[..., Tensor]
        acosh: Callable[..., Tensor]
        atanh: Callable[..., Tensor]
        atan2: Callable[..., Tensor]
        arcsin: Callable[..., Tensor]
        arccos: Callable[..., Tensor]
        arctan: Callable[..., Tensor]
        arcsinh: Callable[..., Tensor]
        arccosh: Callable[..., Tensor]
        arctanh: Callable[..., Tensor]
        arctan2: Callable[..., Tensor]
        hypot: Callable[..., Tensor]
        floor: Callable[..., Tensor]
        ceil: Callable[..., Tensor]
        trunc: Callable[..., Tensor]
        fix: Callable[..., Tensor]
        round: Callable[..., Tensor]
        remainder: Callable[..., Tensor]
        fmod: Callable[..., Tensor]
        floor_divide: Callable[..., Tensor]
        __mod__: Callable[..., Tensor]
        __rmod__: Callable[..., Tensor]
        __floordiv__: Callable[..., Tensor]
        __rfloordiv__: Callable[..., Tensor]
        exp2: Callable[..., Tensor]
        deg2rad: Callable[..., Tensor]
        rad2deg: Callable[..., Tensor]
        fmax: Callable[..., Tensor]
        fmin: Callable[..., Tensor]
        logaddexp2: Callable[..., Tensor]
        sinc: Callable[..., Tensor]
        nan_to_num: Callable[..., Tensor]
        conj: Callable[..., Tensor]
        angle: Callable[..., Tensor]
        movedim: Callable[..., Tensor]
        moveaxis: Callable[..., Tensor]
        repeat_interleave: Callable[..., Tensor]
        fliplr: Callable[..., Tensor]
        flipud: Callable[..., Tensor]
        rot90: Callable[..., Tensor]
        tensor_split: Callable[..., tuple[Tensor, ...]]
        hsplit: Callable[..., tuple[Tensor, ...]]
        vsplit: Callable[..., tuple[Tensor, ...]]
        dsplit: Callable[..., tuple[Tensor, ...]]
        diag: Callable[..., Tensor]
        diagonal: Callable[..., Tensor]
        trace: Callable[..., Tensor]
        tril: Callable[..., Tensor]
        triu: Callable[..., Tensor]
        inner: Callable[..., Tensor]
        kron: Callable[..., Tensor]
        cross: Callable[..., Tensor]
        diff: Callable[..., Tensor]
        inverse: Callable[..., Tensor]
        det: Callable[..., Tensor]
        slogdet: Callable[..., SlogdetResult]
        pinverse: Callable[..., Tensor]
        matrix_power: Callable[..., Tensor]
    else:
        __slots__ = ()

    def retain_grad(self) -> Tensor:
        """Keep this non-leaf's gradient in ``.grad`` at the next backward (a leaf keeps it anyway)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        if self._node is not None:
            _autograd.extras_of(self).retain = True  # type: ignore[arg-type]  # self is a Tensor
        return self  # type: ignore[return-value]  # self is a Tensor

    @property
    def retains_grad(self) -> bool:
        return self._node is not None and self._extras is not None and self._extras.retain

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Callable[[], None]:
        """Call ``hook(grad)`` when this tensor's gradient has been computed (summed over its uses); a
        returned Tensor replaces the gradient. Returns a function that removes the hook (PyTorch returns
        a handle with ``.remove()``; ``handle.remove`` here is the function itself too)."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        hooks = _autograd.extras_of(self).hooks  # type: ignore[arg-type]  # self is a Tensor
        hooks.append(hook)

        def remove() -> None:
            if hook in hooks:
                hooks.remove(hook)

        remove.remove = remove  # type: ignore[attr-defined]
        return remove

    def matmul(self, other: Any) -> Tensor:
        """``self @ other`` (NumPy's and PyTorch's matmul rules)."""
        return self @ other

    def mm(self, other: Any) -> Tensor:
        """Matrix product of two 2-D tensors (as ``torch.mm``: no broadcasting, no 1-D operands)."""
        other = other if isinstance(other, type(self)) else type(self)(other)
        if self.ndim != 2 or other.ndim != 2:
            raise ValueError(f"mm needs two 2-D tensors, got shapes {self.shape} and {other.shape}; use matmul")
        return self @ other

    def dot(self, other: Any) -> Tensor:
        """Inner product of two 1-D tensors of one length (as ``torch.dot``), a 0-d tensor."""
        other = other if isinstance(other, type(self)) else type(self)(other)
        if self.ndim != 1 or other.ndim != 1 or self.shape != other.shape:
            raise ValueError(f"dot needs two 1-D tensors of one length, got shapes {self.shape} and {other.shape}")
        return self @ other

    def softmax(self, dim: Any = _UNSET, *, axis: Any = _UNSET) -> Tensor:
        """``F.softmax`` along ``dim`` (or ``axis``; default -1)."""
        from .functional import softmax

        return softmax(
            self,  # type: ignore[arg-type]  # self is a Tensor
            axis_args(axis, dim=dim, op="softmax", default_axis=-1)[0],
        )

    def log_softmax(self, dim: Any = _UNSET, *, axis: Any = _UNSET) -> Tensor:
        """``F.log_softmax`` along ``dim`` (or ``axis``; default -1)."""
        from .functional import log_softmax

        return log_softmax(
            self,  # type: ignore[arg-type]  # self is a Tensor
            axis_args(axis, dim=dim, op="log_softmax", default_axis=-1)[0],
        )

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``t.to(dtype)``, ``t.to(device)``, ``t.to(device, dtype)``, ``t.to(other)`` (other's dtype and
        device), with ``non_blocking=`` and ``copy=`` accepted, as PyTorch. Returns ``self`` when nothing
        changes (``copy=True`` forces a new tensor); a dtype change is an op in the graph. The only
        device is the CPU: another device raises and says to write ``device='cpu'``."""
        from .device import as_device, is_device_spec

        allowed = {"dtype", "device", "non_blocking", "copy", "memory_format"}
        if set(kwargs) - allowed:
            raise TypeError(f"to() got unexpected keyword arguments: {', '.join(sorted(set(kwargs) - allowed))}")
        dtype, device = kwargs.get("dtype"), kwargs.get("device")
        copy = bool(kwargs.get("copy", False))
        positional = list(args)
        if positional and isinstance(positional[0], TensorHabits):  # to(other): its dtype (and device)
            dtype = positional.pop(0).dtype
        elif positional and (positional[0] is None or is_device_spec(positional[0]) or isinstance(positional[0], int)):
            device = positional.pop(0) if positional[0] is not None else device
            if isinstance(device, int) and not isinstance(device, bool):
                device = f"cuda:{device}"  # PyTorch reads a bare int as a CUDA index
        if positional and dtype is None and not isinstance(positional[0], bool):
            dtype = positional.pop(0)
        if positional:  # the rest are PyTorch's non_blocking and copy, by position
            if len(positional) > 2 or not all(isinstance(flag, bool) for flag in positional):
                raise TypeError(f"to(): could not read the arguments {args!r} (expected dtype, device or tensor)")
            copy = copy or (len(positional) == 2 and positional[1])
        as_device(device)
        out = self if dtype is None or _as_dtype(dtype) == self.dtype else self.astype(dtype)  # type: ignore[attr-defined]
        return out.clone() if copy and out is self else out  # type: ignore[return-value,attr-defined]  # self is a Tensor

    def cpu(self) -> Tensor:
        """The tensor itself: NumPy arrays already live on the CPU (as ``t.cpu()`` on a CPU tensor)."""
        return self  # type: ignore[return-value]  # self is a Tensor

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """Refused: tinygrad_sm has no GPU backend (``tg.cuda.is_available()`` is False)."""
        from .device import as_device

        as_device("cuda" if device is None else device if not isinstance(device, int) else f"cuda:{device}")
        return self  # type: ignore[return-value]  # pragma: no cover  # as_device raised

    @property
    def device(self) -> Any:
        """``device(type='cpu')``: where the values live (NumPy: always the CPU)."""
        from .device import CPU

        return CPU

    @property
    def is_cuda(self) -> bool:
        """False: no tensor lives on a GPU here."""
        return False

    def uniform_(self, *args: Any, **kwargs: Any) -> Tensor:
        """Fill in place with U[from, to) samples (default [0, 1)); ``generator=`` as PyTorch (see ``sampling``)."""
        from .sampling import uniform_

        return uniform_(self, *args, **kwargs)  # type: ignore[arg-type]  # self is a Tensor

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill in place with N(mean, std**2) samples (PyTorch's numbers for the same generator state)."""
        from .sampling import normal_

        return normal_(self, mean, std, generator=generator)  # type: ignore[arg-type]  # self is a Tensor

    def random_(self, *args: Any, **kwargs: Any) -> Tensor:
        """Fill in place with integers: ``random_(to)``, ``random_(from, to)`` or ``random_()``."""
        from .sampling import random_

        return random_(self, *args, **kwargs)  # type: ignore[arg-type]  # self is a Tensor

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """Fill in place with 0/1 samples, ``P(1) = p`` (a float or a tensor of probabilities)."""
        from .sampling import bernoulli_

        return bernoulli_(self, p, generator=generator)  # type: ignore[arg-type]  # self is a Tensor

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill in place with Exp(lambd) samples."""
        from .sampling import exponential_

        return exponential_(self, lambd, generator=generator)  # type: ignore[arg-type]  # self is a Tensor

    def float(self) -> Tensor:
        return self.astype(np.float32)

    def double(self) -> Tensor:
        return self.astype(np.float64)

    def half(self) -> Tensor:
        return self.astype(np.float16)

    def long(self) -> Tensor:
        return self.astype(np.int64)

    def int(self) -> Tensor:
        return self.astype(np.int32)

    def bool(self) -> Tensor:
        return self.astype(np.bool_)

    def clone(self) -> Tensor:
        """A copy that stays in the graph (its gradient passes through unchanged), as ``torch.clone``."""
        if self.requires_grad:
            return ops.Clone.apply(self)  # type: ignore[arg-type]  # self is a Tensor
        return type(self)._wrap(self._data.copy())

    def argmax(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET
    ) -> np.ndarray:
        """Indices of the maxima (integers; not part of autograd)."""
        axis, keep = axis_args(axis, keepdims, dim, keepdim, "argmax")
        return self._data.argmax(axis=axis, keepdims=keep) if self.ndim else np.asarray(0)

    def argmin(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET
    ) -> np.ndarray:
        """Indices of the minima (integers; not part of autograd)."""
        axis, keep = axis_args(axis, keepdims, dim, keepdim, "argmin")
        return self._data.argmin(axis=axis, keepdims=keep) if self.ndim else np.asarray(0)

    def any(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET) -> Tensor:
        axis, keep = axis_args(axis, keepdims, dim, keepdim, "any")
        return type(self)._wrap(np.asarray(self._data.any(axis=axis, keepdims=keep)))

    def all(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET) -> Tensor:
        axis, keep = axis_args(axis, keepdims, dim, keepdim, "all")
        return type(self)._wrap(np.asarray(self._data.all(axis=axis, keepdims=keep)))

    # ------------------------------------------------------------ reductions
    # Each takes PyTorch's dim=/keepdim= or NumPy's axis=/keepdims= (positional: axis, keepdims).
    def sum(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET) -> Tensor:
        if dim is _UNSET and keepdim is _UNSET:  # the NumPy spelling (or none): no ambiguity to check
            axis, keep = None if axis is _UNSET else axis, False if keepdims is _UNSET else bool(keepdims)
        else:
            axis, keep = axis_args(axis, keepdims, dim, keepdim, "sum")
        return ops.Sum.apply(self, axis=axis, keepdims=keep)  # type: ignore[arg-type]  # self is a Tensor

    def mean(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET) -> Tensor:
        if dim is _UNSET and keepdim is _UNSET:
            axis, keep = None if axis is _UNSET else axis, False if keepdims is _UNSET else bool(keepdims)
        else:
            axis, keep = axis_args(axis, keepdims, dim, keepdim, "mean")
        return ops.Mean.apply(self, axis=axis, keepdims=keep)  # type: ignore[arg-type]  # self is a Tensor

    def max(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET) -> Any:
        """Max over ``axis``; tied maxima share the gradient evenly. With PyTorch's ``dim=`` keyword the
        result is PyTorch's ``(values, indices)``; with ``axis=`` or positionally it is the values only,
        as NumPy (a deliberate difference: ``t.max(1)`` is the NumPy spelling existing code uses)."""
        return self._extremum(ops.Max, "max", axis, keepdims, dim, keepdim)

    def min(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET) -> Any:
        """Min over ``axis``, as ``max`` (values and indices with ``dim=``)."""
        return self._extremum(ops.Min, "min", axis, keepdims, dim, keepdim)

    # ------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return ops.Reshape.apply(
            self,  # type: ignore[arg-type]  # self is a Tensor
            shape=shape,
        )

    # view, flatten, squeeze, ... (methods that only dispatch) are installed from methods.TABLE

    def transpose(self, *axes: Any) -> Tensor:
        """``t.transpose()`` reverses the axes; ``t.transpose(dim0, dim1)`` (two ints) swaps two axes, as
        PyTorch (on a matrix ``t.transpose(1, 0)`` means the same in NumPy); a tuple or three or more
        ints permute, as NumPy: ``t.transpose((1, 0, 2))`` / ``t.transpose(1, 0, 2)`` (``permute``)."""
        if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes):
            return self.swapaxes(axes[0], axes[1])  # checked there: a bool is not an axis
        return self.permute(*axes)

    def permute(self, *axes: Any) -> Tensor:
        """Reorder the axes: ``t.permute(2, 0, 1)`` or ``t.permute((2, 0, 1))``; none reverses them."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(reversed(range(self.ndim)))
        normalized = tuple(normalize_axis(a, self.ndim, "dims", "permute") for a in axes)
        if sorted(normalized) != list(range(self.ndim)):
            raise ValueError(f"axes {axes} are not a permutation of the {self.ndim} axes of shape {self.shape}")
        return ops.Permute.apply(
            self,  # type: ignore[arg-type]  # self is a Tensor
            axes=normalized,
        )

    def swapaxes(self, first: builtins.int, second: builtins.int) -> Tensor:  # (int is the method here)
        """Swap two axes (``np.swapaxes(t, axis1=, axis2=)`` and ``torch.transpose(t, dim0, dim1)``)."""
        first, second = (normalize_axis(a, self.ndim, "dim", "transpose") for a in (first, second))
        axes = list(range(self.ndim))
        axes[first], axes[second] = axes[second], axes[first]
        return self.permute(tuple(axes))

    def expand(self, *shape: Any) -> Tensor:
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            np.broadcast_shapes(self.shape, shape)
        except ValueError:
            raise ValueError(f"cannot broadcast a tensor of shape {self.shape} to {shape}") from None
        return ops.Expand.apply(
            self,  # type: ignore[arg-type]  # self is a Tensor
            shape=shape,
        )

    broadcast_to = expand

    def _extremum(self, op: Any, name: str, axis: Any, keepdims: Any, dim: Any, keepdim: Any) -> Any:
        axis_, keep = axis_args(axis, keepdims, dim, keepdim, name)
        values = op.apply(self, axis=axis_, keepdims=keep)
        if not isinstance(dim, (int, np.integer)):  # no dim=, or several dims (as torch.amax): the values
            return values
        arg = self._data.argmax if name == "max" else self._data.argmin
        return ReductionResult(values, arg(axis=dim, keepdims=keep) if self.ndim else np.asarray(0))

    def _rebind(self, out_of_place: Callable[[Tensor, Any], Tensor], value: Any) -> Tensor:
        """``c += v`` on a tensor inside a graph, as PyTorch records it: the result is computed out of
        place and this tensor object becomes it, while the ops recorded earlier keep seeing the old state
        (``_previous``, looked up by the logical clock in ``autograd``). Refused when another tensor
        could share the array (a view, ``detach()``, ``.data``), since that one would not see the write."""
        import sys

        holders = 2 + _autograd.frozen_count(self._data)  # this slot, getrefcount's argument, saving graphs
        if self._data.base is not None or sys.getrefcount(self._data) > holders:
            raise RuntimeError(
                f"in-place update of a tensor in a graph (shape {self.shape}) whose array is shared "
                "with another tensor or array (a view, detach() or .data): write `x = x + ...`"
            )
        old = type(self)._wrap(self._data)
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
        return self  # type: ignore[return-value]  # self is a Tensor
