"""``tg.save(obj, path)`` and ``tg.load(path)``, as PyTorch's ``torch.save``/``torch.load``, in a NumPy file.

The file is what ``np.savez`` writes (a zip archive of ``.npy`` arrays, so ``np.load(path)`` reads it)
whatever the name ends in (``model.pth`` stays ``model.pth``), with the zip comment
``tinygrad_sm save format 1``. What it holds depends on ``obj``:

- a state dict (names -> tensors or arrays, as ``model.state_dict()`` gives): one entry per name,
  ``<name>.npy``, so ``np.load(path)["0.weight"]`` is that array;
- other data made of dicts, lists, tuples, numbers, strings, None and tensors (a general checkpoint
  ``{"epoch": 3, "model_state_dict": ..., "optimizer_state_dict": ..., "loss": loss}``, a tensor):
  the tensors as ``tensor.<i>.npy`` and the nesting as JSON in ``structure.npy`` (a text array);
- anything else (a whole ``nn.Module``, your own class): pickled, in ``pickle.npy`` (bytes).

``load`` also reads any other archive of named arrays (``np.savez(path, **state)``, for example of a PyTorch
state dict converted with ``.numpy()``, or an ``nn.save`` checkpoint) as names -> tensors.

``load`` returns what was saved, tensors as ``tg.Tensor`` (a saved ``nn.Parameter`` as a Parameter, and
``requires_grad`` as it was). As PyTorch since 2.6, ``weights_only=True`` is the default: a pickled
object is only unpickled with ``weights_only=False`` (unpickling runs code named in the file; pass it
only for files you trust). The arrays are read with the checkpoint reader's checks (``nn.checkpoint``):
plain ``.npy`` entries whose headers match their bytes, no pickled arrays.

Deliberate difference: the file is NumPy's format, not PyTorch's; PyTorch cannot read it and this
cannot read PyTorch's ``.pth`` files (save a PyTorch state dict with ``np.savez`` instead, which
``load_state_dict(dict(np.load(path)))`` reads).
"""

from __future__ import annotations

import io
import json
import pickle
import re
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._atomic import atomic_path
from .device import as_device, device
from .tensor import Tensor

FORMAT = 1
_COMMENT = f"tinygrad_sm save format {FORMAT}".encode()
_COMMENT_PATTERN = re.compile(rb"tinygrad_sm save format ([0-9]{1,9})")
_STRUCTURE = "structure"
_PICKLE = "pickle"

__all__ = ["load", "save"]

_FROM_TORCH = (
    "tinygrad_sm reads NumPy's format only. In PyTorch, write the state dict with "
    "np.savez(path, **{name: t.numpy() for name, t in model.state_dict().items()}); tg.load(path) reads that"
)


class _NotPlainData(Exception):
    """``obj`` holds something the JSON structure cannot describe: it is pickled instead."""


def _is_state_dict(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping)
        and len(obj) > 0
        and all(isinstance(key, str) and key not in (_STRUCTURE, _PICKLE) for key in obj)
        and all(isinstance(value, (Tensor, np.ndarray)) for value in obj.values())
        # a Parameter or a tensor that requires grad keeps what it is through the structure (plain arrays
        # by name would load it as a plain tensor, silently dropping requires_grad)
        and not any(isinstance(value, Tensor) and value.requires_grad for value in obj.values())
    )


def _tensor_record(value: Any, arrays: list[np.ndarray]) -> dict:
    if isinstance(value, Tensor):
        arrays.append(np.asarray(value._data))
        kind = "parameter" if type(value).__name__ == "Parameter" else "tensor"
        return {"tensor": len(arrays) - 1, "kind": kind, "requires_grad": bool(value.requires_grad)}
    if value.dtype.hasobject:
        raise _NotPlainData
    arrays.append(np.asarray(value))
    return {"tensor": len(arrays) - 1, "kind": "array"}


def _describe(value: Any, arrays: list[np.ndarray]) -> Any:
    """``value`` as JSON, its tensors and arrays appended to ``arrays``; raises _NotPlainData otherwise."""
    if isinstance(value, (Tensor, np.ndarray)):
        return _tensor_record(value, arrays)
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return {"value": value.item(), "dtype": value.dtype.name}
    if isinstance(value, device):
        return {"device": str(value)}
    if isinstance(value, np.dtype) and not value.hasobject:
        return {"dtype_of": value.name}
    if type(value) in (dict, OrderedDict):
        items = [[_describe(key, arrays), _describe(item, arrays)] for key, item in value.items()]
        return {"dict": items, "ordered": type(value) is OrderedDict}
    if type(value) in (list, tuple):
        return {type(value).__name__: [_describe(item, arrays) for item in value]}
    if isinstance(value, tuple) and type(value).__name__ == "Size":  # tg.Size: a tuple of ints
        return {"tuple": [_describe(item, arrays) for item in value]}
    raise _NotPlainData


def save(obj: Any, f: Any, pickle_module: Any = None, pickle_protocol: int = 2, **_ignored: Any) -> None:
    """Write ``obj`` to ``f`` (a path or a binary file object), as ``torch.save``; see the module docstring
    for the file's layout. A path is written atomically (a temp file renamed over it), whatever its suffix.
    ``pickle_module``/``pickle_protocol`` are used only for objects that are pickled."""
    entries: dict[str, np.ndarray] = {}
    if _is_state_dict(obj):
        entries = {name: np.asarray(getattr(value, "_data", value)) for name, value in obj.items()}
    else:
        arrays: list[np.ndarray] = []
        try:
            structure = _describe(obj, arrays)
        except _NotPlainData:
            pickler = pickle_module if pickle_module is not None else pickle
            payload = pickler.dumps(obj, protocol=pickle_protocol)
            entries = {_PICKLE: np.frombuffer(payload, dtype=np.uint8)}
        else:
            entries = {f"tensor.{i}": array for i, array in enumerate(arrays)}
            entries[_STRUCTURE] = np.array(json.dumps(structure))
    if hasattr(f, "write"):
        _write(f, entries)
        return
    with atomic_path(Path(f)) as temp, open(temp, "wb") as handle:
        _write(handle, entries)


def _write(handle: Any, entries: dict[str, np.ndarray]) -> None:
    # the layout np.savez writes (stored, zip64 entries), plus the format comment
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.comment = _COMMENT
        for name, array in entries.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _check_map_location(map_location: Any) -> None:
    """Every device ``map_location`` names must be the CPU (the only device here); a function is refused."""
    if map_location is None:
        return
    if isinstance(map_location, Mapping):
        for target in map_location.values():
            as_device(target, "loaded tensor")
        return
    if isinstance(map_location, (str, device)):
        as_device(map_location, "loaded tensor")
        return
    raise TypeError(
        f"load: map_location must be None, a device, a device string or a dict of them; got "
        f"{type(map_location).__name__} (tensors load on the CPU, the only device here)"
    )


def load(
    f: Any, map_location: Any = None, pickle_module: Any = None, *, weights_only: bool | None = None, **_ignored: Any
) -> Any:
    """Read what ``save`` wrote to ``f`` (a path or a binary file object), as ``torch.load``.

    ``weights_only`` (default True, as PyTorch 2.6+) refuses a file holding a pickled object (a whole
    module, your own class), naming what to pass; ``weights_only=False`` unpickles it (only for files you
    trust: unpickling runs code). ``map_location`` may name the CPU (``"cpu"``, ``tg.device("cpu")``, a dict
    mapping devices to ``"cpu"``); any other device is refused, as tensors live on the CPU here."""
    _check_map_location(map_location)
    weights_only = True if weights_only is None else weights_only
    if hasattr(f, "read"):
        where = getattr(f, "name", "<file object>")
        return _read(f, str(where), weights_only, pickle_module)
    from .nn.checkpoint import _open_regular

    with _open_regular(Path(f)) as handle:
        return _read(handle, str(f), weights_only, pickle_module)


def _read(handle: Any, where: str, weights_only: bool, pickle_module: Any) -> Any:
    from .nn.checkpoint import CheckpointError, _read_data, _read_header

    try:
        archive = zipfile.ZipFile(handle if handle.seekable() else io.BytesIO(handle.read()))
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise CheckpointError(
            f"load: {where} is not a file tg.save wrote (not a zip archive: {error}); PyTorch's own .pth files "
            f"cannot be read here: {_FROM_TORCH}"
        ) from None
    with archive:
        match = _COMMENT_PATTERN.fullmatch(archive.comment.strip())
        # no comment of ours: an archive of named arrays (np.savez of a state dict, an nn.save checkpoint)
        if match is not None and int(match[1]) != FORMAT:
            raise CheckpointError(f"load: {where} has save format {match[1].decode()}; this tinygrad_sm reads {FORMAT}")
        arrays: dict[str, np.ndarray] = {}
        for info in archive.infolist():
            if info.filename.endswith("data.pkl"):
                raise CheckpointError(f"load: {where} is a file PyTorch's torch.save wrote; {_FROM_TORCH}")
            if not info.filename.endswith(".npy"):
                raise CheckpointError(f"load: {where}: entry {info.filename!r} is not a .npy array")
            name = info.filename[: -len(".npy")]
            header = _read_header(archive, info, Path(where), name)
            arrays[name] = _read_data(archive, info, header, f"load: {where}: entry {name!r}")
    if match is None:  # not written by tg.save: plain named arrays, whatever their names
        return OrderedDict((name, Tensor(array.copy())) for name, array in arrays.items())
    if _PICKLE in arrays:
        if weights_only:
            raise pickle.UnpicklingError(
                f"load: {where} holds a pickled object (tg.save of something other than tensors, numbers, "
                "strings and containers of them, such as a whole nn.Module). weights_only=True (the default, "
                "as PyTorch 2.6+) does not unpickle, since unpickling can run any code; if you trust the file, "
                "call tg.load(path, weights_only=False)"
            )
        unpickler = pickle_module if pickle_module is not None else pickle
        return unpickler.loads(arrays[_PICKLE].tobytes())
    if _STRUCTURE in arrays:
        tensors = [arrays[f"tensor.{i}"] for i in range(len(arrays) - 1)]
        return _rebuild(json.loads(str(arrays[_STRUCTURE])), tensors)
    return OrderedDict((name, Tensor(array.copy())) for name, array in arrays.items())


def _rebuild(record: Any, tensors: list[np.ndarray]) -> Any:
    if "tensor" in record:
        array = tensors[record["tensor"]].copy()
        if record["kind"] == "array":
            return array
        if record["kind"] == "parameter":
            from .nn import Parameter

            return Parameter(Tensor(array), requires_grad=record["requires_grad"])
        return Tensor(array, requires_grad=record["requires_grad"])
    if "value" in record:
        value = record["value"]
        return np.dtype(record["dtype"]).type(value) if "dtype" in record else value
    if "device" in record:
        return device(record["device"])
    if "dtype_of" in record:
        return np.dtype(record["dtype_of"])
    if "dict" in record:
        pairs = [(_key(_rebuild(key, tensors)), _rebuild(value, tensors)) for key, value in record["dict"]]
        return OrderedDict(pairs) if record["ordered"] else dict(pairs)
    if "list" in record:
        return [_rebuild(item, tensors) for item in record["list"]]
    return tuple(_rebuild(item, tensors) for item in record["tuple"])


def _key(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key
