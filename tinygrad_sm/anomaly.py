"""Anomaly detection: ``detect_anomaly`` makes every backward rule (and, with ``check_forward=True``, every
forward rule) check its results for nan and inf, and remembers where each op was created so the error can
say so. Slow: debugging only. (Split out of ``autograd``; every name here is re-exported from
``tinygrad_sm.autograd``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .autograd import Function
    from .tensor import Tensor


class AnomalyError(FloatingPointError):
    """A forward or backward rule produced nan or inf while ``detect_anomaly`` was on."""


class detect_anomaly:
    """Raise [`AnomalyError`][tinygrad_sm.autograd.AnomalyError] naming the op, its shapes and where it was created when a backward
    rule (and, with ``check_forward=True``, a forward rule) produces nan or inf. Slow: debugging only."""

    def __init__(self, check_forward: bool = False) -> None:
        self.check_forward = check_forward

    def __enter__(self) -> detect_anomaly:
        from .autograd import _mode  # (autograd imports this module)

        self._previous = (_mode.anomaly, _mode.anomaly_forward)
        _mode.anomaly, _mode.anomaly_forward = True, self.check_forward
        return self

    def __exit__(self, *exc: object) -> None:
        from .autograd import _mode

        _mode.anomaly, _mode.anomaly_forward = self._previous


def _check_finite(op: Function, value: Any, phase: str, parents: Sequence[Tensor]) -> None:
    from .tensor import Tensor  # (only while anomaly detection is on)

    arrays = value if isinstance(value, tuple) else (value,)
    for position, array in enumerate(arrays):
        if array is None:
            continue
        array = array._data if isinstance(array, Tensor) else np.asarray(array)
        if array.dtype.kind not in "fc" or np.isfinite(array).all():
            continue
        what = "nan" if np.isnan(array).any() else "inf"
        target = f"gradient for input {position}" if phase == "backward" else "output"
        shapes = ", ".join(str(p.shape) for p in parents)
        where = ""
        trace = getattr(op, "trace", None)
        if trace:
            user_frames = [f for f in trace if "tinygrad_sm" not in f.filename.replace("\\", "/").split("/")[-2:]]
            frame = (user_frames or trace)[-1]
            where = f"\nThe op was created at {frame.filename}:{frame.lineno}: {frame.line}"
        raise AnomalyError(f"{phase} of op '{op.name}' produced {what} in its {target} (input shapes {shapes}){where}")
