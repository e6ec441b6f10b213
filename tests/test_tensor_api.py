"""Specification of the Tensor API: attributes, conversions, factories, NumPy dispatch, and the errors
that bad input gets (naming shapes, dtypes and the op)."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import Tensor


def names_shapes(message: str, *shapes: tuple) -> bool:
    """Whether ``message`` mentions every shape, written as Python (``(2, 3)``) or NumPy (``(2,3)``) does."""
    compact = message.replace(" ", "")
    return all(str(tuple(shape)).replace(" ", "") in compact for shape in shapes)


# ---------------------------------------------------------------- attributes and conversions


def test_data_is_the_underlying_ndarray():
    t = Tensor(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert isinstance(t.detach().numpy(), np.ndarray)
    np.testing.assert_array_equal(t.detach().numpy(), [[1, 2, 3], [4, 5, 6]])


def test_grad_is_none_before_any_backward():
    assert Tensor([1.0, 2.0], requires_grad=True).grad is None


def test_shape_dtype_ndim_and_size_describe_the_array():
    t = Tensor(np.zeros((2, 3, 4), dtype=np.float64))
    assert t.shape == (2, 3, 4)
    assert t.dtype == np.float64
    assert t.ndim == 3
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4  # PyTorch's size()
    assert t.numel() == 24 and np.size(t) == 24  # NumPy's element count


def test_capital_t_transposes_a_matrix():
    t = Tensor(np.arange(6.0).reshape(2, 3))
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.T.detach().numpy(), np.arange(6.0).reshape(2, 3).T)


def test_capital_t_reverses_all_axes_and_is_differentiable():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    assert x.T.shape == (4, 3, 2)
    (x.T * np.arange(24.0).reshape(4, 3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), np.arange(24.0).reshape(4, 3, 2).T)


def test_item_returns_a_python_number():
    value = Tensor(np.array([[2.5]])).item()
    assert value == 2.5 and isinstance(value, float)


def test_item_of_several_elements_raises_naming_the_shape():
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).item()


def test_float_of_a_one_element_tensor():
    assert float(Tensor(np.array(3.25))) == 3.25


def test_numpy_returns_the_values_as_an_ndarray():
    t = Tensor(np.array([1.0, 2.0]))
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])


def test_np_asarray_of_a_tensor_gives_its_values():
    t = Tensor(np.array([[1, 2], [3, 4]], dtype=np.int32))
    array = np.asarray(t)
    assert isinstance(array, np.ndarray)
    assert array.dtype == np.int32
    np.testing.assert_array_equal(array, [[1, 2], [3, 4]])


def test_repr_shows_values_as_pytorch_and_the_name():
    assert (
        repr(Tensor(np.array([1.5, -2.0], dtype=np.float32), name="bias")) == "tensor([ 1.5000, -2.0000], name='bias')"
    )
    assert repr(Tensor(np.array([1.5, -2.0]))) == "tensor([ 1.5000, -2.0000], dtype=torch.float64)"


def test_repr_of_a_computed_tensor_names_its_op():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"


def test_len_is_the_first_dimension():
    assert len(Tensor(np.zeros((3, 2)))) == 3


def test_comparisons_give_boolean_tensors_without_a_graph():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = x > 1.5
    assert mask.dtype == np.bool_
    assert not mask.requires_grad
    np.testing.assert_array_equal(mask.detach().numpy(), [False, True, True])


def test_argmax_returns_integers():
    t = Tensor(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]))
    along_rows = t.argmax(axis=1)
    assert np.issubdtype(np.asarray(along_rows).dtype, np.integer)
    np.testing.assert_array_equal(along_rows, [1, 0])
    overall = t.argmax()
    assert int(overall) == 3 and np.issubdtype(np.asarray(overall).dtype, np.integer)


def test_max_of_an_integer_tensor_is_its_integer_maximum():
    t = Tensor(np.array([[1, 5, 3], [4, 2, 0]], dtype=np.int64))
    assert t.max().item() == 5
    np.testing.assert_array_equal(t.max(axis=0).detach().numpy(), [4, 5, 3])


def test_sum_of_an_integer_tensor_is_an_integer():
    total = Tensor(np.array([1, 2, 3], dtype=np.int64)).sum()
    assert total.item() == 6 and np.issubdtype(total.dtype, np.integer)


def test_integer_tensor_plus_python_int_stays_integer():
    """As in NumPy and PyTorch: int64 + 1 is int64, not float64."""
    total = Tensor(np.array([1, 2], dtype=np.int64)) + 1
    assert total.dtype == np.int64
    np.testing.assert_array_equal(total.detach().numpy(), [2, 3])


# ---------------------------------------------------------------- factories


def test_zeros_and_ones_have_the_shape_and_default_float32():
    for factory, value in ((tg.zeros, 0.0), (tg.ones, 1.0)):
        t = factory(2, 3)
        assert t.shape == (2, 3) and t.dtype == np.float32
        assert (t.detach().numpy() == value).all()
        assert factory((4,)).shape == (4,)


def test_zeros_with_dtype_and_requires_grad():
    t = tg.zeros(3, dtype=np.float64, requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad


def test_full_zeros_like_and_ones_like():
    like = Tensor(np.empty((2, 2), dtype=np.float64))
    np.testing.assert_array_equal(tg.full((2, 3), 7.0).detach().numpy(), np.full((2, 3), 7.0))
    assert tg.zeros_like(like).shape == (2, 2) and (tg.zeros_like(like).detach().numpy() == 0).all()
    assert tg.ones_like(like).dtype == np.float64 and (tg.ones_like(like).detach().numpy() == 1).all()


def test_randn_is_reproducible_with_manual_seed():
    tg.manual_seed(1234)
    first = tg.randn(3, 4).detach().numpy().copy()
    tg.manual_seed(1234)
    second = tg.randn(3, 4).detach().numpy()
    np.testing.assert_array_equal(first, second)
    assert first.dtype == np.float32 and first.shape == (3, 4)


def test_rand_is_reproducible_with_manual_seed_and_lies_in_the_unit_interval():
    tg.manual_seed(7)
    first = tg.rand(100).detach().numpy().copy()
    tg.manual_seed(7)
    np.testing.assert_array_equal(first, tg.rand(100).detach().numpy())
    assert (first >= 0).all() and (first < 1).all()


def test_randn_and_rand_are_reproducible_with_a_generator():
    for factory in (tg.randn, tg.rand):
        first = factory(2, 5, generator=np.random.default_rng(99)).detach().numpy()
        second = factory(2, 5, generator=np.random.default_rng(99)).detach().numpy()
        np.testing.assert_array_equal(first, second)


def test_a_generator_argument_does_not_consume_the_default_generator():
    tg.manual_seed(5)
    expected = tg.randn(3).detach().numpy().copy()
    tg.manual_seed(5)
    tg.randn(3, generator=np.random.default_rng(0))
    np.testing.assert_array_equal(tg.randn(3).detach().numpy(), expected)


def test_different_seeds_give_different_samples():
    tg.manual_seed(1)
    first = tg.randn(8).detach().numpy().copy()
    tg.manual_seed(2)
    assert not np.array_equal(first, tg.randn(8).detach().numpy())


def test_arange_counts_like_numpy():
    np.testing.assert_array_equal(tg.arange(5).detach().numpy(), np.arange(5))
    np.testing.assert_array_equal(tg.arange(1, 3, 0.5).detach().numpy(), np.arange(1, 3, 0.5))
    assert tg.arange(4, dtype=np.float32).dtype == np.float32


def test_eye_is_the_identity():
    np.testing.assert_array_equal(tg.eye(3).detach().numpy(), np.eye(3))
    assert tg.eye(3).dtype == np.float32
    assert tg.eye(2, 3).shape == (2, 3)


def test_from_numpy_shares_memory_and_keeps_the_dtype():
    array = np.arange(4, dtype=np.float64)
    t = tg.from_numpy(array)
    assert t.dtype == np.float64
    assert np.shares_memory(t.detach().numpy(), array)
    array[0] = 42.0
    assert t.detach().numpy()[0] == 42.0


def test_from_numpy_rejects_a_list():
    with pytest.raises(TypeError, match="list"):
        tg.from_numpy([1.0, 2.0])


def test_tensor_factory_matches_the_constructor():
    t = tg.tensor([1.0, 2.0], requires_grad=True, name="w")
    assert t.requires_grad and t.name == "w" and t.dtype == np.float32


# ---------------------------------------------------------------- NumPy dispatch


def test_np_exp_of_a_tensor_is_a_tensor_with_a_graph():
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    y = np.exp(x)
    assert isinstance(y, Tensor)
    assert y.requires_grad and y._node is not None
    y.sum().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), np.exp([0.0, 1.0]))


@pytest.mark.parametrize(
    "function, method",
    [
        (np.log, lambda t: t.log()),
        (np.sqrt, lambda t: t.sqrt()),
        (np.tanh, lambda t: t.tanh()),
        (np.negative, lambda t: -t),
        (np.sum, lambda t: t.sum()),
        (np.mean, lambda t: t.mean()),
        (np.max, lambda t: t.max()),
        (np.transpose, lambda t: t.transpose()),
    ],
)
def test_numpy_functions_with_a_tensor_method_dispatch_to_it(function, method):
    x = Tensor(np.array([[0.5, 2.0], [1.5, 3.0]]), requires_grad=True)
    via_numpy = function(x)
    assert isinstance(via_numpy, Tensor) and via_numpy.requires_grad
    np.testing.assert_allclose(via_numpy.detach().numpy(), method(x).detach().numpy())


def test_np_maximum_and_np_where_keep_the_graph():
    x = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    (np.maximum(x, 0.0) + np.where(np.array([True, False]), x, 0.0)).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [1.0, 1.0])


@pytest.mark.parametrize("function", [np.median, np.ptp, np.unwrap])  # (np.sinh, np.diff, np.sort are dispatched now)
def test_unsupported_numpy_function_raises_type_error_pointing_to_methods_and_numpy(function):
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(TypeError) as caught:
        function(x)
    message = str(caught.value)
    assert function.__name__ in message
    assert "numpy()" in message
    assert "method" in message


# ---------------------------------------------------------------- bad input


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError) as caught:
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    assert names_shapes(str(caught.value), (2, 3), (4, 5))


def test_matmul_batch_mismatch_names_both_shapes():
    with pytest.raises(ValueError) as caught:
        Tensor(np.ones((2, 2, 3))) @ Tensor(np.ones((3, 3, 5)))
    assert names_shapes(str(caught.value), (2, 2, 3), (3, 3, 5))


def test_matmul_of_a_zero_dimensional_tensor_raises_naming_shapes():
    with pytest.raises(ValueError, match=r"\(\)"):
        Tensor(np.array(2.0)) @ Tensor(np.ones(3))


@pytest.mark.parametrize(
    "op, op_name",
    [
        (operator.add, "add"),
        (operator.sub, "sub"),
        (operator.mul, "mul"),
        (operator.truediv, "div"),
        (tg.maximum, "maximum"),
    ],
)
def test_broadcasting_mismatch_names_both_shapes_and_the_op(op, op_name):
    with pytest.raises(ValueError) as caught:
        op(Tensor(np.ones((2, 3))), Tensor(np.ones(4)))
    message = str(caught.value)
    assert names_shapes(message, (2, 3), (4,))
    assert op_name in message


@pytest.mark.parametrize(
    "array, dtype_name",
    [
        (np.array(["a"]), "<U1"),
        (np.array([1, None], dtype=object), "object"),
        (np.array([1 + 2j]), "complex128"),
    ],
)
def test_unsupported_dtypes_raise_type_error_naming_the_dtype(array, dtype_name):
    with pytest.raises(TypeError, match=dtype_name):
        Tensor(array)


def test_exp_of_a_bool_tensor_is_float32_as_pytorch():
    assert Tensor(np.array([True, False])).exp().dtype == np.float32


def test_reshape_to_an_impossible_shape_raises_value_error_naming_shapes():
    with pytest.raises(ValueError) as caught:
        Tensor(np.ones((2, 3))).reshape(4, 2)
    assert names_shapes(str(caught.value), (2, 3), (4, 2))


def test_expand_to_an_incompatible_shape_raises_naming_shapes():
    with pytest.raises(ValueError) as caught:
        Tensor(np.ones((2, 3))).expand(2, 4)
    assert names_shapes(str(caught.value), (2, 3), (2, 4))


def test_transpose_with_axes_that_are_not_a_permutation_raises():
    with pytest.raises(ValueError, match="permutation"):
        Tensor(np.ones((2, 3))).transpose((0, 0))  # (two separate ints swap, as PyTorch)


def test_sum_over_an_axis_out_of_range_raises():
    with pytest.raises(ValueError, match="axis"):
        Tensor(np.ones((2, 3))).sum(axis=2)


def test_concatenate_along_an_axis_out_of_range_raises():
    tensors = [Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3)))]
    with pytest.raises(ValueError, match="axis"):
        tg.concatenate(tensors, axis=5)


def test_stack_along_an_axis_out_of_range_raises():
    tensors = [Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3)))]
    with pytest.raises(ValueError, match="axis"):
        tg.stack(tensors, axis=7)


def test_concatenate_of_mismatched_shapes_raises_naming_them():
    with pytest.raises(ValueError) as caught:
        tg.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((3, 1)))], axis=-1)
    assert names_shapes(str(caught.value), (2, 3), (3, 1))


def test_stack_of_mismatched_shapes_raises_naming_them():
    with pytest.raises(ValueError) as caught:
        tg.stack([Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2)))])
    assert names_shapes(str(caught.value), (2, 3), (3, 2))


def test_where_with_a_non_boolean_condition_raises_naming_the_dtype():
    with pytest.raises(TypeError, match="float"):
        tg.where(np.array([1.0, 0.0]), Tensor([1.0, 2.0]), 0.0)


def test_negating_a_bool_tensor_raises_type_error():
    with pytest.raises(TypeError, match="bool"):
        -Tensor(np.array([True]))
