"""Optimisers: ``SGD`` (with momentum / Nesterov / weight decay) and ``Adam``.

Updates are written in place into each parameter's array under ``no_grad`` (through ``Tensor.sub_``,
which bumps the version counter so a graph that saved the old values notices). No graph is recorded.
Gradient arrays are never modified: ``.grad`` may share its array with another tensor.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from .autograd import no_grad
from .tensor import Tensor


class Optimizer:
    """Holds the parameter list; ``zero_grad`` sets every ``.grad`` to None."""

    def __init__(self, params: Iterable[Tensor], lr: float):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name} expects an iterable of parameters, got a single Tensor; pass [tensor]")
        if callable(getattr(params, "parameters", None)):
            raise TypeError(f"{name} got the module itself ({type(params).__name__}); pass its parameters: "
                            f"{name}(model.parameters(), ...)")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for index, param in enumerate(self.params):
            if not isinstance(param, Tensor):
                raise TypeError(f"{type(self).__name__} parameter {index} is a {type(param).__name__}, not a Tensor")
            if param._node is not None:
                raise ValueError(f"{type(self).__name__} parameter {index} (shape {param.shape}) is not a leaf: it was "
                                 f"made by op '{param._node.name}' (for example by `w = w - lr * w.grad`), so it "
                                 "never receives a .grad; pass the original parameter tensors")
            if not param.requires_grad:
                raise ValueError(f"{type(self).__name__} parameter {index} ({param.name or 'unnamed'}, shape "
                                 f"{param.shape}) does not require grad, so it would never be updated")
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr!r}")
        self.lr = float(lr)

    def zero_grad(self) -> None:
        for param in self.params:
            param.grad = None

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with PyTorch's conventions::

        g = grad + weight_decay * p
        v = momentum * v + g                                (when momentum > 0; the first step sets v = g)
        update = g + momentum * v if nesterov else v        (update = g when momentum == 0)
        p = p - lr * update

    Plain SGD uses one persistent scratch buffer per
    parameter (``buf = lr * grad``, then ``p -= buf``) and allocates nothing per step.
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        if momentum < 0:
            raise ValueError(f"momentum must be >= 0, got {momentum}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        if nesterov and momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0")
        self.momentum, self.nesterov, self.weight_decay = float(momentum), bool(nesterov), float(weight_decay)
        self._scratch = [np.empty_like(p.data) for p in self.params]
        self._velocity: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        with no_grad():
            for index, param in enumerate(self.params):
                if param._grad is None:
                    continue
                grad, buf = param._grad._data, self._scratch[index]
                if self.weight_decay:
                    np.multiply(param.data, self.weight_decay, out=buf)
                    np.add(buf, grad, out=buf)          # buf = g
                    grad = buf
                if self.momentum:
                    velocity = self._velocity[index]
                    if velocity is None:
                        velocity = self._velocity[index] = np.array(grad, dtype=param.dtype, copy=True)
                    else:
                        np.multiply(velocity, self.momentum, out=velocity)
                        np.add(velocity, grad, out=velocity)
                    if self.nesterov:
                        np.add(grad, self.momentum * velocity, out=buf)
                        np.multiply(buf, self.lr, out=buf)
                    else:
                        np.multiply(velocity, self.lr, out=buf)
                else:
                    np.multiply(grad, self.lr, out=buf)
                param.sub_(buf)


class Adam(Optimizer):
    """Adam (Kingma & Ba), with L2 weight decay added to the gradient as in PyTorch's Adam::

        g = grad + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        p = p - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr)
        beta1, beta2 = betas
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError(f"betas must each be in [0, 1), got {betas}")
        if eps <= 0:
            raise ValueError(f"eps must be positive, got {eps}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        self.betas, self.eps, self.weight_decay = (float(beta1), float(beta2)), float(eps), float(weight_decay)
        self._first = [np.zeros_like(p.data) for p in self.params]
        self._second = [np.zeros_like(p.data) for p in self.params]
        self._scratch = [np.empty_like(p.data) for p in self.params]
        self._steps = [0] * len(self.params)

    def step(self) -> None:
        beta1, beta2 = self.betas
        with no_grad():
            for index, param in enumerate(self.params):
                if param._grad is None:
                    continue
                grad, buf = param._grad._data, self._scratch[index]
                first, second = self._first[index], self._second[index]
                if self.weight_decay:
                    np.multiply(param.data, self.weight_decay, out=buf)
                    np.add(buf, grad, out=buf)
                    grad = buf.copy()
                self._steps[index] += 1
                step = self._steps[index]
                np.multiply(first, beta1, out=first)
                first += (1 - beta1) * grad
                np.multiply(second, beta2, out=second)
                second += (1 - beta2) * np.square(grad)
                bias1, bias2 = 1 - beta1 ** step, 1 - beta2 ** step
                # buf = lr * m_hat / (sqrt(v_hat) + eps)
                np.divide(second, bias2, out=buf)
                np.sqrt(buf, out=buf)
                np.add(buf, self.eps, out=buf)
                np.divide(first, buf, out=buf)
                np.multiply(buf, self.lr / bias1, out=buf)
                param.sub_(buf)
