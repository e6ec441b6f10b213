"""Anomaly detection: ``detect_anomaly`` makes every backward rule (and, with ``check_forward=True``, every
forward rule) check its results for nan and inf, and remembers where each op was created so the error can
say so. Slow: debugging only. (Split out of ``autograd``; every name here is re-exported from
``tinygrad_sm.autograd``.)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .autograd import Primitive
    from .tensor import Tensor


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def in_package(filename: str) -> bool:
    """Whether ``filename`` is one of this package's own files (so a traceback frame there is not the
    user's line). Decided by the package's real folder, not by a folder name: a checkout in a folder
    called ``tinygrad_sm`` holds user code too, and ``tinygrad_sm/ops/*.py`` is the package's."""
    return os.path.abspath(filename).startswith(_PACKAGE_DIR)


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


def _check_finite(op: Primitive, value: Any, phase: str, parents: Sequence[Tensor]) -> None:
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
            user_frames = [f for f in trace if not in_package(f.filename)]
            frame = (user_frames or trace)[-1]
            where = f"\nThe op was created at {frame.filename}:{frame.lineno}: {frame.line}"
        raise AnomalyError(f"{phase} of op '{op.name}' produced {what} in its {target} (input shapes {shapes}){where}")
