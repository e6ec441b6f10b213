"""Linear algebra beyond products: inverse, determinant, solve, Cholesky, eigh, SVD, pseudo-inverse.

Every rule works on stacks of matrices (leading batch axes) and is written with ``@``, ``swapaxes``,
indexing and the inverse/solve of this module, so under ``create_graph`` it records a graph of its own
(gradients of gradients). Conventions where the derivative is not unique:

* ``cholesky`` and ``eigh`` read only the lower triangle of their input (NumPy's ``UPLO='L'``); the
  gradient is that of the function as it reads its input, so it sits on the lower triangle (the
  strictly-lower entries count twice: each stands for itself and its mirror), as HIPS autograd gives
  it and as finite differences see it. PyTorch returns the symmetric form ``(S + Sᵀ)/2`` instead; for
  a symmetric perturbation the two give the same directional derivative.
* ``eigh`` with repeated eigenvalues: the eigenvectors are not unique there and their gradient has a
  factor ``1/(λ_j - λ_i)``, so it is inf/nan, as in PyTorch and HIPS; a loss of the eigenvalues only
  has a finite gradient (the eigenvector term is skipped when its incoming gradient is zero).
* ``svd``: the same for repeated singular values (``1/(s_j² - s_i²)``), and the rule is that of the
  reduced SVD (``full_matrices=False``).
* ``det`` of a singular matrix: the gradient is the cofactor matrix (finite, computed through the SVD);
  under ``create_graph`` the rule uses the inverse, so a singular matrix raises there.

``Eigh`` and ``Svd`` have several results; each primitive returns them packed in one array (``w`` as
the first row above ``V``; ``U``, ``S``, ``Vᴴ`` flattened side by side), and ``tinygrad_sm.linalg``
unpacks them with indexing, so their gradients arrive packed the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import autograd as _autograd
from ..autograd import Primitive
from ._helpers import Array, Grads, _require_numeric, unbroadcast, values_of


def _mT(x: Any) -> Any:
    """The transpose of each matrix of a stack."""
    return x.swapaxes(-1, -2)


def _tensor(value: Any) -> Any:
    return value if isinstance(value, _autograd.Tensor) else _autograd.Tensor._wrap(np.asarray(value))


def _inv(a: Any) -> Any:
    if isinstance(a, np.ndarray):
        return np.linalg.inv(a)
    return Inv.apply(a)


def _solve(a: Any, b: Any) -> Any:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return np.linalg.solve(a, b)
    return Solve.apply(_tensor(a), _tensor(b))


def _require_square(name: str, a: np.ndarray) -> None:
    _require_numeric(name, a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name} needs a square matrix or a stack of them (shape (..., n, n)), got shape {a.shape}")


def _eye(n: int, like: Any) -> np.ndarray:
    return np.eye(n, dtype=like.dtype)


def _lower_triangle_convention(full: Any, n: int) -> Any:
    """The gradient of a function that reads only the lower triangle of its input, from the gradient
    ``full`` it would have if it read every entry: the diagonal as is, below it ``full + fullᵀ``."""
    strictly_lower = np.tril(np.ones((n, n), dtype=full.dtype), -1)
    return full * _eye(n, full) + (full + _mT(full)) * strictly_lower


class Inv(Primitive):
    math = (r"A^{-1}", r"\bar A = -A^{-\top} G A^{-\top}")
    reads_inputs, reads_output = False, True

    def forward(self, a: np.ndarray) -> np.ndarray:
        _require_square("inv", a)
        return np.linalg.inv(a)

    def backward(self, grad: Array, a: Array, out: Array) -> Grads:
        inverse_t = _mT(out)
        return (-(inverse_t @ grad @ inverse_t),)


def _cofactor(a: np.ndarray) -> np.ndarray:
    """``det(A) A^{-T}``, computed through the SVD so it stays finite for a singular A: with
    ``A = U S Vᴴ`` it is ``det(U) det(Vᴴ) U diag(prod_{j != i} s_j) Vᴴ``."""
    u, s, vh = np.linalg.svd(a)
    ones = np.ones(s.shape[:-1] + (1,), dtype=s.dtype)
    before = np.cumprod(np.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = np.flip(np.cumprod(np.concatenate([ones, np.flip(s, -1)[..., :-1]], axis=-1), axis=-1), -1)
    others = before * after  # the product of every singular value but the i-th, without dividing
    signs = np.linalg.det(u) * np.linalg.det(vh)
    return signs[..., None, None] * ((u * others[..., None, :]) @ vh)


class Det(Primitive):
    """The determinant of each matrix. Its gradient is the cofactor matrix, finite for a singular
    matrix too (computed through the SVD); under ``create_graph`` the rule is ``det A · A^{-T}``,
    written with the inverse, so a singular matrix raises there."""

    math = (r"\det A", r"\bar A = g \det(A)\, A^{-\top}")
    reads_output = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        _require_square("det", a)
        return np.linalg.det(a)

    def backward(self, grad: Array, a: Array, out: Array) -> Grads:
        if isinstance(a, np.ndarray):
            return (grad[..., None, None] * _cofactor(a),)
        return ((grad * out)[..., None, None] * _mT(_inv(a)),)


class LogAbsDet(Primitive):
    """``log|det A|``, the second result of ``slogdet`` (the sign is piecewise constant: no gradient).
    At a singular matrix the value is -inf and the gradient infinite: backward raises there."""

    math = (r"\ln\lvert\det A\rvert", r"\bar A = g\, A^{-\top}")
    reads_output = False

    def forward(self, a: np.ndarray) -> np.ndarray:
        _require_square("slogdet", a)
        sign, logabsdet = np.linalg.slogdet(a)
        self.singular = bool(np.any(sign == 0))  # constant: where log|det| is -inf
        return logabsdet

    def backward(self, grad: Array, a: Array, out: Array) -> Grads:
        if self.singular:
            raise ValueError("slogdet: the gradient of log|det A| at a singular matrix is infinite")
        return (grad[..., None, None] * _mT(_inv(a)),)


class Solve(Primitive):
    """``X = A^{-1} B`` for ``A`` of shape (..., n, n) and ``B`` of shape (..., n, k), batch axes
    broadcast (the vector forms are handled by ``tinygrad_sm.linalg.solve``)."""

    math = (r"X = A^{-1} B", r"\bar B = A^{-\top} G,\ \bar A = -\bar B X^\top")
    reads_output = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _require_square("solve", a)
        if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
            raise ValueError(
                f"solve: B must have shape (..., {a.shape[-1]}, k) for A of shape {a.shape}, got {b.shape}"
            )
        return np.linalg.solve(a, b)

    def backward(self, grad: Array, a: Array, b: Array, out: Array) -> Grads:
        grad_b = _solve(_mT(a), grad)
        grad_a = unbroadcast(-(grad_b @ _mT(out)), a.shape) if self.needs_grad[0] else None
        return grad_a, unbroadcast(grad_b, b.shape) if self.needs_grad[1] else None


class Cholesky(Primitive):
    """The lower-triangular ``L`` with ``L Lᵀ = A`` (A symmetric positive definite; only its lower
    triangle is read, as NumPy's). Rule (Murray 2016): ``P = Φ(Lᵀ L̄)`` (the lower triangle, diagonal
    halved), ``S = L^{-T} P L^{-1}``, then the lower-triangle convention (see the module)."""

    math = (
        r"L = \operatorname{chol}(A),\ L L^\top = A",
        r"S = L^{-\top} \Phi(L^\top \bar L) L^{-1},\ \bar A = \operatorname{tril}(S + S^\top) - \operatorname{diag} S",
    )
    reads_inputs, reads_output = False, True

    def forward(self, a: np.ndarray) -> np.ndarray:
        _require_square("cholesky", a)
        return np.linalg.cholesky(a)

    def backward(self, grad: Array, a: Array, out: Array) -> Grads:
        n = out.shape[-1]
        phi = np.tril(np.ones((n, n), dtype=out.dtype), -1) + 0.5 * _eye(
            n, out
        )  # Φ: the lower triangle, diagonal halved
        inverse = _inv(out)
        full = _mT(inverse) @ ((_mT(out) @ grad) * phi) @ inverse
        return (_lower_triangle_convention(full, n),)


class Eigh(Primitive):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix (lower triangle
    read), packed as one array of shape (..., n + 1, n): row 0 holds ``w``, rows 1.. hold ``V``.
    Rule: ``Ā = V (diag(w̄) + F ∘ (Vᵀ V̄)) Vᵀ`` with ``F_ij = 1/(w_j - w_i)`` off the diagonal, then
    the lower-triangle convention (see the module)."""

    math = (
        r"A = V \operatorname{diag}(w) V^\top",
        r"\bar A = V\big(\operatorname{diag}(\bar w) + F \circ (V^\top \bar V)\big)V^\top,\ F_{ij} = \tfrac{1}{w_j - w_i}",
    )
    reads_inputs, reads_output = False, True

    def forward(self, a: np.ndarray) -> np.ndarray:
        _require_square("eigh", a)
        w, v = np.linalg.eigh(a)
        return np.concatenate([w[..., None, :], v], axis=-2)

    def backward(self, grad: Array, a: Array, out: Array) -> Grads:
        n = out.shape[-1]
        w, v = out[..., 0, :], out[..., 1:, :]
        grad_w, grad_v = grad[..., 0, :], grad[..., 1:, :]
        eye = _eye(n, out)
        inner = grad_w[..., :, None] * eye
        if np.any(values_of(grad_v)):  # skipped for a loss of the eigenvalues only: no 1/0 from ties
            with np.errstate(divide="ignore", invalid="ignore"):
                gaps = w[..., None, :] - w[..., :, None] + eye  # w_j - w_i; 1 on the diagonal
                inner = inner + (1 - eye) / gaps * (_mT(v) @ grad_v)
        return (_lower_triangle_convention(v @ inner @ _mT(v), n),)


class Svd(Primitive):
    """The reduced SVD ``A = U diag(S) Vᴴ`` (A of shape (..., m, n), k = min(m, n)), packed as one
    array (..., m·k + k + k·n): U, S and Vᴴ flattened side by side. Rule (Townsend 2016), with
    ``F_ij = 1/(s_j² - s_i²)`` off the diagonal, ``J = F ∘ (Uᵀ Ū)``, ``K = F ∘ (Vᵀ V̄)``:
    ``Ā = U (diag(S̄) + (J + Jᵀ) S + S (K + Kᵀ)) Vᵀ + (I - U Uᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I - V Vᵀ)``."""

    math = (
        r"A = U \operatorname{diag}(s) V^\top",
        r"\bar A = U\big(\operatorname{diag}(\bar s) + (J + J^\top) S + S (K + K^\top)\big)V^\top"
        r" + (I - U U^\top)\bar U S^{-1} V^\top + U S^{-1} \bar V^\top (I - V V^\top)",
    )
    reads_inputs, reads_output = False, True

    def forward(self, a: np.ndarray) -> np.ndarray:
        _require_numeric("svd", a)
        if a.ndim < 2:
            raise ValueError(f"svd needs a matrix or a stack of them (shape (..., m, n)), got shape {a.shape}")
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        self.sizes = a.shape[-2], a.shape[-1], s.shape[-1]
        batch = a.shape[:-2]
        return np.concatenate([u.reshape(batch + (-1,)), s, vh.reshape(batch + (-1,))], axis=-1)

    def unpack(self, packed: Any) -> tuple[Any, Any, Any]:
        """``(U, S, Vᴴ)`` from a packed array (a Tensor or an array)."""
        m, n, k = self.sizes
        batch = packed.shape[:-1]
        u = packed[..., : m * k].reshape(batch + (m, k))
        s = packed[..., m * k : m * k + k]
        vh = packed[..., m * k + k :].reshape(batch + (k, n))
        return u, s, vh

    def backward(self, grad: Array, a: Array, out: Array) -> Grads:
        m, n, k = self.sizes
        u, s, vh = self.unpack(out)
        grad_u, grad_s, grad_vh = self.unpack(grad)
        v, grad_v = _mT(vh), _mT(grad_vh)
        eye = _eye(k, out)
        inner = grad_s[..., :, None] * eye
        with np.errstate(divide="ignore", invalid="ignore"):
            if np.any(values_of(grad_u)) or np.any(values_of(grad_vh)):  # skipped for singular values only
                squares = s * s
                f = (1 - eye) / (squares[..., None, :] - squares[..., :, None] + eye)
                j = f * (_mT(u) @ grad_u)
                kk = f * (_mT(v) @ grad_v)
                inner = inner + (j + _mT(j)) * s[..., None, :] + s[..., :, None] * (kk + _mT(kk))
            grad_a = u @ inner @ vh
            if m > k and np.any(values_of(grad_u)):  # the part of Ū outside U's columns
                grad_a = grad_a + ((grad_u - u @ (_mT(u) @ grad_u)) / s[..., None, :]) @ vh
            if n > k and np.any(values_of(grad_vh)):  # the part of V̄ outside V's columns
                grad_a = grad_a + u @ ((grad_vh - (grad_vh @ v) @ vh) / s[..., :, None])
        return (grad_a,)


class Pinv(Primitive):
    """The Moore-Penrose pseudo-inverse ``A⁺`` (singular values below ``rcond`` times the largest are
    treated as 0, as ``np.linalg.pinv``). The rule holds where the rank does not change (Golub and
    Pereyra 1973): ``Ā = (-X Gᵀ X + X Xᵀ G (I - A X) + (I - X A) G Xᵀ X)ᵀ`` with ``X = A⁺``."""

    math = (
        r"X = A^+",
        r"\bar A = \big(-X G^\top X + X X^\top G (I - A X) + (I - X A) G X^\top X\big)^\top",
    )
    reads_output = True

    def forward(self, a: np.ndarray, rcond: float = 1e-15) -> np.ndarray:
        _require_numeric("pinv", a)
        if a.ndim < 2:
            raise ValueError(f"pinv needs a matrix or a stack of them (shape (..., m, n)), got shape {a.shape}")
        return np.linalg.pinv(a, rcond=rcond)

    def backward(self, grad: Array, a: Array, out: Array) -> Grads:
        m, n = a.shape[-2], a.shape[-1]
        x, x_t = out, _mT(out)
        total = -(x @ _mT(grad) @ x) + x @ x_t @ grad @ (_eye(m, out) - a @ x) + (_eye(n, out) - x @ a) @ grad @ x_t @ x
        return (_mT(total),)


class Qr(Primitive):
    """The reduced QR decomposition ``A = Q R`` (Q with orthonormal columns, R upper triangular), packed
    as one array (..., m·k + k·n) with k = min(m, n). The rule (for m >= n; Walter and Lehmann 2018):
    ``M = R R̄ᵀ - Q̄ᵀ Q``, ``Ā = (Q̄ + Q copyltu(M)) R^{-T}`` where ``copyltu`` mirrors the lower triangle
    of M onto the upper. For m < n the gradient is not implemented (backward raises)."""

    math = (
        r"A = Q R",
        r"M = R \bar R^\top - \bar Q^\top Q,\ \bar A = (\bar Q + Q \operatorname{copyltu}(M)) R^{-\top}",
    )
    reads_inputs, reads_output = False, True

    def forward(self, a: np.ndarray) -> np.ndarray:
        _require_numeric("qr", a)
        if a.ndim < 2:
            raise ValueError(f"qr needs a matrix or a stack of them (shape (..., m, n)), got shape {a.shape}")
        q, r = np.linalg.qr(a, mode="reduced")
        self.sizes = a.shape[-2], a.shape[-1], min(a.shape[-2:])
        batch = a.shape[:-2]
        return np.concatenate([q.reshape(batch + (-1,)), r.reshape(batch + (-1,))], axis=-1)

    def unpack(self, packed: Any) -> tuple[Any, Any]:
        m, n, k = self.sizes
        batch = packed.shape[:-1]
        return packed[..., : m * k].reshape(batch + (m, k)), packed[..., m * k :].reshape(batch + (k, n))

    def backward(self, grad: Array, a: Array, out: Array) -> Grads:
        m, n, k = self.sizes
        if m < n:
            raise ValueError(f"qr: the gradient for a wide matrix ({m}x{n}, m < n) is not implemented")
        q, r = self.unpack(out)
        grad_q, grad_r = self.unpack(grad)
        middle = r @ _mT(grad_r) - _mT(grad_q) @ q
        lower = np.tril(np.ones((k, k), dtype=out.dtype), -1)
        mirrored = middle * lower + _mT(middle * lower) + middle * _eye(k, out)  # copyltu(M)
        return ((grad_q + q @ mirrored) @ _mT(_inv(r)),)
