"""A tensor's ``repr`` as PyTorch prints it: ``tensor([1.0000, 2.5000], requires_grad=True)``.

PyTorch's rules (``torch/_tensor_str.py``), for the default print options: floats whose finite nonzero values
are all integers print as ``1.``; otherwise with 4 decimals; scientific (``1.0000e-05``) when the largest and
smallest finite nonzero magnitudes differ by more than 1000x, the largest exceeds 1e8, or (non-integer values)
the smallest is below 1e-4. Columns are right-aligned to one width, rows wrap at 80 characters, and above
1000 elements only the first and last 3 per axis are shown. The dtypes a literal would infer (float32,
int64, bool) are not named; others are (``dtype=torch.float64``). After the values: ``requires_grad=True``
on a leaf, ``grad_fn=<MulBackward0>`` on a computed tensor, and (our addition) ``name='...'``.

``set_printoptions`` changes the 4 decimals, the 1000-element threshold, the 3 edge items, the 80-character
lines and the scientific-notation choice, as ``torch.set_printoptions`` does (a notebook's first cell often
sets ``precision=2, linewidth=140, sci_mode=False``).
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

_IMPLIED_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))
_TORCH_DTYPE_NAMES = {"float16": "float16", "float32": "float32", "float64": "float64", "int8": "int8",
                      "int16": "int16", "int32": "int32", "int64": "int64", "uint8": "uint8", "bool": "bool"}  # fmt: skip


_DEFAULTS: dict[str, Any] = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}
_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
OPTIONS: dict[str, Any] = dict(_DEFAULTS)


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """How tensors print, as ``torch.set_printoptions``: ``precision`` decimals, summarise above ``threshold``
    elements showing ``edgeitems`` per edge, wrap at ``linewidth`` characters; ``sci_mode`` True/False forces
    or forbids scientific notation (None: chosen from the values). ``profile`` ('default', 'short', 'full')
    sets the first four first. As in PyTorch, every call also sets ``sci_mode`` (to None unless given)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        OPTIONS.update(_PROFILES[profile])
    for key, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                       ("linewidth", linewidth)):  # fmt: skip
        if value is not None:
            OPTIONS[key] = value
    OPTIONS["sci_mode"] = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for ``set_printoptions``."""
    return dict(OPTIONS)


def _float_formatter(values: np.ndarray) -> tuple[Any, int]:
    """PyTorch's ``_Formatter`` for floats: the notation chosen from the nonzero finite values, one width."""
    precision = OPTIONS["precision"]
    finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
    if finite.size == 0:
        return (lambda v: _nonfinite(v, "{:.0f}.")), 1
    magnitudes = np.abs(finite)
    low, high = magnitudes.min(), magnitudes.max()
    integers = bool(np.all(finite == np.ceil(finite)))
    sci = OPTIONS["sci_mode"]
    if sci is None:
        sci = bool(high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4)
    if sci:
        width = max(len(f"{v:.{precision}e}") for v in finite)
        return (lambda v: f"{v:{width}.{precision}e}"), width
    if integers:
        width = max(len(f"{v:.0f}") + 1 for v in finite)
        return (lambda v: _nonfinite(v, "{:.0f}.")), width
    width = max(len(f"{v:.{precision}f}") for v in finite)
    return (lambda v: f"{v:.{precision}f}"), width


def _nonfinite(value: float, pattern: str) -> str:
    return f"{value:.0f}" if not np.isfinite(value) else pattern.format(value)


def _format_values(array: np.ndarray) -> str:
    if array.dtype.kind == "f":
        shown = array if array.size <= OPTIONS["threshold"] else _edges(array)
        formatter, width = _float_formatter(shown.reshape(-1))

        def element(value: Any) -> str:
            text = formatter(float(value))
            return " " * (width - len(text)) + text
    elif array.dtype.kind == "b":
        bool_width = 5 if not array.all() else 4  # right-aligned: " True" beside "False"

        def element(value: Any) -> str:
            return f"{bool(value)!s:>{bool_width}}"
    else:
        shown = array if array.size <= OPTIONS["threshold"] else _edges(array)
        width = max((len(str(v)) for v in shown.reshape(-1)), default=1)

        def element(value: Any) -> str:
            return f"{int(value):>{width}}"

    text = np.array2string(
        array,
        separator=", ",
        prefix="tensor(",
        formatter={"all": element},
        threshold=_numpy_threshold(),
        edgeitems=OPTIONS["edgeitems"],
        max_line_width=OPTIONS["linewidth"],
    )
    if array.size > OPTIONS["threshold"]:  # PyTorch writes the elided columns as ",  ...,"
        text = text.replace(", ...,", ",  ...,")
    return text


def _numpy_threshold() -> int:
    threshold = OPTIONS["threshold"]
    return sys.maxsize if threshold == math.inf else int(threshold)


def _edges(array: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows: the first and last ``edgeitems`` along every axis."""
    edge = OPTIONS["edgeitems"]
    for axis, size in enumerate(array.shape):
        if size > 2 * edge:
            array = np.concatenate(
                [np.take(array, range(edge), axis), np.take(array, range(size - edge, size), axis)], axis
            )
    return array


def torch_style_repr(tensor: Tensor) -> str:
    array = tensor._data
    body = "[]" if array.size == 0 and array.ndim == 1 else _format_values(array)
    extras = []
    if array.size == 0 and array.ndim != 1:
        extras.append(f"size={tuple(array.shape)}")
    if array.dtype not in _IMPLIED_DTYPES:
        extras.append(f"dtype=torch.{_TORCH_DTYPE_NAMES.get(array.dtype.name, array.dtype.name)}")
    node = tensor._node
    if node is not None:
        extras.append(f"grad_fn=<{_backward_name(node)}>")
    elif tensor.requires_grad:
        extras.append("requires_grad=True")
    if tensor.name:
        extras.append(f"name={tensor.name!r}")
    text = "tensor(" + body
    line = len(text.rsplit("\n", 1)[-1])
    for extra in extras:  # as PyTorch: a suffix that would pass the line width starts a new line
        if line + len(extra) + 2 > OPTIONS["linewidth"]:
            text += ",\n" + " " * len("tensor(") + extra
            line = len("tensor(") + len(extra)
        else:
            text += ", " + extra
            line += len(extra) + 2
    return text + ")"


def _backward_name(node: Any) -> str:
    """PyTorch's name for the node of an op: ``MulBackward0`` for ``mul``; a custom Function's node is
    ``<Class>Backward``, as PyTorch names it."""
    custom = getattr(node, "function", None)
    if custom is not None:
        return f"{custom.__name__}Backward"
    name = str(getattr(node, "name", type(node).__name__))
    kind = "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_"))
    # where PyTorch names the same operation otherwise: x[:2] SliceBackward0, x[0] SelectBackward0, x[idx]
    # IndexBackward0, a 2-D a @ b MmBackward0, view/reshape ViewBackward0 (a composite such as mse_loss shows
    # its last primitive, MeanBackward0)
    if kind == "Getitem":
        kind = _indexing_name(getattr(node, "index", None))
    elif kind == "Matmul":
        dims = tuple(getattr(parent, "ndim", 0) for parent in getattr(node, "parents", ()))
        products: dict[tuple[int, ...], str] = {(2, 2): "Mm", (2, 1): "Mv", (1, 1): "Dot"}
        kind = products.get(dims, kind)
    return _PYTORCH_NAMES.get(kind, kind) + "Backward0"


_PYTORCH_NAMES = {"Reshape": "View", "Concatenate": "Cat"}


def _indexing_name(index: Any) -> str:
    """PyTorch's node for ``x[index]``: the last dimension it narrows decides (an int selects, a slice
    slices, an array indexes)."""
    kind = "Slice"
    for part in index if isinstance(index, tuple) else (index,):
        if isinstance(part, (int, np.integer)) and not isinstance(part, bool):
            kind = "Select"
        elif isinstance(part, slice):
            kind = "Slice" if part != slice(None) else kind
        elif part is not None and part is not Ellipsis:
            return "Index"  # an array, a list, a mask: advanced indexing
    return kind
