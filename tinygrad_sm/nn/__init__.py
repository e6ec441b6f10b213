"""Layers and models, by family: ``module`` (Module, buffers, state_dict), ``layers`` (Linear, ReLU,
Sigmoid, Tanh, Sequential, MLP), ``activation`` (the other activations, Identity, Flatten), ``norm``
(BatchNorm1d/2d, LayerNorm), ``sparse`` (Embedding, Dropout), ``loss`` (the loss modules), ``utils``
(gradient clipping), ``conv`` (Conv2d, Conv1d, the pools, Unflatten, ``build_model``
from a spec), ``checkpoint`` (save/load ``.npz``). ``nn.functional`` is ``tinygrad_sm.functional``,
so ``from tinygrad_sm.nn import functional as F`` reads as in PyTorch."""
from __future__ import annotations

from .. import functional
from . import utils
from .activation import (ELU, GELU, Flatten, Hardtanh, Identity, LeakyReLU, LogSigmoid, LogSoftmax, SiLU, Softmax,
                         Softplus)
from .checkpoint import FORMAT_VERSION, CheckpointError, PathLike, load, save
from .conv import (AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, LabelledSequential, MaxPool2d, Unflatten, build_model,
                   is_conv_spec)
from .layers import ACTIVATIONS, INIT_SCHEMES, MLP, Linear, ReLU, Sequential, Sigmoid, Tanh
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import IncompatibleKeys, Module
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm
from .sparse import Dropout, Embedding

__all__ = ["Module", "IncompatibleKeys", "Linear", "ReLU", "Sigmoid", "Tanh", "Sequential", "MLP", "ACTIVATIONS",
           "INIT_SCHEMES", "save", "load", "CheckpointError", "FORMAT_VERSION", "utils", "functional",
           "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Hardtanh", "LogSigmoid", "Softmax", "LogSoftmax",
           "Identity", "Flatten", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding", "Dropout",
           "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss",
           "BCEWithLogitsLoss", "BCELoss",
           "Conv2d", "Conv1d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Unflatten", "LabelledSequential",
           "build_model", "is_conv_spec"]
