"""The new primitives (Erf, Log1p) and every functional composite: float64 finite differences over
hypothesis-drawn shapes (``tinygrad_sm.gradcheck``), the hand formula where there is one, and the
conventions at kinks that finite differences cannot see."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import SETTINGS, arrays, away_from_zero_arrays, positive_arrays, shapes

import tinygrad_sm as tg
import tinygrad_sm.functional as F
from tinygrad_sm import Tensor, gradcheck, ops

_erf = np.vectorize(math.erf)
erf, log1p = ops.Erf.apply, ops.Log1p.apply  # the Tensor methods arrive with the breadth ops' method table


def leaf(values) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def grad_of_sum(fn, values) -> np.ndarray:
    x = leaf(values)
    fn(x).sum().backward()
    return x.grad.detach().numpy()


# ---------------------------------------------------------------- primitives


@SETTINGS
@given(arrays(shapes(), -3.0, 3.0))
def test_erf_matches_math_erf_and_passes_gradcheck(values):
    np.testing.assert_allclose(erf(Tensor(values)).detach().numpy(), _erf(values), rtol=1e-15, atol=1e-16)
    assert gradcheck(erf, values)
    np.testing.assert_allclose(grad_of_sum(erf, values), 2 / np.sqrt(np.pi) * np.exp(-(values**2)))


@SETTINGS
@given(arrays(shapes(), -0.9, 3.0))
def test_log1p_matches_numpy_and_passes_gradcheck(values):
    np.testing.assert_array_equal(log1p(Tensor(values)).detach().numpy(), np.log1p(values))
    assert gradcheck(log1p, values)
    np.testing.assert_allclose(grad_of_sum(log1p, values), 1 / (1 + values))


def test_erf_second_derivative_through_create_graph():
    x = leaf([0.3, -1.2])
    (first,) = tg.grad([erf(x).sum()], [x], create_graph=True)
    (second,) = tg.grad([first.sum()], [x])
    np.testing.assert_allclose(
        second.detach().numpy(),
        -4 * x.detach().numpy() / np.sqrt(np.pi) * np.exp(-(x.detach().numpy() ** 2)),
        rtol=1e-12,
    )


def test_erf_keeps_float32():
    assert erf(Tensor(np.ones(3, np.float32))).dtype == np.float32


# ---------------------------------------------------------------- activations

ACTIVATIONS = {
    "leaky_relu": lambda x: F.leaky_relu(x, 0.1),
    "elu": lambda x: F.elu(x, 0.7),
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, "tanh"),
    "silu": F.silu,
    "softplus": lambda x: F.softplus(x, beta=1.5, threshold=4.0),
    "hardtanh": lambda x: F.hardtanh(x, -0.6, 1.3),
    "log_sigmoid": F.log_sigmoid,
}
# the hand formulas of the derivatives, away from kinks
DERIVATIVES = {
    "leaky_relu": lambda x: np.where(x > 0, 1.0, 0.1),
    "elu": lambda x: np.where(x > 0, 1.0, 0.7 * np.exp(x)),
    "gelu": lambda x: 0.5 * (1 + _erf(x / np.sqrt(2))) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi),
    "silu": lambda x: (1 / (1 + np.exp(-x))) * (1 + x * (1 - 1 / (1 + np.exp(-x)))),
    "softplus": lambda x: np.where(1.5 * x > 4.0, 1.0, 1 / (1 + np.exp(-1.5 * x))),
    "hardtanh": lambda x: ((x > -0.6) & (x < 1.3)).astype(float),
    "log_sigmoid": lambda x: 1 - 1 / (1 + np.exp(-x)),
}


def _away_from_kinks(values: np.ndarray) -> np.ndarray:
    """Move values off the kinks (0, the hardtanh limits, the softplus threshold) by at least 0.05."""
    moved = values.copy()
    for kink in (0.0, -0.6, 1.3, 4.0 / 1.5):
        close = np.abs(moved - kink) < 0.05
        moved[close] = kink + 0.1
    return moved


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@SETTINGS
@given(values=arrays(shapes(), -4.0, 4.0))
def test_activation_passes_gradcheck_and_matches_its_derivative(name, values):
    values = _away_from_kinks(values)
    assert gradcheck(ACTIVATIONS[name], values, name=name)
    if name in DERIVATIVES:
        np.testing.assert_allclose(
            grad_of_sum(ACTIVATIONS[name], values), DERIVATIVES[name](values), rtol=1e-10, atol=1e-12
        )


def test_activation_gradients_at_their_kinks_are_pytorchs():
    at_zero = np.array([0.0])
    assert grad_of_sum(F.leaky_relu, at_zero) == [0.01]
    assert grad_of_sum(lambda x: F.elu(x, 2.0), at_zero) == [2.0]
    assert grad_of_sum(F.softplus, at_zero) == [0.5]
    assert grad_of_sum(F.log_sigmoid, at_zero) == [0.5]
    np.testing.assert_array_equal(grad_of_sum(F.hardtanh, np.array([-1.0, 1.0, 0.999])), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(
        grad_of_sum(lambda x: F.softplus(x, beta=2.0, threshold=5.0), np.array([2.5, 2.5001]))[1], 1.0
    )


def test_activations_of_huge_inputs_are_finite_with_finite_gradients():
    huge = np.array([-1e4, -50.0, 50.0, 1e4])
    for name, fn in ACTIVATIONS.items():
        with np.errstate(over="raise", invalid="raise"):
            x = leaf(huge)
            out = fn(x)
            out.sum().backward()
        assert np.isfinite(out.detach().numpy()).all() and np.isfinite(x.grad.detach().numpy()).all(), name


def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(Tensor([1.0]), "fast")


# ---------------------------------------------------------------- losses

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


@SETTINGS
@given(st.data())
def test_regression_losses_pass_gradcheck_in_input_and_target(data):
    shape = data.draw(shapes(min_dims=1))
    target = data.draw(arrays(shape))
    difference = data.draw(away_from_zero_arrays(shape, margin=0.05))
    reduction = data.draw(REDUCTIONS)
    beta = data.draw(st.sampled_from([0.5, 1.0]))
    # keep |difference| off the switch points +-beta and +-delta, where the second derivative jumps
    difference = np.where(np.abs(np.abs(difference) - beta) < 0.05, difference * 1.2, difference)
    prediction = target + difference
    for name, fn in [
        ("l1_loss", lambda p, t: F.l1_loss(p, t, reduction)),
        ("smooth_l1_loss", lambda p, t: F.smooth_l1_loss(p, t, reduction, beta=beta)),
        ("huber_loss", lambda p, t: F.huber_loss(p, t, reduction, delta=beta)),
    ]:
        assert gradcheck(fn, prediction, target, name=name)


def test_l1_gradient_is_sign_and_zero_at_equality():
    np.testing.assert_array_equal(
        grad_of_sum(lambda p: F.l1_loss(p, np.array([1.0, 1.0, 1.0]), "none"), np.array([0.0, 1.0, 2.0])),
        [-1.0, 0.0, 1.0],
    )


def test_smooth_l1_with_beta_zero_is_l1_and_huber_is_delta_times_smooth_l1():
    prediction, target = Tensor(np.array([0.2, -3.0, 1.5])), np.array([0.0, 0.0, 0.0])
    np.testing.assert_allclose(
        F.smooth_l1_loss(prediction, target, "none", beta=0.0).detach().numpy(),
        F.l1_loss(prediction, target, "none").detach().numpy(),
    )
    np.testing.assert_allclose(
        F.huber_loss(prediction, target, "none", delta=0.5).detach().numpy(),
        0.5 * F.smooth_l1_loss(prediction, target, "none", beta=0.5).detach().numpy(),
    )


@SETTINGS
@given(st.data())
def test_kl_div_passes_gradcheck_in_both_conventions(data):
    rows, classes = data.draw(st.integers(1, 3)), data.draw(st.integers(2, 4))
    log_q = F.log_softmax(Tensor(data.draw(arrays((rows, classes))))).detach().numpy()
    log_p = F.log_softmax(Tensor(data.draw(arrays((rows, classes))))).detach().numpy()
    reduction = data.draw(st.sampled_from(["mean", "sum", "none", "batchmean"]))
    assert gradcheck(lambda q, p: F.kl_div(q, p, reduction), log_q, np.exp(log_p))
    assert gradcheck(lambda q, p: F.kl_div(q, p, reduction, log_target=True), log_q, log_p)


def test_kl_div_batchmean_is_the_kl_divergence_per_example():
    p = np.array([[0.2, 0.8], [0.5, 0.5]])
    q = np.array([[0.6, 0.4], [0.1, 0.9]])
    expected = (p * np.log(p / q)).sum() / 2
    np.testing.assert_allclose(F.kl_div(Tensor(np.log(q)), p, "batchmean").item(), expected, rtol=1e-12)


def test_kl_div_zero_probability_contributes_zero_without_nan():
    log_q = leaf(np.log([[0.5, 0.5]]))
    loss = F.kl_div(log_q, np.array([[0.0, 1.0]]), "sum")
    loss.backward()
    np.testing.assert_allclose(loss.item(), np.log(2.0))
    np.testing.assert_array_equal(log_q.grad.detach().numpy(), [[0.0, -1.0]])


@pytest.mark.parametrize("fn", [F.l1_loss, F.smooth_l1_loss, F.huber_loss, F.kl_div])
def test_losses_refuse_mismatched_shapes_and_unknown_reductions(fn):
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        fn(Tensor(np.zeros(3)), np.zeros(2))
    with pytest.raises(ValueError, match="reduction"):
        fn(Tensor(np.zeros(3)), np.zeros(3), reduction="average")


def test_one_hot_values_dtype_and_errors():
    np.testing.assert_array_equal(F.one_hot(np.array([2, 0]), 3).detach().numpy(), [[0, 0, 1], [1, 0, 0]])
    assert F.one_hot(Tensor(np.array([1, 3])), -1).shape == (2, 4)
    assert F.one_hot(np.array([0]), 2).dtype == np.int64
    with pytest.raises(ValueError, match="label 3 at index \\(1,\\)"):
        F.one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match="label -1"):
        F.one_hot(np.array([-1]), 3)
    with pytest.raises(TypeError, match="integers"):
        F.one_hot(np.array([0.0]), 3)


# ---------------------------------------------------------------- norm, embedding, dropout


@SETTINGS
@given(st.data())
def test_layer_norm_passes_gradcheck_in_input_weight_and_bias(data):
    shape = data.draw(shapes(min_dims=1, min_side=2))
    trailing = data.draw(st.integers(1, len(shape)))
    normalized = shape[len(shape) - trailing :]
    x = data.draw(arrays(shape, -3.0, 3.0))
    x = x + np.linspace(0, 1, x.size).reshape(shape)  # no constant slice: its variance would be ~0
    weight, bias = data.draw(arrays(normalized)), data.draw(arrays(normalized))
    assert gradcheck(lambda a, w, b: F.layer_norm(a, normalized, w, b), x, weight, bias, atol=1e-5)
    out = F.layer_norm(Tensor(x), normalized).detach().numpy()
    axes = tuple(range(len(shape) - trailing, len(shape)))
    expected = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + 1e-5)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)


@SETTINGS
@given(st.data())
def test_batch_norm_passes_gradcheck_in_training_and_eval(data):
    batch, channels = data.draw(st.integers(2, 4)), data.draw(st.integers(1, 3))
    extra = data.draw(st.lists(st.integers(1, 3), max_size=2))
    shape = (batch, channels, *extra)
    x = data.draw(arrays(shape, -3.0, 3.0)) + np.linspace(0, 1, int(np.prod(shape))).reshape(shape)
    weight, bias = data.draw(arrays((channels,))), data.draw(arrays((channels,)))
    mean, var = data.draw(arrays((channels,))), data.draw(positive_arrays((channels,)))
    assert gradcheck(lambda a, w, b: F.batch_norm(a, None, None, w, b, training=True), x, weight, bias, atol=1e-5)
    assert gradcheck(lambda a, w, b: F.batch_norm(a, Tensor(mean), Tensor(var), w, b), x, weight, bias)


def test_batch_norm_updates_running_stats_with_the_unbiased_variance():
    x = np.array([[1.0, 10.0], [3.0, 14.0], [5.0, 12.0]])
    mean, var = Tensor(np.zeros(2)), Tensor(np.ones(2))
    F.batch_norm(Tensor(x), mean, var, training=True, momentum=0.25)
    np.testing.assert_allclose(mean.detach().numpy(), 0.25 * x.mean(0))
    np.testing.assert_allclose(var.detach().numpy(), 0.75 + 0.25 * x.var(0, ddof=1))


def test_batch_norm_refuses_one_value_per_channel_when_training_and_missing_stats_in_eval():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(Tensor(np.zeros((1, 3))), None, None, training=True)
    with pytest.raises(ValueError, match="running_mean and running_var"):
        F.batch_norm(Tensor(np.zeros((2, 3))), None, None, training=False)
    with pytest.raises(ValueError, match=r"running_mean must have shape \(3,\)"):
        F.batch_norm(Tensor(np.zeros((2, 3))), Tensor(np.zeros(2)), Tensor(np.ones(3)))


def test_layer_norm_refuses_a_shape_that_is_not_trailing():
    with pytest.raises(ValueError, match="trailing"):
        F.layer_norm(Tensor(np.zeros((2, 3))), (2,))


@SETTINGS
@given(st.data())
def test_embedding_gradient_adds_into_the_rows_picked(data):
    count, dim = data.draw(st.integers(2, 5)), data.draw(st.integers(1, 3))
    indices = np.array(data.draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=6)))
    weight = data.draw(arrays((count, dim)))
    assert gradcheck(lambda w: F.embedding(indices, w), weight)
    w = leaf(weight)
    F.embedding(indices, w).sum().backward()
    np.testing.assert_array_equal(w.grad.detach().numpy()[:, 0], np.bincount(indices, minlength=count))


def test_embedding_padding_row_gets_no_gradient_and_bad_indices_raise():
    w = leaf(np.arange(8.0).reshape(4, 2))
    out = F.embedding(np.array([[1, 3], [3, 0]]), w, padding_idx=3)
    np.testing.assert_array_equal(out.detach().numpy()[0, 1], [6.0, 7.0])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.detach().numpy(), [[1, 1], [1, 1], [0, 0], [0, 0]])
    with pytest.raises(IndexError, match="index 4 at position \\(1,\\)"):
        F.embedding(np.array([0, 4]), w)
    with pytest.raises(IndexError, match="index -1"):
        F.embedding(np.array([-1]), w)


def test_dropout_is_seedable_unbiased_and_its_gradient_is_the_mask():
    x = leaf(np.ones((200, 50)))
    first = F.dropout(x, 0.3, generator=np.random.default_rng(7))
    again = F.dropout(x, 0.3, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(first.detach().numpy(), again.detach().numpy())
    kept = first.detach().numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(first.detach().numpy()[kept], 1 / 0.7)
    first.sum().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), kept / 0.7)


def test_dropout_off_in_eval_and_at_p_zero_and_zeros_at_p_one():
    x = Tensor(np.ones(5))
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).detach().numpy(), np.zeros(5))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)
