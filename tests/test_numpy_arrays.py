"""Array manipulation of the NumPy surface through NumPy's spellings: values as NumPy's, gradients by
finite differences in float64, over shapes drawn by hypothesis (negative axes, size-1 axes)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SETTINGS, arrays, distinct_arrays, shapes
from test_numpy_surface import check_value, second_order

import tinygrad_sm as tg
from tinygrad_sm import Tensor, gradcheck

FEW = settings(SETTINGS, max_examples=15)


def _check(function, *values, args=(), **kwargs) -> None:
    """NumPy's value, and the gradient of every array in ``values`` by finite differences; ``args``
    follow them unchanged (axes, counts)."""
    check_value(lambda *xs: function(*xs, *args, **kwargs), *values)

    def scalar_or_joined(*tensors):
        out = function(*tensors, *args, **kwargs)
        if isinstance(out, (list, tuple)):
            return tg.concatenate([o.reshape(-1) for o in out])
        return out

    gradcheck(scalar_or_joined, *values, name=function.__name__)


@FEW
@given(data=st.data())
def test_moveaxis_and_rollaxis(data):
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(shape))
    ndim = len(shape)
    source = data.draw(st.integers(-ndim, ndim - 1))
    destination = data.draw(st.integers(-ndim, ndim - 1))
    _check(np.moveaxis, x, source=source, destination=destination)
    start = data.draw(st.integers(-ndim, ndim))
    _check(np.rollaxis, x, axis=source, start=start)
    assert np.array_equal(tg.movedim(Tensor(x), source, destination).data, np.moveaxis(x, source, destination))


def test_moveaxis_with_several_axes():
    x = np.arange(24.0).reshape(2, 3, 4)
    _check(np.moveaxis, x, source=[0, -1], destination=[-1, 0])


@FEW
@given(data=st.data())
def test_repeat_with_a_count_or_counts_per_element(data):
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(shape))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    counts = data.draw(st.lists(st.integers(0, 3), min_size=shape[axis], max_size=shape[axis]))
    _check(np.repeat, x, repeats=np.array(counts), axis=axis)
    _check(np.repeat, x, repeats=2, axis=None)
    assert np.array_equal(Tensor(x).repeat_interleave(2, dim=axis).data, np.repeat(x, 2, axis=axis))


@FEW
@given(data=st.data())
def test_flips_and_rot90(data):
    x = data.draw(arrays(shapes(min_dims=2)))
    _check(np.fliplr, x)
    _check(np.flipud, x)
    k = data.draw(st.integers(-5, 5))
    axes = data.draw(st.sampled_from([(0, 1), (1, 0), (-1, 0), (0, -1)]))
    _check(np.rot90, x, k=k, axes=axes)
    assert np.array_equal(tg.rot90(Tensor(x), k, axes).data, np.rot90(x, k, axes))


@FEW
@given(data=st.data())
def test_stacks(data):
    ndim = data.draw(st.integers(0, 3))
    base = data.draw(shapes(min_dims=ndim, max_dims=ndim))
    a, b = data.draw(arrays(base)), data.draw(arrays(base))
    for function in (np.vstack, np.hstack, np.dstack, np.column_stack if ndim <= 2 else np.vstack):
        _check(lambda s, t, f=function: f([s, t]), a, b)
        assert np.array_equal(function([Tensor(a), Tensor(b)]).data, function([a, b]))
    assert np.array_equal(tg.vstack([Tensor(a), b]).data, np.vstack([a, b]))


@FEW
@given(data=st.data())
def test_splits(data):
    shape = data.draw(shapes(min_dims=3))
    x = data.draw(arrays(shape))
    axis = data.draw(st.integers(-3, 2))
    sections = data.draw(st.integers(1, 4))
    _check(np.array_split, x, args=(sections,), axis=axis)
    cuts = sorted(data.draw(st.lists(st.integers(-1, 5), max_size=3)))
    _check(np.array_split, x, args=(cuts,), axis=axis)
    if shape[axis] % sections == 0:
        _check(np.split, x, args=(sections,), axis=axis)
    for function, ax in ((np.hsplit, 1), (np.vsplit, 0), (np.dsplit, 2)):
        if shape[ax] % 1 == 0:
            _check(function, x, args=(1,))
    assert isinstance(np.split(Tensor(x), 1), list) and isinstance(Tensor(x).hsplit(1), tuple)


def test_np_split_refuses_unequal_sections_as_numpy():
    with pytest.raises(ValueError, match="array_split"):
        np.split(Tensor(np.arange(5.0)), 2)


@pytest.mark.parametrize("function", [np.atleast_1d, np.atleast_2d, np.atleast_3d])
@pytest.mark.parametrize("ndim", [0, 1, 2, 3])
def test_atleast(function, ndim):
    x = np.arange(1.0, 1.0 + 2**ndim).reshape((2,) * ndim)
    _check(function, x)
    pair = function(Tensor(x), Tensor(x))
    assert [p.shape for p in pair] == [e.shape for e in function(x, x)]


@FEW
@given(data=st.data())
def test_diag_diagonal_trace(data):
    k = data.draw(st.integers(-3, 3))
    vector = data.draw(arrays(shapes(min_dims=1, max_dims=1)))
    matrix = data.draw(arrays(shapes(min_dims=2, max_dims=2)))
    _check(np.diag, vector, args=(k,))
    _check(np.diag, matrix, args=(k,))
    stack = data.draw(arrays(shapes(min_dims=3, max_dims=3)))
    axes = data.draw(st.sampled_from([(0, 1), (1, 0), (-1, 0), (2, -2)]))
    _check(np.diagonal, stack, args=(k, *axes))
    _check(np.trace, stack, args=(k, *axes))
    assert np.array_equal(tg.diag(Tensor(vector), k).data, np.diag(vector, k))
    assert np.array_equal(Tensor(matrix).trace().data, np.trace(matrix))


def test_diag_keeps_an_infinite_entry_off_the_zeros():
    out = np.diag(Tensor([np.inf, 1.0]))
    assert np.array_equal(out.data, np.diag([np.inf, 1.0]))


@FEW
@given(data=st.data())
def test_tril_triu(data):
    x = data.draw(arrays(shapes(min_dims=1)))
    k = data.draw(st.integers(-3, 3))
    _check(np.tril, x, args=(k,))
    _check(np.triu, x, args=(k,))
    if x.ndim >= 2:
        assert np.array_equal(tg.tril(Tensor(x), diagonal=k).data, np.tril(x, k))


@FEW
@given(data=st.data())
def test_inner_kron(data):
    a = data.draw(arrays(shapes(max_dims=2)))
    last = a.shape[-1] if a.ndim else data.draw(st.integers(1, 3))
    b_shape = data.draw(shapes(max_dims=1)) + (last,) if a.ndim else data.draw(shapes(max_dims=2))
    b = data.draw(arrays(b_shape))
    _check(np.inner, a, b)
    _check(np.kron, a, b)
    gradcheck(second_order(lambda s, t: np.kron(s, t)), a, b)


@pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors")  # NumPy's own, for its 2-D form
@FEW
@given(data=st.data())
def test_cross(data):
    batch = data.draw(shapes(max_dims=2))
    a = data.draw(arrays(batch + (3,)))
    b = data.draw(arrays((batch[-1:] if batch else ()) + (3,)))
    _check(np.cross, a, b)
    moved = np.moveaxis(a, -1, 0)
    _check(np.cross, moved, b, axisa=0)
    assert np.array_equal(tg.cross(Tensor(a), Tensor(np.broadcast_to(b, a.shape)), dim=-1).data, np.cross(a, b))
    two = data.draw(arrays(batch + (2,)))
    _check(np.cross, two, a)


@FEW
@given(data=st.data())
def test_diff_append_and_gradient(data):
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(shape))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = data.draw(st.integers(0, 3))
    _check(np.diff, x, args=(n, axis))
    _check(np.diff, x, args=(1, axis), prepend=0.5, append=-1.0)
    _check(np.append, x, x, args=(axis,))
    _check(np.append, x, x)
    if shape[axis] >= 2:
        _check(np.gradient, x, axis=axis)
        _check(np.gradient, x, args=(0.5,), axis=axis)


@FEW
@given(data=st.data())
def test_sort_partition_select_full_pad_linspace(data):
    x = data.draw(distinct_arrays(shapes(min_dims=1)))  # no ties: sorting is smooth there
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    _check(np.sort, x, axis=axis)
    _check(np.sort, x, axis=None)
    kth = data.draw(st.integers(0, x.shape[axis] - 1))
    _check(np.partition, x, args=(kth,), axis=axis)
    _check(lambda t: np.select([x > 0, x < -1], [t, t * 2], 0.5), x)
    widths = data.draw(st.sampled_from([1, (1, 2), [(0, 1)] * x.ndim]))
    _check(lambda t: np.pad(t, widths, constant_values=0.5), x)
    _check(lambda t: np.pad(t, widths, mode="edge"), x)
    _check(lambda s, t: np.linspace(s, t, 5), np.array(0.3), np.array(2.0))
    _check(lambda s, t: np.linspace(s, t, 4, endpoint=False), np.array(0.3), np.array(2.0))


def test_functions_without_a_derivative_answer_with_numpy_values_for_a_tensor_that_requires_grad():
    values = np.array([1.0, np.nan, -2.0])
    x = Tensor(values, requires_grad=True)
    assert np.array_equal(np.isnan(x), np.isnan(values))
    assert np.array_equal(np.argsort(x), np.argsort(values))
    assert np.array_equal(np.nonzero(x)[0], np.nonzero(values)[0])
    assert np.array_equal(np.zeros_like(x), np.zeros(3))
    assert np.isclose(x, x).tolist() == [True, False, True]
    assert np.logical_and(x > 0, x > -5).tolist() == [True, False, False]


def test_np_array_of_graph_tensors_is_refused_with_tg_stack_as_the_way():
    t1, t2 = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"tg\.stack"):
        np.array([t1, t2])
    assert np.array_equal(np.array([Tensor([1.0]), Tensor([2.0])]), [[1.0], [2.0]])  # plain tensors convert


def test_gradcheck_perturbs_a_transposed_input_too():
    # np.array keeps a transposed layout, whose reshape(-1) is a copy: the finite differences saw 0
    x = np.moveaxis(np.arange(6.0).reshape(2, 3), -1, 0)
    assert gradcheck(lambda t: (t * t).sum(), x)


def test_np_full_with_a_graph_tensor_is_refused_since_numpy_does_not_dispatch_it():
    # np.full copies its fill value into a fresh array without asking the tensor: the refusal names tg.stack
    # and t.detach(); t.broadcast_to(shape) is the differentiable way
    with pytest.raises(RuntimeError, match="drop the graph"):
        np.full((2,), Tensor(1.0, requires_grad=True))
