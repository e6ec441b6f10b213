"""Specification of the primitives: each one computes what NumPy computes, and its backward rule
agrees with central finite differences (``tinygrad_sm.gradcheck``) over hypothesis-drawn shapes,
broadcasting in both directions, and Python scalars or NumPy arrays on either side of an operator."""

from __future__ import annotations

import operator
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    SETTINGS,
    arrays,
    away_from_zero_arrays,
    axis_arguments,
    basic_indices,
    boolean_masks,
    broadcastable_shapes,
    concatenation_shapes,
    distinct_arrays,
    integer_array_indices,
    interleaved_arrays,
    matmul_shapes,
    positive_arrays,
    shapes,
)

import tinygrad_sm as tg
from tinygrad_sm import GradcheckError, Tensor, gradcheck, ops


def assert_matches_numpy_and_finite_differences(fn, reference, *inputs, **gradcheck_options):
    """``fn`` on float64 tensors gives ``reference`` on the arrays, and its gradient passes gradcheck."""
    tensors = [Tensor(np.array(value, dtype=np.float64)) for value in inputs]
    result = fn(*tensors)
    assert isinstance(result, Tensor)
    np.testing.assert_allclose(result.detach().numpy(), reference(*inputs), rtol=1e-12, atol=1e-12)
    assert gradcheck(fn, *inputs, **gradcheck_options)


def leaf(values, dtype=np.float64) -> Tensor:
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


# ---------------------------------------------------------------- elementwise, two inputs, broadcasting


@SETTINGS
@given(st.data())
def test_add_broadcasts_both_ways_and_passes_gradcheck(data):
    left, right = data.draw(broadcastable_shapes())
    a, b = data.draw(arrays(left)), data.draw(arrays(right))
    assert_matches_numpy_and_finite_differences(lambda x, y: x + y, np.add, a, b)


@SETTINGS
@given(st.data())
def test_sub_broadcasts_both_ways_and_passes_gradcheck(data):
    left, right = data.draw(broadcastable_shapes())
    a, b = data.draw(arrays(left)), data.draw(arrays(right))
    assert_matches_numpy_and_finite_differences(lambda x, y: x - y, np.subtract, a, b)


@SETTINGS
@given(st.data())
def test_mul_broadcasts_both_ways_and_passes_gradcheck(data):
    left, right = data.draw(broadcastable_shapes())
    a, b = data.draw(arrays(left)), data.draw(arrays(right))
    assert_matches_numpy_and_finite_differences(lambda x, y: x * y, np.multiply, a, b)


@SETTINGS
@given(st.data())
def test_truediv_broadcasts_both_ways_and_passes_gradcheck(data):
    left, right = data.draw(broadcastable_shapes())
    a, b = data.draw(arrays(left)), data.draw(positive_arrays(right))
    assert_matches_numpy_and_finite_differences(lambda x, y: x / y, np.true_divide, a, b)


@SETTINGS
@given(st.data())
def test_pow_with_tensor_exponent_broadcasts_and_passes_gradcheck(data):
    left, right = data.draw(broadcastable_shapes())
    base, exponent = data.draw(positive_arrays(left)), data.draw(arrays(right))
    assert_matches_numpy_and_finite_differences(lambda x, y: x**y, np.power, base, exponent)


@SETTINGS
@given(positive_arrays(shapes()), st.sampled_from([-2, -1, -0.5, 0.5, 1, 1.5, 2, 3]))
def test_pow_with_scalar_exponent_passes_gradcheck(base, exponent):
    assert_matches_numpy_and_finite_differences(lambda x: x**exponent, lambda x: x**exponent, base)


@SETTINGS
@given(arrays(shapes()), st.sampled_from([2, 3]))
def test_pow_with_integer_exponent_is_differentiable_at_negative_bases(base, exponent):
    assert_matches_numpy_and_finite_differences(lambda x: x**exponent, lambda x: x**exponent, base)


@SETTINGS
@given(st.data())
def test_maximum_broadcasts_both_ways_and_passes_gradcheck(data):
    left, right = data.draw(broadcastable_shapes())
    left_is_upper = data.draw(st.booleans())
    a = data.draw(interleaved_arrays(left, upper=left_is_upper))
    b = data.draw(interleaved_arrays(right, upper=not left_is_upper))
    assert_matches_numpy_and_finite_differences(tg.maximum, np.maximum, a, b)


@SETTINGS
@given(st.data())
def test_where_broadcasts_condition_and_branches_and_passes_gradcheck(data):
    condition_shape, left, right = data.draw(broadcastable_shapes(count=3))
    condition = data.draw(boolean_masks(condition_shape))
    a, b = data.draw(arrays(left)), data.draw(arrays(right))
    assert_matches_numpy_and_finite_differences(
        lambda x, y: tg.where(condition, x, y), lambda x, y: np.where(condition, x, y), a, b
    )


def test_where_sends_no_gradient_to_the_unselected_branch():
    a, b = leaf([1.0, 2.0, 3.0]), leaf([10.0, 20.0, 30.0])
    tg.where(np.array([True, False, True]), a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.detach().numpy(), [1, 0, 1])
    np.testing.assert_array_equal(b.grad.detach().numpy(), [0, 1, 0])


# ---------------------------------------------------------------- elementwise, one input


@SETTINGS
@given(arrays(shapes()))
def test_neg_passes_gradcheck(values):
    assert_matches_numpy_and_finite_differences(lambda x: -x, np.negative, values)


@SETTINGS
@given(arrays(shapes()))
def test_exp_passes_gradcheck(values):
    assert_matches_numpy_and_finite_differences(lambda x: x.exp(), np.exp, values)


@SETTINGS
@given(positive_arrays(shapes()))
def test_log_passes_gradcheck(values):
    assert_matches_numpy_and_finite_differences(lambda x: x.log(), np.log, values)


@SETTINGS
@given(positive_arrays(shapes()))
def test_sqrt_passes_gradcheck(values):
    assert_matches_numpy_and_finite_differences(lambda x: x.sqrt(), np.sqrt, values)


@SETTINGS
@given(away_from_zero_arrays(shapes()))
def test_relu_passes_gradcheck_away_from_zero(values):
    assert_matches_numpy_and_finite_differences(lambda x: x.relu(), lambda x: np.maximum(x, 0), values)


def test_relu_gradient_at_exactly_zero_is_zero():
    x = leaf([-1.0, 0.0, 2.0])
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [0, 0, 1])


@SETTINGS
@given(arrays(shapes(), -6.0, 6.0))
def test_sigmoid_passes_gradcheck(values):
    assert_matches_numpy_and_finite_differences(lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), values)


def test_sigmoid_of_huge_magnitudes_saturates_without_overflow_warnings():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        out = Tensor(np.array([-1000.0, 0.0, 1000.0])).sigmoid()
    np.testing.assert_array_equal(out.detach().numpy(), [0.0, 0.5, 1.0])


@SETTINGS
@given(arrays(shapes(), -3.0, 3.0))
def test_tanh_passes_gradcheck(values):
    assert_matches_numpy_and_finite_differences(lambda x: x.tanh(), np.tanh, values)


@SETTINGS
@given(arrays(shapes()))
def test_astype_round_trip_through_float32_passes_gradcheck(values):
    # float32 rounding needs a coarser step and tolerance than the float64 default
    assert gradcheck(lambda x: x.astype(np.float32).astype(np.float64) * 3, values, eps=1e-3, atol=1e-3, rtol=1e-3)


def test_astype_sends_gradient_back_in_the_source_dtype():
    x = leaf([1.0, 2.0], dtype=np.float32)
    y = x.astype(np.float64)
    assert y.dtype == np.float64
    (y * 2).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.detach().numpy(), [2, 2])


def test_astype_to_an_integer_dtype_is_not_differentiable():
    """Rounding to integers is piecewise constant: the cast result must not require grad (PyTorch
    semantics), and so d/dx [int(x) * x] is int(x), not int(x) + x."""
    x = leaf([1.5, 2.5])
    rounded = x.astype(np.int64)
    assert not rounded.requires_grad
    (rounded.astype(np.float64) * x).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [1, 2])


# ---------------------------------------------------------------- reductions


@SETTINGS
@given(st.data())
def test_sum_over_any_axis_argument_passes_gradcheck(data):
    values = data.draw(arrays(shapes()))
    axis, keepdims = data.draw(axis_arguments(values.ndim))
    assert_matches_numpy_and_finite_differences(
        lambda x: x.sum(axis=axis, keepdims=keepdims), lambda x: np.sum(x, axis=axis, keepdims=keepdims), values
    )


@SETTINGS
@given(st.data())
def test_max_over_any_axis_argument_passes_gradcheck(data):
    values = data.draw(distinct_arrays(shapes()))
    axis, keepdims = data.draw(axis_arguments(values.ndim))
    assert_matches_numpy_and_finite_differences(
        lambda x: x.max(axis=axis, keepdims=keepdims), lambda x: np.max(x, axis=axis, keepdims=keepdims), values
    )


@SETTINGS
@given(st.data())
def test_mean_over_any_axis_argument_passes_gradcheck(data):
    values = data.draw(arrays(shapes()))
    axis, keepdims = data.draw(axis_arguments(values.ndim))
    assert_matches_numpy_and_finite_differences(
        lambda x: x.mean(axis=axis, keepdims=keepdims), lambda x: np.mean(x, axis=axis, keepdims=keepdims), values
    )


def test_max_splits_gradient_evenly_among_ties():
    x = leaf([[3.0, 3.0, 1.0], [0.0, 2.0, 5.0]])
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])


def test_max_splits_gradient_in_thirds_among_three_way_ties():
    x = leaf([[4.0, 4.0, 4.0, 1.0]])
    x.max(axis=-1, keepdims=True).sum().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), [[1 / 3, 1 / 3, 1 / 3, 0.0]])


def test_max_over_all_axes_splits_gradient_among_ties_anywhere_in_the_tensor():
    x = leaf([[7.0, 1.0], [2.0, 7.0]])
    x.max().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), [[0.5, 0.0], [0.0, 0.5]])


def test_max_over_a_tuple_of_axes_splits_gradient_among_ties():
    x = leaf(np.array([[[1.0, 9.0], [9.0, 0.0]], [[2.0, 2.0], [2.0, 2.0]]]))
    x.max(axis=(1, 2)).backward(gradient=np.array([1.0, 2.0]))
    np.testing.assert_allclose(x.grad.detach().numpy(), [[[0.0, 0.5], [0.5, 0.0]], [[0.5, 0.5], [0.5, 0.5]]])


def test_max_gradient_weights_sum_to_the_upstream_gradient():
    x = leaf([[3.0, 3.0, 3.0], [1.0, 1.0, 0.0]])
    x.max(axis=1).backward(gradient=np.array([6.0, 4.0]))
    np.testing.assert_allclose(x.grad.detach().numpy().sum(axis=1), [6.0, 4.0])


def test_maximum_of_equal_inputs_gives_half_the_gradient_to_each():
    a, b = leaf([1.0, 2.0, 3.0]), leaf([1.0, 5.0, 3.0])
    tg.maximum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.detach().numpy(), [0.5, 0.0, 0.5])
    np.testing.assert_allclose(b.grad.detach().numpy(), [0.5, 1.0, 0.5])


def test_maximum_ties_split_evenly_under_broadcasting():
    a, b = leaf([[2.0, 2.0], [2.0, 0.0]]), leaf([2.0])
    a.maximum(b).sum().backward()
    np.testing.assert_allclose(a.grad.detach().numpy(), [[0.5, 0.5], [0.5, 0.0]])
    np.testing.assert_allclose(b.grad.detach().numpy(), [0.5 * 3 + 1.0])


# ---------------------------------------------------------------- matmul

MATMUL_CASES = {
    "1d@1d": (1, 1, False),
    "1d@2d": (1, 2, False),
    "2d@1d": (2, 1, False),
    "2d@2d": (2, 2, False),
    "3d@3d": (3, 3, False),
    "3d@3d-batch-broadcast": (3, 3, True),
    "1d@3d": (1, 3, False),
    "3d@1d": (3, 1, False),
    "2d@3d": (2, 3, False),
    "3d@2d": (3, 2, False),
}


@pytest.mark.parametrize("case", list(MATMUL_CASES))
@SETTINGS
@given(data=st.data())
def test_matmul_passes_gradcheck(case, data):
    left_ndim, right_ndim, broadcast_batch = MATMUL_CASES[case]
    left, right = data.draw(matmul_shapes(left_ndim, right_ndim, broadcast_batch))
    a, b = data.draw(arrays(left)), data.draw(arrays(right))
    assert_matches_numpy_and_finite_differences(lambda x, y: x @ y, np.matmul, a, b)


def test_matmul_row_vector_batch_of_one_passes_gradcheck():
    # the (1, k) @ (k, n) case has its own outer-product fast path in backward
    rng = np.random.default_rng(0)
    assert gradcheck(lambda x, y: x @ y, rng.standard_normal((1, 3)), rng.standard_normal((3, 4)))


@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_batch_of_one_weight_gradient_is_the_outer_product_in_float32_and_under_create_graph(transpose_b):
    # the (1, k) @ (k, n) weight gradient takes np.dot's rank-1 path; under create_graph the Tensor path
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 5)).astype(np.float32)
    w = rng.standard_normal((4, 5) if transpose_b else (5, 4)).astype(np.float32)
    g = rng.standard_normal((1, 4)).astype(np.float32)
    expected = np.outer(g, x) if transpose_b else np.outer(x, g)
    for create_graph in (False, True):
        weight = tg.Tensor(w, requires_grad=True)
        out = ops.Matmul.apply(tg.Tensor(x), weight, transpose_b=transpose_b)  # nn.Linear's x @ W.T node
        (dw,) = tg.autograd.grad(out, [weight], grad_outputs=tg.Tensor(g), create_graph=create_graph)
        assert dw.dtype == np.float32 and dw.shape == w.shape
        np.testing.assert_allclose(dw.detach().numpy(), expected, rtol=1e-6)


@SETTINGS
@given(st.data())
def test_rmatmul_with_numpy_array_on_the_left_passes_gradcheck(data):
    left, right = data.draw(
        st.sampled_from([(2, 2), (1, 2), (2, 1), (3, 3)]).flatmap(lambda ranks: matmul_shapes(*ranks))
    )
    constant, values = data.draw(arrays(left)), data.draw(arrays(right))
    assert_matches_numpy_and_finite_differences(lambda x: constant @ x, lambda x: constant @ x, values)


def test_rmatmul_called_directly_multiplies_from_the_left():
    constant = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = leaf([[1.0], [1.0]])
    out = x.__rmatmul__(constant)
    np.testing.assert_array_equal(out.detach().numpy(), [[3.0], [7.0]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [[4.0], [6.0]])


# ---------------------------------------------------------------- shape and movement


@SETTINGS
@given(st.data())
def test_reshape_passes_gradcheck(data):
    values = data.draw(arrays(shapes()))
    target = data.draw(
        st.sampled_from(
            [(values.size,), (1, values.size), values.shape[::-1], values.shape + (1,), (-1,), (1, -1), ()]
            if values.size == 1
            else [(values.size,), (1, values.size), values.shape[::-1], values.shape + (1,), (-1,), (1, -1)]
        )
    )
    assert_matches_numpy_and_finite_differences(lambda x: x.reshape(target), lambda x: x.reshape(target), values)


@SETTINGS
@given(st.data())
def test_permute_passes_gradcheck(data):
    values = data.draw(arrays(shapes(min_dims=1)))
    axes = tuple(data.draw(st.permutations(range(values.ndim))))
    signed = tuple(a - values.ndim if data.draw(st.booleans()) else a for a in axes)
    assert_matches_numpy_and_finite_differences(lambda x: x.permute(signed), lambda x: x.transpose(axes), values)


@SETTINGS
@given(arrays(shapes()))
def test_transpose_without_axes_reverses_them_and_passes_gradcheck(values):
    assert_matches_numpy_and_finite_differences(lambda x: x.transpose(), np.transpose, values)
    assert_matches_numpy_and_finite_differences(lambda x: x.T, lambda x: x.T, values)


@SETTINGS
@given(st.data())
def test_expand_passes_gradcheck(data):
    small, other = data.draw(broadcastable_shapes())
    target = np.broadcast_shapes(small, other)
    values = data.draw(arrays(small))
    assert_matches_numpy_and_finite_differences(
        lambda x: x.expand(target), lambda x: np.broadcast_to(x, target), values
    )
    assert_matches_numpy_and_finite_differences(
        lambda x: x.broadcast_to(target), lambda x: np.broadcast_to(x, target), values
    )


@SETTINGS
@given(st.data())
def test_getitem_with_basic_index_passes_gradcheck(data):
    values = data.draw(arrays(shapes(min_dims=1)))
    index = data.draw(basic_indices(values.shape))
    assert_matches_numpy_and_finite_differences(lambda x: x[index], lambda x: x[index], values)


@SETTINGS
@given(st.data())
def test_getitem_with_integer_array_passes_gradcheck(data):
    values = data.draw(arrays(shapes(min_dims=1)))
    index = data.draw(integer_array_indices(values.shape[0]))
    assert_matches_numpy_and_finite_differences(lambda x: x[index], lambda x: x[index], values)


@SETTINGS
@given(st.data())
def test_getitem_mixing_slices_and_integer_arrays_passes_gradcheck(data):
    values = data.draw(arrays(shapes(min_dims=2)))
    index = (slice(None, None, -1), data.draw(integer_array_indices(values.shape[1])))
    assert_matches_numpy_and_finite_differences(lambda x: x[index], lambda x: x[index], values)


@SETTINGS
@given(st.data())
def test_getitem_with_boolean_mask_passes_gradcheck(data):
    values = data.draw(arrays(shapes(min_dims=1)))
    mask = data.draw(boolean_masks(values.shape))
    assert_matches_numpy_and_finite_differences(lambda x: x[mask], lambda x: x[mask], values)


@SETTINGS
@given(st.data())
def test_getitem_with_boolean_mask_on_first_axis_passes_gradcheck(data):
    values = data.draw(arrays(shapes(min_dims=2)))
    mask = data.draw(boolean_masks(values.shape[:1]))
    assert_matches_numpy_and_finite_differences(lambda x: x[mask], lambda x: x[mask], values)


def test_getitem_repeated_indices_accumulate_gradient():
    x = leaf([1.0, 2.0, 3.0])
    x[[0, 0, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [3.0, 0.0, 0.0])


def test_getitem_repeated_index_pairs_accumulate_gradient():
    x = leaf(np.zeros((2, 3)))
    x[np.array([1, 1, 0]), np.array([2, 2, 0])].backward(gradient=np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad.detach().numpy(), [[100.0, 0.0, 0.0], [0.0, 0.0, 11.0]])


def test_getitem_with_tensor_index_acts_like_its_array():
    x = leaf([1.0, 2.0, 3.0])
    x[Tensor(np.array([2, 2]))].sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [0.0, 0.0, 2.0])


@SETTINGS
@given(st.data())
def test_scatter_add_primitive_passes_gradcheck(data):
    shape = data.draw(shapes(min_dims=1))
    index = data.draw(integer_array_indices(shape[0]))
    values = data.draw(arrays((len(index),) + shape[1:]))

    def reference(v):
        full = np.zeros(shape)
        np.add.at(full, index, v)
        return full

    assert_matches_numpy_and_finite_differences(
        lambda v: ops.ScatterAdd.apply(v, shape=shape, index=index), reference, values
    )


@SETTINGS
@given(st.data())
def test_concatenate_along_any_axis_passes_gradcheck(data):
    input_shapes, axis = data.draw(concatenation_shapes())
    inputs = [data.draw(arrays(shape)) for shape in input_shapes]
    assert_matches_numpy_and_finite_differences(
        lambda *xs: tg.concatenate(list(xs), axis=axis), lambda *xs: np.concatenate(xs, axis=axis), *inputs
    )


@SETTINGS
@given(st.data())
def test_stack_along_any_axis_passes_gradcheck(data):
    shape = data.draw(shapes())
    count = data.draw(st.integers(1, 3))
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    inputs = [data.draw(arrays(shape)) for _ in range(count)]
    assert_matches_numpy_and_finite_differences(
        lambda *xs: tg.stack(list(xs), axis=axis), lambda *xs: np.stack(xs, axis=axis), *inputs
    )


def test_cat_is_concatenate():
    a, b = leaf([[1.0], [2.0]]), leaf([[3.0, 4.0], [5.0, 6.0]])
    out = tg.cat([a, b], axis=-1)
    np.testing.assert_array_equal(out.detach().numpy(), [[1, 3, 4], [2, 5, 6]])
    (out * np.array([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.detach().numpy(), [[1.0], [1.0]])
    np.testing.assert_array_equal(b.grad.detach().numpy(), [[2.0, 3.0], [2.0, 3.0]])


# ---------------------------------------------------------------- the fused fast path


def test_softmax_cross_entropy_with_class_targets_passes_gradcheck_for_logits_in_the_thousands():
    logits = np.random.default_rng(0).standard_normal((4, 5)) * 1000
    targets = np.array([0, 4, 2, 2])
    assert gradcheck(lambda z: ops.SoftmaxCrossEntropy.apply(z, targets=targets), logits)


def test_softmax_cross_entropy_with_probability_targets_passes_gradcheck_for_logits_in_the_thousands():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((3, 4)) * 1000
    targets = rng.dirichlet(np.ones(4), size=3)
    assert gradcheck(lambda z: ops.SoftmaxCrossEntropy.apply(z, targets=targets), logits)


def test_softmax_cross_entropy_gradient_is_probabilities_minus_one_hot_over_n():
    logits = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    targets = np.array([2, 0])
    z = leaf(logits)
    ops.SoftmaxCrossEntropy.apply(z, targets=targets).backward()
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(z.grad.detach().numpy(), (probs - np.eye(3)[targets]) / 2, rtol=1e-12)


# ---------------------------------------------------------------- Python scalars and NumPy arrays as operands

BINARY_OPERATORS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "pow": operator.pow,
}


@pytest.mark.parametrize("name", list(BINARY_OPERATORS))
@pytest.mark.parametrize("tensor_side", ["left", "right"])
@SETTINGS
@given(values=positive_arrays(shapes()), constant=st.floats(0.5, 3.0))
def test_python_scalar_operand_on_either_side_gives_numpy_values_and_gradients(name, tensor_side, values, constant):
    op = BINARY_OPERATORS[name]
    if tensor_side == "left":
        fn, reference = (lambda x: op(x, constant)), (lambda x: op(x, constant))
    else:
        fn, reference = (lambda x: op(constant, x)), (lambda x: op(constant, x))
    assert_matches_numpy_and_finite_differences(fn, reference, values)


@pytest.mark.parametrize("name", list(BINARY_OPERATORS))
@pytest.mark.parametrize("tensor_side", ["left", "right"])
@SETTINGS
@given(data=st.data())
def test_numpy_array_operand_on_either_side_gives_numpy_values_and_gradients(name, tensor_side, data):
    tensor_shape, constant_shape = data.draw(broadcastable_shapes())
    values, constant = data.draw(positive_arrays(tensor_shape)), data.draw(positive_arrays(constant_shape))
    op = BINARY_OPERATORS[name]
    if tensor_side == "left":
        fn, reference = (lambda x: op(x, constant)), (lambda x: op(x, constant))
    else:
        fn, reference = (lambda x: op(constant, x)), (lambda x: op(constant, x))
    assert_matches_numpy_and_finite_differences(fn, reference, values)


def test_scalar_minus_tensor_has_negative_unit_gradient():
    x = leaf([1.0, 4.0])
    out = 2 - x
    np.testing.assert_array_equal(out.detach().numpy(), [1.0, -2.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [-1.0, -1.0])


def test_scalar_divided_by_tensor_has_gradient_minus_scalar_over_square():
    x = leaf([1.0, 2.0])
    out = 4 / x
    np.testing.assert_array_equal(out.detach().numpy(), [4.0, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [-4.0, -1.0])


def test_numpy_array_times_tensor_returns_a_tensor_with_a_graph():
    x = leaf([1.0, 2.0])
    out = np.array([3.0, 5.0]) * x
    assert isinstance(out, Tensor) and out.requires_grad
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [3.0, 5.0])


@pytest.mark.parametrize("tensor_side", ["left", "right"])
@SETTINGS
@given(data=st.data())
def test_maximum_with_a_constant_on_either_side_passes_gradcheck(tensor_side, data):
    tensor_shape, constant_shape = data.draw(broadcastable_shapes())
    values = data.draw(interleaved_arrays(tensor_shape, upper=True))
    constant = data.draw(st.one_of(interleaved_arrays(constant_shape, upper=False), st.just(0.0), st.just(-0.5)))
    if tensor_side == "left":
        assert_matches_numpy_and_finite_differences(
            lambda x: tg.maximum(x, constant), lambda x: np.maximum(x, constant), values
        )
    else:
        assert_matches_numpy_and_finite_differences(
            lambda x: tg.maximum(constant, x), lambda x: np.maximum(constant, x), values
        )


# ---------------------------------------------------------------- the checker itself


class BadExp(ops.Exp):
    """Exp with a backward rule that is 1% too large, but only where the input exceeds 1."""

    def backward(self, grad, x, out):
        return (grad * out * np.where(x > 1, 1.01, 1.0),)


def test_gradcheck_catches_a_wrong_backward_rule_and_names_input_element_and_both_values():
    first = np.array([0.3, -0.2])
    second = np.array([0.1, 0.5, 1.5, 0.2])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a, b: a.sum() + BadExp.apply(b).sum(), first, second)
    message = str(caught.value)
    assert "input 1" in message
    assert "(2,)" in message  # the element index: the only entry above 1
    number = r"(?:np\.float64\()?([-+0-9.e]+)"
    autograd_value = float(re.search(r"autograd gives " + number, message).group(1))
    numeric_value = float(re.search(r"finite differences give " + number, message).group(1))
    assert autograd_value == pytest.approx(numeric_value * 1.01, rel=1e-6)


def test_gradcheck_accepts_the_correct_rule_it_was_derived_from():
    assert gradcheck(lambda b: ops.Exp.apply(b).sum(), np.array([0.1, 0.5, 1.5, 0.2]))


@pytest.mark.parametrize("shape", [(12, 5), (300, 1), (300, 10), (300, 40), (2, 300, 10)])
def test_max_keepdims_equals_numpy_max_with_nan_and_inf(shape):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    flat = x.reshape(-1, shape[-1])
    flat[5, -1], flat[9, 0], flat[11, :] = np.nan, np.inf, -np.inf
    for axis in range(-x.ndim, x.ndim):
        np.testing.assert_array_equal(ops.max_keepdims(x, axis), x.max(axis=axis, keepdims=True))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint64])
def test_scatter_add_coordinate_index_accumulates_repeats_and_reads_negative_entries(dtype):
    # 400 entries (above the flat-position threshold), most of them repeats
    rows = np.tile(np.array([1, 1, 0, 2], dtype=dtype), 100)
    columns = np.tile(np.array([2, 2, 0, 1], dtype=dtype), 100)
    values = np.arange(400.0)
    expected = np.zeros((3, 3))
    np.add.at(expected, (rows, columns), values)
    out = ops.ScatterAdd.apply(Tensor(values), shape=(3, 3), index=(rows, columns))
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    if dtype != np.uint64:  # -1 is the last row, as in NumPy
        negative = (rows - 3, columns)
        out = ops.ScatterAdd.apply(Tensor(values), shape=(3, 3), index=negative)
        np.testing.assert_array_equal(out.detach().numpy(), expected)


@pytest.mark.parametrize("reduce_name", ["max", "min"])
def test_max_and_min_over_a_pooling_window_of_a_large_input_split_ties_and_keep_nan(reduce_name):
    # many outputs, few positions per window: the pairwise path; it must agree with the plain reduction
    rng = np.random.default_rng(3)
    values = rng.integers(0, 3, size=(4, 8, 2, 3, 16, 16)).astype(np.float32)  # small integers: many ties
    values[0, 0, 1, 2, 5, 7] = np.nan
    x = tg.Tensor(values, requires_grad=True)
    out = getattr(x, reduce_name)(axis=(2, 3))
    pick = np.max if reduce_name == "max" else np.min
    with np.errstate(invalid="ignore"):
        expected = pick(values, axis=(2, 3))
        np.testing.assert_array_equal(out.detach().numpy(), expected)
        upstream = rng.standard_normal(expected.shape).astype(np.float32)
        out.backward(tg.Tensor(upstream))
        hits = (values == expected[:, :, None, None]).astype(np.float32)
        want = upstream[:, :, None, None] * hits / hits.sum(axis=(2, 3), keepdims=True)
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-6)  # NaN where the window held a NaN, as before
    assert np.isnan(out.detach().numpy()[0, 0, 5, 7])
