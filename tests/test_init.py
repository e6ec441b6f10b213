"""nn.init and layer initialisation as PyTorch's: gains, fans, modes, in-place under no_grad, and the
drawn distributions (bounds, mean, variance over many draws). The bit-for-bit comparisons with
PyTorch are the init/ and layers/ cases of tests/random_cases.py (tests/test_random.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn
from tinygrad_sm.nn import init


def test_calculate_gain_values():
    assert (
        init.calculate_gain("linear") == 1
        and init.calculate_gain("conv2d") == 1
        and init.calculate_gain("sigmoid") == 1
    )
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("softmax")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "big")


def test_fans_of_linear_and_conv_weights():
    assert init._calculate_fan_in_and_fan_out(tg.zeros(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(tg.zeros(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(tg.zeros(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(tg.zeros(5, 3), mode="fan_avg")


def test_initialisers_act_in_place_under_no_grad_and_return_the_tensor():
    weight = tg.zeros(20, 10, requires_grad=True)
    for function in (init.kaiming_uniform_, init.kaiming_normal_, init.xavier_uniform_, init.xavier_normal_,
                     init.normal_, init.uniform_, init.ones_, init.zeros_, init.trunc_normal_, init.orthogonal_):  # fmt: skip
        assert function(weight) is weight
        assert weight.requires_grad and weight.grad_fn is None if hasattr(weight, "grad_fn") else True
    assert init.constant_(weight, 0.25) is weight and (weight._data == 0.25).all()
    assert init.eye_(tg.zeros(3, 4))._data.tolist()[0] == [1, 0, 0, 0]


def _std(tensor):
    return float(tensor._data.astype(np.float64).std())


def test_kaiming_and_xavier_spreads_follow_the_formulas():
    g = tg.Generator().manual_seed(0)
    w = tg.zeros(400, 500)
    bound = math.sqrt(2) * math.sqrt(3 / 500)
    init.kaiming_uniform_(w, nonlinearity="relu", generator=g)
    assert np.abs(w._data).max() <= bound and np.abs(w._data).max() > 0.99 * bound
    assert _std(w) == pytest.approx(bound / math.sqrt(3), rel=0.01)
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", generator=g)
    assert _std(w) == pytest.approx(math.sqrt(2 / 400), rel=0.01) and abs(w._data.mean()) < 1e-3
    init.xavier_uniform_(w, gain=2.0, generator=g)
    limit = 2.0 * math.sqrt(6 / 900)
    assert np.abs(w._data).max() <= limit and _std(w) == pytest.approx(limit / math.sqrt(3), rel=0.01)
    init.xavier_normal_(w, generator=g)
    assert _std(w) == pytest.approx(math.sqrt(2 / 900), rel=0.01)


def test_trunc_normal_stays_in_bounds_with_the_truncated_moments():
    g = tg.Generator().manual_seed(1)
    w = init.trunc_normal_(tg.zeros(200000), mean=0.0, std=1.0, a=-1.0, b=2.0, generator=g)
    assert w._data.min() >= -1.0 and w._data.max() <= 2.0
    # truncated normal mean: (phi(a) - phi(b)) / (Phi(b) - Phi(a))
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2
    assert w._data.mean() == pytest.approx((phi(-1) - phi(2)) / (cdf(2) - cdf(-1)), abs=0.01)
    narrow = init.trunc_normal_(tg.zeros(50000), mean=0.0, std=1.0, a=1.0, b=1.5, generator=g)  # rejection branch
    assert narrow._data.min() >= 1.0 and narrow._data.max() <= 1.5


def test_orthogonal_gives_orthonormal_rows_or_columns():
    wide = init.orthogonal_(tg.zeros(4, 9), gain=3.0)._data.astype(np.float64)
    np.testing.assert_allclose(wide @ wide.T, 9 * np.eye(4), atol=1e-4)
    tall = init.orthogonal_(tg.zeros(9, 4))._data.astype(np.float64)
    np.testing.assert_allclose(tall.T @ tall, np.eye(4), atol=1e-5)


def test_zero_element_tensors_warn_and_stay():
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(tg.zeros(0, 3))


def test_linear_draws_weight_and_bias_from_u_of_one_over_sqrt_fan_in():
    tg.manual_seed(0)
    weights, biases = [], []
    for _ in range(20):
        layer = nn.Linear(50, 40)
        weights.append(layer.weight._data.ravel())
        biases.append(layer.bias._data.ravel())
    w, b = np.concatenate(weights), np.concatenate(biases)
    bound = 1 / math.sqrt(50)
    for values in (w, b):
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.98 * bound
        assert abs(values.mean()) < 5 * bound / math.sqrt(3 * values.size)  # five standard errors
        assert values.astype(np.float64).var() == pytest.approx(bound**2 / 3, rel=0.15)
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad


def test_conv_fan_in_counts_the_kernel():
    tg.manual_seed(0)
    conv = nn.Conv2d(3, 64, 5)
    bound = 1 / math.sqrt(3 * 5 * 5)
    assert np.abs(conv.weight._data).max() <= bound and np.abs(conv.weight._data).max() > 0.99 * bound
    assert np.abs(conv.bias._data).max() <= bound
    assert conv.weight._data.astype(np.float64).var() == pytest.approx(bound**2 / 3, rel=0.05)
    grouped = nn.Conv1d(4, 8, 3, groups=2)
    assert np.abs(grouped.weight._data).max() <= 1 / math.sqrt(2 * 3)


def test_embedding_is_standard_normal_with_a_zero_padding_row():
    emb = nn.Embedding(1000, 64, padding_idx=3)
    values = np.delete(emb.weight._data, 3, axis=0).astype(np.float64)
    assert abs(values.mean()) < 0.02 and values.std() == pytest.approx(1.0, abs=0.02)
    assert (emb.weight._data[3] == 0).all()


def test_norm_layers_start_at_ones_and_zeros():
    bn = nn.BatchNorm1d(5)
    ln = nn.LayerNorm((2, 3))
    assert (bn.weight._data == 1).all() and (bn.bias._data == 0).all() and (bn.running_var._data == 1).all()
    assert (ln.weight._data == 1).all() and (ln.bias._data == 0).all()


def test_reset_parameters_redraws_as_pytorch():
    tg.manual_seed(4)
    layer = nn.Linear(6, 3)
    first = layer.weight._data.copy(), layer.bias._data.copy()
    tg.manual_seed(4)
    layer.reset_parameters()
    np.testing.assert_array_equal(layer.weight._data, first[0])
    np.testing.assert_array_equal(layer.bias._data, first[1])
    bn = nn.BatchNorm1d(2)
    with tg.no_grad():
        bn.weight.copy_(5.0)
        bn.running_mean.copy_(3.0)
    bn.reset_parameters()
    assert (bn.weight._data == 1).all() and (bn.running_mean._data == 0).all()


def test_named_schemes_remain_available():
    he = nn.Linear(1000, 300, init="he", generator=tg.Generator().manual_seed(0))
    assert _std(he.weight) == pytest.approx(math.sqrt(2 / 1000), rel=0.02) and (he.bias._data == 0).all()
    glorot = nn.Linear(300, 100, init="glorot")
    assert np.abs(glorot.weight._data).max() <= math.sqrt(6 / 400)
    with pytest.raises(ValueError, match="unknown init"):
        nn.Linear(3, 2, init="lecun")


def test_a_tutorial_two_layer_net_starts_like_pytorchs():
    """The issue's example: with PyTorch's init the tutorial's first loss is PyTorch's, not 300x off."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 1))
    x = tg.randn(64, 10)
    out = model(x)
    assert float(out._data.std()) < 1.0  # He-normal with zero bias gave outputs several times larger
