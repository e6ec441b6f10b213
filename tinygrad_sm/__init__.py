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

from . import autograd as _autograd_module
from . import autograd_functional, testing
from .autograd import AnomalyError, detect_anomaly, enable_grad, grad, is_grad_enabled, no_grad
from .compiler import compile
from .derivation import DerivationReport, check_derivation
from .device import accelerator, backends, cuda, device, get_default_device, set_default_device
from .dtypes import finfo, get_default_dtype, iinfo, promote_types, result_type
from .factories import (
    arange,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck, jacobian
from .introspection import BoolTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor, Size
from .methods import functions as _table_functions
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import load, save
from .tensor import Tensor, tensor
from .tensor_repr import get_printoptions, set_printoptions

_autograd_module.functional = autograd_functional  # type: ignore[attr-defined]  # tg.autograd.functional.jacobian, as torch
_sys.modules[__name__ + ".autograd.functional"] = autograd_functional  # `import tinygrad_sm.autograd.functional`

# `tinygrad_sm.tensor` is the module and, called, the factory `tensor(data)` (see tensor._CallableModule),
# so `import tinygrad_sm.tensor` and `tg.tensor([1.0])` both work
tensor = _sys.modules[__name__ + ".tensor"]  # type: ignore[assignment]  # noqa: F811

__version__ = "0.1.0"

float16 = half = _np.dtype(_np.float16)
float32 = float = _np.dtype(_np.float32)
float64 = double = _np.dtype(_np.float64)
int8, int16, uint8 = _np.dtype(_np.int8), _np.dtype(_np.int16), _np.dtype(_np.uint8)
int32 = int = _np.dtype(_np.int32)
int64 = long = _np.dtype(_np.int64)
bool = _np.dtype(_np.bool_)
pi, e, inf, nan = _np.pi, _np.e, _np.inf, _np.nan  # torch.pi, torch.e, torch.inf, torch.nan

_LAZY = (
    "nn",
    "functional",
    "optim",
    "viz",
    "data",
    "train",
    "compare",
    "analytic",
    "cli",
    "interop",
    "dtypes",
    "utils",
    "linalg",
)


def __getattr__(name: str):
    if name in _LAZY:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AnomalyError",
    "BoolTensor",
    "DerivationReport",
    "DoubleTensor",
    "FloatTensor",
    "Generator",
    "GradcheckError",
    "IntTensor",
    "LongTensor",
    "Size",
    "Tensor",
    "accelerator",
    "arange",
    "autograd_functional",
    "backends",
    "bernoulli",
    "check_derivation",
    "compile",
    "cuda",
    "data",
    "default_generator",
    "detect_anomaly",
    "device",
    "empty",
    "empty_like",
    "enable_grad",
    "eye",
    "finfo",
    "from_numpy",
    "full",
    "full_like",
    "functional",
    "get_default_device",
    "get_default_dtype",
    "get_printoptions",
    "get_rng_state",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "iinfo",
    "initial_seed",
    "is_grad_enabled",
    "jacobian",
    "linspace",
    "load",
    "logspace",
    "manual_seed",
    "multinomial",
    "nn",
    "no_grad",
    "normal",
    "ones",
    "ones_like",
    "optim",
    "promote_types",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "result_type",
    "save",
    "seed",
    "set_default_device",
    "set_printoptions",
    "set_rng_state",
    "tensor",
    "testing",
    "utils",
    "viz",
    "zeros",
    "zeros_like",
]
_METHOD_FUNCTIONS = _table_functions()  # tinygrad_sm.tanh, .sum, .cat, .einsum, ... (torch.*), from methods.TABLE
globals().update(_METHOD_FUNCTIONS)
__all__ += sorted(set(_METHOD_FUNCTIONS) - set(__all__))
