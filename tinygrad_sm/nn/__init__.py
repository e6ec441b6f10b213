"""Layers and models, by family: ``module`` (Module, buffers, state_dict), ``layers`` (Linear, ReLU,
Sigmoid, Tanh, Sequential, MLP), ``activation`` (the other activations, Identity, Flatten), ``norm``
(BatchNorm1d/2d, LayerNorm), ``sparse`` (Embedding, Dropout), ``loss`` (the loss modules), ``utils``
(gradient clipping), ``checkpoint`` (save/load ``.npz``). ``nn.functional`` is ``tinygrad_sm.functional``,
so ``from tinygrad_sm.nn import functional as F`` reads as in PyTorch."""
from __future__ import annotations

from .. import functional
from . import utils
from .activation import (ELU, GELU, Flatten, Hardtanh, Identity, LeakyReLU, LogSigmoid, LogSoftmax, SiLU, Softmax,
                         Softplus)
from .checkpoint import PathLike, load, save
from .layers import ACTIVATIONS, INIT_SCHEMES, MLP, Linear, ReLU, Sequential, Sigmoid, Tanh
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import IncompatibleKeys, Module
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm
from .sparse import Dropout, Embedding

__all__ = ["Module", "IncompatibleKeys", "Linear", "ReLU", "Sigmoid", "Tanh", "Sequential", "MLP", "ACTIVATIONS",
           "INIT_SCHEMES", "save", "load", "utils", "functional",
           "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Hardtanh", "LogSigmoid", "Softmax", "LogSoftmax",
           "Identity", "Flatten", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding", "Dropout",
           "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss",
           "BCEWithLogitsLoss", "BCELoss"]
