"""Pin PyTorch's optimizer and scheduler trajectories as test data: tests/data/torch_optim.json.

Each optimizer case starts from the same float32 parameters and, at every one of 20 steps, receives the
gradient ``g(p) = (p - centre) + 0.3 sin(3 p)``, computed in float64 from the current float32
parameters and rounded to float32, so the test can feed tinygrad_sm exactly the same gradient from its
own parameters. The file holds the starting values, the centres and the parameters after every step.
Scheduler cases record the learning rate (and momentum / beta1 for OneCycleLR) after each of 30 steps.

Run: PYTHONPATH=. /work/venv/bin/python scripts/pin_torch_optim.py   (needs torch; the tests do not)
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import torch

STEPS = 20
SCHEDULER_STEPS = 30
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_optim.json"

# (case name, optimizer class name, options, split into two groups with these extra options for group 2)
OPTIMIZER_CASES = [
    ("sgd", "SGD", {"lr": 0.1}, None),
    (
        "sgd_momentum_dampening_decay",
        "SGD",
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
        None,
    ),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.001}, None),
    ("sgd_maximize", "SGD", {"lr": 0.01, "momentum": 0.5, "maximize": True}, None),
    ("adam", "Adam", {"lr": 0.01}, None),
    (
        "adam_decay_amsgrad",
        "Adam",
        {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True},
        None,
    ),
    ("adamw", "AdamW", {"lr": 0.01}, None),
    ("adamw_amsgrad_groups", "AdamW", {"lr": 0.01, "weight_decay": 0.05, "amsgrad": True}, {"lr": 0.03}),
    ("rmsprop", "RMSprop", {"lr": 0.01}, None),
    (
        "rmsprop_centered_momentum_decay",
        "RMSprop",
        {"lr": 0.005, "alpha": 0.9, "momentum": 0.7, "centered": True, "weight_decay": 0.01},
        None,
    ),
    ("adagrad", "Adagrad", {"lr": 0.1}, None),
    (
        "adagrad_decay_accumulator",
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.02, "initial_accumulator_value": 0.5, "eps": 1e-8},
        {"lr": 0.05},
    ),
]

SCHEDULER_CASES = [
    ("step", "StepLR", {"step_size": 4, "gamma": 0.5}, "SGD"),
    ("multistep", "MultiStepLR", {"milestones": [3, 7, 20], "gamma": 0.3}, "SGD"),
    ("exponential", "ExponentialLR", {"gamma": 0.9}, "SGD"),
    ("cosine", "CosineAnnealingLR", {"T_max": 12, "eta_min": 0.001}, "SGD"),
    ("lambda", "LambdaLR", {}, "SGD"),  # lr_lambda = 1 / (1 + epoch), written in the test as well
    ("onecycle_sgd", "OneCycleLR", {"max_lr": 0.5, "total_steps": SCHEDULER_STEPS}, "SGD"),
    (
        "onecycle_adam_linear_three_phase",
        "OneCycleLR",
        {
            "max_lr": 0.01,
            "epochs": 3,
            "steps_per_epoch": 10,
            "anneal_strategy": "linear",
            "three_phase": True,
            "pct_start": 0.25,
        },
        "Adam",
    ),
]


def gradient(values: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """The gradient fed at each step, a function of the parameter values (the test has the same one)."""
    values = values.astype(np.float64)
    return ((values - centre) + 0.3 * np.sin(3 * values)).astype(np.float32)


def starting_point() -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(14)
    shapes = [(3, 4), (4,)]
    starts = [rng.standard_normal(shape).astype(np.float32) for shape in shapes]
    centres = [rng.standard_normal(shape) for shape in shapes]
    return starts, centres


def run_optimizer(class_name: str, options: dict, second_group: dict | None) -> list[list[list]]:
    starts, centres = starting_point()
    params = [torch.tensor(start, requires_grad=True) for start in starts]
    cls = getattr(torch.optim, class_name)
    options = dict(options, foreach=False)
    if second_group is None:
        optimizer = cls(params, **options)
    else:
        optimizer = cls([{"params": [params[0]]}, {"params": [params[1]], **second_group}], **options)
    trajectory = []
    for _ in range(STEPS):
        for param, centre in zip(params, centres):
            param.grad = torch.from_numpy(gradient(param.detach().numpy(), centre))
        optimizer.step()
        trajectory.append([param.detach().numpy().tolist() for param in params])
    return trajectory


def run_scheduler(class_name: str, options: dict, optimizer_name: str) -> dict:
    param = torch.zeros(2, requires_grad=True)
    optimizer = (
        torch.optim.SGD([param], lr=0.1, momentum=0.9) if optimizer_name == "SGD" else torch.optim.Adam([param], lr=0.1)
    )
    cls = getattr(torch.optim.lr_scheduler, class_name)
    if class_name == "LambdaLR":
        scheduler = cls(optimizer, lr_lambda=lambda epoch: 1 / (1 + epoch))
    else:
        scheduler = cls(optimizer, **options)
    rates, momenta = [scheduler.get_last_lr()[0]], []
    group = optimizer.param_groups[0]
    momenta.append(group["betas"][0] if "betas" in group else group["momentum"])
    steps = SCHEDULER_STEPS - 1 if class_name == "OneCycleLR" else SCHEDULER_STEPS
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        rates.append(scheduler.get_last_lr()[0])
        momenta.append(group["betas"][0] if "betas" in group else group["momentum"])
    return {"rates": rates, "momenta": momenta}


def main() -> None:
    starts, centres = starting_point()
    data = {
        "torch_version": torch.__version__,
        "steps": STEPS,
        "starts": [start.tolist() for start in starts],
        "centres": [centre.tolist() for centre in centres],
        "optimizers": [
            {
                "name": name,
                "class": cls,
                "options": options,
                "second_group": second,
                "trajectory": run_optimizer(cls, options, second),
            }
            for name, cls, options, second in OPTIMIZER_CASES
        ],
        "schedulers": [
            {
                "name": name,
                "class": cls,
                "options": options,
                "optimizer": optimizer,
                **run_scheduler(cls, options, optimizer),
            }
            for name, cls, options, optimizer in SCHEDULER_CASES
        ],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=OUT.parent, suffix=".tmp")
    with os.fdopen(handle, "w") as file:
        json.dump(data, file, indent=1)
    os.chmod(temp, 0o644)
    os.replace(temp, OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
