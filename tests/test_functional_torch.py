"""The functional composites against PyTorch: values and gradients pinned by
scripts/pin_torch_functional.py (float64, kinks and boundaries included), and live when torch imports."""

import json
from pathlib import Path

import numpy as np
import pytest

import tinygrad_sm as tg
import tinygrad_sm.functional as F

DATA = json.loads((Path(__file__).parent / "data" / "torch_functional.json").read_text())
CASES = {case["name"]: case for case in DATA["cases"]}
OUR_NAMES = {"logsigmoid": "log_sigmoid"}


def call_ours(case, inputs):
    kwargs = dict(case["kwargs"])
    if case["call"] == "layer_norm":
        return F.layer_norm(
            inputs["input"], tuple(kwargs.pop("normalized_shape")), inputs.get("weight"), inputs.get("bias"), **kwargs
        )
    if case["call"] == "batch_norm":
        return F.batch_norm(
            inputs["input"], inputs["running_mean"], inputs["running_var"], inputs["weight"], inputs["bias"], **kwargs
        )
    function = getattr(F, OUR_NAMES.get(case["function"], case["function"]))
    return function(*inputs.values(), **kwargs)


def our_inputs(case):
    return {
        name: tg.Tensor(np.array(value, dtype=case["dtypes"][name]), requires_grad=name in case["grad"])
        for name, value in case["inputs"].items()
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_functional_matches_pinned_torch_values_and_gradients(name):
    case = CASES[name]
    inputs = our_inputs(case)
    out = call_ours(case, inputs)
    expected = np.array(case["output"])
    assert out.shape == expected.shape
    if case["function"] == "one_hot":
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out.detach().numpy(), expected)
        return
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-10, atol=1e-13)
    if case["grad"]:
        grads = tg.grad(
            [out],
            [inputs[n] for n in case["grad"]],
            grad_outputs=[tg.Tensor(np.array(case["weights"]))],
            allow_unused=True,
        )
        for grad_name, grad in zip(case["grad"], grads):
            ours = np.zeros(inputs[grad_name].shape) if grad is None else grad.detach().numpy()
            expected = np.array(case["grads"][grad_name])
            if case["function"] == "kl_div" and grad_name == "target" and not case["kwargs"].get("log_target"):
                # at p = 0 PyTorch gives nan; the docstring says why ours is -log q there (p log p held at 0)
                zero = np.array(case["inputs"]["target"]) == 0
                assert np.isnan(expected[zero]).all() and zero.any()
                log_q, weights = np.array(case["inputs"]["input"]), np.array(case["weights"])
                scale = {
                    "none": weights,
                    "sum": weights,
                    "mean": weights / log_q.size,
                    "batchmean": weights / log_q.shape[0],
                }[case["kwargs"]["reduction"]]
                np.testing.assert_allclose(ours[zero], (-log_q * scale)[zero], rtol=1e-12)
                assert np.isfinite(ours).all()
                ours, expected = ours[~zero], expected[~zero]
            np.testing.assert_allclose(
                ours, expected, rtol=1e-10, atol=1e-13, err_msg=f"{name}: gradient with respect to {grad_name}"
            )
    if case["call"] == "batch_norm":
        np.testing.assert_allclose(
            inputs["running_mean"].detach().numpy(), case["running_mean"], rtol=1e-12, atol=1e-15
        )
        np.testing.assert_allclose(inputs["running_var"].detach().numpy(), case["running_var"], rtol=1e-12, atol=1e-15)


def test_every_new_functional_name_is_pinned():
    pinned = {OUR_NAMES.get(case["function"], case["function"]) for case in DATA["cases"]}
    required = {
        "leaky_relu",
        "elu",
        "gelu",
        "silu",
        "softplus",
        "hardtanh",
        "log_sigmoid",
        "l1_loss",
        "smooth_l1_loss",
        "huber_loss",
        "kl_div",
        "one_hot",
        "layer_norm",
        "batch_norm",
        "embedding",
    }
    assert required <= pinned, f"not pinned: {sorted(required - pinned)}"


@pytest.mark.live_torch
def test_functional_matches_torch_live_on_float32_when_torch_imports():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    x = np.random.default_rng(5).standard_normal(50).astype(np.float32) * 4
    for ours, theirs in [
        (F.gelu, TF.gelu),
        (lambda t: F.gelu(t, "tanh"), lambda t: TF.gelu(t, approximate="tanh")),
        (F.silu, TF.silu),
        (F.softplus, TF.softplus),
        (F.log_sigmoid, TF.logsigmoid),
        (F.elu, TF.elu),
        (F.leaky_relu, TF.leaky_relu),
        (F.hardtanh, TF.hardtanh),
    ]:
        mine = tg.Tensor(x, requires_grad=True)
        out = ours(mine)
        out.sum().backward()
        reference = torch.tensor(x, requires_grad=True)
        expected = theirs(reference)
        expected.sum().backward()
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=2e-6, atol=2e-7)
        # gradients near 0 come from 1 + erf(x) and similar cancellations in float32 on both sides
        np.testing.assert_allclose(mine.grad.detach().numpy(), reference.grad.numpy(), rtol=2e-6, atol=3e-6)


def test_softplus_and_log_sigmoid_keep_tiny_values_that_log_of_one_plus_would_round_away():
    x = tg.Tensor(np.array([-30.0, -50.0], np.float32))
    np.testing.assert_allclose(F.softplus(x).detach().numpy(), np.exp([-30.0, -50.0]), rtol=1e-6)
    np.testing.assert_allclose(F.log_sigmoid(-x).detach().numpy(), -np.exp([-30.0, -50.0]), rtol=1e-6)


@pytest.mark.live_torch
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")  # torch's note on kl_div 'mean'
def test_every_pinned_case_still_matches_torch_live_when_torch_imports():
    pytest.importorskip("torch")
    import importlib.util

    path = Path(__file__).parent.parent / "scripts" / "pin_torch_functional.py"
    spec = importlib.util.spec_from_file_location("pin_torch_functional", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for case in script.cases():  # a fresh draw of the same seeded inputs, run through torch now
        live = script.run(case)
        case = dict(case, dtypes={name: str(value.dtype) for name, value in case["inputs"].items()})
        np.testing.assert_allclose(
            call_ours(case, our_inputs(case)).detach().numpy(),
            np.array(live["output"]),
            rtol=1e-10,
            atol=1e-13,
            err_msg=case["name"],
        )
