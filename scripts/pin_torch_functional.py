"""Pin PyTorch's values and gradients of the functional composites: tests/data/torch_functional.json.

Each case names a function of ``torch.nn.functional`` (the same name in ``tinygrad_sm.functional``),
its float64 inputs (drawn once from a seeded generator, plus the kinks and boundaries where the
gradient convention matters: 0, +-beta, +-delta, the hardtanh limits, the softplus threshold, targets
equal to predictions, zero probabilities), keyword arguments, the output, and the gradient of
``sum(weights * output)`` with respect to each floating input. Batch norm cases also record the running
statistics after the call.

Run: PYTHONPATH=. /work/venv/bin/python scripts/pin_torch_functional.py   (needs torch; the tests do not)
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_functional.json"
rng = np.random.default_rng(1414)

KINKS = np.array([-40.0, -25.0, -3.0, -2.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0, 2.5, 3.0, 10.0, 25.0, 40.0])
ACTIVATION_INPUT = np.concatenate([KINKS, rng.standard_normal(15) * 3])


def pair(size: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Prediction and target, with exact ties and differences of exactly +-0.5, +-1 and +-0.3."""
    target = rng.standard_normal(size)
    difference = rng.standard_normal(size) * 1.5
    difference[:7] = [0.0, 0.5, -0.5, 1.0, -1.0, 0.3, -0.3]
    return target + difference, target


def log_probs(shape: tuple[int, ...]) -> np.ndarray:
    logits = rng.standard_normal(shape)
    return logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))


def probabilities_with_zeros(shape: tuple[int, ...]) -> np.ndarray:
    values = rng.random(shape)
    values[..., 0] = 0.0
    return values / values.sum(axis=-1, keepdims=True)


def cases() -> list[dict]:
    found = []

    def add(name, function, inputs, kwargs=None, grad=None, call=None):
        found.append(
            {
                "name": name,
                "function": function,
                "inputs": inputs,
                "kwargs": kwargs or {},
                "grad": list(inputs) if grad is None else grad,
                "call": call,
            }
        )

    x = ACTIVATION_INPUT
    add("leaky_relu", "leaky_relu", {"input": x})
    add("leaky_relu_slope", "leaky_relu", {"input": x}, {"negative_slope": 0.2})
    add("elu", "elu", {"input": x})
    add("elu_alpha", "elu", {"input": x}, {"alpha": 0.5})
    add("gelu", "gelu", {"input": x})
    add("gelu_tanh", "gelu", {"input": x}, {"approximate": "tanh"})
    add("silu", "silu", {"input": x})
    add("softplus", "softplus", {"input": x})
    add("softplus_beta_threshold", "softplus", {"input": x}, {"beta": 2.0, "threshold": 5.0})
    add("hardtanh", "hardtanh", {"input": x})
    add("hardtanh_limits", "hardtanh", {"input": x}, {"min_val": -0.5, "max_val": 2.0})
    add("log_sigmoid", "logsigmoid", {"input": x})
    for reduction in ("mean", "sum", "none"):
        prediction, target = pair()
        add(f"l1_loss_{reduction}", "l1_loss", {"input": prediction, "target": target}, {"reduction": reduction})
        add(f"mse_loss_{reduction}", "mse_loss", {"input": prediction, "target": target}, {"reduction": reduction})
        for beta in (1.0, 0.5, 0.0):
            add(
                f"smooth_l1_loss_{reduction}_beta{beta}",
                "smooth_l1_loss",
                {"input": prediction, "target": target},
                {"reduction": reduction, "beta": beta},
            )
        for delta in (1.0, 0.3):
            add(
                f"huber_loss_{reduction}_delta{delta}",
                "huber_loss",
                {"input": prediction, "target": target},
                {"reduction": reduction, "delta": delta},
            )
    for reduction in ("mean", "sum", "none", "batchmean"):
        add(
            f"kl_div_{reduction}",
            "kl_div",
            {"input": log_probs((4, 5)), "target": probabilities_with_zeros((4, 5))},
            {"reduction": reduction},
        )
        add(
            f"kl_div_log_target_{reduction}",
            "kl_div",
            {"input": log_probs((4, 5)), "target": log_probs((4, 5))},
            {"reduction": reduction, "log_target": True},
        )
    features = rng.standard_normal((3, 4, 5)) * 2 + 1
    add(
        "layer_norm_last",
        "layer_norm",
        {"input": features, "weight": rng.standard_normal(5), "bias": rng.standard_normal(5)},
        {"normalized_shape": [5]},
        call="layer_norm",
    )
    add(
        "layer_norm_two_dims_no_affine",
        "layer_norm",
        {"input": features},
        {"normalized_shape": [4, 5]},
        call="layer_norm",
    )
    for shape in ((6, 3), (4, 3, 5), (2, 3, 2, 2)):
        label = "x".join(map(str, shape))
        batch = rng.standard_normal(shape) * 1.5 + 0.5
        stats = {"running_mean": rng.standard_normal(3), "running_var": rng.random(3) + 0.5}
        affine = {"weight": rng.standard_normal(3), "bias": rng.standard_normal(3)}
        add(
            f"batch_norm_train_{label}",
            "batch_norm",
            {"input": batch, **affine, **stats},
            {"training": True, "momentum": 0.2, "eps": 1e-5},
            grad=["input", "weight", "bias"],
            call="batch_norm",
        )
        add(
            f"batch_norm_eval_{label}",
            "batch_norm",
            {"input": batch, **affine, **stats},
            {"training": False},
            grad=["input", "weight", "bias"],
            call="batch_norm",
        )
    add(
        "embedding_padding",
        "embedding",
        {"input": np.array([[0, 2, 4], [2, 2, 1]]), "weight": rng.standard_normal((5, 3))},
        {"padding_idx": 2},
        grad=["weight"],
    )
    add(
        "embedding",
        "embedding",
        {"input": np.array([3, 0, 3, 1]), "weight": rng.standard_normal((4, 2))},
        grad=["weight"],
    )
    add("one_hot", "one_hot", {"tensor": np.array([[0, 3], [2, 1]])}, {"num_classes": 5}, grad=[])
    add("one_hot_inferred", "one_hot", {"tensor": np.array([1, 0, 2])}, grad=[])
    return found


def run(case: dict) -> dict:
    tensors = {name: torch.tensor(value, requires_grad=name in case["grad"]) for name, value in case["inputs"].items()}
    kwargs = dict(case["kwargs"])
    if case["call"] == "layer_norm":
        out = F.layer_norm(
            tensors["input"], kwargs.pop("normalized_shape"), tensors.get("weight"), tensors.get("bias"), **kwargs
        )
    elif case["call"] == "batch_norm":
        out = F.batch_norm(
            tensors["input"],
            tensors["running_mean"],
            tensors["running_var"],
            tensors["weight"],
            tensors["bias"],
            **kwargs,
        )
    else:
        out = getattr(F, case["function"])(*tensors.values(), **kwargs)
    result = {"output": out.detach().numpy().tolist()}
    if case["grad"]:
        weights = rng.standard_normal(out.shape)
        (out * torch.tensor(weights)).sum().backward()
        result["weights"] = weights.tolist()
        result["grads"] = {name: tensors[name].grad.numpy().tolist() for name in case["grad"]}
    if case["call"] == "batch_norm":
        result["running_mean"] = tensors["running_mean"].numpy().tolist()
        result["running_var"] = tensors["running_var"].numpy().tolist()
    return result


def main() -> None:
    data = {"torch_version": torch.__version__, "cases": []}
    for case in cases():
        pinned = run(case)
        case = dict(
            case,
            inputs={name: value.tolist() for name, value in case["inputs"].items()},
            dtypes={name: str(value.dtype) for name, value in case["inputs"].items()},
        )
        data["cases"].append({**case, **pinned})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=OUT.parent, suffix=".tmp")
    with os.fdopen(handle, "w") as file:
        json.dump(data, file)
    os.chmod(temp, 0o644)
    os.replace(temp, OUT)
    print(f"wrote {OUT} ({len(data['cases'])} cases)")


if __name__ == "__main__":
    main()
