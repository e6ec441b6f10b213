"""Linear algebra: matrix products."""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from .. import autograd as _autograd
from ..autograd import Primitive
from ._helpers import Array, Grads, unbroadcast


class Matmul(Primitive):
    """``a @ b`` with NumPy's rules: 1-D operands are promoted and leading dimensions broadcast.
    ``transpose_b=True`` computes ``a @ b.T`` for a 2-D ``b`` in the same node (``nn.Linear``'s
    ``x @ W.T`` with W stored (out_features, in_features), as PyTorch); then ``B̄ = Gᵀ A``."""

    math = (
        r"A B \ (\text{or } A B^\top)",
        r"\bar A = G B^\top,\ \bar B = A^\top G \ (\text{for } A B^\top:\ \bar A = G B,\ \bar B = G^\top A)",
    )

    def forward(self, a: np.ndarray, b: np.ndarray, transpose_b: bool = False) -> np.ndarray:
        self.transpose_b = transpose_b
        if transpose_b:
            if b.ndim != 2:
                raise ValueError(f"transpose_b needs a 2-D right operand, got shape {b.shape}")
            if a.shape[-1:] != b.shape[1:]:
                raise ValueError(
                    f"shapes {a.shape} and {b.shape} are not aligned for a @ b.T: "
                    f"{a.shape[-1] if a.ndim else None} (last dim of the left) != {b.shape[1]}"
                )
            return np.matmul(a, b.T)
        try:
            return np.matmul(a, b)
        except ValueError:  # explain in the course's terms what NumPy refused
            if a.ndim == 0 or b.ndim == 0:
                raise ValueError(
                    f"both operands need at least one dimension, got shapes {a.shape} and {b.shape}"
                ) from None
            inner_a, inner_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
            if inner_a != inner_b:
                raise ValueError(
                    f"shapes {a.shape} and {b.shape} are not aligned: "
                    f"{inner_a} (last dim of the left) != {inner_b} (row dim of the right)"
                ) from None
            raise

    def backward(self, grad: Array, a: Array, b: Array, out: Array) -> Grads:
        if self.transpose_b:  # out = a @ b.T: ā = g b, b̄ = gᵀ a (summed over any leading dims of a)
            grad_a = grad @ b if self.needs_grad[0] else None
            if not self.needs_grad[1]:
                return grad_a, None
            if a.ndim == 2:
                # a batch of one (inner dimension 1): np.dot takes BLAS's rank-1 path, 2x the broadcast multiply
                grad_b = np.dot(grad.T, a) if a.shape[0] == 1 and type(grad) is type(a) is np.ndarray else grad.T @ a
            else:
                grad_b = grad.reshape(-1, grad.shape[-1]).T @ a.reshape(-1, a.shape[-1])
            return grad_a, grad_b
        if a.ndim == 2 and b.ndim == 2:
            grad_a = grad @ b.T if self.needs_grad[0] else None
            if not self.needs_grad[1]:
                return grad_a, None
            # a batch of one: np.matmul runs its slow non-BLAS loop on the (k, 1) view a.T (184 us for
            # 784x256 here), the broadcast outer product takes 35 us, np.dot's BLAS path 20 us
            grad_b = np.dot(a.T, grad) if a.shape[0] == 1 and type(grad) is type(a) is np.ndarray else a.T @ grad
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


_LETTERS = string.ascii_letters


def parse_einsum(subscripts: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str, dict[str, int]]:
    """``(input terms, output term, size of each letter)`` with ``...`` spelled out as letters and an
    implicit output (no ``->``) made explicit as NumPy does: the letters seen once, in alphabetical
    order, after the ellipsis dimensions. Raises ValueError naming the term that does not fit."""
    if not isinstance(subscripts, str):
        raise TypeError(f"subscripts must be a string such as 'ij,jk->ik', got {type(subscripts).__name__}")
    spec = subscripts.replace(" ", "")
    inputs_part, arrow, output = spec.partition("->")
    terms = inputs_part.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"{subscripts!r} names {len(terms)} operands, got {len(shapes)}")
    unused = [c for c in _LETTERS if c not in spec]
    widths = [len(shape) - (len(term) - 3) for term, shape in zip(terms, shapes) if "..." in term]
    ellipsis = "".join(unused[: max(widths, default=0)])
    spelled = []
    for position, (term, shape) in enumerate(zip(terms, shapes)):
        if "..." in term:
            width = len(shape) - (len(term) - 3)
            if width < 0:
                raise ValueError(f"operand {position} has {len(shape)} dimensions, fewer than term {term!r} names")
            term = term.replace("...", ellipsis[len(ellipsis) - width :])
        if not all(c in _LETTERS for c in term):
            raise ValueError(f"term {term!r} may hold only letters and one '...'")
        if len(term) != len(shape):
            raise ValueError(
                f"term {terms[position]!r} names {len(term)} dimensions but operand {position} has shape {shape}"
            )
        spelled.append(term)
    sizes: dict[str, int] = {}
    for position, (term, shape) in enumerate(zip(spelled, shapes)):
        for letter, size in zip(term, shape):
            if sizes.setdefault(letter, size) != size:
                raise ValueError(
                    f"index {letter!r} has size {sizes[letter]} and {size} (operand {position}, "
                    f"shape {shape}); broadcasting inside einsum is not supported, expand first"
                )
    if arrow:
        output = output.replace("...", ellipsis)
        for letter in output:
            if letter not in sizes or output.count(letter) > 1:
                raise ValueError(f"output index {letter!r} must appear once in the output and in an input")
    else:
        counts = "".join(spelled)
        output = ellipsis + "".join(sorted(c for c in set(counts) if counts.count(c) == 1 and c not in ellipsis))
    return spelled, output, sizes


def _einsum(spec: str, *operands: Any) -> Any:
    """``np.einsum`` on arrays, or the recorded ``Einsum`` when some operand is a Tensor (create_graph)."""
    if all(isinstance(o, np.ndarray) for o in operands):
        return np.einsum(spec, *operands, optimize=len(operands) > 2)
    tensor_type = _autograd.Tensor
    wrapped = [o if isinstance(o, tensor_type) else tensor_type._wrap(np.asarray(o)) for o in operands]
    return Einsum.apply(*wrapped, subscripts=spec)


class Einsum(Primitive):
    """Einstein summation over explicit letters (``'ij,jk->ik'``, ``'ii->'``, ``'...ij,...jk'``).
    The VJP for operand k is itself an einsum: ``g`` contracted with the other operands onto k's
    letters; a letter repeated in k (a diagonal) is routed through an identity matrix, and a letter
    only k has (summed away) through a vector of ones, so the rule is one einsum in every case."""

    math = (
        r"y_{\text{out}} = \sum_{\text{other letters}} \prod_k x^{(k)}_{\text{term}_k}",
        r"\bar x^{(k)}_{\text{term}_k} = \sum g_{\text{out}} \prod_{j \ne k} x^{(j)}_{\text{term}_j}",
    )

    def forward(self, *operands: np.ndarray, subscripts: str) -> np.ndarray:
        self.terms, self.output, self.sizes = parse_einsum(subscripts, [o.shape for o in operands])
        return np.asarray(np.einsum(",".join(self.terms) + "->" + self.output, *operands, optimize=len(operands) > 2))

    def backward(self, grad: Array, *inputs_and_out: Array) -> Grads:
        operands = inputs_and_out[:-1]
        fresh = iter(c for c in _LETTERS if c not in self.sizes)
        grads: list[Any] = []
        for k, term in enumerate(self.terms):
            if not self.needs_grad[k]:
                grads.append(None)
                continue
            other_terms = [t for j, t in enumerate(self.terms) if j != k]
            other_operands = [o for j, o in enumerate(operands) if j != k]
            target, extra_terms, extra_operands = [], [], []
            for letter in term:
                if letter in target:  # a diagonal: a fresh letter tied to the first by the identity
                    twin = next(fresh)
                    target.append(twin)
                    extra_terms.append(letter + twin)
                    extra_operands.append(np.eye(self.sizes[letter], dtype=grad.dtype))
                else:
                    target.append(letter)
            reached = set(self.output).union(*other_terms, *extra_terms)
            for letter in dict.fromkeys(term):
                if letter not in reached:  # summed away by k alone: every position gets g
                    extra_terms.append(letter)
                    extra_operands.append(np.ones(self.sizes[letter], dtype=grad.dtype))
            spec = ",".join([self.output, *other_terms, *extra_terms]) + "->" + "".join(target)
            grads.append(_einsum(spec, grad, *other_operands, *extra_operands))
        return tuple(grads)
