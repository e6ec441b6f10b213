"""The PyTorch habits the beginner tutorials rely on that tinygrad_sm lacked (found by tests/test_tutorial_code.py),
each as a class: out= and input= on every torch.<op>, a tensor as a Python index, a 0-d scatter index, the
legacy tensor types, grad_fn types named as PyTorch names them, next_functions in PyTorch's order for
`2 * x`, in-place shape changes, state_dict values as tensors. Expected values are PyTorch 2.x's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_sm as tg

# ------------------------------------------------------------------------------------- out= and input=


@pytest.mark.parametrize(
    "name, args",
    [
        ("add", ([[1.0, 2.0]], [[3.0, 4.0]])),
        ("mul", ([[1.0, 2.0]], [[3.0, 4.0]])),
        ("sub", ([[1.0, 2.0]], [[3.0, 4.0]])),
        ("matmul", ([[1.0, 2.0]], [[3.0], [4.0]])),
        ("exp", ([[0.0, 1.0]],)),
        ("tanh", ([[0.5, -1.0]],)),
    ],
)
def test_out_receives_the_result_in_the_same_object_and_is_returned(name, args):
    tensors = [tg.tensor(a) for a in args]
    expected = getattr(tg, name)(*tensors)
    out = tg.zeros(*expected.shape)
    returned = getattr(tg, name)(*tensors, out=out)
    assert returned is out
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_out_casts_within_a_kind_and_refuses_float_into_int():
    out = tg.zeros(2, dtype=tg.float64)
    tg.add(tg.ones(2), tg.ones(2), out=out)
    assert out.dtype == np.float64 and out.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type int64"):
        tg.add(tg.ones(2), tg.ones(2), out=tg.zeros(2, dtype=tg.int64))


def test_out_refuses_autograd_and_resizes_with_a_warning():
    w = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        tg.mul(w, 2.0, out=tg.zeros(2))
    with tg.no_grad():
        assert tg.mul(w, 2.0, out=tg.zeros(2)).tolist() == [2.0, 2.0]
    out = tg.zeros(3)
    with pytest.warns(UserWarning, match="was resized"):
        tg.add(tg.ones(2, 2), 1.0, out=out)
    assert out.shape == (2, 2) and out.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    empty = tg.zeros(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty out is resized silently, as PyTorch
        tg.add(tg.ones(2), 1.0, out=empty)
    assert empty.tolist() == [2.0, 2.0]
    with pytest.raises(TypeError, match="out= must be a Tensor"):
        tg.add(tg.ones(2), 1.0, out=np.zeros(2))


def test_input_keyword_names_the_first_argument_of_every_function():
    g, x = tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0])
    assert tg.matmul(input=g, other=x).item() == 11.0
    assert tg.sum(input=x).item() == 7.0
    assert tg.exp(input=tg.zeros(1)).tolist() == [1.0]
    assert tg.add(input=g, other=x).tolist() == [4.0, 6.0]


# ---------------------------------------------------------------------------------- a tensor as an index


def test_a_one_element_integer_tensor_indexes_python_sequences():
    classes = ["cat", "dog", "bird"]
    logits = tg.tensor([[0.1, 0.2, 3.0]])
    assert classes[logits[0].argmax(0)] == "bird"
    assert classes[tg.tensor([1])] == "dog"  # one element of any shape, as PyTorch
    assert list(range(tg.tensor(3))) == [0, 1, 2]


@pytest.mark.parametrize("bad", [tg.tensor(1.0), tg.tensor([0, 1]), tg.tensor(True)])
def test_a_float_bool_or_several_element_tensor_is_not_an_index(bad):
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        ["a", "b"][bad]


# ------------------------------------------------------------------------------------------- scatter


def test_scatter_with_a_0d_index_on_a_1d_tensor_makes_a_one_hot():
    assert tg.zeros(4).scatter_(0, tg.tensor(2), value=1).tolist() == [0.0, 0.0, 1.0, 0.0]
    assert tg.zeros(4).scatter(0, tg.tensor(1), tg.tensor(5.0)).tolist() == [0.0, 5.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="index has 0 dimensions"):
        tg.zeros(2, 4).scatter_(0, tg.tensor(1), value=1)  # PyTorch refuses this too


# -------------------------------------------------------------------------------- in-place shape changes


def test_in_place_shape_changes():
    x = tg.arange(3.0)
    assert x.unsqueeze_(1) is x and x.shape == (3, 1)
    x.t_()
    assert x.shape == (1, 3)
    x.squeeze_()
    assert x.shape == (3,) and x.tolist() == [0.0, 1.0, 2.0]
    m = tg.zeros(2, 3)
    m.transpose_(0, 1)
    assert m.shape == (3, 2)


def test_in_place_shape_changes_in_the_graph_and_on_a_leaf():
    w = tg.ones(2, 3, requires_grad=True)
    h = w * 2
    h.t_()
    (h * tg.arange(6.0).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0.0, 4.0, 8.0], [2.0, 6.0, 10.0]])
    with pytest.raises(RuntimeError, match="leaf tensor .* in-place"):
        tg.ones(3, requires_grad=True).unsqueeze_(0)


def test_the_legacy_sized_constructor_is_refused_with_the_way_to_write_it():
    # PyTorch's torch.Tensor(2, 3) is an uninitialised 2x3 float tensor; here the 3 would be requires_grad
    with pytest.raises(TypeError, match=r"requires_grad must be True or False, got 3.*tg.empty\(2, 3\)"):
        tg.Tensor(2, 3)
    assert tg.Tensor([1.0], True).requires_grad and tg.Tensor([1.0], np.bool_(False)).requires_grad is False


# ------------------------------------------------------------------------------------------ losses


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


# ------------------------------------------------------------------------------------ 0-d parameters


@pytest.mark.parametrize(
    "name, options",
    [
        ("SGD", {}),
        ("SGD", {"momentum": 0.9}),
        ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
        ("SGD", {"momentum": 0.9, "weight_decay": 0.1, "dampening": 0.1}),
        ("Adam", {"weight_decay": 0.1}),
        ("AdamW", {"amsgrad": True}),
        ("RMSprop", {"momentum": 0.5, "weight_decay": 0.1, "centered": True}),
        ("Adagrad", {"weight_decay": 0.1}),
    ],
)
def test_optimizers_step_a_0d_parameter_as_a_one_element_one(name, options):
    # the custom-Module tutorials hold nn.Parameter(torch.randn(())); SGD crashed on them, and with
    # weight decay its momentum buffer (a NumPy scalar, updated "in place") silently stayed at the first gradient
    scalar, vector = tg.tensor(1.5, requires_grad=True), tg.tensor([1.5], requires_grad=True)
    optimizers = [getattr(tg.optim, name)([p], lr=0.1, **options) for p in (scalar, vector)]
    for _ in range(4):
        for parameter, optimizer in zip((scalar, vector), optimizers):
            optimizer.zero_grad()
            (parameter * parameter * 3).sum().backward()
            optimizer.step()
    assert scalar.shape == () and scalar.item() == vector.item()


# --------------------------------------------------------------------------------- bitwise, in-place functions


def test_masks_combine_with_and_or_xor_not_as_pytorch():
    x = tg.tensor([-1.0, 0.5, 2.0, 3.0])
    inside = (x > 0) & (x < 2.5)
    assert inside.tolist() == [False, True, True, False] and inside.dtype == np.bool_
    assert (~inside).tolist() == [True, False, False, True]
    assert ((x < 0) | (x > 2.5)).tolist() == [True, False, False, True]
    assert ((x > 0) ^ (x > 1)).tolist() == [False, True, False, False]
    assert x[(x > 0) & (x < 2.5)].tolist() == [0.5, 2.0]
    ints = tg.tensor([1, 2, 3])
    assert (ints & 1).tolist() == [1, 0, 1] and (6 | ints).tolist() == [7, 6, 7] and (~ints).tolist() == [-2, -3, -4]
    assert tg.bitwise_xor(ints, tg.tensor([3, 2, 1])).tolist() == [2, 0, 2]
    assert ints.bitwise_and(tg.tensor([3, 3, 3])).tolist() == [1, 2, 3] and tg.bitwise_not(inside).dtype == np.bool_


def test_bitwise_of_floats_is_refused_naming_the_dtype():
    with pytest.raises(TypeError, match="bitwise.*float32.*compare first"):
        tg.ones(2) & tg.ones(2)
    with pytest.raises(TypeError, match="float64"):
        ~tg.tensor([1.5], dtype=tg.float64)


def test_in_place_functions_as_torch_sin_():
    b = tg.tensor([0.0, 0.5])
    assert tg.sin_(b) is b and b.tolist() == [0.0, float(np.float32(np.sin(np.float32(0.5))))]
    assert tg.zero_(tg.ones(2)).tolist() == [0.0, 0.0] and tg.fill_(tg.ones(2), 3).tolist() == [3.0, 3.0]
    assert tg.relu_(tg.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]
    with pytest.raises(RuntimeError, match="leaf tensor"):
        tg.exp_(tg.ones(2, requires_grad=True))


def test_factories_fill_out_in_place_as_pytorch():
    c = tg.zeros(2, 2)
    tg.manual_seed(1)
    assert tg.rand(2, 2, out=c) is c
    tg.manual_seed(1)
    np.testing.assert_array_equal(c.numpy(), tg.rand(2, 2).numpy())  # the same draw, into c
    assert tg.arange(4, out=tg.zeros(4, dtype=tg.int64)).tolist() == [0, 1, 2, 3]
    doubles = tg.zeros(3, dtype=tg.float64)
    assert tg.linspace(0, 1, 3, out=doubles) is doubles and doubles.dtype == np.float64
    assert tg.ones(2, out=tg.zeros(2)).tolist() == [1.0, 1.0]


# -------------------------------------------------------------------------------- legacy tensor types


def test_legacy_tensor_types_build_check_and_cast():
    x = tg.FloatTensor([1, 2])
    assert x.dtype == np.float32 and isinstance(x, tg.FloatTensor) and not isinstance(x, tg.LongTensor)
    assert isinstance(tg.randn(2).type(tg.DoubleTensor), tg.DoubleTensor)
    assert tg.randn(2).type("torch.LongTensor").dtype == np.int64
    assert tg.ones(2).type() == "torch.FloatTensor"
    with pytest.raises(ValueError, match="unknown tensor type"):
        tg.ones(2).type("torch.ComplexTensor")
    assert tg.FloatTensor(2, 3).shape == (2, 3)


# ----------------------------------------------------------------------------------- graph introspection


def test_grad_fn_types_are_named_as_pytorch_names_them():
    x = tg.ones(2, requires_grad=True)
    y = (x * 3).sum()
    assert type(y.grad_fn).__name__ == "SumBackward0" == y.grad_fn.name()
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"
    assert isinstance(y.grad_fn, type(y.grad_fn)) and y.grad_fn == y.grad_fn


def test_a_number_times_a_tensor_lists_the_tensor_first_as_pytorch():
    a = tg.ones(3, requires_grad=True)
    b = tg.sin(a)
    for made in (2 * b, b * 2, 1 + b, b + 1):
        first, second = made.grad_fn.next_functions
        assert first[0].name() == "SinBackward0" and second == (None, 0)
    c = tg.ones(3) + b  # two tensors keep their order, as PyTorch
    assert c.grad_fn.next_functions[0] == (None, 0)
    (2 * b + 1).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * np.cos(np.ones(3, dtype=np.float32)), rtol=1e-6)


# ------------------------------------------------------------------------------------------ state_dict


def test_state_dict_values_are_tensors_with_pytorchs_size():
    model = tg.nn.Sequential(tg.nn.Conv2d(1, 2, 3), tg.nn.Flatten(), tg.nn.Linear(8, 2))
    state = model.state_dict()
    assert all(isinstance(value, tg.Tensor) and not value.requires_grad for value in state.values())
    assert [tuple(state[name].size()) for name in state] == [(2, 1, 3, 3), (2,), (2, 8), (2,)]
    before = state["2.bias"].numpy().copy()
    with tg.no_grad():
        model[2].bias += 1  # a snapshot: later updates do not reach it
    np.testing.assert_array_equal(state["2.bias"].numpy(), before)


def test_indexing_and_products_are_named_as_pytorch_and_the_repr_agrees():
    w = tg.ones(4, 3, requires_grad=True)
    named = {
        "SliceBackward0": w[:2],
        "SelectBackward0": w[:, 0],
        "IndexBackward0": w[[0, 2]],
        "MmBackward0": w @ tg.ones(3, 2),
        "MvBackward0": w @ tg.ones(3),
        "DotBackward0": w[0] @ tg.ones(3),
        "ViewBackward0": w.view(12),
        "CatBackward0": tg.cat([w, w]),
        "ReluBackward0": w.relu(),
    }
    for name, made in named.items():
        assert made.grad_fn.name() == name
        assert f"grad_fn=<{name}>" in repr(made)
    assert "grad_fn=<SliceBackward0>" in repr(w[0][0:2])  # the build-model tutorial prints param[:2]


def test_frozen_parameters_may_be_given_to_an_optimizer_and_stay_put():
    # the autograd tutorial freezes a model, replaces its classifier and passes model.parameters() to SGD
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(4, 8), tg.nn.ReLU(), tg.nn.Linear(8, 3))
    for param in model.parameters():
        param.requires_grad = False
    model.fc = tg.nn.Linear(8, 2)
    frozen = model[0].weight.numpy().copy()
    head = model.fc.weight.detach().numpy().copy()
    optimizer = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.fc(model[1](model[0](tg.rand(2, 4)))).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(model[0].weight.numpy(), frozen)
    assert not np.array_equal(model.fc.weight.detach().numpy(), head)
    with pytest.raises(ValueError, match="does not require grad.*nn.Parameter"):
        tg.optim.SGD([tg.zeros(3)], lr=0.1)  # a plain tensor that never required grad: the learner's slip
