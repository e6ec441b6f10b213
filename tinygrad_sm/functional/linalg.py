"""``tinygrad_sm.linalg`` (as ``torch.linalg``) and ``np.linalg`` on tensors.

The decompositions and the inverse are primitives (``ops/linalg_decomp.py``: their rules need the
factors); this module unpacks their results, handles the vector forms, and builds the rest from public
ops: the norms (``ord`` = 1, 2, inf, -inf, 'fro', 'nuc', -1, -2 for matrices; any p for vectors),
``matrix_power`` (repeated squaring), ``multi_dot``. Every function accepts stacks of matrices
(leading batch axes) as NumPy and PyTorch do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import ops
from ..tensor import Tensor, values_of, where
from ..tensor_functions import _as_tensor
from . import reductions
from .arrays import movedim, np_cross


class SlogdetResult(NamedTuple):
    """``(sign, logabsdet)`` as ``torch.linalg.slogdet`` and ``np.linalg.slogdet`` name them."""

    sign: Tensor
    logabsdet: Tensor


class EighResult(NamedTuple):
    eigenvalues: Tensor
    eigenvectors: Tensor


class SVDResult(NamedTuple):
    U: Tensor
    S: Tensor
    Vh: Tensor


def _float(x: Any) -> Tensor:
    x = _as_tensor(x)
    if x.dtype.kind == "c":
        raise TypeError("linalg: complex tensors are not supported (tinygrad_sm differentiates real arrays only)")
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _sign_of_det(a: np.ndarray) -> np.ndarray:
    return np.linalg.slogdet(a)[0]


def _full_svd(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.linalg.svd(a, full_matrices=True))  # type: ignore[return-value]


def inv(a: Any) -> Tensor:
    """The inverse of each square matrix (gradient ``-A^{-T} G A^{-T}``); a singular matrix raises."""
    return ops.Inv.apply(_float(a))


def det(a: Any) -> Tensor:
    """The determinant of each square matrix; its gradient is the cofactor matrix (finite at singular A)."""
    return ops.Det.apply(_float(a))


def slogdet(a: Any) -> SlogdetResult:
    """``(sign, log|det A|)``: the sign is a constant (no gradient), ``logabsdet``'s gradient is ``A^{-T}``."""
    a = _float(a)
    logabsdet = ops.LogAbsDet.apply(a)
    sign = values_of(_sign_of_det, a)
    return SlogdetResult(sign, logabsdet)


def solve(a: Any, b: Any, *, left: bool = True) -> Tensor:
    """``X`` with ``A X = B`` (PyTorch's rule for the vector form: ``B`` is a vector, or a stack of
    them, when ``B.ndim == 1`` or ``B.shape == A.shape[:-1]``); batch axes broadcast."""
    a, b = _float(a), _float(b)
    if not left:
        raise ValueError("solve: left=False is not supported; solve the transposed system instead")
    if b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]):
        return ops.Solve.apply(a, b.reshape(b.shape + (1,)))[..., 0]
    return ops.Solve.apply(a, b)


def np_solve(a: Any, b: Any) -> Tensor:
    """``np.linalg.solve`` (NumPy 2): ``b`` is a vector only when 1-D, else a stack of (n, k) matrices."""
    a, b = _float(a), _float(b)
    if b.ndim == 1:
        return ops.Solve.apply(a, b.reshape(b.shape + (1,)))[..., 0]
    return ops.Solve.apply(a, b)


def cholesky(a: Any, upper: bool = False) -> Tensor:
    """The lower-triangular ``L`` with ``L Lᵀ = A`` for symmetric positive definite A (only the lower
    triangle is read, and gets the gradient; see ``ops/linalg_decomp.py``); ``upper=True`` gives ``Lᵀ``."""
    lower = ops.Cholesky.apply(_float(a))
    return lower.swapaxes(-1, -2) if upper else lower


def eigh(a: Any, UPLO: str = "L") -> EighResult:
    """Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices, reading the lower
    triangle. Repeated eigenvalues make the eigenvectors' gradient inf/nan (see the ops module)."""
    a = _float(a)
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    if UPLO == "U":  # the upper triangle read is the lower triangle of the transpose
        a = a.swapaxes(-1, -2)
    packed = ops.Eigh.apply(a)
    return EighResult(packed[..., 0, :], packed[..., 1:, :])


def eigvalsh(a: Any, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric matrices (ascending); their gradient is finite also at repeated ones."""
    return eigh(a, UPLO).eigenvalues


def _svd_parts(a: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    m, n = a.shape[-2:]
    k = min(m, n)
    packed = ops.Svd.apply(a)
    batch = a.shape[:-2]
    return (
        packed[..., : m * k].reshape(batch + (m, k)),
        packed[..., m * k : m * k + k],
        packed[..., m * k + k :].reshape(batch + (k, n)),
    )


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False) -> Any:
    """``A = U diag(S) Vh`` (PyTorch's and NumPy's ``full_matrices=True`` default). With full matrices
    the extra columns of U (or rows of Vh) are not unique and have no gradient: for a non-square
    tensor that requires grad this raises, asking for ``full_matrices=False`` (PyTorch raises in
    backward). ``compute_uv=False`` gives the singular values only (NumPy)."""
    a = _float(a)
    if a.ndim < 2:
        raise ValueError(f"svd needs a matrix or a stack of them (shape (..., m, n)), got shape {a.shape}")
    if hermitian:
        raise ValueError("svd: hermitian=True is not supported; use eigh for symmetric matrices")
    if not compute_uv:
        return _svd_parts(a)[1]
    m, n = a.shape[-2:]
    if full_matrices and m != n:
        if a.requires_grad:
            raise ValueError(
                f"svd of a {m}x{n} tensor that requires grad with full_matrices=True: the extra singular "
                "vectors are not unique and have no gradient; pass full_matrices=False"
            )
        u, s, vh = _full_svd(a.numpy())  # (no gradient here: the values leave the graph; compile runs it eagerly)
        return SVDResult(Tensor._wrap(u), Tensor._wrap(s), Tensor._wrap(vh))
    return SVDResult(*_svd_parts(a))


def svdvals(a: Any) -> Tensor:
    """The singular values, descending (their gradient is ``U diag(S̄) Vᵀ``, finite at repeated ones)."""
    return _svd_parts(_float(a))[1]


class QRResult(NamedTuple):
    Q: Tensor
    R: Tensor


def qr(a: Any, mode: str = "reduced") -> QRResult:
    """``A = Q R`` (``mode='reduced'``: Q (m, k), R (k, n), k = min(m, n)). Not in HIPS autograd; the
    gradient (for m >= n) is the Walter-Lehmann rule. ``mode='r'`` gives R only (NumPy); 'complete'
    (extra columns of Q, not unique) is refused for a tensor that requires grad."""
    a = _float(a)
    if mode not in ("reduced", "r", "complete"):
        raise ValueError(f"qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    m, n = a.shape[-2:] if a.ndim >= 2 else (0, 0)
    if mode == "complete" and m > n:
        if a.requires_grad:
            raise ValueError("qr(mode='complete') of a tall tensor that requires grad: use mode='reduced'")
        q, r = _complete_qr(a.numpy())  # (no gradient here: the values leave the graph; compile runs it eagerly)
        return QRResult(Tensor._wrap(q), Tensor._wrap(r))
    packed = ops.Qr.apply(a)
    k = min(m, n)
    batch = a.shape[:-2]
    q_part = packed[..., : m * k].reshape(batch + (m, k))
    r_part = packed[..., m * k :].reshape(batch + (k, n))
    return r_part if mode == "r" else QRResult(q_part, r_part)  # type: ignore[return-value]


def _complete_qr(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return tuple(np.linalg.qr(a, mode="complete"))  # type: ignore[return-value]


def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = None, atol: Any = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse (singular values below ``rcond`` or ``rtol`` times the largest
    count as 0; NumPy's default 1e-15). Its gradient holds where the rank does not change."""
    if hermitian or atol is not None:
        raise ValueError("pinv: hermitian= and atol= are not supported; give rcond (or rtol)")
    cutoff = rtol if rtol is not None else (1e-15 if rcond is None else rcond)
    return ops.Pinv.apply(_float(a), rcond=float(cutoff))


def matrix_power(a: Any, n: int) -> Tensor:
    """``A^n`` for an integer ``n`` by repeated squaring (``n < 0``: of the inverse; ``n = 0``: identity)."""
    a = _float(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"matrix_power needs square matrices (shape (..., n, n)), got shape {a.shape}")
    if int(n) != n:
        raise TypeError(f"matrix_power: the exponent must be an integer, got {n!r}")
    n = int(n)
    if n == 0:  # the identity, a constant; a where that never picks A keeps it in the graph (gradient 0)
        identity = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
        return where(np.zeros(a.shape, dtype=bool), a, Tensor._wrap(identity.copy()))
    base = inv(a) if n < 0 else a
    result, n = None, abs(n)
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    assert result is not None
    return result


def multi_dot(tensors: Sequence[Any]) -> Tensor:
    """``A @ B @ C ...`` (left to right; the first may be a vector, and the last)."""
    tensors = [_as_tensor(t) for t in tensors]
    if len(tensors) < 2:
        raise ValueError("multi_dot needs at least two tensors")
    result = tensors[0]
    for t in tensors[1:]:
        result = result @ t
    return result


def cross(a: Any, b: Any, dim: int = -1) -> Tensor:
    """``torch.linalg.cross``: the cross product of 3-vectors along ``dim`` (broadcast)."""
    a, b = _as_tensor(a), _as_tensor(b)
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise ValueError(f"linalg.cross needs 3 components along dim {dim}, got shapes {a.shape} and {b.shape}")
    return np_cross(a, b, axis=dim)


# ---------------------------------------------------------------- norms
def _matrix_norm_last(x: Tensor, ord: Any) -> Tensor:
    """A matrix norm of each matrix in the last two axes."""
    if ord in ("fro", None):
        return reductions.norm(x, 2, dim=(-2, -1))
    if ord == "nuc":
        return svdvals(x).sum(axis=-1)
    if ord in (2, -2):
        values = svdvals(x)
        return values[..., 0] if ord == 2 else values[..., -1]
    if ord in (1, -1):
        column_sums = reductions.norm(x, 1, dim=-2)
        return reductions.amax(column_sums, axis=-1) if ord == 1 else reductions.amin(column_sums, axis=-1)
    if ord in (np.inf, -np.inf):
        row_sums = reductions.norm(x, 1, dim=-1)
        return reductions.amax(row_sums, axis=-1) if ord == np.inf else reductions.amin(row_sums, axis=-1)
    raise ValueError(f"invalid norm order {ord!r} for matrices: use 'fro', 'nuc', 1, -1, 2, -2, inf or -inf")


def matrix_norm(a: Any, ord: Any = "fro", dim: tuple[int, int] = (-2, -1), keepdim: bool = False) -> Tensor:
    """A matrix norm over the axes ``dim`` (``torch.linalg.matrix_norm``): 'fro', 'nuc' (sum of singular
    values), 2/-2 (largest/smallest singular value), 1/-1 (max/min column sum of |x|), inf/-inf (rows).
    Ties of the max/min share the gradient; repeated singular values are fine for 'nuc' and 2."""
    x = _float(a)
    if len(dim) != 2:
        raise ValueError(f"matrix_norm needs two axes, got dim={dim}")
    rows, cols = (d % x.ndim for d in dim)
    if rows == cols:
        raise ValueError(f"matrix_norm: the two axes must differ, got dim={dim}")
    result = _matrix_norm_last(movedim(x, (rows, cols), (-2, -1)), ord)
    if keepdim:
        for axis in sorted((rows, cols)):
            result = result.reshape(result.shape[:axis] + (1,) + result.shape[axis:])
    return result


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all elements by default); inf, -inf and 0 as usual."""
    return reductions.norm(_float(x), ord, dim=dim, keepdim=keepdim)


def norm(
    x: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    """``np.linalg.norm`` / ``torch.linalg.norm``: with ``axis`` None, the 2-norm of all elements
    (``ord`` None) or the ``ord`` norm of a vector or a matrix; an int ``axis`` gives vector norms, a
    pair of axes matrix norms."""
    x = _float(x)
    axis = dim if axis is None else axis
    keep = keepdim if keepdims is None else keepdims
    if axis is None:
        if ord is None:
            return reductions.norm(x, 2, dim=None, keepdim=keep)
        if x.ndim == 2:
            return matrix_norm(x, ord, (0, 1), keep)
        if x.ndim == 1:
            return vector_norm(x, ord, None, keep)
        raise ValueError(f"norm: ord={ord!r} without an axis needs a 1-D or 2-D tensor, got shape {x.shape}")
    if isinstance(axis, (tuple, list)) and len(axis) == 2:
        return matrix_norm(x, "fro" if ord is None else ord, tuple(axis), keep)
    if isinstance(axis, (tuple, list)) and len(axis) != 1:
        raise ValueError(f"norm: axis must be an int or a pair of ints, got {axis!r}")
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is a matrix norm; give a pair of axes")
    return vector_norm(x, 2 if ord is None else ord, axis, keep)


def eig(a: Any) -> Any:
    """Not supported: the eigenvalues of a general real matrix are complex; for symmetric matrices use
    ``eigh``."""
    raise TypeError(
        "linalg.eig: the eigenvalues of a general matrix are complex and tinygrad_sm differentiates real "
        "arrays only; for a symmetric matrix use tg.linalg.eigh (np.linalg.eigh)"
    )
