"""Layers and models, by family: ``module`` (Module, state_dict), ``layers`` (Linear, activations,
Sequential, MLP), ``checkpoint`` (save/load ``.npz``)."""
from __future__ import annotations

from .checkpoint import FORMAT_VERSION, CheckpointError, PathLike, load, save
from .layers import ACTIVATIONS, INIT_SCHEMES, MLP, Linear, ReLU, Sequential, Sigmoid, Tanh
from .module import Module

__all__ = ["Module", "Linear", "ReLU", "Sigmoid", "Tanh", "Sequential", "MLP", "ACTIVATIONS", "INIT_SCHEMES",
           "save", "load", "CheckpointError", "FORMAT_VERSION"]
