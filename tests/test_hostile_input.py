"""Hostile inputs: unsupported dtypes, bools into float ops, nan/inf into the losses.
(Checkpoint hostility is tested elsewhere; IDX files in tests/test_data.py.)"""
import numpy as np
import pytest

from tinygrad_sm import Tensor
from tinygrad_sm.functional import cross_entropy, mse_loss


@pytest.mark.parametrize("data, dtype_name", [
    (np.array([1, "a"], dtype=object), "object"),
    (np.array(["a", "b"]), "<U1"),
    (np.array([1 + 2j]), "complex128"),
    (["x", "y"], "<U1"),
])
def test_unsupported_dtypes_rejected_naming_dtype(data, dtype_name):
    with pytest.raises(TypeError, match=dtype_name):
        Tensor(data)


def test_complex_message_says_complex():
    with pytest.raises(TypeError, match="complex"):
        Tensor(np.array([1j]))


@pytest.mark.parametrize("op", ["exp", "log", "sqrt"])
def test_bool_into_float_ops_is_type_error(op):
    t = Tensor(np.array([True, False]))
    with pytest.raises(TypeError, match="bool"):
        getattr(t, op)()


def test_bool_negation_is_type_error():
    with pytest.raises(TypeError):
        -Tensor(np.array([True, False]))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_cross_entropy_rejects_nan_and_pos_inf_naming_index(bad):
    logits = np.zeros((3, 4))
    logits[2, 1] = bad
    with pytest.raises(ValueError, match=r"\(2, 1\)"):
        cross_entropy(Tensor(logits, requires_grad=True), np.array([0, 1, 2]))


def test_cross_entropy_neg_inf_in_non_target_column_is_masked():
    logits = np.array([[0.0, -np.inf, 1.0], [2.0, 0.0, -np.inf]])
    x = Tensor(logits, requires_grad=True)
    loss = cross_entropy(x, np.array([0, 1]))
    # masked columns drop out of the softmax: the rows are 2-class problems
    expected = np.mean([np.log(1 + np.e) - 0.0, np.log(np.exp(2.0) + 1) - 0.0])
    np.testing.assert_allclose(loss.data, expected)
    loss.backward()
    assert np.isfinite(x.grad.data).all()
    assert x.grad.data[0, 1] == 0 and x.grad.data[1, 2] == 0


def test_mse_loss_with_nan_propagates_nan():
    pred = Tensor(np.array([1.0, np.nan, 3.0]), requires_grad=True)
    loss = mse_loss(pred, np.array([1.0, 2.0, 3.0]))
    assert np.isnan(loss.data)
    loss.backward()
    assert np.isnan(pred.grad.data[1]) and pred.grad.data[0] == 0 and pred.grad.data[2] == 0
