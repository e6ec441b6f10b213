"""``np.linalg`` on tensors and ``tg.linalg``: NumPy's values, gradients by finite differences in float64
(stacks of matrices, batch axes broadcast), second derivatives where the rule is written with Tensor
ops, and the documented edge cases (singular det, repeated eigenvalues, full_matrices)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SETTINGS
from test_numpy_surface import second_order

import tinygrad_sm as tg
from tinygrad_sm import Tensor, gradcheck

FEW = settings(SETTINGS, max_examples=15)


@st.composite
def matrices(draw, kind: str = "general", square: bool = True):
    """A stack of well-conditioned matrices: batch axes 0-2, sides 1-4; ``kind`` 'spd' is symmetric
    positive definite, 'symmetric' has eigenvalues at least 0.3 apart."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    n = draw(st.integers(1, 4))
    m = n if square else draw(st.integers(1, 4))
    a = rng.standard_normal(batch + (n, m))
    if kind == "general":
        return a + 3 * np.eye(n, m) if square else a
    if kind == "spd":
        return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)
    values = np.cumsum(rng.uniform(0.3, 1.5, batch + (n,)), axis=-1) - 2
    q = np.linalg.qr(a)[0]
    return q @ (values[..., None] * np.swapaxes(q, -1, -2))


def close(got: Tensor, expected: np.ndarray) -> None:
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got.data, expected, rtol=1e-10, atol=1e-10)


@FEW
@given(a=matrices())
def test_inv_det_slogdet(a):
    x = Tensor(a)
    close(np.linalg.inv(x), np.linalg.inv(a))
    close(np.linalg.det(x), np.linalg.det(a))
    sign, logabsdet = np.linalg.slogdet(x)
    expected = np.linalg.slogdet(a)
    close(sign, expected.sign)
    close(logabsdet, expected.logabsdet)
    gradcheck(lambda t: np.linalg.inv(t), a)
    gradcheck(lambda t: np.linalg.det(t), a, rtol=1e-4)
    gradcheck(lambda t: np.linalg.slogdet(t)[1], a)


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "cholesky", "pinv", "eigh", "svd", "solve"])
def test_linalg_rules_differentiate_twice(name):
    rng = np.random.default_rng(7)
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    spd = a @ a.T
    functions = {
        "inv": (lambda t: tg.linalg.inv(t), a),
        "det": (lambda t: tg.linalg.det(t), a),
        "slogdet": (lambda t: tg.linalg.slogdet(t).logabsdet, a),
        "cholesky": (lambda t: tg.linalg.cholesky(t), spd),
        "pinv": (lambda t: tg.linalg.pinv(t), a[:, :2]),
        "eigh": (lambda t: tg.linalg.eigh(t).eigenvectors ** 2 + tg.linalg.eigh(t).eigenvalues, spd),
        "svd": (lambda t: tg.linalg.svd(t, full_matrices=False).U ** 2 + tg.linalg.svdvals(t), a[:, :2]),
        "solve": (lambda t: tg.linalg.solve(t, Tensor(np.arange(3.0))), a),
    }
    fn, value = functions[name]
    gradcheck(second_order(fn), value, rtol=1e-4, atol=1e-5)


@FEW
@given(a=matrices(), data=st.data())
def test_solve_vector_and_matrix_right_hand_sides_with_broadcast_batches(a, data):
    n = a.shape[-1]
    rng = np.random.default_rng(0)
    vector = rng.standard_normal(n)
    close(np.linalg.solve(Tensor(a), Tensor(vector)), np.linalg.solve(a, vector))
    gradcheck(lambda s, t: np.linalg.solve(s, t), a, vector)
    k = data.draw(st.integers(1, 3))
    right = rng.standard_normal((1,) * (a.ndim - 2) + (n, k))
    close(np.linalg.solve(Tensor(a), Tensor(right)), np.linalg.solve(a, right))
    gradcheck(lambda s, t: np.linalg.solve(s, t), a, right)
    stacked = rng.standard_normal(a.shape[:-1])  # PyTorch's batched vector form
    expected = np.linalg.solve(a, stacked[..., None])[..., 0]
    close(tg.linalg.solve(Tensor(a), Tensor(stacked)), expected)


@FEW
@given(a=matrices("spd"))
def test_cholesky_reads_the_lower_triangle_and_its_gradient_sits_there(a):
    close(np.linalg.cholesky(Tensor(a)), np.linalg.cholesky(a))
    gradcheck(lambda t: np.linalg.cholesky(t), a)  # finite differences on every entry, upper ones included
    close(tg.linalg.cholesky(Tensor(a), upper=True), np.swapaxes(np.linalg.cholesky(a), -1, -2))


@FEW
@given(a=matrices("symmetric"))
def test_eigh_values_vectors_and_gradients(a):
    w, v = np.linalg.eigh(Tensor(a))
    expected_w, expected_v = np.linalg.eigh(a)
    close(w, expected_w)
    close(v * v, expected_v * expected_v)  # columns are unique up to sign
    gradcheck(lambda t: np.linalg.eigh(t)[0], a)
    gradcheck(lambda t: np.linalg.eigh(t)[1] ** 2, a, rtol=1e-4, atol=1e-5)
    gradcheck(lambda t: np.linalg.eigvalsh(t), a)


def test_eigh_with_repeated_eigenvalues_has_a_finite_gradient_for_the_eigenvalues_only():
    a = np.diag([1.0, 1.0, 2.0])
    x = Tensor(a, requires_grad=True)
    np.linalg.eigh(x)[0].sum().backward()  # the trace: gradient I (lower-triangle convention: diagonal)
    assert np.allclose(x.grad.data, np.eye(3))
    y = Tensor(a, requires_grad=True)
    with np.errstate(all="ignore"):
        (np.linalg.eigh(y)[1] ** 3).sum().backward()  # the eigenvectors are not unique there
    assert not np.isfinite(y.grad.data).all()


@FEW
@given(a=matrices(square=False))
def test_svd_reduced_and_singular_values(a):
    u, s, vh = np.linalg.svd(Tensor(a), full_matrices=False)
    expected = np.linalg.svd(a, full_matrices=False)
    close(s, expected.S)
    close(u @ (s[..., None] * vh), a)
    gap = np.diff(expected.S, axis=-1)
    if (gap.size and np.abs(gap).min() < 0.05) or expected.S.min() < 0.05:
        return  # near-repeated or zero singular values: the vectors' derivatives blow up there
    gradcheck(lambda t: np.linalg.svd(t, compute_uv=False), a)
    gradcheck(lambda t: np.linalg.svd(t, full_matrices=False)[0] ** 2, a, rtol=1e-4, atol=1e-5)
    gradcheck(lambda t: np.linalg.svd(t, full_matrices=False)[2] ** 2, a, rtol=1e-4, atol=1e-5)


def test_svd_full_matrices_of_a_non_square_tensor_that_requires_grad_is_refused():
    x = Tensor(np.ones((3, 2)), requires_grad=True)
    with pytest.raises(ValueError, match="full_matrices=False"):
        np.linalg.svd(x)
    u, _, vh = np.linalg.svd(Tensor(np.ones((3, 2))))  # no graph: NumPy's full result
    assert u.shape == (3, 3) and vh.shape == (2, 2)


@FEW
@given(a=matrices(square=False))
def test_pinv(a):
    close(np.linalg.pinv(Tensor(a)), np.linalg.pinv(a))
    if np.linalg.svd(a, compute_uv=False).min() > 0.05:  # the rank holds nearby
        gradcheck(lambda t: np.linalg.pinv(t), a, rtol=1e-4, atol=1e-5)


NORMS = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]


@pytest.mark.parametrize("ord", NORMS, ids=[str(o) for o in NORMS])
@FEW
@given(a=matrices(square=False), data=st.data())
def test_matrix_norms_with_ord_and_axis(ord, a, data):
    a = a + 0.01 * np.arange(a.size).reshape(a.shape)  # no ties among the row and column sums
    if a.ndim == 2:
        close(np.linalg.norm(Tensor(a), ord), np.linalg.norm(a, ord))
    axes = data.draw(st.sampled_from([(-2, -1), (-1, -2)]))
    keepdims = data.draw(st.booleans())
    expected = np.linalg.norm(a, "fro" if ord is None else ord, axis=axes, keepdims=keepdims)
    close(np.linalg.norm(Tensor(a), ord, axis=axes, keepdims=keepdims), expected)
    singular = np.linalg.svd(a, compute_uv=False)
    if ord in (2, -2, "nuc") and (singular.min() < 0.05 or (np.diff(singular, axis=-1) > -0.05).any()):
        return
    gradcheck(lambda t: np.linalg.norm(t, ord, axis=axes, keepdims=keepdims), a, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("ord", [None, 1, 2, 3, np.inf, -np.inf])
def test_vector_norms_along_an_axis(ord):
    a = np.random.default_rng(2).standard_normal((3, 4))
    for axis in (0, -1):
        close(np.linalg.norm(Tensor(a), ord, axis=axis), np.linalg.norm(a, ord, axis=axis))
        gradcheck(lambda t, axis=axis: np.linalg.norm(t, ord, axis=axis), a)
    close(tg.linalg.vector_norm(Tensor(a), 3), np.linalg.norm(a.reshape(-1), 3))


@pytest.mark.parametrize("power", [-3, -1, 0, 1, 2, 5])
def test_matrix_power(power):
    a = np.random.default_rng(5).standard_normal((2, 3, 3)) + 2 * np.eye(3)
    close(np.linalg.matrix_power(Tensor(a), power), np.linalg.matrix_power(a, power))
    gradcheck(lambda t: np.linalg.matrix_power(t, power), a, rtol=1e-4)


def test_multi_dot_and_linalg_cross():
    rng = np.random.default_rng(6)
    a, b, c = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    close(np.linalg.multi_dot([Tensor(a), Tensor(b), Tensor(c)]), np.linalg.multi_dot([a, b, c]))
    u, v = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    close(tg.linalg.cross(Tensor(u), Tensor(v)), np.cross(u, v))


def test_det_of_a_singular_matrix_has_the_cofactor_matrix_as_gradient():
    x = Tensor([[1.0, 2.0], [2.0, 4.0]], dtype=np.float64, requires_grad=True)
    y = np.linalg.det(x)
    assert abs(y.item()) < 1e-12
    y.backward()
    np.testing.assert_allclose(x.grad.data, [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    z = Tensor(np.zeros((3, 3)), requires_grad=True)
    np.linalg.det(z).backward()
    assert np.array_equal(z.grad.data, np.zeros((3, 3)))  # rank 1 short of... all cofactors of 0 are 0


def test_det_gradient_is_the_cofactor_for_random_matrices():
    a = np.random.default_rng(9).standard_normal((2, 4, 4))
    x = Tensor(a, requires_grad=True)
    np.linalg.det(x).sum().backward()
    expected = np.linalg.det(a)[:, None, None] * np.swapaxes(np.linalg.inv(a), -1, -2)
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-10, atol=1e-12)


def test_singular_inputs_and_unsupported_forms_raise_with_messages():
    singular = Tensor([[1.0, 2.0], [2.0, 4.0]], dtype=np.float64, requires_grad=True)
    with pytest.raises(ValueError, match="inv"):
        np.linalg.inv(singular)
    _, logabsdet = np.linalg.slogdet(singular)
    with pytest.raises(ValueError, match="singular"):
        logabsdet.backward()
    with pytest.raises(ValueError, match="square"):
        tg.linalg.det(Tensor(np.ones((2, 3))))
    with pytest.raises(TypeError, match="eigh"):
        np.linalg.eig(Tensor(np.eye(2)))
    with pytest.raises(ValueError, match="positive definite"):
        np.linalg.cholesky(Tensor(-np.eye(2)))
    with pytest.raises(ValueError, match="norm order 3 for matrices"):
        tg.linalg.norm(Tensor(np.eye(2)), ord=3, dim=(0, 1))


def test_pytorch_spellings_of_linalg():
    a = np.random.default_rng(1).standard_normal((3, 3)) + 3 * np.eye(3)
    x = Tensor(a)
    close(x.inverse(), np.linalg.inv(a))
    close(x.det(), np.linalg.det(a))
    close(tg.det(x), np.linalg.det(a))
    close(x.matrix_power(2), a @ a)
    close(tg.linalg.matrix_norm(x, "nuc"), np.linalg.norm(a, "nuc"))
    close(tg.linalg.svdvals(x), np.linalg.svd(a, compute_uv=False))
    close(x.pinverse(), np.linalg.pinv(a))


@FEW
@given(a=matrices(square=False))
def test_qr_values_and_gradients_for_tall_and_square_matrices(a):
    q, r = np.linalg.qr(Tensor(a))
    expected_q, expected_r = np.linalg.qr(a)
    close(q, expected_q)
    close(r, expected_r)
    close(np.linalg.qr(Tensor(a), mode="r"), expected_r)
    if a.shape[-2] < a.shape[-1] or np.abs(np.diagonal(expected_r, 0, -2, -1)).min() < 0.05:
        return  # wide: no gradient rule; a tiny R diagonal: nearly rank-deficient
    gradcheck(lambda t: np.linalg.qr(t)[0], a, rtol=1e-4, atol=1e-5)
    gradcheck(lambda t: np.linalg.qr(t)[1], a, rtol=1e-4, atol=1e-5)


def test_qr_differentiates_twice_and_refuses_what_has_no_gradient():
    a = np.random.default_rng(8).standard_normal((4, 3))
    gradcheck(second_order(lambda t: tg.linalg.qr(t).Q + tg.linalg.qr(t).R.sum()), a, rtol=1e-4, atol=1e-5)
    wide = Tensor(np.ones((2, 3)) + np.eye(2, 3), requires_grad=True)
    with pytest.raises(ValueError, match="wide"):
        np.linalg.qr(wide)[0].sum().backward()
    with pytest.raises(ValueError, match="reduced"):
        np.linalg.qr(Tensor(a, requires_grad=True), mode="complete")
    q, r = np.linalg.qr(Tensor(a), mode="complete")
    assert q.shape == (4, 4) and r.shape == (4, 3)
