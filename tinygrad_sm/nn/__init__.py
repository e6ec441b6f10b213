"""Layers and models, by family: ``module`` (Module, buffers, state_dict), ``parameter`` (Parameter),
``containers`` (Sequential, ModuleList, ModuleDict), ``layers`` (Linear, ReLU, Sigmoid, Tanh, MLP), ``activation`` (the other activations, Identity, Flatten), ``norm``
(BatchNorm1d/2d, LayerNorm), ``sparse`` (Embedding, Dropout), ``loss`` (the loss modules), ``utils``
(gradient clipping), ``conv`` (Conv2d, Conv1d, the pools, Unflatten, ``build_model``
from a spec), ``lazy`` (LazyLinear), ``checkpoint`` (save/load ``.npz``). ``nn.functional`` is ``tinygrad_sm.functional``,
so ``from tinygrad_sm.nn import functional as F`` and ``import tinygrad_sm.nn.functional as F`` read as in
PyTorch."""

from __future__ import annotations

import sys as _sys

from .. import functional
from . import init, utils
from .activation import (
    ELU,
    GELU,
    Flatten,
    Hardtanh,
    Identity,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    SiLU,
    Softmax,
    Softplus,
)
from .checkpoint import FORMAT_VERSION, CheckpointError, load, save
from .containers import ModuleDict, ModuleList, Sequential
from .conv import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    Conv1d,
    Conv2d,
    LabelledSequential,
    MaxPool2d,
    Unflatten,
    build_model,
    is_conv_spec,
)
from .layers import ACTIVATIONS, INIT_SCHEMES, MLP, Linear, ReLU, Sigmoid, Tanh
from .lazy import LazyLinear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import IncompatibleKeys, Module, migrate_state_dict
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm
from .parameter import Parameter
from .sparse import Dropout, Embedding

# `import tinygrad_sm.nn.functional as F` (the module system looks it up by this name) is the same module
_sys.modules[__name__ + ".functional"] = functional

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "FORMAT_VERSION",
    "GELU",
    "INIT_SCHEMES",
    "MLP",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "CheckpointError",
    "Conv1d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "Flatten",
    "Hardtanh",
    "HuberLoss",
    "Identity",
    "IncompatibleKeys",
    "KLDivLoss",
    "L1Loss",
    "LabelledSequential",
    "LayerNorm",
    "LazyLinear",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "Tanh",
    "Unflatten",
    "build_model",
    "functional",
    "init",
    "is_conv_spec",
    "load",
    "migrate_state_dict",
    "save",
    "utils",
]
