"""Linear algebra: matrix products."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function
from ._helpers import unbroadcast


class Matmul(Function):
    """``a @ b`` with NumPy's rules: 1-D operands are promoted and leading dimensions broadcast.
    ``transpose_b=True`` computes ``a @ b.T`` for a 2-D ``b`` in the same node (``nn.Linear``'s
    ``x @ W.T`` with W stored (out_features, in_features), as PyTorch); then ``B̄ = Gᵀ A``."""
    math = (r"A B \ (\text{or } A B^\top)",
            r"\bar A = G B^\top,\ \bar B = A^\top G \ (\text{for } A B^\top:\ \bar A = G B,\ \bar B = G^\top A)")

    def forward(self, a, b, transpose_b=False):
        self.transpose_b = transpose_b
        if transpose_b:
            if b.ndim != 2:
                raise ValueError(f"transpose_b needs a 2-D right operand, got shape {b.shape}")
            if a.shape[-1:] != b.shape[1:]:
                raise ValueError(f"shapes {a.shape} and {b.shape} are not aligned for a @ b.T: "
                                 f"{a.shape[-1] if a.ndim else None} (last dim of the left) != {b.shape[1]}")
            return np.matmul(a, b.T)
        try:
            return np.matmul(a, b)
        except ValueError:  # explain in the course's terms what NumPy refused
            if a.ndim == 0 or b.ndim == 0:
                raise ValueError(f"both operands need at least one dimension, got shapes {a.shape} and {b.shape}") from None
            inner_a, inner_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
            if inner_a != inner_b:
                raise ValueError(f"shapes {a.shape} and {b.shape} are not aligned: "
                                 f"{inner_a} (last dim of the left) != {inner_b} (row dim of the right)") from None
            raise

    def backward(self, grad, a, b, out):
        if self.transpose_b:  # out = a @ b.T: ā = g b, b̄ = gᵀ a (summed over any leading dims of a)
            grad_a = grad @ b if self.needs_grad[0] else None
            if not self.needs_grad[1]:
                return grad_a, None
            if a.ndim == 2:
                grad_b = grad.T * a if a.shape[0] == 1 else grad.T @ a
            else:
                grad_b = grad.reshape(-1, grad.shape[-1]).T @ a.reshape(-1, a.shape[-1])
            return grad_a, grad_b
        if a.ndim == 2 and b.ndim == 2:
            grad_a = grad @ b.T if self.needs_grad[0] else None
            if not self.needs_grad[1]:
                return grad_a, None
            # a batch of one: the outer product by broadcasting is several times faster than BLAS's rank-1 gemm
            grad_b = a.T * grad if a.shape[0] == 1 else a.T @ grad
            return grad_a, grad_b
        # promote 1-D operands to matrices, as matmul does, then undo it
        a2 = a.reshape(1, a.shape[0]) if a.ndim == 1 else a
        b2 = b.reshape(b.shape[0], 1) if b.ndim == 1 else b
        grad2 = grad
        if a.ndim == 1:
            grad2 = grad2.reshape(grad2.shape[:-1] + (1,) + grad2.shape[-1:])
        if b.ndim == 1:
            grad2 = grad2.reshape(grad2.shape + (1,))
        grad_a = grad_b = None
        if self.needs_grad[0]:
            grad_a = unbroadcast(grad2 @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)
        if self.needs_grad[1]:
            grad_b = unbroadcast(a2.swapaxes(-1, -2) @ grad2, b2.shape).reshape(b.shape)
        return grad_a, grad_b
