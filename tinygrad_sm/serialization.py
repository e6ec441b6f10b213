"""``save`` and ``load`` as PyTorch's ``torch.save``/``torch.load``: any object of tensors, arrays, numbers,
strings and containers (a state dict, ``[x, y]``, ``{"x": x}``) written to a file or file object, read back.

A tensor is stored as its values and ``requires_grad`` (the graph that made it is not: it loads as a leaf,
as in PyTorch). Reading is safe by default, as PyTorch's ``weights_only=True`` since 2.6: only tensors,
NumPy arrays and dtypes, numbers, strings and the built-in containers are rebuilt, and anything else in the
file (a class, a function: what a malicious pickle would call) is refused with an error naming it.
``weights_only=False`` unpickles anything, for files you trust. The files are pickles of our own tensors:
they do not read PyTorch's zip files (save ``state_dict()`` values as NumPy arrays to move weights across).
"""

from __future__ import annotations

import importlib
import io
import os
import pickle
from typing import IO, Any

import numpy as np

from .tensor import Tensor

__all__ = ["load", "save"]

# the globals a weights-only file may name (module, name): NumPy's array and scalar reconstruction
_SAFE = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("collections", "OrderedDict"),
    ("builtins", "slice"),
    ("builtins", "complex"),
}


def _rebuild(kind: str, array: np.ndarray, requires_grad: bool) -> Tensor:
    """A saved tensor back: ``kind`` is 'Tensor' or 'Parameter' (nn.Parameter stays a Parameter)."""
    if kind == "Parameter":
        # (nn is a floor above: imported when a Parameter is met, as the package itself loads nn lazily)
        parameter = importlib.import_module(f"{__package__}.nn").Parameter
        return parameter(Tensor(array), requires_grad=requires_grad)  # type: ignore[no-any-return]
    if kind != "Tensor":
        raise pickle.UnpicklingError(f"load: unknown tensor kind {kind!r}")
    tensor = Tensor(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Tensor):
            kind = "Parameter" if type(obj).__name__ == "Parameter" else "Tensor"
            return _rebuild, (kind, np.array(obj._data), bool(obj.requires_grad))
        if isinstance(obj, np.ndarray) and type(obj) is not np.ndarray:  # our guarded views: a plain array
            return obj.view(np.ndarray).__reduce__()
        return NotImplemented


class _WeightsOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "_rebuild"):
            return _rebuild
        if (module, name) in _SAFE or (module == "numpy" and name in np.sctypeDict):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"load: the file names {module}.{name}, which weights_only=True does not rebuild (only tensors, "
            "arrays, numbers, strings and containers); pass weights_only=False only for a file you trust"
        )


def save(obj: Any, f: str | os.PathLike[str] | IO[bytes], pickle_protocol: int = 2) -> None:
    """Write ``obj`` (tensors, arrays, numbers, strings, lists, tuples, dicts of them) to the path or binary
    file ``f``, as ``torch.save``."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:
            _Pickler(handle, protocol=max(pickle_protocol, 3)).dump(obj)
    else:
        _Pickler(f, protocol=max(pickle_protocol, 3)).dump(obj)  # (3: bytes as bytes, not via _codecs)


def load(
    f: str | os.PathLike[str] | IO[bytes], map_location: Any = None, *, weights_only: bool = True, **_: Any
) -> Any:
    """What ``save`` wrote to the path or binary file ``f``, as ``torch.load``. ``map_location`` may name the
    CPU only (there is no other device). With ``weights_only`` (the default) only data is rebuilt (see the
    module docstring)."""
    if map_location is not None and str(map_location) != "cpu" and not callable(map_location):
        raise RuntimeError(f"load: map_location={map_location!r}: tinygrad_sm computes on the CPU only")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as handle:
            data = handle.read()
    else:
        data = f.read()
    if weights_only:
        return _WeightsOnly(io.BytesIO(data)).load()
    return pickle.loads(data)
