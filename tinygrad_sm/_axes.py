"""The one check of an axis argument (``dim``/``axis``), as PyTorch does it: an integer (a bool is
refused, though Python counts it as one; a float is refused), within ``-ndim..ndim-1``, and in a tuple
no axis twice. Every op that takes an axis calls ``normalize_axis``/``normalize_axes`` or, where the
number of dimensions is not known yet, ``check_axis_type``."""

from __future__ import annotations

from typing import Any

import numpy as np

_NumpyAxisError: type = getattr(np, "exceptions", np).AxisError


class AxisError(_NumpyAxisError):  # type: ignore[misc, valid-type]
    """An axis out of range: an ``IndexError`` (as PyTorch raises) and a ``ValueError`` (as NumPy's
    ``AxisError`` is), so code written for either catches it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)  # NumPy's AxisError with one argument: the message as given


def _name(op: str, name: str) -> str:
    return f"{op}: {name}" if op else name


def check_axis_type(axis: Any, name: str = "dim", op: str = "") -> None:
    """Refuse what is not an axis: a bool, a float, a string; a tuple/list is checked entry by entry;
    None (all axes) passes."""
    if axis is None:
        return
    if isinstance(axis, (tuple, list)):
        for entry in axis:
            _check_one(entry, name, op, axis)
        return
    _check_one(axis, name, op, None)


def _check_one(axis: Any, name: str, op: str, within: Any) -> None:
    where = f" in {within!r}" if within is not None else ""
    if isinstance(axis, (bool, np.bool_)):
        raise TypeError(
            f"{_name(op, name)} must be an integer, got the bool {axis!r}{where} (True/False is not an axis; "
            "did you mean keepdim=?)"
        )
    if not isinstance(axis, (int, np.integer)):
        kind = "a float" if isinstance(axis, (float, np.floating)) else f"a {type(axis).__name__}"
        raise TypeError(f"{_name(op, name)} must be an integer (or a tuple of integers), got {kind} {axis!r}{where}")


def normalize_axis(axis: Any, ndim: int, name: str = "dim", op: str = "") -> int:
    """``axis`` as an index in ``0..ndim-1`` (a 0-d tensor takes 0 and -1, as PyTorch)."""
    _check_one(axis, name, op, None)
    size = max(ndim, 1)
    if not -size <= axis < size:
        tensor = "a 0-d tensor" if ndim == 0 else f"a tensor with {ndim} dimensions"
        raise AxisError(f"{_name(op, name)} {axis} is out of range for {tensor} (expected {-size}..{size - 1})")
    return int(axis) % size


def normalize_axes(axis: Any, ndim: int, name: str = "dim", op: str = "") -> tuple[int, ...]:
    """``axis`` (None: all, an int, or a tuple/list of ints) as a tuple of distinct indices."""
    if axis is None:
        return tuple(range(ndim))
    check_axis_type(axis, name, op)
    entries = axis if isinstance(axis, (tuple, list)) else (axis,)
    normalized = [normalize_axis(entry, ndim, name, op) for entry in entries]
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{_name(op, name)} {tuple(entries)} names an axis more than once")
    return tuple(normalized)
