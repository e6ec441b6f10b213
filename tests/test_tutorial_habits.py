"""The PyTorch habits the beginner tutorials rely on that tinygrad_sm lacked (found by tests/test_tutorial_code.py),
each as a class: out= and input= on every torch.<op>, a tensor as a Python index, a 0-d scatter index, the
legacy tensor types, grad_fn types named as PyTorch names them, next_functions in PyTorch's order for
`2 * x`, in-place shape changes, state_dict values as tensors. Expected values are PyTorch 2.x's."""

from __future__ import annotations

import pytest

import tinygrad_sm as tg


def test_loss_modules_take_the_legacy_size_average_and_reduce_with_a_warning():
    # older "learning PyTorch with examples" write MSELoss(size_average=False); PyTorch still maps it
    cases = [
        (tg.nn.MSELoss, {"size_average": False}, "sum"),
        (tg.nn.MSELoss, {"size_average": True}, "mean"),
        (tg.nn.CrossEntropyLoss, {"reduce": False}, "none"),
        (tg.nn.NLLLoss, {"size_average": False, "reduce": True}, "sum"),
        (tg.nn.BCELoss, {"reduce": False, "size_average": False}, "none"),
        (tg.nn.SmoothL1Loss, {"size_average": False}, "sum"),
    ]
    for cls, legacy, meant in cases:
        with pytest.warns(UserWarning, match=f"reduction='{meant}'"):
            assert cls(**legacy).reduction == meant
    with pytest.warns(UserWarning):
        loss = tg.nn.MSELoss(size_average=False)(tg.ones(3), tg.zeros(3))
    assert loss.item() == 3.0
