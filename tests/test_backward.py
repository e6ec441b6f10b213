"""Specification of the graph machinery: accumulation into ``.grad``, released graphs, grad modes
(per thread), ``tinygrad_sm.grad`` and higher-order gradients, protection of saved arrays against
in-place writes, and dtype preservation through every primitive."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import SETTINGS, distinct_arrays, shapes

import tinygrad_sm as tg
from tinygrad_sm import Tensor, gradcheck, ops
from tinygrad_sm import functional as F


def leaf(values, dtype=np.float64) -> Tensor:
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


@pytest.fixture(autouse=True)
def _unraisable_errors_go_to_the_default_hook(monkeypatch):
    """An exception raised in ``Primitive.__del__`` while pytest formats a failure (its ``ast.parse``
    triggers garbage collection) reaches pytest's Python-level unraisable hook, whose own
    ``ast.parse`` crashes CPython 3.11 with "SystemError: AST constructor recursion depth mismatch"
    and ends the whole session. The default hook prints to stderr instead, so one engine bug cannot
    hide the other results; ``test_dropping_a_graph_raises_nothing_in_del`` checks for such errors."""
    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)


# ---------------------------------------------------------------- .grad accumulation


def test_two_backward_calls_with_retain_graph_give_twice_the_leaf_gradients():
    x, w = leaf([1.0, -2.0, 3.0]), leaf([0.5, 0.25, 2.0])
    loss = ((x * w).exp() + x * x).sum()
    loss.backward(retain_graph=True)
    first_x, first_w = x.grad.detach().numpy().copy(), w.grad.detach().numpy().copy()
    loss.backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), 2 * first_x)
    np.testing.assert_array_equal(w.grad.detach().numpy(), 2 * first_w)


def test_backward_of_separate_graphs_accumulates_into_the_same_leaf():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [3 + 2, 3 + 4])


def test_intermediate_tensors_get_no_grad():
    x = leaf([1.0, 2.0])
    hidden = x * 2
    output = (hidden * hidden).sum()
    output.backward()
    assert hidden.grad is None
    assert output.grad is None
    assert x.grad is not None


def test_second_backward_through_a_released_graph_raises_mentioning_retain_graph():
    x = leaf([1.0, 2.0])
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()


def test_backward_of_non_scalar_without_gradient_raises_naming_the_shape():
    x = leaf(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"\(2, 3\)"):
        (x * 2).backward()


def test_backward_on_a_tensor_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor(np.ones(3)) * 2).sum().backward()


def test_backward_with_gradient_of_the_wrong_shape_raises_naming_both_shapes():
    x = leaf(np.ones((2, 3)))
    with pytest.raises(ValueError) as caught:
        (x * 2).backward(gradient=np.ones(3))
    assert "(3,)" in str(caught.value) and "(2, 3)" in str(caught.value)


def test_backward_with_gradient_weights_a_non_scalar_output():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).backward(gradient=np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad.detach().numpy(), [2.0, 0.0, -6.0])


def test_a_chain_of_100000_ops_backpropagates_without_recursion_error():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_a_node_reused_by_two_consumers_sums_their_gradients():
    a = leaf(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


def test_two_leaves_with_equal_values_are_distinct_nodes():
    a, b = leaf(2.0), leaf(2.0)
    (a * 3 + b * 5).backward()
    assert a.grad.item() == 3.0
    assert b.grad.item() == 5.0


def test_a_diamond_graph_visits_the_shared_node_once():
    x = leaf([0.5, -1.0])
    shared = x.exp()
    (shared * 2 + shared.sigmoid()).sum().backward()
    sig = 1 / (1 + np.exp(-np.exp(x.detach().numpy())))
    np.testing.assert_allclose(x.grad.detach().numpy(), np.exp(x.detach().numpy()) * (2 + sig * (1 - sig)))


# ---------------------------------------------------------------- grad modes


def test_no_grad_context_records_no_graph():
    x = leaf([1.0, 2.0])
    with tg.no_grad():
        y = x * 2
    assert y.requires_grad is False
    assert y._node is None
    assert tg.is_grad_enabled()


def test_no_grad_decorator_records_no_graph():
    @tg.no_grad()
    def double(t):
        return t * 2

    y = double(leaf([1.0, 2.0]))
    assert y.requires_grad is False
    assert y._node is None
    assert tg.is_grad_enabled()


def test_enable_grad_inside_no_grad_records():
    x = leaf([1.0, 2.0])
    with tg.no_grad():
        with tg.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and y._node is not None
    assert not z.requires_grad and z._node is None


def test_no_grad_restores_the_mode_when_the_block_raises():
    with pytest.raises(KeyError), tg.no_grad():
        raise KeyError("boom")
    assert tg.is_grad_enabled()


def test_grad_mode_is_per_thread():
    worker_in_no_grad = threading.Event()
    main_recorded = threading.Event()
    results = {}

    def worker():
        with tg.no_grad():
            worker_in_no_grad.set()
            main_recorded.wait(timeout=10)
            results["worker"] = (leaf([1.0]) * 2).requires_grad

    thread = threading.Thread(target=worker)
    thread.start()
    assert worker_in_no_grad.wait(timeout=10)
    results["main"] = (leaf([1.0]) * 2).requires_grad  # recorded while the other thread is in no_grad
    main_recorded.set()
    thread.join(timeout=10)
    assert results == {"main": True, "worker": False}


def test_detach_shares_values_but_has_no_graph():
    x = leaf([1.0, 2.0])
    y = x * 3
    detached = y.detach()
    assert np.shares_memory(detached.detach().numpy(), y.detach().numpy())
    assert detached.requires_grad is False
    assert detached._node is None


def test_requires_grad_on_an_integer_tensor_raises_type_error():
    with pytest.raises(TypeError, match="int64"):
        Tensor(np.array([1, 2], dtype=np.int64)).requires_grad_()


def test_requires_grad_argument_on_an_integer_tensor_raises_type_error():
    with pytest.raises(TypeError):
        Tensor(np.array([1, 2], dtype=np.int32), requires_grad=True)


# ---------------------------------------------------------------- tinygrad_sm.grad


def test_grad_returns_tensors_and_leaves_dot_grad_untouched():
    x = leaf([1.0, 2.0])
    (dx,) = tg.grad((x * x).sum(), x)
    assert isinstance(dx, Tensor)
    np.testing.assert_array_equal(dx.detach().numpy(), [2.0, 4.0])
    assert x.grad is None


def test_grad_without_create_graph_releases_the_graph_by_default():
    x = leaf([1.0, 2.0])
    loss = (x * x).sum()
    tg.grad(loss, x)
    with pytest.raises(RuntimeError, match="retain_graph"):
        tg.grad(loss, x)


def test_grad_with_create_graph_retains_the_graph_by_default():
    x = leaf([1.0, 2.0])
    loss = (x * x).sum()
    tg.grad(loss, x, create_graph=True)
    (again,) = tg.grad(loss, x)
    np.testing.assert_array_equal(again.detach().numpy(), [2.0, 4.0])


def test_grad_with_explicit_retain_graph_can_be_called_twice():
    x = leaf([1.0, 2.0])
    loss = (x * x).sum()
    tg.grad(loss, x, retain_graph=True)
    (again,) = tg.grad(loss, x)
    np.testing.assert_array_equal(again.detach().numpy(), [2.0, 4.0])


def test_grad_of_an_unused_input_raises_unless_allow_unused():
    x, unused = leaf([1.0, 2.0]), leaf([3.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        tg.grad((x * x).sum(), [x, unused], retain_graph=True)
    dx, dunused = tg.grad((x * x).sum(), [x, unused], allow_unused=True)
    np.testing.assert_array_equal(dx.detach().numpy(), [2.0, 4.0])
    assert dunused is None


def test_grad_with_respect_to_an_intermediate_tensor():
    x = leaf([1.0, 2.0])
    hidden = x * 3
    (dhidden,) = tg.grad((hidden * hidden).sum(), hidden)
    np.testing.assert_array_equal(dhidden.detach().numpy(), [6.0, 12.0])


def test_create_graph_gives_the_second_derivative_of_a_cube():
    x = leaf([1.0, -2.0, 0.5])
    (first,) = tg.grad((x**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(first.detach().numpy(), 3 * x.detach().numpy() ** 2)
    (second,) = tg.grad(first.sum(), x)
    np.testing.assert_allclose(second.detach().numpy(), 6 * x.detach().numpy())


def test_backward_with_create_graph_makes_dot_grad_differentiable():
    x = leaf([1.0, 2.0])
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (second,) = tg.grad(x.grad.sum(), x)
    np.testing.assert_allclose(second.detach().numpy(), 6 * x.detach().numpy())


def test_hessian_of_logsumexp_is_diag_p_minus_p_p_transpose():
    z = leaf([0.1, 0.5, -0.3, 2.0])
    logsumexp = z.exp().sum().log()
    (gradient,) = tg.grad(logsumexp, z, create_graph=True)
    probs = np.exp(z.detach().numpy()) / np.exp(z.detach().numpy()).sum()
    np.testing.assert_allclose(gradient.detach().numpy(), probs, rtol=1e-12)
    rows = [tg.grad(gradient[i], z, retain_graph=True)[0].detach().numpy() for i in range(z.numel())]
    np.testing.assert_allclose(np.stack(rows), np.diag(probs) - np.outer(probs, probs), atol=1e-12)


def _second_order(fn):
    """x -> d/dx sum(w * fn(x)^2) with a recorded graph, so gradcheck tests the backward of backward."""

    def gradient_of(*inputs):
        out = fn(*inputs)
        weights = np.linspace(0.5, 1.5, out.numel()).reshape(out.shape)
        return tg.grad(((out * out) * weights).sum(), inputs[0], create_graph=True)[0]

    return gradient_of


_rng = np.random.default_rng(7)
_MATRIX = _rng.uniform(0.5, 2.0, (2, 3))
_OTHER = _rng.uniform(0.5, 2.0, (2, 3))
_DISTINCT = np.array([[0.3, -1.2, 0.9], [1.7, 0.4, -0.6]])

SECOND_ORDER_CASES = {
    "add": (lambda x: x + x * 2, _MATRIX),
    "sub": (lambda x: 1.0 - x, _MATRIX),
    "mul": (lambda x: x * _OTHER, _MATRIX),
    "div": (lambda x: _OTHER / x, _MATRIX),
    "pow-scalar": (lambda x: x**3, _MATRIX),
    "pow-tensor-exponent": (lambda x: _OTHER**x, _MATRIX),
    "maximum": (lambda x: tg.maximum(x, 1.1), _DISTINCT + 0.05),
    "where": (lambda x: tg.where(_DISTINCT > 0, x * x, -x), _MATRIX),
    "neg": (lambda x: -(x * x), _MATRIX),
    "exp": (lambda x: x.exp(), _MATRIX),
    "log": (lambda x: x.log(), _MATRIX),
    "sqrt": (lambda x: x.sqrt(), _MATRIX),
    "relu": (lambda x: x.relu(), _DISTINCT),
    "sigmoid": (lambda x: x.sigmoid(), _MATRIX),
    "tanh": (lambda x: x.tanh(), _MATRIX),
    "astype": (lambda x: x.astype(np.float32).astype(np.float64), _MATRIX),
    "sum": (lambda x: x.sum(axis=0), _MATRIX),
    "max": (lambda x: x.max(axis=1), _DISTINCT),
    "mean": (lambda x: x.mean(axis=-1, keepdims=True), _MATRIX),
    "matmul-2d": (lambda x: x @ _OTHER.T, _MATRIX),
    "matmul-1d": (lambda x: x[0] @ _OTHER.T, _MATRIX),
    "reshape": (lambda x: x.reshape(3, 2), _MATRIX),
    "permute": (lambda x: x.T, _MATRIX),
    "expand": (lambda x: x.expand(4, 2, 3), _MATRIX),
    "getitem-repeated": (lambda x: x[[0, 0, 1], 1:], _MATRIX),
    "concatenate": (lambda x: tg.concatenate([x, x * 2], axis=-1), _MATRIX),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER_CASES))
def test_gradient_of_gradient_passes_gradcheck(name):
    fn, values = SECOND_ORDER_CASES[name]
    options = {"eps": 1e-4, "atol": 1e-4, "rtol": 1e-3} if name == "astype" else {}
    assert gradcheck(_second_order(fn), values, **options)


def test_fused_softmax_cross_entropy_refuses_create_graph():
    logits = leaf([[1.0, 2.0]])
    with pytest.raises(RuntimeError, match="double backward"):
        tg.grad(ops.SoftmaxCrossEntropy.apply(logits, targets=np.array([0])), logits, create_graph=True)


# ---------------------------------------------------------------- saved arrays and in-place updates


def test_an_array_saved_for_backward_is_read_only():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    with pytest.raises(ValueError, match="read-only"):
        x.detach().numpy()[0] = 5
    assert y.requires_grad


def test_a_saved_array_is_writable_again_after_backward():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    x.detach().numpy()[0] = 5
    assert x.detach().numpy()[0] == 5


def test_a_saved_array_is_writable_again_when_the_graph_is_dropped():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    del y
    x.detach().numpy()[0] = 5
    assert x.detach().numpy()[0] == 5


def test_in_place_update_under_no_grad_after_the_op_saved_it_makes_backward_raise_naming_the_op():
    x = leaf([1.0, 2.0, 3.0])
    y = (x * x).sum()
    with tg.no_grad():
        x += 1
    with pytest.raises(RuntimeError, match="'mul'"):
        y.backward()


def test_in_place_update_of_a_saved_constant_makes_backward_raise():
    x, constant = leaf([1.0, 2.0]), Tensor(np.array([3.0, 4.0]))
    y = (x * constant).sum()
    constant *= 2  # does not require grad, so allowed outside no_grad
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_in_place_update_of_a_leaf_that_requires_grad_raises_outside_no_grad():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        x += 1


def test_in_place_update_of_a_leaf_under_no_grad_is_allowed():
    x = leaf([1.0, 2.0])
    with tg.no_grad():
        x -= 0.5
    np.testing.assert_array_equal(x.detach().numpy(), [0.5, 1.5])
    assert x.requires_grad


def test_rebinding_data_after_an_op_counts_as_a_modification():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    x.data = np.array([5.0, 6.0])
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_backward_through_an_op_on_a_reshaped_intermediate():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    flat = (x * 2).reshape(4)  # a view of an array the engine allocated
    (flat * flat).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), 8 * x.detach().numpy())


def test_backward_through_an_op_on_a_sliced_intermediate():
    x = leaf([1.0, 2.0, 3.0])
    head = (x * 2)[0:2]
    (head * head).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [8.0, 16.0, 0.0])


def test_backward_through_an_op_on_a_transposed_intermediate():
    x = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    flipped = (x + 1).T
    (flipped * flipped).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), 2 * (x.detach().numpy() + 1))


def test_saved_arrays_of_a_view_chain_are_writable_again_after_backward():
    x = leaf([1.0, 2.0, 3.0])
    hidden = x * 2
    head = hidden[0:2]
    (head * head).sum().backward()
    hidden.detach().numpy()[0] = 7.0
    assert hidden.detach().numpy()[0] == 7.0


_CHAIN_STEPS = {
    "tanh": lambda t: t.tanh(),
    "sigmoid": lambda t: t.sigmoid(),
    "affine": lambda t: t * 1.5 - 0.25,
    "self-product": lambda t: t * t.tanh(),
    "softplus": lambda t: (t.exp() + 1).log(),
    "flatten": lambda t: t.reshape(-1),
    "transpose": lambda t: t.T,
    "reverse": lambda t: t[::-1] if t.ndim else t,
    "sum-keepdims": lambda t: t.sum(axis=0, keepdims=True) if t.ndim else t,
    "max-keepdims": lambda t: t.max(axis=-1, keepdims=True) if t.ndim else t,
    "concatenate": lambda t: tg.concatenate([t, t * 0.5], axis=-1) if t.ndim else t,
    "expand": lambda t: t.expand((2,) + t.shape),
    "relu-shifted": lambda t: (t + 10.0).relu(),
}


@SETTINGS
@given(values=distinct_arrays(shapes()), steps=st.lists(st.sampled_from(sorted(_CHAIN_STEPS)), min_size=2, max_size=5))
def test_random_compositions_of_primitives_pass_gradcheck(values, steps):
    # distinct inputs keep max away from ties until a step duplicates values (concatenate, expand)
    duplicates = {"concatenate", "expand", "sum-keepdims", "self-product"}  # self-product is even
    if "max-keepdims" in steps:
        first_max = steps.index("max-keepdims")
        assume(not duplicates.intersection(steps[:first_max]) and steps.count("max-keepdims") == 1)

    def composed(t):
        for step in steps:
            t = _CHAIN_STEPS[step](t)
        return t

    assert gradcheck(composed, values / 3, atol=1e-5, rtol=1e-4)


def test_dropping_a_graph_raises_nothing_in_del(monkeypatch):
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    x = leaf([1.0, 2.0, 3.0])
    hidden = x * 2
    head = hidden[0:2]  # a view of hidden's array, which the getitem node holds read-only
    square = head * head
    del square  # the mul node goes first and gives back the view it held
    del head, hidden
    assert [str(event.exc_value) for event in unraisable] == []


def test_backward_after_an_in_place_update_that_preceded_the_op_is_fine():
    x = leaf([1.0, 2.0])
    with tg.no_grad():
        x += 1
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [4.0, 6.0])


# ---------------------------------------------------------------- dtypes

DTYPE_CASES = {
    "add": (lambda a, b: a + b, 2),
    "sub": (lambda a, b: a - b, 2),
    "mul": (lambda a, b: a * b, 2),
    "truediv": (lambda a, b: a / b, 2),
    "pow-tensor": (lambda a, b: a**b, 2),
    "pow-scalar": (lambda a: a**2, 1),
    "rpow-scalar": (lambda a: 2**a, 1),
    "maximum": (lambda a, b: tg.maximum(a, b), 2),
    "maximum-scalar": (lambda a: tg.maximum(a, 1.0), 1),
    "where": (lambda a, b: tg.where(np.array([True, False, True]), a, b), 2),
    "where-scalar": (lambda a: tg.where(np.array([True, False, True]), a, 0.0), 1),
    "neg": (lambda a: -a, 1),
    "exp": (lambda a: a.exp(), 1),
    "log": (lambda a: a.log(), 1),
    "sqrt": (lambda a: a.sqrt(), 1),
    "relu": (lambda a: a.relu(), 1),
    "sigmoid": (lambda a: a.sigmoid(), 1),
    "tanh": (lambda a: a.tanh(), 1),
    "abs": (lambda a: abs(a), 1),
    "astype-round-trip": (lambda a: a.astype(np.float16).astype(a.dtype), 1),
    "sum": (lambda a: a.sum(axis=0), 1),
    "max": (lambda a: a.max(axis=-1), 1),
    "mean": (lambda a: a.mean(), 1),
    "matmul": (lambda a, b: a @ b.reshape(3, 1), 2),
    "reshape": (lambda a: a.reshape(3, 1), 1),
    "permute": (lambda a: a.reshape(1, 3).T, 1),
    "expand": (lambda a: a.expand(2, 3), 1),
    "getitem": (lambda a: a[[0, 0, 2]], 1),
    "getitem-mask": (lambda a: a[np.array([True, False, True])], 1),
    "concatenate": (lambda a, b: tg.concatenate([a, b]), 2),
    "stack": (lambda a, b: tg.stack([a, b], axis=-1), 2),
    "softmax-cross-entropy": (lambda a: ops.SoftmaxCrossEntropy.apply(a.reshape(1, 3), targets=np.array([1])), 1),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(DTYPE_CASES))
def test_every_primitive_keeps_the_input_dtype_in_outputs_and_gradients(name, dtype):
    fn, arity = DTYPE_CASES[name]
    inputs = [leaf([0.5, 1.25, 2.0], dtype=dtype), leaf([1.5, 0.75, 3.0], dtype=dtype)][:arity]
    out = fn(*inputs)
    assert out.dtype == dtype
    out.backward(gradient=np.ones(out.shape, dtype=dtype))
    for position, tensor in enumerate(inputs):
        assert tensor.grad is not None, f"input {position} got no gradient"
        assert tensor.grad.dtype == dtype, f"gradient of input {position} is {tensor.grad.dtype}"


def test_python_floats_become_float32_and_ints_int64_as_in_pytorch():
    assert Tensor(3.0).dtype == np.float32
    assert Tensor(3).dtype == np.int64
    assert Tensor(True).dtype == np.bool_


def test_python_lists_infer_float32_int64_or_bool():
    assert Tensor([1, 2, 3]).dtype == np.int64  # valid class labels, as torch.tensor([1, 2, 3])
    assert Tensor([1, 2.5]).dtype == np.float32
    assert Tensor([[0.5, 1.5]]).dtype == np.float32
    assert Tensor([True, False]).dtype == np.bool_


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64, np.bool_])
def test_numpy_arrays_keep_their_dtype(dtype):
    assert Tensor(np.zeros(3, dtype=dtype)).dtype == dtype


def test_python_scalar_operands_take_the_tensor_float_dtype():
    x = leaf([1.0, 2.0], dtype=np.float32)
    for out in (x + 2.5, 2.5 - x, x * 3, 1 / x, x**2, 2**x):
        assert out.dtype == np.float32


def test_gradient_has_the_leaf_dtype_even_when_combined_with_a_float64_array():
    """NumPy promotes float32 * float64 to float64 in the forward pass; the gradient that lands on a
    float32 leaf must still be float32 (as in PyTorch), or an optimizer step would silently promote
    the parameter."""
    x = leaf([1.0, 2.0], dtype=np.float32)
    (x * np.array([3.0, 4.0])).sum().backward()
    assert x.grad.dtype == np.float32


def test_writing_into_an_output_that_its_op_reads_in_backward_is_refused():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x.exp()  # exp's backward reads its own output
    with pytest.raises(ValueError, match="read-only"):
        y.detach().numpy()[0] = 5.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), np.exp([1.0, 2.0]))
    y.detach().numpy()[0] = 5.0  # writable again once backward released the graph


# ---------------------------------------------------------------- float32 in, float32 everywhere


def _every_function_class() -> list[type]:
    found, stack = [], [tg.autograd.Primitive]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            stack.append(sub)
    return found


def _graph_tensors(root: Tensor) -> list[Tensor]:
    """Every tensor the graph of ``root`` holds: made by ops, leaves and constants alike."""
    seen, stack, found = set(), [root], []
    while stack:
        tensor = stack.pop()
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        found.append(tensor)
        if tensor._node is not None:
            stack.extend(tensor._node.parents)
    return found


FLOAT32_GRAPHS = {
    "mlp-composed-ce": lambda x, w: F.cross_entropy((x @ w[0] + w[1]).relu() @ w[2] + w[3], np.array([0, 2, 1, 0])),
    "mlp-fused-ce": lambda x, w: F.softmax_cross_entropy_fused(
        (x @ w[0] + w[1]).relu() @ w[2] + w[3], np.array([0, 2, 1, 0])
    ),
    "batch-of-one": lambda x, w: F.cross_entropy((x[:1] @ w[0] + w[1]).tanh() @ w[2] + w[3], np.array([2])),
    "mse-on-sigmoid": lambda x, w: F.mse_loss(
        ((x @ w[0] + w[1]).sigmoid() @ w[2] + w[3]).sigmoid(), np.eye(3, dtype=np.float32)[[0, 2, 1, 0]]
    ),
    "soft-targets-and-scalars": lambda x, w: F.cross_entropy(
        (2.0 * (x @ w[0]) - 1 + w[1]).relu() @ w[2] / 3 + w[3] ** 2, np.full((4, 3), 1 / 3)
    ),
    "bce-softmax-logsumexp": lambda x, w: (
        F.binary_cross_entropy_with_logits(x @ w[0], np.ones((4, 5)))
        + F.softmax(x @ w[0]).max()
        + F.logsumexp(x @ w[0] + w[1]).mean()
        + (x @ w[0]).abs().sqrt().sum() * 0.5
    ),
}


@pytest.mark.parametrize("name", list(FLOAT32_GRAPHS))
def test_float32_in_means_float32_in_every_forward_value_and_every_backward_gradient(name, monkeypatch):
    """Leaf gradients are cast to the leaf's dtype, which would hide an upcast inside backward; so
    every gradient that any backward rule returns is recorded and checked, not only the leaves'."""
    returned: list[tuple[str, np.dtype]] = []
    for cls in _every_function_class():
        if "backward" in vars(cls):

            def recording(self, grad, *args, _original=vars(cls)["backward"], **kwargs):
                result = _original(self, grad, *args, **kwargs)
                returned.extend((self.name, np.asarray(g).dtype) for g in result if g is not None)
                return result

            monkeypatch.setattr(cls, "backward", recording)
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 6)).astype(np.float32))
    weights = [
        Tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
        for shape in [(6, 5), (5,), (5, 3), (3,)]
    ]
    loss = FLOAT32_GRAPHS[name](x, weights)
    upcast = [
        (t._node.name if t._node else t.name or "leaf", t.dtype) for t in _graph_tensors(loss) if t.dtype != np.float32
    ]
    assert not upcast, f"forward values that are not float32: {upcast}"
    loss.backward()
    assert returned, "no backward rule ran"
    assert not [r for r in returned if r[1] != np.float32], f"gradients that are not float32: {returned}"
    assert weights[0].grad.dtype == np.float32 and all(w.grad is None or w.grad.dtype == np.float32 for w in weights)


# ---------------------------------------------------------------- nothing outlives a step


def test_training_steps_free_every_graph_without_the_cycle_collector_and_leave_no_frozen_arrays():
    """Memory cannot grow across epochs: after backward and the update, the loss, every intermediate
    tensor and every node are freed by reference counting alone (no cycles), and no array stays
    registered as frozen. Evaluation under no_grad records nothing at all."""
    import gc
    import weakref

    from tinygrad_sm import nn, optim

    rng = np.random.default_rng(0)
    model = nn.MLP([6, 5, 3], generator=rng)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = rng.standard_normal((8, 6)).astype(np.float32), np.arange(8) % 3
    frozen_before = dict(tg.autograd._frozen_counts)  # whatever other tests still hold
    gc.disable()
    try:
        for _ in range(3):
            hidden = model.layers[0](Tensor(x))
            loss = F.cross_entropy(model.layers[2](model.layers[1](hidden)), y)
            refs = [weakref.ref(t) for t in (hidden, loss)]
            opt.zero_grad()
            loss.backward()
            opt.step()
            del hidden, loss
            assert [r() for r in refs] == [None, None], "a graph outlived its step"
            assert tg.autograd._frozen_counts == frozen_before, "arrays left frozen after backward"
        with tg.no_grad():
            logits = model(Tensor(x))
        assert logits._node is None and not logits.requires_grad
        assert tg.autograd._frozen_counts == frozen_before
    finally:
        gc.enable()


def test_a_graph_dropped_without_backward_unfreezes_its_arrays():
    frozen_before = dict(tg.autograd._frozen_counts)
    x = leaf([1.0, 2.0, 3.0])
    loss = (x * x).exp().sum()
    assert not x.detach().numpy().flags.writeable and len(tg.autograd._frozen_counts) > len(frozen_before)
    del loss
    assert tg.autograd._frozen_counts == frozen_before and x.detach().numpy().flags.writeable
