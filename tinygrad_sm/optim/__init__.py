"""Optimisers, shaped as ``torch.optim``: ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``, each
with ``param_groups`` and ``state_dict``; schedulers in ``optim.lr_scheduler``.

By family: ``optimizer`` (the base class: groups, state, checkpoints), ``sgd``, ``adam`` (Adam, AdamW),
``adaptive`` (RMSprop, Adagrad), ``lr_scheduler``.
"""

from __future__ import annotations

from . import lr_scheduler
from .adam import Adam, AdamW
from .adaptive import Adagrad, RMSprop
from .optimizer import Optimizer, ParamState
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "ParamState", "RMSprop", "lr_scheduler"]
