"""PyTorch's small conveniences on Tensor: ``numel()``, ``nelement()``, ``dim()``, ``.mT``, ``t()``, ``type()``,
``select``, ``contiguous()``, ``view_as``/``reshape_as``/``expand_as``/``type_as`` and the ``new_*`` factories.
Each only dispatches to a method of the core class. ``Tensor`` inherits these through ``TensorHabits``.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
               "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}  # fmt: skip


def _size_of(size: tuple) -> tuple[builtins.int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(builtins.int(n) for n in size)


class TensorConveniences:
    """The conveniences (mixed into ``Tensor`` through ``TensorHabits``)."""

    if TYPE_CHECKING:  # what these use of the core class
        _data: np.ndarray

        @property
        def shape(self) -> tuple[int, ...]: ...
        @property
        def dtype(self) -> np.dtype: ...
        @property
        def ndim(self) -> int: ...
        def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None): ...
        def astype(self, dtype: Any) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def expand(self, *shape: Any) -> Tensor: ...
        def transpose(self, *axes: Any) -> Tensor: ...
        def swapaxes(self, first: int, second: int) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
    else:
        __slots__ = ()

    # ------------------------------------------------------------ PyTorch's small habits
    def numel(self) -> builtins.int:
        """The number of elements (``torch.numel``)."""
        return builtins.int(self._data.size)

    def nelement(self) -> builtins.int:
        """The number of elements (an older name of ``numel``)."""
        return builtins.int(self._data.size)

    def dim(self) -> builtins.int:
        """The number of dimensions (``ndim``)."""
        return self.ndim

    def ndimension(self) -> builtins.int:
        return self.ndim

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (a batch of matrices transposed)."""
        if self.ndim < 2:
            raise ValueError(f"mT needs a tensor of at least 2 dimensions, got shape {self.shape}")
        return self.swapaxes(-2, -1)

    def t(self) -> Tensor:
        """The transpose of a matrix (a 0-d or 1-D tensor is returned as it is), as ``torch.t``."""
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor of at most 2 dimensions, got shape {self.shape}; use transpose")
        return self.transpose() if self.ndim == 2 else self  # type: ignore[return-value]  # self is a Tensor

    def type(self, dtype: Any = None) -> Any:
        """Without an argument PyTorch's type name (``'torch.FloatTensor'``); with a dtype, the tensor cast to
        it (as ``to(dtype)``), as PyTorch's ``t.type(y.dtype)``."""
        if dtype is None:
            return "torch." + _TYPE_NAMES.get(self.dtype.name, self.dtype.name) + "Tensor"
        dtype = getattr(dtype, "legacy_dtype", dtype)  # t.type(torch.FloatTensor), in older tutorials
        if isinstance(dtype, str) and dtype.startswith("torch.") and dtype.endswith("Tensor"):
            names = {f"torch.{legacy}Tensor": np.dtype(name) for name, legacy in _TYPE_NAMES.items()}
            if dtype not in names:
                raise ValueError(f"type(): unknown tensor type {dtype!r}; known: {', '.join(sorted(names))}")
            dtype = names[dtype]
        return self.astype(dtype)

    def is_floating_point(self) -> builtins.bool:
        return self.dtype.kind == "f"

    def element_size(self) -> builtins.int:
        """Bytes per element."""
        return builtins.int(self.dtype.itemsize)

    def select(self, dim: builtins.int, index: builtins.int) -> Tensor:
        """The slice at ``index`` along ``dim``, that dim removed (``x.select(1, 0)`` is ``x[:, 0]``)."""
        axis = builtins.int(dim) % max(self.ndim, 1)
        return self[(slice(None),) * axis + (builtins.int(index),)]  # type: ignore[index, no-any-return]

    def stride(self, dim: builtins.int | None = None) -> Any:
        """Elements to step in memory per index of each dimension, as PyTorch counts them (NumPy's byte
        strides divided by the element size): ``(3, 1)`` for a (2, 3) tensor, ``(1, 3)`` for its transpose,
        0 along a dimension ``expand`` repeated. With ``dim``, that dimension's stride."""
        strides = tuple(builtins.int(s) // self.dtype.itemsize for s in self._data.strides)
        if dim is None:
            return strides
        if not -max(self.ndim, 1) <= dim < max(self.ndim, 1):
            raise IndexError(f"stride: dim {dim} out of range for a tensor of {self.ndim} dimensions")
        return strides[dim] if self.ndim else 1

    def where(self, condition: Any, y: Any) -> Tensor:
        """``torch.where(condition, self, y)``: this tensor where ``condition`` holds, else ``y``."""
        from .tensor_functions import where

        return where(condition, self, y)

    def contiguous(self) -> Tensor:
        """The tensor itself: NumPy arrays need no contiguity for ``view`` here (a PyTorch habit kept working)."""
        return self  # type: ignore[return-value]  # self is a Tensor

    def is_contiguous(self) -> builtins.bool:
        return builtins.bool(self._data.flags.c_contiguous)

    def view_as(self, other: Any) -> Tensor:
        return self.reshape(other.shape)

    def reshape_as(self, other: Any) -> Tensor:
        return self.reshape(other.shape)

    def expand_as(self, other: Any) -> Tensor:
        return self.expand(other.shape)

    def type_as(self, other: Any) -> Tensor:
        return self.astype(other.dtype)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: builtins.bool = False) -> Tensor:
        """A new tensor from ``data``, of this tensor's dtype unless ``dtype`` is given."""
        made = type(self)(data, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad)
        return made  # type: ignore[return-value]  # type(self) is Tensor

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: builtins.bool = False) -> Tensor:
        return self.new_full(_size_of(size), 0, dtype=dtype, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: builtins.bool = False) -> Tensor:
        return self.new_full(_size_of(size), 1, dtype=dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, requires_grad: builtins.bool = False) -> Tensor:
        from .tensor_habits import _as_dtype

        dtype = self.dtype if dtype is None else _as_dtype(dtype)
        made = type(self)(np.full(_size_of((size,)), fill_value, dtype=dtype), requires_grad=requires_grad)
        return made  # type: ignore[return-value]  # type(self) is Tensor

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: builtins.bool = False) -> Tensor:
        return self.new_full(_size_of(size), 0, dtype=dtype, requires_grad=requires_grad)
