"""nn: buffers, train/eval, state_dict, the new layers and loss modules, gradient clipping."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_sm.functional as F
from tinygrad_sm import Tensor, nn


class WithBuffers(nn.Module):
    def __init__(self):
        self.weight = Tensor(np.ones(2, np.float32), requires_grad=True)
        self.register_buffer("count", Tensor(np.zeros((), np.int64)))
        self.register_buffer("scratch", Tensor(np.zeros(3, np.float32)), persistent=False)
        self.inner = nn.BatchNorm1d(2)


def test_buffers_are_in_state_dict_but_not_parameters():
    model = WithBuffers()
    assert [name for name, _ in model.named_parameters()] == ["weight", "inner.weight", "inner.bias"]
    assert [name for name, _ in model.named_buffers()] == [
        "count",
        "scratch",
        "inner.running_mean",
        "inner.running_var",
        "inner.num_batches_tracked",
    ]
    assert list(model.state_dict()) == [
        "weight",
        "count",
        "inner.weight",
        "inner.bias",
        "inner.running_mean",
        "inner.running_var",
        "inner.num_batches_tracked",
    ]


def test_register_buffer_refuses_tensors_that_require_grad_and_taken_names():
    model = WithBuffers()
    with pytest.raises(ValueError, match="parameter, not a buffer"):
        model.register_buffer("bad", Tensor(np.ones(1), requires_grad=True))
    with pytest.raises(KeyError, match="already exists"):
        model.register_buffer("weight", Tensor(np.ones(1)))
    with pytest.raises(TypeError, match="Tensor or None"):
        model.register_buffer("plain", np.ones(1))


def test_checkpoint_saves_and_restores_buffers(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    model(Tensor(np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)))
    path = nn.save(model, tmp_path / "model.npz")
    restored = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    nn.load(restored, path)
    for (name, expected), (_, actual) in zip(model.state_dict().items(), restored.state_dict().items()):
        np.testing.assert_array_equal(actual, expected, err_msg=name)
    assert restored.layers[1].num_batches_tracked.item() == 1
    assert restored.layers[1].running_mean.detach().numpy().any()


def test_load_state_dict_non_strict_reports_missing_and_unexpected():
    model = WithBuffers()
    state = model.state_dict()
    del state["count"]
    state["extra"] = np.zeros(1)
    state["weight"] = np.array([5.0, 6.0])
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["count"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model.weight.detach().numpy(), [5.0, 6.0])
    with pytest.raises(KeyError, match="count"):
        model.load_state_dict(state)


def test_zero_grad_set_to_none_false_zeroes_without_writing_the_old_array():
    model = nn.Linear(2, 2)
    (model(Tensor(np.ones((1, 2), np.float32))).sum()).backward()
    old = model.bias.grad.detach().numpy()
    model.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(model.bias.grad.detach().numpy(), [0, 0])
    assert old.any()
    model.zero_grad()
    assert model.bias.grad is None


def test_train_and_eval_switch_dropout_and_batch_norm():
    model = nn.Sequential(nn.Dropout(0.5, generator=np.random.default_rng(0)), nn.BatchNorm1d(4))
    assert model.training and all(layer.training for layer in model.layers)
    x = Tensor(np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32))
    model(x)
    assert model.layers[1].num_batches_tracked.item() == 1
    model.eval()
    assert not model.training and not model.layers[0].training
    out = model(x)
    running_mean, running_var = (
        model.layers[1].running_mean.detach().numpy(),
        model.layers[1].running_var.detach().numpy(),
    )
    np.testing.assert_allclose(
        out.detach().numpy(), (x.detach().numpy() - running_mean) / np.sqrt(running_var + 1e-5), rtol=1e-5
    )
    assert model.layers[1].num_batches_tracked.item() == 1  # eval does not count batches
    assert model.train() is model and model.layers[1].training


def test_batch_norm_momentum_none_is_the_cumulative_average():
    layer = nn.BatchNorm1d(2, momentum=None)
    batches = [np.random.default_rng(seed).standard_normal((5, 2)).astype(np.float32) for seed in range(3)]
    for batch in batches:
        layer(Tensor(batch))
    np.testing.assert_allclose(
        layer.running_mean.detach().numpy(), np.mean([b.mean(0) for b in batches], axis=0), rtol=1e-5
    )
    # factor 1/1 on the first batch replaces the initial ones entirely, so the result is the plain mean
    np.testing.assert_allclose(
        layer.running_var.detach().numpy(), np.mean([b.var(0, ddof=1) for b in batches], axis=0), rtol=1e-5
    )


def test_batch_norm_shapes_defaults_and_errors():
    layer = nn.BatchNorm2d(3)
    np.testing.assert_array_equal(layer.weight.detach().numpy(), np.ones(3))
    np.testing.assert_array_equal(layer.bias.detach().numpy(), np.zeros(3))
    assert layer(Tensor(np.random.default_rng(0).standard_normal((2, 3, 4, 4)))).shape == (2, 3, 4, 4)
    with pytest.raises(ValueError, match="expected 4D input"):
        layer(Tensor(np.zeros((2, 3))))
    with pytest.raises(ValueError, match="channels"):
        nn.BatchNorm1d(4)(Tensor(np.zeros((2, 3))))
    plain = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert plain.parameters() == [] and plain.state_dict() == {}
    x = Tensor(np.random.default_rng(2).standard_normal((5, 3)))
    np.testing.assert_allclose(
        plain.eval()(x).detach().numpy(), F.batch_norm(x, None, None, training=True).detach().numpy()
    )


def test_layer_norm_and_embedding_layouts_and_inits():
    norm = nn.LayerNorm((3, 4))
    assert norm.weight.shape == norm.bias.shape == (3, 4)
    assert nn.LayerNorm(4, bias=False).bias is None
    table = nn.Embedding(10, 3, padding_idx=-1, generator=np.random.default_rng(0))
    assert table.weight.shape == (10, 3) and table.padding_idx == 9
    np.testing.assert_array_equal(table.weight.detach().numpy()[9], 0)
    assert 0.5 < table.weight.detach().numpy()[:9].std() < 1.5  # Normal(0, 1), as PyTorch
    assert table(np.array([[1, 9]])).shape == (1, 2, 3)


def test_flatten_and_identity():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Flatten(-2, -1)(x).shape == (2, 12)
    assert nn.Identity(54, unused="yes")(x) is x
    with pytest.raises(ValueError, match="comes after"):
        nn.Flatten(2, 1)(x)


ACTIVATION_MODULES = [
    (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
    (nn.ELU(0.5), lambda x: F.elu(x, 0.5)),
    (nn.GELU("tanh"), lambda x: F.gelu(x, "tanh")),
    (nn.GELU(), F.gelu),
    (nn.SiLU(), F.silu),
    (nn.Softplus(2.0, 3.0), lambda x: F.softplus(x, 2.0, 3.0)),
    (nn.Hardtanh(-2, 2), lambda x: F.hardtanh(x, -2, 2)),
    (nn.LogSigmoid(), F.log_sigmoid),
    (nn.Softmax(dim=1), lambda x: F.softmax(x, axis=1)),
    (nn.LogSoftmax(dim=0), lambda x: F.log_softmax(x, axis=0)),
]


@pytest.mark.parametrize("module, function", ACTIVATION_MODULES, ids=lambda item: type(item).__name__)
def test_activation_modules_call_their_functions(module, function):
    x = Tensor(np.linspace(-4, 4, 12).reshape(3, 4))
    np.testing.assert_array_equal(module(x).detach().numpy(), function(x).detach().numpy())
    assert module.parameters() == []


def test_loss_modules_pass_their_options_to_the_functions():
    rng = np.random.default_rng(0)
    logits = Tensor(rng.standard_normal((4, 3)).astype(np.float32))
    labels = np.array([0, 2, 1, 2])
    prediction, target = Tensor(rng.standard_normal(5)), rng.standard_normal(5)
    pairs = [
        (nn.CrossEntropyLoss(reduction="sum")(logits, labels), F.cross_entropy(logits, labels, reduction="sum")),
        (nn.NLLLoss()(F.log_softmax(logits), labels), F.nll_loss(F.log_softmax(logits), labels)),
        (nn.MSELoss(reduction="sum")(prediction, target), F.mse_loss(prediction, target, reduction="sum")),
        (nn.L1Loss()(prediction, target), F.l1_loss(prediction, target)),
        (nn.SmoothL1Loss(beta=0.5)(prediction, target), F.smooth_l1_loss(prediction, target, beta=0.5)),
        (nn.HuberLoss(delta=0.5)(prediction, target), F.huber_loss(prediction, target, delta=0.5)),
        (
            nn.KLDivLoss("batchmean")(F.log_softmax(logits), np.full((4, 3), 1 / 3)),
            F.kl_div(F.log_softmax(logits), np.full((4, 3), 1 / 3), "batchmean"),
        ),
        (
            nn.BCEWithLogitsLoss()(prediction, (target > 0).astype(float)),
            F.binary_cross_entropy_with_logits(prediction, (target > 0).astype(float)),
        ),
    ]
    for module_loss, function_loss in pairs:
        np.testing.assert_array_equal(module_loss.detach().numpy(), function_loss.detach().numpy())
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="average")
    assert nn.KLDivLoss("batchmean").reduction == "batchmean"


@pytest.mark.live_torch
def test_modules_match_torch_state_dict_keys_and_shapes_when_torch_imports():
    torch = pytest.importorskip("torch")
    pairs = [
        (nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)),
        (nn.BatchNorm2d(2), torch.nn.BatchNorm2d(2)),
        (nn.LayerNorm((2, 3)), torch.nn.LayerNorm((2, 3))),
        (nn.Embedding(5, 2), torch.nn.Embedding(5, 2)),
    ]
    for ours, theirs in pairs:
        expected = {name: tuple(value.shape) for name, value in theirs.state_dict().items()}
        assert {name: value.shape for name, value in ours.state_dict().items()} == expected


@pytest.mark.live_torch
def test_batch_norm_module_matches_torch_over_train_and_eval_steps_when_torch_imports():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    ours, theirs = nn.BatchNorm2d(3, momentum=None), torch.nn.BatchNorm2d(3, momentum=None)
    for _ in range(3):
        batch = rng.standard_normal((4, 3, 2, 2)).astype(np.float32) * 2 + 1
        np.testing.assert_allclose(
            ours(Tensor(batch)).detach().numpy(), theirs(torch.from_numpy(batch)).detach().numpy(), rtol=1e-5, atol=1e-5
        )
    ours.eval()
    theirs.eval()
    batch = rng.standard_normal((2, 3, 2, 2)).astype(np.float32)
    np.testing.assert_allclose(
        ours(Tensor(batch)).detach().numpy(), theirs(torch.from_numpy(batch)).detach().numpy(), rtol=1e-5, atol=1e-5
    )
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-6, err_msg=name)


# ---------------------------------------------------------------- clipping


def with_grads(*grads):
    params = []
    for grad in grads:
        param = Tensor(np.zeros(np.shape(grad), np.float32), requires_grad=True)
        param.grad = Tensor(np.array(grad, np.float32))
        params.append(param)
    return params


def test_clip_grad_norm_scales_all_gradients_together_and_returns_the_norm():
    params = with_grads([3.0, 0.0], [[4.0]])
    shared = params[0].grad.detach().numpy()
    total = nn.utils.clip_grad_norm_(params, max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    coefficient = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(params[0].grad.detach().numpy(), [3 * coefficient, 0], rtol=1e-6)
    np.testing.assert_allclose(params[1].grad.detach().numpy(), [[4 * coefficient]], rtol=1e-6)
    np.testing.assert_array_equal(shared, [3.0, 0.0])  # the old array is not written
    small = with_grads([0.1, 0.2])
    nn.utils.clip_grad_norm_(small, max_norm=1.0)
    np.testing.assert_allclose(small[0].grad.detach().numpy(), [0.1, 0.2], rtol=1e-6)


def test_clip_grad_norm_other_norms_and_nonfinite():
    params = with_grads([3.0, -7.0], [1.0])
    assert nn.utils.clip_grad_norm_(params, 100.0, norm_type=float("inf")).item() == 7.0
    assert nn.utils.clip_grad_norm_(with_grads([3.0, -7.0], [1.0]), 100.0, norm_type=1).item() == pytest.approx(11)
    with pytest.raises(RuntimeError, match="inf"):
        nn.utils.clip_grad_norm_(with_grads([np.inf]), 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clamps_each_element():
    params = with_grads([-3.0, 0.5, 2.0])
    nn.utils.clip_grad_value_(params, 1.0)
    np.testing.assert_array_equal(params[0].grad.detach().numpy(), [-1.0, 0.5, 1.0])


@pytest.mark.live_torch
def test_clipping_matches_torch_when_torch_imports():
    torch = pytest.importorskip("torch")
    grads = [
        np.random.default_rng(1).standard_normal((3, 2)).astype(np.float32) * 3,
        np.random.default_rng(2).standard_normal(4).astype(np.float32),
    ]
    for norm_type in (2.0, 1.0, float("inf"), 3.0):
        ours = with_grads(*grads)
        theirs = [torch.zeros(g.shape, requires_grad=True) for g in grads]
        for param, grad in zip(theirs, grads):
            param.grad = torch.from_numpy(grad.copy())
        total = nn.utils.clip_grad_norm_(ours, 0.5, norm_type=norm_type)
        expected = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type=norm_type, foreach=False)
        assert total.item() == pytest.approx(expected.item(), rel=1e-6)
        for mine, param in zip(ours, theirs):
            np.testing.assert_allclose(mine.grad.detach().numpy(), param.grad.numpy(), rtol=1e-6, atol=1e-7)


BAD_CONSTRUCTIONS = [
    (lambda: nn.Embedding(0, 3), ValueError, "num_embeddings must be a positive int"),
    (lambda: nn.Embedding(4, 3, padding_idx=4), ValueError, "padding_idx 4 is out of range"),
    (lambda: nn.Dropout(-0.1), ValueError, "between 0 and 1"),
    (lambda: nn.LayerNorm((3, 0)), ValueError, "positive ints"),
    (lambda: nn.BatchNorm1d(0), ValueError, "num_features must be a positive int"),
    (lambda: nn.GELU("fast"), ValueError, "approximate"),
    (lambda: nn.Hardtanh(2, 1), ValueError, "above max_val"),
    (lambda: nn.L1Loss(reduction="batchmean"), ValueError, "reduction"),
    (lambda: F.softplus(Tensor([1.0]), beta=0), ValueError, "beta must be non-zero"),
    (lambda: F.hardtanh(Tensor([1.0]), 1, -1), ValueError, "above max_val"),
    (lambda: F.smooth_l1_loss(Tensor([1.0]), [1.0], beta=-1), ValueError, "beta must be >= 0"),
    (lambda: F.huber_loss(Tensor([1.0]), [1.0], delta=0), ValueError, "delta must be positive"),
    (lambda: F.l1_loss(np.ones(2), np.ones(2)), TypeError, "must be a Tensor"),
    (lambda: F.l1_loss(Tensor(np.ones(2, np.int64)), np.ones(2)), TypeError, "floating point"),
    (lambda: F.embedding(np.array([0]), Tensor(np.ones(3))), ValueError, "num_embeddings, embedding_dim"),
    (lambda: F.embedding(np.array([0]), Tensor(np.ones((3, 2))), padding_idx=5), ValueError, "padding_idx 5"),
    (lambda: F.one_hot(np.array([], np.int64)), ValueError, "empty"),
    (lambda: F.one_hot(np.array([0]), 0), ValueError, "positive int or -1"),
    (
        lambda: F.layer_norm(Tensor(np.ones((2, 3))), 3, weight=Tensor(np.ones(2))),
        ValueError,
        r"weight must have shape \(3,\)",
    ),
    (lambda: F.batch_norm(Tensor(np.ones(3)), None, None), ValueError, r"\(N, C\)"),
    (lambda: nn.Flatten(0, 5)(Tensor(np.ones((2, 3)))), IndexError, "out of range"),
    (lambda: nn.utils.clip_grad_norm_(with_grads([1.0]), 1.0, norm_type=0), ValueError, "norm_type"),
    (lambda: nn.utils.clip_grad_value_(with_grads([1.0]), -1.0), ValueError, "clip_value"),
    (lambda: nn.utils.clip_grad_norm_([np.ones(2)], 1.0), TypeError, "not a Tensor"),
    (lambda: WithBuffers().register_buffer("a.b", None), KeyError, "without '.'"),
]


@pytest.mark.parametrize("make, error, message", BAD_CONSTRUCTIONS, ids=[m for _, _, m in BAD_CONSTRUCTIONS])
def test_bad_arguments_raise_errors_that_name_the_problem(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_module_reprs_name_their_options():
    assert repr(nn.BatchNorm1d(3)) == (
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"  # PyTorch 2's
    )
    assert repr(nn.Embedding(5, 2, padding_idx=0)) == "Embedding(5, 2, padding_idx=0)"
    assert "p=0.25" in repr(nn.Dropout(0.25)) and "approximate='tanh'" in repr(nn.GELU("tanh"))
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss()"  # PyTorch's loss modules print no arguments
    for module in (
        nn.LeakyReLU(),
        nn.ELU(),
        nn.Softplus(),
        nn.Hardtanh(),
        nn.Softmax(1),
        nn.LogSoftmax(1),
        nn.Flatten(),
        nn.LayerNorm(3),
    ):
        assert type(module).__name__ in repr(module)


def test_clip_grad_norm_of_no_gradients_is_zero_and_a_single_tensor_is_accepted():
    bare = Tensor(np.ones(2, np.float32), requires_grad=True)
    assert nn.utils.clip_grad_norm_([bare], 1.0).item() == 0.0
    (single,) = with_grads([3.0, 4.0])
    assert nn.utils.clip_grad_norm_(single, 1.0).item() == pytest.approx(5.0)


def test_modules_children_and_nn_functional_as_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.LayerNorm(3)))
    assert len(model.modules()) == 5 and model.modules()[0] is model
    assert [name for name, _ in model.named_children()] == ["0", "1"]
    assert model.children()[1].children()[1] is model.layers[1].layers[1]
    from tinygrad_sm.nn import functional

    assert functional is F


def test_bce_with_logits_pos_weight_scales_the_positive_term():
    logits = Tensor(np.array([[0.5, -1.0, 2.0], [-3.0, 0.0, 1.0]]), requires_grad=True)
    targets = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    pos_weight = np.array([2.0, 0.5, 3.0])
    loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="sum")(logits, targets)
    s = 1 / (1 + np.exp(-logits.detach().numpy()))
    expected = -(pos_weight * targets * np.log(s) + (1 - targets) * np.log(1 - s)).sum()
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-12)
    loss.backward()
    np.testing.assert_allclose(
        logits.grad.detach().numpy(), (pos_weight * targets + 1 - targets) * s - pos_weight * targets, rtol=1e-12
    )


@pytest.mark.live_torch
def test_bce_with_logits_pos_weight_matches_torch_when_torch_imports():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    logits, targets = rng.standard_normal((4, 3)) * 5, (rng.random((4, 3)) > 0.5).astype(float)
    pos_weight = rng.random(3) * 3
    ours = nn.BCEWithLogitsLoss(pos_weight=pos_weight)(Tensor(logits), targets)
    theirs = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight))(
        torch.tensor(logits), torch.tensor(targets)
    )
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
