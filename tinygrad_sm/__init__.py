"""tinygrad_sm: a small reverse-mode autograd framework on NumPy, built to show that autograd over
softmax + cross-entropy composed from primitives reproduces the hand-derived ``p - delta``."""
from .autograd import AnomalyError, detect_anomaly, enable_grad, grad, is_grad_enabled, no_grad
from .tensor import Tensor, cat, concatenate, maximum, stack, tensor, where
from .factories import (arange, default_generator, eye, from_numpy, full, manual_seed, ones, ones_like, rand, randn,
                        zeros, zeros_like)
from .gradcheck import GradcheckError, gradcheck, jacobian
from .derivation import DerivationReport, check_derivation
from . import testing
from .methods import FUNCTIONS as _METHOD_FUNCTIONS
from . import autograd as _autograd_module
from . import autograd_functional

_autograd_module.functional = autograd_functional  # type: ignore[attr-defined]  # tg.autograd.functional.jacobian, as torch

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "zeros", "ones", "full", "zeros_like", "ones_like", "randn", "rand", "arange", "eye",
    "from_numpy", "manual_seed", "default_generator", "where", "maximum", "concatenate", "cat", "stack",
    "no_grad", "enable_grad", "is_grad_enabled", "grad", "detect_anomaly", "AnomalyError",
    "gradcheck", "jacobian", "GradcheckError", "check_derivation", "DerivationReport", "testing",
    "autograd_functional",
]
globals().update(_METHOD_FUNCTIONS)  # tinygrad_sm.clamp, .einsum, .tensordot, ... (torch.* style), from one table
__all__ += sorted(_METHOD_FUNCTIONS)
