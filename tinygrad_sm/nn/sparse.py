"""``Embedding`` (a lookup table of learned rows) and ``Dropout``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional as F
from ..factories import default_generator
from ..tensor import Tensor
from .module import Module


class Embedding(Module):
    """``weight[indices]``: weight (num_embeddings, embedding_dim) initialised ~ Normal(0, 1) (as PyTorch),
    float32, from ``generator`` (default: the one ``manual_seed`` sets). The row ``padding_idx`` (if
    given) starts at zeros and never receives a gradient."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        generator: np.random.Generator | None = None,
    ):
        for label, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Embedding {label} must be a positive int, got {value!r}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding padding_idx {padding_idx} is out of range for {num_embeddings} embeddings")
            padding_idx = int(padding_idx) % int(num_embeddings)
        self.num_embeddings, self.embedding_dim, self.padding_idx = int(num_embeddings), int(embedding_dim), padding_idx
        rng = generator if generator is not None else default_generator()
        values = rng.standard_normal((self.num_embeddings, self.embedding_dim)).astype(np.float32)
        if padding_idx is not None:
            values[padding_idx] = 0
        self.weight = Tensor(values, requires_grad=True)

    def forward(self, indices: Any) -> Tensor:
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        padding = f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"


class Dropout(Module):
    """Zero each element with probability ``p`` in training mode (survivors scaled by ``1/(1-p)``);
    the identity in eval mode. Masks come from ``generator`` (default: the one ``manual_seed`` sets)."""

    def __init__(self, p: float = 0.5, inplace: bool = False, generator: np.random.Generator | None = None):
        if isinstance(p, bool) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
        self.p, self.inplace, self.generator = float(p), inplace, generator

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, generator=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"
