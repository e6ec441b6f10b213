"""Convolution and pooling: values and gradients against PyTorch (pinned), finite differences in float64
over hypothesis-drawn configurations, the adjoint identities, ties in max pooling, and the layers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SETTINGS as _SHARED

import tinygrad_sm as tg
import tinygrad_sm.functional as F
from tinygrad_sm import nn, ops
from tinygrad_sm.gradcheck import gradcheck

SETTINGS = settings(_SHARED, max_examples=20)  # each example is a gradcheck of a whole conv: fewer keep the file fast

DATA = Path(__file__).parent / "data"
PINNED = json.loads((DATA / "torch_conv.json").read_text())["cases"]


@pytest.fixture(scope="module")
def pinned_arrays():
    with np.load(DATA / "torch_conv.npz") as archive:
        return {name: archive[name] for name in archive.files}


def _kwargs(case: dict) -> dict:
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in case["kwargs"].items()}


@pytest.mark.parametrize("case", PINNED, ids=[c["key"] for c in PINNED])
def test_value_and_gradients_match_pinned_pytorch(case, pinned_arrays):
    key = case["key"]
    leaves = {name: tg.Tensor(pinned_arrays[f"{key}/{name}"], requires_grad=True) for name in case["inputs"]}
    output = getattr(F, case["function"])(**leaves, **_kwargs(case))
    np.testing.assert_allclose(output.detach().numpy(), pinned_arrays[f"{key}/output"], rtol=1e-10, atol=1e-12)
    (output * tg.Tensor(pinned_arrays[f"{key}/upstream"])).sum().backward()
    for name, leaf in leaves.items():
        np.testing.assert_allclose(
            leaf.grad.detach().numpy(),
            pinned_arrays[f"{key}/grad_{name}"],
            rtol=1e-10,
            atol=1e-12,
            err_msg=f"{key}: gradient of {name}",
        )


def test_pinned_cases_cover_groups_dilation_stride_and_string_padding():
    conv = [c["kwargs"] for c in PINNED if c["function"] == "conv2d"]
    assert any(k["groups"] > 1 for k in conv) and any(max(k["dilation"]) > 1 for k in conv)
    assert any(max(k["stride"]) > 1 for k in conv) and {"same", "valid"} & {
        k["padding"] for k in conv if isinstance(k["padding"], str)
    }
    assert any(c["kwargs"]["ceil_mode"] for c in PINNED if c["function"] == "max_pool2d")


# ---------------------------------------------------------------- finite differences (float64)


@st.composite
def conv_configs(draw):
    groups = draw(st.sampled_from([1, 2]))
    in_channels, out_channels = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 1)))
    size = tuple(d * (k - 1) + 1 + draw(st.integers(0, 2)) for k, d in zip(kernel, dilation))
    seed = draw(st.integers(0, 2**31))
    return groups, in_channels, out_channels, kernel, dilation, stride, padding, size, seed


@SETTINGS
@given(conv_configs())
def test_conv2d_gradcheck_over_drawn_configurations(config):
    groups, c_in, c_out, kernel, dilation, stride, padding, size, seed = config
    rng = np.random.default_rng(seed)
    x, w, b = (
        rng.standard_normal((2, c_in, *size)),
        rng.standard_normal((c_out, c_in // groups, *kernel)),
        rng.standard_normal(c_out),
    )
    gradcheck(
        lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups), x, w, b
    )


@SETTINGS
@given(conv_configs())
def test_conv_transpose2d_gradcheck_over_drawn_configurations(config):
    groups, c_in, c_out, kernel, dilation, stride, padding, size, seed = config
    rng = np.random.default_rng(seed)
    padding = tuple(min(p, d * (k - 1)) for p, d, k in zip(padding, dilation, kernel))
    x, w = rng.standard_normal((1, c_in, *size)), rng.standard_normal((c_in, c_out // groups, *kernel))
    gradcheck(
        lambda x, w: F.conv_transpose2d(x, w, stride=stride, padding=padding, groups=groups, dilation=dilation), x, w
    )


@SETTINGS
@given(conv_configs())
def test_conv_transpose2d_is_the_adjoint_of_conv2d(config):
    """<conv2d(x, w), y> = <x, conv_transpose2d(y, w)> for every x, y: the transpose in the name."""
    groups, c_in, c_out, kernel, dilation, stride, padding, size, seed = config
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((2, c_in, *size)), rng.standard_normal((c_out, c_in // groups, *kernel))
    forward = F.conv2d(tg.Tensor(x), tg.Tensor(w), stride=stride, padding=padding, dilation=dilation, groups=groups)
    y = rng.standard_normal(forward.shape)
    # the output_padding that gives back x's size (the rows a strided forward never read)
    extra = tuple((n + 2 * p - d * (k - 1) - 1) % s for n, p, d, k, s in zip(size, padding, dilation, kernel, stride))
    back = F.conv_transpose2d(
        tg.Tensor(y),
        tg.Tensor(w),
        stride=stride,
        padding=padding,
        output_padding=extra,
        groups=groups,
        dilation=dilation,
    )
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(forward.detach().numpy() * y), np.sum(x * back.detach().numpy()), rtol=1e-10)


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1), st.booleans(), st.integers(0, 2**31))
def test_pooling_gradcheck_without_ties(kernel, stride, dilation, padding, ceil_mode, seed):
    rng = np.random.default_rng(seed)
    padding = min(padding, kernel // 2)
    x = rng.permutation(np.arange(2 * 2 * 6 * 5, dtype=np.float64)).reshape(2, 2, 6, 5) / 10  # distinct: no ties
    gradcheck(lambda x: F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode), x, eps=1e-4)
    gradcheck(lambda x: F.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad=bool(seed % 2)), x)
    gradcheck(lambda x: F.adaptive_avg_pool2d(x, (kernel + 1, stride + 2)), x)


def test_fold_and_unfold_gradcheck_and_each_others_adjoint():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 5, 6))
    kwargs = dict(kernel_size=(2, 3), dilation=(2, 1), padding=(1, 0), stride=(1, 2))
    gradcheck(lambda x: F.unfold(x, **kwargs), x)
    cols = F.unfold(tg.Tensor(x), **kwargs)
    y = rng.standard_normal(cols.shape)
    gradcheck(lambda y: F.fold(y, (5, 6), **kwargs), y)
    np.testing.assert_allclose(
        np.sum(cols.detach().numpy() * y), np.sum(x * F.fold(tg.Tensor(y), (5, 6), **kwargs).detach().numpy())
    )


def test_unfold_forward_is_a_view_of_the_input_when_unpadded():
    x = tg.Tensor(np.arange(2 * 3 * 6 * 6, dtype=np.float64).reshape(2, 3, 6, 6))
    windows = ops.Unfold.apply(x, kernel_size=(3, 3), dilation=(1, 1), padding=((0, 0), (0, 0)), stride=(1, 1))
    assert windows.shape == (2, 3, 3, 3, 4, 4)
    assert np.shares_memory(
        windows.detach().numpy(), x.detach().numpy()
    )  # no copy: the copy happens when the windows are flattened
    assert windows.detach().numpy()[1, 2, 0, 1, 3, 2] == x.detach().numpy()[1, 2, 3, 3]


def test_second_derivative_through_conv2d():
    """Unfold's backward is Fold and Fold's is Unfold, so create_graph differentiates a conv twice."""
    rng = np.random.default_rng(4)
    x = tg.Tensor(rng.standard_normal((1, 2, 5, 5)), requires_grad=True)
    w = tg.Tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)

    def grad_norm(x: tg.Tensor) -> tg.Tensor:
        (gx,) = tg.grad((F.conv2d(x, w, padding=1) ** 2).sum(), x, create_graph=True)
        return (gx * gx).sum()

    gradcheck(grad_norm, x.detach().numpy())


# ---------------------------------------------------------------- the hand formula


def test_one_kernel_weight_gradient_is_the_sum_over_positions_of_input_times_upstream():
    """dL/dw[o, c, i, j] = sum_{n, u, v} x_pad[n, c, u s + i d, v s + j d] * g[n, o, u, v]."""
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    stride, padding, dilation = (2, 1), (1, 1), (1, 2)
    weight = tg.Tensor(w, requires_grad=True)
    out = F.conv2d(tg.Tensor(x), weight, stride=stride, padding=padding, dilation=dilation)
    upstream = rng.standard_normal(out.shape)
    (out * tg.Tensor(upstream)).sum().backward()
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out_h, out_w = out.shape[2:]
    for o, c, i, j in [(0, 0, 0, 0), (3, 2, 2, 1), (1, 1, 1, 0)]:
        window = padded[
            :,
            c,
            i * dilation[0] : i * dilation[0] + stride[0] * out_h : stride[0],
            j * dilation[1] : j * dilation[1] + stride[1] * out_w : stride[1],
        ]
        assert np.isclose(weight.grad.detach().numpy()[o, c, i, j], np.sum(window * upstream[:, o]))


def _even_split_reference(x: np.ndarray, kernel: int, stride: int, padding: int, upstream: np.ndarray) -> np.ndarray:
    """Loop over every window: its tied maxima share that window's upstream gradient evenly."""
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    grad = np.zeros_like(padded)
    for n, c, u, v in np.ndindex(upstream.shape):
        window = padded[n, c, u * stride : u * stride + kernel, v * stride : v * stride + kernel]
        winners = window == window.max()
        grad[n, c, u * stride : u * stride + kernel, v * stride : v * stride + kernel] += (
            winners * upstream[n, c, u, v] / winners.sum()
        )
    return grad[:, :, padding : padding + x.shape[2], padding : padding + x.shape[3]]


@SETTINGS
@given(st.integers(2, 3), st.integers(1, 3), st.integers(0, 1), st.integers(0, 2**31))
def test_max_pool2d_splits_ties_evenly_within_each_window(kernel, stride, padding, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(2, 2, 6, 7)).astype(np.float64)  # three values: ties everywhere, overlapping windows
    leaf = tg.Tensor(x, requires_grad=True)
    out = F.max_pool2d(leaf, kernel, stride, padding)
    upstream = rng.standard_normal(out.shape)
    (out * tg.Tensor(upstream)).sum().backward()
    np.testing.assert_allclose(leaf.grad.detach().numpy(), _even_split_reference(x, kernel, stride, padding, upstream))
    np.testing.assert_allclose(
        leaf.grad.detach().numpy().sum(), upstream.sum()
    )  # every window's gradient arrives whole


def test_max_pool2d_of_a_constant_window_gives_each_entry_a_quarter():
    leaf = tg.Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    F.max_pool2d(leaf, 2).sum().backward()
    np.testing.assert_array_equal(leaf.grad.detach().numpy(), np.full((1, 1, 2, 2), 0.25))


def test_max_pool2d_padding_never_wins_even_for_negative_inputs():
    x = tg.Tensor(-np.ones((1, 1, 3, 3)) * 5, requires_grad=True)
    out = F.max_pool2d(x, 3, stride=1, padding=1)
    assert np.all(out.detach().numpy() == -5)


# ---------------------------------------------------------------- errors and layers


def test_conv2d_rejects_mismatched_channels_naming_the_shapes():
    with pytest.raises(ValueError, match=r"input has 3 channels.*\(4, 2, 3, 3\).*groups=1"):
        F.conv2d(tg.Tensor(np.zeros((1, 3, 5, 5))), tg.Tensor(np.zeros((4, 2, 3, 3))))


def test_conv2d_rejects_a_kernel_larger_than_the_padded_input():
    with pytest.raises(ValueError, match="smaller than the window"):
        F.conv2d(tg.Tensor(np.zeros((1, 1, 2, 2))), tg.Tensor(np.zeros((1, 1, 3, 3))))


def test_same_padding_with_a_stride_is_refused_as_in_pytorch():
    with pytest.raises(ValueError, match="strided"):
        F.conv2d(tg.Tensor(np.zeros((1, 1, 5, 5))), tg.Tensor(np.zeros((1, 1, 3, 3))), stride=2, padding="same")


def test_max_pool2d_rejects_padding_over_half_the_kernel():
    with pytest.raises(ValueError, match="at most half"):
        F.max_pool2d(tg.Tensor(np.zeros((1, 1, 5, 5))), 2, padding=2)


def test_conv_layers_have_pytorchs_weight_layout_and_init_bounds():
    conv = nn.Conv2d(4, 6, (3, 2), groups=2, generator=np.random.default_rng(0))
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    bound = 1 / math.sqrt(2 * 3 * 2)
    assert (
        np.abs(conv.weight.detach().numpy()).max() <= bound and np.abs(conv.weight.detach().numpy()).max() > 0.8 * bound
    )
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    assert nn.Conv1d(3, 5, 4).weight.shape == (5, 3, 4)
    assert [name for name, _ in conv.named_parameters()] == ["weight", "bias"]


def test_layers_compose_into_a_lenet_that_gives_logits():
    model = nn.build_model("cnn", 784, 10, generator=np.random.default_rng(0))
    logits = model(tg.Tensor(np.random.default_rng(1).random((3, 784), dtype=np.float32)))
    assert logits.shape == (3, 10) and logits.dtype == np.float32
    names = [name for name, _ in model.named_parameters()]
    assert len(names) == 10  # two convs and three linear layers, weight and bias each


def test_flatten_adaptive_pool_and_avg_pool_layers():
    x = tg.Tensor(np.arange(2 * 3 * 4 * 4, dtype=np.float64).reshape(2, 3, 4, 4))
    assert nn.Flatten()(x).shape == (2, 48)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 4)
    np.testing.assert_allclose(
        nn.AdaptiveAvgPool2d(1)(x).detach().numpy()[..., 0, 0], x.detach().numpy().mean(axis=(2, 3))
    )
    np.testing.assert_allclose(
        nn.AvgPool2d(2)(x).detach().numpy(), x.detach().numpy().reshape(2, 3, 2, 2, 2, 2).mean(axis=(3, 5))
    )
    np.testing.assert_allclose(
        nn.MaxPool2d(2)(x).detach().numpy(), x.detach().numpy().reshape(2, 3, 2, 2, 2, 2).max(axis=(3, 5))
    )


@pytest.mark.parametrize(
    "spec, message",
    [
        ("conv6k5-120", "ends with 120 outputs"),
        ("conv6k5-pool2-10-conv3k3", "after a fully connected"),
        ("conv6k5-banana-10", "cannot read layer 'banana'"),
        ("conv6k29-10", "smaller than the window|no pixels"),
        ("conv6k5--10", "empty layer"),
    ],
)
def test_bad_model_specs_are_refused_naming_the_problem(spec, message):
    with pytest.raises(ValueError, match=message):
        nn.build_model(spec, 784, 10)


def test_model_spec_needs_square_images():
    with pytest.raises(ValueError, match="not a square"):
        nn.build_model("cnn", 780, 10)


def test_a_python_model_file_builds_the_model(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(
        "from tinygrad_sm import nn\n"
        "def build_model(num_features, num_classes):\n"
        "    return nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 2, 3), nn.Flatten(),\n"
        "                         nn.Linear(72, num_classes))\n"
    )
    model = nn.build_model(str(path), 64, 10)
    assert model(tg.Tensor(np.zeros((2, 64), dtype=np.float32))).shape == (2, 10)


def test_train_command_trains_a_cnn_and_writes_every_output(tmp_path, capsys):
    """`train --model cnn` has everything the MLP run has: metrics, checkpoint, curve, confusion matrix."""
    import os

    from tinygrad_sm.cli import main

    sample = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fashion-mnist-sample"
    if not sample.exists():
        if os.environ.get("CI"):
            pytest.fail(f"shared test data missing at {sample}")
        pytest.skip(f"shared test data not found at {sample}")
    status = main(
        [
            "train",
            "--dataset",
            "fashion-mnist",
            "--data-dir",
            str(sample),
            "--model",
            "cnn",
            "--epochs",
            "1",
            "--out",
            str(tmp_path),
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "confusion matrix (test):" in printed and "final test accuracy" in printed
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["settings"]["model"] == "cnn" and len(metrics["history"]) == 1
    model = nn.build_model("cnn", 784, 10)
    nn.load(model, tmp_path / "model.npz")  # the checkpoint fits the architecture the spec builds
    assert (tmp_path / "learning_curve.png").exists()


def test_train_command_refuses_a_bad_conv_spec_with_exit_2(tmp_path, capsys):
    from tinygrad_sm.cli import main

    status = main(["train", "--dataset", "digits", "--model", "conv4k3-pool2-7", "--out", str(tmp_path)])
    assert status == 2
    assert "ends with 7 outputs but the data has 10 classes" in capsys.readouterr().err


@pytest.mark.parametrize(
    "shape, kernel, padding",
    [((2, 3, 9, 8), (2, 2), ((0, 0), (0, 0))), ((2, 3, 7, 9), (3, 2), ((1, 1), (0, 1))), ((1, 2, 10), (3,), ((1, 1),))],
)
def test_fold_of_tiling_windows_is_unfolds_adjoint(shape, kernel, padding):
    """Windows with stride = kernel (a pool's default) fold by placement, not by slice-adds: same adjoint."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal(shape)
    params = dict(kernel_size=kernel, dilation=(1,) * len(kernel), padding=padding, stride=kernel)
    windows = ops.Unfold().forward(x, **params)
    upstream = rng.standard_normal(windows.shape)
    folded = ops.Fold().forward(upstream, output_size=shape[2:], **params)
    np.testing.assert_allclose(np.sum(windows * upstream), np.sum(x * folded))
    assert folded.shape == shape
