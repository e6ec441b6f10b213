"""Layers and models, by family: ``module`` (Module, state_dict), ``layers`` (Linear, activations,
Sequential, MLP), ``conv`` (Conv2d, Conv1d, pools, Flatten, ``build_model`` from a spec),
``checkpoint`` (save/load ``.npz``)."""
from __future__ import annotations

from .checkpoint import PathLike, load, save
from .conv import (AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, Flatten, LabelledSequential, MaxPool2d, Unflatten,
                   build_model, is_conv_spec)
from .layers import ACTIVATIONS, INIT_SCHEMES, MLP, Linear, ReLU, Sequential, Sigmoid, Tanh
from .module import Module

__all__ = ["Module", "Linear", "ReLU", "Sigmoid", "Tanh", "Sequential", "MLP", "ACTIVATIONS", "INIT_SCHEMES",
           "save", "load", "Conv2d", "Conv1d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Flatten", "Unflatten",
           "LabelledSequential", "build_model", "is_conv_spec"]
