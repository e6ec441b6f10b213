"""Specifications of the breadth ops: gradients in float64 against finite differences over shapes drawn
by hypothesis, second derivatives of the new primitives, the edge cases PyTorch defines (zeros, ties,
boundaries), the NumPy spellings, and the errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SETTINGS, arrays, distinct_arrays, positive_arrays, shapes

import tinygrad_sm as tg
from tinygrad_sm import Tensor, gradcheck, ops

FEW = settings(SETTINGS, max_examples=15)


def grad_of(fn, *arrays_):
    leaves = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays_]
    fn(*leaves).sum().backward()
    return [leaf.grad.detach().numpy() for leaf in leaves]


# ---------------------------------------------------------------- elementwise primitives

UNARY = {
    "sin": (lambda x: x.sin(), arrays),
    "cos": (lambda x: x.cos(), arrays),
    "log1p": (lambda x: x.log1p(), positive_arrays),
    "expm1": (lambda x: x.expm1(), arrays),
    "erf": (lambda x: x.erf(), arrays),
    "log2": (lambda x: x.log2(), positive_arrays),
    "log10": (lambda x: x.log10(), positive_arrays),
    "square": (lambda x: x.square(), arrays),
    "reciprocal": (lambda x: x.reciprocal(), positive_arrays),
    "neg": (lambda x: x.neg(), arrays),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@FEW
@given(data=st.data())
def test_unary_gradient_matches_finite_differences(name, data):
    fn, values = UNARY[name]
    x = data.draw(values(shapes()))
    gradcheck(fn, x, name=name)


@pytest.mark.parametrize("name", ["sin", "cos", "log1p", "expm1", "erf", "log2", "log10"])
def test_new_primitives_are_differentiable_twice(name):
    fn, _ = UNARY[name]
    x = np.array([0.7, 1.3, 2.1])

    def first_derivative(leaf):
        (g,) = tg.grad(fn(leaf).sum(), leaf, create_graph=True)
        return g

    gradcheck(first_derivative, x, name=f"d/dx {name}")


def test_hand_formulas_of_the_elementwise_rules():
    x = np.array([0.3, 1.1, 2.5])
    np.testing.assert_allclose(grad_of(lambda t: t.sin(), x)[0], np.cos(x), rtol=1e-15)
    np.testing.assert_allclose(grad_of(lambda t: t.erf(), x)[0], 2 / np.sqrt(np.pi) * np.exp(-x * x), rtol=1e-15)
    np.testing.assert_allclose(grad_of(lambda t: t.log2(), x)[0], 1 / (x * np.log(2)), rtol=1e-15)


def test_log2_and_log10_are_exact_at_powers():
    assert Tensor(np.array([8.0, 1024.0])).log2().tolist() == [3.0, 10.0]
    assert Tensor(np.array([1000.0, 1e-3])).log10().tolist() == [3.0, -3.0]


def test_erf_keeps_float32():
    assert Tensor(np.ones(3, np.float32)).erf().dtype == np.float32


@FEW
@given(st.data())
def test_logaddexp_gradient_and_no_overflow(data):
    a = data.draw(arrays(shapes(max_dims=2), -3, 3))
    b = data.draw(arrays(st.just(a.shape), -3, 3))
    gradcheck(tg.logaddexp, a, b)
    big = tg.logaddexp(Tensor(np.array([1000.0])), Tensor(np.array([1000.0])))
    np.testing.assert_allclose(big.detach().numpy(), 1000 + np.log(2))
    assert tg.logaddexp(Tensor(np.array([-np.inf])), -np.inf).detach().numpy()[0] == -np.inf


# ---------------------------------------------------------------- clamp and sign


def test_clamp_gradient_is_one_inside_and_on_the_boundary_zero_outside():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_array_equal(grad_of(lambda t: t.clamp(-1, 1), x)[0], [0, 1, 1, 1, 0])
    np.testing.assert_array_equal(Tensor(x).clamp(-1, 1).detach().numpy(), [-1, -1, 0, 1, 1])


def test_clamp_with_min_above_max_gives_max_and_needs_a_bound():
    np.testing.assert_array_equal(Tensor(np.array([0.0, 5.0])).clamp(2, 1).detach().numpy(), [1, 1])
    with pytest.raises(ValueError, match="at least one"):
        Tensor(np.zeros(2)).clamp()


def test_clip_spellings_and_np_clip():
    x = Tensor(np.array([-3.0, 0.5, 3.0]))
    np.testing.assert_array_equal(np.clip(x, -1, 1).detach().numpy(), [-1, 0.5, 1])
    np.testing.assert_array_equal(x.clip(min=0).detach().numpy(), [0, 0.5, 3])


def test_sign_has_zero_gradient_and_keeps_the_graph():
    x = Tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
    s = x.sign()
    np.testing.assert_array_equal(s.detach().numpy(), [-1, 0, 1])
    s.sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [0, 0, 0])


# ---------------------------------------------------------------- reductions


@FEW
@given(st.data())
def test_var_std_gradients_and_values_over_axes(data):
    x = data.draw(arrays(shapes(min_dims=1, min_side=2)))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    correction = data.draw(st.sampled_from([0, 1]))
    got = Tensor(x).var(axis, correction=correction)
    np.testing.assert_allclose(got.detach().numpy(), x.var(axis=axis, ddof=correction), rtol=1e-12, atol=1e-14)
    gradcheck(lambda t: t.var(axis, correction=correction), x)
    if np.all(x.std(axis=axis) > 1e-3):
        gradcheck(lambda t: t.std(dim=axis, keepdim=True), x)


def test_var_spellings():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(x.var(dim=1, unbiased=False).detach().numpy(), np.arange(6.0).reshape(2, 3).var(axis=1))
    np.testing.assert_allclose(np.var(x, axis=1).detach().numpy(), np.arange(6.0).reshape(2, 3).var(axis=1))  # ddof=0
    np.testing.assert_allclose(np.std(x, ddof=1).detach().numpy(), np.arange(6.0).std(ddof=1))
    with pytest.raises(TypeError, match="either correction= or unbiased="):
        x.var(0, unbiased=True, correction=1)
    with pytest.raises(TypeError, match="dim= or axis="):
        x.var(dim=0, axis=0)
    assert np.isnan(Tensor(np.array([1.0])).var().item())  # one element, correction 1: nan as in PyTorch


@FEW
@given(st.data())
def test_prod_gradient_over_axes(data):
    x = data.draw(arrays(shapes(), -2, 2))
    axis = data.draw(st.none() | st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1)) if x.ndim else None
    gradcheck(lambda t: t.prod(axis), x)
    np.testing.assert_allclose(Tensor(x).prod(axis).detach().numpy(), np.prod(x, axis=axis), rtol=1e-12)


def test_prod_gradient_with_zeros_is_exact():
    np.testing.assert_array_equal(grad_of(lambda t: t.prod(), [2.0, 0.0, 3.0])[0], [0, 6, 0])
    np.testing.assert_array_equal(grad_of(lambda t: t.prod(), [0.0, 2.0, 0.0])[0], [0, 0, 0])
    np.testing.assert_array_equal(
        grad_of(lambda t: t.prod(axis=(0, 1)), [[2.0, 0.0], [5.0, 3.0]])[0], [[0, 30], [0, 0]]
    )


def test_prod_second_derivative_through_zeros():
    x = Tensor(np.array([0.0, 2.0, 3.0]), requires_grad=True)
    (g,) = tg.grad(x.prod(), x, create_graph=True)
    np.testing.assert_array_equal(g.detach().numpy(), [6, 0, 0])
    hessian = tg.autograd_functional.hessian(lambda t: t.prod(), x)
    np.testing.assert_array_equal(hessian.detach().numpy(), [[0, 3, 2], [3, 0, 0], [2, 0, 0]])


@FEW
@given(st.data())
def test_cumsum_and_cumprod_gradients(data):
    x = data.draw(arrays(shapes(min_dims=1), -1.5, 1.5))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    gradcheck(lambda t: t.cumsum(axis), x)
    gradcheck(lambda t: t.cumprod(dim=axis), x)
    np.testing.assert_allclose(Tensor(x).cumprod(axis).detach().numpy(), np.cumprod(x, axis=axis), rtol=1e-12)
    np.testing.assert_allclose(np.cumsum(Tensor(x)).detach().numpy(), np.cumsum(x), rtol=1e-12)


def test_cumsum_differentiable_twice():
    x = np.array([0.5, 1.5, -1.0])
    gradcheck(lambda t: tg.grad((t.cumsum(0) ** 3).sum(), t, create_graph=True)[0], x)


@FEW
@given(st.data())
def test_norm_gradients(data):
    x = data.draw(arrays(shapes(min_dims=1), -2, 2).filter(lambda a: np.all(np.abs(a) > 0.05)))
    p = data.draw(st.sampled_from([1, 2, 3, "fro"]))
    gradcheck(lambda t: t.norm(p), x)
    expected = np.linalg.norm(x.reshape(-1), 2 if p == "fro" else p)
    np.testing.assert_allclose(Tensor(x).norm(p).detach().numpy(), expected, rtol=1e-12)


def test_norm_gradient_at_zero_is_zero_as_pytorch_defines_it():
    for p in (1, 2, 3, float("inf"), "fro"):
        g = grad_of(lambda t, p=p: t.norm(p), np.zeros(4))[0]
        np.testing.assert_array_equal(g, np.zeros(4), err_msg=f"p={p}")


def test_norm_inf_splits_ties_and_np_linalg_norm_dispatches():
    np.testing.assert_allclose(grad_of(lambda t: t.norm(np.inf), [1.0, -3.0, 3.0])[0], [0, -0.5, 0.5])
    x = Tensor(np.array([[3.0, 4.0]]))
    np.testing.assert_allclose(np.linalg.norm(x).detach().numpy(), 5.0)
    np.testing.assert_allclose(np.linalg.norm(x, ord=1, axis=1).detach().numpy(), [7.0])
    with pytest.raises(ValueError, match="not supported"):
        x.norm("nuc")


def test_amax_amin_split_ties_evenly():
    x = [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]
    np.testing.assert_allclose(grad_of(lambda t: t.amax(1), x)[0], [[0, 0.5, 0.5], [1 / 3] * 3])
    np.testing.assert_allclose(grad_of(lambda t: t.amin(dim=0), x)[0], [[1, 0, 0], [0, 1, 1]])
    np.testing.assert_allclose(np.min(Tensor(np.array(x)), axis=1).detach().numpy(), [1.0, 2.0])


# ---------------------------------------------------------------- order


@FEW
@given(st.data())
def test_sort_and_topk_route_gradients_to_where_values_came_from(data):
    x = data.draw(distinct_arrays(shapes(min_dims=1)))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    descending = data.draw(st.booleans())
    values, indices = Tensor(x).sort(axis, descending=descending)
    expected = np.sort(x, axis=axis)
    np.testing.assert_array_equal(values.detach().numpy(), np.flip(expected, axis) if descending else expected)
    np.testing.assert_array_equal(np.take_along_axis(x, indices, axis), values.detach().numpy())
    gradcheck(
        lambda t: (
            t.sort(axis, descending=descending).values
            * np.arange(1.0, x.shape[axis] + 1).reshape([-1 if d == axis % x.ndim else 1 for d in range(x.ndim)])
        ),
        x,
    )
    k = data.draw(st.integers(0, x.shape[axis]))
    top = Tensor(x).topk(k, axis)
    np.testing.assert_array_equal(
        top.values.detach().numpy(), np.take(np.flip(expected, axis), np.arange(k), axis=axis)
    )
    gradcheck(lambda t: t.topk(k, axis, largest=False).values, x)


def test_sort_is_stable_and_puts_nan_last_ascending_first_descending():
    x = Tensor(np.array([2.0, np.nan, 1.0, 2.0]))
    assert x.sort().indices.tolist() == [2, 0, 3, 1]
    assert x.sort(descending=True).indices.tolist() == [1, 0, 3, 2]
    with pytest.raises(ValueError, match="k=5"):
        x.topk(5)


# ---------------------------------------------------------------- indexing


@FEW
@given(st.data())
def test_gather_scatter_add_index_select_gradients(data):
    x = data.draw(arrays(shapes(min_dims=1, max_dims=3)))
    axis = data.draw(st.integers(0, x.ndim - 1))
    index_shape = tuple(data.draw(st.integers(1, n)) for n in x.shape)
    index = data.draw(
        st.lists(
            st.integers(0, x.shape[axis] - 1), min_size=int(np.prod(index_shape)), max_size=int(np.prod(index_shape))
        )
    )
    index = np.array(index).reshape(index_shape)
    gradcheck(lambda t: t.gather(axis, index), x)
    src = data.draw(arrays(st.just(index_shape)))
    gradcheck(lambda t, s: t.scatter_add(axis, index, s), x, src)
    expected = x.copy()
    np.add.at(expected, tuple(index if d == axis else np.indices(index_shape)[d] for d in range(x.ndim)), src)
    np.testing.assert_allclose(Tensor(x).scatter_add(axis, index, Tensor(src)).detach().numpy(), expected)
    rows = index.reshape(-1)[:3]
    gradcheck(lambda t: t.index_select(axis, rows), x)


def test_scatter_overwrites_passes_no_gradient_there_and_refuses_duplicates():
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    src = Tensor(np.array([[1.0, 2.0, 3.0]]), requires_grad=True)
    out = x.scatter(0, np.array([[1, 0, 1]]), src)
    np.testing.assert_array_equal(out.detach().numpy(), [[0, 2, 0], [1, 0, 3]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [[1, 0, 1], [0, 1, 0]])
    np.testing.assert_array_equal(src.grad.detach().numpy(), [[1, 1, 1]])
    with pytest.raises(ValueError, match="same position more than once"):
        x.detach().scatter(1, np.array([[0, 0], [1, 2]]), value=5.0)
    np.testing.assert_array_equal(
        Tensor(np.zeros((1, 3))).scatter(1, np.array([[2]]), value=7.0).detach().numpy(), [[0, 0, 7]]
    )


def test_index_errors_name_the_problem():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match="index 3 is out of range for dim 1 of size 3"):
        x.gather(1, np.array([[3], [0]]))
    with pytest.raises(TypeError, match="integers"):
        x.index_select(0, np.array([0.5]))
    with pytest.raises(TypeError, match="boolean"):
        x.masked_fill(np.ones((2, 3)), 0.0)
    with pytest.raises(ValueError, match="does not broadcast"):
        x.masked_fill(np.ones((3, 3), bool), 0.0)


def test_masked_fill_gradient_and_tensor_value():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    value = Tensor(np.array(5.0), requires_grad=True)
    mask = np.array([[True, False], [False, False]])
    x.masked_fill(mask, value).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [[0, 1], [1, 1]])
    assert value.grad.item() == 1.0


def test_boolean_mask_getitem_gradient_and_setitem_under_no_grad():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    mask = x.detach().numpy() > 2.5
    picked = x[mask]
    np.testing.assert_array_equal(picked.detach().numpy(), [3, 4, 5])
    (picked * np.array([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [[0, 0, 0], [1, 2, 3]])
    with pytest.raises(RuntimeError, match="in-place"):
        x[mask] = 0.0
    with tg.no_grad():
        x[mask] = 0.0
        x[Tensor(np.array([True, False]))] = -1.0
    np.testing.assert_array_equal(x.detach().numpy(), [[-1, -1, -1], [0, 0, 0]])


@FEW
@given(st.data())
def test_take_along_axis_matches_numpy(data):
    x = data.draw(arrays(shapes(min_dims=1)))
    axis = data.draw(st.integers(0, x.ndim - 1))
    index = np.argsort(x, axis=axis)
    np.testing.assert_array_equal(
        np.take_along_axis(Tensor(x), index, axis).detach().numpy(), np.take_along_axis(x, index, axis)
    )
    gradcheck(lambda t: tg.take_along_axis(t, index, axis), x)


# ---------------------------------------------------------------- shape


@FEW
@given(st.data())
def test_shape_ops_match_numpy_and_pass_gradients(data):
    x = data.draw(arrays(shapes(min_dims=1)))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    reps = tuple(data.draw(st.lists(st.integers(1, 3), min_size=x.ndim, max_size=x.ndim + 1)))
    np.testing.assert_array_equal(Tensor(x).tile(reps).detach().numpy(), np.tile(x, reps))
    np.testing.assert_array_equal(Tensor(x).repeat(*reps).detach().numpy(), np.tile(x, reps))
    gradcheck(lambda t: t.repeat(reps), x)
    shift = data.draw(st.integers(-5, 5))
    np.testing.assert_array_equal(Tensor(x).roll(shift, axis).detach().numpy(), np.roll(x, shift, axis))
    np.testing.assert_array_equal(np.roll(Tensor(x), shift).detach().numpy(), np.roll(x, shift))
    gradcheck(lambda t: t.roll(shift, axis) * np.arange(x.size).reshape(x.shape), x)
    np.testing.assert_array_equal(Tensor(x).flip(axis).detach().numpy(), np.flip(x, axis))
    gradcheck(lambda t: t.flip(axis) * np.arange(x.size).reshape(x.shape), x)
    size = data.draw(st.integers(1, 4))
    pieces = Tensor(x).split(size, axis)
    np.testing.assert_array_equal(np.concatenate([p.detach().numpy() for p in pieces], axis), x)
    assert all(p.shape[axis] <= size for p in pieces)
    chunks = data.draw(st.integers(1, 4))
    assert len(Tensor(x).chunk(chunks, axis)) <= chunks


@FEW
@given(st.data())
def test_pad_modes_match_numpy(data):
    x = data.draw(arrays(shapes(min_dims=1, min_side=2)))
    left, right = data.draw(st.integers(0, x.shape[-1] - 1)), data.draw(st.integers(0, x.shape[-1] - 1))
    for mode, np_mode in (("constant", "constant"), ("reflect", "reflect"), ("replicate", "edge")):
        got = tg.pad(Tensor(x), (left, right), mode=mode)
        widths = [(0, 0)] * (x.ndim - 1) + [(left, right)]
        np.testing.assert_array_equal(got.detach().numpy(), np.pad(x, widths, mode=np_mode))
        gradcheck(lambda t, mode=mode: tg.pad(t, (left, right), mode=mode) ** 2, x)


def test_pad_errors_and_cropping():
    x = Tensor(np.arange(4.0).reshape(1, 4))
    np.testing.assert_array_equal(tg.pad(x, (-1, -1)).detach().numpy(), [[1, 2]])
    with pytest.raises(ValueError, match="smaller than the size"):
        tg.pad(x, (4, 0), mode="reflect")
    with pytest.raises(ValueError, match="mode must be"):
        tg.pad(x, (1, 1), mode="circular")


def test_squeeze_unsqueeze_flatten_view():
    x = Tensor(np.zeros((1, 3, 1, 2)))
    assert x.squeeze().shape == (3, 2)
    assert x.squeeze(1).shape == (1, 3, 1, 2)  # PyTorch leaves a dim that is not 1 alone
    assert x.squeeze((0, 2)).shape == (3, 2)
    with pytest.raises(ValueError, match="size not equal to one"):
        np.squeeze(x, axis=1)  # NumPy refuses
    assert np.squeeze(x).shape == (3, 2)
    assert x.unsqueeze(-1).shape == (1, 3, 1, 2, 1)
    assert np.expand_dims(x, (0, -1)).shape == (1, 1, 3, 1, 2, 1)
    assert x.flatten(1, 2).shape == (1, 3, 2) and x.flatten().shape == (6,)
    assert Tensor(np.float64(2.0)).flatten().shape == (1,)
    assert x.view(3, 2).shape == (3, 2) and x.view((6,)).shape == (6,) and x.view(-1).shape == (6,)
    assert np.ravel(x).shape == (6,)
    with pytest.raises(ValueError, match="start_dim"):
        x.flatten(2, 1)
    with pytest.raises(IndexError, match="out of range"):
        x.unsqueeze(6)


def test_narrow_split_errors():
    x = Tensor(np.zeros((2, 5)))
    assert x.narrow(1, -2, 2).shape == (2, 2)
    with pytest.raises(ValueError, match="exceeds"):
        x.narrow(1, 3, 3)
    with pytest.raises(ValueError, match="add up to 5"):
        x.split([2, 2], 1)
    with pytest.raises(ValueError, match="at least 2"):
        x.repeat(2)


# ---------------------------------------------------------------- einsum and friends


@st.composite
def einsum_cases(draw):
    """A random einsum: 1-3 operands over letters a-e with sizes 1-3, repeated letters (diagonals),
    letters only one operand has, implicit or explicit outputs (any order, maybe a scalar)."""
    sizes = {c: draw(st.integers(1, 3)) for c in "abcde"}
    n_operands = draw(st.integers(1, 3))
    terms = [draw(st.lists(st.sampled_from("abcde"), min_size=0, max_size=3)) for _ in range(n_operands)]
    used = sorted({c for t in terms for c in t})
    if draw(st.booleans()):
        output = draw(st.permutations(used)) if used else []
        output = output[: draw(st.integers(0, len(output)))]
        spec = ",".join("".join(t) for t in terms) + "->" + "".join(output)
    else:
        spec = ",".join("".join(t) for t in terms)
    operands = [draw(arrays(st.just(tuple(sizes[c] for c in t)))) for t in terms]
    return spec, operands


@settings(SETTINGS, max_examples=60)
@given(einsum_cases())
def test_einsum_over_random_subscripts_matches_numpy_and_finite_differences(case):
    spec, operands = case
    got = np.einsum(spec, *[Tensor(o) for o in operands])
    np.testing.assert_allclose(got.detach().numpy(), np.einsum(spec, *operands), rtol=1e-12, atol=1e-12)
    gradcheck(lambda *ts: tg.einsum(spec, *ts), *operands, name=f"einsum {spec!r}")


def test_einsum_second_derivative_and_ellipsis():
    a, b = np.random.default_rng(0).standard_normal((2, 3, 3)), np.random.default_rng(1).standard_normal((3, 4))
    gradcheck(lambda x: tg.grad((tg.einsum("...ij,jk->...ik", x, Tensor(b)) ** 2).sum(), x, create_graph=True)[0], a)
    gradcheck(lambda x: tg.einsum("bii->b", x * x), a)


def test_einsum_errors():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="names 3 dimensions but operand 0 has shape"):
        tg.einsum("ijk", x)
    with pytest.raises(ValueError, match="size 3 and 2"):
        tg.einsum("ij,jk", x, x)
    with pytest.raises(ValueError, match="names 1 operands, got 2"):
        tg.einsum("ij", x, x)
    with pytest.raises(ValueError, match="output index 'z'"):
        tg.einsum("ij->z", x)


@FEW
@given(st.data())
def test_tensordot_dot_outer_match_numpy(data):
    a = data.draw(arrays(shapes(min_dims=1, max_dims=3)))
    k = data.draw(st.integers(0, a.ndim))
    b = data.draw(arrays(st.just((*a.shape[a.ndim - k :], 2))))
    np.testing.assert_allclose(
        np.tensordot(Tensor(a), Tensor(b), k).detach().numpy(), np.tensordot(a, b, k), rtol=1e-12, atol=1e-12
    )
    gradcheck(lambda x, y: tg.tensordot(x, y, k), a, b)
    c = data.draw(arrays(st.just((*a.shape[-1:], 3))))
    np.testing.assert_allclose(np.dot(Tensor(a), Tensor(c)).detach().numpy(), np.dot(a, c), rtol=1e-12, atol=1e-12)
    gradcheck(lambda x, y: np.dot(x, y), a, c)
    np.testing.assert_allclose(np.outer(Tensor(a), Tensor(c)).detach().numpy(), np.outer(a, c))


# ---------------------------------------------------------------- the table


def test_methods_come_from_one_table_and_numpy_dispatch_keeps_the_graph():
    from tinygrad_sm import methods

    for entry in methods.TABLE:
        if entry.method:
            assert getattr(Tensor, entry.name) is entry.impl, entry.name
        if entry.function and not entry.namespace:
            function = getattr(tg, entry.name)  # (the table wraps it to take input= and out=, as torch.<op>)
            assert getattr(function, "__wrapped__", function) is entry.impl, entry.name
    x = Tensor(np.array([0.5, 1.0]), requires_grad=True)
    for ufunc in (np.sin, np.cos, np.log1p, np.expm1, np.log2, np.log10, np.square, np.reciprocal):
        assert ufunc(x).requires_grad, ufunc.__name__
    assert np.minimum(x, 0.7).tolist() == [0.5, 0.7]
    assert np.prod(x).item() == 0.5 and np.cumprod(x).tolist() == [0.5, 0.5]


def test_installing_a_method_twice_under_another_definition_is_an_error(monkeypatch):
    from tinygrad_sm import methods

    monkeypatch.setattr(methods, "TABLE", [*methods.TABLE, methods.Entry("reshape", lambda x: x, function=False)])
    with pytest.raises(RuntimeError, match=r"Tensor\.reshape is defined twice"):
        methods.install()


def test_new_primitives_are_in_the_ops_table():
    names = {name for _, name, _, _ in ops.rules()}
    assert {"Sin", "Cos", "Log1p", "Expm1", "Erf", "Log2", "Log10", "Prod", "Cumsum", "Flip", "Einsum"} <= names


@FEW
@given(st.data())
def test_clamp_gradient_away_from_the_bounds(data):
    x = data.draw(distinct_arrays(shapes()))  # a 0.1 grid: the bounds +-0.55 are 0.05 away from every value
    gradcheck(lambda t: t.clamp(-0.55, 0.55) * 3, x)
    np.testing.assert_array_equal(Tensor(x).clamp(-0.55, 0.55).detach().numpy(), np.clip(x, -0.55, 0.55))


@FEW
@given(st.data())
def test_reshaping_and_slicing_composites_pass_gradients(data):
    """squeeze, unsqueeze, flatten, view, narrow, split, chunk and masked_fill over drawn shapes."""
    x = data.draw(arrays(shapes(min_dims=1)))
    axis = data.draw(st.integers(0, x.ndim - 1))
    weights = np.arange(1.0, x.size + 1).reshape(x.shape)
    gradcheck(lambda t: t.unsqueeze(axis).squeeze() * weights.squeeze(), x)
    gradcheck(lambda t: t.flatten(axis) * weights.reshape((*weights.shape[:axis], -1)), x)
    gradcheck(lambda t: t.view(-1) * weights.reshape(-1), x)
    n = x.shape[axis]
    start = data.draw(st.integers(0, n - 1))
    gradcheck(lambda t: t.narrow(axis, start, n - start) ** 2, x)
    gradcheck(lambda t: tg.concatenate([p * (k + 1) for k, p in enumerate(t.chunk(2, axis))], axis), x)
    gradcheck(lambda t: tg.concatenate([p * (k + 1) for k, p in enumerate(t.split(1, axis))], axis), x)
    mask = data.draw(
        st.lists(st.booleans(), min_size=x.size, max_size=x.size).map(lambda bits: np.array(bits).reshape(x.shape))
    )
    gradcheck(lambda t: t.masked_fill(mask, 0.5) * weights, x)
