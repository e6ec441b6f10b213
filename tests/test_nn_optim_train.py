"""Specs for nn (Module, Linear, MLP, checkpoints), optim (SGD, Adam) and train (fit, train_command)."""

import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn, optim
from tinygrad_sm.data import load_dataset
from tinygrad_sm.train import confusion_matrix, evaluate, fit, format_confusion_matrix, train_command

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FASHION_SAMPLE = SHARED_DATA / "fashion-mnist-sample"


def small_mlp(seed: int = 0) -> nn.MLP:
    return nn.MLP([4, 8, 3], generator=np.random.default_rng(seed))


def test_named_parameters_give_dotted_paths_and_set_names():
    model = small_mlp()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [p.name for p in model.parameters()] == names
    assert model.layers[0].weight.shape == (8, 4) and model.layers[0].weight.dtype == np.float32


def test_nested_modules_and_zero_grad_and_train_flag():
    class Net(nn.Module):
        def __init__(self):
            self.encoder = nn.Linear(3, 2, generator=np.random.default_rng(0))
            self.heads = [nn.Linear(2, 1, bias=False, generator=np.random.default_rng(1))]
            self.scale = tg.Tensor([1.0], requires_grad=True)
            self.constant = tg.Tensor([2.0])  # no grad: not a parameter

        def forward(self, x):
            return self.heads[0](self.encoder(x)) * self.scale

    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale",
        "encoder.weight",
        "encoder.bias",
        "heads.0.weight",
    ]  # own first, as PyTorch
    net(tg.Tensor(np.ones((5, 3), np.float32))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.eval()
    assert not net.training and not net.heads[0].training
    net.train()
    assert net.encoder.training


def test_linear_init_scales():
    default = nn.Linear(1000, 200, generator=np.random.default_rng(0))  # PyTorch's: U(+-1/sqrt(fan_in)), bias too
    bound = 1 / np.sqrt(1000)
    assert (
        np.abs(default.weight.detach().numpy()).max() <= bound and np.abs(default.bias.detach().numpy()).max() <= bound
    )
    assert abs(default.weight.detach().numpy().std() - bound / np.sqrt(3)) < 0.05 * bound / np.sqrt(3)
    assert np.abs(default.bias.detach().numpy()).max() > 0.9 * bound
    he = nn.Linear(1000, 200, init="he", generator=np.random.default_rng(0))
    assert abs(he.weight.detach().numpy().std() - np.sqrt(2 / 1000)) < 0.05 * np.sqrt(2 / 1000)
    glorot = nn.Linear(300, 100, init="glorot", generator=np.random.default_rng(0))
    limit = np.sqrt(6 / 400)
    assert (
        np.abs(glorot.weight.detach().numpy()).max() <= limit
        and np.abs(glorot.weight.detach().numpy()).max() > 0.95 * limit
    )
    assert np.all(he.bias.detach().numpy() == 0)


def test_state_dict_round_trip_copies():
    source, target = small_mlp(0), small_mlp(1)
    state = source.state_dict()
    state_before = {k: v.numpy().copy() for k, v in state.items()}
    target.load_state_dict(state)
    for name, tensor in target.named_parameters():
        np.testing.assert_array_equal(tensor.detach().numpy(), state_before[name])
    with tg.no_grad():
        source.layers[0].weight.sub_(1.0)
    np.testing.assert_array_equal(state["0.weight"], state_before["0.weight"])


def test_load_state_dict_wrong_shape_names_parameter_and_shapes():
    model = small_mlp()
    state = model.state_dict()
    state["2.weight"] = np.zeros((8, 5), np.float32)
    with pytest.raises(ValueError, match=r"2\.weight.*\(8, 5\).*\(3, 8\)"):
        model.load_state_dict(state)


def test_load_state_dict_names_missing_and_unexpected():
    model = small_mlp()
    state = model.state_dict()
    del state["0.bias"]
    state["extra"] = np.zeros(1)
    with pytest.raises(KeyError, match=r"0\.bias.*extra"):
        model.load_state_dict(state)


def test_save_load_npz_round_trip(tmp_path):
    source, target = small_mlp(0), small_mlp(1)
    path = nn.save(source, tmp_path / "model.npz")
    nn.load(target, path)
    for (name, a), (_, b) in zip(source.named_parameters(), target.named_parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=name)
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temp file left behind


def test_load_refuses_pickled_objects(tmp_path):
    model = small_mlp()
    state = model.state_dict()
    state["0.bias"] = np.array([{"evil": 1}], dtype=object)
    path = tmp_path / "bad.npz"
    np.savez(path, **state)
    with zipfile.ZipFile(path, "a") as archive:  # a current-format file, so the entry itself is what is refused
        archive.comment = f"tinygrad_sm checkpoint format {nn.FORMAT_VERSION}".encode()
    with pytest.raises(ValueError, match="entry '0.bias' holds pickled Python objects"):
        nn.load(model, path)


def quadratic_param(values):
    return tg.Tensor(np.array(values, np.float32), requires_grad=True)


def test_sgd_step_matches_formula_and_decreases_quadratic():
    param = quadratic_param([1.0, -2.0, 3.0])
    opt = optim.SGD([param], lr=0.1)
    loss_before = float((param * param).sum().item())
    (param * param).sum().backward()
    opt.step()
    np.testing.assert_allclose(param.detach().numpy(), np.array([1.0, -2.0, 3.0]) * (1 - 0.1 * 2), rtol=1e-6)
    assert float((param * param).sum().item()) < loss_before


def test_sgd_momentum_matches_formula():
    start = np.array([1.0, -2.0], np.float32)
    param = quadratic_param(start)
    opt = optim.SGD([param], lr=0.1, momentum=0.9)
    expected, velocity = start.astype(np.float64), np.zeros(2)
    for _ in range(3):
        opt.zero_grad()
        (param * param).sum().backward()
        opt.step()
        velocity = 0.9 * velocity + 2 * expected
        expected = expected - 0.1 * velocity
    np.testing.assert_allclose(param.detach().numpy(), expected, rtol=1e-5)


def test_sgd_does_not_modify_grad_and_skips_missing_grads():
    used, unused = quadratic_param([1.0]), quadratic_param([5.0])
    (used * used).sum().backward()
    grad_array = used.grad.detach().numpy().copy()
    optim.SGD([used, unused], lr=0.1, weight_decay=0.1).step()
    np.testing.assert_array_equal(used.grad.detach().numpy(), grad_array)
    assert unused.detach().numpy()[0] == 5.0


def test_adam_decreases_loss():
    param = quadratic_param([1.0, -2.0, 3.0])
    opt = optim.Adam([param], lr=0.1)
    losses = []
    for _ in range(50):
        opt.zero_grad()
        loss = (param * param).sum()
        losses.append(float(loss.item()))
        loss.backward()
        opt.step()
    assert losses[-1] < 0.1 * losses[0]


def test_confusion_matrix_counts_and_format():
    matrix = confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)
    np.testing.assert_array_equal(matrix, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    text = format_confusion_matrix(matrix, ["cat", "dog", "bird"])
    assert "dog" in text and len(text.splitlines()) == 4


def require_fashion_sample():
    if not FASHION_SAMPLE.is_dir() and not os.environ.get("CI"):
        pytest.skip(f"Fashion-MNIST sample not found at {FASHION_SAMPLE}")
    return load_dataset("fashion-mnist", FASHION_SAMPLE)


def test_fashion_sample_training_drops_loss_and_beats_chance():
    data = require_fashion_sample()
    model = nn.MLP([784, 64, 10], generator=np.random.default_rng(0))
    loss_before, _ = evaluate(model, data.x_train, data.y_train)
    history = fit(model, data, optimizer="adam", lr=2e-3, batch_size=32, epochs=8, seed=0, progress=False)
    assert history[-1]["train_loss"] < 0.5 * loss_before
    assert history[-1]["test_accuracy"] >= 0.6
    assert all(isinstance(row["train_loss"], float) for row in history)


def test_same_seed_gives_identical_weights():
    data = require_fashion_sample()
    weights = []
    for _ in range(2):
        model = nn.MLP([784, 32, 10], generator=np.random.default_rng(7))
        fit(model, data, optimizer="sgd", lr=0.05, batch_size=64, epochs=1, seed=7, progress=False)
        weights.append(model.state_dict())
    for name in weights[0]:
        np.testing.assert_array_equal(weights[0][name], weights[1][name], err_msg=name)


def require_sklearn():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        if not os.environ.get("CI"):
            pytest.skip("scikit-learn is not installed (digits data set)")
        raise


def test_digits_train_command_reaches_90_percent_and_writes_outputs(tmp_path, capsys):
    require_sklearn()
    metrics = train_command(dataset="digits", model="64-64-10", epochs=8, out=str(tmp_path), progress=False)
    assert metrics["test_accuracy"] >= 0.9
    assert (tmp_path / "metrics.json").is_file() and (tmp_path / "model.npz").is_file()
    printed = capsys.readouterr().out
    assert "confusion matrix" in printed and str(tmp_path / "model.npz") in printed


def test_train_command_rejects_wrong_input_size(tmp_path):
    require_sklearn()
    with pytest.raises(ValueError, match="64 features"):
        train_command(dataset="digits", model="784-10", out=str(tmp_path))
