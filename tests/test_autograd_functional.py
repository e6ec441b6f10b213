"""autograd_functional against hand formulas, finite differences and each other:
``vjp = vᵀ J``, ``jvp = J v``, ``hvp = vhp = H v``, the nesting of Jacobians for several inputs and
outputs, ``create_graph`` results that differentiate again, and ``strict``."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import Tensor, gradcheck
from tinygrad_sm import autograd_functional as AF

rng = np.random.default_rng(7)
A = rng.standard_normal((3, 4))
X = rng.standard_normal(4)
Y = rng.standard_normal(3)


def two_in_two_out(x, y):
    return (Tensor(A) @ x) * y, (x * x).sum() + y.sin().sum()


def test_jacobian_of_a_linear_map_is_its_matrix():
    J = AF.jacobian(lambda x: Tensor(A) @ x, Tensor(X))
    np.testing.assert_allclose(J.detach().numpy(), A, rtol=1e-15)


def test_jacobian_nesting_for_several_inputs_and_outputs_matches_hand_formulas():
    (J00, J01), (J10, J11) = AF.jacobian(two_in_two_out, (Tensor(X), Tensor(Y)))
    assert J00.shape == (3, 4) and J01.shape == (3, 3) and J10.shape == (4,) and J11.shape == (3,)
    np.testing.assert_allclose(J00.detach().numpy(), A * Y[:, None], rtol=1e-14)
    np.testing.assert_allclose(J01.detach().numpy(), np.diag(A @ X), rtol=1e-14)
    np.testing.assert_allclose(J10.detach().numpy(), 2 * X, rtol=1e-14)
    np.testing.assert_allclose(J11.detach().numpy(), np.cos(Y), rtol=1e-14)


def test_vjp_and_jvp_agree_with_the_jacobian():
    (J00, J01), _ = AF.jacobian(two_in_two_out, (Tensor(X), Tensor(Y)))
    f = lambda x, y: two_in_two_out(x, y)[0]
    v_out = rng.standard_normal(3)
    out, (vx, vy) = AF.vjp(f, (Tensor(X), Tensor(Y)), Tensor(v_out))
    np.testing.assert_allclose(out.detach().numpy(), (A @ X) * Y)
    np.testing.assert_allclose(vx.detach().numpy(), v_out @ J00.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(vy.detach().numpy(), v_out @ J01.detach().numpy(), rtol=1e-13)
    tx, ty = rng.standard_normal(4), rng.standard_normal(3)
    _, Jv = AF.jvp(f, (Tensor(X), Tensor(Y)), (Tensor(tx), Tensor(ty)))
    np.testing.assert_allclose(Jv.detach().numpy(), J00.detach().numpy() @ tx + J01.detach().numpy() @ ty, rtol=1e-13)


def test_hessian_hvp_vhp_of_a_cubic():
    x = rng.standard_normal(4)
    f = lambda t: (t**3).sum() + (t[0] * t[1])
    H = np.diag(6 * x)
    H[0, 1] = H[1, 0] = 1.0
    np.testing.assert_allclose(AF.hessian(f, Tensor(x)).detach().numpy(), H, rtol=1e-14)
    v = rng.standard_normal(4)
    value, Hv = AF.hvp(f, Tensor(x), Tensor(v))
    np.testing.assert_allclose(value.item(), (x**3).sum() + x[0] * x[1])
    np.testing.assert_allclose(Hv.detach().numpy(), H @ v, rtol=1e-13)
    np.testing.assert_allclose(AF.vhp(f, Tensor(x), Tensor(v))[1].detach().numpy(), v @ H, rtol=1e-13)


def test_hessian_of_two_inputs_has_the_cross_blocks():
    f = lambda x, y: (x @ Tensor(A.T)) @ y  # x^T A^T y, bilinear
    (Hxx, Hxy), (Hyx, Hyy) = AF.hessian(f, (Tensor(X), Tensor(Y)))
    np.testing.assert_allclose(Hxy.detach().numpy(), A.T, rtol=1e-15)
    np.testing.assert_allclose(Hyx.detach().numpy(), A, rtol=1e-15)
    np.testing.assert_array_equal(Hxx.detach().numpy(), np.zeros((4, 4)))
    np.testing.assert_array_equal(Hyy.detach().numpy(), np.zeros((3, 3)))


def test_hessian_of_cross_entropy_is_diag_p_minus_p_p_transposed():
    z = rng.standard_normal(5)
    H = AF.hessian(lambda t: tg.functional.cross_entropy(t.reshape(1, 5), np.array([2])), Tensor(z))
    p = np.exp(z - z.max())
    p /= p.sum()
    np.testing.assert_allclose(H.detach().numpy(), np.diag(p) - np.outer(p, p), rtol=1e-12, atol=1e-15)


def test_create_graph_results_can_be_differentiated_again():
    f = lambda x: (x.sin() * x).sum()
    v = rng.standard_normal(4)

    def vjp_then(x):
        return AF.vjp(lambda t: t.sin() * t, x, Tensor(v), create_graph=True)[1]

    def jvp_then(x):
        return AF.jvp(lambda t: t.sin() * t, x, Tensor(v), create_graph=True)[1]

    def hvp_then(x):
        return AF.hvp(f, x, Tensor(v), create_graph=True)[1]

    def jacobian_then(x):
        return AF.jacobian(lambda t: t.sin() * t, x, create_graph=True)

    for fn in (vjp_then, jvp_then, hvp_then, jacobian_then):
        gradcheck(fn, X, name=fn.__name__)
    x = Tensor(X, requires_grad=True)
    assert AF.vjp(lambda t: t.exp(), x, Tensor(v), create_graph=True)[1].requires_grad
    assert not AF.vjp(lambda t: t.exp(), x, Tensor(v))[1].requires_grad


def test_results_without_create_graph_leave_the_inputs_grad_alone():
    x = Tensor(X, requires_grad=True)
    AF.jacobian(lambda t: t * 2, x)
    AF.hessian(lambda t: (t**3).sum(), x)
    assert x.grad is None


def test_unused_input_gives_zeros_or_raises_with_strict():
    f = lambda x, y: x * 2
    _, J_y = AF.jacobian(f, (Tensor(X), Tensor(Y)))
    np.testing.assert_array_equal(J_y.detach().numpy(), np.zeros((4, 3)))
    with pytest.raises(RuntimeError, match="does not depend on input 1"):
        AF.jacobian(f, (Tensor(X), Tensor(Y)), strict=True)
    _, Jv = AF.jvp(lambda x: Tensor(np.ones(2)), Tensor(X), Tensor(X))
    np.testing.assert_array_equal(Jv.detach().numpy(), np.zeros(2))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="vector 0 has shape"):
        AF.vjp(lambda x: x * 2, Tensor(X), Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="v may be omitted only"):
        AF.jvp(lambda x: x * 2, Tensor(X))
    with pytest.raises(ValueError, match="single-element tensor"):
        AF.hessian(lambda x: x * 2, Tensor(X))
    with pytest.raises(TypeError, match="floating point"):
        AF.jacobian(lambda x: x * 2, Tensor(np.arange(3)))


def test_reachable_under_the_pytorch_path():
    assert tg.autograd.functional.jacobian is AF.jacobian
