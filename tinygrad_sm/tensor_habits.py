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
from .tensor_conveniences import TensorConveniences
from .tensor_inplace import TensorInPlace

if TYPE_CHECKING:
    from .functional.counting import HistogramResult
    from .functional.linalg import SlogdetResult
    from .tensor import Tensor


def values_of(fn: Callable[..., Any], *inputs: Any, **params: Any) -> Tensor:
    """``fn`` of the inputs' arrays as a new Tensor outside the graph: a comparison, a mask, any/all, an
    index. The one door through which values computed from tensor data come back as a tensor without
    a primitive; ``autograd._mode.tracer`` (set while ``tinygrad_sm.compile`` records a call) hears of
    every call, so a compiled step computes it again from the new data."""
    tensor = _autograd.Tensor
    value = fn(*[a._data if isinstance(a, tensor) else a for a in inputs], **params)
    out = tensor._wrap(value if type(value) is np.ndarray else np.asarray(value))
    if _autograd._mode.tracer is not None:
        _autograd._mode.tracer.on_values(fn, inputs, params, out)
    return out


def _escapes(tensor: Any, how: str) -> None:
    """The values leave the engine as a NumPy array (the tracer of ``tinygrad_sm.compile`` refuses)."""
    if _autograd._mode.tracer is not None:
        _autograd._mode.tracer.on_escape(tensor, how)


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


class ValuesIndices(NamedTuple):
    """``(values, indices)`` as PyTorch's ``max(dim)``, ``min(dim)``, ``sort``, ``topk``, ``kthvalue``,
    ``median(dim)`` and ``mode`` return them: ``values`` carry the gradient back to the positions they came
    from, ``indices`` are an int64 tensor (not differentiable). ``_, pred = out.max(1)`` unpacks as PyTorch."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:  # as PyTorch prints torch.return_types (the class is named after the op)
        return f"torch.return_types.{type(self).__name__}(\nvalues={self.values!r},\nindices={self.indices!r})"


_RETURN_TYPES: dict[str, type[ValuesIndices]] = {}


def returned_by(op: str, values: Tensor, indices: Tensor) -> ValuesIndices:
    """``(values, indices)`` as ``op`` returns them: a ``ValuesIndices`` whose repr names the op, as
    PyTorch's ``torch.return_types.max(values=..., indices=...)``."""
    kind = _RETURN_TYPES.get(op)
    if kind is None:
        kind = _RETURN_TYPES[op] = type(op, (ValuesIndices,), {"__slots__": ()})
    return kind(values, indices)


ReductionResult = ValuesIndices  # (the earlier name)


class MinMax(NamedTuple):
    """``(min, max)`` as PyTorch's ``aminmax`` returns them."""

    min: Tensor
    max: Tensor

    def __repr__(self) -> str:  # as PyTorch prints torch.return_types.aminmax
        return f"torch.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"


_UNSET: Any = object()


def _arg_indices(array: np.ndarray, name: str, axis: Any, keepdims: bool) -> np.ndarray:
    """``argmax``/``argmin`` of ``array`` as int64 (0 for a 0-d tensor over dim 0 or -1)."""
    if array.ndim == 0:
        if axis not in (None, 0, -1):
            raise IndexError(f"{name}: dim {axis} is out of range for a 0-d tensor (expected 0 or -1)")
        return np.zeros((), dtype=np.int64)
    if array.size == 0:
        raise ValueError(f"{name} of an empty tensor (shape {array.shape}) has no answer")
    return np.asarray(getattr(array, name)(axis=axis, keepdims=keepdims), dtype=np.int64)


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


class TensorHabits(TensorConveniences, TensorInPlace):
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
        clamp_min: Callable[..., Tensor]
        clamp_max: Callable[..., Tensor]
        lerp: Callable[..., Tensor]
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
        dist: Callable[..., Tensor]
        amax: Callable[..., Tensor]
        amin: Callable[..., Tensor]
        sort: Callable[..., ValuesIndices]
        argsort: Callable[..., Tensor]
        topk: Callable[..., ValuesIndices]
        gather: Callable[..., Tensor]
        scatter: Callable[..., Tensor]
        scatter_add: Callable[..., Tensor]
        index_add: Callable[..., Tensor]
        index_select: Callable[..., Tensor]
        masked_fill: Callable[..., Tensor]
        outer: Callable[..., Tensor]
        mv: Callable[..., Tensor]
        multinomial: Callable[..., Tensor]
        tensordot: Callable[..., Tensor]
        # (more rows of the table, by family)
        add: Callable[..., Tensor]
        sub: Callable[..., Tensor]
        subtract: Callable[..., Tensor]
        mul: Callable[..., Tensor]
        multiply: Callable[..., Tensor]
        div: Callable[..., Tensor]
        divide: Callable[..., Tensor]
        true_divide: Callable[..., Tensor]
        pow: Callable[..., Tensor]
        eq: Callable[..., Tensor]
        ne: Callable[..., Tensor]
        gt: Callable[..., Tensor]
        ge: Callable[..., Tensor]
        lt: Callable[..., Tensor]
        le: Callable[..., Tensor]
        greater: Callable[..., Tensor]
        greater_equal: Callable[..., Tensor]
        less: Callable[..., Tensor]
        less_equal: Callable[..., Tensor]
        not_equal: Callable[..., Tensor]
        logical_and: Callable[..., Tensor]
        logical_or: Callable[..., Tensor]
        logical_xor: Callable[..., Tensor]
        logical_not: Callable[..., Tensor]
        bitwise_and: Callable[..., Tensor]
        bitwise_or: Callable[..., Tensor]
        bitwise_xor: Callable[..., Tensor]
        bitwise_not: Callable[..., Tensor]
        isnan: Callable[..., Tensor]
        isinf: Callable[..., Tensor]
        isfinite: Callable[..., Tensor]
        isclose: Callable[..., Tensor]
        allclose: Callable[..., bool]
        equal: Callable[..., bool]
        logsumexp: Callable[..., Tensor]
        median: Callable[..., Any]
        mode: Callable[..., ValuesIndices]
        kthvalue: Callable[..., ValuesIndices]
        aminmax: Callable[..., MinMax]
        count_nonzero: Callable[..., Tensor]
        unique: Callable[..., Any]
        bincount: Callable[..., Tensor]
        histc: Callable[..., Tensor]
        histogram: Callable[..., HistogramResult]
        unbind: Callable[..., tuple[Tensor, ...]]
        nonzero: Callable[..., Any]
        argwhere: Callable[..., Tensor]
        masked_select: Callable[..., Tensor]
        rsqrt: Callable[..., Tensor]
        _view_of: tuple[Tensor, Any] | None

        def __iadd__(self, other: Any) -> Tensor: ...
        def __isub__(self, other: Any) -> Tensor: ...
        def __imul__(self, other: Any) -> Tensor: ...
        def __itruediv__(self, other: Any) -> Tensor: ...
        def _write(self, ufunc: Any, value: Any, out_of_place: Any = None) -> Tensor: ...
        def maximum(self, other: Any) -> Tensor: ...
        def minimum(self, other: Any) -> Tensor: ...

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

    def bmm(self, other: Any) -> Tensor:
        """Batched matrix product of two 3-D tensors ``(b, n, m) @ (b, m, p)`` (as ``torch.bmm``: no broadcasting)."""
        other = other if isinstance(other, type(self)) else type(self)(other)
        if self.ndim != 3 or other.ndim != 3 or self.shape[0] != other.shape[0]:
            raise ValueError(
                f"bmm needs two 3-D tensors with one batch size, got shapes {self.shape} and {other.shape}"
            )
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
        return values_of(np.copy, self)

    def argmax(self, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET, keepdims: Any = _UNSET) -> Tensor:
        """Index of the maximum over ``dim`` (of the flattened tensor without one): an int64 tensor, not part
        of autograd, as PyTorch. The first of tied maxima wins."""
        return self._arg_extremum("argmax", dim, keepdim, axis, keepdims)

    def argmin(self, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET, keepdims: Any = _UNSET) -> Tensor:
        """Index of the minimum over ``dim``, as ``argmax``."""
        return self._arg_extremum("argmin", dim, keepdim, axis, keepdims)

    def _arg_extremum(self, name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> Tensor:
        axis_, keep = axis_args(axis, keepdims, dim, keepdim, name)
        if isinstance(axis_, (tuple, list)):
            raise TypeError(f"{name}: dim must be one int (or None for the flattened tensor), got {axis_!r}")
        return values_of(_arg_indices, self, name, axis_, keep)

    def any(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET) -> Tensor:
        axis, keep = axis_args(axis, keepdims, dim, keepdim, "any")
        return values_of(np.ndarray.any, self, axis=axis, keepdims=keep)

    def all(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET) -> Tensor:
        axis, keep = axis_args(axis, keepdims, dim, keepdim, "all")
        return values_of(np.ndarray.all, self, axis=axis, keepdims=keep)

    def isneginf(self) -> Tensor:
        return values_of(np.isneginf, self)

    def isposinf(self) -> Tensor:
        return values_of(np.isposinf, self)

    # ------------------------------------------------------------ reductions
    # Each takes PyTorch's dim=/keepdim= or NumPy's axis=/keepdims= (positional: axis, keepdims).
    def sum(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET) -> Tensor:
        if dim is _UNSET and keepdim is _UNSET:  # the NumPy spelling (or none): no ambiguity to check
            axis, keep = None if axis is _UNSET else axis, False if keepdims is _UNSET else bool(keepdims)
        else:
            axis, keep = axis_args(axis, keepdims, dim, keepdim, "sum")
        return ops.Sum.apply(self, axis=axis, keepdims=keep)  # type: ignore[arg-type]  # self is a Tensor

    def mean(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET, keepdim: Any = _UNSET) -> Tensor:
        """The mean over ``dim`` (all by default). An integer or bool tensor raises, as PyTorch (its mean is
        not an integer; NumPy would silently compute float64): write ``t.float().mean()``."""
        if self._data.dtype.kind != "f":
            raise RuntimeError(
                f"mean() of a tensor of dtype {self.dtype} (shape {self.shape}): the mean needs a floating point "
                "tensor, as in PyTorch; write t.float().mean()"
            )
        if dim is _UNSET and keepdim is _UNSET:
            axis, keep = None if axis is _UNSET else axis, False if keepdims is _UNSET else bool(keepdims)
        else:
            axis, keep = axis_args(axis, keepdims, dim, keepdim, "mean")
        return ops.Mean.apply(self, axis=axis, keepdims=keep)  # type: ignore[arg-type]  # self is a Tensor

    def max(self, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET, keepdims: Any = _UNSET) -> Any:
        """As PyTorch: ``t.max()`` the largest value; ``t.max(dim)`` / ``t.max(dim=d, keepdim=...)`` the named
        tuple ``(values, indices)`` (so ``_, pred = out.max(1)`` gives the indices); ``t.max(other)`` the
        elementwise maximum. NumPy's keyword ``t.max(axis=1)`` (and ``np.max(t, 1)``) gives the values only,
        as NumPy does; so does a tuple of dims (``t.max((0, 1))``, as NumPy and ``amax``: one value per slice
        comes from several positions, so there is no index to give). Tied maxima share the gradient of the
        values evenly."""
        return self._extremum("max", dim, keepdim, axis, keepdims)

    def min(self, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET, keepdims: Any = _UNSET) -> Any:
        """As ``max``: ``t.min(dim)`` gives ``(values, indices)``, ``t.min(axis=d)`` the values only."""
        return self._extremum("min", dim, keepdim, axis, keepdims)

    def _extremum(self, name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> Any:
        op = ops.Max if name == "max" else ops.Min
        if isinstance(dim, (type(self), np.ndarray)):  # torch.max(a, b): only a tensor is an "other"
            if keepdim is not _UNSET or axis is not _UNSET or keepdims is not _UNSET:
                raise TypeError(f"{name}(other) takes no dim/keepdim: it is the elementwise {name}imum")
            other = dim if isinstance(dim, type(self)) else type(self)(dim)
            return self.maximum(other) if name == "max" else self.minimum(other)  # type: ignore[attr-defined]
        if axis is not _UNSET or keepdims is not _UNSET:  # NumPy's spelling: the values, as NumPy
            axis_, keep = axis_args(axis, keepdims, dim, keepdim, name)
            return op.apply(self, axis=axis_, keepdims=keep)  # type: ignore[arg-type]  # self is a Tensor
        check_axis_type(None if dim is _UNSET else dim, "dim", name)  # (a bool or a float is not a dim)
        if dim is _UNSET or dim is None or isinstance(dim, (tuple, list)):  # no single dim: no indices to give
            keep = False if keepdim is _UNSET else bool(keepdim)
            return op.apply(self, axis=None if dim is _UNSET else dim, keepdims=keep)  # type: ignore[arg-type]
        keep = False if keepdim is _UNSET else bool(keepdim)
        values = op.apply(self, axis=int(dim), keepdims=keep)  # type: ignore[arg-type]  # self is a Tensor
        return returned_by(name, values, self._arg_extremum("arg" + name, int(dim), keep, _UNSET, _UNSET))

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
        """Broadcast to ``shape`` (new dims at the front); ``-1`` keeps that dim's size, as PyTorch."""
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        if any(size == -1 for size in shape):
            lead = len(shape) - self.ndim
            if lead < 0 or any(size == -1 for size in shape[:lead]):
                raise RuntimeError(f"expand: -1 is not allowed for a new leading dim (shape {self.shape} to {shape})")
            shape = tuple(self.shape[i - lead] if size == -1 else size for i, size in enumerate(shape))
        try:
            np.broadcast_shapes(self.shape, shape)
        except ValueError:
            raise ValueError(f"cannot broadcast a tensor of shape {self.shape} to {shape}") from None
        return ops.Expand.apply(
            self,  # type: ignore[arg-type]  # self is a Tensor
            shape=shape,
        )

    broadcast_to = expand
