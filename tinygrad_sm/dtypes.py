"""dtypes as PyTorch infers and promotes them: one function decides the result dtype of every binary
op and of ``where``.

Inference (``Tensor(data)`` / ``tensor(data)``):

| data | dtype |
| --- | --- |
| Python float, or a list with a float in it | float32 (the default float dtype) |
| Python int, or a list of ints | int64 |
| Python bool, or a list of bools | bool |
| NumPy array or NumPy scalar | its own dtype |
| ``dtype=`` given | that dtype |

Promotion (``result_type``), as ``torch.result_type``: operands fall in three priority groups,
dimensioned tensors (and arrays) > 0-d tensors (and NumPy scalars) > Python scalars. Categories are
bool < integer < floating point. The result is decided by the highest-priority group, unless a lower
group holds a higher category, which then decides (a Python float uses the default float32):

| operands | result | why |
| --- | --- | --- |
| float32 (n,) + float32 | float32 | same dtype: no promotion |
| float32 (n,) + float64 (n,) | float64 | both dimensioned: the wider float |
| float32 (n,) + Python float | float32 | a Python scalar does not upcast |
| float32 (n,) + float64 0-d tensor | float32 | a 0-d tensor of the same category does not upcast |
| float16 (n,) + Python float | float16 | |
| int32 (n,) + Python int | int32 | |
| int32 (n,) + Python float | float32 | higher category: the default float dtype |
| int64 (n,) + float64 0-d tensor | float64 | higher category: the 0-d tensor's dtype |
| int64 (n,) + float16 (n,) | float16 | integer with float: the float (PyTorch; NumPy would give float64) |
| uint8 (n,) + int8 (n,) | int16 | both integers: the smallest that holds both |
| bool (n,) + Python int | int64 | |
| bool (n,) + bool (n,) | bool | |
| Python float + Python int | float32 | only scalars: the default dtypes |
| int / int (true division) | float32 | division of integers gives the default float |
| exp, log, sqrt, sin, tanh, sigmoid... of int | float32 | a float-only op of an integer tensor (``floating_result``) |

Where the two groups' categories tie, the higher-priority group decides. ``uint64`` with a signed
integer has no integer type holding both (PyTorch has no uint64 promotion either): ``TypeError``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

DEFAULT_DTYPE = np.dtype(np.float32)
DEFAULT_INT = np.dtype(np.int64)
BOOL = np.dtype(np.bool_)
_ACCEPTED_KINDS = "biuf"  # bool, signed and unsigned integers, floating point
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def get_default_dtype() -> np.dtype:
    """The dtype Python floats become: float32 (``torch.get_default_dtype``; fixed here, there is no setter)."""
    return DEFAULT_DTYPE


def finfo(dtype: Any = None) -> np.finfo:
    """Limits of a floating dtype (``eps``, ``max``, ``min``, ``tiny``, ``resolution``), as ``torch.finfo``;
    the default float32 without an argument."""
    limits: np.finfo = np.finfo(DEFAULT_DTYPE if dtype is None else np.dtype(dtype))
    return limits


def iinfo(dtype: Any) -> np.iinfo:
    """Limits of an integer dtype (``min``, ``max``, ``bits``), as ``torch.iinfo``."""
    return np.iinfo(np.dtype(dtype))


def infer_array(data: Any, dtype: Any = None) -> np.ndarray:
    """A new array for ``Tensor(data)`` (always a copy, as ``torch.tensor``), dtype as tabled above."""
    if isinstance(data, (np.ndarray, np.generic)):
        array: np.ndarray = np.array(data, dtype=dtype, copy=True)
    else:
        if hasattr(data, "_data"):  # a Tensor
            array = np.array(data._data, dtype=dtype, copy=True)
        else:
            array = np.array(data, dtype=dtype)
            if dtype is None:
                if array.dtype.kind == "f" and array.dtype != DEFAULT_DTYPE:
                    array = array.astype(DEFAULT_DTYPE)  # Python floats become the default float32
                elif array.dtype.kind in "iu" and array.dtype != DEFAULT_INT:
                    array = array.astype(DEFAULT_INT)  # Python ints become int64, as labels need
    check_kind(array.dtype)
    return array


def floating_result(dtype: np.dtype) -> np.dtype:
    """The dtype of a float-only op (``exp``, ``sqrt``, ``sin``, ``mean``...) on a tensor of ``dtype``: its own
    if floating, else the default float32, as PyTorch (NumPy would give float64 for integers)."""
    return dtype if dtype.kind == "f" else DEFAULT_DTYPE


def check_kind(dtype: np.dtype) -> None:
    if dtype.kind not in _ACCEPTED_KINDS:
        raise TypeError(
            f"Tensor data must be bool, integer or floating point; got dtype {dtype}"
            + (" (complex numbers are not supported)" if dtype.kind == "c" else "")
        )


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """The dtype of ``a op b`` for two operands of equal priority (PyTorch's ``promote_types``)."""
    if a == b:
        return a
    kind_a, kind_b = a.kind, b.kind
    if kind_a == "b":
        return b
    if kind_b == "b":
        return a
    if (kind_a == "f") != (kind_b == "f"):
        return a if kind_a == "f" else b  # integer with float: the float, whatever the integer's width
    result = np.promote_types(a, b)
    if result.kind == "f" and kind_a != "f":
        raise TypeError(f"no integer dtype holds both {a} and {b}; cast one of them explicitly")
    return result


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """A higher-priority group's dtype against a lower one's (``combine_categories`` in PyTorch)."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or _CATEGORY[lower.kind] > _CATEGORY[higher.kind]:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value: Any) -> np.dtype:
    """The dtype a Python scalar stands for: bool, int64 or the default float32."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return DEFAULT_INT
    return DEFAULT_DTYPE


def result_type(*operands: Any) -> np.dtype:
    """The dtype of an op on ``operands`` (Tensors, arrays, NumPy or Python scalars), as PyTorch's
    ``torch.result_type``; see the table in this module's docstring."""
    dimensioned = zero_dim = scalars = None
    for value in operands:
        if isinstance(value, (bool, int, float)):  # (np.float64 is a Python float: weak too, as in PyTorch)
            kind = scalar_dtype(value)
            scalars = kind if scalars is None else promote_types(scalars, kind)
            continue
        data = getattr(value, "_data", None)
        array = data if data is not None else np.asarray(value)
        check_kind(array.dtype)
        if array.ndim:
            dimensioned = array.dtype if dimensioned is None else promote_types(dimensioned, array.dtype)
        else:
            zero_dim = array.dtype if zero_dim is None else promote_types(zero_dim, array.dtype)
    result = _combine(dimensioned, _combine(zero_dim, scalars))
    if result is None:
        raise TypeError("result_type needs at least one operand")
    return result
