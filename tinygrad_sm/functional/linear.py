"""``F.linear``, ``F.normalize`` and ``F.cosine_similarity``, written with public Tensor ops."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor


def linear(input: Tensor, weight: Tensor, bias: Any = None) -> Tensor:
    """``input @ weight.T + bias`` with ``weight`` of shape ``(out_features, in_features)``, as ``F.linear``."""
    out = input @ weight.transpose()
    return out if bias is None else out + bias


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim`` (``F.normalize``)."""
    norms = input.norm(p, dim=dim, keepdim=True)  # type: ignore[attr-defined]
    return input / norms.clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) max(||x2||, eps))`` along ``dim`` (``F.cosine_similarity``, PyTorch 2)."""
    dot = (x1 * x2).sum(dim=dim)
    norm1 = (x1 * x1).sum(dim=dim).sqrt().clamp(min=eps)  # type: ignore[attr-defined]
    norm2 = (x2 * x2).sum(dim=dim).sqrt().clamp(min=eps)  # type: ignore[attr-defined]
    return dot / (norm1 * norm2)
