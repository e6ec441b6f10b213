"""Cases of the NumPy surface in PyTorch's spelling, written once for two libraries: each is
``fn(lib, *inputs)``, called with ``torch`` by scripts/pin_torch_numpy_surface.py (which pins PyTorch's
values and gradients into tests/data/torch_numpy_surface.json) and with ``tinygrad_sm`` by
tests/test_numpy_surface_torch_pinned.py. Method calls (``x.movedim(...)``) and ``lib.linalg`` work in both.

Where the two libraries take different conventions the case is written so that they agree:
``cholesky``/``eigh`` of a symmetrized input (PyTorch's gradient is the symmetric form, tinygrad_sm's
the lower-triangle one), eigenvectors and singular vectors squared (unique up to sign).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

rng = numpy.random.default_rng(2324)


def normal(*shape: int) -> numpy.ndarray:
    return rng.standard_normal(shape)


def uniform(low: float, high: float, *shape: int) -> numpy.ndarray:
    return rng.uniform(low, high, shape)


def _sym(a: Any) -> Any:
    return (a + a.transpose(-1, -2)) / 2


_SQUARE = normal(2, 3, 3) + 3 * numpy.eye(3)
_B = normal(3, 3)
_SPD = _B @ _B.T + 3 * numpy.eye(3)
_SYMMETRIC = _SPD + numpy.diag([0.0, 2.0, 5.0])

CASES: dict[str, tuple[list[numpy.ndarray], Callable[..., Any]]] = {
    "tan": ([uniform(-1.2, 1.2, 2, 3)], lambda lib, x: lib.tan(x)),
    "asin": ([uniform(-0.9, 0.9, 4)], lambda lib, x: lib.asin(x)),
    "acos": ([uniform(-0.9, 0.9, 4)], lambda lib, x: x.acos()),
    "atan": ([normal(4)], lambda lib, x: lib.atan(x)),
    "arcsinh": ([normal(4)], lambda lib, x: lib.arcsinh(x)),
    "acosh": ([uniform(1.1, 3, 4)], lambda lib, x: lib.acosh(x)),
    "atanh": ([uniform(-0.9, 0.9, 4)], lambda lib, x: x.atanh()),
    "sinh_cosh": ([normal(4)], lambda lib, x: lib.sinh(x) * lib.cosh(x)),
    "atan2": ([normal(2, 3), normal(3)], lambda lib, y, x: lib.atan2(y, x)),
    "hypot": ([normal(2, 3), normal(1, 3)], lambda lib, a, b: lib.hypot(a, b)),
    "x_floor": ([uniform(-3, 3, 5)], lambda lib, x: x * lib.floor(x)),
    "x_ceil": ([uniform(-3, 3, 5)], lambda lib, x: x * x.ceil()),
    "x_round_decimals": ([uniform(-3, 3, 5)], lambda lib, x: x * lib.round(x, decimals=1)),
    "x_trunc": ([uniform(-3, 3, 5)], lambda lib, x: x * lib.trunc(x)),
    "remainder": ([uniform(-5, 5, 2, 3), uniform(0.7, 2, 3)], lambda lib, a, b: lib.remainder(a, b)),
    "percent": ([uniform(-5, 5, 4), uniform(-2, -0.7, 4)], lambda lib, a, b: a % b),
    "percent_number": ([uniform(-5, 5, 4)], lambda lib, a: a % 0.7),  # (PyTorch has no rule for number % tensor)
    "fmod": ([uniform(-5, 5, 2, 3), uniform(0.7, 2, 3)], lambda lib, a, b: lib.fmod(a, b)),
    "exp2": ([normal(4)], lambda lib, x: lib.exp2(x)),
    "deg2rad": ([normal(4)], lambda lib, x: lib.deg2rad(x) + x.rad2deg()),
    "logaddexp2": ([normal(2, 3), normal(3)], lambda lib, a, b: lib.logaddexp2(a, b)),
    "fmax_fmin": ([normal(2, 3), normal(3)], lambda lib, a, b: lib.fmax(a, b) * 2 + lib.fmin(a, b)),
    "sinc": ([uniform(0.1, 2, 4)], lambda lib, x: lib.sinc(x)),
    "nan_to_num": ([normal(4)], lambda lib, x: lib.nan_to_num(x, 0.5)),
    "movedim": ([normal(2, 3, 4)], lambda lib, x: lib.movedim(x, (0, 2), (2, 0))),
    "moveaxis": ([normal(2, 3, 4)], lambda lib, x: x.moveaxis(-1, 0)),
    "repeat_interleave": ([normal(2, 3)], lambda lib, x: lib.repeat_interleave(x, 2, dim=1)),
    "repeat_interleave_flat": ([normal(2, 3)], lambda lib, x: x.repeat_interleave(3)),
    "fliplr_flipud": ([normal(2, 3)], lambda lib, x: lib.fliplr(x) * 2 + lib.flipud(x)),
    "rot90": ([normal(2, 3, 2)], lambda lib, x: lib.rot90(x, 3, [1, 2])),
    "stacks": (
        [normal(2, 3), normal(2, 3)],
        lambda lib, a, b: lib.cat(
            [
                lib.vstack([a, b]).reshape(-1),
                lib.hstack([a, b]).reshape(-1),
                lib.dstack([a, b]).reshape(-1),
                lib.column_stack([a, b]).reshape(-1),
            ]
        ),
    ),
    "atleast_3d": ([normal(3)], lambda lib, x: lib.atleast_3d(x) * 2),
    "tensor_split": (
        [normal(2, 7)],
        lambda lib, x: lib.cat([p * (k + 1) for k, p in enumerate(lib.tensor_split(x, 3, 1))], 1),
    ),
    "hsplit": ([normal(2, 4)], lambda lib, x: x.hsplit(2)[1] * 2),
    "diag": ([normal(3)], lambda lib, x: lib.diag(x, -1)),
    "diag_of_matrix": ([normal(3, 4)], lambda lib, x: lib.diag(x, 1)),
    "diagonal": ([normal(2, 3, 4)], lambda lib, x: lib.diagonal(x, 1, 1, 2)),
    "trace": ([normal(3, 4)], lambda lib, x: lib.trace(x)),
    "tril_triu": ([normal(2, 3, 4)], lambda lib, x: lib.tril(x, -1) + lib.triu(x, diagonal=2) * 3),
    "inner": ([normal(2, 3), normal(4, 3)], lambda lib, a, b: lib.inner(a, b)),
    "kron": ([normal(2, 3), normal(2, 2)], lambda lib, a, b: lib.kron(a, b)),
    "cross": ([normal(2, 3), normal(2, 3)], lambda lib, a, b: lib.cross(a, b, dim=1)),
    "linalg_cross": ([normal(2, 3), normal(1, 3)], lambda lib, a, b: lib.linalg.cross(a, b)),
    "diff": ([normal(3, 5), normal(3, 1)], lambda lib, x, p: lib.diff(x, n=2, dim=-1, prepend=p)),
    "inv": ([_SQUARE], lambda lib, a: lib.linalg.inv(a)),
    "det": ([_SQUARE], lambda lib, a: lib.linalg.det(a) + a.det()),
    "slogdet": ([_SQUARE], lambda lib, a: lib.linalg.slogdet(a)[1]),
    "solve": ([_SQUARE, normal(2, 3)], lambda lib, a, b: lib.linalg.solve(a, b)),
    "solve_matrix": ([_SQUARE, normal(3, 2)], lambda lib, a, b: lib.linalg.solve(a, b)),
    "cholesky": ([_SPD], lambda lib, a: lib.linalg.cholesky(_sym(a))),
    "eigh": ([_SYMMETRIC], lambda lib, a: lib.linalg.eigh(_sym(a))[1] ** 2 + lib.linalg.eigvalsh(_sym(a))),
    "svd": ([normal(3, 2)], lambda lib, a: lib.linalg.svd(a, full_matrices=False)[0] ** 2 * lib.linalg.svdvals(a)),
    "pinv": ([normal(3, 2)], lambda lib, a: lib.linalg.pinv(a)),
    "qr": ([normal(4, 3)], lambda lib, a: lib.linalg.qr(a)[0] + lib.linalg.qr(a)[1].sum()),
    "matrix_norm_nuc": ([normal(3, 4)], lambda lib, a: lib.linalg.matrix_norm(a, "nuc")),
    "matrix_norm_inf": ([normal(2, 3, 4)], lambda lib, a: lib.linalg.matrix_norm(a, float("inf"))),
    "matrix_norm_2": ([normal(3, 4)], lambda lib, a: lib.linalg.matrix_norm(a, 2)),
    "linalg_norm_axis": ([normal(3, 4)], lambda lib, a: lib.linalg.norm(a, 3, dim=1)),
    "vector_norm": ([normal(3, 4)], lambda lib, a: lib.linalg.vector_norm(a, 1.5)),
    "matrix_power": ([_SQUARE], lambda lib, a: lib.linalg.matrix_power(a, -2)),
    "inverse_method": ([_SQUARE], lambda lib, a: a.inverse()),
}
