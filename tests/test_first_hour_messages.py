"""The messages a newcomer meets first with cross-entropy: each names what they hold and the fix for it."""

import numpy as np
import pytest

import tinygrad_sm as tg
import tinygrad_sm.functional as F

LOSSES = [F.cross_entropy, F.softmax_cross_entropy_fused, F.nll_loss]


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_float_labels_as_a_numpy_array_are_told_astype(loss):
    logits = tg.Tensor(np.zeros((2, 3), np.float32))
    with pytest.raises(TypeError, match=r"labels\.astype\(np\.int64\)") as caught:
        loss(logits, np.array([0.0, 2.0]))
    assert ".long()" not in str(caught.value)


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_float_labels_as_a_tensor_are_told_long(loss):
    logits = tg.Tensor(np.zeros((2, 3), np.float32))
    with pytest.raises(TypeError, match=r"labels\.long\(\)"):
        loss(logits, tg.Tensor(np.array([0.0, 2.0])))


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_too_many_labels_names_the_logits_shape_not_the_classes(loss):
    logits = tg.Tensor(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError) as caught:
        loss(logits, np.array([0, 1, 2]))
    message = str(caught.value)
    assert "(2, 3)" in message and "(2,)" in message and "got (3,)" in message
    assert "3 classes" not in message


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss], ids=lambda f: f.__name__)
def test_a_batch_of_single_scores_hints_at_n_by_c_logits_or_binary_loss(loss):
    logits = tg.Tensor(np.zeros(4, np.float32))  # one output per example: (N,) instead of (N, C)
    with pytest.raises(ValueError) as caught:
        loss(logits, np.array([0, 1, 1, 0]))
    message = str(caught.value)
    assert "(4, C)" in message and "binary_cross_entropy_with_logits" in message
