"""``Parameter``: a Tensor that a Module registers as learned state when it is assigned as an attribute."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import _TENSOR_TYPES, Tensor


class Parameter(Tensor):
    """A learned tensor, as PyTorch's ``nn.Parameter``: ``requires_grad=True`` by default, shares the
    array of the Tensor it wraps, and is listed by ``Module.parameters()`` and ``state_dict()`` when
    assigned to a module attribute. Results of ops on it are plain Tensors."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.empty((0,), dtype=np.float32)
        elif isinstance(data, Tensor):
            array = data._data  # shared, as PyTorch's Parameter shares the storage of the tensor it wraps
        else:
            array = Tensor(data)._data
        super().__init__(0.0)
        self._data = array
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array: np.ndarray) -> Tensor:
        return Tensor._wrap(array)  # an op's result is a Tensor, not a Parameter (as in PyTorch)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


_TENSOR_TYPES.add(Parameter)  # (ops take the same fast path for a Parameter as for a Tensor)
