"""Issue 27's tensor probes: the fused and composed cross-entropy agree on an empty batch; every axis
argument is checked by one validator, as PyTorch checks it (a bool or a float is refused naming the
argument, an axis out of range is an IndexError that is also NumPy's ValueError); an empty index list
selects nothing, as in NumPy."""

import warnings

import numpy as np
import pytest

import tinygrad_sm as tg
import tinygrad_sm.functional as F
from tinygrad_sm import Tensor

# ---------------------------------------------------------------- cross-entropy on an empty batch
# PyTorch 2.x: F.cross_entropy(torch.zeros(0, 3), torch.zeros(0, dtype=long)) is nan (mean), 0 (sum),
# an empty tensor (none); with probability targets (0, 3) the same; the gradient is zeros of (0, 3).

TARGETS = {"labels": np.zeros(0, dtype=np.int64), "probabilities": np.zeros((0, 3))}


@pytest.mark.parametrize("kind", list(TARGETS))
@pytest.mark.parametrize("loss", [F.cross_entropy, F.softmax_cross_entropy_fused], ids=["composed", "fused"])
def test_cross_entropy_of_an_empty_batch_is_nan_with_a_zero_size_gradient(loss, kind):
    logits = Tensor(np.zeros((0, 3)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from a 0/0 either
        value = loss(logits, TARGETS[kind])
        value.backward()
    assert np.isnan(value.item())
    assert logits.grad.shape == (0, 3)


@pytest.mark.parametrize("kind", list(TARGETS))
def test_fused_and_composed_agree_on_an_empty_batch(kind):
    fused = F.softmax_cross_entropy_fused(
        Tensor(np.zeros((0, 5))), TARGETS[kind].reshape(0, *([5] * (kind != "labels")))
    )
    composed = F.cross_entropy(Tensor(np.zeros((0, 5))), TARGETS[kind].reshape(0, *([5] * (kind != "labels"))))
    assert np.isnan(fused.item()) and np.isnan(composed.item())


@pytest.mark.parametrize("kind", list(TARGETS))
def test_summed_cross_entropy_of_an_empty_batch_is_zero(kind):
    logits = Tensor(np.zeros((0, 3)), requires_grad=True)
    total = F.cross_entropy(logits, TARGETS[kind], reduction="sum")
    total.backward()
    assert total.item() == 0 and logits.grad.shape == (0, 3)
    assert F.cross_entropy(logits, TARGETS[kind], reduction="none").shape == (0,)


def test_fused_cross_entropy_still_matches_the_composite_on_a_batch():
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    a, b = Tensor(logits, requires_grad=True), Tensor(logits, requires_grad=True)
    F.softmax_cross_entropy_fused(a, labels).backward()
    F.cross_entropy(b, labels).backward()
    np.testing.assert_allclose(a.grad._data, b.grad._data, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- one axis validator

T = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
TAKES_AN_AXIS = {
    "sum": lambda a: T.sum(a),
    "sum(dim=)": lambda a: T.sum(dim=a),
    "sum(axis=)": lambda a: T.sum(axis=a),
    "np.sum": lambda a: np.sum(T, axis=a),
    "mean": lambda a: T.mean(a),
    "np.mean": lambda a: np.mean(T, axis=a),
    "max": lambda a: T.max(a),
    "min(dim=)": lambda a: T.min(dim=a),
    "prod": lambda a: T.prod(a),
    "var": lambda a: T.var(a),
    "cumsum": lambda a: T.cumsum(a),
    "softmax": lambda a: T.softmax(a),
    "log_softmax": lambda a: F.log_softmax(T, a),
    "argmax": lambda a: T.argmax(a),
    "any": lambda a: T.any(a),
    "all": lambda a: T.all(a),
    "flip": lambda a: T.flip(a),
    "squeeze": lambda a: T.squeeze(a),
    "unsqueeze": lambda a: T.unsqueeze(a),
    "transpose": lambda a: T.transpose(a, 0),
    "swapaxes": lambda a: T.swapaxes(a, 0),
    "permute": lambda a: T.permute(a, 0),
    "cat": lambda a: tg.cat([T, T], a),
    "stack": lambda a: tg.stack([T, T], a),
    "sort": lambda a: T.sort(a),
    "topk": lambda a: T.topk(1, a),
    "split": lambda a: T.split(1, a),
    "roll": lambda a: T.roll(1, a),
    "gather": lambda a: T.gather(a, Tensor(np.zeros((2, 3), dtype=np.int64))),
    "np.cumsum": lambda a: np.cumsum(T, axis=a),
    "np.concatenate": lambda a: np.concatenate([T, T], axis=a),
    "np.stack": lambda a: np.stack([T, T], axis=a),
    "np.flip": lambda a: np.flip(T, axis=a),
    "np.moveaxis": lambda a: np.moveaxis(T, a, 0),
    "np.expand_dims": lambda a: np.expand_dims(T, a),
    "np.squeeze": lambda a: np.squeeze(T, axis=a),
    "np.var": lambda a: np.var(T, axis=a),
    "np.linalg.norm": lambda a: np.linalg.norm(T, axis=a),
    "np.diff": lambda a: np.diff(T, axis=a),
    "np.repeat": lambda a: np.repeat(T, 2, axis=a),
    "np.roll": lambda a: np.roll(T, 1, axis=a),
}


@pytest.mark.parametrize("op", list(TAKES_AN_AXIS))
@pytest.mark.parametrize("flag", [True, False, np.True_])
def test_a_bool_is_not_an_axis(op, flag):
    with pytest.raises(TypeError, match=r"(dim|axis|dims) must be an integer, got the bool"):
        TAKES_AN_AXIS[op](flag)


@pytest.mark.parametrize("op", list(TAKES_AN_AXIS))
@pytest.mark.parametrize("value", [1.0, np.float64(0.0)])
def test_a_float_is_not_an_axis_and_the_message_names_the_argument(op, value):
    with pytest.raises(TypeError, match=r"(dim|axis|dims) must be an integer \(or a tuple of integers\), got a float"):
        TAKES_AN_AXIS[op](value)


@pytest.mark.parametrize("op", [name for name in TAKES_AN_AXIS if name not in ("unsqueeze", "np.expand_dims")])
def test_an_axis_out_of_range_is_an_index_error_and_a_value_error(op):
    with pytest.raises(IndexError, match="out of (range|bounds)") as raised:
        TAKES_AN_AXIS[op](5)
    assert isinstance(raised.value, (ValueError, IndexError))
    assert "5" in str(raised.value)


def test_an_axis_in_a_tuple_is_checked_too():
    with pytest.raises(TypeError, match=r"got the bool True in \(0, True\)"):
        T.sum((0, True))
    with pytest.raises(ValueError, match="names an axis more than once"):
        T.sum((0, -2))
    assert T.sum((0, 1)).item() == 15.0


def test_integer_axes_of_every_spelling_still_work():
    assert T.sum(np.int64(1)).shape == (2,)
    assert T.sum(dim=-1).shape == (2,) and T.mean(axis=0).shape == (3,)
    assert T.transpose(0, 1).shape == (3, 2) and T.swapaxes(np.int32(1), 0).shape == (3, 2)
    assert Tensor(np.float64(3.0)).sum(0).item() == 3.0  # a 0-d tensor takes dim 0 and -1, as PyTorch


# ---------------------------------------------------------------- empty index lists, as NumPy


@pytest.mark.parametrize(
    "index",
    [[], [[]], [[], []], (slice(None), []), ([],), np.array([], dtype=np.int64)],
    ids=["[]", "[[]]", "[[], []]", "[:, []]", "([],)", "int array"],
)
def test_an_empty_index_list_selects_nothing_as_numpy(index):
    values = np.arange(6.0).reshape(2, 3)
    x = Tensor(values, requires_grad=True)
    picked = x[index]
    assert picked.shape == values[index].shape
    picked.sum().backward()
    assert x.grad.shape == (2, 3) and not x.grad._data.any()


def test_setting_through_an_empty_index_list_changes_nothing():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    x[[]] = 7.0
    assert x._data.sum() == 15.0
