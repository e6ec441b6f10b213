"""tinygrad_sm: a small reverse-mode autograd framework on NumPy, built to show that autograd over
softmax + cross-entropy composed from primitives reproduces the hand-derived ``p - delta``.

``import tinygrad_sm as tg`` loads the engine only; ``tg.nn``, ``tg.functional``, ``tg.optim``,
``tg.viz``, ``tg.data`` (and the other submodules) are imported on first use, so the import stays
fast and graphviz, tqdm and matplotlib stay optional. dtypes are NumPy's, with PyTorch's names
(``tg.float32``, ``tg.long``...).
"""
import importlib as _importlib
import sys as _sys

import numpy as _np

from .autograd import AnomalyError, detect_anomaly, enable_grad, grad, is_grad_enabled, no_grad
from .tensor import Tensor, cat, concatenate, maximum, minimum, stack, tensor, where
from .dtypes import result_type, promote_types
from .factories import (arange, default_generator, eye, from_numpy, full, manual_seed, ones, ones_like, rand, randn,
                        zeros, zeros_like)
from .gradcheck import GradcheckError, gradcheck, jacobian
from .derivation import DerivationReport, check_derivation
from . import testing
from .methods import FUNCTIONS as _METHOD_FUNCTIONS
from . import autograd as _autograd_module
from . import autograd_functional

_autograd_module.functional = autograd_functional  # type: ignore[attr-defined]  # tg.autograd.functional.jacobian, as torch
from .compiler import compile

# `tinygrad_sm.tensor` is the module and, called, the factory `tensor(data)` (see tensor._CallableModule),
# so `import tinygrad_sm.tensor` and `tg.tensor([1.0])` both work
tensor = _sys.modules[__name__ + ".tensor"]  # type: ignore[assignment]  # noqa: F811

__version__ = "0.1.0"

float16 = half = _np.dtype(_np.float16)
float32 = float = _np.dtype(_np.float32)  # noqa: A001  (PyTorch's names)
float64 = double = _np.dtype(_np.float64)
int8, int16, uint8 = _np.dtype(_np.int8), _np.dtype(_np.int16), _np.dtype(_np.uint8)
int32 = int = _np.dtype(_np.int32)  # noqa: A001
int64 = long = _np.dtype(_np.int64)
bool = _np.dtype(_np.bool_)  # noqa: A001

_LAZY = ("nn", "functional", "optim", "viz", "data", "train", "compare", "analytic", "cli", "interop", "dtypes")


def __getattr__(name: str):
    if name in _LAZY:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Tensor", "tensor", "zeros", "ones", "full", "zeros_like", "ones_like", "randn", "rand", "arange", "eye",
    "from_numpy", "manual_seed", "default_generator", "where", "maximum", "minimum", "concatenate", "cat", "stack",
    "no_grad", "enable_grad", "is_grad_enabled", "grad", "detect_anomaly", "AnomalyError",
    "gradcheck", "jacobian", "GradcheckError", "check_derivation", "DerivationReport", "testing",
    "autograd_functional", "result_type", "promote_types", "nn", "functional", "optim", "viz", "data", "compile",
]
globals().update(_METHOD_FUNCTIONS)  # tinygrad_sm.clamp, .einsum, .tensordot, ... (torch.* style), from one table
__all__ += sorted(_METHOD_FUNCTIONS)
