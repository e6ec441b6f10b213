"""Hostile inputs: unsupported dtypes, bools into float ops, nan/inf into the losses.
(Checkpoint hostility is tested elsewhere; IDX files in tests/test_data.py.)"""

import numpy as np
import pytest

from tinygrad_sm import Tensor
from tinygrad_sm.functional import cross_entropy, mse_loss, softmax, softmax_cross_entropy_fused


@pytest.mark.parametrize(
    "data, dtype_name",
    [
        (np.array([1, "a"], dtype=object), "object"),
        (np.array(["a", "b"]), "<U1"),
        (np.array([1 + 2j]), "complex128"),
        (["x", "y"], "<U1"),
    ],
)
def test_unsupported_dtypes_rejected_naming_dtype(data, dtype_name):
    with pytest.raises(TypeError, match=dtype_name):
        Tensor(data)


def test_complex_message_says_complex():
    with pytest.raises(TypeError, match="complex"):
        Tensor(np.array([1j]))


@pytest.mark.parametrize("op", ["exp", "log", "sqrt"])
def test_bool_into_float_ops_gives_the_default_float_as_pytorch(op):
    t = Tensor(np.array([True, False]))
    out = getattr(t, op)()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, getattr(np, op)(np.array([1.0, 0.0], dtype=np.float32)))


def test_bool_negation_is_type_error():
    with pytest.raises(TypeError):
        -Tensor(np.array([True, False]))


@pytest.mark.parametrize("loss", [cross_entropy, softmax_cross_entropy_fused])
@pytest.mark.parametrize("rows", [3, 600])  # 600 rows: the row maxima come from the column-wise path
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_cross_entropy_rejects_nan_and_pos_inf_naming_index(bad, rows, loss):
    logits = np.zeros((rows, 4))
    logits[2, 1] = bad
    with pytest.raises(ValueError, match=r"\(2, 1\)"):
        loss(Tensor(logits, requires_grad=True), np.arange(rows) % 4)


def test_cross_entropy_neg_inf_in_non_target_column_is_masked():
    logits = np.array([[0.0, -np.inf, 1.0], [2.0, 0.0, -np.inf]])
    x = Tensor(logits, requires_grad=True)
    loss = cross_entropy(x, np.array([0, 1]))
    # masked columns drop out of the softmax: the rows are 2-class problems
    expected = np.mean([np.log(1 + np.e) - 0.0, np.log(np.exp(2.0) + 1) - 0.0])
    np.testing.assert_allclose(loss.detach().numpy(), expected)
    loss.backward()
    assert np.isfinite(x.grad.detach().numpy()).all()
    assert x.grad.detach().numpy()[0, 1] == 0 and x.grad.detach().numpy()[1, 2] == 0


def test_mse_loss_with_nan_propagates_nan():
    pred = Tensor(np.array([1.0, np.nan, 3.0]), requires_grad=True)
    loss = mse_loss(pred, np.array([1.0, 2.0, 3.0]))
    assert np.isnan(loss.detach().numpy())
    loss.backward()
    assert (
        np.isnan(pred.grad.detach().numpy()[1])
        and pred.grad.detach().numpy()[0] == 0
        and pred.grad.detach().numpy()[2] == 0
    )


def test_cross_entropy_fully_masked_row_among_many_rows_leaves_the_other_rows_unchanged():
    # 600 rows take the column-wise row max; a fully masked row must still be found there
    logits = np.random.default_rng(0).standard_normal((600, 5))
    logits[7, :] = -np.inf
    keep = np.arange(600) != 7
    labels = np.arange(600) % 5
    x = Tensor(logits, requires_grad=True)
    loss = cross_entropy(x, labels, reduction="none")
    assert loss.detach().numpy()[7] == np.inf  # log Q = -inf for an empty row, minus z_y = -inf
    reference = cross_entropy(Tensor(logits[keep]), labels[keep], reduction="none")
    np.testing.assert_allclose(loss.detach().numpy()[keep], reference.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "loss",
    [
        lambda z: cross_entropy(z, np.array([0, 0])),
        lambda z: softmax_cross_entropy_fused(z, np.array([0, 0])),
        lambda z: softmax(z, axis=-1),
    ],
    ids=["cross_entropy", "fused", "softmax"],
)
def test_logits_with_no_classes_raise_a_clear_error_not_numpys(loss):
    with pytest.raises(ValueError, match=r"shape \(2, 0\) is undefined: that axis is empty .* at least one class"):
        loss(Tensor(np.zeros((2, 0)), requires_grad=True))
