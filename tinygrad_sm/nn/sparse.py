"""``Embedding`` (a lookup table of learned rows) and ``Dropout``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional as F
from ..autograd import no_grad
from ..device import as_device
from ..tensor import Tensor
from . import init
from .module import Module


class Embedding(Module):
    """``weight[indices]``: weight (num_embeddings, embedding_dim) initialised ~ Normal(0, 1) as PyTorch
    (``nn.init.normal_``: the same numbers for the same generator state), float32 unless ``dtype`` is
    given, drawn from ``generator`` (default: the one ``tg.manual_seed`` seeds). The row
    ``padding_idx`` (if given) starts at zeros and never receives a gradient. ``_weight`` gives the
    initial weight instead, as in PyTorch."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        generator: Any = None,
    ):
        for label, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Embedding {label} must be a positive int, got {value!r}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding padding_idx {padding_idx} is out of range for {num_embeddings} embeddings")
            padding_idx = int(padding_idx) % int(num_embeddings)
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: max_norm, scale_grad_by_freq and sparse are not supported")
        as_device(device, "layer")
        self.num_embeddings, self.embedding_dim, self.padding_idx = int(num_embeddings), int(embedding_dim), padding_idx
        kind = np.dtype(np.float32 if dtype is None else dtype)
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is not None:
            given = np.asarray(getattr(_weight, "_data", _weight))
            if given.shape != shape:
                raise ValueError(f"Embedding _weight has shape {given.shape}; expected {shape}")
            self.weight = Tensor(given.astype(kind), requires_grad=not _freeze)
        else:
            self.weight = Tensor(np.zeros(shape, kind), requires_grad=not _freeze)
            self.reset_parameters(generator)

    def reset_parameters(self, generator: Any = None) -> None:
        """``normal_(weight)`` then zeros in the ``padding_idx`` row, as PyTorch."""
        if isinstance(generator, np.random.Generator):  # NumPy's stream, drawn as this layer always did
            values = generator.standard_normal(self.weight.shape)
            with no_grad():
                self.weight.copy_(values.astype(self.weight.dtype))
        else:
            init.normal_(self.weight, generator=generator)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0

    def forward(self, indices: Any) -> Tensor:
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        padding = f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"


class Dropout(Module):
    """Zero each element with probability ``p`` in training mode (survivors scaled by ``1/(1-p)``);
    the identity in eval mode. Masks come from ``generator`` (default: the one ``manual_seed`` sets)."""

    def __init__(self, p: float = 0.5, inplace: bool = False, generator: Any = None):
        if isinstance(p, bool) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
        self.p, self.inplace, self.generator = float(p), inplace, generator

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, generator=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
