"""Stochastic gradient descent, with PyTorch's momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsArg


class SGD(Optimizer):
    """As ``torch.optim.SGD``:

        g = grad + weight_decay * p
        b = g (first step)  |  b = momentum * b + (1 - dampening) * g     (when momentum > 0)
        g = g + momentum * b if nesterov else b
        p = p - lr * g

    State per parameter: ``'momentum_buffer'`` (when momentum > 0).
    """

    def __init__(
        self,
        params: ParamsArg,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ):
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0")
        super().__init__(
            params,
            dict(
                lr=lr,
                momentum=momentum,
                dampening=dampening,
                weight_decay=weight_decay,
                nesterov=nesterov,
                maximize=maximize,
            ),
        )

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if group["weight_decay"]:
            grad = np.asarray(grad + group["weight_decay"] * param)  # (0-d arrays: NumPy returns a scalar)
        momentum = group["momentum"]
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:  # an array even for a 0-d parameter, so the in-place updates below reach it
                buffer = state["momentum_buffer"] = np.array(grad, copy=True)
            else:
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        # p - lr g with one temporary: (-lr) g into a fresh buffer, then p added into it in place (the
        # same two roundings as ``param + (-lr) * grad``, one allocation and one pass fewer)
        update = np.asarray(np.multiply(grad, -group["lr"]))  # (a 0-d parameter's product is a NumPy scalar)
        return np.add(param, update, out=update)
