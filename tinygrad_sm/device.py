"""Devices as PyTorch names them: ``tg.device("cpu")``, ``device=`` on factories, ``tg.cuda.is_available()``.

tinygrad_sm computes with NumPy, so the CPU is its only device. Code written for PyTorch still runs
unchanged: ``device = "cuda" if torch.cuda.is_available() else "cpu"`` picks ``"cpu"``, and every
``device=`` argument, ``.to(device)`` and ``.cpu()`` accepts it. Asking for another device (``"cuda"``,
``"mps"``...) raises and says what to write instead: a silent fallback would hide that the code asked
for hardware it is not getting.
"""

from __future__ import annotations

import types
from typing import Any

_KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "privateuseone", "mtia", "hpu", "ipu")


class device:  # PyTorch's spelling: torch.device
    """A device name, as ``torch.device``: ``device("cpu")``, ``device("cpu", 0)``, ``device("cpu:0")``.

    ``.type`` is the kind (``"cpu"``), ``.index`` the number or None. It compares equal to another
    device of the same type and index, and to its own string (``device("cpu") == "cpu"``).
    Constructing a non-CPU device works (PyTorch allows naming one without having it); using it
    for a tensor raises."""

    __slots__ = ("index", "type")

    type: str
    index: int | None

    def __init__(self, type: Any, index: int | None = None):  # PyTorch's argument name
        if isinstance(type, device):
            if index is not None:
                raise ValueError("device(): pass an index only with a device type string")
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):  # torch.device(0) means cuda:0
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string like 'cpu' or 'cuda:0', got {type!r}")
        name, _, number = type.partition(":")
        if number:
            if index is not None:
                raise ValueError(f"device(): type {type!r} already names an index; do not pass index={index}")
            if not number.isdigit():
                raise ValueError(f"device(): invalid device string {type!r} (expected 'cpu' or 'cpu:0')")
            index = int(number)
        if name not in _KNOWN_TYPES:
            raise ValueError(f"device(): unknown device type {name!r}; tinygrad_sm runs on 'cpu'")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
            raise ValueError(f"device(): index must be a non-negative int, got {index!r}")
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("device objects are immutable")

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (TypeError, ValueError):
                return False
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self) -> tuple:
        return (device, (self.type, self.index))


CPU = device("cpu")
_default_device = CPU


def as_device(where: Any, what: str = "tensor") -> device:
    """``where`` (a device, a string, or None for the default device) checked to be the CPU.

    Raises ``RuntimeError`` naming the requested device and what to write instead otherwise."""
    if where is None:
        return _default_device
    result = where if isinstance(where, device) else device(where)
    if result.type != "cpu":
        raise RuntimeError(
            f"tinygrad_sm computes with NumPy on the CPU; it cannot put a {what} on {str(result)!r}. "
            "Write device='cpu' (or guard with `'cuda' if tg.cuda.is_available() else 'cpu'`, which picks 'cpu')"
        )
    return CPU if result.index in (None, 0) else result


def is_device_spec(value: Any) -> bool:
    """Whether ``value`` names a device (a ``device``, or a string like 'cpu', 'cuda:0')."""
    if isinstance(value, device):
        return True
    return isinstance(value, str) and value.partition(":")[0] in _KNOWN_TYPES


def set_default_device(where: Any) -> None:
    """``torch.set_default_device``: the device factories use when none is given (only the CPU here;
    None resets it)."""
    global _default_device
    _default_device = CPU if where is None else as_device(where, "default device")


def get_default_device() -> device:
    """``torch.get_default_device``: ``device(type='cpu')``."""
    return _default_device


def _false() -> bool:
    return False


def _zero() -> int:
    return 0


def _no_gpu(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("tinygrad_sm has no CUDA backend (tg.cuda.is_available() is False); use device='cpu'")


def _namespace(name: str, doc: str, **members: Any) -> types.ModuleType:
    module = types.ModuleType(name, doc)
    for key, value in members.items():
        setattr(module, key, value)
    return module


cuda = _namespace(
    "tinygrad_sm.cuda",
    "``torch.cuda`` as seen from NumPy: no GPU. ``is_available()`` is False, ``device_count()`` 0; "
    "``manual_seed``/``manual_seed_all`` do nothing (there is no CUDA generator to seed), as in PyTorch "
    "without a GPU; anything that needs a GPU raises.",
    is_available=_false,
    device_count=_zero,
    is_initialized=_false,
    manual_seed=lambda seed: None,
    manual_seed_all=lambda seed: None,
    synchronize=lambda device=None: None,
    empty_cache=lambda: None,
    current_device=_no_gpu,
    get_device_name=_no_gpu,
    set_device=_no_gpu,
)

accelerator = _namespace(
    "tinygrad_sm.accelerator",
    "``torch.accelerator`` (PyTorch 2.6+): no accelerator. ``is_available()`` is False, "
    "``current_accelerator()`` None and ``device_count()`` 0, so the tutorials' "
    "``torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else 'cpu'`` picks 'cpu'.",
    is_available=_false,
    current_accelerator=lambda check_available=False: None,
    device_count=_zero,
    synchronize=lambda device=None: None,
    current_device_index=_no_gpu,
    set_device_index=_no_gpu,
)

backends = _namespace(
    "tinygrad_sm.backends",
    "``torch.backends``: ``mps.is_available()`` and ``cuda.is_built()`` are False.",
    mps=_namespace("tinygrad_sm.backends.mps", "No Metal backend.", is_available=_false, is_built=_false),
    cuda=_namespace("tinygrad_sm.backends.cuda", "No CUDA backend.", is_built=_false),
    cudnn=_namespace("tinygrad_sm.backends.cudnn", "No cuDNN.", is_available=_false, deterministic=False),
)
