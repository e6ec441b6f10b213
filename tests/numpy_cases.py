"""Cases of the NumPy surface written once for two NumPys: each is ``fn(np, *inputs)``, called with
HIPS autograd's ``autograd.numpy`` by scripts/pin_hips_numpy.py (which pins HIPS's values and
gradients into tests/data/hips_numpy.json) and with plain NumPy on tinygrad_sm tensors by
tests/test_numpy_hips_pinned.py. Inputs come from a fixed seed, in each function's smooth domain.

Where HIPS and tinygrad_sm take different conventions the case is written so that they agree:
``cholesky``/``eigh`` of ``(A + Aᵀ)/2`` (HIPS gives cholesky a symmetric gradient, tinygrad_sm the
lower-triangle one; for a symmetric perturbation they coincide), eigenvectors and singular vectors
squared (unique up to sign).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

rng = numpy.random.default_rng(2323)


def normal(*shape: int) -> numpy.ndarray:
    return rng.standard_normal(shape)


def uniform(low: float, high: float, *shape: int) -> numpy.ndarray:
    return rng.uniform(low, high, shape)


def well_conditioned(n: int, *batch: int) -> numpy.ndarray:
    return normal(*batch, n, n) + 3 * numpy.eye(n)


def spd(n: int) -> numpy.ndarray:
    a = normal(n, n)
    return a @ a.T + n * numpy.eye(n)


def _sym(np: Any, a: Any) -> Any:
    return (a + np.swapaxes(a, -1, -2)) / 2


SQUARE = well_conditioned(3)
SPD = spd(3)
SYMMETRIC = SPD + numpy.diag([0.0, 2.0, 5.0])  # eigenvalues well apart

# name -> (inputs, fn(np, *inputs))
CASES: dict[str, tuple[list[numpy.ndarray], Callable[..., Any]]] = {
    # elementwise, one input
    "tan": ([uniform(-1.2, 1.2, 2, 3)], lambda np, x: np.tan(x)),
    "arcsin": ([uniform(-0.9, 0.9, 4)], lambda np, x: np.arcsin(x)),
    "arccos": ([uniform(-0.9, 0.9, 4)], lambda np, x: np.arccos(x)),
    "arctan": ([normal(4)], lambda np, x: np.arctan(x)),
    "sinh": ([normal(4)], lambda np, x: np.sinh(x)),
    "cosh": ([normal(4)], lambda np, x: np.cosh(x)),
    "arcsinh": ([normal(4)], lambda np, x: np.arcsinh(x)),
    "arccosh": ([uniform(1.1, 3.0, 4)], lambda np, x: np.arccosh(x)),
    "arctanh": ([uniform(-0.9, 0.9, 4)], lambda np, x: np.arctanh(x)),
    "exp2": ([normal(4)], lambda np, x: np.exp2(x)),
    "fabs": ([normal(4)], lambda np, x: np.fabs(x)),
    "deg2rad": ([normal(4)], lambda np, x: np.deg2rad(x)),
    "radians": ([normal(4)], lambda np, x: np.radians(x)),
    "rad2deg": ([normal(4)], lambda np, x: np.rad2deg(x)),
    "degrees": ([normal(4)], lambda np, x: np.degrees(x)),
    "sinc": ([uniform(0.1, 2.0, 4)], lambda np, x: np.sinc(x)),
    "nan_to_num": ([normal(4)], lambda np, x: np.nan_to_num(x)),
    "x_floor": ([uniform(-3, 3, 5)], lambda np, x: x * np.floor(x)),
    "x_ceil": ([uniform(-3, 3, 5)], lambda np, x: x * np.ceil(x)),
    "x_round": ([uniform(-3, 3, 5)], lambda np, x: x * np.round(x)),
    "x_rint": ([uniform(-3, 3, 5)], lambda np, x: x * np.rint(x)),
    "x_trunc": ([uniform(-3, 3, 5)], lambda np, x: x * np.trunc(x)),
    "x_fix": ([uniform(-3, 3, 5)], lambda np, x: x * np.fix(x)),
    "real": ([normal(3)], lambda np, x: np.real(x) * x),
    "conj": ([normal(3)], lambda np, x: np.conj(x) * x),
    "angle_plus_x": ([normal(3)], lambda np, x: np.angle(x) + x),
    # elementwise, two inputs (broadcast)
    "arctan2": ([normal(2, 3), uniform(0.5, 2, 3)], lambda np, y, x: np.arctan2(y, x)),
    "hypot": ([normal(2, 3), uniform(0.5, 2, 1, 3)], lambda np, a, b: np.hypot(a, b)),
    "logaddexp2": ([normal(2, 3), normal(3)], lambda np, a, b: np.logaddexp2(a, b)),
    "fmax": ([normal(2, 3), normal(3)], lambda np, a, b: np.fmax(a, b)),
    "fmin": ([normal(2, 3), normal(3)], lambda np, a, b: np.fmin(a, b)),
    "remainder": ([uniform(-5, 5, 2, 3), uniform(0.7, 2, 3)], lambda np, a, b: np.remainder(a, b)),
    "mod": ([uniform(-5, 5, 4), uniform(-2, -0.7, 4)], lambda np, a, b: np.mod(a, b)),
    # array manipulation
    "moveaxis": ([normal(2, 3, 4)], lambda np, x: np.moveaxis(x, 0, -1)),
    "rollaxis": ([normal(2, 3, 4)], lambda np, x: np.rollaxis(x, 2, 1)),
    "swapaxes": ([normal(2, 3, 4)], lambda np, x: np.swapaxes(x, 0, 2)),
    "repeat": ([normal(2, 3)], lambda np, x: np.repeat(x, 2, axis=1)),
    "repeat_flat": ([normal(2, 3)], lambda np, x: np.repeat(x, 3)),
    "tile": ([normal(2, 3)], lambda np, x: np.tile(x, (2, 1))),
    "fliplr": ([normal(2, 3)], lambda np, x: np.fliplr(x)),
    "flipud": ([normal(2, 3)], lambda np, x: np.flipud(x)),
    "rot90": ([normal(2, 3)], lambda np, x: np.rot90(x)),
    "rot90_k3": ([normal(2, 3, 2)], lambda np, x: np.rot90(x, 3, (1, 2))),
    "vstack": ([normal(3), normal(2, 3)], lambda np, a, b: np.vstack([a, b])),
    "hstack": ([normal(2, 3), normal(2, 1)], lambda np, a, b: np.hstack([a, b])),
    "dstack": ([normal(2, 3), normal(2, 3)], lambda np, a, b: np.dstack([a, b])),
    "column_stack": ([normal(3), normal(3, 2)], lambda np, a, b: np.column_stack([a, b])),
    "split": ([normal(6, 2)], lambda np, x: np.concatenate([p * (k + 1) for k, p in enumerate(np.split(x, 3))])),
    "array_split": (
        [normal(2, 7)],
        lambda np, x: np.concatenate([p * (k + 1) for k, p in enumerate(np.array_split(x, 3, axis=1))], axis=1),
    ),
    "hsplit": ([normal(2, 4)], lambda np, x: np.hsplit(x, [1])[1] * 2),
    "vsplit": ([normal(4, 2)], lambda np, x: np.vsplit(x, 2)[0] * 3),
    "dsplit": ([normal(1, 2, 4)], lambda np, x: np.dsplit(x, [3])[0] * 2),
    "atleast_1d": ([normal()], lambda np, x: np.atleast_1d(x) * 2),
    "atleast_2d": ([normal(3)], lambda np, x: np.atleast_2d(x) * 2),
    "atleast_3d": ([normal(2, 3)], lambda np, x: np.atleast_3d(x) * 2),
    "diag_vector": ([normal(3)], lambda np, x: np.diag(x, 1)),
    "diag_matrix": ([normal(3, 4)], lambda np, x: np.diag(x, -1)),
    "diagonal": ([normal(2, 3, 4)], lambda np, x: np.diagonal(x, 1, 1, 2)),
    "trace": ([normal(3, 4)], lambda np, x: np.trace(x, 1)),
    "tril": ([normal(3, 4)], lambda np, x: np.tril(x, -1)),
    "triu": ([normal(2, 3, 4)], lambda np, x: np.triu(x, 1)),
    "inner": ([normal(2, 3), normal(4, 3)], lambda np, a, b: np.inner(a, b)),
    "kron": ([normal(2, 3), normal(2, 2)], lambda np, a, b: np.kron(a, b)),
    "cross": ([normal(2, 3), normal(3)], lambda np, a, b: np.cross(a, b)),
    "cross_axis": ([normal(3, 2), normal(2, 3)], lambda np, a, b: np.cross(a, b, axisa=0)),
    "diff": ([normal(3, 5)], lambda np, x: np.diff(x, 2)),
    "diff_axis0": ([normal(4, 2)], lambda np, x: np.diff(x, axis=0)),
    "append": ([normal(2, 3), normal(2, 3)], lambda np, a, b: np.append(a, b, axis=0)),
    "append_flat": ([normal(2, 3), normal(2)], lambda np, a, b: np.append(a, b)),
    "cumsum": ([normal(3, 4)], lambda np, x: np.cumsum(x, axis=1)),
    "where": ([normal(2, 3), normal(2, 3)], lambda np, a, b: np.where(a > b, a, b * 2)),
    "clip": ([normal(5)], lambda np, x: np.clip(x, -0.5, 0.5)),
    "sort": ([normal(3, 4)], lambda np, x: np.sort(x, axis=1)),
    "partition": ([normal(6)], lambda np, x: np.partition(x, 3)[3:]),
    "pad": ([normal(2, 3)], lambda np, x: np.pad(x, ((1, 0), (2, 1)), mode="constant")),
    "gradient": ([normal(5)], lambda np, x: np.gradient(x)),
    "linspace": ([uniform(0, 1, 1)[0], uniform(2, 3, 1)[0]], lambda np, a, b: np.linspace(a, b, 5)),
    # linear algebra
    "inv": ([well_conditioned(3, 2)], lambda np, a: np.linalg.inv(a)),
    "det": ([well_conditioned(3, 2)], lambda np, a: np.linalg.det(a)),
    "slogdet": ([well_conditioned(3)], lambda np, a: np.linalg.slogdet(a)[1]),
    "solve_vector": ([SQUARE, normal(3)], lambda np, a, b: np.linalg.solve(a, b)),
    "solve_matrix": ([well_conditioned(3, 2), normal(2, 3, 2)], lambda np, a, b: np.linalg.solve(a, b)),
    "cholesky": ([SPD], lambda np, a: np.linalg.cholesky(_sym(np, a))),
    "eigh_values": ([SYMMETRIC], lambda np, a: np.linalg.eigh(_sym(np, a))[0]),
    "eigh_vectors": ([SYMMETRIC], lambda np, a: np.linalg.eigh(_sym(np, a))[1] ** 2),
    "svd_values": ([normal(3, 2)], lambda np, a: np.linalg.svd(a, full_matrices=False)[1]),
    "svd_u": ([normal(3, 2)], lambda np, a: np.linalg.svd(a, full_matrices=False)[0] ** 2),
    "svd_vh": ([normal(2, 4)], lambda np, a: np.linalg.svd(a, full_matrices=False)[2] ** 2),
    "pinv": ([normal(3, 2)], lambda np, a: np.linalg.pinv(a)),
    "norm": ([normal(3, 4)], lambda np, a: np.linalg.norm(a)),
    "norm_fro_axis": ([normal(2, 3, 4)], lambda np, a: np.linalg.norm(a, "fro", axis=(1, 2))),
    "norm_nuc": ([normal(3, 4)], lambda np, a: np.linalg.norm(a, "nuc")),
    "norm_vector_3": ([normal(3, 4)], lambda np, a: np.linalg.norm(a, 3, axis=1)),
    "norm_vector_2_axis0": ([normal(3, 4)], lambda np, a: np.linalg.norm(a, axis=0)),
    "matrix_power": ([well_conditioned(3)], lambda np, a: np.linalg.matrix_power(a, 3)),
}
